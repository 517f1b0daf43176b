//! `mle fit --streaming`: the fit streamed from a Parquet file or directory (memory bounded
//! by the batch buffers, whatever the number of rows), by `mle-stream`.

use std::io::Write;

use clap::{Arg, ArgAction, ArgMatches};
use mle_data::FrameOptions;
use mle_stream::{fit_parquet, StreamFamily, StreamFit, StreamOptions};

use crate::{number, required, string, CliError};

/// The `fit` arguments of a streaming fit.
pub(crate) fn args() -> [Arg; 5] {
    [
        Arg::new("stream-above")
            .long("stream-above")
            .value_name("SIZE")
            .help(
                "stream automatically when --data is Parquet, the family streams and the data as an \
                 in-memory table (rows × columns × 8 bytes) would exceed SIZE (bytes, or with K, M, G; \
                 default: half the available memory; `never` to turn it off)",
            ),
        Arg::new("streaming")
            .long("streaming")
            .action(ArgAction::SetTrue)
            .help(
                "stream a Parquet file or directory (binomial, poisson, gaussian, negative-binomial): one pass per Newton step",
            ),
        Arg::new("warm-start")
            .long("warm-start")
            .value_name("ROWS")
            .value_parser(clap::value_parser!(u64))
            .help("with --streaming: start from an in-memory fit on the first row groups holding ROWS rows"),
        Arg::new("batch-size")
            .long("batch-size")
            .value_name("ROWS")
            .default_value("2048")
            .value_parser(clap::value_parser!(usize))
            .help("with --streaming: rows per batch read"),
        Arg::new("mmap")
            .long("mmap")
            .action(ArgAction::SetTrue)
            .help(
                "with --streaming: read row groups through a memory mapping (faster; the files must not \
                 be rewritten or truncated during the fit)",
            ),
    ]
}

/// Whether `fit` should stream without `--streaming`: Parquet data whose in-memory table
/// would exceed `--stream-above` (default half of `MemAvailable`), for a family that
/// streams. Says so on stderr when it does.
pub(crate) fn automatic(m: &ArgMatches) -> Result<bool, CliError> {
    if ["link", "levels"].iter().any(|a| m.get_raw(a).is_some()) {
        return Ok(false); // options a streaming fit does not take: stay in memory
    }
    let limit = match string(m, "stream-above").as_deref() {
        Some("never") => return Ok(false),
        Some(text) => Some(parse_size(text)?),
        None => available_memory().map(|b| b / 2),
    };
    let data = required(m, "data");
    let is_parquet = std::path::Path::new(&data).is_dir() || data.ends_with(".parquet");
    let (Some(limit), true) = (limit, is_parquet) else {
        return Ok(false);
    };
    if required(m, "family").parse::<StreamFamily>().is_err() {
        return Ok(false);
    }
    let Ok(source) = mle_stream::ParquetSource::open(&data) else {
        return Ok(false); // the in-memory reader reports the problem
    };
    let bytes = source.in_memory_bytes();
    if bytes <= limit {
        return Ok(false);
    }
    eprintln!(
        "note: {data} would take at least {:.1} GB in memory (> {:.1} GB): streaming it (--stream-above SIZE|never to change)",
        bytes as f64 / 1e9,
        limit as f64 / 1e9
    );
    Ok(true)
}

/// Bytes from `123`, `64K`, `512M`, `4G` (powers of 1024).
fn parse_size(text: &str) -> Result<u64, CliError> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_uppercase()),
        _ => (t, 'B'),
    };
    let shift = match unit {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        'T' => 40,
        _ => {
            return Err(CliError::Usage(format!(
                "--stream-above {text}: a size such as 4G, 512M or 1000"
            )))
        }
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|v| v.checked_mul(1 << shift))
        .ok_or_else(|| CliError::Usage(format!("--stream-above {text}: a size such as 4G, 512M or 1000")))
}

/// `MemAvailable` of /proc/meminfo in bytes (Linux; `None` elsewhere: no automatic switch).
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs a streaming fit and prints its coefficients.
pub(crate) fn fit(m: &ArgMatches, out: &mut dyn Write) -> Result<(), CliError> {
    for unsupported in ["link", "levels"] {
        if m.get_raw(unsupported).is_some() {
            return Err(CliError::Usage(format!(
                "--{unsupported} is not available with --streaming"
            )));
        }
    }
    let family: StreamFamily = required(m, "family").parse()?;
    let frame = FrameOptions {
        weights: string(m, "weights"),
        offset: string(m, "offset"),
        ..FrameOptions::default()
    };
    let options = StreamOptions {
        frame,
        batch_size: m.get_one::<usize>("batch-size").copied().unwrap_or(2_048),
        memory_map: m.get_flag("mmap"),
        warm_start_rows: m.get_one::<u64>("warm-start").copied(),
        covariance: required(m, "cov").parse::<mle_data::CovarianceChoice>()?,
        ..StreamOptions::default()
    };
    let fitted = fit_parquet(required(m, "data"), &required(m, "formula"), family, &options)?;
    if let Some(path) = string(m, "save") {
        let json = fitted.saved_model().to_json()?;
        std::fs::write(&path, json).map_err(|source| CliError::Io {
            path: path.into(),
            source,
        })?;
    }
    match required(m, "output").as_str() {
        "json" => write_json(&fitted, number(m, "level"), out),
        "csv" => write_csv(&fitted, number(m, "level"), out),
        _ => write_table(&fitted, out),
    }
}

fn write_table(f: &StreamFit, out: &mut dyn Write) -> Result<(), CliError> {
    let fit = &f.fit;
    writeln!(out, "{} (streamed)", fit.model())?;
    writeln!(
        out,
        "rows {} (dropped {}), {} passes, {:.2} s; {}",
        f.n_rows,
        f.n_dropped,
        f.passes,
        f.wall.as_secs_f64(),
        fit.convergence().reason()
    )?;
    writeln!(
        out,
        "{:<20} {:>14} {:>12} {:>9} {:>10}",
        "", "Estimate", "Std. Error", "z value", "Pr(>|z|)"
    )?;
    let (se, z, p) = (fit.std_errors(), fit.z_values(), fit.p_values());
    for (i, par) in fit.parameters().iter().enumerate() {
        let at = |v: &Option<nalgebra::DVector<f64>>| v.as_ref().map_or(f64::NAN, |v| v[i]);
        writeln!(
            out,
            "{:<20} {:>14.6e} {:>12.4e} {:>9.3} {:>10.3e}",
            par.name,
            fit.estimates()[i],
            at(&se),
            at(&z),
            at(&p)
        )?;
    }
    writeln!(out, "log-likelihood {:.6}", fit.log_likelihood())?;
    Ok(())
}

fn write_csv(f: &StreamFit, level: f64, out: &mut dyn Write) -> Result<(), CliError> {
    let fit = &f.fit;
    let ci = fit
        .confidence_intervals(level)
        .map_err(|e| CliError::Stream(e.into()))?;
    let se = fit.std_errors();
    writeln!(out, "term,estimate,std_error,conf_low,conf_high")?;
    for (i, par) in fit.parameters().iter().enumerate() {
        let s = se.as_ref().map_or("NA".to_string(), |v| format!("{:?}", v[i]));
        let (lo, hi) = ci[i].map_or(("NA".to_string(), "NA".to_string()), |(a, b)| {
            (format!("{a:?}"), format!("{b:?}"))
        });
        writeln!(
            out,
            "\"{}\",{:?},{s},{lo},{hi}",
            par.name.replace('"', "\"\""),
            fit.estimates()[i]
        )?;
    }
    Ok(())
}

/// The JSON shape of every `mle fit` (see `mle_data::FitSummary`), plus a `streaming` object:
/// rows read and dropped, passes over the data, wall seconds.
fn write_json(f: &StreamFit, level: f64, out: &mut dyn Write) -> Result<(), CliError> {
    let summary = f.summary(level)?;
    let mut v = serde_json::to_value(&summary).map_err(std::io::Error::other)?;
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "streaming".into(),
            serde_json::json!({
                "rows": f.n_rows,
                "dropped": f.n_dropped,
                "passes": f.passes,
                "seconds": f.wall.as_secs_f64(),
            }),
        );
    }
    let json = serde_json::to_string_pretty(&v).map_err(std::io::Error::other)?;
    writeln!(out, "{json}")?;
    Ok(())
}
