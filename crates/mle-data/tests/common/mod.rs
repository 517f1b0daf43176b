//! Helpers shared by the tests against the committed R references: JSON numbers and
//! strings, tolerances; `answers` reads tests/reference/answers, `families` reads
//! tests/reference/families (each written by the make_reference.R beside its data).
#![allow(dead_code)]

use serde_json::Value;

pub mod answers;
pub mod families;

/// An array of numbers (jsonlite writes a length-one vector as a scalar).
pub fn numbers(v: &Value) -> Vec<f64> {
    if let Some(x) = v.as_f64() {
        return vec![x];
    }
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

pub fn strings(v: &Value) -> Vec<String> {
    if let Some(s) = v.as_str() {
        return vec![s.to_string()];
    }
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

pub fn close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: got {g}, R has {w} (diff {:e})",
            g - w
        );
    }
}

pub fn rel(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol * want.abs(),
        "{what}: got {got}, R has {want} (rel diff {:e})",
        (got - want).abs() / want.abs()
    );
}
