//! Logistic regression: Bernoulli response, logit link. Newton on the exact Hessian is
//! IRLS here (canonical link: observed = expected information).

use mle_core::numerics::log_sigmoid;
use mle_core::predictor::PredictorDensity;
use mle_core::transform::sigmoid;
use mle_core::{Design, Fit, LinearPredictorObjective, Result, Transform};
use mle_optim::FitOptions;
use nalgebra::SMatrix;
use num_dual::DualNum;

use crate::regression::RegressionInput;

/// Bernoulli with logit link: log p(y | η) = y·log σ(η) + (1 − y)·log σ(−η), stable for any
/// η (no overflow at |η| = 800).
///
/// ```
/// use mle_core::{Design, Objective};
/// use mle_families::Logistic;
/// let x = Design::from_columns(true, &[("dose", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
/// let y = [0.0, 1.0, 0.0, 1.0];
/// let fit = Logistic.fit(&x, &y).unwrap();
/// assert!(fit.convergence().converged);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Logistic;

impl PredictorDensity<1> for Logistic {
    fn name(&self) -> String {
        "logistic regression (Bernoulli, logit link)".into()
    }

    fn predictors(&self) -> [(&'static str, Transform); 1] {
        [("logit_p", Transform::Logit)]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: f64) -> D {
        if y == 1.0 {
            log_sigmoid(eta[0])
        } else {
            log_sigmoid(-eta[0])
        }
    }

    fn check_response(&self, y: f64) -> std::result::Result<(), String> {
        if y == 0.0 || y == 1.0 {
            Ok(())
        } else {
            Err(format!("y = {y}, but logistic regression needs y ∈ {{0, 1}}"))
        }
    }

    fn expected_information(&self, eta: &[f64; 1]) -> Option<SMatrix<f64, 1, 1>> {
        let p = sigmoid(eta[0]);
        Some(SMatrix::<f64, 1, 1>::new(p * (1.0 - p)))
    }
}

impl Logistic {
    /// Fits by safeguarded Newton (= IRLS) from β = 0.
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_families::Logistic;
    /// let x = Design::intercept(2);
    /// assert!(matches!(Logistic.fit(&x, &[0.0, 2.0]), Err(MleError::OutsideSupport { index: 1, .. })));
    /// ```
    pub fn fit(&self, x: &Design, y: &[f64]) -> Result<Fit> {
        self.fit_with(RegressionInput::new(x, y), &FitOptions::newton())
    }

    /// Fits with offsets, case weights and optimiser options.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_families::{regression::RegressionInput, Logistic};
    /// use mle_optim::FitOptions;
    /// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
    /// let y = [0.0, 1.0, 0.0, 1.0];
    /// let w = [1.0, 2.0, 1.0, 1.0];
    /// let fit = Logistic.fit_with(RegressionInput::new(&x, &y).weights(&w), &FitOptions::newton()).unwrap();
    /// assert_eq!(fit.n_obs(), 4);
    /// ```
    pub fn fit_with(&self, input: RegressionInput<'_>, options: &FitOptions) -> Result<Fit> {
        let objective = input.objective(self, [input.design()])?;
        let start = vec![0.0; objective_dimension(&objective)];
        options.fit(&objective, &start)
    }
}

pub(crate) fn objective_dimension<F: PredictorDensity<K>, const K: usize>(
    objective: &LinearPredictorObjective<'_, F, K>,
) -> usize {
    use mle_core::Objective;
    objective.dimension()
}
