//! Logistic regression: the Bernoulli family with its logit as the linear predictor. Newton
//! on the exact Hessian is IRLS here (canonical link: observed = expected information).

use mle_core::known::WithKnownEvaluation;
use mle_core::{Design, Diagnostic, Evaluation, Fit, Result};
use mle_families::Bernoulli;
use mle_optim::FitOptions;
use nalgebra::DVector;
use rayon::prelude::*;

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

    /// The fused evaluation at β = 0 without a pass of XᵀWX, when the rank check already formed
    /// XᵀX (large designs): every fitted probability is ½, so ℓ = −n·ln 2, ∇ℓ = Xᵀ(y − ½) (one
    /// pass of Xᵀr in fixed row chunks, summed in order: the same on any number of threads) and
    /// ∇²ℓ = −XᵀX/4. Unweighted data without offset, starting at zero, only; `None` otherwise.
    /// The fit ([`mle_optim::Model::fit`]) starts from it.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::Regression;
    /// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
    /// let y = [0.0, 1.0, 0.0, 1.0];
    /// // A small design is checked by QR, which forms no XᵀX: no shortcut.
    /// assert!(Regression::logistic(&x, &y).unwrap().start_evaluation().is_none());
    /// ```
    pub fn start_evaluation(&self) -> Option<Evaluation> {
        let regression = self;
        let start = regression.start_values();
        let objective = regression.linear_objective();
        if objective.offset(0).is_some() || objective.weights().is_some() {
            return None;
        }
        let gram = objective.design_gram(0)?;
        if start.iter().any(|b| *b != 0.0) {
            return None;
        }
        let (x, y) = (regression.design(0).matrix(), regression.response());
        let (n, p) = x.shape();
        let chunk = mle_core::predictor::ROW_CHUNK;
        let parts: Vec<DVector<f64>> = (0..n.div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                let (r0, m) = (c * chunk, chunk.min(n - c * chunk));
                let r = DVector::from_iterator(m, y[r0..r0 + m].iter().map(|v| v - 0.5));
                x.rows(r0, m).tr_mul(&r)
            })
            .collect();
        let gradient = parts.iter().fold(DVector::zeros(p), |acc, g| acc + g);
        Some(Evaluation {
            value: -(n as f64) * std::f64::consts::LN_2,
            gradient,
            hessian: gram * -0.25,
        })
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
        let start = regression.start_values();
        if objective.offset(0).is_some() || objective.weights().is_some() {
            return options.fit(objective, &start); // the LP here is for unweighted data without offsets
        }
        let fit = match regression.start_evaluation() {
            Some(e) => options.fit(&WithKnownEvaluation::new(objective, &start, e), &start),
            None => options.fit(objective, &start),
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use mle_core::Objective;
    use mle_optim::Model;
    use nalgebra::DMatrix;

    /// A design large enough for the Gram-matrix rank check (n·p² > 5·10⁷).
    fn large() -> (Design, Vec<f64>) {
        let (n, p) = (200_000, 16);
        let mut s: u64 = 5;
        let mut uniform = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let m = DMatrix::from_fn(n, p, |_, j| if j == 0 { 1.0 } else { 2.0 * uniform() - 1.0 });
        let y: Vec<f64> = (0..n)
            .map(|i| {
                let eta = 0.3 + 0.8 * m[(i, 1)] - 0.5 * m[(i, 2)];
                f64::from(uniform() < 1.0 / (1.0 + (-eta).exp()))
            })
            .collect();
        let names: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
        (Design::new(m, names).unwrap(), y)
    }

    #[test]
    fn the_evaluation_at_zero_from_the_gram_matrix_is_the_objectives() {
        let (x, y) = large();
        let model = Regression::logistic(&x, &y).unwrap();
        let start = model.start_values();
        let known = model.start_evaluation().expect("the rank check formed XᵀX");
        let direct = model.linear_objective().evaluate(&start).unwrap();
        let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1.0);
        // ℓ(0) = −n·ln 2 exactly (to one rounding); the objective's compensated sum of n
        // terms is within ~BLOCK·ε of it.
        assert_eq!(known.value, -200_000.0 * std::f64::consts::LN_2);
        assert!(
            rel(known.value, direct.value) < 1e-13,
            "{} vs {}",
            known.value,
            direct.value
        );
        let scale = direct.hessian.amax();
        assert!((&known.gradient - &direct.gradient).amax() < 1e-12 * scale);
        assert!((&known.hessian - &direct.hessian).amax() < 1e-13 * scale);
        // The fit through it is the fit without it.
        let with = model.fit().unwrap();
        let without = FitOptions::newton()
            .fit(model.linear_objective(), &start)
            .unwrap();
        for (a, b) in with.estimates().iter().zip(without.estimates().iter()) {
            assert!((a - b).abs() < 1e-12 * b.abs().max(1.0), "{a} vs {b}");
        }
        // Small designs are checked by QR: no Gram matrix, no shortcut.
        let small = Design::new(x.matrix().rows(0, 1000).into_owned(), x.names().iter().cloned()).unwrap();
        let m = Regression::logistic(&small, &y[..1000]).unwrap();
        assert!(m.start_evaluation().is_none());
    }
}
