//! Residuals of the AFT survival fits as `residuals.survreg` defines them: with
//! z = (log t − η̂)/σ̂ and gᵢ the log density of z over σ (an event) or its log survival
//! (right-censored) on the log-time scale,
//! * working: −(∂g/∂η)/(∂²g/∂η²) = σ g_z / g_zz;
//! * deviance: sign(working)·√(2(ĝᵢ − gᵢ)), ĝᵢ the saturated maximum (an event: weibull
//!   −(1 + log σ), lognormal −log(√(2π)σ), loglogistic −log(4σ); censored: 0);
//! * response: t − exp(η̂).

use statrs::distribution::{ContinuousCDF, Normal};

use crate::answers::ResidualType;
use crate::error::{DataError, Result};
use crate::family_name::Family;
use crate::formula_fit::FormulaFit;

/// g, g_z and g_zz on the standard scale of an event (`event`) or a right-censored time.
fn log_terms(family: Family, z: f64, event: bool) -> (f64, f64, f64) {
    match (family, event) {
        (Family::Lognormal, true) => (-0.5 * z * z - 0.5 * (2.0 * std::f64::consts::PI).ln(), -z, -1.0),
        (Family::Lognormal, false) => {
            let normal = Normal::standard();
            let (ln_s, ln_phi) = (
                normal.sf(z).ln(),
                -0.5 * z * z - 0.5 * (2.0 * std::f64::consts::PI).ln(),
            );
            let lambda = (ln_phi - ln_s).exp();
            (ln_s, -lambda, -lambda * (lambda - z))
        }
        (Family::Loglogistic, true) => {
            let f = 1.0 / (1.0 + (-z).exp());
            (z - 2.0 * softplus(z), 1.0 - 2.0 * f, -2.0 * f * (1.0 - f))
        }
        (Family::Loglogistic, false) => {
            let f = 1.0 / (1.0 + (-z).exp());
            (-softplus(z), -f, -f * (1.0 - f))
        }
        // Weibull and exponential: the extreme-value (minimum) distribution.
        (_, true) => (z - z.exp(), 1.0 - z.exp(), -z.exp()),
        (_, false) => (-z.exp(), -z.exp(), -z.exp()),
    }
}

/// log(1 + eᶻ) without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// The saturated log density of an event on the log-time scale (censored: 0).
fn saturated(family: Family, sigma: f64) -> f64 {
    match family {
        Family::Lognormal => -(2.0 * std::f64::consts::PI).sqrt().ln() - sigma.ln(),
        Family::Loglogistic => -(4.0 * sigma).ln(),
        _ => -(1.0 + sigma.ln()),
    }
}

impl FormulaFit {
    /// Residuals of a survival fit (`residuals(survreg, type)`: response, deviance, working).
    pub(crate) fn survival_residuals(&self, kind: ResidualType) -> Result<Vec<f64>> {
        let eta = self.linear_predictor()?;
        let pairs = self
            .data
            .pairs
            .as_deref()
            .ok_or_else(|| DataError::NotSupported {
                what: format!(
                    "residuals of a {} fit without its Surv(time, status) response",
                    self.family
                ),
            })?;
        if kind == ResidualType::Response {
            return Ok(pairs.iter().zip(&eta).map(|(&(t, _), e)| t - e.exp()).collect());
        }
        if kind == ResidualType::Pearson {
            return Err(DataError::NotSupported {
                what: format!(
                    "pearson residuals for the {} family (residuals.survreg defines response, deviance, working)",
                    self.family
                ),
            });
        }
        let p = self.frame.design.ncols();
        let sigma = match self.family {
            Family::Exponential => 1.0,
            _ => self.fit.estimates()[p].exp(),
        };
        Ok(pairs
            .iter()
            .zip(&eta)
            .map(|(&(t, status), &e)| {
                let event = status == 1.0;
                let z = (t.ln() - e) / sigma;
                let (g, g_z, g_zz) = log_terms(self.family, z, event);
                let working = sigma * g_z / g_zz;
                if kind == ResidualType::Working {
                    return working;
                }
                let (g, best) = if event {
                    (g - sigma.ln(), saturated(self.family, sigma))
                } else {
                    (g, 0.0)
                };
                working.signum() * (2.0 * (best - g)).max(0.0).sqrt()
            })
            .collect())
    }
}
