//! Quantile regression, n = 10⁵, p = 10 (intercept + 9 covariates), τ = 0.5, synthetic data
//! with a fixed seed: the exact solve alone (what `quantreg::rq.fit` and statsmodels
//! `QuantReg.fit` time), and full fits with iid / nid standard errors. Plus the small Engel-size
//! problem (n = 235) through the Barrodale–Roberts simplex.
//!
//! Data (identical in the peer scripts): SplitMix64 uniforms, Box–Muller normals;
//! xⱼ ~ N(0, 1) for j = 1..9, y = 1 + Σⱼ (j/2) xⱼ + (1 + |x₁|/2) ε, ε ~ N(0, 1) (heteroscedastic).
//! To run the peers on the same numbers, write the CSV (header y,x1..x9, shortest round-trip
//! decimals) and point the scripts at it:
//!
//! ```sh
//! QUANTILE_BENCH_CSV=/tmp/quantile_n100000_p10.csv cargo bench --bench quantile
//! Rscript benches/compare/quantile_peers.R /tmp/quantile_n100000_p10.csv
//! python3 benches/compare/quantile_peers.py /tmp/quantile_n100000_p10.csv
//! ```
//!
//! Measured on the development machine (2 cores, release, criterion median; R and Python
//! medians of 10 / 5 runs, same CSV, all exact methods reaching check loss 55932.1281963793):
//!
//! | n = 10⁵, p = 10, τ = 0.5 | time |
//! |---|---|
//! | this crate, `solve` (exact vertex) | 40 ms |
//! | this crate, `fit` + iid SEs / + nid SEs | 53 ms / 121 ms |
//! | quantreg 5.94 `rq.fit(method = "fn")` (interior point, not a vertex) | 170 ms |
//! | quantreg `rq.fit(method = "pfn")` (fn + preprocessing) | 87 ms |
//! | quantreg `rq.fit(method = "br")` (exact simplex) | 9 260 ms |
//! | quantreg `rq(fn)` + `summary(se = "iid")` / `(se = "nid")` | 412 ms / 839 ms |
//! | statsmodels 0.15 `QuantReg.fit` (IRLS; check loss 1.3e-10 above the optimum) | 1 570 ms |

use std::io::Write;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mle::core::Design;
use mle::models::quantile::{QuantileAlgorithm, QuantileRegression, QuantileStdErrors};

const N: usize = 100_000;
const P: usize = 10;
const SEED: u64 = 20_241_125;

#[path = "support/data.rs"]
mod data;

/// The synthetic data: response and covariate columns (without the intercept).
fn synthetic() -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut rng = data::SplitMix64(SEED);
    let mut cols: Vec<Vec<f64>> = (1..P).map(|_| Vec::with_capacity(N)).collect();
    let mut y = Vec::with_capacity(N);
    for _ in 0..N {
        let mut v = 1.0;
        for (j, col) in cols.iter_mut().enumerate() {
            let x = rng.normal();
            v += 0.5 * (j + 1) as f64 * x;
            col.push(x);
        }
        let e = rng.normal() * (1.0 + 0.5 * cols[0].last().map_or(0.0, |x| x.abs()));
        y.push(v + e);
    }
    (y, cols)
}

fn write_csv(path: &str, y: &[f64], cols: &[Vec<f64>]) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let header: Vec<String> = std::iter::once("y".to_string())
        .chain((1..P).map(|j| format!("x{j}")))
        .collect();
    writeln!(f, "{}", header.join(","))?;
    for i in 0..y.len() {
        write!(f, "{}", y[i])?;
        for c in cols {
            write!(f, ",{}", c[i])?;
        }
        writeln!(f)?;
    }
    f.flush()
}

fn quantile(c: &mut Criterion) {
    let (y, cols) = synthetic();
    if let Ok(path) = std::env::var("QUANTILE_BENCH_CSV") {
        write_csv(&path, &y, &cols).expect("write the benchmark CSV");
        eprintln!("wrote {path}");
    }
    let named: Vec<(String, Vec<f64>)> = cols
        .iter()
        .enumerate()
        .map(|(j, c)| (format!("x{}", j + 1), c.clone()))
        .collect();
    let refs: Vec<(&str, Vec<f64>)> = named.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
    let x = Design::from_columns(true, &refs).expect("design");
    let median = QuantileRegression::median();
    let s = median.solve(&x, &y).expect("solve");
    eprintln!(
        "n = {N}, p = {P}, τ = 0.5: check loss {:.10}, {} interior-point iterations, {} vertex pivots, \
         β̂ = {:.6?}",
        s.objective,
        s.interior_point_iterations,
        s.simplex_pivots,
        s.coefficients.as_slice()
    );

    for (label, q) in [
        ("nid", median),
        ("iid", median.with_std_errors(QuantileStdErrors::Iid)),
    ] {
        let fit = q.fit(&x, &y).expect("fit");
        let se = fit.std_errors().expect("standard errors");
        eprintln!("se {label}: {:.6?}", &se.as_slice()[..P]);
    }

    let mut g = c.benchmark_group("quantile_n1e5_p10");
    g.sample_size(20);
    g.bench_function("solve_tau0.5", |b| {
        b.iter(|| median.solve(black_box(&x), black_box(&y)).unwrap())
    });
    g.bench_function("fit_iid_tau0.5", |b| {
        let q = median.with_std_errors(QuantileStdErrors::Iid);
        b.iter(|| q.fit(black_box(&x), black_box(&y)).unwrap())
    });
    g.bench_function("fit_nid_tau0.5", |b| {
        b.iter(|| median.fit(black_box(&x), black_box(&y)).unwrap())
    });
    g.bench_function("solve_tau0.9", |b| {
        let q = QuantileRegression::new(0.9).unwrap();
        b.iter(|| q.solve(black_box(&x), black_box(&y)).unwrap())
    });
    g.finish();

    // Engel-size problem (n = 235, p = 2): Barrodale–Roberts, as quantreg's default.
    let n = 235;
    let xs: Vec<f64> = cols[0][..n].to_vec();
    let ys: Vec<f64> = y[..n].to_vec();
    let small = Design::from_columns(true, &[("x1", xs)]).expect("design");
    let mut g = c.benchmark_group("quantile_n235_p2");
    let br = median.with_algorithm(QuantileAlgorithm::BarrodaleRoberts);
    g.bench_function("solve_br", |b| {
        b.iter(|| br.solve(black_box(&small), black_box(&ys)).unwrap())
    });
    g.bench_function("fit_nid_br", |b| {
        b.iter(|| br.fit(black_box(&small), black_box(&ys)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, quantile);
criterion_main!(benches);
