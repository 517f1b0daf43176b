//! One Newton pass (ℓ, ∇ℓ, ∇²ℓ at θ) over the same Parquet file: the DataFusion aggregate
//! query (`mle_partial`, the session's default partitions) against the streaming reader
//! (`StreamObjective::pass`, row groups on the rayon pool).
//!
//! `cargo bench -p mle-datafusion --bench pass` (rows: `MLE_DF_BENCH_ROWS`, default 10⁶;
//! 10 standard-normal covariates and a 0/1 response as `mle-stream`'s `gen_parquet`, row
//! groups of 131 072 rows, Snappy).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use criterion::{criterion_group, criterion_main, Criterion};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use mle_data::FrameOptions;
use mle_datafusion::DataFusionObjective;
use mle_stream::{Order, ParquetSource, StreamFamily, StreamModel, StreamObjective};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

const P: usize = 10;
const GROUP: usize = 131_072;

fn generate(path: &Path, rows: usize) {
    let mut fields = vec![Field::new("y", DataType::Float64, false)];
    fields.extend((1..=P).map(|j| Field::new(format!("x{j}"), DataType::Float64, false)));
    let schema = Arc::new(Schema::new(fields));
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(GROUP))
        .set_compression(Compression::SNAPPY)
        .build();
    let file = std::fs::File::create(path).expect("create the bench file");
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).expect("writer");
    let mut rng = StdRng::seed_from_u64(1);
    let mut done = 0;
    while done < rows {
        let m = GROUP.min(rows - done);
        let mut xs: Vec<Vec<f64>> = (0..P).map(|_| Vec::with_capacity(m)).collect();
        let mut y = Vec::with_capacity(m);
        for _ in 0..m {
            let mut eta = 0.1;
            for (j, col) in xs.iter_mut().enumerate() {
                let v: f64 = StandardNormal.sample(&mut rng);
                eta += if j % 2 == 0 { -0.5 } else { 0.5 } / ((j + 1) as f64).sqrt() * v;
                col.push(v);
            }
            y.push(f64::from(u8::from(
                rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()),
            )));
        }
        let mut columns: Vec<ArrayRef> = vec![Arc::new(Float64Array::from(y))];
        columns.extend(
            xs.into_iter()
                .map(|c| Arc::new(Float64Array::from(c)) as ArrayRef),
        );
        writer
            .write(&RecordBatch::try_new(schema.clone(), columns).expect("batch"))
            .expect("write");
        done += m;
    }
    writer.close().expect("close");
}

fn bench_file() -> PathBuf {
    let rows: usize = std::env::var("MLE_DF_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let path = std::env::temp_dir().join(format!("mle-datafusion-bench-{rows}.parquet"));
    if !path.exists() {
        generate(&path, rows);
    }
    path
}

fn pass(c: &mut Criterion) {
    let path = bench_file();
    let formula = format!(
        "y ~ {}",
        (1..=P).map(|j| format!("x{j}")).collect::<Vec<_>>().join(" + ")
    );
    let source = ParquetSource::open(&path).expect("open");
    let model =
        StreamModel::bind(&formula, &source, StreamFamily::Binomial, FrameOptions::default()).expect("bind");
    let theta: Vec<f64> = (0..=P).map(|j| 0.01 * j as f64).collect();
    let mut group = c.benchmark_group("pass");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(20));

    let stream = StreamObjective::new(&model, &source);
    group.bench_function("stream", |b| {
        b.iter(|| stream.pass(&theta, Order::Hessian).expect("stream pass"))
    });

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let ctx = SessionContext::new();
    mle_datafusion::register(&ctx);
    let frame = runtime
        .block_on(async {
            ctx.register_parquet("t", path.to_str().expect("path"), ParquetReadOptions::default())
                .await?;
            ctx.table("t").await
        })
        .expect("table");
    let objective = DataFusionObjective::new(&runtime, frame, &model).expect("objective");
    group.bench_function("datafusion", |b| {
        b.iter(|| objective.pass(&theta, Order::Hessian).expect("datafusion pass"))
    });
    group.finish();
}

criterion_group!(benches, pass);
criterion_main!(benches);
