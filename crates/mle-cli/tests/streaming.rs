//! `mle fit --streaming`: the same coefficients as the in-memory fit on a Parquet copy of
//! birthwt (string factors, missing values), and typed errors.

use std::path::{Path, PathBuf};

use mle_data::{Family, FormulaFit, FormulaOptions, SavedModel, Scale, Table};

const FORMULA: &str = "low ~ age + log(lwt) + race + smoke + ht + ui + age:smoke";

fn run(args: &[&str]) -> Result<String, mle_cli::CliError> {
    let mut out = Vec::new();
    mle_cli::run(std::iter::once("mle").chain(args.iter().copied()), &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

/// `mle fit --data DATA --formula FORMULA --family FAMILY` and `extra`.
fn fit(data: &str, formula: &str, family: &str, extra: &[&str]) -> Result<String, mle_cli::CliError> {
    let args = ["fit", "--data", data, "--formula", formula, "--family", family];
    run(&[&args[..], extra].concat())
}

fn parquet_copy(name: &str) -> (PathBuf, Table) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let table = Table::read_csv(root.join("data/birthwt.csv")).unwrap();
    let path = std::env::temp_dir().join(format!("mle-cli-streaming-{name}-{}.parquet", std::process::id()));
    table.write_parquet(&path).unwrap();
    (path, table)
}

#[test]
fn streaming_fit_equals_the_in_memory_fit() {
    let (path, table) = parquet_copy("fit");
    let data = path.display().to_string();
    // Read through `read(2)` and through a memory mapping (`--mmap`): the same fit.
    for (family, mmap) in [
        ("binomial", false),
        ("gaussian", false),
        ("binomial", true),
        ("gaussian", true),
    ] {
        let formula = if family == "binomial" {
            FORMULA
        } else {
            "bwt ~ age + lwt + race * smoke"
        };
        let mut args = vec!["--streaming", "--output", "json"];
        if mmap {
            args.push("--mmap");
        }
        let out = fit(&data, formula, family, &args).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let fam: Family = family.parse().unwrap();
        let memory = FormulaFit::fit(formula, &table, fam, FormulaOptions::default()).unwrap();
        // The JSON shape of every `mle fit`, the same numbers as the in-memory summary.
        let want = serde_json::to_value(memory.summary_json(0.95).unwrap()).unwrap();
        for key in ["family", "formula", "n", "df_residual", "converged"] {
            assert_eq!(v[key], want[key], "{family}: {key}");
        }
        let close = |a: &serde_json::Value, b: &serde_json::Value, tol: f64, what: &str| {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() <= tol * b.abs(), "{family} {what}: {a} vs {b}");
        };
        close(&v["loglik"], &want["loglik"], 1e-12, "loglik");
        close(&v["deviance"], &want["deviance"], 1e-10, "deviance");
        assert!(v["null_deviance"].is_null()); // needs a second fit: null, never fake
        let (rows, want_rows) = (
            v["coefficients"].as_array().unwrap(),
            want["coefficients"].as_array().unwrap(),
        );
        assert_eq!(rows.len(), want_rows.len());
        for (r, w) in rows.iter().zip(want_rows) {
            assert_eq!(r["term"], w["term"]);
            close(&r["estimate"], &w["estimate"], 1e-10, "estimate");
            close(&r["std_error"], &w["std_error"], 1e-8, "std_error");
        }
        let (extra, want_extra) = (
            v["extra_parameters"].as_array().unwrap(),
            want["extra_parameters"].as_array().unwrap(),
        );
        assert_eq!(extra.len(), want_extra.len());
        for (r, w) in extra.iter().zip(want_extra) {
            assert_eq!(r["term"], w["term"]);
            close(&r["estimate"], &w["estimate"], 1e-10, "extra parameter");
        }
        assert_eq!(v["streaming"]["dropped"], memory.n_dropped());
        assert!(v["streaming"]["passes"].as_u64().unwrap() >= 2);
    }
    let table_out = fit(&data, FORMULA, "binomial", &["--streaming"]).unwrap();
    assert!(
        table_out.contains("passes") && table_out.contains("racewhite"),
        "{table_out}"
    );
    let e = fit(&data, FORMULA, "student-t", &["--streaming"]).unwrap_err();
    assert!(e.to_string().contains("student-t"), "{e}");
    let e = fit(&data, "low ~ nope", "binomial", &["--streaming"]).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    // A dependent column (I(age + lwt) = age + lwt): named with its relation, for both the
    // Newton path (first Hessian pass) and least squares (the streamed R factor).
    for family in ["binomial", "gaussian"] {
        let response = if family == "binomial" { "low" } else { "bwt" };
        let formula = format!("{response} ~ age + lwt + I(age + lwt)");
        let e = fit(&data, &formula, family, &["--streaming"]).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("rank deficient")
                && text.contains("I(age + lwt)")
                && text.contains("1.000·`age`")
                && text.contains("1.000·`lwt`"),
            "{family}: {text}"
        );
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn streaming_fit_saves_a_model_that_predicts_as_the_in_memory_fit() {
    // --save with --streaming: the saved spec (levels from every row group), estimates and
    // covariance predict new data as the in-memory fit does (response scale, delta-method SEs).
    let (path, table) = parquet_copy("save");
    let saved = std::env::temp_dir().join(format!("mle-cli-streaming-save-{}.json", std::process::id()));
    for family in ["binomial", "negative-binomial"] {
        let formula = if family == "binomial" {
            FORMULA
        } else {
            "ftv ~ age + race + smoke"
        };
        fit(
            &path.display().to_string(),
            formula,
            family,
            &["--streaming", "--save", &saved.display().to_string()],
        )
        .unwrap();
        let model = SavedModel::from_json(&std::fs::read_to_string(&saved).unwrap()).unwrap();
        let fam: Family = family.parse().unwrap();
        let memory = FormulaFit::fit(formula, &table, fam, FormulaOptions::default()).unwrap();
        let (a, b) = (
            model.predict(&table, Scale::Response, 0.95).unwrap(),
            memory.predict(&table, Scale::Response, 0.95).unwrap(),
        );
        assert_eq!(a.rows, b.rows);
        for (x, y) in a.fit.iter().zip(&b.fit) {
            assert!((x - y).abs() <= 1e-9 * y.abs(), "{family}: {x} vs {y}");
        }
        for (x, y) in a.se_fit.unwrap().iter().zip(b.se_fit.unwrap().iter()) {
            assert!((x - y).abs() <= 1e-7 * y.abs(), "{family} se: {x} vs {y}");
        }
    }
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&saved);
}

#[test]
fn streaming_sandwich_standard_errors_equal_the_in_memory_ones() {
    // HC1, and cluster-robust by `race` (score sums per cluster from one more pass).
    let (path, table) = parquet_copy("cov");
    for cov in ["hc1", "cluster:race"] {
        let out = fit(
            &path.display().to_string(),
            FORMULA,
            "binomial",
            &["--streaming", "--cov", cov, "--output", "json"],
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let options = FormulaOptions {
            covariance: cov.parse().unwrap(),
            ..FormulaOptions::default()
        };
        let memory = FormulaFit::fit(FORMULA, &table, Family::Binomial, options).unwrap();
        let want = memory.summary_json(0.95).unwrap();
        let got = v["coefficients"].as_array().unwrap();
        assert_eq!(got.len(), want.coefficients.len());
        for (r, w) in got.iter().zip(&want.coefficients) {
            let (a, b) = (r["std_error"].as_f64().unwrap(), w.std_error.unwrap());
            assert!((a - b).abs() <= 1e-8 * b, "{cov} {}: {a} vs {b}", w.term);
        }
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn parquet_above_the_size_threshold_streams_automatically() {
    let (path, _) = parquet_copy("auto");
    let data = path.display().to_string();
    let json = |above: &str| -> serde_json::Value {
        let out = fit(
            &data,
            FORMULA,
            "binomial",
            &["--output", "json", "--stream-above", above],
        )
        .unwrap();
        serde_json::from_str(&out).unwrap()
    };
    let (small, never, large) = (json("1K"), json("never"), json("1G"));
    assert!(small["streaming"].is_object(), "above 1K: streamed");
    assert!(never.get("streaming").is_none() && large.get("streaming").is_none());
    for (a, b) in small["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .zip(never["coefficients"].as_array().unwrap())
    {
        let (a, b) = (a["estimate"].as_f64().unwrap(), b["estimate"].as_f64().unwrap());
        assert!((a - b).abs() <= 1e-10 * b.abs(), "{a} vs {b}");
    }
    let e = fit(&data, FORMULA, "binomial", &["--stream-above", "12Q"]).unwrap_err();
    assert!(e.to_string().contains("--stream-above 12Q"), "{e}");
    let _ = std::fs::remove_file(&path);
}
