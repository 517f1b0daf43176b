//! Logistic regression: the Bernoulli family with its logit as the linear predictor. Newton
//! on the exact Hessian is IRLS here (canonical link: observed = expected information).

use mle_core::{Design, Diagnostic, Fit, Result};
use mle_families::Bernoulli;
use mle_optim::FitOptions;

use crate::regression::{Regression, RegressionFamily};
use crate::saturation::{no_row_can_dominate, restart_past_saturated_rows};
use crate::separation::{extended_real_start, limit_design, separated_result, Separation};
use crate::separation_check::{
    check_separation, finite_by_column_bound, finite_by_margin_bounds, FitState, SeparationCheck,
};

impl<'a> Regression<'a, Bernoulli, 1> {
    /// Logistic regression of 0/1 responses `y` on `x`: the [`Bernoulli`] density with
    /// logit p = Xβ (+ offset), stable for any η (no overflow at |η| = 800). Separation is
    /// detected exactly (LP) and reported as the extended-real MLE.
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("dose", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
    /// let fitted = Regression::logistic(&x, &[0.0, 1.0, 0.0, 1.0]).unwrap().fit().unwrap();
    /// assert!(fitted.convergence().converged());
    /// assert!(matches!(Regression::logistic(&x, &[0.0, 2.0, 0.0, 1.0]),
    ///     Err(MleError::OutsideSupport { index: 1, .. })));
    /// ```
    pub fn logistic(x: &'a Design, y: &'a [f64]) -> Result<Self> {
        Regression::new(Bernoulli, [x], y)
    }
}

impl RegressionFamily<1> for Bernoulli {
    fn regression_name(&self) -> String {
        "logistic regression (Bernoulli, logit link)".into()
    }

    /// The Newton fit runs first; separation is then ruled out from the fit itself (no
    /// fitted probability at 0 or 1, or saturated rows that cannot carry a direction of
    /// recession: see [`crate::separation_check`]) and only a fit that fails, does not
    /// converge or diverges pays for the exact LP — bounded in size, else flagged
    /// [`Diagnostic::SeparationInconclusive`]. When the design's column maxima already bound
    /// every |ηᵢ| by τ = 20 (and no row can dominate the curvature), that verdict is reached
    /// without a pass over the data ([`finite_by_column_bound`]).
    fn regression_estimate(&self, regression: &Regression<'_, Self, 1>, options: &FitOptions) -> Result<Fit> {
        let objective = regression.linear_objective();
        let fit = options.fit(objective, &regression.start_values());
        if objective.offset(0).is_some() || objective.weights().is_some() {
            return fit; // the LP here is for unweighted data without offsets
        }
        let x = regression.design(0);
        let y = regression.response();
        let (fit, eta) = match fit {
            // The common case, certified from the design's column maxima: no pass over the data.
            Ok(f)
                if f.convergence().converged()
                    && no_row_can_dominate(x, f.hessian())
                    && finite_by_column_bound(x, f.estimates().as_slice(), f.gradient(), f.hessian()) =>
            {
                return Ok(f);
            }
            Ok(f) if f.convergence().converged() => {
                let eta = objective.linear_predictors(f.estimates().as_slice())?;
                // Certified from the margins with the column maxima: one pass over η.
                if finite_by_margin_bounds(x, y, eta.as_slice(), f.gradient(), f.hessian()) {
                    return Ok(f);
                }
                let (f, eta) = restart_past_saturated_rows(regression, options, f, eta)?;
                (Ok(f), eta)
            }
            other => (other, None),
        };
        let state = match (&fit, &eta) {
            (Ok(f), Some(eta)) => Some(FitState {
                eta: eta.as_slice(),
                gradient: f.gradient(),
                hessian: f.hessian(),
            }),
            _ => None,
        };
        match check_separation(x, y, state)? {
            SeparationCheck::Finite => fit,
            SeparationCheck::Separated(sep) => separated_fit(regression, options, &sep),
            SeparationCheck::Inconclusive(reason) => {
                fit.map(|f| f.with_diagnostic(Diagnostic::SeparationInconclusive { reason }))
            }
        }
    }
}

/// When the data are separated: the MLE in the extended reals — the infinite coefficients
/// at ±∞ along the direction of recession, the finite ones fitted on the rows on the
/// separating hyperplane (their limit) — flagged with a `Separation` diagnostic.
fn separated_fit(
    regression: &Regression<'_, Bernoulli, 1>,
    options: &FitOptions,
    sep: &Separation,
) -> Result<Fit> {
    let x = regression.design(0);
    let y = regression.response();
    let objective = regression.linear_objective();
    // Finite coefficients not determined by the rows on the hyperplane (none left) are 0.
    let (finite, infinite, mut estimates) = extended_real_start(x, sep);
    // Rows off the hyperplane contribute 0 to ℓ at the limit; the rows on it contribute the
    // supremum of their own likelihood (e.g. ln ½ for each of a tied 0 and 1), attained by
    // the limit design even when every named coefficient is infinite.
    let mut log_likelihood = 0.0;
    let rows = &sep.on_hyperplane;
    if !rows.is_empty() {
        let (sub, cols) = limit_design(x, rows, &finite, &infinite)?;
        let sub_y: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
        log_likelihood = if sub.ncols() == 0 {
            rows.len() as f64 * 0.5f64.ln() // η = 0 on every row: p = ½
        } else {
            let sub_model = Regression::logistic(&sub, &sub_y)?;
            let sub_fit = Bernoulli.regression_estimate(&sub_model, options)?;
            for (k, &j) in cols.iter().enumerate() {
                if finite.contains(&j) {
                    estimates[j] = sub_fit.estimates()[k];
                }
            }
            sub_fit.log_likelihood()
        };
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
