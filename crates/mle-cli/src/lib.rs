//! The `mle` command line.
//!
//! ```text
//! mle fit --data FILE.csv|FILE.parquet --formula "y ~ x + g" --family binomial
//!         (families: gaussian binomial poisson multinomial student-t quantile negative-binomial
//!          gamma inverse-gaussian weibull exponential lognormal loglogistic zip zinb ordinal;
//!          responses cbind(s, f), Surv(time, status), factor(y); zero model after `|`)
//!         [--link NAME] [--weights COL] [--offset COL] [--cov observed|expected|hc0|hc1|cluster:COL|glm-nb]
//!         [--tau T] [--level 0.95] [--output table|json|csv] [--save MODEL.json]
//!         [--streaming [--warm-start ROWS] [--batch-size ROWS] [--mmap]] [--stream-above SIZE|never]
//! mle predict --model MODEL.json --data NEW.csv [--type link|response|probs|prob|zero] [--se] [--level 0.95]
//!         [--at LO:HI] [--output csv|json]
//! ```
//!
//! Every failure (missing file, unknown column, a formula error with its position, unknown
//! family, non-numeric data) is one message and a non-zero exit code, never a panic.
//!
//! ```
//! let mut out = Vec::new();
//! let e = mle_cli::run(["mle", "fit", "--data", "missing.csv", "--formula", "y ~ x", "--family", "gaussian"], &mut out)
//!     .unwrap_err();
//! assert!(e.to_string().contains("missing.csv"), "{e}");
//! assert_eq!(e.exit_code(), 1);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod streaming;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};
use mle_data::{
    CovarianceChoice, DataError, Family, FormulaFit, FormulaOptions, Prediction, SavedModel, Scale, Table,
};

/// What can go wrong in the command line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Bad arguments (clap's message, with usage).
    #[error("{0}")]
    Usage(String),
    /// Reading data, the formula, the fit or the prediction failed.
    #[error("{0}")]
    Data(#[from] DataError),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing the output failed.
    #[error("writing the output: {0}")]
    Output(#[from] std::io::Error),
    /// A streaming fit (`--streaming`) failed.
    #[error("{0}")]
    Stream(#[from] mle_stream::StreamError),
}

impl CliError {
    /// The process exit code: 2 for usage errors, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }
}

fn command() -> Command {
    let data = Arg::new("data")
        .long("data")
        .required(true)
        .value_name("FILE")
        .help("CSV or Parquet table");
    let level = Arg::new("level")
        .long("level")
        .default_value("0.95")
        .value_parser(clap::value_parser!(f64))
        .help("confidence level");
    Command::new("mle")
        .about("Maximum-likelihood regressions from a formula and a table")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .subcommand(
            Command::new("fit")
                .about("Fit a regression: mle fit --data FILE --formula \"y ~ x + g\" --family binomial")
                .arg(data.clone())
                .arg(
                    Arg::new("formula")
                        .long("formula")
                        .required(true)
                        .help("R model formula"),
                )
                .arg(
                    Arg::new("family")
                        .long("family")
                        .required(true)
                        .help(family_help()),
                )
                .arg(Arg::new("link").long("link").help(link_help()))
                .arg(Arg::new("weights").long("weights").value_name("COL"))
                .arg(Arg::new("offset").long("offset").value_name("COL"))
                .arg(
                    Arg::new("levels")
                        .long("levels")
                        .value_name("A,B,..")
                        .value_delimiter(',')
                        .help("the response's levels in order, lowest first (ordinal: needed for strings)"),
                )
                .arg(Arg::new("cov").long("cov").default_value("observed").help(
                    "observed | expected | hc0 | hc1 | cluster:COL | glm-nb (MASS::glm.nb's standard errors)",
                ))
                .arg(
                    Arg::new("tau")
                        .long("tau")
                        .default_value("0.5")
                        .value_parser(clap::value_parser!(f64)),
                )
                .arg(level.clone())
                .arg(
                    Arg::new("output")
                        .long("output")
                        .default_value("table")
                        .value_parser(["table", "json", "csv"]),
                )
                .arg(Arg::new("save").long("save").value_name("MODEL.json"))
                .args(streaming::args()),
        )
        .subcommand(
            Command::new("predict")
                .about("Predict from a saved model: mle predict --model MODEL.json --data NEW.csv")
                .arg(
                    Arg::new("model")
                        .long("model")
                        .required(true)
                        .value_name("MODEL.json"),
                )
                .arg(data)
                .arg(
                    Arg::new("type")
                        .long("type")
                        .default_value("response")
                        .value_parser(["link", "response", "probs", "prob", "zero"])
                        .help(
                            "link | response | probs or prob (class probabilities of an ordinal or multinomial \
                             fit; zip, zinb: P(Y = k), pscl's type = \"prob\") | zero (zip, zinb: P(structural zero))",
                        ),
                )
                .arg(Arg::new("at").long("at").value_name("LO:HI").help(
                    "counts of --type prob for zip / zinb (default 0:max(y) of the training data)",
                ))
                .arg(
                    Arg::new("se")
                        .long("se")
                        .action(ArgAction::SetTrue)
                        .help("standard errors and limits"),
                )
                .arg(level)
                .arg(
                    Arg::new("output")
                        .long("output")
                        .default_value("csv")
                        .value_parser(["csv", "json"]),
                ),
        )
}

fn link_help() -> String {
    let by_family: Vec<String> = mle_data::FAMILIES
        .iter()
        .filter(|f| f.links().len() > 1)
        .map(|f| format!("{}: {}", f.name(), f.links().join(" | ")))
        .collect();
    format!("link by R's name, default first ({})", by_family.join("; "))
}

fn family_help() -> String {
    let names: Vec<&str> = mle_data::FAMILIES.iter().map(|f| f.name()).collect();
    names.join(" | ")
}

/// Runs the command line on `args` (the first is the program name), writing results to
/// `out` (progress goes to stderr, and only when it is a terminal).
pub fn run<I, T>(args: I, out: &mut dyn Write) -> Result<(), CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            write!(out, "{e}")?;
            return Ok(());
        }
        Err(e) => return Err(CliError::Usage(e.render().to_string().trim_end().to_string())),
    };
    match matches.subcommand() {
        Some(("fit", m)) => fit(m, out),
        Some(("predict", m)) => predict(m, out),
        _ => Err(CliError::Usage("a subcommand is required: fit or predict".into())),
    }
}

fn string(m: &ArgMatches, name: &str) -> Option<String> {
    m.get_one::<String>(name).cloned()
}

fn required(m: &ArgMatches, name: &str) -> String {
    // clap enforces `required(true)` and defaults before we get here.
    string(m, name).unwrap_or_default()
}

fn number(m: &ArgMatches, name: &str) -> f64 {
    m.get_one::<f64>(name).copied().unwrap_or(f64::NAN)
}

fn fit(m: &ArgMatches, out: &mut dyn Write) -> Result<(), CliError> {
    if m.get_flag("streaming") || streaming::automatic(m)? {
        return streaming::fit(m, out);
    }
    let table = Table::read(required(m, "data"))?;
    let family: Family = required(m, "family").parse()?;
    let options = FormulaOptions {
        link: string(m, "link"),
        weights: string(m, "weights"),
        offset: string(m, "offset"),
        covariance: required(m, "cov").parse::<CovarianceChoice>()?,
        tau: number(m, "tau"),
        levels: m.get_many::<String>("levels").map(|v| v.cloned().collect()),
        ..FormulaOptions::default()
    };
    let level = number(m, "level");
    let progress = indicatif::ProgressBar::new_spinner();
    progress.set_message(format!("fitting {family} on {} rows", table.n_rows()));
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    let model = FormulaFit::fit(&required(m, "formula"), &table, family, options);
    progress.finish_and_clear();
    let model = model?;
    if let Some(path) = string(m, "save") {
        let json = SavedModel::from_fit(&model).to_json()?;
        std::fs::write(&path, json).map_err(|source| CliError::Io {
            path: path.into(),
            source,
        })?;
    }
    match required(m, "output").as_str() {
        "json" => {
            let summary = model.summary_json(level)?;
            let json = serde_json::to_string_pretty(&summary).map_err(std::io::Error::other)?;
            writeln!(out, "{json}")?;
        }
        "csv" => write_tidy_csv(&model, level, out)?,
        _ => write!(out, "{model}")?,
    }
    Ok(())
}

fn na(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".to_string(), |v| format!("{v:?}"))
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn write_tidy_csv(model: &FormulaFit, level: f64, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(
        out,
        "term,estimate,std_error,statistic,p_value,conf_low,conf_high"
    )?;
    for r in model.coefficient_rows(level, false)? {
        writeln!(
            out,
            "{},{:?},{},{},{},{},{}",
            quoted(&r.term),
            r.estimate,
            na(r.std_error),
            na(r.statistic),
            na(r.p_value),
            na(r.conf_low),
            na(r.conf_high)
        )?;
    }
    Ok(())
}

fn predict(m: &ArgMatches, out: &mut dyn Write) -> Result<(), CliError> {
    let path = required(m, "model");
    let json = std::fs::read_to_string(&path).map_err(|source| CliError::Io {
        path: path.into(),
        source,
    })?;
    let model = SavedModel::from_json(&json)?;
    let table = Table::read(required(m, "data"))?;
    if matches!(required(m, "type").as_str(), "probs" | "prob") {
        let how = ProbabilityOutput {
            json: required(m, "output") == "json",
            se: m.get_flag("se"),
            at: string(m, "at").map(|a| count_range(&a)).transpose()?,
        };
        return write_probabilities(&model, &table, &how, out);
    }
    let scale = match required(m, "type").as_str() {
        "link" => Scale::Link,
        "zero" => Scale::Zero,
        _ => Scale::Response,
    };
    let p = model.predict(&table, scale, number(m, "level"))?;
    let se = m.get_flag("se");
    if required(m, "output") == "json" {
        let json = serde_json::to_string_pretty(&prediction_json(&p, se)).map_err(std::io::Error::other)?;
        writeln!(out, "{json}")?;
        return Ok(());
    }
    writeln!(
        out,
        "{}",
        if se {
            "row,fit,se_fit,lower,upper"
        } else {
            "row,fit"
        }
    )?;
    for i in 0..p.rows.len() {
        write!(out, "{},{:?}", p.rows[i], p.fit[i])?;
        if se {
            let at = |v: &Option<Vec<f64>>| na(v.as_ref().map(|v| v[i]));
            write!(out, ",{},{},{}", at(&p.se_fit), at(&p.lower), at(&p.upper))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// How `--type probs` writes: JSON or CSV, with the standard errors (`--se`), counts `--at`.
struct ProbabilityOutput {
    json: bool,
    se: bool,
    at: Option<std::ops::RangeInclusive<u64>>,
}

/// `--at LO:HI` (non-negative integers, LO ≤ HI).
fn count_range(text: &str) -> Result<std::ops::RangeInclusive<u64>, CliError> {
    let bad = || CliError::Usage(format!("--at `{text}`: expected LO:HI with integers 0 ≤ LO ≤ HI"));
    let (lo, hi) = text.split_once(':').ok_or_else(bad)?;
    let (lo, hi): (u64, u64) = (
        lo.trim().parse().map_err(|_| bad())?,
        hi.trim().parse().map_err(|_| bad())?,
    );
    if lo > hi {
        return Err(bad());
    }
    Ok(lo..=hi)
}

/// Class probabilities of a saved ordinal or multinomial fit (count probabilities of a zip /
/// zinb fit): CSV `row,<level>,...` (with `--se`, then `se_<level>,...` where the family has
/// them: multinomial) or JSON (with the linear predictors and, with `--se`, their SEs).
fn write_probabilities(
    model: &SavedModel,
    table: &Table,
    how: &ProbabilityOutput,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let p = match &how.at {
        Some(at) => model.predict_counts(table, Some(at.clone()))?,
        None => model.predict_probabilities(table)?,
    };
    let se = if how.se { p.se_probabilities.as_ref() } else { None };
    if how.json {
        let mut v = serde_json::json!({
            "row": p.rows, "levels": p.levels, "probabilities": p.probabilities,
            "linear_predictors": p.linear_predictors,
        });
        if how.se {
            v["se_probabilities"] = serde_json::json!(p.se_probabilities);
            v["se_linear_predictors"] = serde_json::json!(p.se_linear_predictors);
        }
        let text = serde_json::to_string_pretty(&v).map_err(std::io::Error::other)?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    let mut header: Vec<String> = p.levels.iter().map(|l| quoted(l)).collect();
    if se.is_some() {
        header.extend(p.levels.iter().map(|l| quoted(&format!("se_{l}"))));
    }
    writeln!(out, "row,{}", header.join(","))?;
    for (i, (row, probs)) in p.rows.iter().zip(&p.probabilities).enumerate() {
        let mut cells: Vec<String> = probs.iter().map(|x| format!("{x:?}")).collect();
        if let Some(se) = se {
            cells.extend(se[i].iter().map(|x| format!("{x:?}")));
        }
        writeln!(out, "{row},{}", cells.join(","))?;
    }
    Ok(())
}

fn prediction_json(p: &Prediction, se: bool) -> serde_json::Value {
    let mut v = serde_json::json!({ "row": p.rows, "fit": p.fit });
    if se {
        v["se_fit"] = serde_json::json!(p.se_fit);
        v["lower"] = serde_json::json!(p.lower);
        v["upper"] = serde_json::json!(p.upper);
    }
    v
}
