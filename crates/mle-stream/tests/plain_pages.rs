//! The PLAIN-page path (required DOUBLE columns decoded straight into the design) gives the
//! same sums as the Arrow reader, bitwise, for pages that split batches, data pages v1 and
//! v2, Snappy, a memory mapping and NaN rows; files it cannot read that way take the Arrow
//! reader; and the fit agrees with the in-memory formula fit to 1e-10.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use mle_data::{Family, FormulaFit, FormulaOptions, FrameOptions, Table};
use mle_stream::{
    fit_parquet, Order, ParquetSource, StreamFamily, StreamModel, StreamObjective, StreamOptions,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding};
use parquet::file::properties::{WriterProperties, WriterVersion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

const N: usize = 5_000;
const FORMULA: &str = "y ~ x1 + x2 + x3";

/// Logistic data as required (non-nullable) Float64 columns; x2 is NaN in every 613th row
/// when `nan` (a missing value in a column without nulls).
fn batch(nan: bool) -> RecordBatch {
    let mut rng = StdRng::seed_from_u64(11);
    let mut cols: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(N)).collect();
    for i in 0..N {
        let x: [f64; 3] = std::array::from_fn(|_| StandardNormal.sample(&mut rng));
        let eta = 0.2 + 0.8 * x[0] - 0.5 * x[1] + 0.3 * x[2];
        cols[0].push(if rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()) {
            1.0
        } else {
            0.0
        });
        for j in 0..3 {
            cols[j + 1].push(if nan && j == 1 && i % 613 == 7 {
                f64::NAN
            } else {
                x[j]
            });
        }
    }
    let names = ["y", "x1", "x2", "x3"];
    let schema = Schema::new(
        names
            .iter()
            .map(|n| Field::new(*n, DataType::Float64, false))
            .collect::<Vec<_>>(),
    );
    let arrays: Vec<ArrayRef> = cols
        .into_iter()
        .map(|c| Arc::new(Float64Array::from(c)) as ArrayRef)
        .collect();
    RecordBatch::try_new(Arc::new(schema), arrays).unwrap()
}

/// A fresh temporary directory.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("mle-stream-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(batch: &RecordBatch, path: &std::path::Path, props: WriterProperties) {
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), batch.schema(), Some(props)).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

/// Row groups of 1 700 rows, data pages of at most 1 KiB (128 values: pages split batches).
fn props() -> parquet::file::properties::WriterPropertiesBuilder {
    WriterProperties::builder()
        .set_max_row_group_row_count(Some(1_700))
        .set_data_page_size_limit(1024)
        .set_write_batch_size(64)
}

/// One Hessian pass at θ over `path` (batches of 300 rows), and whether every row group
/// took the PLAIN path.
fn pass(path: &std::path::Path, mapped: bool) -> (mle_stream::PartialSum, bool) {
    let source = ParquetSource::open(path)
        .unwrap()
        .with_batch_size(300)
        .with_memory_map(mapped);
    let model = StreamModel::bind(FORMULA, &source, StreamFamily::Binomial, FrameOptions::default()).unwrap();
    let plain = (0..source.row_groups().len()).all(|g| model.reads_plain_pages(&source, g).unwrap());
    let objective = StreamObjective::new(&model, &source);
    let (sum, _) = objective.pass(&[0.1, 0.5, -0.3, 0.2], Order::Hessian).unwrap();
    (sum, plain)
}

#[test]
fn plain_pages_give_the_arrow_readers_sums_bitwise() {
    let dir = temp_dir("plain");
    for nan in [false, true] {
        let b = batch(nan);
        let arrow_path = dir.join(format!("dictionary-{nan}.parquet"));
        write(&b, &arrow_path, props().build());
        let (reference, plain) = pass(&arrow_path, false);
        assert!(!plain, "dictionary pages must take the Arrow reader");
        let dropped = if nan {
            (0..N).filter(|i| i % 613 == 7).count()
        } else {
            0
        };
        assert_eq!(reference.n as usize, N - dropped);
        let variants = [
            ("v1", props().set_dictionary_enabled(false).build()),
            (
                "v2-snappy",
                props()
                    .set_dictionary_enabled(false)
                    .set_writer_version(WriterVersion::PARQUET_2_0)
                    .set_compression(Compression::SNAPPY)
                    .build(),
            ),
        ];
        for (name, p) in variants {
            let path = dir.join(format!("{name}-{nan}.parquet"));
            write(&b, &path, p);
            for mapped in [false, true] {
                let (sum, plain) = pass(&path, mapped);
                assert!(
                    plain,
                    "{name}: PLAIN pages of required doubles take the PLAIN path"
                );
                assert_eq!(sum, reference, "{name} nan={nan} mapped={mapped}");
            }
        }
        // BYTE_STREAM_SPLIT: not PLAIN, so the Arrow reader; the same sums.
        let path = dir.join(format!("split-{nan}.parquet"));
        write(
            &b,
            &path,
            props()
                .set_dictionary_enabled(false)
                .set_encoding(Encoding::BYTE_STREAM_SPLIT)
                .build(),
        );
        let (sum, plain) = pass(&path, false);
        assert!(!plain);
        assert_eq!(sum, reference);
    }
}

#[test]
fn plain_page_fit_agrees_with_in_memory() {
    let dir = temp_dir("plain-fit");
    let b = batch(true);
    let path = dir.join("plain.parquet");
    write(&b, &path, props().set_dictionary_enabled(false).build());
    let table = Table::read_parquet(&path, None).unwrap();
    let memory = FormulaFit::fit(FORMULA, &table, Family::Binomial, FormulaOptions::default()).unwrap();
    for memory_map in [false, true] {
        let options = StreamOptions {
            batch_size: 450,
            memory_map,
            ..StreamOptions::default()
        };
        let stream = fit_parquet(&path, FORMULA, StreamFamily::Binomial, &options).unwrap();
        let (s, m) = (&stream.fit, memory.estimate());
        assert!(s.convergence().converged());
        assert_eq!(stream.n_dropped, memory.n_dropped() as u64);
        assert!(stream.n_dropped > 0);
        for (a, e) in s.estimates().iter().zip(m.estimates()) {
            assert!((a - e).abs() <= 1e-10 * e.abs(), "{a} vs {e}");
        }
        let rel = (s.log_likelihood() - m.log_likelihood()).abs() / m.log_likelihood().abs();
        assert!(rel <= 1e-12, "{rel:e}");
    }
}
