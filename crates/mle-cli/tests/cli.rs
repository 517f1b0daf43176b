//! The command line through `run` (as the binary calls it) and through the built binary:
//! JSON shape, the fit → save → predict round trip equal to the library call, and bad input
//! as one message with a non-zero exit.

mod common;

use std::process::Command;

use common::{
    assert_coefficients_match, assert_cut_points_match, extra, family_data, fit_json, r_case, root, run,
};

use mle_data::{Family, FormulaFit, FormulaOptions, Scale, Table};

fn birthwt() -> String {
    root().join("data/birthwt.csv").display().to_string()
}

const FORMULA: &str = "low ~ age + log(lwt) + race + smoke + ht + ui + age:smoke";

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
                "tweedie",
            ],
            "unknown family `tweedie`",
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
                "bwt ~ age",
                "--family",
                "gamma",
                "--link",
                "probit",
            ],
            "links: inverse, log",
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

// ------------------------------------------------------------------ the families by name

#[test]
fn cbind_binomial_probit_from_the_command_line_matches_r() {
    let data = family_data("budworm.csv");
    let v = fit_json(&[
        "--data",
        &data,
        "--formula",
        "cbind(dead, alive) ~ sex * ldose",
        "--family",
        "binomial",
        "--link",
        "probit",
    ]);
    assert_coefficients_match(&v, "budworm_cbind_probit");
    let r = r_case("budworm_cbind_probit");
    let dev = v["deviance"].as_f64().unwrap();
    assert!((dev - r["deviance"].as_f64().unwrap()).abs() < 1e-8, "{dev}");
    assert_eq!(v["df_residual"], 8);
}

#[test]
fn negative_binomial_reports_log_theta_and_theta() {
    let data = family_data("quine.csv");
    let v = fit_json(&[
        "--data",
        &data,
        "--formula",
        "Days ~ Eth + Sex + Age + Lrn",
        "--family",
        "negative-binomial",
    ]);
    assert_coefficients_match(&v, "quine_negbin");
    let r = r_case("quine_negbin");
    let log_theta = extra(&v, "log(theta)")["estimate"].as_f64().unwrap();
    let want = r["scalar"]["estimate"].as_f64().unwrap();
    assert!((log_theta - want).abs() < 1e-7, "{log_theta} vs {want}");
    let theta = extra(&v, "theta")["estimate"].as_f64().unwrap();
    assert!((theta - want.exp()).abs() < 1e-7 * theta);
}

#[test]
fn weibull_surv_table_output_and_save_predict_round_trip() {
    let data = family_data("lung.csv");
    let formula = "Surv(time, status) ~ age + sex + ph.ecog";
    let table_out = run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        formula,
        "--family",
        "weibull",
    ])
    .unwrap();
    assert!(
        table_out.contains("Log(scale)") && table_out.contains("ph.ecog"),
        "{table_out}"
    );
    assert!(
        table_out.contains("1 rows with missing values dropped"),
        "{table_out}"
    );
    let v = fit_json(&["--data", &data, "--formula", formula, "--family", "weibull"]);
    assert_coefficients_match(&v, "lung_weibull");
    let dir = std::env::temp_dir().join(format!("mle-cli-weibull-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("weibull.json").display().to_string();
    run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        formula,
        "--family",
        "weibull",
        "--save",
        &model,
    ])
    .unwrap();
    let csv = run(&[
        "predict", "--model", &model, "--data", &data, "--type", "link", "--se",
    ])
    .unwrap();
    let r = r_case("lung_weibull");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len() - 1, r["predict"]["link"].as_array().unwrap().len());
    for (i, line) in lines[1..].iter().enumerate() {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        let (lp, se) = (
            r["predict"]["link"][i].as_f64().unwrap(),
            r["predict"]["se_link"][i].as_f64().unwrap(),
        );
        assert!((f[1] - lp).abs() < 1e-7 * lp.abs(), "row {i}: {} vs {lp}", f[1]);
        assert!((f[2] - se).abs() < 1e-6 * se, "row {i}: se {} vs {se}", f[2]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn zip_with_a_bar_names_count_and_zero_coefficients() {
    let data = family_data("biochemists.csv");
    let args = [
        "fit",
        "--data",
        &data,
        "--formula",
        "art ~ fem + mar + kid5 + ment | kid5 + ment",
        "--family",
        "zip",
        "--output",
        "csv",
    ];
    let csv = run(&args).unwrap();
    let terms: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(terms[0], "\"(Intercept)\"");
    assert_eq!(terms[5], "\"zero_(Intercept)\"");
    let v = fit_json(&args[1..7]);
    assert_coefficients_match(&v, "biochemists_zip");
}

#[test]
fn ordinal_reports_cut_points_by_level() {
    let data = family_data("housing.csv");
    let v = fit_json(&[
        "--data",
        &data,
        "--formula",
        "factor(sat) ~ Infl + Type + Cont",
        "--family",
        "ordinal",
        "--weights",
        "Freq",
    ]);
    assert_coefficients_match(&v, "housing_polr_logit");
    assert_cut_points_match(&v, "housing_polr_logit", &["1|2", "2|3"]);
    // An ordinal fit has no response-scale mean (class probabilities): a typed error from predict.
    let dir = std::env::temp_dir().join(format!("mle-cli-polr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("polr.json").display().to_string();
    run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        "factor(sat) ~ Infl + Type + Cont",
        "--family",
        "ordinal",
        "--weights",
        "Freq",
        "--save",
        &model,
    ])
    .unwrap();
    let e = run(&["predict", "--model", &model, "--data", &data]).unwrap_err();
    assert!(e.to_string().contains("ordinal"), "{e}");
    // Class probabilities (R's predict(type = "probs")) instead.
    let csv = run(&["predict", "--model", &model, "--data", &data, "--type", "probs"]).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "row,\"1\",\"2\",\"3\"");
    let r = r_case("housing_polr_logit");
    let want = r["probabilities"].as_array().unwrap();
    assert_eq!(lines.len() - 1, want.len());
    for (line, want) in lines[1..].iter().zip(want) {
        let f: Vec<f64> = line.split(',').skip(1).map(|x| x.parse().unwrap()).collect();
        for j in 0..3 {
            assert!((f[j] - want[j].as_f64().unwrap()).abs() < 1e-8, "{line}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
