//! Gaussian log-likelihood with value / gradient / Hessian, n = 10⁶: through the `LogDensity`
//! trait, through a closure, and hand-written analytic code (the baseline), all summed by the
//! same fixed-chunk parallel summation. Plus a full tiny fit (n = 100, Newton, covariance)
//! against a hand-written Newton with static 2×2 algebra.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use mle::core::summation::sum_blocks;
use mle::prelude::*;
use nalgebra::{Matrix2, Vector2};

const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

fn data(n: usize) -> Vec<f64> {
    let mut s: u64 = 42;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u1 = ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u2 = ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            1.0 + 2.0 * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        })
        .collect()
}

/// Hand-written analytic ℓ, ∇ℓ, ∇²ℓ for (μ, log σ).
fn analytic_value(xs: &[f64], t: [f64; 2]) -> f64 {
    let inv_s = (-t[1]).exp();
    sum_blocks(xs.len(), 1, |r, out| {
        let mut v = 0.0;
        for &x in &xs[r] {
            let z = (x - t[0]) * inv_s;
            v += -0.5 * z * z - t[1] - HALF_LN_2PI;
        }
        out[0] += v;
    })[0]
}

fn analytic_gradient(xs: &[f64], t: [f64; 2]) -> Vec<f64> {
    let inv_s = (-t[1]).exp();
    sum_blocks(xs.len(), 3, |r, out| {
        let (mut v, mut g0, mut g1) = (0.0, 0.0, 0.0);
        for &x in &xs[r] {
            let z = (x - t[0]) * inv_s;
            v += -0.5 * z * z - t[1] - HALF_LN_2PI;
            g0 += z * inv_s;
            g1 += z * z - 1.0;
        }
        out[0] += v;
        out[1] += g0;
        out[2] += g1;
    })
}

fn analytic_hessian(xs: &[f64], t: [f64; 2]) -> Vec<f64> {
    let inv_s = (-t[1]).exp();
    sum_blocks(xs.len(), 7, |r, out| {
        let mut a = [0.0; 7];
        for &x in &xs[r] {
            let z = (x - t[0]) * inv_s;
            a[0] += -0.5 * z * z - t[1] - HALF_LN_2PI;
            a[1] += z * inv_s;
            a[2] += z * z - 1.0;
            a[3] += -inv_s * inv_s;
            a[4] += -2.0 * z * inv_s;
            a[5] += -2.0 * z * inv_s;
            a[6] += -2.0 * z * z;
        }
        for k in 0..7 {
            out[k] += a[k];
        }
    })
}

fn gaussian_closure() -> ClosureDensity<impl Fn(&[Dual2SVec64<2>], &f64) -> Dual2SVec64<2> + Sync, f64, 2> {
    ClosureDensity::new(
        vec![Parameter::identity("mu"), Parameter::log_scale("sigma")],
        |t: &[Dual2SVec64<2>], x: &f64| {
            let z = (Dual2SVec64::from(*x) - t[0]) * (-t[1]).exp();
            -(z * z * 0.5) - t[1] - HALF_LN_2PI
        },
    )
}

/// The Gaussian written per observation only (no block override): what a user writes first.
struct GaussianPerObservation;
impl LogDensity<2> for GaussianPerObservation {
    type Obs = f64;
    fn name(&self) -> String {
        "Gaussian (per observation)".into()
    }
    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::identity("mu"), Parameter::log_scale("sigma")]
    }
    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &f64) -> D {
        let z = (D::from(*x) - t[0]) * (-t[1]).exp();
        -(z * z * 0.5) - t[1] - HALF_LN_2PI
    }
}

fn per_observation(c: &mut Criterion) {
    let xs = data(1_000_000);
    let t = [0.9, 0.6];
    let closure = gaussian_closure();
    let trait_obj = DataObjective::new(&Gaussian, &xs).unwrap();
    let closure_obj = DataObjective::new(&closure, &xs).unwrap();
    let per_obs = DataObjective::new(&GaussianPerObservation, &xs).unwrap();
    let mut g = c.benchmark_group("gaussian_n1e6");
    g.sample_size(20);
    g.bench_function("value/analytic", |b| b.iter(|| analytic_value(black_box(&xs), t)));
    g.bench_function("value/trait", |b| {
        b.iter(|| trait_obj.log_likelihood(black_box(&t)).unwrap())
    });
    g.bench_function("value/trait_per_observation", |b| {
        b.iter(|| per_obs.log_likelihood(black_box(&t)).unwrap())
    });
    g.bench_function("value/closure", |b| {
        b.iter(|| closure_obj.log_likelihood(black_box(&t)).unwrap())
    });
    g.bench_function("gradient/analytic", |b| {
        b.iter(|| analytic_gradient(black_box(&xs), t))
    });
    g.bench_function("gradient/trait", |b| {
        b.iter(|| trait_obj.value_gradient(black_box(&t)).unwrap())
    });
    g.bench_function("gradient/trait_per_observation", |b| {
        b.iter(|| per_obs.value_gradient(black_box(&t)).unwrap())
    });
    g.bench_function("gradient/closure", |b| {
        b.iter(|| closure_obj.value_gradient(black_box(&t)).unwrap())
    });
    g.bench_function("hessian/analytic", |b| {
        b.iter(|| analytic_hessian(black_box(&xs), t))
    });
    g.bench_function("hessian/trait", |b| {
        b.iter(|| trait_obj.evaluate(black_box(&t)).unwrap())
    });
    g.bench_function("hessian/trait_per_observation", |b| {
        b.iter(|| per_obs.evaluate(black_box(&t)).unwrap())
    });
    g.bench_function("hessian/closure", |b| {
        b.iter(|| closure_obj.evaluate(black_box(&t)).unwrap())
    });
    g.finish();
}

/// Hand-written tiny fit: Newton on (μ, log σ) with static 2×2 algebra, then the covariance.
fn hand_written_fit(xs: &[f64]) -> (Vector2<f64>, Matrix2<f64>) {
    let mut t = Vector2::new(0.0, 0.0);
    for _ in 0..100 {
        let inv_s = (-t[1]).exp();
        let (mut g, mut h) = (Vector2::zeros(), Matrix2::zeros());
        for &x in xs {
            let z = (x - t[0]) * inv_s;
            g += Vector2::new(z * inv_s, z * z - 1.0);
            h += Matrix2::new(-inv_s * inv_s, -2.0 * z * inv_s, -2.0 * z * inv_s, -2.0 * z * z);
        }
        // Safeguard as a fair baseline: a negative definite H gives an ascent step.
        let step = match (-h).cholesky() {
            Some(ch) => ch.solve(&g),
            None => g * 0.1,
        };
        t += step;
        if g.dot(&step) < 1e-18 {
            break;
        }
    }
    let inv_s = (-t[1]).exp();
    let mut h = Matrix2::zeros();
    for &x in xs {
        let z = (x - t[0]) * inv_s;
        h += Matrix2::new(-inv_s * inv_s, -2.0 * z * inv_s, -2.0 * z * inv_s, -2.0 * z * z);
    }
    (t, (-h).try_inverse().unwrap_or_else(Matrix2::zeros))
}

fn tiny_fit(c: &mut Criterion) {
    let xs = data(100);
    let mut g = c.benchmark_group("gaussian_tiny_fit_n100");
    g.bench_function("hand_written_newton", |b| {
        b.iter(|| hand_written_fit(black_box(&xs)))
    });
    g.bench_function("mle_newton", |b| {
        b.iter_batched(
            || (),
            |_| {
                let obj = DataObjective::new(&Gaussian, black_box(&xs)).unwrap();
                FitOptions::newton().fit(&obj, &[0.0, 0.0]).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("mle_closed_form", |b| {
        b.iter(|| Gaussian.fit(black_box(&xs)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, per_observation, tiny_fit);
criterion_main!(benches);
