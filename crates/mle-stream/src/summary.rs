//! A streamed fit's answers in the in-memory fit's shapes: the CLI's JSON summary
//! ([`FitSummary`]) and the saved model ([`SavedModel`], so `mle predict` applies a streamed
//! fit to new data exactly as an in-memory one).

use mle_data::{coefficient_rows, extra_rows, Family, FitSummary, ResponseSpec, SavedModel};

use crate::error::Result;
use crate::fit::StreamFit;
use crate::model::StreamFamily;

impl StreamFamily {
    /// The family by the name the in-memory formula fit and the CLI use.
    ///
    /// ```
    /// use mle_stream::StreamFamily;
    /// assert_eq!(StreamFamily::NegativeBinomial.formula_family(), mle_data::Family::NegativeBinomial);
    /// ```
    pub fn formula_family(self) -> Family {
        match self {
            StreamFamily::Binomial => Family::Binomial,
            StreamFamily::Poisson => Family::Poisson,
            StreamFamily::Gaussian => Family::Gaussian,
            StreamFamily::NegativeBinomial => Family::NegativeBinomial,
        }
    }
}

impl StreamFit {
    /// The summary in the CLI's JSON shape. The residual deviance is given where it is a
    /// function of the fitted ℓ alone — binomial 0/1: −2ℓ̂ (the saturated ℓ is 0); Gaussian:
    /// the RSS nσ̂² — and is `None` (null) where it needs another pass (Poisson, negative
    /// binomial: the saturated ℓ), as is the null deviance (a second fit).
    pub fn summary(&self, level: f64) -> Result<FitSummary> {
        let fit = &self.fit;
        let p = self.spec.column_names().len();
        let finite = |x: f64| x.is_finite().then_some(x);
        let deviance = match self.family {
            StreamFamily::Binomial => finite(-2.0 * fit.log_likelihood()),
            StreamFamily::Gaussian => {
                finite(fit.n_obs() as f64 * (2.0 * fit.estimates()[fit.estimates().len() - 1]).exp())
            }
            StreamFamily::Poisson | StreamFamily::NegativeBinomial => None,
        };
        let mut diagnostics: Vec<String> = fit.diagnostics().iter().map(|d| d.to_string()).collect();
        if self.n_dropped > 0 {
            diagnostics.push(format!(
                "{} row(s) with missing values dropped (na.omit)",
                self.n_dropped
            ));
        }
        if !fit.convergence().converged() {
            diagnostics.push(format!("not converged: {}", fit.convergence().reason()));
        }
        Ok(FitSummary {
            family: self.family.formula_family().name().to_string(),
            formula: self.spec.formula().to_string(),
            n: fit.n_obs(),
            loglik: finite(fit.log_likelihood()),
            aic: finite(fit.aic()),
            bic: finite(fit.bic()),
            deviance,
            null_deviance: None,
            // R's df.residual: n − p for these GLMs (θ of glm.nb not counted).
            df_residual: Some(fit.n_obs() as f64 - p as f64),
            converged: fit.convergence().converged(),
            coefficients: coefficient_rows(fit, p, level, false)?,
            extra_parameters: extra_rows(fit, p, false),
            diagnostics,
        })
    }

    /// The fit as a saved model (`mle fit --streaming --save`): the spec with the levels of
    /// every row group, estimates and covariance; read back by [`SavedModel::from_json`].
    pub fn saved_model(&self) -> SavedModel {
        let fit = &self.fit;
        let family = self.family.formula_family();
        let response_levels = match self.spec.response() {
            Some(ResponseSpec::Factor { levels, .. }) => Some(levels.clone()),
            _ => None,
        };
        let mut saved = SavedModel::from_estimate(
            family,
            family.default_link(),
            &self.spec,
            fit,
            self.spec.column_names().len(),
        );
        saved.response_levels = response_levels;
        saved
    }
}
