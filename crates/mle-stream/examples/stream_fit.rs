//! Fits a logistic regression streamed from a Parquet file or directory and prints the
//! passes, wall time and peak RSS:
//! `cargo run --release -p mle-stream --example stream_fit -- FILE [FAMILY] [WARM_ROWS]`.
//! The formula is `y ~ x1 + … + xP` over the file's `x` columns.

use mle_stream::{fit_parquet, ParquetSource, StreamFamily, StreamOptions};

/// Peak resident set size (VmHWM) in MiB, from /proc/self/status.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: stream_fit FILE [FAMILY] [WARM_ROWS]")?;
    let family: StreamFamily = args.get(2).map_or(Ok(StreamFamily::Binomial), |s| s.parse())?;
    let warm = args.get(3).map(|s| s.parse::<u64>()).transpose()?;
    let source = ParquetSource::open(path)?;
    let xs: Vec<&String> = source
        .column_names()
        .iter()
        .filter(|c| c.starts_with('x'))
        .collect();
    let formula = format!(
        "y ~ {}",
        xs.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" + ")
    );
    let options = StreamOptions {
        warm_start_rows: warm,
        ..StreamOptions::default()
    };
    let fit = fit_parquet(path, &formula, family, &options)?;
    println!(
        "file {path}: {} rows, {} row groups, {} threads",
        fit.n_rows,
        source.row_groups().len(),
        rayon::current_num_threads()
    );
    println!(
        "converged: {} ({})",
        fit.fit.convergence().converged(),
        fit.fit.convergence().reason()
    );
    println!(
        "passes {}, wall {:.2} s, {:.2} s per pass",
        fit.passes,
        fit.wall.as_secs_f64(),
        fit.wall.as_secs_f64() / fit.passes as f64
    );
    println!(
        "rows/s per pass {:.3e}",
        fit.n_rows as f64 * fit.passes as f64 / fit.wall.as_secs_f64()
    );
    println!("peak RSS {:.1} MiB", peak_rss_mib().unwrap_or(f64::NAN));
    let est = fit.fit.estimates();
    let se = fit.fit.std_errors();
    for (i, name) in fit.coefficient_names().iter().enumerate().take(4) {
        println!(
            "{name:>12} {:>12.6} ({:.2e})",
            est[i],
            se.as_ref().map_or(f64::NAN, |s| s[i])
        );
    }
    Ok(())
}
