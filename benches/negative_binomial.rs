//! Negative binomial (NB2) regression n = 10⁶, p = 10 (X ~ N(0,1), θ = 2, fixed seed), full
//! fit (Poisson start, joint Newton on (β, log θ)): the engine against a hand-written joint
//! Newton with analytic derivatives on the same chunked layout, started from the same
//! Poisson fit. Peer: benches/compare/negbin_peers.R (MASS::glm.nb on the same data).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mle::core::special::trigamma;
use mle::prelude::*;
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use statrs::function::gamma::digamma;

#[path = "support/data.rs"]
mod data;

/// One chunk's gradient and Hessian of the NB2 log-likelihood in (β, τ = log θ).
fn chunk_derivatives(
    x: &DMatrix<f64>,
    y: &[f64],
    beta: &DVector<f64>,
    tau: f64,
    r0: usize,
    m: usize,
) -> (DVector<f64>, DMatrix<f64>) {
    let p = x.ncols();
    let th = tau.exp();
    let xc = x.rows(r0, m);
    let eta = xc * beta;
    let (mut ge, mut we, mut cross) = (DVector::zeros(m), DVector::zeros(m), DVector::zeros(m));
    let (mut gt, mut ht) = (0.0, 0.0);
    for i in 0..m {
        let (mu, yi) = (eta[i].exp(), y[r0 + i]);
        let s = th + mu;
        ge[i] = th * (yi - mu) / s;
        we[i] = th * mu * (th + yi) / (s * s);
        cross[i] = th * mu * (yi - mu) / (s * s);
        let (d1, d2) = if yi == 0.0 {
            (0.0, 0.0)
        } else {
            (digamma(yi + th) - digamma(th), trigamma(yi + th) - trigamma(th))
        };
        let g = d1 + (th / s).ln() + 1.0 - (yi + th) / s;
        let h = d2 + 1.0 / th - 2.0 / s + (th + yi) / (s * s);
        gt += th * g;
        ht += th * th * h + th * g;
    }
    let mut wx = xc.clone_owned();
    for mut col in wx.column_iter_mut() {
        col.component_mul_assign(&we);
    }
    let mut grad = DVector::zeros(p + 1);
    grad.rows_mut(0, p).copy_from(&xc.tr_mul(&ge));
    grad[p] = gt;
    let mut hess = DMatrix::zeros(p + 1, p + 1);
    hess.view_mut((0, 0), (p, p)).copy_from(&(-xc.tr_mul(&wx)));
    let c = xc.tr_mul(&cross);
    hess.view_mut((0, p), (p, 1)).copy_from(&c);
    hess.view_mut((p, 0), (1, p)).copy_from(&c.transpose());
    hess[(p, p)] = ht;
    (grad, hess)
}

/// Hand-written joint Newton for NB2 from `start` (β, log θ), halving steps that leave the
/// Hessian indefinite (none do here from the Poisson start).
fn hand_written_negative_binomial(x: &DMatrix<f64>, y: &[f64], start: &[f64]) -> DVector<f64> {
    let (n, p) = (x.nrows(), x.ncols());
    let chunk = 4096;
    let mut par = DVector::from_column_slice(start);
    for _ in 0..50 {
        let beta = par.rows(0, p).clone_owned();
        let tau = par[p];
        let parts: Vec<(DVector<f64>, DMatrix<f64>)> = (0..n.div_ceil(chunk))
            .into_par_iter()
            .map(|c| chunk_derivatives(x, y, &beta, tau, c * chunk, chunk.min(n - c * chunk)))
            .collect();
        let (mut g, mut h) = (DVector::zeros(p + 1), DMatrix::zeros(p + 1, p + 1));
        for (gc, hc) in parts {
            g += gc;
            h += hc;
        }
        let step = (-h).cholesky().expect("negative definite Hessian").solve(&g);
        par += &step;
        if g.dot(&step) < 1e-18 {
            break;
        }
    }
    par
}

fn negative_binomial(c: &mut Criterion) {
    let (n, p) = (1_000_000, 10);
    let (xv, y) = data::negative_binomial(n, p, 2.0, 2026);
    let names: Vec<String> = (0..p)
        .map(|j| {
            if j == 0 {
                "(Intercept)".into()
            } else {
                format!("x{j}")
            }
        })
        .collect();
    let design = Design::new(DMatrix::from_vec(n, p, xv), names).unwrap();
    let model = Regression::negative_binomial(&design, &y).unwrap();
    let start = model.start_values();
    let reference = model.fit().unwrap();
    let hand = hand_written_negative_binomial(design.matrix(), &y, &start);
    let worst = (0..=p)
        .map(|j| ((hand[j] - reference.estimates()[j]) / reference.estimates()[j]).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-8, "hand-written and engine fits differ: {worst:e}");
    eprintln!(
        "θ̂ = {:.6}, log-likelihood {:.6}",
        reference.natural_estimates()[p],
        reference.log_likelihood()
    );
    let mut g = c.benchmark_group("negative_binomial_n1e6_p10");
    g.sample_size(10);
    g.bench_function("hand_written_newton_from_poisson_start", |b| {
        b.iter(|| hand_written_negative_binomial(black_box(design.matrix()), &y, &start))
    });
    g.bench_function("mle_fit_including_poisson_start", |b| {
        b.iter(|| {
            Regression::negative_binomial(black_box(&design), &y)
                .unwrap()
                .fit()
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, negative_binomial);
criterion_main!(benches);
