//! The command line's answers beyond the GLMs against the R numbers of
//! crates/mle-data/tests/reference/answers (make_reference.R there): `--type probs` of a
//! multinomial fit (`predict(multinom, newdata, "probs")`), `--type zero` of a zero-inflated
//! fit (pscl's `type = "zero"`), `--type prob` of zip / zinb (pscl's `type = "prob"`),
//! `--se` of multinomial probabilities (delta method), `df_residual` as R's `df.residual`,
//! and `--cov glm-nb` (`summary(MASS::glm.nb)`'s SEs).

use std::path::{Path, PathBuf};

fn reference() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../mle-data/tests/reference")
}

fn case(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(reference().join("answers/answers.json")).unwrap();
    let all: serde_json::Value = serde_json::from_str(&text).unwrap();
    all[name].clone()
}

fn run(args: &[&str]) -> Result<String, mle_cli::CliError> {
    let mut out = Vec::new();
    mle_cli::run(std::iter::once("mle").chain(args.iter().copied()), &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mle-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn multinomial_predict_type_probs_matches_nnet() {
    let dir = temp_dir("multinom");
    let data = reference().join("answers/answers.csv").display().to_string();
    let new = dir.join("new.csv");
    std::fs::write(&new, "x1,g\n-0.75,a\n0,b\n0.5,c\n0.9,b\n").unwrap();
    let model = dir.join("multinom.json").display().to_string();
    let fit = [
        "fit",
        "--data",
        &data,
        "--formula",
        "y ~ x1 + g",
        "--family",
        "multinomial",
    ];
    run(&[&fit[..], &["--save", &model]].concat()).unwrap();
    let new = new.display().to_string();
    let csv = run(&["predict", "--model", &model, "--data", &new, "--type", "probs"]).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "row,\"A\",\"B\",\"C\"");
    let got: Vec<f64> = lines[1..]
        .iter()
        .flat_map(|l| l.split(',').skip(1).map(|x| x.parse::<f64>().unwrap()))
        .collect();
    let want = numbers(&case("multinomial")["new_probabilities"]);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-7, "{g} vs {w}");
    }
    let json = run(&[
        "predict", "--model", &model, "--data", &new, "--type", "probs", "--output", "json",
    ])
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let eta: Vec<f64> = v["linear_predictors"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(numbers)
        .collect();
    let want = numbers(&case("multinomial")["new_linear_predictors"]);
    assert!(
        eta.iter().zip(&want).all(|(g, w)| (g - w).abs() < 1e-6),
        "{eta:?} vs {want:?}"
    );
    // --se: the delta-method SEs of the probabilities and of the linear predictors.
    let json = run(&[
        "predict", "--model", &model, "--data", &new, "--type", "probs", "--se", "--output", "json",
    ])
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    for (key, r) in [
        ("se_probabilities", "se_new_probabilities"),
        ("se_linear_predictors", "se_new_linear_predictors"),
    ] {
        let got: Vec<f64> = v[key].as_array().unwrap().iter().flat_map(numbers).collect();
        let want = numbers(&case("multinomial")[r]);
        assert_eq!(got.len(), want.len(), "{key}");
        assert!(
            got.iter().zip(&want).all(|(g, w)| (g - w).abs() < 1e-6),
            "{key}: {got:?} vs {want:?}"
        );
    }
    let csv = run(&[
        "predict", "--model", &model, "--data", &new, "--type", "probs", "--se",
    ])
    .unwrap();
    assert!(
        csv.starts_with("row,\"A\",\"B\",\"C\",\"se_A\",\"se_B\",\"se_C\"\n"),
        "{csv}"
    );
    // df.residual(multinom) is NULL: null in the JSON.
    let summary = run(&[&fit[..], &["--output", "json"]].concat()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert!(v["df_residual"].is_null(), "{}", v["df_residual"]);
    // Link predictions of a multinomial fit: one message naming what to ask for.
    let e = run(&["predict", "--model", &model, "--data", &new, "--type", "link"]).unwrap_err();
    assert!(e.to_string().contains("multinomial"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn zip_predict_type_zero_matches_pscl() {
    let dir = temp_dir("zero");
    let data = reference().join("families/biochemists.csv").display().to_string();
    let model = dir.join("zip.json").display().to_string();
    let c = case("zero_poisson");
    let formula = c["formula"].as_str().unwrap();
    run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        formula,
        "--family",
        "zip",
        "--save",
        &model,
    ])
    .unwrap();
    let csv = run(&["predict", "--model", &model, "--data", &data, "--type", "zero"]).unwrap();
    let got: Vec<f64> = csv
        .lines()
        .skip(1)
        .take(6)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let want = numbers(&c["zero"]);
    assert!(
        got.iter().zip(&want).all(|(g, w)| (g - w).abs() < 1e-6),
        "{got:?} vs {want:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cov_glm_nb_gives_summary_glm_nb_standard_errors() {
    let data = reference().join("families/quine.csv").display().to_string();
    let c = case("glm_nb");
    let formula = c["formula"].as_str().unwrap();
    let args = [
        "fit",
        "--data",
        &data,
        "--formula",
        formula,
        "--family",
        "glm.nb",
        "--cov",
        "glm-nb",
        "--output",
        "json",
    ];
    let v: serde_json::Value = serde_json::from_str(&run(&args).unwrap()).unwrap();
    let se: Vec<f64> = v["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["std_error"].as_f64().unwrap())
        .collect();
    let want = numbers(&c["std_errors"]);
    assert_eq!(se.len(), want.len());
    assert!(
        se.iter().zip(&want).all(|(g, w)| (g / w - 1.0).abs() < 1e-6),
        "{se:?} vs {want:?}"
    );
    let theta = v["extra_parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["term"] == "theta")
        .unwrap();
    let se_theta = theta["std_error"].as_f64().unwrap();
    let want = c["se_theta"].as_f64().unwrap();
    // R's SE.theta is at glm.nb's own θ̂ (theta.ml stops at eps = double.eps^0.25, 3e-6
    // relative from the joint maximum here): 1e-5.
    assert!(
        (se_theta / want - 1.0).abs() < 1e-5,
        "SE.theta {se_theta} vs {want}"
    );
    // Another family: one message naming the choice.
    let bad = [
        "fit",
        "--data",
        &data,
        "--formula",
        formula,
        "--family",
        "poisson",
        "--cov",
        "glm-nb",
    ];
    let e = run(&bad).unwrap_err();
    assert!(e.to_string().contains("glm-nb"), "{e}");
}

#[test]
fn zip_and_zinb_predict_type_prob_match_pscl_and_report_df_residual() {
    let dir = temp_dir("prob");
    let data = reference().join("families/biochemists.csv").display().to_string();
    for (family, name, df) in [("zip", "prob_poisson", 907), ("zinb", "prob_negbin", 906)] {
        let model = dir.join(format!("{family}.json")).display().to_string();
        let c = case(name);
        let fit = [
            "fit",
            "--data",
            &data,
            "--formula",
            c["formula"].as_str().unwrap(),
            "--family",
            family,
        ];
        let summary = run(&[&fit[..], &["--save", &model, "--output", "json"]].concat()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&summary).unwrap();
        assert_eq!(v["df_residual"], df, "{family}: df.residual(zeroinfl)");
        for (at, key) in [(None, "prob"), (Some("0:3"), "prob_at")] {
            let mut args = vec!["predict", "--model", &model, "--data", &data, "--type", "prob"];
            args.extend(at.iter().flat_map(|a| ["--at", *a]));
            let csv = run(&args).unwrap();
            let got: Vec<f64> = csv
                .lines()
                .skip(1)
                .take(6)
                .flat_map(|l| {
                    l.split(',')
                        .skip(1)
                        .map(|x| x.parse::<f64>().unwrap())
                        .collect::<Vec<_>>()
                })
                .collect();
            let want = numbers(&c[key]);
            assert_eq!(got.len(), want.len(), "{family} {key}");
            assert!(
                got.iter().zip(&want).all(|(g, w)| (g - w).abs() < 1e-6),
                "{family} {key}: {got:?} vs {want:?}"
            );
        }
        let e = run(&[
            "predict", "--model", &model, "--data", &data, "--type", "prob", "--at", "3:1",
        ])
        .unwrap_err();
        assert!(e.to_string().contains("LO:HI"), "{e}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
