//! What the end point of a Newton run is: a maximum, a stationary point that is not one, a
//! direction of unbounded increase, or a runaway of the iterates — decided from exact
//! derivatives, for the solvers' `terminate`.

use std::collections::VecDeque;

use mle_core::fit::{ConvergenceStatus, Criterion};
use mle_core::{Evaluation, Parameter};
use nalgebra::{DMatrix, DVector};

use crate::adapter::{describe, round_off};

/// max |dᵢ| / max(|θᵢ|, 1) when it is at most 4ε (the step cannot change θ), else `None`.
pub(crate) fn step_below_resolution(d: &DVector<f64>, theta: &[f64]) -> Option<f64> {
    if d.len() != theta.len() || d.is_empty() {
        return None;
    }
    let rel = d
        .iter()
        .zip(theta)
        .map(|(di, t)| di.abs() / t.abs().max(1.0))
        .fold(0.0f64, f64::max);
    (rel <= 4.0 * f64::EPSILON).then_some(rel)
}

/// A steady growth of the iterates flagged by [`Runaway`] as diverging is judged on the exact
/// curvature at the last iterate: ℓ still rising along a direction of no negative curvature is
/// an unbounded likelihood (the direction is named); a negative definite ∇²ℓ means a local
/// quadratic model with a maximum — iterates chasing a moving optimum (NIST Lanczos1's σ̂ →
/// 1e-13), not a run-off — and the run goes on (`None`); anything else stays diverging.
pub(crate) fn refine_runaway(
    s: &ConvergenceStatus,
    e: &Evaluation,
    parameters: &[Parameter],
) -> Option<ConvergenceStatus> {
    match s {
        ConvergenceStatus::Diverging { .. } => {
            if let Some(u) = ascent_at_stall(e, parameters) {
                return Some(u);
            }
            let sc = ScaledCurvature::of(e)?;
            let min = sc.eigenvalues.min();
            (min < -1e-8 * sc.largest).then(|| s.clone())
        }
        other => Some(other.clone()),
    }
}

fn unbounded_along(v: &DVector<f64>, value: f64, parameters: &[Parameter]) -> ConvergenceStatus {
    let i = v.iamax();
    ConvergenceStatus::Unbounded {
        parameter: parameters
            .get(i)
            .map_or_else(|| format!("θ[{i}]"), |p| p.name.clone()),
        increasing: v[i] > 0.0,
        direction: describe(v, parameters),
        log_likelihood: value,
    }
}

/// At a candidate maximum (small decrement or gradient): `None` when it is one (∇²ℓ negative
/// definite, or flat without any ascent — a non-identified ridge, which the fit's information
/// diagnostic names); otherwise what it is instead: ℓ still rising along a direction without
/// negative curvature ([`ConvergenceStatus::Unbounded`]), or a positive eigenvalue of ∇²ℓ at a
/// stationary point ([`ConvergenceStatus::StationaryNotMaximum`]).
///
/// Judged on the correlation-scaled matrix D^-½(−∇²ℓ)D^-½, so badly scaled but well-determined
/// parameters pass.
pub(crate) fn not_a_maximum(e: &Evaluation, parameters: &[Parameter]) -> Option<ConvergenceStatus> {
    let sc = ScaledCurvature::of(e)?;
    if let Some((j, c)) = sc.flat_ascent(e.value, &e.gradient) {
        return Some(unbounded_along(&sc.direction(j, c.signum()), e.value, parameters));
    }
    if let Some((j, gain, threshold)) = sc.unresolved_flat_gain(e.value, &e.gradient) {
        return Some(ConvergenceStatus::Stalled {
            cause: format!(
                "the curvature along {} is below the resolution of ∇²ℓ (condition number beyond 1e12) \
                 while ℓ still rises there; the parametrisation is ill-conditioned (rescale or \
                 orthogonalise it)",
                describe(&sc.direction(j, 1.0), parameters)
            ),
            criterion: Criterion::Decrement {
                decrement: gain,
                tolerance: threshold,
            },
        });
    }
    let (j, &min) = sc
        .eigenvalues
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))?;
    if min < -1e-8 * sc.largest {
        let v = sc.direction(j, 1.0);
        let sym = (&e.hessian + e.hessian.transpose()) * 0.5;
        let largest_eigenvalue = v.dot(&(&sym * &v));
        return Some(ConvergenceStatus::StationaryNotMaximum {
            largest_eigenvalue,
            direction: describe(&v, parameters),
        });
    }
    None
}

/// Where a line search can no longer improve ℓ although the decrement is not small: ℓ rising
/// along a direction of no negative curvature means it runs off to +∞ there (σ → 0 on a single
/// observation, a collapsing mixture component).
pub(crate) fn ascent_at_stall(e: &Evaluation, parameters: &[Parameter]) -> Option<ConvergenceStatus> {
    let sc = ScaledCurvature::of(e)?;
    let (j, c) = sc.flat_ascent(e.value, &e.gradient)?;
    Some(unbounded_along(&sc.direction(j, c.signum()), e.value, parameters))
}

/// After an optimiser failure at θ (ℓ = `value` there): the likelihood ran off if the highest
/// ℓ evaluated (`best`, at `at`) is +∞, or higher than at θ at a point more than 1e8 times the
/// scale of θ away.
pub(crate) fn unbounded_at(
    at: &[f64],
    best: f64,
    value: f64,
    theta: &[f64],
    parameters: &[Parameter],
) -> Option<ConvergenceStatus> {
    if best.partial_cmp(&value) != Some(std::cmp::Ordering::Greater) || at.len() != theta.len() {
        return None;
    }
    let scale = theta.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    let far = at.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if best != f64::INFINITY && far <= RUNAWAY_SCALE * scale {
        return None;
    }
    let step = DVector::from_iterator(at.len(), at.iter().zip(theta).map(|(a, b)| a - b));
    let n = step.norm();
    if !(n > 0.0 && n.is_finite()) {
        return None;
    }
    Some(unbounded_along(&(step / n), best, parameters))
}

#[derive(Debug, Clone)]
struct Sample {
    theta: crate::newton::Theta,
    norm: f64,
    value: f64,
    gradient_norm: f64,
}

/// Detects iterates that run away: |θᵢ| beyond 1e8 times the starting scale with ℓ still
/// increasing ([`ConvergenceStatus::Unbounded`]), or, over a window of accepted steps, |θ|
/// and ℓ increasing at every step, |θ| at least doubling, while |∇ℓ| stays above half its
/// value at the start of the window ([`ConvergenceStatus::Diverging`]).
#[derive(Debug, Clone)]
pub(crate) struct Runaway {
    scale: f64,
    window: usize,
    history: VecDeque<Sample>,
}

/// Runaway |θᵢ| relative to the starting scale max(1, |θ₀|∞).
const RUNAWAY_SCALE: f64 = 1e8;

impl Runaway {
    pub(crate) fn new(theta0: &[f64], value: f64, gradient_norm: f64, window: usize) -> Self {
        let scale = theta0.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let mut history = VecDeque::with_capacity(window + 2);
        history.push_back(Sample {
            theta: crate::newton::Theta::from_slice(theta0),
            norm: theta0.iter().map(|v| v * v).sum::<f64>().sqrt(),
            value,
            gradient_norm,
        });
        Runaway {
            scale,
            window,
            history,
        }
    }

    pub(crate) fn observe(
        &mut self,
        theta: &[f64],
        value: f64,
        gradient_norm: f64,
        iterations: u64,
        parameters: &[Parameter],
    ) -> Option<ConvergenceStatus> {
        let name = |i: usize| {
            parameters
                .get(i)
                .map_or_else(|| format!("θ[{i}]"), |p| p.name.clone())
        };
        // |θ| far beyond its starting scale with ℓ still rising since the previous sample.
        let far_out = theta
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .and_then(|(i, &far)| {
                let prev = self.history.back()?;
                (far.abs() > RUNAWAY_SCALE * self.scale && value > prev.value).then(|| {
                    let step = DVector::from_iterator(
                        theta.len(),
                        theta.iter().zip(&prev.theta).map(|(a, b)| a - b),
                    );
                    let n = step.norm();
                    let step = if n > 0.0 && n.is_finite() { step / n } else { step };
                    ConvergenceStatus::Unbounded {
                        parameter: name(i),
                        increasing: far > 0.0,
                        direction: describe(&step, parameters),
                        log_likelihood: value,
                    }
                })
            });
        // The window slides; the sample that drops out lends its buffer to the new one.
        let mut buffer = if self.history.len() > self.window {
            self.history.pop_front().map(|s| s.theta).unwrap_or_default()
        } else {
            crate::newton::Theta::with_capacity(theta.len())
        };
        buffer.clear();
        buffer.extend_from_slice(theta);
        self.history.push_back(Sample {
            theta: buffer,
            norm: theta.iter().map(|v| v * v).sum::<f64>().sqrt(),
            value,
            gradient_norm,
        });
        if theta.is_empty() {
            return None;
        }
        if far_out.is_some() {
            return far_out;
        }
        if self.history.len() == self.window + 1 {
            let h = &self.history;
            let first = &h[0];
            let last = &h[h.len() - 1];
            let monotone = h
                .iter()
                .zip(h.iter().skip(1))
                .all(|(a, b)| b.norm > a.norm && b.value > a.value);
            let gradient_holds = h.iter().all(|s| s.gradient_norm >= 0.5 * first.gradient_norm);
            if monotone && gradient_holds && last.norm >= 2.0 * first.norm {
                let (j, _) = last
                    .theta
                    .iter()
                    .zip(&first.theta)
                    .map(|(a, b)| (a - b).abs())
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(&b.1))?;
                return Some(ConvergenceStatus::Diverging {
                    parameter: name(j),
                    value: last.theta[j],
                    iterations,
                });
            }
        }
        None
    }
}

/// The correlation-scaled curvature of −ℓ at an evaluation: the scale s (1/√|diag|, 1 where
/// the diagonal is 0) and the eigen-decomposition of S(−∇²ℓ)S.
pub(crate) struct ScaledCurvature {
    scale: DVector<f64>,
    eigenvalues: DVector<f64>,
    eigenvectors: DMatrix<f64>,
    largest: f64,
}

impl ScaledCurvature {
    fn of(e: &Evaluation) -> Option<Self> {
        let k = e.gradient.len();
        if k == 0 || !e.hessian.iter().chain(e.gradient.iter()).all(|v| v.is_finite()) {
            return None;
        }
        let info = -(&e.hessian + e.hessian.transpose()) * 0.5;
        // A coordinate without curvature keeps unit scale: flooring it relative to the
        // largest diagonal would make small but genuine curvatures (a mixture weight next to
        // a collapsing σ with 1/σ² ≈ 1e28) look flat.
        let scale = info
            .diagonal()
            .map(|d| if d.abs() > 0.0 { 1.0 / d.abs().sqrt() } else { 1.0 });
        let m = DMatrix::from_fn(k, k, |r, c| info[(r, c)] * scale[r] * scale[c]);
        let eig = m.symmetric_eigen();
        let largest = eig.eigenvalues.amax();
        Some(ScaledCurvature {
            scale,
            eigenvalues: eig.eigenvalues,
            eigenvectors: eig.eigenvectors,
            largest,
        })
    }

    /// Eigenvector j back on the original scale, unit length, with the given sign.
    fn direction(&self, j: usize, sign: f64) -> DVector<f64> {
        let v = self.eigenvectors.column(j).component_mul(&self.scale) * sign;
        let n = v.norm();
        if n > 0.0 {
            v / n
        } else {
            v
        }
    }

    /// The steepest ascent of ℓ along a direction where −ℓ has no positive curvature (below
    /// the 1e-12 resolution of the step, on the scaled matrix): (eigen-index, slope of ℓ per
    /// unit step along the unit direction in θ), when the slope is clearly above round-off.
    /// The slope is measured in θ units, not scaled ones: the scale of a coordinate without
    /// curvature is arbitrary (a collapsing σ next to a huge curvature in μ).
    /// A direction without resolvable curvature (scaled eigenvalue ≤ 1e-12 of the largest)
    /// along which ℓ still rises by more than round-off could explain: the Newton gain
    /// (v·S∇ℓ)² / 2λ, with λ floored at 1e-14 of the largest eigenvalue (the round-off of the
    /// scaled ∇²ℓ), is a lower bound on the increase still available; `Some((j, gain))` when it
    /// exceeds 1e-6 and ℓ's own rounding (with that threshold) and the slope is 100 times
    /// ℓ's round-off.
    fn unresolved_flat_gain(&self, value: f64, gradient: &DVector<f64>) -> Option<(usize, f64, f64)> {
        let flat = 1e-12 * self.largest;
        let floor = 1e-14 * self.largest;
        let scaled = gradient.component_mul(&self.scale);
        let threshold = 1e-6f64.max(round_off(value));
        (0..self.eigenvalues.len())
            .filter(|&j| self.eigenvalues[j] <= flat)
            // The slope itself must be clearly above the gradient's round-off (in θ units, as
            // in `flat_ascent`): on a plateau (a parameter without effect, curvature 1e-48)
            // a gradient of 1e-14 would otherwise predict a huge gain.
            .filter(|&j| self.direction(j, 1.0).dot(gradient).abs() > 1e2 * round_off(value))
            .map(|j| {
                let c = self.eigenvectors.column(j).dot(&scaled);
                (j, c * c / (2.0 * self.eigenvalues[j].max(floor)))
            })
            .filter(|(_, gain)| *gain > threshold)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(j, gain)| (j, gain, threshold))
    }

    fn flat_ascent(&self, value: f64, gradient: &DVector<f64>) -> Option<(usize, f64)> {
        let flat = 1e-12 * self.largest;
        let slope_tol = 1e-6 * round_off(value).sqrt().max(1.0);
        (0..self.eigenvalues.len())
            .filter(|&j| self.eigenvalues[j] <= flat)
            .map(|j| (j, self.direction(j, 1.0).dot(gradient)))
            .filter(|(_, c)| c.abs() > slope_tol)
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
    }
}

/// Parameters up to which [`clearly_a_maximum`] works on the stack.
const CLEAR_MAX_K: usize = 8;

/// Whether [`not_a_maximum`] must find a maximum at `e`, decided from `factor`, whose lower
/// triangle is the Cholesky factor L of −∇²ℓ = LLᵀ at this evaluation (the Newton step's):
/// on the correlation scale M = S(−∇²ℓ)S of the verdict, λmax(M) ≤ tr M = k and
/// λmin(M) ≥ 1/tr M⁻¹ = 1/Σⱼ dⱼ Σᵢ (L⁻¹)ᵢⱼ² (dⱼ the diagonal of −∇²ℓ), so a condition
/// number bound below 1e10 — a hundred times inside the 1e-12 flatness threshold, whatever
/// the round-off of the eigenvalues — leaves no flat or ascending direction for the
/// eigen-decomposition to find. `false` (decide by the eigen-decomposition) when the bound
/// is larger, ∇²ℓ is not exactly symmetric or not finite, or k > 8.
pub(crate) fn clearly_a_maximum(e: &Evaluation, factor: &DMatrix<f64>) -> bool {
    let k = e.gradient.len();
    if k == 0 || k > CLEAR_MAX_K || factor.shape() != (k, k) || e.hessian.shape() != (k, k) {
        return false;
    }
    let h = &e.hessian;
    if !h.iter().chain(e.gradient.iter()).all(|v| v.is_finite()) {
        return false;
    }
    if (0..k).any(|c| (c + 1..k).any(|r| h[(r, c)] != h[(c, r)])) {
        return false;
    }
    let mut trace_inverse = 0.0;
    for j in 0..k {
        let d = -h[(j, j)];
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        // Column j of L⁻¹ by forward substitution: L y = eⱼ, yᵢ = 0 for i < j.
        let mut y = [0.0; CLEAR_MAX_K];
        for i in j..k {
            let mut s = if i == j { 1.0 } else { 0.0 };
            for m in j..i {
                s -= factor[(i, m)] * y[m];
            }
            y[i] = s / factor[(i, i)];
        }
        trace_inverse += d * y[j..k].iter().map(|v| v * v).sum::<f64>();
    }
    let bound = k as f64 * trace_inverse;
    bound.is_finite() && bound < 1e10
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Cholesky bound says "a maximum" only where the eigen-decomposition does, and
    /// leaves nearly flat, indefinite or asymmetric curvature to it.
    #[test]
    fn cholesky_bound_agrees_with_the_eigen_verdict() {
        let ps = [Parameter::identity("a"), Parameter::identity("b")];
        let eval = |h: [f64; 4]| Evaluation {
            value: -1.0,
            gradient: DVector::zeros(2),
            hessian: DMatrix::from_row_slice(2, 2, &h),
        };
        let factor = |e: &Evaluation| (-&e.hessian).cholesky().map(|c| c.unpack_dirty());
        // Well conditioned, and badly scaled but well determined (unit correlation matrix).
        for h in [[-2.0, 0.5, 0.5, -1.0], [-1e12, 0.0, 0.0, -1e-6]] {
            let e = eval(h);
            assert!(clearly_a_maximum(&e, &factor(&e).unwrap()), "{h:?}");
            assert!(not_a_maximum(&e, &ps).is_none());
        }
        // A correlation of 1 − 1e-13: positive definite, but too flat for the bound.
        let r = 1.0 - 1e-13;
        let e = eval([-1.0, -r, -r, -1.0]);
        assert!(!clearly_a_maximum(&e, &factor(&e).unwrap()));
        // Not exactly symmetric: left to the eigen-decomposition.
        let e = eval([-2.0, 0.5, 0.5 + 1e-15, -1.0]);
        assert!(!clearly_a_maximum(&e, &factor(&e).unwrap()));
        // A factor of the wrong size.
        assert!(!clearly_a_maximum(
            &eval([-2.0, 0.5, 0.5, -1.0]),
            &DMatrix::identity(1, 1)
        ));
    }
}
