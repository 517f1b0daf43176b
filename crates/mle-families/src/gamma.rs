//! Gamma responses with mean μ = g⁻¹(η) and shape ν on the log scale (R's `Gamma(link)` with
//! the shape by maximum likelihood, as `MASS::gamma.shape`).

use mle_core::density::ClosedForm;
use mle_core::special::{ln_gamma, trigamma};
use mle_core::{LogDensity, Parameter};
use nalgebra::SMatrix;
use num_dual::DualNum;
use statrs::function::gamma::digamma;

use crate::mean_link::MeanLink;

/// Gamma with working parameters (η, log ν): mean μ = g⁻¹(η), shape ν, Var = μ²/ν.
/// log p(y) = ν log ν − ν log μ − log Γ(ν) + (ν − 1) log y − ν y/μ.
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::{Gamma, MeanLink};
/// // Shape 1 is the exponential with mean μ: log p(2 | μ = 1) = −2.
/// let v = Gamma { link: MeanLink::Log }.ln_density(&[0.0, 0.0], &2.0);
/// assert!((v + 2.0).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gamma {
    /// The link of the mean.
    pub link: MeanLink,
}

impl LogDensity<2> for Gamma {
    type Obs = f64;

    fn name(&self) -> String {
        format!("gamma ({} link)", self.link.name())
    }

    fn parameters(&self) -> Vec<Parameter> {
        let mean = match self.link {
            MeanLink::Log => Parameter::log_scale("mu"),
            other => Parameter::identity(format!("{}_mu", other.name())),
        };
        vec![mean, Parameter::log_scale("shape")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        let (eta, tau) = (theta[0], theta[1]);
        let shape = tau.exp();
        let ln_mu = self.link.ln_mean(eta);
        let inv_mu = (-ln_mu).exp();
        let ln_y = y.ln();
        shape * (tau - ln_mu - inv_mu * *y + ln_y) - ln_gamma(shape) - ln_y
    }

    fn check_observation(&self, y: &f64) -> Result<(), String> {
        if *y > 0.0 {
            Ok(())
        } else {
            Err(format!("y = {y}, but a gamma response must be positive"))
        }
    }

    /// Per observation in (η, log ν): I_ηη = ν (dμ/dη)²/μ², I_{log ν} = ν²ψ′(ν) − ν, no cross
    /// term.
    fn expected_information(&self, theta: &[f64; 2], _y: &f64) -> Option<SMatrix<f64, 2, 2>> {
        let mu = self.link.mean(theta[0]);
        let shape = theta[1].exp();
        let d = self.link.derivative_at_mean(mu) / mu;
        Some(SMatrix::<f64, 2, 2>::new(
            shape * d * d,
            0.0,
            0.0,
            shape * shape * trigamma(shape) - shape,
        ))
    }

    /// μ̂ = ȳ; ν̂ the root of log ν − ψ(ν) = log ȳ − mean(log y) (1-D Newton in log ν);
    /// `None` (the optimiser) if all observations are equal.
    ///
    /// ```
    /// use mle_core::{density::ClosedForm, LogDensity};
    /// use mle_families::Gamma;
    /// let Some(ClosedForm::Interior { theta, .. }) = Gamma::default().closed_form(&[1.0, 2.0, 4.0], None) else { panic!() };
    /// assert!((theta[0].exp() - 7.0 / 3.0).abs() < 1e-14);
    /// ```
    fn closed_form(&self, data: &[f64], weights: Option<&[f64]>) -> Option<ClosedForm> {
        let (mut total, mut sum, mut sum_ln) = (0.0, 0.0, 0.0);
        for (i, &y) in data.iter().enumerate() {
            let w = weights.map_or(1.0, |w| w[i]);
            total += w;
            sum += w * y;
            sum_ln += w * y.ln();
        }
        let mean = sum / total;
        let gap = mean.ln() - sum_ln / total; // log ν − ψ(ν) = gap > 0
        if gap.is_nan() || gap <= 0.0 {
            return None;
        }
        // Newton in τ = log ν on h(τ) = log ν − ψ(ν) − gap, decreasing in τ.
        let mut tau = ((3.0 - gap + ((gap - 3.0).powi(2) + 24.0 * gap).sqrt()) / (12.0 * gap)).ln();
        for _ in 0..100 {
            let nu = tau.exp();
            let h = nu.ln() - digamma(nu) - gap;
            let slope = 1.0 - nu * trigamma(nu);
            let step = (-h / slope).clamp(-2.0, 2.0);
            tau += step;
            if step.abs() < 1e-14 * tau.abs().max(1.0) {
                return Some(ClosedForm::Interior {
                    theta: vec![self.link.link(mean), tau],
                    formula: "μ̂ = ȳ; ν̂: log ν − ψ(ν) = log ȳ − mean(log y) (1-D Newton)".into(),
                });
            }
        }
        None
    }
}
