//! Accelerated failure time (AFT) models with right censoring, as `survival::survreg`:
//! log T = η + σW with W standard extreme-value (Weibull), normal (log-normal) or logistic
//! (log-logistic); observation `(time, status)`, status 1 = event, 0 = right-censored.

use mle_core::numerics::softplus;
use mle_core::{LogDensity, MleError, Parameter, Transform};
use num_dual::DualNum;

use crate::normal_cdf::ln_normal_cdf;

const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// The error distribution W of log T.
///
/// ```
/// use mle_families::AftDistribution;
/// assert_eq!(AftDistribution::from_name("loglogistic").unwrap(), AftDistribution::LogLogistic);
/// assert!(AftDistribution::from_name("gompertz").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AftDistribution {
    /// Standard minimum extreme value: T is Weibull.
    #[default]
    Weibull,
    /// Standard normal: T is log-normal.
    LogNormal,
    /// Standard logistic: T is log-logistic.
    LogLogistic,
}

impl AftDistribution {
    /// By survreg's name: `weibull`, `lognormal`, `loglogistic` (`exponential` is
    /// [`crate::ExponentialAft`]).
    pub fn from_name(name: &str) -> Result<Self, MleError> {
        match name {
            "weibull" => Ok(AftDistribution::Weibull),
            "lognormal" => Ok(AftDistribution::LogNormal),
            "loglogistic" => Ok(AftDistribution::LogLogistic),
            other => Err(MleError::UnknownName {
                what: "AFT distribution",
                name: other.to_string(),
                choices: "weibull, lognormal, loglogistic",
            }),
        }
    }

    /// survreg's name.
    pub fn name(self) -> &'static str {
        match self {
            AftDistribution::Weibull => "weibull",
            AftDistribution::LogNormal => "lognormal",
            AftDistribution::LogLogistic => "loglogistic",
        }
    }

    /// log f_W(z) for an event, log S_W(z) for a censored time.
    #[inline]
    pub fn ln_density_or_survival<D: DualNum<f64> + Copy>(self, z: D, event: bool) -> D {
        match (self, event) {
            (AftDistribution::Weibull, true) => z - z.exp(),
            (AftDistribution::Weibull, false) => -z.exp(),
            (AftDistribution::LogNormal, true) => -(z * z) * 0.5 - HALF_LN_2PI,
            (AftDistribution::LogNormal, false) => ln_normal_cdf(-z),
            (AftDistribution::LogLogistic, true) => z - softplus(z) * 2.0,
            (AftDistribution::LogLogistic, false) => -softplus(z),
        }
    }
}

/// The `log(scale)` parameter as survreg names it (σ reported as `scale`).
pub fn log_scale_parameter() -> Parameter {
    Parameter {
        name: "log(scale)".into(),
        transform: Transform::Log,
        natural_name: "scale".into(),
    }
}

pub(crate) fn check_survival(&(time, status): &(f64, f64)) -> Result<(), String> {
    if time.is_nan() || time <= 0.0 {
        return Err(format!("time = {time}, but survival times must be positive"));
    }
    if status != 0.0 && status != 1.0 {
        return Err(format!(
            "status = {status}, but status must be 1 (event) or 0 (right-censored)"
        ));
    }
    Ok(())
}

/// AFT with working parameters (η, log σ): z = (log t − η)/σ; an event contributes
/// log f_W(z) − log σ − log t (the density of T), a censored time log S_W(z) — survreg's
/// log-likelihood on the time scale.
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::{Aft, AftDistribution};
/// // Weibull with σ = 1, η = 0 is the unit exponential: log f(2) = −2, log S(2) = −2.
/// let w = Aft { distribution: AftDistribution::Weibull };
/// assert!((w.ln_density(&[0.0, 0.0], &(2.0, 1.0)) + 2.0).abs() < 1e-15);
/// assert!((w.ln_density(&[0.0, 0.0], &(2.0, 0.0)) + 2.0).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Aft {
    /// The distribution of the log-time error.
    pub distribution: AftDistribution,
}

impl LogDensity<2> for Aft {
    type Obs = (f64, f64);

    fn name(&self) -> String {
        format!("{} AFT (right-censored)", self.distribution.name())
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::identity("location"), log_scale_parameter()]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], &(time, status): &(f64, f64)) -> D {
        let ln_t = time.ln();
        let z = (-theta[0] + ln_t) * (-theta[1]).exp();
        let event = status == 1.0;
        let v = self.distribution.ln_density_or_survival(z, event);
        if event {
            v - theta[1] - ln_t
        } else {
            v
        }
    }

    fn check_observation(&self, obs: &(f64, f64)) -> Result<(), String> {
        check_survival(obs)
    }
}

/// Exponential AFT (survreg's `exponential`: Weibull with σ = 1): working parameter η =
/// log of the mean time, z = log t − η.
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::ExponentialAft;
/// // Mean e^η = 2: log f(1) = −log 2 − 1/2.
/// let v = ExponentialAft.ln_density(&[2f64.ln()], &(1.0, 1.0));
/// assert!((v + 2f64.ln() + 0.5).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExponentialAft;

impl LogDensity<1> for ExponentialAft {
    type Obs = (f64, f64);

    fn name(&self) -> String {
        "exponential AFT (right-censored)".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::log_scale("mean_time")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], &(time, status): &(f64, f64)) -> D {
        let ln_t = time.ln();
        let z = -theta[0] + ln_t;
        if status == 1.0 {
            z - z.exp() - ln_t
        } else {
            -z.exp()
        }
    }

    fn check_observation(&self, obs: &(f64, f64)) -> Result<(), String> {
        check_survival(obs)
    }

    /// η̂ = log(Σt / Σd) (total time over events); `None` without events.
    fn closed_form(
        &self,
        data: &[(f64, f64)],
        weights: Option<&[f64]>,
    ) -> Option<mle_core::density::ClosedForm> {
        let (mut total, mut events) = (0.0, 0.0);
        for (i, &(t, d)) in data.iter().enumerate() {
            let w = weights.map_or(1.0, |w| w[i]);
            total += w * t;
            events += w * d;
        }
        (events > 0.0).then(|| mle_core::density::ClosedForm::Interior {
            theta: vec![(total / events).ln()],
            formula: "mean time = Σt / Σ events".into(),
        })
    }
}
