//! The registry of regression families a formula fit knows by name (`--family NAME`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};

/// A regression family fitted from a formula, by the name R users know.
///
/// ```
/// use mle_data::Family;
/// assert_eq!("binomial".parse::<Family>().unwrap(), Family::Binomial);
/// assert_eq!("gamma".parse::<Family>().unwrap(), Family::Gamma);
/// assert_eq!("glm.nb".parse::<Family>().unwrap(), Family::NegativeBinomial);
/// assert_eq!(Family::StudentT.to_string(), "student-t");
/// let e = "tweedie".parse::<Family>().unwrap_err();
/// assert!(e.to_string().contains("gaussian, binomial, poisson"), "{e}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Normal errors, identity link: least squares by QR (`lm`); with a `|` part the
    /// heteroscedastic model log σ = Zγ.
    Gaussian,
    /// A 0/1 response, `cbind(successes, failures)`, or a proportion with `weights` = trials
    /// (`glm(..., binomial(link))`; links logit, probit, cloglog).
    Binomial,
    /// Counts, log link (`glm(..., poisson)`).
    Poisson,
    /// A factor response with 2 to 16 classes, baseline-category logits (`nnet::multinom`).
    Multinomial,
    /// Student-t errors with the degrees of freedom estimated.
    StudentT,
    /// Linear quantile regression at `tau` (`quantreg::rq`).
    Quantile,
    /// NB2 counts, log link, θ estimated (`MASS::glm.nb`; reported as `log(theta)`).
    NegativeBinomial,
    /// Positive responses, gamma errors with the shape by ML (`glm(..., Gamma(link))`;
    /// links inverse, log).
    Gamma,
    /// Positive responses, inverse Gaussian errors with the dispersion by ML
    /// (`glm(..., inverse.gaussian(link))`; links 1/mu^2, log).
    InverseGaussian,
    /// `Surv(time, status)`: Weibull AFT (`survreg(..., dist = "weibull")`).
    Weibull,
    /// `Surv(time, status)`: exponential AFT (`dist = "exponential"`).
    Exponential,
    /// `Surv(time, status)`: log-normal AFT (`dist = "lognormal"`).
    Lognormal,
    /// `Surv(time, status)`: log-logistic AFT (`dist = "loglogistic"`).
    Loglogistic,
    /// Zero-inflated Poisson, `y ~ count terms | zero terms` (`pscl::zeroinfl(dist = "poisson")`).
    Zip,
    /// Zero-inflated NB2 (`pscl::zeroinfl(dist = "negbin")`).
    Zinb,
    /// An ordered factor response, cumulative link (`MASS::polr`; links logit, probit, cloglog).
    Ordinal,
}

/// Every registered family, in the order the error message lists them.
pub const FAMILIES: [Family; 16] = [
    Family::Gaussian,
    Family::Binomial,
    Family::Poisson,
    Family::Multinomial,
    Family::StudentT,
    Family::Quantile,
    Family::NegativeBinomial,
    Family::Gamma,
    Family::InverseGaussian,
    Family::Weibull,
    Family::Exponential,
    Family::Lognormal,
    Family::Loglogistic,
    Family::Zip,
    Family::Zinb,
    Family::Ordinal,
];

impl Family {
    /// The family's name (what [`FromStr`] accepts).
    pub fn name(self) -> &'static str {
        match self {
            Family::Gaussian => "gaussian",
            Family::Binomial => "binomial",
            Family::Poisson => "poisson",
            Family::Multinomial => "multinomial",
            Family::StudentT => "student-t",
            Family::Quantile => "quantile",
            Family::NegativeBinomial => "negative-binomial",
            Family::Gamma => "gamma",
            Family::InverseGaussian => "inverse-gaussian",
            Family::Weibull => "weibull",
            Family::Exponential => "exponential",
            Family::Lognormal => "lognormal",
            Family::Loglogistic => "loglogistic",
            Family::Zip => "zip",
            Family::Zinb => "zinb",
            Family::Ordinal => "ordinal",
        }
    }

    /// The links the family can be fitted with, the default (R's) first.
    ///
    /// ```
    /// assert_eq!(mle_data::Family::Gamma.links(), ["inverse", "log"]);
    /// ```
    pub fn links(self) -> &'static [&'static str] {
        match self {
            Family::Binomial => &["logit", "probit", "cloglog"],
            Family::Ordinal => &["logit", "probit", "cloglog"],
            Family::Multinomial => &["logit"],
            Family::Poisson | Family::NegativeBinomial | Family::Zip | Family::Zinb => &["log"],
            Family::Weibull | Family::Exponential | Family::Lognormal | Family::Loglogistic => &["log"],
            Family::Gamma => &["inverse", "log"],
            Family::InverseGaussian => &["1/mu^2", "log"],
            Family::Gaussian | Family::StudentT | Family::Quantile => &["identity"],
        }
    }

    /// The link the family is fitted with when none is given (R's default).
    ///
    /// ```
    /// assert_eq!(mle_data::Family::Poisson.default_link(), "log");
    /// ```
    pub fn default_link(self) -> &'static str {
        self.links()[0]
    }

    /// Checks a `--link` choice against [`Family::links`]; another is a typed
    /// [`DataError::NotSupported`] listing the choices.
    ///
    /// ```
    /// use mle_data::Family;
    /// assert!(Family::Binomial.check_link("probit").is_ok());
    /// assert!(Family::Gamma.check_link("identity").unwrap_err().to_string().contains("inverse, log"));
    /// ```
    pub fn check_link(self, link: &str) -> Result<()> {
        if self.links().contains(&link) {
            Ok(())
        } else {
            Err(DataError::NotSupported {
                what: format!(
                    "the {link} link for the {} family (links: {})",
                    self.name(),
                    self.links().join(", ")
                ),
            })
        }
    }

    /// Whether the response is `Surv(time, status)` (the AFT families).
    ///
    /// ```
    /// use mle_data::Family;
    /// assert!(Family::Weibull.is_survival() && !Family::Gamma.is_survival());
    /// ```
    pub fn is_survival(self) -> bool {
        matches!(
            self,
            Family::Weibull | Family::Exponential | Family::Lognormal | Family::Loglogistic
        )
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Family {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Family> {
        let lower = s.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "normal" | "lm" => "gaussian",
            "logistic" | "logit" => "binomial",
            "t" | "student_t" | "studentt" => "student-t",
            "rq" => "quantile",
            "negbin" | "nb" | "nb2" | "glm.nb" | "negative_binomial" | "negativebinomial" => {
                "negative-binomial"
            }
            "inverse.gaussian" | "inverse_gaussian" | "inversegaussian" | "ig" => "inverse-gaussian",
            "log-normal" => "lognormal",
            "log-logistic" => "loglogistic",
            "polr" => "ordinal",
            other => other,
        };
        FAMILIES
            .into_iter()
            .find(|f| f.name() == alias)
            .ok_or_else(|| DataError::UnknownFamily {
                name: s.to_string(),
                known: FAMILIES.iter().map(|f| f.name().to_string()).collect(),
            })
    }
}
