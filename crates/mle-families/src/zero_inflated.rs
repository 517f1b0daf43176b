//! Zero-inflated counts, as `pscl::zeroinfl`: with probability π a structural zero, otherwise
//! a Poisson or NB2 count; working parameters log μ (count), logit π (zero) and, for the
//! negative binomial, log θ.

use mle_core::numerics::{log_sigmoid, log_sum_exp};
use mle_core::{LogDensity, Parameter};
use num_dual::DualNum;

use crate::{NegativeBinomial, Poisson};

fn check_count(y: &f64) -> Result<(), String> {
    if *y >= 0.0 && y.fract() == 0.0 {
        Ok(())
    } else {
        Err(format!("y = {y}, but a count must be a non-negative integer"))
    }
}

/// Mixes a count log-density with structural zeros: log(π + (1−π)p(0)) at 0,
/// log(1−π) + log p(y) above.
#[inline]
fn inflate<D: DualNum<f64> + Copy>(logit_pi: D, ln_count: D, y: f64) -> D {
    let ln_not_zero = log_sigmoid(-logit_pi);
    if y == 0.0 {
        log_sum_exp(&[log_sigmoid(logit_pi), ln_not_zero + ln_count])
    } else {
        ln_not_zero + ln_count
    }
}

/// Zero-inflated Poisson: parameters (log μ, logit π).
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::ZeroInflatedPoisson;
/// // π = ½, μ = 1: P(0) = ½ + ½e⁻¹, P(1) = ½e⁻¹.
/// let zip = ZeroInflatedPoisson;
/// assert!((zip.ln_density(&[0.0, 0.0], &0.0) - (0.5 + 0.5 * (-1f64).exp()).ln()).abs() < 1e-15);
/// assert!((zip.ln_density(&[0.0, 0.0], &1.0) - (0.5 * (-1f64).exp()).ln()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ZeroInflatedPoisson;

impl LogDensity<2> for ZeroInflatedPoisson {
    type Obs = f64;

    fn name(&self) -> String {
        "zero-inflated Poisson".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::log_scale("mu"), Parameter::logit_scale("zero")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        inflate(theta[1], Poisson.ln_density(&theta[..1], y), *y)
    }

    fn check_observation(&self, y: &f64) -> Result<(), String> {
        check_count(y)
    }
}

/// Zero-inflated NB2: parameters (log μ, logit π, log θ).
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::{NegativeBinomial, ZeroInflatedNegativeBinomial};
/// // π → 0 is the negative binomial itself.
/// let a = ZeroInflatedNegativeBinomial.ln_density(&[0.3, -40.0, 0.5], &2.0);
/// let b = NegativeBinomial.ln_density(&[0.3, 0.5], &2.0);
/// assert!((a - b).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ZeroInflatedNegativeBinomial;

impl LogDensity<3> for ZeroInflatedNegativeBinomial {
    type Obs = f64;

    fn name(&self) -> String {
        "zero-inflated negative binomial (NB2)".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![
            Parameter::log_scale("mu"),
            Parameter::logit_scale("zero"),
            Parameter::log_scale("theta"),
        ]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        inflate(
            theta[1],
            NegativeBinomial.ln_density(&[theta[0], theta[2]], y),
            *y,
        )
    }

    fn check_observation(&self, y: &f64) -> Result<(), String> {
        check_count(y)
    }
}
