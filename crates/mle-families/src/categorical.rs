//! Categorical distribution over K + 1 classes (class 0 the baseline), parameterised by the
//! K baseline logits θ_k = log(p_k/p₀): the unigram / n-gram count model.

use mle_core::density::ClosedForm;
use mle_core::numerics::log_sum_exp;
use mle_core::{LogDensity, Parameter};
use nalgebra::SMatrix;
use num_dual::DualNum;

/// Categorical with classes 0..=K; observations are class codes (`f64` integers).
///
/// ```
/// use mle_core::{density::ClosedForm, LogDensity};
/// use mle_families::Categorical;
/// let Some(ClosedForm::Interior { theta, .. }) = Categorical::<2>.closed_form(&[0.0, 1.0, 1.0, 2.0], None) else { panic!() };
/// assert!((theta[0] - 2f64.ln()).abs() < 1e-15); // log(n₁/n₀)
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

    /// p̂_k = n_k/n (weighted counts). A class never observed has p̂_k = 0: the estimate is
    /// on the boundary (the unsmoothed n-gram problem), reported as such.
    fn closed_form(&self, data: &[f64], weights: Option<&[f64]>) -> Option<ClosedForm> {
        let counts = self.counts(data, weights);
        let n: f64 = counts.iter().sum();
        let theta: Vec<f64> = (1..=K).map(|k| (counts[k] / counts[0]).ln()).collect();
        if counts.contains(&0.0) {
            let log_likelihood: f64 = counts
                .iter()
                .filter(|c| **c > 0.0)
                .map(|c| c * (c / n).ln())
                .sum();
            let theta = theta
                .iter()
                .map(|v| match v {
                    v if v.is_finite() => *v,
                    v if v.is_sign_negative() => f64::NEG_INFINITY,
                    _ => f64::INFINITY,
                })
                .collect();
            return Some(ClosedForm::Boundary {
                theta,
                log_likelihood,
                formula: "p̂_k = n_k / n (a class has zero count: on the boundary)".into(),
            });
        }
        Some(ClosedForm::Interior {
            theta,
            formula: "p̂_k = n_k / n".into(),
        })
    }

    /// diag(p) − ppᵀ over the non-baseline classes (p by a max-shifted softmax).
    fn expected_information(&self, theta: &[f64; K], _y: &f64) -> Option<SMatrix<f64, K, K>> {
        let m = theta.iter().fold(0.0f64, |a, &b| a.max(b));
        let denom: f64 = (-m).exp() + theta.iter().map(|e| (e - m).exp()).sum::<f64>();
        let p: [f64; K] = std::array::from_fn(|k| (theta[k] - m).exp() / denom);
        Some(SMatrix::from_fn(|r, c| {
            if r == c {
                p[r] - p[r] * p[c]
            } else {
                -p[r] * p[c]
            }
        }))
    }
}

impl<const K: usize> Categorical<K> {
    /// (Weighted) counts per class.
    ///
    /// ```
    /// assert_eq!(mle_families::Categorical::<2>.counts(&[0.0, 2.0, 2.0], None), vec![1.0, 0.0, 2.0]);
    /// ```
    pub fn counts(&self, data: &[f64], weights: Option<&[f64]>) -> Vec<f64> {
        let mut c = vec![0.0; K + 1];
        for (i, y) in data.iter().enumerate() {
            if let Some(slot) = c.get_mut(*y as usize) {
                *slot += weights.map_or(1.0, |w| w[i]);
            }
        }
        c
    }
}
