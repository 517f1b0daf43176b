//! The Laplace (double exponential) distribution, parameters (μ, log b):
//! f(x) = 1/(2b) · exp(−|x − μ|/b).
//!
//! The MLE is closed form: μ̂ = a sample median, b̂ = mean absolute deviation about μ̂. For odd
//! n the median is unique; for even n every point of [x₍ₙ/₂₎, x₍ₙ/₂₊₁₎] maximises the
//! likelihood (b̂ is the same for every point of that interval). The log-density has a kink
//! at μ, so the observed information is singular (∂²ℓ/∂μ² = 0 almost everywhere) and the
//! generic Newton / BFGS optimisers cannot fit it (they stop with a typed error). The
//! closed-form fit, which reports the lower median and the interval, and its standard errors
//! live above the quantile solver: `mle_models::LocationScaleFit`.
//!
//! The Laplace is the asymmetric Laplace at τ = 0.5 with b = 2σ
//! ([`crate::AsymmetricLaplace`]).
//!
//! ```
//! use mle_core::LogDensity;
//! use mle_families::Laplace;
//! let v = LogDensity::<2>::ln_density(&Laplace, &[1.0, 0.0], &3.0);
//! assert!((v - (-(2f64.ln()) - 2.0)).abs() < 1e-15);
//! ```

use mle_core::{LogDensity, Parameter};
use nalgebra::SMatrix;
use num_dual::DualNum;

const LN_2: f64 = std::f64::consts::LN_2;

/// The Laplace family, parameters (μ, log b): log f = −log 2 − log b − |x − μ|/b.
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::Laplace;
/// let v = LogDensity::<2>::ln_density(&Laplace, &[1.0, 0.0], &3.0);
/// assert!((v - (-(2f64.ln()) - 2.0)).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Laplace;

#[inline]
fn laplace_ln_density<D: DualNum<f64> + Copy>(mu: D, log_b: D, x: f64) -> D {
    let u = -(mu - x);
    let abs = if u.re() < 0.0 { -u } else { u };
    -(abs * (-log_b).exp()) - log_b - LN_2
}

impl LogDensity<2> for Laplace {
    type Obs = f64;

    fn name(&self) -> String {
        "Laplace".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::identity("mu"), Parameter::log_scale("b")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], x: &f64) -> D {
        laplace_ln_density(theta[0], theta[1], *x)
    }

    /// Per observation: diag(1/b², 1) in (μ, log b).
    fn expected_information(&self, theta: &[f64; 2], _x: &f64) -> Option<SMatrix<f64, 2, 2>> {
        Some(SMatrix::<f64, 2, 2>::new((-2.0 * theta[1]).exp(), 0.0, 0.0, 1.0))
    }
}
