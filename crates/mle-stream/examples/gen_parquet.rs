//! Writes a large logistic data set as Parquet, chunk by chunk (memory: one chunk):
//! `cargo run --release -p mle-stream --example gen_parquet -- OUT.parquet ROWS [P] [GROUP_ROWS]
//! [snappy|zstd|none] [dictionary|plain]` (defaults: 20, 10⁶, Snappy, dictionary — parquet-rs's
//! and pyarrow's defaults).
//! Columns y (0/1) and x1..xP (standard normal); η = 0.1 + Σ βⱼ xⱼ with βⱼ = (−1)ʲ 0.5/√j.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err(
            "usage: gen_parquet OUT.parquet ROWS [P=20] [GROUP_ROWS=1000000] [snappy|zstd|none] [dictionary|plain]"
                .into(),
        );
    }
    let rows: u64 = args[2].parse()?;
    let p: usize = args.get(3).map_or(Ok(20), |s| s.parse())?;
    let group: usize = args.get(4).map_or(Ok(1_000_000), |s| s.parse())?;
    let mut fields = vec![Field::new("y", DataType::Float64, false)];
    fields.extend((1..=p).map(|j| Field::new(format!("x{j}"), DataType::Float64, false)));
    let schema = Arc::new(Schema::new(fields));
    let compression = match args.get(5).map_or("snappy", String::as_str) {
        "snappy" => Compression::SNAPPY,
        "zstd" => Compression::ZSTD(Default::default()),
        "none" => Compression::UNCOMPRESSED,
        other => return Err(format!("unknown codec `{other}` (snappy, zstd, none)").into()),
    };
    let dictionary = match args.get(6).map_or("dictionary", String::as_str) {
        "dictionary" => true,
        "plain" => false,
        other => return Err(format!("unknown encoding `{other}` (dictionary, plain)").into()),
    };
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group))
        .set_compression(compression)
        .set_dictionary_enabled(dictionary)
        .build();
    let mut writer = ArrowWriter::try_new(std::fs::File::create(&args[1])?, schema.clone(), Some(props))?;
    let beta: Vec<f64> = (1..=p)
        .map(|j| if j % 2 == 0 { 0.5 } else { -0.5 } / (j as f64).sqrt())
        .collect();
    let mut done = 0u64;
    let mut chunk_index = 0u64;
    while done < rows {
        let m = (group as u64).min(rows - done) as usize;
        let mut rng = StdRng::seed_from_u64(chunk_index);
        let mut xs: Vec<Vec<f64>> = vec![Vec::with_capacity(m); p];
        let mut y = Vec::with_capacity(m);
        for _ in 0..m {
            let mut eta = 0.1;
            for (j, col) in xs.iter_mut().enumerate() {
                let v: f64 = StandardNormal.sample(&mut rng);
                eta += beta[j] * v;
                col.push(v);
            }
            y.push(if rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()) {
                1.0
            } else {
                0.0
            });
        }
        let mut columns: Vec<ArrayRef> = vec![Arc::new(Float64Array::from(y))];
        columns.extend(
            xs.into_iter()
                .map(|c| Arc::new(Float64Array::from(c)) as ArrayRef),
        );
        writer.write(&RecordBatch::try_new(schema.clone(), columns)?)?;
        done += m as u64;
        chunk_index += 1;
    }
    writer.close()?;
    println!("wrote {rows} rows x {} columns to {}", p + 1, args[1]);
    Ok(())
}
