//! Bernoulli(p), p = σ(θ) with θ the logit (working scale).

use mle_core::numerics::log_sigmoid;
use mle_core::transform::sigmoid;
use mle_core::{Convergence, DataObjective, Fit, LogDensity, Parameter, Result};
use nalgebra::SMatrix;
use num_dual::DualNum;

/// The Bernoulli family on 0/1 observations (`f64`, exactly 0.0 or 1.0), parameterised by the
/// logit of p. log p(y | θ) = y·log σ(θ) + (1−y)·log σ(−θ), computed stably.
///
/// ```
/// use mle_families::Bernoulli;
/// let data = [1.0, 0.0, 1.0, 1.0];
/// let fit = Bernoulli.fit(&data).unwrap();
/// assert!((fit.natural_estimates()[0] - 0.75).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Bernoulli;

impl LogDensity<1> for Bernoulli {
    type Obs = f64;

    fn name(&self) -> String {
        "Bernoulli".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::logit_scale("p")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        if *y == 1.0 {
            log_sigmoid(theta[0])
        } else {
            log_sigmoid(-theta[0])
        }
    }

    fn check_observation(&self, y: &f64) -> std::result::Result<(), String> {
        if *y == 0.0 || *y == 1.0 {
            Ok(())
        } else {
            Err(format!("y = {y}, but a Bernoulli observation must be 0 or 1"))
        }
    }

    /// I(θ) = p(1−p) per observation on the logit scale (= 1/(p(1−p)) on the p scale).
    fn expected_information(&self, theta: &[f64; 1], _y: &f64) -> Option<SMatrix<f64, 1, 1>> {
        let p = sigmoid(theta[0]);
        Some(SMatrix::<f64, 1, 1>::new(p * (1.0 - p)))
    }
}

impl Bernoulli {
    /// Closed-form MLE p̂ = k/n. With k = 0 or k = n the estimate is on the boundary
    /// (p̂ = 0 or 1, ℓ = 0): the fit says so and reports no Wald standard error.
    ///
    /// ```
    /// use mle_families::Bernoulli;
    /// let fit = Bernoulli.fit(&[0.0; 10]).unwrap();
    /// assert_eq!(fit.natural_estimates()[0], 0.0);
    /// assert!(fit.std_errors().is_none());
    /// assert!(fit.is_on_boundary(0));
    /// ```
    pub fn fit(&self, data: &[f64]) -> Result<Fit> {
        self.fit_objective(&DataObjective::new(self, data)?)
    }

    /// Closed-form MLE with case weights: p̂ = Σwᵢyᵢ / Σwᵢ.
    ///
    /// ```
    /// use mle_families::Bernoulli;
    /// let fit = Bernoulli.fit_weighted(&[1.0, 0.0], &[3.0, 1.0]).unwrap();
    /// assert!((fit.natural_estimates()[0] - 0.75).abs() < 1e-15);
    /// ```
    pub fn fit_weighted(&self, data: &[f64], weights: &[f64]) -> Result<Fit> {
        self.fit_objective(&DataObjective::new(self, data)?.with_weights(weights)?)
    }

    fn fit_objective(&self, objective: &DataObjective<'_, Self, 1>) -> Result<Fit> {
        let data = objective.data();
        let (k, n) = match objective.weights() {
            Some(w) => data
                .iter()
                .zip(w)
                .fold((0.0, 0.0), |(k, n), (y, w)| (k + w * y, n + w)),
            None => (data.iter().sum::<f64>(), data.len() as f64),
        };
        let formula = "p̂ = k/n";
        if k == 0.0 || k == n {
            let theta = if k == 0.0 {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            use mle_core::Objective;
            return Ok(Fit::on_boundary(
                "Bernoulli",
                self.parameters(),
                &[theta],
                0.0,
                objective.n_obs(),
                Convergence::closed_form(formula),
            ));
        }
        let p = k / n;
        Fit::at_estimate(
            objective,
            &[(p / (1.0 - p)).ln()],
            Convergence::closed_form(formula),
        )
    }
}
