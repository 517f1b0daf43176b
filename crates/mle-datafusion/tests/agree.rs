//! The DataFusion fit (one aggregate query per evaluation, 4 partitions over several Parquet
//! files, or a CSV table) agrees with the in-memory formula fit to 1e-10 relative; a WHERE
//! sample agrees with the in-memory fit on the same rows; errors are typed.

mod common;

use common::compare;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionConfig, SessionContext};
use mle_data::{Family, FormulaFit, FormulaOptions, FrameOptions, Table};
use mle_datafusion::{fit_datafusion, DataFusionOptions, Error};
use mle_stream::{StreamError, StreamFamily};

/// A 4-partition session with the table `t` over `path` (a directory of Parquet files, or a
/// CSV file), the aggregates registered.
fn context(path: &std::path::Path, csv: bool) -> SessionContext {
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(4));
    mle_datafusion::register(&ctx);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let p = path.to_str().unwrap();
    rt.block_on(async {
        if csv {
            ctx.register_csv("t", p, CsvReadOptions::new()).await
        } else {
            ctx.register_parquet("t", p, ParquetReadOptions::default()).await
        }
    })
    .unwrap();
    ctx
}

fn parquet_case(name: &str, n: usize) -> (SessionContext, Table) {
    let table = common::table(n, 7);
    let dir = common::parquet_dir(name, &table, 3, 1_500);
    (context(&dir, false), table)
}

#[test]
fn logistic_agrees_with_in_memory() {
    // A factor (level scan: "z" only where x1 is missing, so it is dropped) and an interaction.
    let (ctx, table) = parquet_case("logistic", 12_000);
    let f = "yb ~ x1 + x2 * x3 + g";
    let memory = FormulaFit::fit(f, &table, Family::Binomial, FormulaOptions::default()).unwrap();
    let fit = fit_datafusion(
        &ctx,
        "t",
        f,
        StreamFamily::Binomial,
        &DataFusionOptions::default(),
    )
    .unwrap();
    compare(&fit.fit, &memory);
    assert!(fit.fit.coefficient_names().contains(&"ge".to_string()));
    assert!(!fit.fit.coefficient_names().contains(&"gz".to_string()));
    assert!(fit.fit.n_dropped > 0);
    assert_eq!(fit.fit.n_rows, 12_000);
    // First rows, the level scan, then one query per evaluation.
    assert_eq!(fit.queries, 2 + fit.fit.passes - 1);
    assert!(fit.fit.passes >= 4, "{} passes", fit.fit.passes);
}

#[test]
fn poisson_with_offset_and_weights_agrees() {
    let (ctx, table) = parquet_case("poisson", 9_000);
    let f = "yc ~ x1 + x2 + g + offset(log(t))";
    let memory = FormulaFit::fit(
        f,
        &table,
        Family::Poisson,
        FormulaOptions::default().weights("x3"),
    )
    .unwrap();
    let opts = DataFusionOptions {
        frame: FrameOptions::default().weights("x3"),
        ..DataFusionOptions::default()
    };
    let fit = fit_datafusion(&ctx, "t", f, StreamFamily::Poisson, &opts).unwrap();
    compare(&fit.fit, &memory);
}

#[test]
fn negative_binomial_agrees_with_in_memory() {
    // θ estimated (log scale) jointly with β: the family with an extra parameter.
    let (ctx, table) = parquet_case("negbin", 9_000);
    let f = "yn ~ x1 + x2 + g + offset(log(t))";
    let memory = FormulaFit::fit(f, &table, Family::NegativeBinomial, FormulaOptions::default()).unwrap();
    let theta = memory.estimate().estimates()[memory.estimate().estimates().len() - 1];
    assert!((theta.exp() - 2.0).abs() < 0.4, "θ̂ = {}", theta.exp()); // simulated θ = 2
    let fit = fit_datafusion(
        &ctx,
        "t",
        f,
        StreamFamily::NegativeBinomial,
        &DataFusionOptions::default(),
    )
    .unwrap();
    compare(&fit.fit, &memory);
    assert_eq!(fit.fit.fit.parameters().last().unwrap().name, "log(theta)");
}

#[test]
fn csv_table_agrees_with_in_memory() {
    // Without a factor: bound on the first rows; a numeric formula read directly where a
    // batch has no missing value.
    let dir = common::temp_dir("csv");
    let path = dir.join("data.csv");
    // Missing values as empty fields (DataFusion's CSV null; the in-memory reader takes both).
    let file = std::fs::File::create(&path).unwrap();
    let mut w = arrow_csv::WriterBuilder::new().with_header(true).build(file);
    w.write(common::table(6_000, 11).batch()).unwrap();
    drop(w);
    let table = Table::read_csv(&path).unwrap();
    let ctx = context(&path, true);
    for (f, family, stream) in [
        ("yb ~ x1 + x2 + x3", Family::Binomial, StreamFamily::Binomial),
        (
            "yc ~ x2 + g + offset(log(t))",
            Family::Poisson,
            StreamFamily::Poisson,
        ),
    ] {
        let memory = FormulaFit::fit(f, &table, family, FormulaOptions::default()).unwrap();
        let fit = fit_datafusion(&ctx, "t", f, stream, &DataFusionOptions::default()).unwrap();
        compare(&fit.fit, &memory);
    }
}

#[test]
fn where_sample_agrees_with_in_memory_on_the_same_rows() {
    let (ctx, table) = parquet_case("where", 10_000);
    // The reference sample: the rows with x2 > 0 and g ≠ 'a', filtered here with Arrow.
    let batch = table.batch();
    let x2 = batch
        .column_by_name("x2")
        .unwrap()
        .as_any()
        .downcast_ref::<arrow_array::Float64Array>()
        .unwrap();
    let g = mle_data::text_column(&table, "g").unwrap();
    let keep: arrow_array::BooleanArray = (0..batch.num_rows())
        .map(|i| Some(x2.value(i) > 0.0 && g.value(i) != "a"))
        .collect();
    let sample = Table::from_batch(arrow_select::filter::filter_record_batch(batch, &keep).unwrap());
    assert!(sample.n_rows() < 6_000 && sample.n_rows() > 3_000);
    let f = "yb ~ x1 + x2 + g";
    let memory = FormulaFit::fit(f, &sample, Family::Binomial, FormulaOptions::default()).unwrap();
    let opts = DataFusionOptions {
        filter: Some("x2 > 0 AND g <> 'a'".into()),
        ..DataFusionOptions::default()
    };
    let fit = fit_datafusion(&ctx, "t", f, StreamFamily::Binomial, &opts).unwrap();
    compare(&fit.fit, &memory);
    assert_eq!(fit.fit.n_rows, sample.n_rows() as u64);
    // The level `a` is not in the sample: `b` is the reference level.
    assert_eq!(fit.fit.coefficient_names()[3], "gc");
}

#[test]
fn errors_are_typed() {
    let (ctx, _) = parquet_case("errors", 3_000);
    let o = DataFusionOptions::default();
    // A column the table does not have: the binding error names it, before any query.
    let e = fit_datafusion(&ctx, "t", "yb ~ nope", StreamFamily::Binomial, &o).unwrap_err();
    assert!(matches!(e, Error::Stream(StreamError::Bind(_))), "{e:?}");
    assert!(e.to_string().contains("nope"), "{e}");
    // Counts as a logistic response: raised in the aggregate, carried back typed.
    let e = fit_datafusion(&ctx, "t", "yc ~ x2", StreamFamily::Binomial, &o).unwrap_err();
    match &e {
        Error::Stream(StreamError::BatchObservation { family, value, .. }) => {
            assert_eq!(family, "binomial");
            assert!(*value > 1.0);
        }
        other => panic!("not a typed observation error: {other:?}"),
    }
    // A bad filter: DataFusion's planning error.
    let bad = DataFusionOptions {
        filter: Some("nope > 0".into()),
        ..DataFusionOptions::default()
    };
    let e = fit_datafusion(&ctx, "t", "yb ~ x2", StreamFamily::Binomial, &bad).unwrap_err();
    assert!(matches!(e, Error::DataFusion(_)), "{e:?}");
    // Inside a runtime: refused, not a panic.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let e =
        rt.block_on(async { fit_datafusion(&ctx, "t", "yb ~ x2", StreamFamily::Binomial, &o).unwrap_err() });
    assert!(matches!(e, Error::InsideRuntime), "{e:?}");
}
