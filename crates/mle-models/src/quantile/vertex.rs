//! The exact vertex: a basis of p interpolated observations, the optimality certificate
//! (dual values in [τ − 1, τ]) and the simplex pivots that polish a near-optimal basis (from
//! the interior point) into the optimal vertex.

use mle_core::summation::sum_blocks;
use mle_core::{MleError, Result};
use mle_families::asymmetric_laplace::check_loss;
use nalgebra::{DMatrix, DVector};

use super::rows::{compensated_check_loss, dot, residuals, Rows};
use super::simplex::barrodale_roberts;
use super::{QuantileAlgorithm, QuantileSolution, AUTO_SIMPLEX_MAX_CELLS};

/// A vertex of the quantile-regression LP.
#[derive(Debug, Clone)]
pub(crate) struct Vertex {
    pub(crate) beta: Vec<f64>,
    pub(crate) basis: Vec<usize>,
    pub(crate) algorithm: QuantileAlgorithm,
    pub(crate) ipm_iterations: usize,
    pub(crate) pivots: usize,
    pub(crate) nonunique: bool,
}

pub(crate) fn singular_basis() -> MleError {
    MleError::SingularInformation {
        detail: "the basic observations of the quantile-regression vertex are linearly dependent \
                 (the design is numerically rank deficient)"
            .into(),
    }
}

/// Solves X_B β = y_B for the basis rows; `None` if X_B is singular.
pub(crate) fn solve_basis(rows: &Rows, y: &[f64], basis: &[usize]) -> Option<(DVector<f64>, DMatrix<f64>)> {
    let p = rows.p;
    let xb = DMatrix::from_fn(p, p, |a, j| rows.row(basis[a])[j]);
    let yb = DVector::from_fn(p, |a, _| y[basis[a]]);
    let lu = xb.lu();
    let beta = lu.solve(&yb)?;
    let inv = lu.try_inverse()?;
    (beta.iter().all(|v| v.is_finite()) && inv.iter().all(|v| v.is_finite())).then_some((beta, inv))
}

pub(crate) fn solution_from_vertex(
    rows: &Rows,
    y: &[f64],
    tau: f64,
    names: Vec<String>,
    v: Vertex,
) -> QuantileSolution {
    let mut residuals = residuals(rows, y, &v.beta);
    for &b in &v.basis {
        residuals[b] = 0.0;
    }
    let objective = compensated_check_loss(&residuals, tau);
    QuantileSolution {
        tau,
        names,
        coefficients: DVector::from_vec(v.beta),
        objective,
        residuals,
        basis: v.basis,
        algorithm: v.algorithm,
        interior_point_iterations: v.ipm_iterations,
        simplex_pivots: v.pivots,
        possibly_nonunique: v.nonunique,
    }
}

/// The p observations with the smallest |residual| whose rows are linearly independent
/// (greedy, modified Gram–Schmidt).
pub(crate) fn choose_basis(rows: &Rows, r: &[f64]) -> Result<Vec<usize>> {
    let (n, p) = (rows.n, rows.p);
    let by_abs = |a: &usize, b: &usize| r[*a].abs().total_cmp(&r[*b].abs()).then(a.cmp(b));
    let mut order: Vec<usize> = (0..n).collect();
    let first = n.min(4 * p + 16);
    if first < n {
        order.select_nth_unstable_by(first, by_abs);
    }
    order[..first].sort_by(by_abs);
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(p);
    let mut basis = Vec::with_capacity(p);
    let mut sorted_all = first == n;
    let mut pos = 0;
    while basis.len() < p {
        if pos == first && !sorted_all {
            order[first..].sort_by(by_abs);
            sorted_all = true;
        }
        if pos >= n {
            return Err(singular_basis());
        }
        let i = order[pos];
        pos += 1;
        let x = rows.row(i);
        let norm0 = x.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm0 == 0.0 {
            continue;
        }
        let mut v = x.to_vec();
        for e in &q {
            let c = dot(e, &v);
            for (vj, ej) in v.iter_mut().zip(e) {
                *vj -= c * ej;
            }
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm > 1e-9 * norm0 {
            v.iter_mut().for_each(|a| *a /= norm);
            q.push(v);
            basis.push(i);
        }
    }
    Ok(basis)
}

/// Base tolerance on the dual values d ∈ [τ − 1, τ]; a round-off allowance proportional to
/// Σ|xᵢ| (propagated through X_B⁻ᵀ) is added for large n.
const DUAL_TOLERANCE: f64 = 1e-10;

/// How a run of vertex pivots ended.
enum PolishEnd {
    Optimal(Vertex),
    /// No decrease of the check loss for many pivots (a degenerate vertex) or the budget is
    /// spent: the current basis.
    Stalled(Vec<usize>, usize),
}

/// From a basis near the optimum (the p observations with the smallest residuals at a point
/// near it) to the optimal vertex: simplex pivots until every dual value of the basic
/// observations lies in [τ − 1, τ]. At a degenerate vertex (more than p zero residuals, e.g.
/// integer data) the pivots can stall; the basis is then re-optimised on a tiny deterministic
/// perturbation of y (nondegenerate), and the optimality of the resulting basis is certified
/// on the original data (zero residuals take the sign they have under the perturbation —
/// any value in [τ − 1, τ] is a subgradient there). If that fails, the Barrodale–Roberts
/// simplex solves the problem from scratch (up to n·p = 10⁶; beyond, a `NoConvergence`
/// error rather than hours of pivoting).
pub(crate) fn vertex_from_basis(rows: &Rows, y: &[f64], tau: f64, basis: Vec<usize>) -> Result<Vertex> {
    let budget = 1000 + 10 * rows.p + rows.n;
    let (basis, used) = match polish_from(rows, y, None, tau, basis, budget, true)? {
        PolishEnd::Optimal(v) => return Ok(v),
        PolishEnd::Stalled(basis, used) => (basis, used),
    };
    let (beta, _) = solve_basis(rows, y, &basis).ok_or_else(singular_basis)?;
    let r = residuals(rows, y, beta.as_slice());
    let scale = r.iter().map(|v| v.abs()).sum::<f64>() / r.len() as f64;
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let perturbed: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(i, &v)| v + 1e-7 * scale * hash_uniform(i as u64))
        .collect();
    let (basis, used2) = match polish_from(rows, &perturbed, None, tau, basis, budget, false)? {
        PolishEnd::Optimal(v) => (v.basis, v.pivots),
        PolishEnd::Stalled(basis, used) => (basis, used),
    };
    match polish_from(rows, y, Some(&perturbed), tau, basis, 0, false)? {
        PolishEnd::Optimal(mut v) => {
            v.pivots += used + used2;
            Ok(v)
        }
        PolishEnd::Stalled(..) if rows.n * rows.p > 50 * AUTO_SIMPLEX_MAX_CELLS => {
            Err(MleError::NoConvergence {
                reason:
                    "the vertex step could not certify an optimal vertex (degenerate problem at the limit \
                     of double precision); the Barrodale–Roberts simplex would be too slow at this size"
                        .into(),
                iterations: (used + used2) as u64,
                gradient_norm: f64::NAN,
                last: Vec::new(),
            })
        }
        PolishEnd::Stalled(..) => barrodale_roberts(rows, y, tau).map(|mut v| {
            v.algorithm = QuantileAlgorithm::BarrodaleRoberts;
            v
        }),
    }
}

/// A deterministic value in (−1, 1) from an index (SplitMix64).
fn hash_uniform(i: u64) -> f64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    2.0 * ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64 - 1.0
}

/// Simplex pivots from `basis` (steepest violated dual value leaves; the entering
/// observation is the breakpoint where the directional derivative turns non-negative, found
/// by a weighted selection in O(n)). `signs_from`: residuals that are zero up to round-off
/// take their sign from this response instead (a certificate for a degenerate vertex).
/// `detect_stall`: give up after a few pivots that do not decrease the check loss (only
/// possible at a degenerate vertex; off for the perturbed, nondegenerate problem, whose
/// decreases can be tiny).
fn polish_from(
    rows: &Rows,
    y: &[f64],
    signs_from: Option<&[f64]>,
    tau: f64,
    mut basis: Vec<usize>,
    budget: usize,
    detect_stall: bool,
) -> Result<PolishEnd> {
    // A nondegenerate pivot strictly decreases the check loss: a few that do not mean a
    // degenerate vertex.
    const STALL_LIMIT: usize = 4;
    let mut state = Pivoting::new(rows, tau);
    let (mut best, mut stall) = (f64::INFINITY, 0usize);
    let mut pivots = 0;
    loop {
        let (beta, inv) = state.residuals_at(y, signs_from, &basis)?;
        let (d, allowance) = state.dual_values(&inv);
        let Some(k) = most_violated(&d, &allowance, tau) else {
            let nonunique = d.iter().zip(allowance.iter()).any(|(&dk, &extra)| {
                let tol = DUAL_TOLERANCE + extra;
                (dk - tau).abs() <= tol || (dk - (tau - 1.0)).abs() <= tol
            });
            return Ok(PolishEnd::Optimal(Vertex {
                beta: beta.iter().copied().collect(),
                basis,
                algorithm: QuantileAlgorithm::FrischNewton,
                ipm_iterations: 0,
                pivots,
                nonunique,
            }));
        };
        let objective: f64 = state.r.iter().map(|&v| check_loss(v, tau)).sum();
        if objective < best - 1e-13 * best.abs() {
            best = objective;
            stall = 0;
        } else {
            stall += 1;
        }
        if pivots >= budget || (detect_stall && stall > STALL_LIMIT) {
            return Ok(PolishEnd::Stalled(basis, pivots));
        }
        basis[k] = state.entering(&inv, k, d[k]).ok_or_else(singular_basis)?;
        pivots += 1;
    }
}

/// The basic observation whose dual value lies farthest outside [τ − 1, τ] (beyond the
/// tolerance and its round-off allowance), if any.
fn most_violated(d: &DVector<f64>, allowance: &DVector<f64>, tau: f64) -> Option<usize> {
    let mut worst = 0.0;
    let mut leaving = None;
    for (k, &dk) in d.iter().enumerate() {
        let violation = (dk - tau).max((tau - 1.0) - dk) - DUAL_TOLERANCE - allowance[k];
        if violation > worst {
            worst = violation;
            leaving = Some(k);
        }
    }
    leaving
}

/// Work space of the vertex pivots: which observations are basic, the residuals at the
/// current vertex, the directional changes of a pivot and the ratio-test candidates.
struct Pivoting<'a> {
    rows: &'a Rows,
    tau: f64,
    is_basic: Vec<bool>,
    r: Vec<f64>,
    g: Vec<f64>,
    candidates: Vec<(f64, f64, usize)>,
    /// Σᵢ |xᵢⱼ| per column: the scale of the round-off in the dual values.
    abs_sums: DVector<f64>,
}

impl<'a> Pivoting<'a> {
    fn new(rows: &'a Rows, tau: f64) -> Self {
        let (n, p) = (rows.n, rows.p);
        let abs_sums = DVector::from_vec(sum_blocks(n, p, |range, out| {
            for i in range {
                for (o, &xj) in out.iter_mut().zip(rows.row(i)) {
                    *o += xj.abs();
                }
            }
        }));
        Pivoting {
            rows,
            tau,
            is_basic: vec![false; n],
            r: vec![0.0; n],
            g: vec![0.0; n],
            candidates: Vec::new(),
            abs_sums,
        }
    }

    /// β and X_B⁻¹ at the basis, and the residuals (exactly 0 for the basic observations;
    /// with `signs_from`, residuals that vanish up to round-off take the sign they have under
    /// that response).
    fn residuals_at(
        &mut self,
        y: &[f64],
        signs_from: Option<&[f64]>,
        basis: &[usize],
    ) -> Result<(DVector<f64>, DMatrix<f64>)> {
        let rows = self.rows;
        let (beta, inv) = solve_basis(rows, y, basis).ok_or_else(singular_basis)?;
        self.is_basic.iter_mut().for_each(|b| *b = false);
        for &b in basis {
            self.is_basic[b] = true;
        }
        for (i, ri) in self.r.iter_mut().enumerate() {
            *ri = if self.is_basic[i] {
                0.0
            } else {
                y[i] - dot(rows.row(i), beta.as_slice())
            };
        }
        if let Some(yp) = signs_from {
            let (bp, _) = solve_basis(rows, yp, basis).ok_or_else(singular_basis)?;
            let scale = self.r.iter().map(|v| v.abs()).fold(0.0, f64::max);
            for (i, ri) in self.r.iter_mut().enumerate() {
                if !self.is_basic[i] && ri.abs() <= 1e-12 * scale {
                    let rp = yp[i] - dot(rows.row(i), bp.as_slice());
                    *ri = if rp < 0.0 { -f64::MIN_POSITIVE } else { 0.0 };
                }
            }
        }
        Ok((beta, inv))
    }

    /// The dual values of the basic observations, d = −X_B⁻ᵀ Σ_{i∉B} ψ_τ(rᵢ) xᵢ, and their
    /// round-off allowances.
    fn dual_values(&self, inv: &DMatrix<f64>) -> (DVector<f64>, DVector<f64>) {
        let (rows, tau) = (self.rows, self.tau);
        let (is_basic, r) = (&self.is_basic, &self.r);
        let a = sum_blocks(rows.n, rows.p, |range, out| {
            for i in range {
                if !is_basic[i] {
                    let psi = if r[i] < 0.0 { tau - 1.0 } else { tau };
                    for (o, &xj) in out.iter_mut().zip(rows.row(i)) {
                        *o += psi * xj;
                    }
                }
            }
        });
        let d = -(inv.transpose() * DVector::from_vec(a));
        let allowance = inv.abs().transpose() * &self.abs_sums * 1e-14;
        (d, allowance)
    }

    /// The observation that enters when basic observation k (dual value `dk`) leaves: the
    /// breakpoint along the edge where the directional derivative turns non-negative.
    fn entering(&mut self, inv: &DMatrix<f64>, k: usize, dk: f64) -> Option<usize> {
        let (rows, tau) = (self.rows, self.tau);
        // d_k > τ: free residual k upwards (δ = −X_B⁻¹e_k), slope τ − d_k;
        // d_k < τ − 1: downwards (δ = X_B⁻¹e_k), slope d_k + 1 − τ.
        let up = dk > tau;
        let sign = if up { -1.0 } else { 1.0 };
        let delta: Vec<f64> = (0..rows.p).map(|j| sign * inv[(j, k)]).collect();
        let slope = if up { tau - dk } else { dk + 1.0 - tau };
        let mut gmax = 0.0f64;
        for (i, gi) in self.g.iter_mut().enumerate() {
            *gi = if self.is_basic[i] {
                0.0
            } else {
                dot(rows.row(i), &delta)
            };
            gmax = gmax.max(gi.abs());
        }
        let gtol = 1e-13 * gmax;
        self.candidates.clear();
        for (i, (&gi, &ri)) in self.g.iter().zip(&self.r).enumerate() {
            if self.is_basic[i] || gi.abs() <= gtol {
                continue;
            }
            if (ri >= 0.0 && gi > 0.0) || (ri < 0.0 && gi < 0.0) {
                self.candidates.push(((ri / gi).max(0.0), gi.abs(), i));
            }
        }
        let pos = weighted_select(&mut self.candidates, -slope)?;
        Some(self.candidates[pos].2)
    }
}

/// Position (after partial reordering) of the smallest breakpoint t* with
/// Σ_{t ≤ t*} weight ≥ `need` (ties broken by observation index), in expected O(len).
fn weighted_select(c: &mut [(f64, f64, usize)], mut need: f64) -> Option<usize> {
    let cmp = |a: &(f64, f64, usize), b: &(f64, f64, usize)| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2));
    let (mut lo, mut hi) = (0usize, c.len());
    while lo < hi {
        let mid = (hi - lo) / 2;
        c[lo..hi].select_nth_unstable_by(mid, cmp);
        let piv = lo + mid;
        let left: f64 = c[lo..piv].iter().map(|e| e.1).sum();
        if left >= need {
            hi = piv;
        } else if left + c[piv].1 >= need {
            return Some(piv);
        } else {
            need -= left + c[piv].1;
            lo = piv + 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantile::rows::check_loss_sum;
    use crate::quantile::rows::testing::seeded;

    #[test]
    fn weighted_selection_finds_the_breakpoint() {
        // Breakpoints 3, 1, 2 with weights 1, 1, 2: cumulative 1 (t = 1), 3 (t = 2), 4 (t = 3).
        let base = vec![(3.0, 1.0, 0), (1.0, 1.0, 1), (2.0, 2.0, 2)];
        for (need, t) in [(0.5, 1.0), (1.0, 1.0), (1.5, 2.0), (3.0, 2.0), (3.5, 3.0)] {
            let mut c = base.clone();
            let pos = weighted_select(&mut c, need).unwrap();
            assert_eq!(c[pos].0, t, "need {need}");
        }
        assert_eq!(weighted_select(&mut base.clone(), 4.5), None);
    }

    #[test]
    fn basis_skips_dependent_rows() {
        // Smallest |r| first: rows 2 and 0 are equal, so row 0 is skipped for row 1.
        let rows = Rows::from_fn(4, 2, |i, j| match (i, j) {
            (_, 0) => 1.0,
            (0, _) | (2, _) => 5.0,
            (i, _) => i as f64,
        });
        let basis = choose_basis(&rows, &[0.1, 0.3, 0.0, 0.9]).unwrap();
        assert_eq!(basis, vec![2, 1]);
        let zero = Rows::from_fn(3, 2, |_, _| 0.0);
        assert!(choose_basis(&zero, &[0.0; 3]).is_err());
    }

    #[test]
    fn two_points_are_an_optimal_vertex() {
        let rows = Rows::from_fn(2, 2, |i, j| if j == 0 { 1.0 } else { i as f64 });
        let v = vertex_from_basis(&rows, &[1.0, 3.0], 0.5, vec![1, 0]).unwrap();
        assert_eq!(v.pivots, 0);
        assert!((v.beta[0] - 1.0).abs() < 1e-15 && (v.beta[1] - 2.0).abs() < 1e-15);
    }

    #[test]
    fn pivots_from_a_poor_basis_reach_the_optimum() {
        // Start from the p observations with the largest residuals at the least-squares-like
        // fit β = (1, ½, 1): the pivots must still end at the simplex's check loss.
        for (integer, seed) in [(false, 3), (true, 4)] {
            let (rows, y) = seeded(200, 3, seed, integer);
            let r = residuals(&rows, &y, &[1.0, 0.5, 1.0]);
            let far_first: Vec<f64> = r.iter().map(|v| 1.0 / (v.abs() + 1e-300)).collect();
            let start = choose_basis(&rows, &far_first).unwrap();
            for tau in [0.25, 0.5] {
                let exact = barrodale_roberts(&rows, &y, tau).unwrap();
                let best = check_loss_sum(&rows, &y, &exact.beta, tau);
                let v = vertex_from_basis(&rows, &y, tau, start.clone()).unwrap();
                let ours = check_loss_sum(&rows, &y, &v.beta, tau);
                assert!(
                    (ours - best).abs() <= 1e-12 * best,
                    "integer {integer}, τ = {tau}: {ours} vs {best}"
                );
                assert!(v.pivots > 0);
            }
        }
    }

    #[test]
    fn perturbation_is_deterministic_and_small() {
        let u: Vec<f64> = (0..1000).map(hash_uniform).collect();
        assert!(u.iter().all(|v| v.abs() < 1.0));
        assert_eq!(u[17], hash_uniform(17));
        let mean = u.iter().sum::<f64>() / 1000.0;
        assert!(mean.abs() < 0.1);
    }
}
