//! Poisson counts with the log rate as working parameter (the log link in a regression).

use mle_core::{LogDensity, Parameter};
use nalgebra::SMatrix;
use num_dual::DualNum;
use statrs::function::gamma::ln_gamma;

/// Poisson: log p(y | θ) = yθ − e^θ − log y!, θ = log λ. The same density fits i.i.d. counts
/// and, with θ = Xβ + offset, Poisson regression.
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::Poisson;
/// // log P(Y = 2 | λ = 1) = −1 − log 2
/// assert!((Poisson.ln_density(&[0.0], &2.0) + 1.0 + 2f64.ln()).abs() < 1e-14);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Poisson;

impl LogDensity<1> for Poisson {
    type Obs = f64;

    fn name(&self) -> String {
        "Poisson".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::log_scale("rate")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        theta[0] * *y - theta[0].exp() - ln_gamma(*y + 1.0)
    }

    fn check_observation(&self, y: &f64) -> std::result::Result<(), String> {
        if *y >= 0.0 && y.fract() == 0.0 {
            Ok(())
        } else {
            Err(format!(
                "y = {y}, but a Poisson count must be a non-negative integer"
            ))
        }
    }

    /// I(θ) = e^θ = λ per observation on the log scale.
    fn expected_information(&self, theta: &[f64; 1], _y: &f64) -> Option<SMatrix<f64, 1, 1>> {
        Some(SMatrix::<f64, 1, 1>::new(theta[0].exp()))
    }
}
