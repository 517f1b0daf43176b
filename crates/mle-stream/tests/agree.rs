//! The streamed fit agrees with the in-memory formula fit to 1e-10 relative, is bitwise
//! independent of the thread count, and reads directories of files.

mod common;

use common::{assert_close, compare};

use mle_data::{CovarianceChoice, Family, FormulaFit, FormulaOptions, FrameOptions, Table};
use mle_stream::{fit_parquet, StreamFamily, StreamFit, StreamOptions};

fn setup(name: &str, n: usize, group_rows: usize) -> (std::path::PathBuf, Table) {
    let dir = common::temp_dir(name);
    let t = common::table(n, 7);
    let path = dir.join("data.parquet");
    common::write(t.batch(), &path, group_rows);
    let back = Table::read_parquet(&path, None).unwrap();
    (path, back)
}

fn options() -> StreamOptions {
    StreamOptions {
        batch_size: 1000,
        ..StreamOptions::default()
    }
}

#[test]
fn logistic_agrees_with_in_memory() {
    let (path, table) = setup("logistic", 20_000, 3_000);
    let f = "yb ~ x1 + x2 * x3 + g";
    let memory = FormulaFit::fit(f, &table, Family::Binomial, FormulaOptions::default()).unwrap();
    let stream = fit_parquet(&path, f, StreamFamily::Binomial, &options()).unwrap();
    compare(&stream, &memory);
    assert!(stream.coefficient_names().contains(&"ge".to_string()));
    assert!(!stream.coefficient_names().contains(&"gz".to_string()));
    assert!(stream.n_dropped > 0);
    // The warm start takes the same full-data steps to the same estimate.
    let warm = StreamOptions {
        warm_start_rows: Some(3_000),
        ..options()
    };
    let w = fit_parquet(&path, f, StreamFamily::Binomial, &warm).unwrap();
    compare(&w, &memory);
    assert_eq!(w.start_note, None);
    let (wi, ci) = (
        w.fit.convergence().iterations,
        stream.fit.convergence().iterations,
    );
    assert!(wi <= ci, "warm start: {wi} Newton iterations, cold: {ci}");
    // The start is the sample fit: within a few sample standard errors of the estimate.
    let se = memory.estimate().std_errors().unwrap();
    for (i, s) in w.start.iter().enumerate() {
        let dist = (s - memory.estimate().estimates()[i]).abs();
        assert!(
            dist > 0.0 && dist < 6.0 * se[i] * (20_000.0f64 / 3_000.0).sqrt(),
            "start {i}: {s}"
        );
    }
}

#[test]
fn poisson_with_offset_and_weights_agrees() {
    let (path, table) = setup("poisson", 15_000, 2_500);
    let f = "yc ~ x1 + x2 + g + offset(log(t))";
    let memory = FormulaFit::fit(
        f,
        &table,
        Family::Poisson,
        FormulaOptions::default().weights("x3"),
    )
    .unwrap();
    let opts = StreamOptions {
        frame: FrameOptions::default().weights("x3"),
        ..options()
    };
    let stream = fit_parquet(&path, f, StreamFamily::Poisson, &opts).unwrap();
    compare(&stream, &memory);
}

#[test]
fn negative_binomial_agrees_with_in_memory() {
    // θ estimated (log scale) jointly with β: the family with an extra parameter.
    let (path, table) = setup("negbin", 15_000, 2_500);
    let f = "yn ~ x1 + x2 + g + offset(log(t))";
    let memory = FormulaFit::fit(f, &table, Family::NegativeBinomial, FormulaOptions::default()).unwrap();
    let theta = memory.estimate().estimates()[memory.estimate().estimates().len() - 1];
    assert!((theta.exp() - 2.0).abs() < 0.3, "θ̂ = {}", theta.exp()); // simulated θ = 2
    let stream = fit_parquet(&path, f, StreamFamily::NegativeBinomial, &options()).unwrap();
    compare(&stream, &memory);
    let warm = StreamOptions {
        warm_start_rows: Some(3_000),
        ..options()
    };
    compare(
        &fit_parquet(&path, f, StreamFamily::NegativeBinomial, &warm).unwrap(),
        &memory,
    );
}

#[test]
fn negative_binomial_poisson_limit_agrees() {
    // Poisson counts: under-dispersed at the Poisson fit or θ̂ → ∞; either way the limit
    // θ̂ = ∞ with the Poisson β, as in memory.
    let (path, table) = setup("negbin-limit", 6_000, 1_000);
    let f = "yc ~ x2 + offset(log(t))";
    let memory = FormulaFit::fit(f, &table, Family::NegativeBinomial, FormulaOptions::default()).unwrap();
    let stream = fit_parquet(&path, f, StreamFamily::NegativeBinomial, &options()).unwrap();
    let (s, m) = (stream.fit.estimates(), memory.estimate().estimates());
    assert_eq!(s.len(), m.len());
    assert_eq!(s[s.len() - 1].is_infinite(), m[m.len() - 1].is_infinite());
    if m[m.len() - 1].is_infinite() {
        assert!(stream.fit.covariance().is_none());
        for i in 0..s.len() - 1 {
            assert_close(s[i], m[i], 1e-10, &format!("β {i}"));
        }
    } else {
        compare(&stream, &memory);
    }
    assert_close(
        stream.fit.log_likelihood(),
        memory.estimate().log_likelihood(),
        1e-12,
        "ℓ",
    );
}

#[test]
fn sandwich_covariances_agree_with_in_memory() {
    // HC0 / HC1 from one Σ sᵢsᵢᵀ pass at θ̂, as mle_core::covariance computes them from the
    // in-memory score matrix: logistic (with weights), negative binomial (β, log θ), Gaussian.
    let (path, table) = setup("sandwich", 8_000, 1_500);
    let cases = [
        (
            "yb ~ x1 + x2 + g",
            Family::Binomial,
            StreamFamily::Binomial,
            Some("x3"),
        ),
        (
            "yn ~ x2 + g",
            Family::NegativeBinomial,
            StreamFamily::NegativeBinomial,
            None,
        ),
        ("yg ~ x1 + x2 + g", Family::Gaussian, StreamFamily::Gaussian, None),
    ];
    // HC0 / HC1, and cluster-robust (HC1 form, G/(G−1)·(n−1)/(n−p)) from per-cluster score
    // sums merged across batches and row groups: 4 clusters (`g`, spanning every row group)
    // and one per distinct value of a numeric column (labels as text, as in memory).
    let choices = [
        CovarianceChoice::Hc0,
        CovarianceChoice::Hc1,
        CovarianceChoice::Cluster("g".into()),
        CovarianceChoice::Cluster("x2".into()),
    ];
    for (f, family, stream_family, weights) in cases {
        for choice in &choices {
            let memory = FormulaFit::fit(
                f,
                &table,
                family,
                FormulaOptions {
                    covariance: choice.clone(),
                    weights: weights.map(String::from),
                    ..FormulaOptions::default()
                },
            )
            .unwrap();
            let opts = StreamOptions {
                frame: FrameOptions {
                    weights: weights.map(String::from),
                    ..FrameOptions::default()
                },
                covariance: choice.clone(),
                ..options()
            };
            let stream = fit_parquet(&path, f, stream_family, &opts).unwrap();
            compare(&stream, &memory);
            let label = if matches!(choice, CovarianceChoice::Cluster(_)) {
                "cluster"
            } else {
                "sandwich"
            };
            assert!(stream.fit.covariance_source().contains(label), "{f} {choice}");
        }
    }
    // Expected = observed at θ̂ for the canonical links and the Gaussian: the in-memory
    // expected information gives the same covariance; the NB's (an infinite sum) is not streamed.
    for (f, family, stream_family) in [
        ("yb ~ x1 + g", Family::Binomial, StreamFamily::Binomial),
        ("yg ~ x2 + g", Family::Gaussian, StreamFamily::Gaussian),
    ] {
        let expected = FormulaOptions {
            covariance: CovarianceChoice::Expected,
            ..FormulaOptions::default()
        };
        let memory = FormulaFit::fit(f, &table, family, expected).unwrap();
        let opts = StreamOptions {
            covariance: CovarianceChoice::Expected,
            ..options()
        };
        compare(&fit_parquet(&path, f, stream_family, &opts).unwrap(), &memory);
    }
    let expected = StreamOptions {
        covariance: CovarianceChoice::Expected,
        ..options()
    };
    let e = fit_parquet(&path, "yn ~ x2", StreamFamily::NegativeBinomial, &expected).unwrap_err();
    assert!(e.to_string().contains("Expected"), "{e}");
}

#[test]
fn gaussian_least_squares_agrees() {
    let (path, table) = setup("gaussian", 12_000, 2_000);
    let f = "yg ~ x1 + x2 + x3 + g";
    let memory = FormulaFit::fit(f, &table, Family::Gaussian, FormulaOptions::default()).unwrap();
    let stream = fit_parquet(&path, f, StreamFamily::Gaussian, &options()).unwrap();
    compare(&stream, &memory);
    // The level scan, the R factor, two refinements, the information at the estimate.
    assert_eq!(stream.passes, 5);
}

#[test]
fn bitwise_independent_of_threads_and_files_concatenate() {
    let (path, table) = setup("threads", 12_000, 1_500);
    let f = "yb ~ x1 + x2 + g";
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| fit_parquet(&path, f, StreamFamily::Binomial, &options()).unwrap())
    };
    let (one, three) = (run(1), run(3));
    let bits = |s: &StreamFit| s.fit.estimates().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&one), bits(&three));
    assert_eq!(
        one.fit.log_likelihood().to_bits(),
        three.fit.log_likelihood().to_bits()
    );
    // The same rows as two files in a directory.
    let dir = common::temp_dir("threads-dir");
    let batch = table.batch();
    common::write(&batch.slice(0, 5_000), &dir.join("part-0.parquet"), 1_500);
    common::write(&batch.slice(5_000, 7_000), &dir.join("part-1.parquet"), 1_500);
    let split = fit_parquet(&dir, f, StreamFamily::Binomial, &options()).unwrap();
    for (a, b) in split.fit.estimates().iter().zip(one.fit.estimates()) {
        assert_close(*a, *b, 1e-12, "directory vs file");
    }
    assert_eq!(split.n_rows, 12_000);
}

#[test]
fn errors_name_columns_and_files() {
    let (path, _) = setup("errors", 2_000, 500);
    let e = fit_parquet(&path, "yb ~ nope", StreamFamily::Binomial, &options()).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    let e = fit_parquet(&path, "yc ~ x2", StreamFamily::Binomial, &options()).unwrap_err();
    assert!(
        e.to_string().contains("data.parquet") && e.to_string().contains("binomial"),
        "{e}"
    );
    let e = fit_parquet(
        path.with_file_name("absent.parquet"),
        "yb ~ x2",
        StreamFamily::Binomial,
        &options(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("absent.parquet"), "{e}");
}

#[test]
fn numeric_formulas_read_directly_with_the_specs_design() {
    let (path, table) = setup("direct", 10_000, 1_500);
    // x1 has missing values: its batches take the spec's path, the others the direct one.
    let f = "yb ~ x1 + x2 + x3";
    let memory = FormulaFit::fit(f, &table, Family::Binomial, FormulaOptions::default()).unwrap();
    let stream = fit_parquet(&path, f, StreamFamily::Binomial, &options()).unwrap();
    compare(&stream, &memory);
    let src = mle_stream::ParquetSource::open(&path).unwrap();
    let model = mle_stream::StreamModel::bind(
        "yb ~ x2 + x3",
        &src,
        StreamFamily::Binomial,
        FrameOptions::default(),
    )
    .unwrap();
    assert!(model.is_direct());
    let batch = src
        .fold_group(0, model.columns(), None, |acc, b| Ok(acc.or(Some(b))))
        .unwrap()
        .unwrap();
    let (x, y) = model.direct_design(&batch).unwrap();
    let frame = model.frame(batch).unwrap().unwrap();
    assert_eq!(&x, frame.design.matrix());
    assert_eq!(Some(mle_data::Response::Numeric(y)), frame.response);
    let not_direct = mle_stream::StreamModel::bind(
        "yb ~ log(x3) + x2",
        &src,
        StreamFamily::Binomial,
        FrameOptions::default(),
    )
    .unwrap();
    assert!(!not_direct.is_direct());
}
