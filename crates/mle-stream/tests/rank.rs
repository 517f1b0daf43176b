//! A rank-deficient design streamed: the first pass's Hessian (or the streamed R factor)
//! names the dependent column, as the in-memory design's rank check does.

mod common;

use mle_core::{Design, MleError};
use mle_data::Table;
use mle_stream::{fit_parquet, StreamError, StreamFamily, StreamOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// x3 = 2·x1 − 0.5·x2 exactly in the generating arithmetic; y0/1 and Gaussian responses.
fn dependent(n: usize) -> [Vec<f64>; 5] {
    let mut rng = StdRng::seed_from_u64(11);
    let (mut x1, mut x2, mut x3, mut yb, mut yg) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let a: f64 = rng.random_range(-1.0..1.0);
        let b: f64 = rng.random_range(0.0..3.0);
        x1.push(a);
        x2.push(b);
        x3.push(2.0 * a - 0.5 * b);
        yb.push(if rng.random::<f64>() < 0.4 { 1.0 } else { 0.0 });
        yg.push(1.0 + a + rng.random_range(-1.0..1.0));
    }
    [x1, x2, x3, yb, yg]
}

fn rank_error(e: StreamError) -> (Vec<String>, String) {
    match e {
        StreamError::Model(m) => match *m {
            MleError::RankDeficient { columns, relation } => (columns, relation),
            other => panic!("not a rank error: {other:?}"),
        },
        other => panic!("not a model error: {other:?}"),
    }
}

#[test]
fn rank_deficient_streamed_designs_name_the_dependent_column() {
    let n = 3_000;
    let [x1, x2, x3, yb, yg] = dependent(n);
    // The in-memory rank check on the same design, for the expected columns.
    let design = Design::from_columns(
        true,
        &[("x1", x1.clone()), ("x2", x2.clone()), ("x3", x3.clone())],
    )
    .unwrap();
    let expected = match design.check_rank(1e-13) {
        Err(MleError::RankDeficient { columns, .. }) => columns,
        other => panic!("{other:?}"),
    };
    assert_eq!(expected, vec!["x3".to_string()]);
    let table = Table::from_columns([
        ("yb", yb.into()),
        ("yg", yg.into()),
        ("x1", x1.into()),
        ("x2", x2.into()),
        ("x3", x3.into()),
    ])
    .unwrap();
    let dir = common::temp_dir("rank");
    let path = dir.join("dependent.parquet");
    common::write(table.batch(), &path, 700);
    let options = StreamOptions {
        batch_size: 500,
        ..StreamOptions::default()
    };
    for (formula, family) in [
        ("yb ~ x1 + x2 + x3", StreamFamily::Binomial),
        ("yb ~ x1 + x2 + x3", StreamFamily::Poisson),
        ("yg ~ x1 + x2 + x3", StreamFamily::Gaussian),
    ] {
        let e = fit_parquet(&path, formula, family, &options).unwrap_err();
        let (columns, relation) = rank_error(e);
        assert_eq!(columns, expected, "{family:?}");
        // The relation x3 = 2·x1 − 0.5·x2 (coefficients printed to 3 decimals).
        assert!(
            relation.contains("2.000·`x1`") && relation.contains("-0.500·`x2`"),
            "{family:?}: {relation}"
        );
    }
    // Full rank without x3: the same file fits.
    let fit = fit_parquet(&path, "yb ~ x1 + x2", StreamFamily::Binomial, &options).unwrap();
    assert!(fit.fit.convergence().converged());
    let _ = std::fs::remove_dir_all(&dir);
}
