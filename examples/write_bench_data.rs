//! Writes the benchmark data sets as CSV for the peer-timing scripts in benches/compare/.
//!
//! `cargo run --release --example write_bench_data -- /tmp/mle-bench`

#[path = "../benches/support/data.rs"]
mod data;

use std::io::Write;

fn write_csv(path: &std::path::Path, header: &[String], columns: &[&[f64]]) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(f, "{}", header.join(","))?;
    for i in 0..columns[0].len() {
        let row: Vec<String> = columns.iter().map(|c| format!("{:?}", c[i])).collect();
        writeln!(f, "{}", row.join(","))?;
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "/tmp/mle-bench".into()));
    std::fs::create_dir_all(&dir)?;
    let (n, p) = (1_000_000, 20);
    let (x, y) = data::logistic(n, p, 2024);
    let mut header = vec!["y".to_string()];
    header.extend((1..p).map(|j| format!("x{j}")));
    let mut cols: Vec<&[f64]> = vec![&y];
    cols.extend((1..p).map(|j| &x[j * n..(j + 1) * n]));
    write_csv(&dir.join("logistic.csv"), &header, &cols)?;
    let (n, p, q) = (100_000, 10, 4);
    let (x, z, y) = data::heteroscedastic(n, p, q, 7);
    let mut header = vec!["y".to_string()];
    header.extend((1..p).map(|j| format!("x{j}")));
    header.extend((1..q).map(|j| format!("z{j}")));
    let mut cols: Vec<&[f64]> = vec![&y];
    cols.extend((1..p).map(|j| &x[j * n..(j + 1) * n]));
    cols.extend((1..q).map(|j| &z[j * n..(j + 1) * n]));
    write_csv(&dir.join("heteroscedastic.csv"), &header, &cols)?;
    let (n, p) = (1_000_000, 10);
    let (x, y) = data::negative_binomial(n, p, 2.0, 2026);
    let mut header = vec!["y".to_string()];
    header.extend((1..p).map(|j| format!("x{j}")));
    let mut cols: Vec<&[f64]> = vec![&y];
    cols.extend((1..p).map(|j| &x[j * n..(j + 1) * n]));
    write_csv(&dir.join("negbin.csv"), &header, &cols)?;
    println!(
        "wrote {}/logistic.csv (n = 1e6, intercept + x1..x19), heteroscedastic.csv (n = 1e5) and negbin.csv (n = 1e6, intercept + x1..x9)",
        dir.display()
    );
    Ok(())
}
