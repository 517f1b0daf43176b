//! Binomial regression with trials and a choice of link, as R's
//! `glm(cbind(s, n − s) ~ …, family = binomial(link))`: logit, probit, cloglog.

use mle_core::{Design, Diagnostic, Fit, LogDensity, Result};
use mle_families::{Binomial, BinomialLink};
use mle_optim::FitOptions;

use crate::regression::{least_squares_start, Regression, RegressionFamily};
use crate::separation::{
    detect_binomial_separation, extended_real_start, limit_design, separated_result, Separation,
    SEPARATION_LP_LIMIT,
};

/// A fitted probability within this of 0 or 1 on a row whose proportion is 0 or 1 is the sign
/// of separation: at a converged fit of separated data the gradient along the direction of
/// recession is small only when such rows are fitted (numerically) exactly.
const BOUNDARY_PROBABILITY: f64 = 1e-8;

impl<'a> Regression<'a, Binomial, 1> {
    /// Binomial regression of `(successes, trials)` on `x` with link `link`. For 0/1
    /// responses build the observations with [`Binomial::binary_trials`]. Standard errors
    /// default to the exact inverse observed information; `CovarianceType::Expected` gives
    /// the Fisher information R's `summary.glm` uses (the same for the logit link).
    ///
    /// ```
    /// use mle_core::{covariance::CovarianceType, Design, MleError};
    /// use mle_families::BinomialLink;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("dose", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
    /// let y = [(1.0, 10.0), (3.0, 10.0), (6.0, 10.0), (8.0, 10.0)];
    /// let fitted = Regression::binomial(BinomialLink::Probit, &x, &y).unwrap().fit().unwrap();
    /// assert!(fitted.convergence().converged() && fitted.estimates()[1] > 0.0);
    /// assert!(fitted.covariance(CovarianceType::Expected).is_ok());
    /// assert!(matches!(Regression::binomial(BinomialLink::Logit, &x, &[(1.0, 10.0), (11.0, 10.0), (0.0, 1.0), (1.0, 1.0)]),
    ///     Err(MleError::OutsideSupport { index: 1, .. })));
    /// ```
    pub fn binomial(link: BinomialLink, x: &'a Design, y: &'a [(f64, f64)]) -> Result<Self> {
        Regression::new(Binomial { link }, [x], y)
    }
}

impl RegressionFamily<1> for Binomial {
    fn regression_name(&self) -> String {
        format!("binomial regression ({} link)", self.link.name())
    }

    /// glm's start: η₀ = g((s + ½)/(n + 1)), then least squares of η₀ − offset on X,
    /// weighted by case weight × trials.
    fn regression_start(&self, regression: &Regression<'_, Self, 1>) -> Vec<f64> {
        let objective = regression.linear_objective();
        let y = regression.response();
        let eta0: Vec<f64> = y
            .iter()
            .map(|&(s, n)| self.link.link((s + 0.5) / (n + 1.0)))
            .collect();
        let w: Vec<f64> = y
            .iter()
            .enumerate()
            .map(|(i, &(_, n))| objective.weights().map_or(1.0, |w| w[i]) * n.max(1e-8))
            .collect();
        least_squares_start(regression.design(0), &eta0, objective.offset(0), Some(&w)).0
    }

    /// The fit runs first. When it fails, does not converge, or fits a row whose proportion
    /// is 0 or 1 with a probability within 1e-8 of it, separation is checked by the LP of
    /// [`detect_binomial_separation`] (designs up to the LP size limit; beyond it such a fit is
    /// flagged [`Diagnostic::SeparationInconclusive`]). Separated data give the MLE in the
    /// extended reals: the infinite coefficients at ±∞, the finite ones fitted on the rows on
    /// the hyperplane, no standard errors.
    fn regression_estimate(&self, regression: &Regression<'_, Self, 1>, options: &FitOptions) -> Result<Fit> {
        let objective = regression.linear_objective();
        let fit = options.fit(objective, &regression.start_values());
        if !shows_divergence(self, regression, &fit)? {
            return fit;
        }
        let x = regression.design(0);
        if x.nrows() * x.ncols() > SEPARATION_LP_LIMIT {
            let reason = format!(
                "the fit shows divergence and the separation LP ({} rows × {} columns) exceeds the \
                 {SEPARATION_LP_LIMIT}-entry limit",
                x.nrows(),
                x.ncols()
            );
            return fit.map(|f| f.with_diagnostic(Diagnostic::SeparationInconclusive { reason }));
        }
        let sep = detect_binomial_separation(x, regression.response(), objective.weights())?;
        if !sep.separated {
            return fit;
        }
        separated_fit(regression, options, &sep)
    }
}

/// Whether a binomial fit may be separated: it failed or did not converge, or a row with
/// proportion 0 or 1 is fitted within [`BOUNDARY_PROBABILITY`] of it.
fn shows_divergence(
    family: &Binomial,
    regression: &Regression<'_, Binomial, 1>,
    fit: &Result<Fit>,
) -> Result<bool> {
    let f = match fit {
        Ok(f) if f.convergence().converged() => f,
        _ => return Ok(true),
    };
    let eta = regression
        .linear_objective()
        .linear_predictors(f.estimates().as_slice())?;
    let y = regression.response();
    Ok(y.iter().zip(eta.iter()).any(|(&(s, n), &e)| {
        let (ln_p, ln_q) = family.link.ln_probabilities(e);
        n > 0.0
            && ((s == 0.0 && -ln_q.exp_m1() < BOUNDARY_PROBABILITY)
                || (s == n && -ln_p.exp_m1() < BOUNDARY_PROBABILITY))
    }))
}

/// The extended-real MLE of separated binomial data, flagged, without standard errors. The
/// rows off the hyperplane tend to fitted probabilities 0 or 1 equal to their proportions and
/// contribute ln C(n, 0) = ln C(n, n) = 0 to ℓ; the rows on it are fitted by the finite
/// coefficients (with the fewest infinite columns needed to reach their supremum).
fn separated_fit(
    regression: &Regression<'_, Binomial, 1>,
    options: &FitOptions,
    sep: &Separation,
) -> Result<Fit> {
    let x = regression.design(0);
    let y = regression.response();
    let objective = regression.linear_objective();
    let (finite, infinite, mut estimates) = extended_real_start(x, sep);
    let rows = &sep.on_hyperplane;
    let mut log_likelihood = 0.0;
    if !rows.is_empty() {
        let (sub, cols) = limit_design(x, rows, &finite, &infinite)?;
        if sub.ncols() == 0 {
            // xᵢ = 0 on every row left: η is the offset there, ℓ is fixed.
            let (o, w) = (objective.offset(0), objective.weights());
            let family = regression.family();
            let ll = rows
                .iter()
                .map(|&i| w.map_or(1.0, |w| w[i]) * family.ln_density(&[o.map_or(0.0, |o| o[i])], &y[i]))
                .sum();
            return separated_result(
                objective,
                &estimates,
                ll,
                x.nrows(),
                "separation detected by linear programming: the MLE is infinite",
                sep,
                sep.infinite.clone(),
            );
        }
        let sub_y: Vec<(f64, f64)> = rows.iter().map(|&i| y[i]).collect();
        let mut sub_model = Regression::binomial(regression.family().link, &sub, &sub_y)?;
        if let Some(o) = objective.offset(0) {
            sub_model = sub_model.offset(rows.iter().map(|&i| o[i]).collect::<Vec<f64>>())?;
        }
        if let Some(w) = objective.weights() {
            sub_model = sub_model.weights(rows.iter().map(|&i| w[i]).collect::<Vec<f64>>())?;
        }
        let sub_fit = options.fit(sub_model.linear_objective(), &sub_model.start_values())?;
        for (k, &j) in cols.iter().enumerate() {
            if finite.contains(&j) {
                estimates[j] = sub_fit.estimates()[k];
            }
        }
        log_likelihood = sub_fit.log_likelihood();
    }
    separated_result(
        objective,
        &estimates,
        log_likelihood,
        x.nrows(),
        "separation detected by linear programming: the MLE is infinite",
        sep,
        sep.infinite.clone(),
    )
}
