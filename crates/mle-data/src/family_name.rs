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
/// assert_eq!(Family::StudentT.to_string(), "student-t");
/// let e = "gamma".parse::<Family>().unwrap_err();
/// assert!(e.to_string().contains("gaussian, binomial, poisson"), "{e}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Normal errors, identity link: least squares by QR (`lm`); with a `|` part the
    /// heteroscedastic model log σ = Zγ.
    Gaussian,
    /// 0/1 response, logit link (`glm(..., binomial)`).
    Binomial,
    /// Counts, log link (`glm(..., poisson)`).
    Poisson,
    /// A factor response with 2 to 16 classes, baseline-category logits (`nnet::multinom`).
    Multinomial,
    /// Student-t errors with the degrees of freedom estimated.
    StudentT,
    /// Linear quantile regression at `tau` (`quantreg::rq`).
    Quantile,
}

/// Every registered family, in the order the error message lists them.
pub const FAMILIES: [Family; 6] = [
    Family::Gaussian,
    Family::Binomial,
    Family::Poisson,
    Family::Multinomial,
    Family::StudentT,
    Family::Quantile,
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
        }
    }

    /// The link the family is fitted with (the canonical one).
    ///
    /// ```
    /// assert_eq!(mle_data::Family::Poisson.default_link(), "log");
    /// ```
    pub fn default_link(self) -> &'static str {
        match self {
            Family::Binomial | Family::Multinomial => "logit",
            Family::Poisson => "log",
            Family::Gaussian | Family::StudentT | Family::Quantile => "identity",
        }
    }

    /// Checks a `--link` choice: only the default link is implemented; another is a typed
    /// [`DataError::NotSupported`].
    ///
    /// ```
    /// use mle_data::Family;
    /// assert!(Family::Binomial.check_link("logit").is_ok());
    /// assert!(Family::Binomial.check_link("probit").unwrap_err().to_string().contains("not yet supported"));
    /// ```
    pub fn check_link(self, link: &str) -> Result<()> {
        if link == self.default_link() {
            Ok(())
        } else {
            Err(DataError::NotSupported {
                what: format!(
                    "the {link} link for the {} family (only {} is implemented)",
                    self.name(),
                    self.default_link()
                ),
            })
        }
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
