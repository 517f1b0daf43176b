//! Saturated rows that freeze Newton. A row with a huge ‖xᵢ‖ (one x = 1e150 among ordinary
//! values) reaches a fitted probability of 1 − e^−40 after a step of 1e-149 in its
//! coefficient; its curvature wᵢxᵢ² (wᵢ = σ(mᵢ)σ(−mᵢ), mᵢ = (2yᵢ − 1)ηᵢ the margin) still
//! dominates the Hessian there, so each Newton step moves ηᵢ by about one unit and the
//! Newton decrement is tiny although ℓ can still rise by O(n): the iterate satisfies the
//! convergence test without being the maximum.
//!
//! The same happens before saturation (η ≈ 0.5 on that row: the step relative to
//! max(|θ|, 1) is below the resolution of θ). When one row, or the saturated rows
//! (mᵢ > [`SATURATED`]) together, carry more than half of some diagonal entry of −∇²ℓ at a
//! converged fit, the other rows are fitted alone from there; if that point raises the full
//! ℓ, the full Newton fit is restarted from it. Otherwise the fit stands: a true maximum is
//! never moved. On data without such rows this costs one pass over the linear predictor.

use mle_core::transform::sigmoid_pair;
use mle_core::{Design, Fit, Objective, Result};
use mle_families::Bernoulli;
use mle_optim::FitOptions;
use nalgebra::DMatrix;

use crate::regression::Regression;

/// Margin beyond which a row's fitted probability is within e^−20 of its response.
pub(crate) const SATURATED: f64 = 20.0;

/// The rows left when those that dominate the curvature are set aside, if any do: a single
/// row carrying more than half of some diagonal entry of −∇²ℓ, or the saturated rows
/// together (`None` when no row dominates).
fn without_dominant_rows(x: &Design, y: &[f64], eta: &[f64], hessian: &DMatrix<f64>) -> Option<Vec<usize>> {
    let (n, p) = (x.nrows(), x.ncols());
    let m = x.matrix();
    let half: Vec<f64> = (0..p).map(|j| 0.5 * -hessian[(j, j)]).collect();
    // wᵢ = σ(mᵢ)σ(−mᵢ), split by whether row i is saturated (the other part zero), then the
    // shares wᵢx_ij² column by column (contiguous in the column-major design, no branch).
    let mut w_free = Vec::with_capacity(n);
    let mut w_saturated = Vec::with_capacity(n);
    let mut is_saturated = Vec::with_capacity(n);
    for i in 0..n {
        let margin = (2.0 * y[i] - 1.0) * eta[i];
        let (a, b) = sigmoid_pair(margin);
        let w = a * b;
        let saturated = margin > SATURATED;
        w_free.push(if saturated { 0.0 } else { w });
        w_saturated.push(if saturated { w } else { 0.0 });
        is_saturated.push(saturated);
    }
    let mut is_dominant = vec![false; n];
    let mut saturated_dominates = false;
    for (j, col) in m.column_iter().enumerate() {
        let mut saturated_curvature = 0.0;
        for (i, v) in col.iter().enumerate() {
            let v2 = v * v;
            saturated_curvature += w_saturated[i] * v2;
            is_dominant[i] |= w_free[i] * v2 > half[j];
        }
        saturated_dominates |= saturated_curvature > half[j];
    }
    let dominant = |i: usize| is_dominant[i] || (saturated_dominates && is_saturated[i]);
    let kept: Vec<usize> = (0..n).filter(|&i| !dominant(i)).collect();
    if kept.len() == n || kept.is_empty() {
        return None;
    }
    Some(kept)
}

/// Whether no row can dominate a diagonal entry of −∇²ℓ, from the design's column maxima
/// alone: wᵢ ≤ ¼, so row i carries at most max|x_j|²/4 of entry j. With every |ηᵢ| ≤
/// [`SATURATED`] (no saturated row) this rules out what [`restart_past_saturated_rows`] looks
/// for, without a pass over the data.
pub(crate) fn no_row_can_dominate(x: &Design, hessian: &DMatrix<f64>) -> bool {
    x.column_max_abs()
        .iter()
        .enumerate()
        .all(|(j, a)| 0.25 * a * a <= 0.5 * -hessian[(j, j)])
}

/// The converged `fit` with its linear predictor `eta`, or the full fit restarted past the
/// saturated rows that froze it (with its linear predictor when it converged).
pub(crate) fn restart_past_saturated_rows(
    regression: &Regression<'_, Bernoulli, 1>,
    options: &FitOptions,
    fit: Fit,
    eta: DMatrix<f64>,
) -> Result<(Fit, Option<DMatrix<f64>>)> {
    let (x, y) = (regression.design(0), regression.response());
    let Some(rows) = without_dominant_rows(x, y, eta.as_slice(), fit.hessian()) else {
        return Ok((fit, Some(eta)));
    };
    let sub_x = DMatrix::from_fn(rows.len(), x.ncols(), |r, c| x.matrix()[(rows[r], c)]);
    let Ok(sub) = Design::new(sub_x, x.names().iter().cloned()) else {
        return Ok((fit, Some(eta)));
    };
    let sub_y: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
    let Ok(sub_model) = Regression::logistic(&sub, &sub_y) else {
        return Ok((fit, Some(eta))); // e.g. a column that is zero on the other rows
    };
    let Ok(probe) = options.fit(sub_model.linear_objective(), fit.estimates().as_slice()) else {
        return Ok((fit, Some(eta)));
    };
    let objective = regression.linear_objective();
    let raised = objective.log_likelihood(probe.estimates().as_slice())?;
    if raised <= fit.log_likelihood() + 1e-8 * fit.log_likelihood().abs().max(1.0) {
        return Ok((fit, Some(eta)));
    }
    let restarted = options.fit(objective, probe.estimates().as_slice())?;
    let eta = match restarted.convergence().converged() {
        true => Some(objective.linear_predictors(restarted.estimates().as_slice())?),
        false => None,
    };
    Ok((restarted, eta))
}
