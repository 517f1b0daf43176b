//! Formula fits on `data/birthwt.csv` (strings and NAs) against R's `glm`: coefficients,
//! exact inverse-information standard errors, log-likelihood, AIC/BIC, deviances, fitted
//! values, hat values, the four residual types, predictions with `se.fit` on both scales,
//! `anova(m, test = "Chisq")` and `drop1(m, test = "Chisq")`. The numbers are written by
//! `tests/reference/formula_fit/make_reference.R` (R 4.2, glm.control(epsilon = 1e-14)).

use std::path::{Path, PathBuf};

use mle_data::{Family, FormulaFit, FormulaOptions, ResidualType, SavedModel, Scale, Table};
use serde_json::Value;

mod common;
use common::{close, numbers, strings};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn reference() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/formula_fit/birthwt_glm.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn close1(got: f64, want: &Value, tol: f64, what: &str) {
    close(&[got], &[want.as_f64().unwrap()], tol, what);
}

const TOL: f64 = 1e-9;

fn check_case(case: &Value) {
    let name = case["name"].as_str().unwrap();
    let family: Family = case["family"].as_str().unwrap().parse().unwrap();
    let data = Table::read_csv(root().join("data/birthwt.csv")).unwrap();
    let newdata = Table::read_csv(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/formula_fit/newdata.csv"),
    )
    .unwrap();
    let m = FormulaFit::fit(
        case["formula"].as_str().unwrap(),
        &data,
        family,
        FormulaOptions::default(),
    )
    .unwrap();
    assert!(m.estimate().convergence().converged(), "{name}");
    assert_eq!(m.n_obs() as u64, case["n"].as_u64().unwrap(), "{name}: n");
    assert_eq!(
        m.n_dropped() as u64,
        case["n_dropped"].as_u64().unwrap(),
        "{name}: dropped"
    );
    assert_eq!(m.coefficient_names(), strings(&case["terms"]), "{name}: terms");
    close(
        &m.coefficients(),
        &numbers(&case["coefficients"]),
        TOL,
        &format!("{name}: coefficients"),
    );
    let se: Vec<f64> = m
        .coefficient_covariance()
        .unwrap()
        .diagonal()
        .map(f64::sqrt)
        .iter()
        .copied()
        .collect();
    close(&se, &numbers(&case["std_errors"]), TOL, &format!("{name}: SE"));
    close1(
        m.estimate().log_likelihood(),
        &case["loglik"],
        1e-10,
        &format!("{name}: loglik"),
    );
    close1(m.estimate().aic(), &case["aic"], 1e-10, &format!("{name}: AIC"));
    close1(m.estimate().bic(), &case["bic"], 1e-10, &format!("{name}: BIC"));
    close1(
        m.deviance().unwrap(),
        &case["deviance"],
        1e-10,
        &format!("{name}: deviance"),
    );
    close1(
        m.null_deviance().unwrap(),
        &case["null_deviance"],
        1e-10,
        &format!("{name}: null deviance"),
    );
    assert_eq!(m.df_residual(), case["df_residual"].as_f64());
    assert_eq!(m.df_null() as u64, case["df_null"].as_u64().unwrap());
    close1(
        m.dispersion().unwrap(),
        &case["dispersion"],
        1e-10,
        &format!("{name}: dispersion"),
    );
    close(
        &m.fitted().unwrap(),
        &numbers(&case["fitted"]),
        TOL,
        &format!("{name}: fitted"),
    );
    // R's hat values use the working weights of its last IRLS step, not those at β̂:
    // they differ by ~2e-9 (ours are the same by Cholesky and by QR).
    close(
        &m.hat_values().unwrap(),
        &numbers(&case["hat"]),
        1e-8,
        &format!("{name}: hat"),
    );
    for (kind, key) in [
        (ResidualType::Response, "response"),
        (ResidualType::Pearson, "pearson"),
        (ResidualType::Deviance, "deviance"),
        (ResidualType::Working, "working"),
    ] {
        close(
            &m.residuals(kind).unwrap(),
            &numbers(&case["residuals"][key]),
            TOL,
            &format!("{name}: {key} residuals"),
        );
    }
    let pr = &case["predict"];
    let link = m.predict(&newdata, Scale::Link, 0.95).unwrap();
    close(
        &link.fit,
        &numbers(&pr["link"]),
        TOL,
        &format!("{name}: predict link"),
    );
    close(
        &link.se_fit.clone().unwrap(),
        &numbers(&pr["se_link"]),
        TOL,
        &format!("{name}: se link"),
    );
    close(
        &link.lower.clone().unwrap(),
        &numbers(&pr["link_lower"]),
        TOL,
        &format!("{name}: lower"),
    );
    close(
        &link.upper.clone().unwrap(),
        &numbers(&pr["link_upper"]),
        TOL,
        &format!("{name}: upper"),
    );
    let resp = m.predict(&newdata, Scale::Response, 0.95).unwrap();
    close(
        &resp.fit,
        &numbers(&pr["response"]),
        TOL,
        &format!("{name}: predict response"),
    );
    close(
        &resp.se_fit.unwrap(),
        &numbers(&pr["se_response"]),
        TOL,
        &format!("{name}: se response"),
    );

    let av = m.anova().unwrap();
    let r = &case["anova"];
    assert_eq!(av.terms, strings(&r["terms"]), "{name}: anova terms");
    assert_eq!(
        av.df.iter().map(|&d| d as f64).collect::<Vec<_>>(),
        numbers(&r["df"])
    );
    assert_eq!(
        av.resid_df.iter().map(|&d| d as f64).collect::<Vec<_>>(),
        numbers(&r["resid_df"])
    );
    close(
        &av.deviance,
        &numbers(&r["deviance"]),
        1e-8,
        &format!("{name}: anova deviance"),
    );
    close(
        &av.resid_deviance,
        &numbers(&r["resid_dev"]),
        1e-10,
        &format!("{name}: anova resid dev"),
    );
    close(
        &av.p_value,
        &numbers(&r["p_value"]),
        1e-8,
        &format!("{name}: anova p"),
    );

    let d1 = m.drop1().unwrap();
    let r = &case["drop1"];
    assert_eq!(d1.terms, strings(&r["terms"]), "{name}: drop1 terms");
    assert_eq!(
        d1.df.iter().map(|&d| d as f64).collect::<Vec<_>>(),
        numbers(&r["df"])
    );
    close(
        &d1.deviance,
        &numbers(&r["deviance"]),
        1e-10,
        &format!("{name}: drop1 deviance"),
    );
    close(&d1.aic, &numbers(&r["aic"]), 1e-10, &format!("{name}: drop1 AIC"));
    close(&d1.lrt, &numbers(&r["lrt"]), 1e-8, &format!("{name}: drop1 LRT"));
    close(
        &d1.p_value,
        &numbers(&r["p_value"]),
        1e-8,
        &format!("{name}: drop1 p"),
    );

    // Saved and re-read, the model predicts the same numbers.
    let saved = SavedModel::from_json(&SavedModel::from_fit(&m).to_json().unwrap()).unwrap();
    assert_eq!(
        saved.predict(&newdata, Scale::Response, 0.95).unwrap(),
        m.predict(&newdata, Scale::Response, 0.95).unwrap()
    );
}

#[test]
fn logistic_matches_r() {
    check_case(&reference()[0]);
}

#[test]
fn gaussian_matches_r() {
    check_case(&reference()[1]);
}

#[test]
fn poisson_with_formula_offset_matches_r() {
    check_case(&reference()[2]);
}

#[test]
fn two_class_multinomial_equals_binomial_on_a_string_response() {
    let data = Table::read_csv(root().join("data/birthwt.csv")).unwrap();
    let opts = FormulaOptions::default();
    let multi = FormulaFit::fit(
        "smoke ~ age + lwt + race",
        &data,
        Family::Multinomial,
        opts.clone(),
    )
    .unwrap();
    let bin = FormulaFit::fit("smoke ~ age + lwt + race", &data, Family::Binomial, opts).unwrap();
    assert_eq!(bin.response_levels().unwrap(), ["no", "yes"]);
    close(
        &multi.coefficients(),
        &bin.coefficients(),
        1e-9,
        "multinomial vs binomial",
    );
    close1(
        multi.estimate().log_likelihood(),
        &bin.estimate().log_likelihood().into(),
        1e-12,
        "loglik",
    );
    assert!(multi
        .predict(&data, Scale::Link, 0.95)
        .unwrap_err()
        .to_string()
        .contains("not yet supported"));
}

#[test]
fn cbind_response_outside_the_binomial_family_is_a_typed_not_supported_error() {
    let t = Table::from_columns([
        ("s", vec![1.0, 2.0, 3.0].into()),
        ("f", vec![2.0, 2.0, 1.0].into()),
        ("x", vec![1.0, 2.0, 3.0].into()),
    ])
    .unwrap();
    let e = FormulaFit::fit("cbind(s, f) ~ x", &t, Family::Poisson, FormulaOptions::default()).unwrap_err();
    assert!(matches!(e, mle_data::DataError::NotSupported { .. }), "{e}");
    assert!(e.to_string().contains("poisson"), "{e}");
}
