//! Negative binomial (NB2) counts: log mean and log θ as working parameters, Var = μ + μ²/θ
//! (R's `MASS::glm.nb` parameterisation). θ → ∞ is the Poisson limit.

use mle_core::density::ClosedForm;
use mle_core::special::{ln_gamma, trigamma};
use mle_core::{LogDensity, Parameter};
use num_dual::DualNum;
use statrs::function::gamma::{digamma, ln_gamma as ln_gamma_f64};

/// NB2 with working parameters (η, τ) = (log μ, log θ):
/// log p(y) = log Γ(y+θ) − log Γ(θ) − log y! + θ log(θ/(θ+μ)) + y log(μ/(θ+μ)).
///
/// Written as `log Γ(y+θ) − log Γ(θ) − y τ + y η − log y! − (θ+y) log1p(e^{η−τ})`, which
/// stays accurate for θ ≫ μ (no `log θ − log(θ+μ)` cancellation).
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::NegativeBinomial;
/// // θ = 1 is the geometric law with p = 1/(1+μ): P(Y = 2 | μ = 1) = 1/8.
/// let v = NegativeBinomial.ln_density(&[0.0, 0.0], &2.0);
/// assert!((v - 0.125f64.ln()).abs() < 1e-14);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NegativeBinomial;

impl LogDensity<2> for NegativeBinomial {
    type Obs = f64;

    fn name(&self) -> String {
        "negative binomial (NB2)".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::log_scale("mu"), Parameter::log_scale("theta")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        let (eta, tau) = (theta[0], theta[1]);
        let size = tau.exp();
        let y = *y;
        let gamma_ratio = if y == 0.0 {
            D::from(0.0)
        } else {
            ln_gamma(size + y) - ln_gamma(size) - tau * y + eta * y
        };
        gamma_ratio - ln_gamma_f64(y + 1.0) - (size + y) * (eta - tau).exp().ln_1p()
    }

    fn check_observation(&self, y: &f64) -> Result<(), String> {
        if *y >= 0.0 && y.fract() == 0.0 {
            Ok(())
        } else {
            Err(format!(
                "y = {y}, but a negative binomial count must be a non-negative integer"
            ))
        }
    }

    /// μ̂ = ȳ in closed form; θ̂ as the root of the profile score in log θ (1-D Newton).
    /// When the sample variance (divisor n) does not exceed the mean the supremum is the
    /// Poisson limit θ = ∞: reported as a boundary estimate with the Poisson ℓ.
    ///
    /// ```
    /// use mle_core::{density::ClosedForm, LogDensity};
    /// use mle_families::NegativeBinomial;
    /// let under = [1.0, 2.0, 1.0, 2.0];
    /// let Some(ClosedForm::Boundary { theta, .. }) = NegativeBinomial.closed_form(&under, None) else { panic!() };
    /// assert_eq!(theta[1], f64::INFINITY);
    /// ```
    fn closed_form(&self, data: &[f64], weights: Option<&[f64]>) -> Option<ClosedForm> {
        let w = |i: usize| weights.map_or(1.0, |w| w[i]);
        let total: f64 = (0..data.len()).map(w).sum();
        let mean = (0..data.len()).map(|i| w(i) * data[i]).sum::<f64>() / total;
        if mean.is_nan() || mean <= 0.0 {
            return None; // all zeros: μ̂ = 0 is itself on the boundary; let the optimiser say so
        }
        let var = (0..data.len())
            .map(|i| w(i) * (data[i] - mean).powi(2))
            .sum::<f64>()
            / total;
        if var <= mean {
            let log_likelihood = (0..data.len())
                .map(|i| w(i) * (data[i] * mean.ln() - mean - ln_gamma_f64(data[i] + 1.0)))
                .sum();
            return Some(ClosedForm::Boundary {
                theta: vec![mean.ln(), f64::INFINITY],
                log_likelihood,
                formula: "μ̂ = ȳ; sample variance ≤ mean: θ̂ = ∞ (the Poisson limit)".into(),
            });
        }
        let tau = profile_log_theta(data, weights, mean, (mean * mean / (var - mean)).ln())?;
        Some(ClosedForm::Interior {
            theta: vec![mean.ln(), tau],
            formula: "μ̂ = ȳ; θ̂ the root of the profile score (1-D Newton in log θ)".into(),
        })
    }
}

/// Root of Σ wᵢ ∂ℓᵢ/∂ log θ at μ fixed, by Newton in τ = log θ (analytic slope, steps
/// capped at 2); `None` if the slope is not negative or it does not settle in 200 steps.
fn profile_log_theta(data: &[f64], weights: Option<&[f64]>, mu: f64, start: f64) -> Option<f64> {
    // (∂ℓ/∂τ, ∂²ℓ/∂τ²) summed, τ = log θ.
    let score_slope = |tau: f64| -> (f64, f64) {
        let th = tau.exp();
        let (mut s, mut h) = (0.0, 0.0);
        for (i, &y) in data.iter().enumerate() {
            let wi = weights.map_or(1.0, |w| w[i]);
            let (d1, d2) = if y == 0.0 {
                (0.0, 0.0)
            } else {
                (digamma(y + th) - digamma(th), trigamma(y + th) - trigamma(th))
            };
            let g = d1 + (th / (th + mu)).ln() + (mu - y) / (th + mu);
            let g1 = d2 + 1.0 / th - 2.0 / (th + mu) + (th + y) / (th + mu).powi(2);
            s += wi * th * g;
            h += wi * (th * g + th * th * g1);
        }
        (s, h)
    };
    let mut tau = if start.is_finite() { start } else { 0.0 };
    for _ in 0..200 {
        let (s, slope) = score_slope(tau);
        if slope.is_nan() || slope >= 0.0 {
            return None;
        }
        let step = (-s / slope).clamp(-2.0, 2.0);
        tau += step;
        if step.abs() < 1e-13 * tau.abs().max(1.0) {
            return Some(tau);
        }
    }
    None
}
