//! Links for a positive mean μ (gamma, inverse Gaussian): log, inverse, inverse square.

use mle_core::MleError;
use num_dual::DualNum;

/// η = g(μ) for a positive mean.
///
/// ```
/// use mle_families::MeanLink;
/// assert_eq!(MeanLink::from_name("1/mu^2").unwrap(), MeanLink::InverseSquare);
/// assert!((MeanLink::Inverse.mean(0.5f64) - 2.0).abs() < 1e-15);
/// assert!(MeanLink::from_name("sqrt").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MeanLink {
    /// η = log μ.
    #[default]
    Log,
    /// η = 1/μ (the gamma's canonical link); η must stay positive.
    Inverse,
    /// η = 1/μ² (the inverse Gaussian's canonical link); η must stay positive.
    InverseSquare,
}

impl MeanLink {
    /// The link by R's name: `log`, `inverse`, `1/mu^2`.
    pub fn from_name(name: &str) -> Result<Self, MleError> {
        match name {
            "log" => Ok(MeanLink::Log),
            "inverse" => Ok(MeanLink::Inverse),
            "1/mu^2" => Ok(MeanLink::InverseSquare),
            other => Err(MleError::UnknownName {
                what: "link for a positive mean",
                name: other.to_string(),
                choices: "log, inverse, 1/mu^2",
            }),
        }
    }

    /// R's name.
    pub fn name(self) -> &'static str {
        match self {
            MeanLink::Log => "log",
            MeanLink::Inverse => "inverse",
            MeanLink::InverseSquare => "1/mu^2",
        }
    }

    /// μ = g⁻¹(η) (NaN when an inverse link's η is not positive).
    #[inline]
    pub fn mean<D: DualNum<f64> + Copy>(self, eta: D) -> D {
        match self {
            MeanLink::Log => eta.exp(),
            _ if eta.re() <= 0.0 => D::from(f64::NAN),
            MeanLink::Inverse => eta.recip(),
            MeanLink::InverseSquare => eta.sqrt().recip(),
        }
    }

    /// log μ at η (exact for the log link: η itself).
    #[inline]
    pub fn ln_mean<D: DualNum<f64> + Copy>(self, eta: D) -> D {
        match self {
            MeanLink::Log => eta,
            _ if eta.re() <= 0.0 => D::from(f64::NAN),
            MeanLink::Inverse => -eta.ln(),
            MeanLink::InverseSquare => -eta.ln() * 0.5,
        }
    }

    /// η = g(μ).
    ///
    /// ```
    /// use mle_families::MeanLink;
    /// for link in [MeanLink::Log, MeanLink::Inverse, MeanLink::InverseSquare] {
    ///     assert!((link.mean(link.link(3.0)) - 3.0).abs() < 1e-14);
    /// }
    /// ```
    pub fn link(self, mu: f64) -> f64 {
        match self {
            MeanLink::Log => mu.ln(),
            MeanLink::Inverse => 1.0 / mu,
            MeanLink::InverseSquare => 1.0 / (mu * mu),
        }
    }

    /// dμ/dη expressed through μ.
    pub fn derivative_at_mean(self, mu: f64) -> f64 {
        match self {
            MeanLink::Log => mu,
            MeanLink::Inverse => -mu * mu,
            MeanLink::InverseSquare => -0.5 * mu * mu * mu,
        }
    }
}
