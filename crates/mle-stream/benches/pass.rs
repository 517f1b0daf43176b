//! One pass (ℓ, ∇ℓ, ∇²ℓ) of a logistic regression, n = 10⁶ rows, p = 20 + intercept: the
//! in-memory objective on a built design vs the streamed pass over the same rows as Parquet
//! (decode, encode through the formula spec, sum): dictionary pages (parquet-rs's default,
//! the Arrow reader), PLAIN pages (decoded straight into the design), and PLAIN pages through
//! a memory mapping. Throughput in rows/s; the target is streaming ≥ 80% of
//! in-memory (at n = 10⁷: `cargo run --release -p mle-stream --example pass_throughput`).

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mle_core::{Design, LinearPredictorObjective, Objective};
use mle_data::FrameOptions;
use mle_families::Bernoulli;
use mle_stream::{Order, ParquetSource, StreamFamily, StreamModel, StreamObjective};
use nalgebra::DMatrix;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

const N: usize = 1_000_000;
const P: usize = 20;

fn data() -> (DMatrix<f64>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(1);
    let x = DMatrix::from_fn(N, P + 1, |_, j| if j == 0 { 1.0 } else { 0.0 });
    let mut x = x;
    let mut y = Vec::with_capacity(N);
    for i in 0..N {
        let mut eta = 0.1;
        for j in 1..=P {
            let v: f64 = StandardNormal.sample(&mut rng);
            x[(i, j)] = v;
            eta += v * if j % 2 == 0 { 0.3 } else { -0.3 };
        }
        y.push(if rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()) {
            1.0
        } else {
            0.0
        });
    }
    (x, y)
}

/// Writes the rows uncompressed (parquet-rs's default), row groups of 131 072 rows, with
/// dictionary encoding (the default: the random doubles are dictionary-encoded until the
/// 1 MiB dictionary page is full, 131 072 values) or PLAIN.
fn write(x: &DMatrix<f64>, y: &[f64], path: &std::path::Path, dictionary: bool) {
    let mut fields = vec![Field::new("y", DataType::Float64, false)];
    fields.extend((1..=P).map(|j| Field::new(format!("x{j}"), DataType::Float64, false)));
    let schema = Arc::new(Schema::new(fields));
    let mut columns: Vec<ArrayRef> = vec![Arc::new(Float64Array::from(y.to_vec()))];
    columns.extend((1..=P).map(|j| {
        Arc::new(Float64Array::from(
            x.column(j).iter().copied().collect::<Vec<_>>(),
        )) as ArrayRef
    }));
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(131_072))
        .set_compression(Compression::UNCOMPRESSED)
        .set_dictionary_enabled(dictionary)
        .build();
    let mut w = ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn bench(c: &mut Criterion) {
    let (x, y) = data();
    let path = std::env::temp_dir().join(format!("mle-stream-bench-{}.parquet", std::process::id()));
    write(&x, &y, &path, true);
    let plain_path = path.with_extension("plain.parquet");
    write(&x, &y, &plain_path, false);
    let names: Vec<String> = std::iter::once("(Intercept)".to_string())
        .chain((1..=P).map(|j| format!("x{j}")))
        .collect();
    let design = Design::new(x, names).unwrap();
    let memory = LinearPredictorObjective::new(Bernoulli, [&design], &y).unwrap();
    let source = ParquetSource::open(&path).unwrap();
    let formula = format!(
        "y ~ {}",
        (1..=P).map(|j| format!("x{j}")).collect::<Vec<_>>().join(" + ")
    );
    let model =
        StreamModel::bind(&formula, &source, StreamFamily::Binomial, FrameOptions::default()).unwrap();
    let stream = StreamObjective::new(&model, &source);
    let plain_source = ParquetSource::open(&plain_path).unwrap();
    let plain_model = StreamModel::bind(
        &formula,
        &plain_source,
        StreamFamily::Binomial,
        FrameOptions::default(),
    )
    .unwrap();
    let plain = StreamObjective::new(&plain_model, &plain_source);
    let mapped_source = ParquetSource::open(&plain_path).unwrap().with_memory_map(true);
    let mapped = StreamObjective::new(&plain_model, &mapped_source);
    let theta: Vec<f64> = (0..=P).map(|j| 0.01 * j as f64).collect();
    let mut g = c.benchmark_group("logistic one pass n=1e6 p=20");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function("in-memory evaluate", |b| {
        b.iter(|| memory.evaluate(&theta).unwrap())
    });
    g.bench_function("streamed Parquet pass", |b| {
        b.iter(|| stream.pass(&theta, Order::Hessian).unwrap())
    });
    g.bench_function("streamed Parquet pass, PLAIN encoding", |b| {
        b.iter(|| plain.pass(&theta, Order::Hessian).unwrap())
    });
    g.bench_function("streamed Parquet pass, PLAIN encoding, memory-mapped", |b| {
        b.iter(|| mapped.pass(&theta, Order::Hessian).unwrap())
    });
    g.finish();
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&plain_path);
}

criterion_group!(benches, bench);
criterion_main!(benches);
