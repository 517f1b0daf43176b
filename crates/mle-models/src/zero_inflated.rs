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
        let fit = options.fit(regression.linear_objective(), &regression.start_values())?;
        if !no_zero_inflation(regression, &fit)? {
            return Ok(fit);
        }
        let poisson = count_model(
            Regression::new(Poisson, [regression.design(0)], regression.response())?,
            regression,
        )?
        .estimate(options)?;
        reduced_fit(
            regression,
            fit,
            &poisson,
            "the Poisson regression of the count model",
        )
    }
}

/// Whether every fitted zero-inflation probability (of the rows with weight) is below
/// [`PI_ZERO`].
fn no_zero_inflation<F: RegressionFamily<K>, const K: usize>(
    regression: &Regression<'_, F, K>,
    fit: &Fit,
) -> Result<bool> {
    let objective = regression.linear_objective();
    let eta = objective.linear_predictors(fit.estimates().as_slice())?;
    let weights = objective.weights();
    Ok((0..eta.nrows())
        .filter(|&i| weights.is_none_or(|w| w[i] != 0.0))
        .all(|i| 1.0 / (1.0 + (-eta[(i, 1)]).exp()) < PI_ZERO))
}

/// The count model alone with the zero-inflated regression's offset and weights.
fn count_model<'r, G: RegressionFamily<J>, const J: usize, F: RegressionFamily<K>, const K: usize>(
    mut count: Regression<'r, G, J>,
    regression: &'r Regression<'_, F, K>,
) -> Result<Regression<'r, G, J>> {
    let objective = regression.linear_objective();
    if let Some(o) = objective.offset(0) {
        count = count.offset(o)?;
    }
    if let Some(w) = objective.weights() {
        count = count.weights(w)?;
    }
    Ok(count)
}

/// The π = 0 boundary fit: the count model's estimates (β, then any extra such as log θ)
/// with the zero model's intercept at −∞ and its slopes at 0 (not identified), the count
/// model's ℓ, no covariance, and a [`Diagnostic::ReducedModel`]. Without an intercept in the
/// zero model, `fit` itself with the diagnostic and no covariance.
fn reduced_fit<F: RegressionFamily<K>, const K: usize>(
    regression: &Regression<'_, F, K>,
    fit: Fit,
    count: &Fit,
    reduces_to: &str,
) -> Result<Fit> {
    let objective = regression.linear_objective();
    let diagnostic = Diagnostic::ReducedModel {
        condition: format!(
            "zero-inflation probability at 0 (every π̂ᵢ < {PI_ZERO:e}): the zero model is not identified"
        ),
        reduces_to: reduces_to.into(),
    };
    let (p, z) = (regression.design(0).ncols(), regression.design(1));
    let Some(intercept) = z.names().iter().position(|n| n == "(Intercept)") else {
        return Ok(fit
            .with_diagnostic(diagnostic)
            .without_covariance("zero-inflation probability at 0: no standard errors"));
    };
    let mut gamma = vec![0.0; z.ncols()];
    gamma[intercept] = f64::NEG_INFINITY;
    let c = count.estimates().as_slice();
    let estimate = [&c[..p], &gamma, &c[p..]].concat();
    let mut convergence = count.convergence().clone();
    convergence.notes.push(format!(
        "no excess zeros (every π̂ᵢ < {PI_ZERO:e}): π̂ = 0, the count model from {reduces_to}"
    ));
    Ok(Fit::on_boundary(
        &objective.model_name(),
        objective.parameters(),
        &estimate,
        count.log_likelihood(),
        objective.n_obs(),
        convergence,
    )?
    .with_diagnostic(diagnostic)
    .without_covariance(format!(
        "π̂ = 0 (no zero inflation): no standard errors; {reduces_to} gives the count model's"
    )))
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

    /// As the ZIP: when every π̂ᵢ < 10⁻⁸ the fit is the negative binomial regression of the
    /// count model (itself possibly at its Poisson limit θ̂ = ∞) with the zero intercept at
    /// −∞ and a [`Diagnostic::ReducedModel`].
    fn regression_estimate(&self, regression: &Regression<'_, Self, 3>, options: &FitOptions) -> Result<Fit> {
        let fit = options.fit(regression.linear_objective(), &regression.start_values())?;
        if !no_zero_inflation(regression, &fit)? {
            return Ok(fit);
        }
        let nb = Regression::negative_binomial(regression.design(0), regression.response())?;
        let nb = count_model(nb, regression)?.estimate(options)?;
        reduced_fit(
            regression,
            fit,
            &nb,
            "the negative binomial regression of the count model",
        )
    }
}
