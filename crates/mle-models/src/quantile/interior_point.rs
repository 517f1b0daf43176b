//! The Frisch–Newton interior point (primal–dual, Mehrotra predictor–corrector) as
//! `quantreg::rq.fit.fnb`, the Portnoy–Koenker preprocessing for large n
//! (`rq.fit.pfn`), and the hand-over to the exact vertex step.

use mle_core::summation::sum_blocks;
use mle_core::Result;
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::rows::{accumulate_outer, compensated_sum, dot, gram, residuals, unpack_symmetric, Rows};
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
    if 4 * m <= n {
        if let Ok(v) = preprocessed_vertex(rows, y, tau, m) {
            return Ok(v);
        }
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
        let mut sample = rand::seq::index::sample(&mut rng, n, m).into_vec();
        sample.sort_unstable();
        let sub = rows.select(&sample);
        let ys: Vec<f64> = sample.iter().map(|&i| y[i]).collect();
        let (b0, it) = frisch_newton(&sub, &ys, tau)?;
        iterations += it;
        // band_i = ‖L⁻¹ xᵢ‖ with XₛᵀXₛ = L Lᵀ: the scale of xᵢᵀ(β̂ₛ − β).
        let l = gram(&sub, None).cholesky().ok_or_else(singular_basis)?.l();
        let linv = l
            .solve_lower_triangular(&DMatrix::identity(p, p))
            .ok_or_else(singular_basis)?;
        let mut band = vec![0.0; n];
        let mut ratio = vec![0.0; n];
        let mut r = residuals(rows, y, &b0);
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
        // −1: globbed below, +1: globbed above, 0: kept.
        let mut side: Vec<i8> = (0..n)
            .map(|i| {
                if r[i] < band[i] * kappa_lo {
                    -1
                } else if r[i] > band[i] * kappa_hi {
                    1
                } else {
                    0
                }
            })
            .collect();
        let mut bad_fixups = 0;
        loop {
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
            let (br, it) = frisch_newton(&reduced, &yr, tau)?;
            iterations += it;
            let basis_r = choose_basis(&reduced, &residuals(&reduced, &yr, &br))?;
            let v = vertex_from_basis(&reduced, &yr, tau, basis_r)?;
            r = residuals(rows, y, &v.beta);
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

/// The primal–dual interior point of Portnoy & Koenker (1997) on the dual LP
/// max yᵀa s.t. Xᵀa = (1 − τ) Xᵀ1, 0 ≤ a ≤ 1 (written as min cᵀx, c = −y), Mehrotra
/// predictor–corrector, step factor 0.99995. Returns β = −(dual variables) and the number
/// of iterations. Stops at a relative duality gap of 1e-10 (the vertex step makes it exact).
fn frisch_newton(rows: &Rows, y: &[f64], tau: f64) -> Result<(Vec<f64>, usize)> {
    const MAX_ITERATIONS: usize = 100;
    const STEP: f64 = 0.99995;
    const GAP_TOLERANCE: f64 = 1e-10;
    let (n, p) = (rows.n, rows.p);
    let tri = p * (p + 1) / 2;
    // Column-major copy for the matrix–vector products X·v and Xᵀv.
    let xcol = DMatrix::from_fn(n, p, |i, j| rows.data[i * p + j]);
    // Least-squares start.
    let sums = sum_blocks(n, tri, |range, out| {
        for i in range {
            accumulate_outer(out, rows.row(i), 1.0);
        }
    });
    let xtx = unpack_symmetric(&sums, p);
    let yv = DVector::from_column_slice(y);
    let xty = xcol.tr_mul(&yv);
    let colsum = xcol.row_sum_tr();
    let beta_ls = xtx.cholesky().ok_or_else(singular_basis)?.solve(&xty);
    let b: Vec<f64> = colsum.iter().map(|c| (1.0 - tau) * c).collect();
    let mut yd: DVector<f64> = -beta_ls;
    let mut xv = vec![1.0 - tau; n];
    let mut sv = vec![tau; n];
    let mut zv = vec![0.0; n];
    let mut wv = vec![0.0; n];
    let mut xdy = &xcol * &yd;
    for i in 0..n {
        let mut r = -y[i] - xdy[i];
        if r == 0.0 {
            r = 0.001;
        }
        zv[i] = r.max(0.0);
        wv[i] = zv[i] - r;
    }
    let sum_y: f64 = compensated_sum(y);
    let mut q = vec![0.0; n];
    let mut r = vec![0.0; n];
    let mut xinv = vec![0.0; n];
    let mut sinv = vec![0.0; n];
    let mut dx = vec![0.0; n];
    let mut dz = vec![0.0; n];
    let mut dw = vec![0.0; n];
    let mut v1 = vec![0.0; n];
    let mut v2 = vec![0.0; n];
    let mut t = DVector::zeros(n);
    let mut iterations = 0;
    let nf = n as f64;
    let (mut yx, mut sum_w) = (0.0, 0.0);
    for i in 0..n {
        yx -= y[i] * xv[i];
        sum_w += wv[i];
    }
    for _ in 0..MAX_ITERATIONS {
        // Convergence test on the duality gap, relative to the check loss.
        let by = dot(&b, yd.as_slice());
        let gap = yx - by + sum_w;
        let check_loss_estimate = sum_w - by - (1.0 - tau) * sum_y;
        let magnitude = yx.abs() + by.abs() + sum_w.abs();
        if !gap.is_finite() || gap <= GAP_TOLERANCE * check_loss_estimate.abs() || gap <= 1e-14 * magnitude {
            break;
        }
        iterations += 1;
        for i in 0..n {
            xinv[i] = 1.0 / xv[i];
            sinv[i] = 1.0 / sv[i];
            q[i] = 1.0 / (zv[i] * xinv[i] + wv[i] * sinv[i]);
            r[i] = zv[i] - wv[i];
            t[i] = q[i] * r[i];
        }
        let m = sum_blocks(n, tri, |range, out| {
            for i in range {
                accumulate_outer(out, rows.row(i), q[i]);
            }
        });
        let Some(chol) = unpack_symmetric(&m, p).cholesky() else {
            break;
        };
        let dy = chol.solve(&xcol.tr_mul(&t));
        xcol.mul_to(&dy, &mut xdy);
        // Affine-scaling (predictor) direction.
        let (mut bp, mut bd) = (f64::INFINITY, f64::INFINITY);
        for i in 0..n {
            let dxi = q[i] * (xdy[i] - r[i]);
            let dzi = -zv[i] * (dxi * xinv[i] + 1.0);
            let dwi = -wv[i] * (1.0 - dxi * sinv[i]);
            dx[i] = dxi;
            dz[i] = dzi;
            dw[i] = dwi;
            bound(&mut bp, xv[i], dxi);
            bound(&mut bp, sv[i], -dxi);
            bound(&mut bd, zv[i], dzi);
            bound(&mut bd, wv[i], dwi);
        }
        let (mut fp, mut fd) = (bp, bd);
        let mut dy = dy;
        if fp.min(fd) < 1.0 {
            // Mehrotra corrector.
            let (mut mu0, mut g) = (0.0, 0.0);
            for i in 0..n {
                mu0 += zv[i] * xv[i] + wv[i] * sv[i];
                g +=
                    (zv[i] + fd * dz[i]) * (xv[i] + fp * dx[i]) + (wv[i] + fd * dw[i]) * (sv[i] - fp * dx[i]);
            }
            let mu = mu0 * (g / mu0).powi(3) / (2.0 * nf);
            for i in 0..n {
                v1[i] = mu - xv[i] * zv[i] - dx[i] * dz[i];
                v2[i] = mu - sv[i] * wv[i] + dx[i] * dw[i]; // ds·dw = −dx·dw
                t[i] = -q[i] * (v1[i] * xinv[i] - v2[i] * sinv[i]);
            }
            dy = chol.solve(&xcol.tr_mul(&t));
            xcol.mul_to(&dy, &mut xdy);
            bp = f64::INFINITY;
            bd = f64::INFINITY;
            for i in 0..n {
                let dxi = q[i] * (xdy[i] + v1[i] * xinv[i] - v2[i] * sinv[i]);
                let dzi = (v1[i] - zv[i] * dxi) * xinv[i];
                let dwi = (v2[i] + wv[i] * dxi) * sinv[i];
                dx[i] = dxi;
                dz[i] = dzi;
                dw[i] = dwi;
                bound(&mut bp, xv[i], dxi);
                bound(&mut bp, sv[i], -dxi);
                bound(&mut bd, zv[i], dzi);
                bound(&mut bd, wv[i], dwi);
            }
            fp = bp;
            fd = bd;
        }
        let fp = (STEP * fp).min(1.0);
        let fd = (STEP * fd).min(1.0);
        if !(fp > 0.0 && fd > 0.0) || dy.iter().any(|v| !v.is_finite()) {
            break;
        }
        yx = 0.0;
        sum_w = 0.0;
        for i in 0..n {
            xv[i] += fp * dx[i];
            sv[i] -= fp * dx[i];
            zv[i] += fd * dz[i];
            wv[i] += fd * dw[i];
            yx -= y[i] * xv[i];
            sum_w += wv[i];
        }
        yd.axpy(fd, &dy, 1.0);
    }
    Ok((yd.iter().map(|v| -v).collect(), iterations))
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

