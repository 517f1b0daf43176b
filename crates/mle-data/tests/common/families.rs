//! tests/reference/families: its cases, data sets and estimate checks.

use std::path::{Path, PathBuf};

use mle_data::{Family, FormulaFit, FormulaOptions, Table};
use serde_json::Value;

use super::{close, numbers, rel, strings};

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/families")
}

pub fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(dir().join("families.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn case(name: &str) -> Value {
    cases()
        .into_iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

pub fn data_for(name: &str) -> Table {
    let file = match name.split('_').next().unwrap() {
        "budworm" => dir().join("budworm.csv"),
        "birthwt" => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/birthwt.csv"),
        "gamma" | "inverse" => dir().join("positive.csv"),
        "quine" => dir().join("quine.csv"),
        "lung" => dir().join("lung.csv"),
        "biochemists" => dir().join("biochemists.csv"),
        "housing" if name.starts_with("housing_sat") => dir().join("housing_sat.csv"),
        "housing" => dir().join("housing.csv"),
        "poisson" => dir().join("poisson_boundary.csv"),
        other => panic!("no data for {other}"),
    };
    Table::read_csv(file).unwrap()
}

pub fn fit_case(c: &Value) -> (FormulaFit, Table) {
    let name = c["name"].as_str().unwrap();
    let family: Family = c["family"].as_str().unwrap().parse().unwrap();
    let mut options = FormulaOptions::default().link(c["link"].as_str().unwrap());
    if let Some(w) = c["weights"].as_str() {
        options = options.weights(w);
    }
    let data = data_for(name);
    let m = FormulaFit::fit(c["formula"].as_str().unwrap(), &data, family, options)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (m, data)
}

/// Coefficients, exact SEs, log-likelihood, the scalar parameter and the cut-points.
pub fn check_estimates(m: &FormulaFit, c: &Value, name: &str) {
    assert!(m.estimate().convergence().converged(), "{name}: {}", m.estimate());
    assert_eq!(m.n_obs() as u64, c["n"].as_u64().unwrap(), "{name}: n");
    assert_eq!(m.coefficient_names(), strings(&c["terms"]), "{name}: names");
    close(
        &m.coefficients(),
        &numbers(&c["coefficients"]),
        1e-7,
        &format!("{name}: coef"),
    );
    let se: Vec<f64> = m
        .coefficient_covariance()
        .unwrap()
        .diagonal()
        .map(f64::sqrt)
        .iter()
        .copied()
        .collect();
    close(
        &se,
        &numbers(&c["std_errors"]),
        1e-6,
        &format!("{name}: SE (exact observed information)"),
    );
    rel(
        m.estimate().log_likelihood(),
        c["loglik"].as_f64().unwrap(),
        1e-10,
        &format!("{name}: loglik"),
    );
    let extra = m.extra_rows();
    let s = &c["scalar"];
    if s.is_object() {
        let term = s["name"].as_str().unwrap();
        let row = extra
            .iter()
            .find(|r| r.term == term)
            .unwrap_or_else(|| panic!("{name}: no {term}"));
        close(
            &[row.estimate],
            &[s["estimate"].as_f64().unwrap()],
            1e-7,
            &format!("{name}: {term}"),
        );
        rel(
            row.std_error.unwrap(),
            s["se"].as_f64().unwrap(),
            1e-6,
            &format!("{name}: SE {term}"),
        );
        let natural = extra
            .iter()
            .find(|r| r.term == s["natural"].as_str().unwrap())
            .unwrap();
        rel(
            natural.estimate,
            s["estimate"].as_f64().unwrap().exp(),
            1e-7,
            &format!("{name}: natural"),
        );
    }
    if c["cuts"].is_object() {
        let cuts = m.cut_points().unwrap();
        let names: Vec<String> = cuts.iter().map(|c| c.name.clone()).collect();
        assert_eq!(names, strings(&c["cuts"]["names"]), "{name}: cut names");
        let est: Vec<f64> = cuts.iter().map(|c| c.estimate).collect();
        close(
            &est,
            &numbers(&c["cuts"]["estimates"]),
            1e-7,
            &format!("{name}: cuts"),
        );
        let se: Vec<f64> = cuts.iter().map(|c| c.std_error.unwrap()).collect();
        close(
            &se,
            &numbers(&c["cuts"]["std_errors"]),
            1e-6,
            &format!("{name}: cut SEs"),
        );
    }
}
