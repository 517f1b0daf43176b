//! Multinomial logistic regression: the categorical family (K + 1 classes, class 0 the
//! baseline) with its K baseline logits as linear predictors on one design; softmax link,
//! log-sum-exp everywhere.

use std::borrow::Cow;

use mle_core::predictor::CoefficientNames;
use mle_core::{Design, Diagnostic, Fit, LinearPredictorObjective, MleError, Parameter, Result};
use mle_families::Categorical;
use mle_optim::FitOptions;

use crate::regression::{Regression, RegressionFamily};
use crate::separation::{detect_multiclass_complete, detect_separation};
use crate::separation_check::LP_ENTRY_LIMIT;

const CLASS_NAMES: [&str; 9] = [
    "class1", "class2", "class3", "class4", "class5", "class6", "class7", "class8", "class9",
];

impl<'a, const K: usize> Regression<'a, Categorical<K>, K> {
    /// Multinomial logit of class codes `y ∈ {0, …, K}` on `x` (K ≤ 15 non-baseline classes);
    /// coefficients are named `class<c>:<column>`.
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::intercept(4);
    /// let y = [0.0, 1.0, 2.0, 2.0];
    /// let fitted = Regression::<mle_families::Categorical<2>, 2>::multinomial(&x, &y).unwrap().fit().unwrap();
    /// assert!((fitted.estimates()[1] - 2f64.ln()).abs() < 1e-10); // log(n₂ / n₀)
    /// assert!(matches!(Regression::<mle_families::Categorical<1>, 1>::multinomial(&x, &[0.0, 2.0, 1.0, 0.0]),
    ///     Err(MleError::OutsideSupport { .. })));
    /// ```
    pub fn multinomial(x: &'a Design, y: &'a [f64]) -> Result<Self> {
        if K == 0 || K > 15 {
            return Err(MleError::UnsupportedClassCount {
                classes: K + 1,
                min: 2,
                max: 16,
            });
        }
        let predictors = (0..K)
            .map(|k| Parameter::identity(CLASS_NAMES.get(k).copied().unwrap_or("class")))
            .collect();
        let objective = LinearPredictorObjective::with_predictors(
            Categorical::<K>,
            std::array::from_fn(|_| Cow::Borrowed(x)),
            y,
            predictors,
            CoefficientNames::AllPrefixed,
        )?;
        Ok(Regression::from_objective(objective))
    }
}

impl<const K: usize> RegressionFamily<K> for Categorical<K> {
    fn regression_name(&self) -> String {
        format!(
            "multinomial logistic regression ({} classes, baseline class 0)",
            K + 1
        )
    }

    /// The fit runs first; the class-versus-baseline separation LPs run only when it shows
    /// divergence (it failed or did not converge, its Newton decrement is not negligible, or
    /// some |η| exceeds the saturation margin: a fitted probability at 0 or 1) and the
    /// design has at most [`LP_ENTRY_LIMIT`] entries; a divergent fit of a larger design is
    /// flagged [`Diagnostic::SeparationInconclusive`]. When separation is found, the iterate
    /// after a bounded run is reported, flagged, without standard errors.
    fn regression_estimate(&self, regression: &Regression<'_, Self, K>, options: &FitOptions) -> Result<Fit> {
        let objective = regression.linear_objective();
        let start = regression.start_values();
        let fit = options.fit(objective, &start);
        if !diverges(objective, &fit)? {
            return fit;
        }
        let x = regression.design(0);
        if x.nrows() * x.ncols() > LP_ENTRY_LIMIT {
            let reason = format!(
                "the fit shows divergence and the separation LPs ({} rows × {} columns) exceed \
                 the {LP_ENTRY_LIMIT}-entry limit",
                x.nrows(),
                x.ncols()
            );
            return fit.map(|f| f.with_diagnostic(Diagnostic::SeparationInconclusive { reason }));
        }
        let (separated, complete) = separation(regression)?;
        if separated.is_empty() {
            return fit;
        }
        let fit = options
            .clone()
            .max_iterations(50)
            .require_convergence(false)
            .fit(objective, &start)?;
        Ok(fit
            .without_covariance("separation: the MLE is infinite, no standard errors")
            .with_diagnostic(Diagnostic::Separation {
                coefficients: separated,
                complete,
            }))
    }
}

/// Saturation margin: |η| beyond it puts a fitted probability within e^−20 of 0 or 1.
const SATURATED: f64 = 20.0;

/// Whether a multinomial fit shows the signs of separation.
fn diverges<const K: usize>(
    objective: &LinearPredictorObjective<'_, Categorical<K>, K>,
    fit: &Result<Fit>,
) -> Result<bool> {
    let f = match fit {
        Ok(f) if f.convergence().converged() => f,
        _ => return Ok(true),
    };
    let decrement = match (-f.hessian()).cholesky() {
        Some(c) => f.gradient().dot(&c.solve(f.gradient())),
        None => f64::INFINITY,
    };
    if decrement.is_nan() || decrement >= 1e-10 {
        return Ok(true);
    }
    let eta = objective.linear_predictors(f.estimates().as_slice())?;
    Ok(eta.iter().any(|e| e.is_nan() || e.abs() > SATURATED))
}

/// Class-versus-baseline separation (the binary LP on the rows of class 0 and class c,
/// positive weights only); returns `class<c>:<column>` names of
/// the coefficients whose MLE is infinite, and whether the separation is complete (every row
/// strictly on its side against every other class: the joint LP
/// [`detect_multiclass_complete`], for designs whose LP has at most 4·10⁶ entries; larger
/// ones report quasi-complete unless that LP is run by hand).
fn separation<const K: usize>(regression: &Regression<'_, Categorical<K>, K>) -> Result<(Vec<String>, bool)> {
    let x = regression.design(0);
    let mut complete = true;
    let y = regression.response();
    let w = regression.linear_objective().weights();
    let mut names = Vec::new();
    for c in 1..=K {
        let rows: Vec<usize> = (0..y.len())
            .filter(|&i| (y[i] == 0.0 || y[i] == c as f64) && w.is_none_or(|w| w[i] > 0.0))
            .collect();
        if rows.is_empty() {
            complete = false;
            continue;
        }
        let sub = Design::new(
            nalgebra::DMatrix::from_fn(rows.len(), x.ncols(), |r, j| x.matrix()[(rows[r], j)]),
            x.names().iter().cloned(),
        )?;
        let yc: Vec<f64> = rows
            .iter()
            .map(|&i| if y[i] == c as f64 { 1.0 } else { 0.0 })
            .collect();
        let sep = detect_separation(&sub, &yc)?;
        complete &= sep.complete;
        names.extend(
            sep.infinite
                .iter()
                .map(|n| format!("{}:{n}", CLASS_NAMES.get(c - 1).copied().unwrap_or("class"))),
        );
    }
    let joint_size = y.len() * K * x.ncols() * K;
    let complete =
        complete && !names.is_empty() && joint_size <= 4_000_000 && detect_multiclass_complete(x, y, K, w)?;
    Ok((names, complete))
}
