//! Zero-inflated Poisson and negative binomial regressions, as `pscl::zeroinfl`: the count
//! model (log link) on the first design, the zero model (logit link) on the second; count
//! coefficients unprefixed, zero-model coefficients `zero_<column>` (pscl's names), and
//! `log_theta` for the negative binomial.

use std::borrow::Cow;

use mle_core::predictor::CoefficientNames;
use mle_core::{Design, Diagnostic, Fit, LinearPredictorObjective, Objective, Parameter, Result};
use mle_families::{Poisson, ZeroInflatedNegativeBinomial, ZeroInflatedPoisson};
use mle_optim::{FitOptions, Model};

use crate::regression::{Regression, RegressionFamily};

/// The zero model's predictor: named so that an intercept-only zero design still reads
/// `zero_(Intercept)`.
fn zero_predictor(z: &Design) -> Parameter {
    if z.is_intercept_only() {
        Parameter::identity("zero_(Intercept)")
    } else {
        Parameter::identity("zero")
    }
}

impl<'a> Regression<'a, ZeroInflatedPoisson, 2> {
    /// Zero-inflated Poisson regression: count model log μ = Xβ, zero model logit π = Zγ.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("x", (0..40).map(|i| (i % 5) as f64 / 5.0).collect())]).unwrap();
    /// let z = Design::intercept(40);
    /// let y: Vec<f64> = (0..40).map(|i| if i % 3 == 0 { 0.0 } else { 1.0 + (i % 5) as f64 }).collect();
    /// let fitted = Regression::zip(&x, &z, &y).unwrap().fit().unwrap();
    /// assert!(fitted.convergence().converged());
    /// assert_eq!(fitted.parameters()[2].name, "zero_(Intercept)");
    /// ```
    pub fn zip(x: &'a Design, z: &'a Design, y: &'a [f64]) -> Result<Self> {
        let predictors = vec![Parameter::identity("count"), zero_predictor(z)];
        let objective = LinearPredictorObjective::with_predictors(
            ZeroInflatedPoisson,
            [Cow::Borrowed(x), Cow::Borrowed(z)],
            y,
            predictors,
            CoefficientNames::FirstUnprefixedUnderscore,
        )?;
        Ok(Regression::from_objective(objective))
    }
}

impl<'a> Regression<'a, ZeroInflatedNegativeBinomial, 3> {
    /// Zero-inflated NB2 regression: count model log μ = Xβ, zero model logit π = Zγ, and
    /// `log_theta` (θ reported as `theta`).
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("x", (0..60).map(|i| (i % 5) as f64 / 5.0).collect())]).unwrap();
    /// let z = Design::intercept(60);
    /// let y: Vec<f64> = (0..60).map(|i| if i % 4 == 0 { 0.0 } else { [1.0, 6.0, 2.0, 0.0, 9.0, 3.0][i % 6] }).collect();
    /// let fitted = Regression::zinb(&x, &z, &y).unwrap().fit().unwrap();
    /// assert_eq!(fitted.parameters()[3].natural_name, "theta");
    /// ```
    pub fn zinb(x: &'a Design, z: &'a Design, y: &'a [f64]) -> Result<Self> {
        let predictors = vec![
            Parameter::identity("count"),
            zero_predictor(z),
            Parameter::log_scale("theta"),
        ];
        let objective = LinearPredictorObjective::with_predictors(
            ZeroInflatedNegativeBinomial,
            [
                Cow::Borrowed(x),
                Cow::Borrowed(z),
                Cow::Owned(Design::intercept(x.nrows())),
            ],
            y,
            predictors,
            CoefficientNames::FirstUnprefixedUnderscore,
        )?;
        Ok(Regression::from_objective(objective))
    }
}

/// pscl-like starts with no user input: the count β from the Poisson regression on X, the
/// zero model's intercept at the logit of the excess-zero fraction (clamped to [0.05, 0.95])
/// with its slopes at zero, and the NB moment θ₀ = Σμ²/Σ[(y−μ)² − y] (1 if not positive).
fn zero_inflated_start<F: RegressionFamily<K, Obs = f64>, const K: usize>(
    regression: &Regression<'_, F, K>,
) -> (Vec<f64>, f64) {
    let objective = regression.linear_objective();
    let (x, z, y, w) = (
        regression.design(0),
        regression.design(1),
        regression.response(),
        objective.weights(),
    );
    let beta = Regression::new(Poisson, [x], y)
        .and_then(|m| match objective.offset(0) {
            Some(o) => m.offset(o),
            None => Ok(m),
        })
        .and_then(|m| match w {
            Some(w) => m.weights(w),
            None => Ok(m),
        })
        .and_then(|m| m.estimate(&FitOptions::newton()))
        .map(|f| f.estimates().iter().copied().collect::<Vec<f64>>())
        .unwrap_or_else(|_| vec![0.0; x.ncols()]);
    let eta = x.matrix() * nalgebra::DVectorView::from_slice(&beta, beta.len());
    let (mut total, mut zeros, mut expected, mut excess, mut mu2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..y.len() {
        let wi = w.map_or(1.0, |w| w[i]);
        let mu = (eta[i] + objective.offset(0).map_or(0.0, |o| o[i])).exp();
        total += wi;
        zeros += wi * f64::from(u8::from(y[i] == 0.0));
        expected += wi * (-mu).exp();
        excess += wi * ((y[i] - mu).powi(2) - y[i]);
        mu2 += wi * mu * mu;
    }
    let pi = ((zeros - expected) / total).clamp(0.05, 0.95);
    let mut gamma = vec![0.0; z.ncols()];
    if let Some(j) = z.names().iter().position(|n| n == "(Intercept)") {
        gamma[j] = (pi / (1.0 - pi)).ln();
    }
    let log_theta = if excess > 0.0 { (mu2 / excess).ln() } else { 0.0 };
    ([beta, gamma].concat(), log_theta)
}

/// Every fitted zero-inflation probability below this is the π = 0 boundary.
const PI_ZERO: f64 = 1e-8;

impl RegressionFamily<2> for ZeroInflatedPoisson {
    fn regression_name(&self) -> String {
        "zero-inflated Poisson regression (log count, logit zero)".into()
    }

    fn regression_start(&self, regression: &Regression<'_, Self, 2>) -> Vec<f64> {
        zero_inflated_start(regression).0
    }

    /// The joint fit; when every fitted π̂ᵢ is below 10⁻⁸ the MLE is the π = 0 boundary (no
    /// excess zeros): the count model is then the Poisson regression, reported with the zero
    /// model's intercept at −∞ (its slopes at 0, not identified), no covariance, and a
    /// [`Diagnostic::ReducedModel`] saying so — not a huge negative intercept with an
    /// enormous standard error.
    ///
    /// ```
    /// use mle_core::{Design, Diagnostic};
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// // No zeros at all, fewer than any Poisson predicts: no zero inflation.
    /// let x = Design::from_columns(true, &[("x", (0..40).map(|i| (i % 4) as f64).collect())]).unwrap();
    /// let y: Vec<f64> = (0..40).map(|i| [1.0, 2.0, 3.0, 4.0, 2.0][i % 5] + (i % 4) as f64).collect();
    /// let z = Design::intercept(40);
    /// let zip = Regression::zip(&x, &z, &y).unwrap().fit().unwrap();
    /// assert_eq!(zip.estimates()[2], f64::NEG_INFINITY);
    /// assert!(zip.fit().diagnostics().iter().any(|d| matches!(d, Diagnostic::ReducedModel { .. })));
    /// let poisson = Regression::poisson(&x, &y).unwrap().fit().unwrap();
    /// assert!((zip.estimates()[1] - poisson.estimates()[1]).abs() < 1e-10);
    /// ```
    fn regression_estimate(&self, regression: &Regression<'_, Self, 2>, options: &FitOptions) -> Result<Fit> {
        let objective = regression.linear_objective();
        let fit = options.fit(objective, &regression.start_values())?;
        let eta = objective.linear_predictors(fit.estimates().as_slice())?;
        let weights = objective.weights();
        let at_zero = (0..eta.nrows())
            .filter(|&i| weights.is_none_or(|w| w[i] != 0.0))
            .all(|i| 1.0 / (1.0 + (-eta[(i, 1)]).exp()) < PI_ZERO);
        if !at_zero {
            return Ok(fit);
        }
        let diagnostic = Diagnostic::ReducedModel {
            condition: format!(
                "zero-inflation probability at 0 (every π̂ᵢ < {PI_ZERO:e}): the zero model is not identified"
            ),
            reduces_to: "the Poisson regression of the count model".into(),
        };
        let (x, z) = (regression.design(0), regression.design(1));
        let Some(intercept) = z.names().iter().position(|n| n == "(Intercept)") else {
            return Ok(fit
                .with_diagnostic(diagnostic)
                .without_covariance("zero-inflation probability at 0: no standard errors"));
        };
        let mut poisson = Regression::new(Poisson, [x], regression.response())?;
        if let Some(o) = objective.offset(0) {
            poisson = poisson.offset(o)?;
        }
        if let Some(w) = weights {
            poisson = poisson.weights(w)?;
        }
        let poisson = poisson.estimate(options)?;
        let mut estimate: Vec<f64> = poisson.estimates().iter().copied().collect();
        let mut gamma = vec![0.0; z.ncols()];
        gamma[intercept] = f64::NEG_INFINITY;
        estimate.extend(gamma);
        let mut convergence = poisson.convergence().clone();
        convergence
            .notes
            .push("no excess zeros (every π̂ᵢ < 1e-8): π̂ = 0, β from the Poisson fit".into());
        Ok(Fit::on_boundary(
            &objective.model_name(),
            objective.parameters(),
            &estimate,
            poisson.log_likelihood(),
            objective.n_obs(),
            convergence,
        )?
        .with_diagnostic(diagnostic)
        .without_covariance(
            "π̂ = 0 (no zero inflation): no ZIP standard errors; the Poisson regression gives β's",
        ))
    }
}

impl RegressionFamily<3> for ZeroInflatedNegativeBinomial {
    fn regression_name(&self) -> String {
        "zero-inflated negative binomial regression (NB2; log count, logit zero)".into()
    }

    fn regression_start(&self, regression: &Regression<'_, Self, 3>) -> Vec<f64> {
        let (mut start, log_theta) = zero_inflated_start(regression);
        start.push(log_theta);
        start
    }
}
