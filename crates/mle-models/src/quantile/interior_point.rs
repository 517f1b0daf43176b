//! The Frisch–Newton interior point (primal–dual, Mehrotra predictor–corrector) as
//! `quantreg::rq.fit.fnb`, the Portnoy–Koenker preprocessing for large n
//! (`rq.fit.pfn`), and the hand-over to the exact vertex step.

use mle_core::Result;
use nalgebra::{Cholesky, DMatrix, DVector, Dyn};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::rows::{compensated_sum, dot, gram, residuals, Rows};
use super::vertex::{choose_basis, singular_basis, vertex_from_basis, Vertex};

/// Frisch–Newton interior point, then the exact vertex step. For large n (when
/// m = ((p + 1) n)^(2/3) ≤ n/4) with the preprocessing of Portnoy & Koenker (1997), as
/// `quantreg::rq.fit.pfn`: fit a subsample of m observations, keep the ≈ 0.8 m observations
/// nearest that fit (in units of their leverage), replace those above / below by one
/// pseudo-observation each (sums of their rows and responses), solve the reduced problem and
/// check the signs of the globbed residuals (fixing up a few, or doubling m). The check loss
/// of the reduced problem is below the full one everywhere and equal at its solution when the
/// signs hold, so that solution is optimal; the vertex step on the full data verifies it
/// (and pivots if needed), so exactness never rests on the heuristic.
pub(crate) fn interior_point_vertex(rows: &Rows, y: &[f64], tau: f64) -> Result<Vertex> {
    let (n, p) = (rows.n, rows.p);
    let m = (((p + 1) * n) as f64).powf(2.0 / 3.0).round() as usize;
    if 4 * m <= n
        && let Ok(v) = preprocessed_vertex(rows, y, tau, m)
    {
        return Ok(v);
    }
    let (beta, iterations) = frisch_newton(rows, y, tau)?;
    let basis = choose_basis(rows, &residuals(rows, y, &beta))?;
    let mut v = vertex_from_basis(rows, y, tau, basis)?;
    v.ipm_iterations += iterations;
    Ok(v)
}

fn preprocessed_vertex(rows: &Rows, y: &[f64], tau: f64, mut m: usize) -> Result<Vertex> {
    const MAX_BAD_FIXUPS: usize = 3;
    let (n, p) = (rows.n, rows.p);
    let mut rng = StdRng::seed_from_u64(0x5155_414e_5452_4547);
    let mut iterations = 0;
    loop {
        if 2 * m >= n {
            return Err(singular_basis()); // not worth it: the caller solves directly
        }
        let mut side = initial_sides(rows, y, tau, m, &mut rng, &mut iterations)?;
        let big_m = 0.8 * m as f64;
        let mut bad_fixups = 0;
        loop {
            let (reduced, yr, kept) = globbed_problem(rows, y, &side);
            let (br, it) = frisch_newton(&reduced, &yr, tau)?;
            iterations += it;
            let basis_r = choose_basis(&reduced, &residuals(&reduced, &yr, &br))?;
            let v = vertex_from_basis(&reduced, &yr, tau, basis_r)?;
            let r = residuals(rows, y, &v.beta);
            let bad: Vec<usize> = (0..n)
                .filter(|&i| (side[i] == 1 && r[i] < 0.0) || (side[i] == -1 && r[i] > 0.0))
                .collect();
            if bad.is_empty() {
                // Map the basis back; a basic pseudo-observation (unlikely) → nearest vertex.
                let basis: Vec<usize> = v
                    .basis
                    .iter()
                    .filter(|&&b| b < kept.len())
                    .map(|&b| kept[b])
                    .collect();
                let basis = if basis.len() == p {
                    basis
                } else {
                    choose_basis(rows, &r)?
                };
                let mut full = vertex_from_basis(rows, y, tau, basis)?;
                full.ipm_iterations = iterations;
                full.pivots += v.pivots;
                return Ok(full);
            }
            if bad.len() as f64 > 0.1 * big_m || bad_fixups >= MAX_BAD_FIXUPS {
                m *= 2;
                break;
            }
            for i in bad {
                side[i] = 0;
            }
            bad_fixups += 1;
        }
    }
}

/// Fits a random subsample of m observations and classifies every observation by its
/// residual in units of its leverage band: −1 globbed below, +1 globbed above, 0 kept (about
/// 0.8 m kept around the τ-quantile).
fn initial_sides(
    rows: &Rows,
    y: &[f64],
    tau: f64,
    m: usize,
    rng: &mut StdRng,
    iterations: &mut usize,
) -> Result<Vec<i8>> {
    let (n, p) = (rows.n, rows.p);
    let mut sample = rand::seq::index::sample(rng, n, m).into_vec();
    sample.sort_unstable();
    let sub = rows.select(&sample);
    let ys: Vec<f64> = sample.iter().map(|&i| y[i]).collect();
    let (b0, it) = frisch_newton(&sub, &ys, tau)?;
    *iterations += it;
    // band_i = ‖L⁻¹ xᵢ‖ with XₛᵀXₛ = L Lᵀ: the scale of xᵢᵀ(β̂ₛ − β).
    let l = gram(&sub, None).cholesky().ok_or_else(singular_basis)?.l();
    let linv = l
        .solve_lower_triangular(&DMatrix::identity(p, p))
        .ok_or_else(singular_basis)?;
    let mut band = vec![0.0; n];
    let mut ratio = vec![0.0; n];
    let r = residuals(rows, y, &b0);
    for i in 0..n {
        let x = rows.row(i);
        let mut ss = 0.0;
        for a in 0..p {
            let v: f64 = (0..=a).map(|j| linv[(a, j)] * x[j]).sum();
            ss += v * v;
        }
        band[i] = ss.sqrt();
        ratio[i] = r[i] / band[i].max(1e-6);
    }
    let big_m = 0.8 * m as f64;
    let nf = n as f64;
    let lo_q = (1.0 / nf).max(tau - big_m / (2.0 * nf));
    let hi_q = (tau + big_m / (2.0 * nf)).min((nf - 1.0) / nf);
    let kth = |q: f64, v: &mut [f64]| -> f64 {
        let k = ((q * nf).ceil() as usize).clamp(1, n) - 1;
        *v.select_nth_unstable_by(k, f64::total_cmp).1
    };
    let kappa_lo = kth(lo_q, &mut ratio.clone());
    let kappa_hi = kth(hi_q, &mut ratio);
    Ok((0..n)
        .map(|i| {
            if r[i] < band[i] * kappa_lo {
                -1
            } else if r[i] > band[i] * kappa_hi {
                1
            } else {
                0
            }
        })
        .collect())
}

/// The reduced problem: the kept observations, then one pseudo-observation per non-empty
/// glob (sums of its rows and responses); also the kept indices.
fn globbed_problem(rows: &Rows, y: &[f64], side: &[i8]) -> (Rows, Vec<f64>, Vec<usize>) {
    let (n, p) = (rows.n, rows.p);
    let kept: Vec<usize> = (0..n).filter(|&i| side[i] == 0).collect();
    let mut reduced = rows.select(&kept);
    let mut yr: Vec<f64> = kept.iter().map(|&i| y[i]).collect();
    for glob in [-1i8, 1] {
        let mut gx = vec![0.0; p];
        let mut gy = 0.0;
        let mut any = false;
        for i in (0..n).filter(|&i| side[i] == glob) {
            any = true;
            for (g, &xj) in gx.iter_mut().zip(rows.row(i)) {
                *g += xj;
            }
            gy += y[i];
        }
        if any {
            reduced.data.extend_from_slice(&gx);
            reduced.n += 1;
            yr.push(gy);
        }
    }
    (reduced, yr, kept)
}

/// The primal–dual interior point of Portnoy & Koenker (1997) on the dual LP
/// max yᵀa s.t. Xᵀa = (1 − τ) Xᵀ1, 0 ≤ a ≤ 1 (written as min cᵀx, c = −y), Mehrotra
/// predictor–corrector, step factor 0.99995. Returns β = −(dual variables) and the number
/// of iterations. Stops at a relative duality gap of 1e-10 (the vertex step makes it exact).
pub(crate) fn frisch_newton(rows: &Rows, y: &[f64], tau: f64) -> Result<(Vec<f64>, usize)> {
    const MAX_ITERATIONS: usize = 100;
    let mut ip = FrischNewton::new(rows, y, tau)?;
    let mut iterations = 0;
    while iterations < MAX_ITERATIONS && !ip.converged() {
        iterations += 1;
        if !ip.iterate() {
            break;
        }
    }
    Ok((ip.yd.iter().map(|v| -v).collect(), iterations))
}

/// The state of the Frisch–Newton iteration: primal x (the dual LP's a) and slack s = 1 − x,
/// dual y (−β) with multipliers z, w, and the work vectors of one Newton step.
struct FrischNewton<'a> {
    rows: &'a Rows,
    y: &'a [f64],
    tau: f64,
    /// Column-major copy for the matrix–vector products X·v and Xᵀv.
    xcol: DMatrix<f64>,
    /// Right-hand side (1 − τ) Xᵀ1.
    b: Vec<f64>,
    sum_y: f64,
    yd: DVector<f64>,
    xv: Vec<f64>,
    sv: Vec<f64>,
    zv: Vec<f64>,
    wv: Vec<f64>,
    /// −yᵀx and Σ w, kept up to date for the gap test.
    yx: f64,
    sum_w: f64,
    q: Vec<f64>,
    r: Vec<f64>,
    xinv: Vec<f64>,
    sinv: Vec<f64>,
    dx: Vec<f64>,
    dz: Vec<f64>,
    dw: Vec<f64>,
    v1: Vec<f64>,
    v2: Vec<f64>,
    t: DVector<f64>,
    xdy: DVector<f64>,
}

impl<'a> FrischNewton<'a> {
    const STEP: f64 = 0.99995;
    const GAP_TOLERANCE: f64 = 1e-10;

    /// The least-squares start.
    fn new(rows: &'a Rows, y: &'a [f64], tau: f64) -> Result<Self> {
        let (n, p) = (rows.n, rows.p);
        let xcol = DMatrix::from_fn(n, p, |i, j| rows.data[i * p + j]);
        let xtx = gram(rows, None);
        let xty = xcol.tr_mul(&DVector::from_column_slice(y));
        let colsum = xcol.row_sum_tr();
        let beta_ls = xtx.cholesky().ok_or_else(singular_basis)?.solve(&xty);
        let b: Vec<f64> = colsum.iter().map(|c| (1.0 - tau) * c).collect();
        let yd: DVector<f64> = -beta_ls;
        let xv = vec![1.0 - tau; n];
        let mut zv = vec![0.0; n];
        let mut wv = vec![0.0; n];
        let xdy = &xcol * &yd;
        for i in 0..n {
            let mut r = -y[i] - xdy[i];
            if r == 0.0 {
                r = 0.001;
            }
            zv[i] = r.max(0.0);
            wv[i] = zv[i] - r;
        }
        let (mut yx, mut sum_w) = (0.0, 0.0);
        for i in 0..n {
            yx -= y[i] * xv[i];
            sum_w += wv[i];
        }
        Ok(FrischNewton {
            rows,
            y,
            tau,
            xcol,
            b,
            sum_y: compensated_sum(y),
            yd,
            xv,
            sv: vec![tau; n],
            zv,
            wv,
            yx,
            sum_w,
            q: vec![0.0; n],
            r: vec![0.0; n],
            xinv: vec![0.0; n],
            sinv: vec![0.0; n],
            dx: vec![0.0; n],
            dz: vec![0.0; n],
            dw: vec![0.0; n],
            v1: vec![0.0; n],
            v2: vec![0.0; n],
            t: DVector::zeros(n),
            xdy,
        })
    }

    /// Convergence test on the duality gap, relative to the check loss.
    fn converged(&self) -> bool {
        let by = dot(&self.b, self.yd.as_slice());
        let gap = self.yx - by + self.sum_w;
        let check_loss_estimate = self.sum_w - by - (1.0 - self.tau) * self.sum_y;
        let magnitude = self.yx.abs() + by.abs() + self.sum_w.abs();
        !gap.is_finite() || gap <= Self::GAP_TOLERANCE * check_loss_estimate.abs() || gap <= 1e-14 * magnitude
    }

    /// One predictor–corrector step; `false` when no step can be taken (singular normal
    /// equations, zero or non-finite step).
    fn iterate(&mut self) -> bool {
        let n = self.rows.n;
        for i in 0..n {
            self.xinv[i] = 1.0 / self.xv[i];
            self.sinv[i] = 1.0 / self.sv[i];
            self.q[i] = 1.0 / (self.zv[i] * self.xinv[i] + self.wv[i] * self.sinv[i]);
            self.r[i] = self.zv[i] - self.wv[i];
            self.t[i] = self.q[i] * self.r[i];
        }
        let Some(chol) = gram(self.rows, Some(&self.q)).cholesky() else {
            return false;
        };
        let (mut dy, bp, bd) = self.predictor(&chol);
        let (mut fp, mut fd) = (bp, bd);
        if fp.min(fd) < 1.0 {
            (dy, fp, fd) = self.corrector(&chol, fp, fd);
        }
        let fp = (Self::STEP * fp).min(1.0);
        let fd = (Self::STEP * fd).min(1.0);
        if !(fp > 0.0 && fd > 0.0) || dy.iter().any(|v| !v.is_finite()) {
            return false;
        }
        self.take_step(&dy, fp, fd);
        true
    }

    /// Affine-scaling (predictor) direction and its primal / dual step bounds.
    fn predictor(&mut self, chol: &Cholesky<f64, Dyn>) -> (DVector<f64>, f64, f64) {
        let dy = chol.solve(&self.xcol.tr_mul(&self.t));
        self.xcol.mul_to(&dy, &mut self.xdy);
        for i in 0..self.rows.n {
            let dxi = self.q[i] * (self.xdy[i] - self.r[i]);
            self.dx[i] = dxi;
            self.dz[i] = -self.zv[i] * (dxi * self.xinv[i] + 1.0);
            self.dw[i] = -self.wv[i] * (1.0 - dxi * self.sinv[i]);
        }
        let (bp, bd) = self.step_bounds();
        (dy, bp, bd)
    }

    /// Mehrotra corrector: the centred direction from the predictor's step lengths.
    fn corrector(&mut self, chol: &Cholesky<f64, Dyn>, fp: f64, fd: f64) -> (DVector<f64>, f64, f64) {
        let n = self.rows.n;
        let (mut mu0, mut g) = (0.0, 0.0);
        for i in 0..n {
            let (xv, sv, zv, wv) = (self.xv[i], self.sv[i], self.zv[i], self.wv[i]);
            mu0 += zv * xv + wv * sv;
            g += (zv + fd * self.dz[i]) * (xv + fp * self.dx[i])
                + (wv + fd * self.dw[i]) * (sv - fp * self.dx[i]);
        }
        let mu = mu0 * (g / mu0).powi(3) / (2.0 * n as f64);
        for i in 0..n {
            self.v1[i] = mu - self.xv[i] * self.zv[i] - self.dx[i] * self.dz[i];
            self.v2[i] = mu - self.sv[i] * self.wv[i] + self.dx[i] * self.dw[i]; // ds·dw = −dx·dw
            self.t[i] = -self.q[i] * (self.v1[i] * self.xinv[i] - self.v2[i] * self.sinv[i]);
        }
        let dy = chol.solve(&self.xcol.tr_mul(&self.t));
        self.xcol.mul_to(&dy, &mut self.xdy);
        for i in 0..n {
            let dxi = self.q[i] * (self.xdy[i] + self.v1[i] * self.xinv[i] - self.v2[i] * self.sinv[i]);
            self.dx[i] = dxi;
            self.dz[i] = (self.v1[i] - self.zv[i] * dxi) * self.xinv[i];
            self.dw[i] = (self.v2[i] + self.wv[i] * dxi) * self.sinv[i];
        }
        let (bp, bd) = self.step_bounds();
        (dy, bp, bd)
    }

    /// Longest primal (x, s) and dual (z, w) steps along the direction that stay ≥ 0.
    fn step_bounds(&self) -> (f64, f64) {
        let (mut bp, mut bd) = (f64::INFINITY, f64::INFINITY);
        for i in 0..self.rows.n {
            bound(&mut bp, self.xv[i], self.dx[i]);
            bound(&mut bp, self.sv[i], -self.dx[i]);
            bound(&mut bd, self.zv[i], self.dz[i]);
            bound(&mut bd, self.wv[i], self.dw[i]);
        }
        (bp, bd)
    }

    fn take_step(&mut self, dy: &DVector<f64>, fp: f64, fd: f64) {
        self.yx = 0.0;
        self.sum_w = 0.0;
        for i in 0..self.rows.n {
            self.xv[i] += fp * self.dx[i];
            self.sv[i] -= fp * self.dx[i];
            self.zv[i] += fd * self.dz[i];
            self.wv[i] += fd * self.dw[i];
            self.yx -= self.y[i] * self.xv[i];
            self.sum_w += self.wv[i];
        }
        self.yd.axpy(fd, dy, 1.0);
    }
}

#[inline]
fn bound(current: &mut f64, v: f64, dv: f64) {
    if dv < 0.0 {
        let s = -v / dv;
        if s < *current {
            *current = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantile::rows::check_loss_sum;
    use crate::quantile::rows::testing::seeded;
    use crate::quantile::simplex::barrodale_roberts;

    #[test]
    fn frisch_newton_reaches_the_simplex_objective() {
        // LP duality: the interior point's primal iterate has (nearly) the simplex's optimal
        // check loss, and the vertex step makes it equal.
        let (rows, y) = seeded(300, 4, 11, false);
        for tau in [0.2, 0.5, 0.9] {
            let exact = barrodale_roberts(&rows, &y, tau).unwrap();
            let best = check_loss_sum(&rows, &y, &exact.beta, tau);
            let (beta, iterations) = frisch_newton(&rows, &y, tau).unwrap();
            assert!(iterations > 0 && iterations < 100);
            let ipm = check_loss_sum(&rows, &y, &beta, tau);
            assert!(
                ipm >= best - 1e-12 * best && ipm - best <= 1e-8 * best,
                "τ = {tau}: {ipm} vs {best}"
            );
            let v = interior_point_vertex(&rows, &y, tau).unwrap();
            let at_vertex = check_loss_sum(&rows, &y, &v.beta, tau);
            assert!(
                (at_vertex - best).abs() <= 1e-12 * best,
                "τ = {tau}: {at_vertex} vs {best}"
            );
            for (a, b) in v.beta.iter().zip(&exact.beta) {
                assert!(
                    (a - b).abs() <= 1e-9 * (1.0 + b.abs()),
                    "unique vertex: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn median_of_an_odd_sample() {
        let rows = Rows::from_fn(7, 1, |_, _| 1.0);
        let y = [7.0, -3.0, 2.0, 9.0, 4.0, 0.5, 1.0];
        let (beta, _) = frisch_newton(&rows, &y, 0.5).unwrap();
        assert!((beta[0] - 2.0).abs() < 1e-6, "{beta:?}");
        assert_eq!(interior_point_vertex(&rows, &y, 0.5).unwrap().beta, vec![2.0]);
    }

    #[test]
    fn preprocessing_is_exact() {
        // n = 3000, p = 3: m = (4n)^(2/3) ≈ 524 ≤ n/4, so the reduced problem is solved first.
        let (rows, y) = seeded(3000, 3, 5, false);
        let m = ((4 * 3000) as f64).powf(2.0 / 3.0).round() as usize;
        assert!(4 * m <= 3000);
        let exact = barrodale_roberts(&rows, &y, 0.3).unwrap();
        let v = preprocessed_vertex(&rows, &y, 0.3, m).unwrap();
        let (a, b) = (
            check_loss_sum(&rows, &y, &v.beta, 0.3),
            check_loss_sum(&rows, &y, &exact.beta, 0.3),
        );
        assert!((a - b).abs() <= 1e-12 * b, "{a} vs {b}");
    }

    #[test]
    fn globs_sum_their_rows_and_responses() {
        let rows = Rows::from_fn(5, 2, |i, j| if j == 0 { 1.0 } else { i as f64 });
        let y = [10.0, 20.0, 30.0, 40.0, 50.0];
        let (reduced, yr, kept) = globbed_problem(&rows, &y, &[-1, -1, 0, 1, 0]);
        assert_eq!(kept, vec![2, 4]);
        assert_eq!(reduced.n, 4);
        assert_eq!(reduced.row(2), &[2.0, 1.0]); // rows 0 and 1
        assert_eq!(reduced.row(3), &[1.0, 3.0]); // row 3
        assert_eq!(yr, vec![30.0, 50.0, 30.0, 40.0]);
    }
}
