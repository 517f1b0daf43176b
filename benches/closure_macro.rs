//! One log-density body written three ways, n = 10⁶ observations through `DataObjective`:
//! a hand-written generic `impl LogDensity` (per observation, no `ln_density_block`
//! override), the `log_density!` macro, and `ClosureDensity` (second-order duals on every
//! pass). One group per pass: value (`log_likelihood`), value + gradient (`value_gradient`),
//! value + gradient + Hessian (`evaluate`). Two densities: the README's Weibull and the
//! Gaussian (μ, log σ) — whose macro body is a polynomial in x, so the macro also writes its
//! sufficient statistics and its passes are O(1) (the hand-written impl declares none).
//!
//! `cargo bench --bench closure_macro -- --warm-up-time 1 --measurement-time 3`

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mle::prelude::*;

#[path = "support/data.rs"]
mod data;

const N: usize = 1_000_000;
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// Weibull(shape 2, scale 80) draws by inversion.
fn weibull_data() -> Vec<f64> {
    let mut g = data::SplitMix64(7);
    (0..N).map(|_| 80.0 * (-g.uniform().ln()).sqrt()).collect()
}

/// N(1, 2²) draws.
fn gaussian_data() -> Vec<f64> {
    let mut g = data::SplitMix64(42);
    (0..N).map(|_| 1.0 + 2.0 * g.normal()).collect()
}

// ---- Weibull on (log k, log λ).

struct WeibullTrait;
impl LogDensity<2> for WeibullTrait {
    type Obs = f64;
    fn name(&self) -> String {
        "Weibull (trait)".into()
    }
    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::log_scale("shape"), Parameter::log_scale("scale")]
    }
    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &f64) -> D {
        let (log_k, log_lambda) = (t[0], t[1]);
        let z = -(log_lambda - x.ln());
        log_k - log_lambda + z * (log_k.exp() - 1.0) - (z * log_k.exp()).exp()
    }
}

fn weibull_macro() -> impl LogDensity<2, Obs = f64> {
    log_density! {
        name: "Weibull (macro)",
        params: [Parameter::log_scale("shape"), Parameter::log_scale("scale")],
        |t, x: &f64| {
            let (log_k, log_lambda) = (t[0], t[1]);
            let z = -(log_lambda - x.ln());
            log_k - log_lambda + z * (log_k.exp() - 1.0) - (z * log_k.exp()).exp()
        }
    }
}

fn weibull_closure() -> ClosureDensity<impl Fn(&[Dual2SVec64<2>], &f64) -> Dual2SVec64<2> + Sync, f64, 2> {
    ClosureDensity::new(
        vec![Parameter::log_scale("shape"), Parameter::log_scale("scale")],
        |t: &[Dual2SVec64<2>], x: &f64| {
            let (log_k, log_lambda) = (t[0], t[1]);
            let z = -(log_lambda - x.ln());
            log_k - log_lambda + z * (log_k.exp() - 1.0) - (z * log_k.exp()).exp()
        },
    )
}

// ---- Gaussian on (μ, log σ).

struct GaussianTrait;
impl LogDensity<2> for GaussianTrait {
    type Obs = f64;
    fn name(&self) -> String {
        "Gaussian (trait)".into()
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

fn gaussian_macro() -> impl LogDensity<2, Obs = f64> {
    log_density! {
        name: "Gaussian (macro)",
        params: [Parameter::identity("mu"), Parameter::log_scale("sigma")],
        |t, x: &f64| {
            let z = (D::from(*x) - t[0]) * (-t[1]).exp();
            -(z * z * 0.5) - t[1] - HALF_LN_2PI
        }
    }
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

type Rows<'a> = [(&'static str, Box<dyn Objective + 'a>); 3];

/// One group per pass; in each, the three rows of each density.
fn pass(
    c: &mut Criterion,
    group: &str,
    cases: &[(&str, [f64; 2], &Rows)],
    run: impl Fn(&dyn Objective, &[f64]),
) {
    let mut g = c.benchmark_group(group);
    g.sample_size(20);
    for (density, t, rows) in cases {
        for (row, objective) in rows.iter() {
            g.bench_function(format!("{density}/{row}"), |b| {
                b.iter(|| run(&**objective, black_box(t)))
            });
        }
    }
    g.finish();
}

fn passes(c: &mut Criterion) {
    let (wx, gx) = (weibull_data(), gaussian_data());
    let (wm, wc, gm, gc) = (
        weibull_macro(),
        weibull_closure(),
        gaussian_macro(),
        gaussian_closure(),
    );
    let weibull: Rows = [
        ("trait", Box::new(DataObjective::new(&WeibullTrait, &wx).unwrap())),
        ("macro", Box::new(DataObjective::new(&wm, &wx).unwrap())),
        ("closure", Box::new(DataObjective::new(&wc, &wx).unwrap())),
    ];
    let gaussian: Rows = [
        (
            "trait",
            Box::new(DataObjective::new(&GaussianTrait, &gx).unwrap()),
        ),
        ("macro", Box::new(DataObjective::new(&gm, &gx).unwrap())),
        ("closure", Box::new(DataObjective::new(&gc, &gx).unwrap())),
    ];
    let cases = [
        ("weibull", [0.7, 4.4], &weibull),
        ("gaussian", [0.9, 0.6], &gaussian),
    ];
    pass(c, "closure_macro_value_n1e6", &cases, |o, t| {
        black_box(o.log_likelihood(t).unwrap());
    });
    pass(c, "closure_macro_gradient_n1e6", &cases, |o, t| {
        black_box(o.value_gradient(t).unwrap());
    });
    pass(c, "closure_macro_hessian_n1e6", &cases, |o, t| {
        black_box(o.evaluate(t).unwrap());
    });
}

criterion_group!(benches, passes);
criterion_main!(benches);
