//! Parametric survival regression with right censoring, as `survival::survreg`: the AFT
//! families with log T = Xβ + σW (Weibull, log-normal, log-logistic; `log(scale)` an
//! intercept-only predictor) and the exponential (σ = 1).

use std::borrow::Cow;

use mle_core::{Design, Result};
use mle_families::{Aft, AftDistribution, ExponentialAft};

use crate::regression::{least_squares_start, Regression, RegressionFamily};

impl<'a> Regression<'a, Aft, 2> {
    /// AFT regression of `(time, status)` (status 1 = event, 0 = right-censored) on `x`:
    /// parameters (β, `log(scale)`) as survreg prints them; the log-likelihood is survreg's
    /// (time scale). Standard errors: the exact inverse observed information (survreg's).
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_families::AftDistribution;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("x", vec![0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0])]).unwrap();
    /// let y = [(5.0, 1.0), (8.0, 1.0), (12.0, 1.0), (20.0, 0.0), (3.0, 1.0), (15.0, 1.0), (9.0, 0.0), (30.0, 1.0)];
    /// let fitted = Regression::aft(AftDistribution::Weibull, &x, &y).unwrap().fit().unwrap();
    /// assert!(fitted.convergence().converged() && fitted.estimates()[1] > 0.0);
    /// assert_eq!(fitted.parameters()[2].name, "log(scale)");
    /// assert!(matches!(Regression::aft(AftDistribution::Weibull, &x, &[(1.0, 2.0); 8]),
    ///     Err(MleError::OutsideSupport { index: 0, .. })));
    /// ```
    pub fn aft(distribution: AftDistribution, x: &'a Design, y: &'a [(f64, f64)]) -> Result<Self> {
        Regression::with_designs(
            Aft { distribution },
            [Cow::Borrowed(x), Cow::Owned(Design::intercept(x.nrows()))],
            y,
        )
    }

    /// Weibull AFT regression (`survreg(.., dist = "weibull")`).
    pub fn weibull(x: &'a Design, y: &'a [(f64, f64)]) -> Result<Self> {
        Self::aft(AftDistribution::Weibull, x, y)
    }

    /// Log-normal AFT regression (`dist = "lognormal"`).
    pub fn lognormal(x: &'a Design, y: &'a [(f64, f64)]) -> Result<Self> {
        Self::aft(AftDistribution::LogNormal, x, y)
    }

    /// Log-logistic AFT regression (`dist = "loglogistic"`).
    pub fn loglogistic(x: &'a Design, y: &'a [(f64, f64)]) -> Result<Self> {
        Self::aft(AftDistribution::LogLogistic, x, y)
    }
}

impl<'a> Regression<'a, ExponentialAft, 1> {
    /// Exponential AFT regression (`survreg(.., dist = "exponential")`): log mean time Xβ.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::intercept(4);
    /// let y = [(2.0, 1.0), (3.0, 0.0), (4.0, 1.0), (1.0, 1.0)];
    /// let fitted = Regression::exponential(&x, &y).unwrap().fit().unwrap();
    /// assert!((fitted.estimates()[0] - (10.0f64 / 3.0).ln()).abs() < 1e-10); // Σt / Σd
    /// ```
    pub fn exponential(x: &'a Design, y: &'a [(f64, f64)]) -> Result<Self> {
        Regression::new(ExponentialAft, [x], y)
    }
}

/// Least squares of log t on X (every row, censored or not) and the intercept moved so the
/// exponential score balances: Σ exp(log t − xβ) = Σ status.
fn log_time_start(
    x: &Design,
    y: &[(f64, f64)],
    offset: Option<&[f64]>,
    w: Option<&[f64]>,
) -> (Vec<f64>, f64) {
    let ln_t: Vec<f64> = y.iter().map(|&(t, _)| t.ln()).collect();
    let (mut beta, log_sd) = least_squares_start(x, &ln_t, offset, w);
    if let Some(j) = x.names().iter().position(|n| n == "(Intercept)") {
        let (mut num, mut events) = (0.0, 0.0);
        for (i, &(t, d)) in y.iter().enumerate() {
            let wi = w.map_or(1.0, |w| w[i]);
            let eta: f64 = (0..x.ncols()).map(|k| x.matrix()[(i, k)] * beta[k]).sum::<f64>()
                + offset.map_or(0.0, |o| o[i]);
            num += wi * (t.ln() - eta).exp();
            events += wi * d;
        }
        if events > 0.0 && num > 0.0 && num.is_finite() {
            beta[j] += (num / events).ln();
        }
    }
    (beta, log_sd)
}

impl RegressionFamily<2> for Aft {
    fn regression_name(&self) -> String {
        format!("{} AFT regression (right-censored)", self.distribution.name())
    }

    /// Least squares of log t and σ₀ from the residual spread (sd·√6/π, sd, sd·√3/π).
    fn regression_start(&self, regression: &Regression<'_, Self, 2>) -> Vec<f64> {
        let objective = regression.linear_objective();
        let (mut start, log_sd) = log_time_start(
            regression.design(0),
            regression.response(),
            objective.offset(0),
            objective.weights(),
        );
        let factor: f64 = match self.distribution {
            AftDistribution::Weibull => 6f64.sqrt() / std::f64::consts::PI,
            AftDistribution::LogNormal => 1.0,
            AftDistribution::LogLogistic => 3f64.sqrt() / std::f64::consts::PI,
        };
        start.push(log_sd + factor.ln());
        start
    }
}

impl RegressionFamily<1> for ExponentialAft {
    fn regression_name(&self) -> String {
        "exponential AFT regression (right-censored)".into()
    }

    /// Least squares of log t, intercept balanced on the events.
    fn regression_start(&self, regression: &Regression<'_, Self, 1>) -> Vec<f64> {
        let objective = regression.linear_objective();
        log_time_start(
            regression.design(0),
            regression.response(),
            objective.offset(0),
            objective.weights(),
        )
        .0
    }
}
