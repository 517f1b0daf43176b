//! Helpers shared by the command-line tests: running `mle` in process and the R reference
//! cases of crates/mle-data/tests/reference/families (families.json, make_reference.R there).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn run(args: &[&str]) -> Result<String, mle_cli::CliError> {
    let mut out = Vec::new();
    mle_cli::run(std::iter::once("mle").chain(args.iter().copied()), &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

pub fn families_dir() -> PathBuf {
    root().join("crates/mle-data/tests/reference/families")
}

pub fn family_data(file: &str) -> String {
    families_dir().join(file).display().to_string()
}

/// The R reference case `name` of crates/mle-data/tests/reference/families/families.json
/// (written by make_reference.R there).
pub fn r_case(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(families_dir().join("families.json")).unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    all.into_iter().find(|c| c["name"] == name).unwrap()
}

pub fn fit_json(args: &[&str]) -> serde_json::Value {
    let mut full = vec!["fit"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--output", "json"]);
    serde_json::from_str(&run(&full).unwrap()).unwrap()
}

/// Coefficient names, estimates (1e-7) and exact SEs (1e-6) of the JSON against R's case.
pub fn assert_coefficients_match(v: &serde_json::Value, case: &str) {
    let r = r_case(case);
    let coefs = v["coefficients"].as_array().unwrap();
    let terms = r["terms"].as_array().unwrap();
    assert_eq!(coefs.len(), terms.len(), "{case}");
    for (i, c) in coefs.iter().enumerate() {
        assert_eq!(c["term"], terms[i], "{case}");
        let (got, want) = (
            c["estimate"].as_f64().unwrap(),
            r["coefficients"][i].as_f64().unwrap(),
        );
        assert!(
            (got - want).abs() <= 1e-7 * want.abs().max(1.0),
            "{case} {}: {got} vs {want}",
            c["term"]
        );
        let (got, want) = (
            c["std_error"].as_f64().unwrap(),
            r["std_errors"][i].as_f64().unwrap(),
        );
        assert!(
            (got - want).abs() <= 1e-6 * want,
            "{case} SE {}: {got} vs {want}",
            c["term"]
        );
    }
    assert!(v["converged"].as_bool().unwrap());
    let (got, want) = (v["loglik"].as_f64().unwrap(), r["loglik"].as_f64().unwrap());
    assert!(
        (got - want).abs() <= 1e-10 * want.abs(),
        "{case} loglik {got} vs {want}"
    );
}

pub fn extra<'a>(v: &'a serde_json::Value, term: &str) -> &'a serde_json::Value {
    v["extra_parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["term"] == term)
        .unwrap_or_else(|| panic!("no {term} in {}", v["extra_parameters"]))
}

/// The cut-points `names` of an ordinal fit's JSON against R's case: estimates to 1e-7, SEs
/// 1e-6 relative (vs the exact inverse information computed in R).
pub fn assert_cut_points_match(v: &serde_json::Value, case: &str, names: &[&str]) {
    let r = r_case(case);
    for (j, name) in names.iter().enumerate() {
        let cut = extra(v, name);
        let want = r["cuts"]["estimates"][j].as_f64().unwrap();
        assert!((cut["estimate"].as_f64().unwrap() - want).abs() < 1e-7, "{name}");
        let se = r["cuts"]["std_errors"][j].as_f64().unwrap();
        assert!(
            (cut["std_error"].as_f64().unwrap() - se).abs() < 1e-6 * se,
            "{name} SE"
        );
    }
}
