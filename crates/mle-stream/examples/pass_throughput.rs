//! Rows per second of one logistic pass (ℓ, ∇ℓ, ∇²ℓ) in memory and streamed from a Parquet
//! file written by `gen_parquet` (y, x1..xP): the throughput figure at sizes the
//! criterion bench does not hold (n = 10⁷ is 1.7 GB in memory).
//! `cargo run --release -p mle-stream --example pass_throughput -- FILE [PASSES=5] [BATCH=2048]`
//! prints the median of PASSES passes for: the in-memory objective on the loaded design, the
//! streamed pass through `read(2)`, and the streamed pass through a memory mapping.

use std::time::Instant;

use arrow_array::Float64Array;
use mle_core::{Design, LinearPredictorObjective, Objective};
use mle_data::FrameOptions;
use mle_families::Bernoulli;
use mle_stream::{Order, ParquetSource, StreamFamily, StreamModel, StreamObjective};
use nalgebra::DMatrix;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time(passes: usize, mut f: impl FnMut()) -> f64 {
    median(
        (0..passes)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: pass_throughput FILE [PASSES]")?;
    let passes: usize = args.get(2).map_or(Ok(5), |s| s.parse())?;
    let batch: usize = args.get(3).map_or(Ok(2048), |s| s.parse())?;
    let source = ParquetSource::open(path)?.with_batch_size(batch);
    let xs: Vec<String> = source
        .column_names()
        .iter()
        .filter(|c| c.starts_with('x'))
        .cloned()
        .collect();
    let formula = format!("y ~ {}", xs.join(" + "));
    let model = StreamModel::bind(&formula, &source, StreamFamily::Binomial, FrameOptions::default())?;
    let theta: Vec<f64> = (0..=xs.len()).map(|j| 0.01 * j as f64).collect();
    let n = source.n_rows() as usize;

    // The whole file in memory: [1, x1..xP] column-major, and y.
    let columns: Vec<String> = std::iter::once("y".to_string())
        .chain(xs.iter().cloned())
        .collect();
    let mut values: Vec<Vec<f64>> = (0..columns.len()).map(|_| Vec::with_capacity(n)).collect();
    for g in 0..source.row_groups().len() {
        source.fold_group(g, &columns, (), |(), batch| {
            for (c, v) in values.iter_mut().enumerate() {
                let a = batch
                    .column(c)
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .ok_or("not Float64");
                v.extend_from_slice(
                    a.map_err(|e| mle_stream::StreamError::NotSupported { what: e.into() })?
                        .values(),
                );
            }
            Ok(())
        })?;
    }
    let y = values.remove(0);
    let mut data = vec![1.0; n];
    for v in &values {
        data.extend_from_slice(v);
    }
    drop(values);
    let names: Vec<String> = std::iter::once("(Intercept)".to_string())
        .chain(xs.iter().cloned())
        .collect();
    let design = Design::new(DMatrix::from_vec(n, xs.len() + 1, data), names)?;
    let memory = LinearPredictorObjective::new(Bernoulli, [&design], &y)?;
    let in_memory = time(passes, || {
        memory.evaluate(&theta).expect("in-memory pass");
    });

    let streamed = StreamObjective::new(&model, &source);
    let read = time(passes, || {
        streamed.pass(&theta, Order::Hessian).expect("streamed pass");
    });
    let mapped_source = ParquetSource::open(path)?
        .with_batch_size(batch)
        .with_memory_map(true);
    let mapped_objective = StreamObjective::new(&model, &mapped_source);
    let mapped = time(passes, || {
        mapped_objective
            .pass(&theta, Order::Hessian)
            .expect("mapped pass");
    });
    let plain = (0..source.row_groups().len()).all(|g| model.reads_plain_pages(&source, g).unwrap_or(false));
    println!(
        "{path}: n = {n}, p = {}, {} row groups, batches of {batch} rows, {} threads, PLAIN path: {plain}",
        xs.len() + 1,
        source.row_groups().len(),
        rayon::current_num_threads()
    );
    for (what, t) in [
        ("in memory", in_memory),
        ("streamed (read)", read),
        ("streamed (mmap)", mapped),
    ] {
        println!(
            "{what:>16}: {:8.1} ms per pass, {:6.2} M rows/s, {:5.1}% of in memory",
            t * 1e3,
            n as f64 / t / 1e6,
            100.0 * in_memory / t
        );
    }
    Ok(())
}
