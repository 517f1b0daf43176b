//! The command line through `run` (as the binary calls it) and through the built binary:
//! JSON shape, the fit → save → predict round trip equal to the library call, and bad input
//! as one message with a non-zero exit.

use std::path::{Path, PathBuf};
use std::process::Command;

use mle_data::{Family, FormulaFit, FormulaOptions, Scale, Table};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn birthwt() -> String {
    root().join("data/birthwt.csv").display().to_string()
}

const FORMULA: &str = "low ~ age + log(lwt) + race + smoke + ht + ui + age:smoke";

fn run(args: &[&str]) -> Result<String, mle_cli::CliError> {
    let mut out = Vec::new();
    mle_cli::run(std::iter::once("mle").chain(args.iter().copied()), &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn fit_json_has_the_documented_shape_and_r_numbers() {
    let data = birthwt();
    let out = run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        FORMULA,
        "--family",
        "binomial",
        "--output",
        "json",
    ])
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = vec![
        "family",
        "formula",
        "n",
        "loglik",
        "aic",
        "bic",
        "deviance",
        "null_deviance",
        "df_residual",
        "converged",
        "coefficients",
        "extra_parameters",
        "diagnostics",
    ];
    let mut got = keys.clone();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
    let coef = &v["coefficients"][1];
    let coef_keys: Vec<&String> = coef.as_object().unwrap().keys().collect();
    assert_eq!(coef_keys.len(), 7);
    // R (tests/reference/formula_fit in mle-data): age coefficient and exact SE.
    assert_eq!(coef["term"], "age");
    assert!((coef["estimate"].as_f64().unwrap() - -0.06560453628114).abs() < 1e-8);
    assert!((coef["std_error"].as_f64().unwrap() - 0.0527651522541792).abs() < 1e-8);
    assert_eq!(v["n"], 184);
    assert_eq!(v["df_residual"], 175);
    assert!((v["deviance"].as_f64().unwrap() - 198.19271618168).abs() < 1e-8);
    assert!(
        v["diagnostics"][0].as_str().unwrap().contains("5 row(s)"),
        "{}",
        v["diagnostics"]
    );
    assert_eq!(v["extra_parameters"].as_array().unwrap().len(), 0);
}

#[test]
fn gaussian_json_reports_sigma_mle() {
    let data = birthwt();
    let out = run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        "bwt ~ age + lwt + race * smoke + ht",
        "--family",
        "gaussian",
        "--output",
        "json",
    ])
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sigma = &v["extra_parameters"][0];
    assert_eq!(sigma["term"], "sigma");
    let rss = v["deviance"].as_f64().unwrap();
    assert!((sigma["estimate"].as_f64().unwrap() - (rss / 184.0).sqrt()).abs() < 1e-9);
    assert!(v["null_deviance"].as_f64().is_some());
}

#[test]
fn save_then_predict_equals_the_library() {
    let dir = std::env::temp_dir().join(format!("mle-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("model.json").display().to_string();
    let data = birthwt();
    let newdata = root().join("crates/mle-data/tests/reference/formula_fit/newdata.csv");
    let newdata = newdata.display().to_string();
    run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        FORMULA,
        "--family",
        "binomial",
        "--save",
        &model,
    ])
    .unwrap();
    let csv = run(&[
        "predict", "--model", &model, "--data", &newdata, "--type", "response", "--se",
    ])
    .unwrap();
    let table = Table::read_csv(&data).unwrap();
    let m = FormulaFit::fit(FORMULA, &table, Family::Binomial, FormulaOptions::default()).unwrap();
    let p = m
        .predict(&Table::read_csv(&newdata).unwrap(), Scale::Response, 0.95)
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "row,fit,se_fit,lower,upper");
    assert_eq!(lines.len(), p.fit.len() + 1);
    for (i, line) in lines[1..].iter().enumerate() {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        assert_eq!(f[0] as usize, p.rows[i]);
        assert_eq!(f[1], p.fit[i]);
        assert_eq!(f[2], p.se_fit.as_ref().unwrap()[i]);
        assert_eq!(f[3], p.lower.as_ref().unwrap()[i]);
        assert_eq!(f[4], p.upper.as_ref().unwrap()[i]);
    }
    // An unseen level is an error naming it.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "age,lwt,race,smoke,ht,ui\n20,120,purple,no,0,0\n").unwrap();
    let e = run(&["predict", "--model", &model, "--data", bad.to_str().unwrap()]).unwrap_err();
    assert!(e.to_string().contains("level `purple`"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_one_message() {
    let data = birthwt();
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "fit",
                "--data",
                "nope.csv",
                "--formula",
                "y ~ x",
                "--family",
                "gaussian",
            ],
            "nope.csv",
        ),
        (
            &[
                "fit",
                "--data",
                &data,
                "--formula",
                "low ~ weight",
                "--family",
                "binomial",
            ],
            "no column `weight`",
        ),
        (
            &[
                "fit",
                "--data",
                &data,
                "--formula",
                "low ~ age +",
                "--family",
                "binomial",
            ],
            "^",
        ),
        (
            &[
                "fit",
                "--data",
                &data,
                "--formula",
                "low ~ age",
                "--family",
                "gamma",
            ],
            "unknown family `gamma`",
        ),
        (
            &[
                "fit",
                "--data",
                &data,
                "--formula",
                "low ~ log(race)",
                "--family",
                "binomial",
            ],
            "race",
        ),
        (
            &[
                "fit",
                "--data",
                &data,
                "--formula",
                "low ~ age",
                "--family",
                "binomial",
                "--link",
                "probit",
            ],
            "not yet supported",
        ),
    ];
    for (args, needle) in cases {
        let e = run(args).unwrap_err();
        assert!(e.to_string().contains(needle), "{args:?}: {e}");
        assert_ne!(e.exit_code(), 0);
    }
}

#[test]
fn the_binary_exits_non_zero_without_a_backtrace() {
    let out = Command::new(env!("CARGO_BIN_EXE_mle"))
        .args([
            "fit",
            "--data",
            &birthwt(),
            "--formula",
            "low ~ age + (",
            "--family",
            "binomial",
        ])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("mle: formula") && !err.contains("panicked"),
        "{err}"
    );
    assert_eq!(err.lines().count(), err.lines().count().min(4), "{err}");
}
