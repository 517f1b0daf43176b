//! The GLM quantities of a mean model (link, variance function, unit deviance), as R's
//! `family` objects: `linkinv`, `mu.eta`, `variance`, `dev.resids`.

use mle_families::normal_cdf::ln_normal_cdf;

use crate::error::{DataError, Result};

/// A link g with μ = g⁻¹(η).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    Identity,
    Logit,
    Probit,
    Cloglog,
    Log,
    Inverse,
    InverseSquare,
}

fn normal_density(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

impl Link {
    /// The link by R's name.
    pub(crate) fn from_name(name: &str) -> Result<Link> {
        Ok(match name {
            "identity" => Link::Identity,
            "logit" => Link::Logit,
            "probit" => Link::Probit,
            "cloglog" => Link::Cloglog,
            "log" => Link::Log,
            "inverse" => Link::Inverse,
            "1/mu^2" => Link::InverseSquare,
            other => {
                return Err(DataError::NotSupported {
                    what: format!("the link `{other}`"),
                })
            }
        })
    }

    /// μ = g⁻¹(η).
    pub(crate) fn inverse(self, eta: f64) -> f64 {
        match self {
            Link::Identity => eta,
            Link::Logit => 1.0 / (1.0 + (-eta).exp()),
            Link::Probit => ln_normal_cdf(eta).exp(),
            Link::Cloglog => -(-eta.exp()).exp_m1(),
            Link::Log => eta.exp(),
            Link::Inverse => 1.0 / eta,
            Link::InverseSquare => 1.0 / eta.sqrt(),
        }
    }

    /// Whether μ decreases in η (inverse links: confidence limits swap).
    pub(crate) fn decreasing(self) -> bool {
        matches!(self, Link::Inverse | Link::InverseSquare)
    }

    /// dμ/dη at η.
    pub(crate) fn mu_eta(self, eta: f64) -> f64 {
        match self {
            Link::Identity => 1.0,
            Link::Logit => {
                let p = self.inverse(eta);
                p * (1.0 - p)
            }
            Link::Probit => normal_density(eta),
            Link::Cloglog => (eta - eta.exp()).exp(),
            Link::Log => eta.exp(),
            Link::Inverse => -1.0 / (eta * eta),
            Link::InverseSquare => -0.5 * eta.powf(-1.5),
        }
    }
}

/// The variance function V(μ) and unit deviance of a family.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Variance {
    Gaussian,
    Binomial,
    Poisson,
    /// NB2 with θ.
    NegativeBinomial(f64),
    Gamma,
    InverseGaussian,
}

impl Variance {
    pub(crate) fn variance(self, mu: f64) -> f64 {
        match self {
            Variance::Gaussian => 1.0,
            Variance::Binomial => mu * (1.0 - mu),
            Variance::Poisson => mu,
            Variance::NegativeBinomial(theta) => mu + mu * mu / theta,
            Variance::Gamma => mu * mu,
            Variance::InverseGaussian => mu * mu * mu,
        }
    }

    /// Unit deviance (without the weight), as R's `dev.resids` with weight 1.
    pub(crate) fn unit_deviance(self, y: f64, mu: f64) -> f64 {
        let ylog = |a: f64, b: f64| if a == 0.0 { 0.0 } else { a * (a / b).ln() };
        match self {
            Variance::Gaussian => (y - mu) * (y - mu),
            Variance::Binomial => 2.0 * (ylog(y, mu) + ylog(1.0 - y, 1.0 - mu)),
            Variance::Poisson => 2.0 * (ylog(y, mu) - (y - mu)),
            Variance::NegativeBinomial(theta) => {
                2.0 * (ylog(y, mu) - (y + theta) * ((y + theta) / (mu + theta)).ln())
            }
            Variance::Gamma => -2.0 * ((y / mu).ln() - (y - mu) / mu),
            Variance::InverseGaussian => (y - mu) * (y - mu) / (y * mu * mu),
        }
    }
}

/// A GLM mean model: link and variance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Glm {
    pub(crate) link: Link,
    pub(crate) variance: Variance,
}

impl Glm {
    pub(crate) fn link_inverse(self, eta: f64) -> f64 {
        self.link.inverse(eta)
    }

    pub(crate) fn mu_eta(self, eta: f64) -> f64 {
        self.link.mu_eta(eta)
    }

    pub(crate) fn variance(self, mu: f64) -> f64 {
        self.variance.variance(mu)
    }

    pub(crate) fn unit_deviance(self, y: f64, mu: f64) -> f64 {
        self.variance.unit_deviance(y, mu)
    }

    /// Whether the deviance is a likelihood-ratio statistic with dispersion 1 (binomial,
    /// Poisson) or the Gaussian RSS: anova and drop1 by deviances, as R's `anova.glm`.
    pub(crate) fn deviance_tests(self) -> bool {
        matches!(
            self.variance,
            Variance::Gaussian | Variance::Binomial | Variance::Poisson
        )
    }
}
