//! Categorical distribution over K + 1 classes (class 0 the baseline), parameterised by the
//! K baseline logits θ_k = log(p_k/p₀): the unigram / n-gram count model.

use mle_core::numerics::log_sum_exp;
use mle_core::{Convergence, DataObjective, Fit, LogDensity, Objective, Parameter, Result};
use num_dual::DualNum;

/// Categorical with classes 0..=K; observations are class codes (`f64` integers).
///
/// ```
/// use mle_families::Categorical;
/// let fit = Categorical::<2>.fit(&[0.0, 1.0, 1.0, 2.0]).unwrap();
/// assert!((fit.estimates()[0] - 2f64.ln()).abs() < 1e-15); // log(n₁/n₀)
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Categorical<const K: usize>;

impl<const K: usize> LogDensity<K> for Categorical<K> {
    type Obs = f64;

    fn name(&self) -> String {
        format!("categorical ({} classes, baseline 0)", K + 1)
    }

    fn parameters(&self) -> Vec<Parameter> {
        (1..=K)
            .map(|k| Parameter::identity(format!("log_odds_class{k}")))
            .collect()
    }

    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        // A stack buffer (no allocation per observation) for up to 64 classes.
        let lse = if K < 64 {
            let mut all = [D::from(0.0); 64];
            all[1..=K].copy_from_slice(&theta[..K]);
            log_sum_exp(&all[..=K])
        } else {
            let mut all = vec![D::from(0.0)];
            all.extend_from_slice(&theta[..K]);
            log_sum_exp(&all)
        };
        let c = *y as usize;
        if c == 0 {
            -lse
        } else {
            theta[c - 1] - lse
        }
    }

    fn check_observation(&self, y: &f64) -> std::result::Result<(), String> {
        if *y >= 0.0 && y.fract() == 0.0 && *y <= K as f64 {
            Ok(())
        } else {
            Err(format!("class {y} is not an integer in 0..={K}"))
        }
    }
}

impl<const K: usize> Categorical<K> {
    /// Counts per class.
    ///
    /// ```
    /// assert_eq!(mle_families::Categorical::<2>.counts(&[0.0, 2.0, 2.0]), vec![1.0, 0.0, 2.0]);
    /// ```
    pub fn counts(&self, data: &[f64]) -> Vec<f64> {
        let mut c = vec![0.0; K + 1];
        for y in data {
            if let Some(slot) = c.get_mut(*y as usize) {
                *slot += 1.0;
            }
        }
        c
    }

    /// Closed-form MLE p̂_k = n_k/n. A class never observed has p̂_k = 0: the estimate is on
    /// the boundary (the unsmoothed n-gram problem), reported as such.
    ///
    /// ```
    /// let fit = mle_families::Categorical::<2>.fit(&[0.0, 1.0]).unwrap();
    /// assert!(fit.is_on_boundary(1)); // class 2 unseen
    /// ```
    pub fn fit(&self, data: &[f64]) -> Result<Fit> {
        let objective = DataObjective::new(self, data)?;
        let counts = self.counts(data);
        let n: f64 = counts.iter().sum();
        let theta: Vec<f64> = (1..=K).map(|k| (counts[k] / counts[0]).ln()).collect();
        let formula = "p̂_k = n_k / n";
        if counts.contains(&0.0) {
            let l: f64 = counts
                .iter()
                .filter(|c| **c > 0.0)
                .map(|c| c * (c / n).ln())
                .sum();
            let mut estimates = theta.clone();
            for v in estimates.iter_mut() {
                if !v.is_finite() {
                    *v = if v.is_sign_negative() {
                        f64::NEG_INFINITY
                    } else {
                        f64::INFINITY
                    };
                }
            }
            return Ok(Fit::on_boundary(
                &self.name(),
                objective.parameters(),
                &estimates,
                l,
                data.len(),
                Convergence::closed_form("p̂_k = n_k / n (a class has zero count: on the boundary)"),
            ));
        }
        Fit::at_estimate(&objective, &theta, Convergence::closed_form(formula))
    }
}
