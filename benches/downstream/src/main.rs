//! Times what a downstream build of `mle` gets: the `log_density!` and `ClosureDensity`
//! paths (value + gradient + Hessian of a Gaussian, n = 10⁶) beside a hand-written analytic
//! pass, and a heteroscedastic Gaussian fit (n = 10⁵). Best of 7 wall-clock runs each
//! (a plain binary: criterion is the workspace's, not a user's dependency).

use std::time::Instant;

use mle::prelude::*;
use nalgebra::DMatrix;

const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// SplitMix64 normals.
fn normals(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    let mut u = move || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let (a, b) = (u(), u());
            (-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos()
        })
        .collect()
}

fn best_of<T>(label: &str, f: impl Fn() -> T) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..7 {
        let t0 = Instant::now();
        std::hint::black_box(f());
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!("{label:<44} {:>10.3} ms", best * 1e3);
    best
}

fn analytic(xs: &[f64], t: [f64; 2]) -> [f64; 6] {
    let inv_s = (-t[1]).exp();
    let mut out = [0.0; 6];
    for &x in xs {
        let z = (x - t[0]) * inv_s;
        out[0] += -0.5 * z * z - t[1] - HALF_LN_2PI;
        out[1] += z * inv_s;
        out[2] += z * z - 1.0;
        out[3] += -inv_s * inv_s;
        out[4] += -2.0 * z * inv_s;
        out[5] += -2.0 * z * z;
    }
    out
}

fn main() {
    let xs: Vec<f64> = normals(1_000_000, 42).iter().map(|z| 1.0 + 2.0 * z).collect();
    let t = [0.9, 0.6];
    let macro_density = log_density! {
        name: "Gaussian (macro)",
        params: [Parameter::identity("mu"), Parameter::log_scale("sigma")],
        |t, x: &f64| {
            let z = (D::from(*x) - t[0]) * (-t[1]).exp();
            -(z * z * 0.5) - t[1] - HALF_LN_2PI
        }
    };
    let closure = ClosureDensity::new(
        vec![Parameter::identity("mu"), Parameter::log_scale("sigma")],
        |t: &[Dual2SVec64<2>], x: &f64| {
            let z = (Dual2SVec64::from(*x) - t[0]) * (-t[1]).exp();
            -(z * z * 0.5) - t[1] - HALF_LN_2PI
        },
    );
    let macro_obj = DataObjective::new(&macro_density, &xs).unwrap();
    let closure_obj = DataObjective::new(&closure, &xs).unwrap();
    let base = best_of("hessian n=1e6, hand-written (1 thread)", || analytic(&xs, t));
    let m = best_of("hessian n=1e6, Gaussian family", || {
        DataObjective::new(&Gaussian, &xs).unwrap().evaluate(&t).unwrap()
    });
    let a = best_of("hessian n=1e6, log_density!", || macro_obj.evaluate(&t).unwrap());
    let b = best_of("hessian n=1e6, ClosureDensity", || closure_obj.evaluate(&t).unwrap());
    println!("ratios to hand-written: family {:.2}, macro {:.2}, closure {:.2}", m / base, a / base, b / base);

    let (n, p, q) = (100_000, 10, 4);
    let zs = normals(n * (p + q + 1), 7);
    let x = DMatrix::from_fn(n, p, |i, j| if j == 0 { 1.0 } else { zs[i * (p + q + 1) + j] });
    let z = DMatrix::from_fn(n, q, |i, j| if j == 0 { 1.0 } else { zs[i * (p + q + 1) + p + j] });
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let mu: f64 = (0..p).map(|j| x[(i, j)] * 0.1 * j as f64).sum();
            let ls: f64 = (0..q).map(|j| z[(i, j)] * 0.2).sum();
            mu + ls.exp() * zs[i * (p + q + 1) + p + q]
        })
        .collect();
    let name = |s: &str, j: usize| if j == 0 { "(Intercept)".to_string() } else { format!("{s}{j}") };
    let x = Design::new(x, (0..p).map(|j| name("x", j))).unwrap();
    let z = Design::new(z, (0..q).map(|j| name("z", j))).unwrap();
    best_of("heteroscedastic fit n=1e5 (10 + 4 parameters)", || {
        Regression::heteroscedastic(&x, &z, &y).unwrap().fit().unwrap()
    });
}
