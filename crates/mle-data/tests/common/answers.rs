//! tests/reference/answers: its data, cases and LR-test checks.

use std::path::{Path, PathBuf};

use mle_data::{Family, FormulaFit, FormulaOptions, Table};
use serde_json::Value;

use super::{close, numbers, strings};

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/answers")
}

pub fn case(name: &str) -> Value {
    let text = std::fs::read_to_string(dir().join("answers.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all[name].clone()
}

pub fn data() -> Table {
    Table::read_csv(dir().join("answers.csv")).unwrap()
}

pub fn new_data() -> Table {
    Table::from_columns([
        ("x1", vec![-0.75, 0.0, 0.5, 0.9].into()),
        ("g", vec!["a", "b", "c", "b"].into()),
    ])
    .unwrap()
}

pub fn fit(c: &Value, family: Family, options: FormulaOptions) -> FormulaFit {
    let m = FormulaFit::fit(c["formula"].as_str().unwrap(), &data(), family, options).unwrap();
    assert!(m.estimate().convergence().converged(), "{family}: not converged");
    m
}

/// anova / drop1 LR statistics, df, −2ℓ of the sub-models and drop1's AIC.
pub fn check_lr_tests(m: &FormulaFit, c: &Value, what: &str) {
    let a = m.anova().unwrap();
    assert_eq!(a.terms, strings(&c["anova"]["terms"]), "{what}");
    let df = |v: &Value| numbers(v).iter().map(|&d| d as usize).collect::<Vec<_>>();
    assert_eq!(a.df, df(&c["anova"]["df"]), "{what}: anova df");
    close(
        &a.deviance,
        &numbers(&c["anova"]["lrt"]),
        1e-6,
        &format!("{what}: anova lrt"),
    );
    close(
        &a.resid_deviance,
        &numbers(&c["anova"]["minus_two_ll"]),
        1e-8,
        &format!("{what}: anova -2l"),
    );
    let d = m.drop1().unwrap();
    assert_eq!(d.terms, strings(&c["drop1"]["terms"]), "{what}");
    assert_eq!(d.df, df(&c["drop1"]["df"]), "{what}: drop1 df");
    close(
        &d.lrt,
        &numbers(&c["drop1"]["lrt"]),
        1e-6,
        &format!("{what}: drop1 lrt"),
    );
    close(
        &d.deviance,
        &numbers(&c["drop1"]["minus_two_ll"]),
        1e-8,
        &format!("{what}: drop1 -2l"),
    );
    close(
        &d.aic,
        &numbers(&c["drop1"]["aic"]),
        1e-8,
        &format!("{what}: drop1 aic"),
    );
    assert!(
        d.p_value.iter().all(|p| (0.0..=1.0).contains(p)),
        "{what}: {:?}",
        d.p_value
    );
}
