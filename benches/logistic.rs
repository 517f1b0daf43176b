//! Logistic regression n = 10⁶, p = 20 (X ~ N(0,1), fixed seed), full fit to a tight
//! tolerance: the engine (structured X'WX route, exact derivatives from the family's
//! log-density) against a hand-written analytic Newton/IRLS with the same chunked kernel.
//! Plus the heteroscedastic Gaussian n = 10⁵ (10 mean, 4 scale covariates), and the cost of
//! the separation check: each logistic group times `Regression::logistic(..).fit()` (model
//! construction with its rank check, fit, separation check), `model.fit()` on a prebuilt
//! model (fit + check) and `FitOptions::newton().fit` on its objective (the fit alone); the
//! n = 10⁵, p = 10 group is the first 10⁵ rows and 10 columns of the n = 10⁶ data (what
//! `regression_peers.R` times with glm.fit), and a variant of it has one strong predictor
//! (y redrawn with slope 12 on x1: many |η| > 20 on non-separated data).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mle::core::known::WithKnownEvaluation;
use mle::prelude::*;
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

#[path = "support/data.rs"]
mod data;

/// Hand-written Newton for logistic regression: per chunk p = σ(Xβ), g = Xᵀ(y − p),
/// H = Xᵀ diag(p(1−p)) X (gemm), summed over chunks in parallel; Cholesky step.
fn hand_written_logistic(x: &DMatrix<f64>, y: &[f64]) -> DVector<f64> {
    let (n, p) = (x.nrows(), x.ncols());
    let chunk = 4096;
    let mut beta = DVector::zeros(p);
    for _ in 0..50 {
        let parts: Vec<(DVector<f64>, DMatrix<f64>)> = (0..n.div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                let r0 = c * chunk;
                let m = chunk.min(n - r0);
                let xc = x.rows(r0, m);
                let eta = xc * &beta;
                let mut resid = DVector::zeros(m);
                let mut w = DVector::zeros(m);
                for i in 0..m {
                    let pr = 1.0 / (1.0 + (-eta[i]).exp());
                    resid[i] = y[r0 + i] - pr;
                    w[i] = pr * (1.0 - pr);
                }
                let mut wx = xc.clone_owned();
                for mut col in wx.column_iter_mut() {
                    col.component_mul_assign(&w);
                }
                (xc.tr_mul(&resid), xc.tr_mul(&wx))
            })
            .collect();
        let mut g = DVector::zeros(p);
        let mut h = DMatrix::zeros(p, p);
        for (gc, hc) in parts {
            g += gc;
            h += hc;
        }
        let step = h.cholesky().expect("positive definite").solve(&g);
        beta += &step;
        if g.dot(&step) < 1e-18 {
            break;
        }
    }
    beta
}

fn logistic(c: &mut Criterion) {
    let (n, p) = (1_000_000, 20);
    let (xv, y) = data::logistic(n, p, 2024);
    let names: Vec<String> = (0..p)
        .map(|j| {
            if j == 0 {
                "(Intercept)".into()
            } else {
                format!("x{j}")
            }
        })
        .collect();
    let design = Design::new(DMatrix::from_vec(n, p, xv), names.clone()).unwrap();
    let mut g = c.benchmark_group("logistic_n1e6_p20");
    g.sample_size(10);
    g.bench_function("hand_written_newton", |b| {
        b.iter(|| hand_written_logistic(black_box(design.matrix()), &y))
    });
    g.bench_function("mle_newton", |b| {
        b.iter(|| {
            Regression::logistic(black_box(&design), &y)
                .unwrap()
                .fit()
                .unwrap()
        })
    });
    let model = Regression::logistic(&design, &y).unwrap();
    g.bench_function("mle_fit_prebuilt", |b| {
        b.iter(|| black_box(&model).fit().unwrap())
    });
    g.bench_function("mle_newton_fit_only", |b| b.iter(|| fit_only(black_box(&model))));
    g.finish();
    let (n, p) = (100_000, 10);
    let small = Design::new(
        DMatrix::from_fn(n, p, |i, j| design.matrix()[(i, j)]),
        names[..p].iter().cloned(),
    )
    .unwrap();
    let strong = strong_predictor_response(&small);
    for (group, y) in [
        ("logistic_n1e5_p10", &y[..n]),
        ("logistic_strong_predictor_n1e5_p10", &strong[..]),
    ] {
        let mut g = c.benchmark_group(group);
        g.sample_size(10);
        g.bench_function("hand_written_newton", |b| {
            b.iter(|| hand_written_logistic(black_box(small.matrix()), y))
        });
        g.bench_function("mle_newton", |b| {
            b.iter(|| Regression::logistic(black_box(&small), y).unwrap().fit().unwrap())
        });
        let model = Regression::logistic(&small, y).unwrap();
        g.bench_function("mle_fit_prebuilt", |b| {
            b.iter(|| black_box(&model).fit().unwrap())
        });
        g.bench_function("mle_newton_fit_only", |b| b.iter(|| fit_only(black_box(&model))));
        g.finish();
    }
}

/// The Newton fit of a logistic model without its separation check (from the same start
/// evaluation as the model's own fit, when the rank check's XᵀX gives it).
fn fit_only(model: &Regression<'_, Bernoulli, 1>) -> Fit {
    let start = model.start_values();
    match model.start_evaluation() {
        Some(e) => FitOptions::newton()
            .fit(
                &WithKnownEvaluation::new(model.linear_objective(), &start, e),
                &start,
            )
            .unwrap(),
        None => FitOptions::newton()
            .fit(model.linear_objective(), &start)
            .unwrap(),
    }
}

/// y ~ Bernoulli(σ(0.5 + 12 x1 + 0.5 x2)): not separated, but many |η| > 20.
fn strong_predictor_response(x: &Design) -> Vec<f64> {
    let mut u = data::SplitMix64(99);
    (0..x.nrows())
        .map(|i| {
            let eta = 0.5 + 12.0 * x.matrix()[(i, 1)] + 0.5 * x.matrix()[(i, 2)];
            f64::from(u.uniform() < 1.0 / (1.0 + (-eta).exp()))
        })
        .collect()
}

fn heteroscedastic(c: &mut Criterion) {
    let (n, p, q) = (100_000, 10, 4);
    let (xv, zv, y) = data::heteroscedastic(n, p, q, 7);
    let name = |j: usize, s: &str| {
        if j == 0 {
            "(Intercept)".to_string()
        } else {
            format!("{s}{j}")
        }
    };
    let x = Design::new(DMatrix::from_vec(n, p, xv), (0..p).map(|j| name(j, "x"))).unwrap();
    let z = Design::new(DMatrix::from_vec(n, q, zv), (0..q).map(|j| name(j, "z"))).unwrap();
    let mut g = c.benchmark_group("heteroscedastic_n1e5");
    g.sample_size(10);
    g.bench_function("mle_newton", |b| {
        b.iter(|| {
            Regression::heteroscedastic(black_box(&x), &z, &y)
                .unwrap()
                .fit()
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, logistic, heteroscedastic);
criterion_main!(benches);
