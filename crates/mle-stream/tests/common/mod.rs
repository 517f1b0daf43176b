//! Generated data sets written to Parquet with several row groups, and the comparison of a
//! streamed fit with the in-memory one (shared with mle-datafusion's tests, which include
//! this file).
#![allow(dead_code)]

use std::path::Path;

use arrow_array::RecordBatch;
use mle_data::Table;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Gamma, Normal, Poisson as PoissonDist};

/// Rows of a generated regression data set: x1 (with missing values), x2, x3, a string
/// factor g (level "e" only in the last rows, level "z" only in rows with a missing x1),
/// exposure t, and responses yb (0/1), yc (counts), yg (Gaussian).
pub fn table(n: usize, seed: u64) -> Table {
    let mut rng = StdRng::seed_from_u64(seed);
    let normal = Normal::new(0.0, 1.0).unwrap();
    let levels = ["a", "b", "c", "d"];
    let (mut x1, mut x2, mut x3, mut g, mut t) = (vec![], vec![], vec![], vec![], vec![]);
    let (mut yb, mut yc, mut yg, mut yn) = (vec![], vec![], vec![], vec![]);
    // Over-dispersed counts (NB2, θ = 2: a gamma-mixed Poisson) from their own generator, so
    // the other columns are those of the same seed as before.
    let mut mix = StdRng::seed_from_u64(seed ^ 0x9e37_79b9);
    let gamma = Gamma::new(2.0, 0.5).unwrap();
    for i in 0..n {
        let a: f64 = normal.sample(&mut rng);
        let b: f64 = normal.sample(&mut rng);
        let c: f64 = rng.random_range(0.0..2.0);
        let mut level = if i >= n - n / 20 {
            "e"
        } else {
            levels[rng.random_range(0..4)]
        };
        let missing = i % 97 == 5;
        if missing && i % 2 == 1 {
            level = "z";
        }
        let effect = match level {
            "a" => 0.0,
            "b" => 0.3,
            "c" => -0.4,
            "d" => 0.8,
            _ => -0.2,
        };
        let exposure: f64 = rng.random_range(0.5..3.0);
        let eta = -0.5 + 0.7 * a - 0.4 * b + 0.2 * c + effect;
        let p = 1.0 / (1.0 + (-eta).exp());
        yb.push(if rng.random::<f64>() < p { 1.0 } else { 0.0 });
        let mu = (0.2 + 0.3 * a + 0.1 * b + effect + exposure.ln()).exp();
        yc.push(PoissonDist::new(mu).unwrap().sample(&mut rng));
        yg.push(1.0 + 2.0 * a - b + 0.5 * c + effect + 0.7 * normal.sample(&mut rng));
        let mixed = mu * gamma.sample(&mut mix);
        yn.push(if mixed > 0.0 {
            PoissonDist::new(mixed).unwrap().sample(&mut mix)
        } else {
            0.0
        });
        x1.push(if missing { None } else { Some(a) });
        x2.push(b);
        x3.push(c);
        g.push(level);
        t.push(exposure);
    }
    Table::from_columns([
        ("yb", yb.into()),
        ("yc", yc.into()),
        ("yg", yg.into()),
        ("yn", yn.into()),
        ("x1", x1.into()),
        ("x2", x2.into()),
        ("x3", x3.into()),
        ("g", g.into()),
        ("t", t.into()),
    ])
    .unwrap()
}

/// Writes `batch` to `path` with row groups of `group_rows` rows.
pub fn write(batch: &RecordBatch, path: &Path, group_rows: usize) {
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group_rows))
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

/// A fresh temporary directory under the target dir.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "{}-{name}-{}",
        env!("CARGO_PKG_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn assert_close(a: f64, b: f64, tol: f64, what: &str) {
    let rel = (a - b).abs() / b.abs().max(1e-300);
    assert!(
        rel <= tol || (a - b).abs() <= tol * 1e-3,
        "{what}: {a} vs {b} (rel {rel:e})"
    );
}

/// Estimates to 1e-10 relative, covariance to 1e-8, ℓ to 1e-12, names, n and dropped rows
/// as the in-memory fit's.
pub fn compare(fit: &mle_stream::StreamFit, memory: &mle_data::FormulaFit) {
    let (s, m) = (&fit.fit, memory.estimate());
    assert_eq!(s.parameters().len(), m.parameters().len());
    for (a, b) in s.parameters().iter().zip(m.parameters()) {
        assert_eq!(a.name, b.name);
    }
    assert_eq!(fit.coefficient_names(), memory.coefficient_names().as_slice());
    for i in 0..s.estimates().len() {
        assert_close(
            s.estimates()[i],
            m.estimates()[i],
            1e-10,
            &format!("estimate {i}"),
        );
    }
    let (cs, cm) = (s.covariance().unwrap(), m.covariance().unwrap());
    for i in 0..cs.nrows() {
        for j in 0..cs.ncols() {
            assert!((cs[(i, j)] - cm[(i, j)]).abs() <= 1e-8 * cm[(i, i)].abs().max(cm[(j, j)].abs()));
        }
    }
    assert_close(s.log_likelihood(), m.log_likelihood(), 1e-12, "log-likelihood");
    assert_eq!(s.n_obs(), memory.n_obs());
    assert_eq!(fit.n_dropped, memory.n_dropped() as u64);
    assert!(s.convergence().converged());
}
