//! Bernoulli(p), p = σ(θ) with θ the logit (working scale).

use mle_core::density::ClosedForm;
use mle_core::numerics::log_sigmoid;
use mle_core::transform::sigmoid;
use mle_core::{LogDensity, Parameter};
use nalgebra::SMatrix;
use num_dual::DualNum;

/// The Bernoulli family on 0/1 observations (`f64`, exactly 0.0 or 1.0), parameterised by the
/// logit of p. log p(y | θ) = y·log σ(θ) + (1−y)·log σ(−θ), computed stably.
///
/// ```
/// use mle_core::{density::ClosedForm, LogDensity};
/// use mle_families::Bernoulli;
/// let data = [1.0, 0.0, 1.0, 1.0];
/// let Some(ClosedForm::Interior { theta, .. }) = Bernoulli.closed_form(&data, None) else { panic!() };
/// assert!((theta[0] - 3f64.ln()).abs() < 1e-15); // logit(3/4)
/// assert!(matches!(Bernoulli.closed_form(&[0.0; 5], None), Some(ClosedForm::Boundary { .. })));
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

    /// p̂ = Σwᵢyᵢ / Σwᵢ. With k = 0 or k = n the estimate is on the boundary (p̂ = 0 or 1,
    /// ℓ = 0): no Wald standard error.
    fn closed_form(&self, data: &[f64], weights: Option<&[f64]>) -> Option<ClosedForm> {
        let (k, n) = match weights {
            Some(w) => data
                .iter()
                .zip(w)
                .fold((0.0, 0.0), |(k, n), (y, w)| (k + w * y, n + w)),
            None => (data.iter().sum::<f64>(), data.len() as f64),
        };
        let formula = "p̂ = k/n".to_string();
        if k == 0.0 || k == n {
            let theta = if k == 0.0 {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            return Some(ClosedForm::Boundary {
                theta: vec![theta],
                log_likelihood: 0.0,
                formula,
            });
        }
        let p = k / n;
        Some(ClosedForm::Interior {
            theta: vec![(p / (1.0 - p)).ln()],
            formula,
        })
    }
}
