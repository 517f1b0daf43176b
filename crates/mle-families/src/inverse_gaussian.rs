//! Inverse Gaussian responses with mean μ = g⁻¹(η) and dispersion φ on the log scale (R's
//! `inverse.gaussian(link)`, dispersion by maximum likelihood).

use mle_core::density::ClosedForm;
use mle_core::{LogDensity, Parameter};
use nalgebra::SMatrix;
use num_dual::DualNum;

use crate::mean_link::MeanLink;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Inverse Gaussian with working parameters (η, log φ): Var = φμ³.
/// log p(y) = −½ (log 2π + log φ + 3 log y) − (y − μ)²/(2φμ²y).
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::{InverseGaussian, MeanLink};
/// // At y = μ = φ = 1: −½ log 2π.
/// let v = InverseGaussian { link: MeanLink::Log }.ln_density(&[0.0, 0.0], &1.0);
/// assert!((v + 0.5 * (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InverseGaussian {
    /// The link of the mean.
    pub link: MeanLink,
}

impl LogDensity<2> for InverseGaussian {
    type Obs = f64;

    fn name(&self) -> String {
        format!("inverse Gaussian ({} link)", self.link.name())
    }

    fn parameters(&self) -> Vec<Parameter> {
        let mean = match self.link {
            MeanLink::Log => Parameter::log_scale("mu"),
            other => Parameter::identity(format!("{}_mu", other.name())),
        };
        vec![mean, Parameter::log_scale("dispersion")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        let (eta, tau) = (theta[0], theta[1]);
        let mu = self.link.mean(eta);
        let r = (mu - *y) / mu;
        -(tau + LN_2PI + 3.0 * y.ln()) * 0.5 - r * r * (-tau).exp() / (2.0 * *y)
    }

    fn check_observation(&self, y: &f64) -> Result<(), String> {
        if *y > 0.0 {
            Ok(())
        } else {
            Err(format!(
                "y = {y}, but an inverse Gaussian response must be positive"
            ))
        }
    }

    /// Per observation in (η, log φ): I_ηη = (dμ/dη)²/(φμ³), I_{log φ} = ½, no cross term.
    fn expected_information(&self, theta: &[f64; 2], _y: &f64) -> Option<SMatrix<f64, 2, 2>> {
        let mu = self.link.mean(theta[0]);
        let d = self.link.derivative_at_mean(mu);
        Some(SMatrix::<f64, 2, 2>::new(
            d * d * (-theta[1]).exp() / (mu * mu * mu),
            0.0,
            0.0,
            0.5,
        ))
    }

    /// μ̂ = ȳ, φ̂ = mean(1/y) − 1/ȳ; `None` if φ̂ is not positive (all equal).
    ///
    /// ```
    /// use mle_core::{density::ClosedForm, LogDensity};
    /// use mle_families::InverseGaussian;
    /// let Some(ClosedForm::Interior { theta, .. }) = InverseGaussian::default().closed_form(&[1.0, 2.0, 4.0], None) else { panic!() };
    /// assert!((theta[1].exp() - (7.0 / 12.0 - 3.0 / 7.0)).abs() < 1e-15);
    /// ```
    fn closed_form(&self, data: &[f64], weights: Option<&[f64]>) -> Option<ClosedForm> {
        let (mut total, mut sum, mut sum_inv) = (0.0, 0.0, 0.0);
        for (i, &y) in data.iter().enumerate() {
            let w = weights.map_or(1.0, |w| w[i]);
            total += w;
            sum += w * y;
            sum_inv += w / y;
        }
        let mean = sum / total;
        let dispersion = sum_inv / total - 1.0 / mean;
        if dispersion.is_nan() || dispersion <= 0.0 {
            return None;
        }
        Some(ClosedForm::Interior {
            theta: vec![self.link.link(mean), dispersion.ln()],
            formula: "μ̂ = ȳ, φ̂ = mean(1/y) − 1/ȳ".into(),
        })
    }
}
