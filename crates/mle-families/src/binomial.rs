//! Binomial counts with trials, `(successes, trials)`, with the logit, probit or
//! complementary log-log link (R's `glm(cbind(s, n − s) ~ …, binomial(link))`); trials = 1
//! is a 0/1 response.

use mle_core::density::ClosedForm;
use mle_core::numerics::log_sigmoid;
use mle_core::transform::sigmoid;
use mle_core::{LogDensity, MleError, Parameter, Transform};
use nalgebra::SMatrix;
use num_dual::DualNum;
use statrs::function::gamma::ln_gamma;

use crate::normal_cdf::ln_normal_cdf;

/// The link g(p) = η of a binomial probability.
///
/// ```
/// use mle_families::BinomialLink;
/// assert_eq!(BinomialLink::from_name("cloglog").unwrap(), BinomialLink::Cloglog);
/// assert!(BinomialLink::from_name("cauchit").is_err());
/// assert!((BinomialLink::Probit.inverse(0.0) - 0.5).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BinomialLink {
    /// log(p/(1−p)) (canonical: observed = expected information).
    #[default]
    Logit,
    /// Φ⁻¹(p).
    Probit,
    /// log(−log(1−p)).
    Cloglog,
}

impl BinomialLink {
    /// The link by R's name: `logit`, `probit`, `cloglog`.
    pub fn from_name(name: &str) -> Result<Self, MleError> {
        match name {
            "logit" => Ok(BinomialLink::Logit),
            "probit" => Ok(BinomialLink::Probit),
            "cloglog" => Ok(BinomialLink::Cloglog),
            other => Err(MleError::UnknownName {
                what: "binomial link",
                name: other.to_string(),
                choices: "logit, probit, cloglog",
            }),
        }
    }

    /// R's name of the link.
    pub fn name(self) -> &'static str {
        match self {
            BinomialLink::Logit => "logit",
            BinomialLink::Probit => "probit",
            BinomialLink::Cloglog => "cloglog",
        }
    }

    /// (log p, log(1 − p)) at η, stable in both tails.
    #[inline]
    pub fn ln_probabilities<D: DualNum<f64> + Copy>(self, eta: D) -> (D, D) {
        match self {
            BinomialLink::Logit => (log_sigmoid(eta), log_sigmoid(-eta)),
            BinomialLink::Probit => (ln_normal_cdf(eta), ln_normal_cdf(-eta)),
            BinomialLink::Cloglog => {
                let e = eta.exp();
                ((-(-e).exp_m1()).ln(), -e)
            }
        }
    }

    /// p = g⁻¹(η).
    pub fn inverse(self, eta: f64) -> f64 {
        self.ln_probabilities(eta).0.exp()
    }

    /// η = g(p) for 0 < p < 1.
    ///
    /// ```
    /// use mle_families::BinomialLink;
    /// for link in [BinomialLink::Logit, BinomialLink::Probit, BinomialLink::Cloglog] {
    ///     assert!((link.inverse(link.link(0.3)) - 0.3).abs() < 1e-12);
    /// }
    /// ```
    pub fn link(self, p: f64) -> f64 {
        match self {
            BinomialLink::Logit => (p / (1.0 - p)).ln(),
            BinomialLink::Probit => probit(p),
            BinomialLink::Cloglog => (-(-p).ln_1p()).ln(),
        }
    }

    /// dp/dη at η.
    fn derivative(self, eta: f64) -> f64 {
        match self {
            BinomialLink::Logit => {
                let p = sigmoid(eta);
                p * (1.0 - p)
            }
            BinomialLink::Probit => (-0.5 * eta * eta).exp() / (2.0 * std::f64::consts::PI).sqrt(),
            BinomialLink::Cloglog => (eta - eta.exp()).exp(),
        }
    }
}

/// Φ⁻¹(p) by Newton on log Φ from a logistic start (used for starting values only).
fn probit(p: f64) -> f64 {
    let mut x = 1.702f64.recip() * (p / (1.0 - p)).ln();
    for _ in 0..50 {
        let f = crate::normal_cdf::ln_normal_cdf(num_dual::Dual64::from_re(x).derivative());
        let step = (f.re - p.ln()) / f.eps;
        x -= step;
        if step.abs() < 1e-14 * x.abs().max(1.0) {
            break;
        }
    }
    x
}

/// Binomial with trials: observation `(successes, trials)`, working parameter η = g(p).
/// log p(s | n, η) = log C(n, s) + s log p + (n − s) log(1 − p).
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::{Binomial, BinomialLink};
/// // P(S = 1 | n = 2, p = ½) = ½ under every link at its own η.
/// for link in [BinomialLink::Logit, BinomialLink::Probit, BinomialLink::Cloglog] {
///     let eta = link.link(0.5);
///     assert!((Binomial { link }.ln_density(&[eta], &(1.0, 2.0)) - 0.5f64.ln()).abs() < 1e-12);
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Binomial {
    /// The link.
    pub link: BinomialLink,
}

impl Binomial {
    /// 0/1 responses as `(y, 1)` observations.
    ///
    /// ```
    /// assert_eq!(mle_families::Binomial::binary_trials(&[0.0, 1.0]), vec![(0.0, 1.0), (1.0, 1.0)]);
    /// ```
    pub fn binary_trials(y: &[f64]) -> Vec<(f64, f64)> {
        y.iter().map(|&v| (v, 1.0)).collect()
    }
}

fn ln_choose(n: f64, s: f64) -> f64 {
    if s == 0.0 || s == n {
        0.0
    } else {
        ln_gamma(n + 1.0) - ln_gamma(s + 1.0) - ln_gamma(n - s + 1.0)
    }
}

impl LogDensity<1> for Binomial {
    type Obs = (f64, f64);

    fn name(&self) -> String {
        format!("binomial ({} link)", self.link.name())
    }

    fn parameters(&self) -> Vec<Parameter> {
        match self.link {
            BinomialLink::Logit => vec![Parameter::logit_scale("p")],
            other => vec![Parameter {
                name: format!("{}_p", other.name()),
                transform: Transform::Identity,
                natural_name: format!("{}_p", other.name()),
            }],
        }
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], obs: &(f64, f64)) -> D {
        let (s, n) = *obs;
        let (ln_p, ln_q) = self.link.ln_probabilities(theta[0]);
        let mut v = D::from(ln_choose(n, s));
        if s > 0.0 {
            v += ln_p * s;
        }
        if n > s {
            v += ln_q * (n - s);
        }
        v
    }

    fn check_observation(&self, &(s, n): &(f64, f64)) -> Result<(), String> {
        if !(n >= 0.0 && n.fract() == 0.0) {
            return Err(format!("trials = {n}, but trials must be a non-negative integer"));
        }
        if !(s >= 0.0 && s <= n && s.fract() == 0.0) {
            return Err(format!(
                "successes = {s}, but successes must be an integer in [0, trials = {n}]"
            ));
        }
        Ok(())
    }

    /// n (dp/dη)² / (p(1 − p)).
    fn expected_information(&self, theta: &[f64; 1], obs: &(f64, f64)) -> Option<SMatrix<f64, 1, 1>> {
        let (ln_p, ln_q) = self.link.ln_probabilities(theta[0]);
        let d = self.link.derivative(theta[0]);
        Some(SMatrix::<f64, 1, 1>::new(obs.1 * d * d / (ln_p + ln_q).exp()))
    }

    /// p̂ = Σs / Σn, η̂ = g(p̂); on the boundary (±∞) when p̂ is 0 or 1.
    fn closed_form(&self, data: &[(f64, f64)], weights: Option<&[f64]>) -> Option<ClosedForm> {
        let (mut s, mut n, mut constant) = (0.0, 0.0, 0.0);
        for (i, &(si, ni)) in data.iter().enumerate() {
            let w = weights.map_or(1.0, |w| w[i]);
            s += w * si;
            n += w * ni;
            constant += w * ln_choose(ni, si);
        }
        if n <= 0.0 {
            return None;
        }
        let p = s / n;
        let formula = format!("p̂ = Σs/Σn, η̂ = {}(p̂)", self.link.name());
        if p == 0.0 || p == 1.0 {
            let eta = if p == 0.0 {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            return Some(ClosedForm::Boundary {
                theta: vec![eta],
                log_likelihood: constant,
                formula,
            });
        }
        Some(ClosedForm::Interior {
            theta: vec![self.link.link(p)],
            formula,
        })
    }
}
