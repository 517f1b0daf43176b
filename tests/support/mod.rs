//! Test support: readers for the committed reference numbers and data (tests/reference/),
//! finite differences (only ever used here, to check the exact derivatives), and models
//! shared by several tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use mle::prelude::*;

/// Path of a file under tests/reference/.
pub fn reference_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference")
        .join(rel)
}

/// A `.ref` file: `key,value` lines, `#` comments.
pub struct Reference {
    values: BTreeMap<String, f64>,
    pub name: String,
}

impl Reference {
    pub fn load(rel: &str) -> Reference {
        let text = std::fs::read_to_string(reference_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let mut values = BTreeMap::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line
                .rsplit_once(',')
                .unwrap_or_else(|| panic!("{rel}: bad line {line}"));
            let v: f64 = match v.trim() {
                "Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                "TRUE" => 1.0,
                "FALSE" => 0.0,
                other => other.parse().unwrap_or(f64::NAN),
            };
            values.insert(k.trim().to_string(), v);
        }
        Reference {
            values,
            name: rel.to_string(),
        }
    }

    pub fn get(&self, key: &str) -> f64 {
        *self
            .values
            .get(key)
            .unwrap_or_else(|| panic!("{}: no key {key}", self.name))
    }

    pub fn try_get(&self, key: &str) -> Option<f64> {
        self.values.get(key).copied()
    }

    pub fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        self.values
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect()
    }
}

/// A numeric CSV with a header row.
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<f64>>,
}

impl Table {
    pub fn load(rel: &str) -> Table {
        let text = std::fs::read_to_string(reference_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header = lines.next().expect("header");
        let columns = header
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_string())
            .collect();
        let rows = lines
            .map(|l| {
                l.split(',')
                    .map(|s| s.trim().trim_matches('"').parse::<f64>().expect("number"))
                    .collect()
            })
            .collect();
        Table { columns, rows }
    }

    pub fn column(&self, name: &str) -> Vec<f64> {
        let j = self
            .columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        self.rows.iter().map(|r| r[j]).collect()
    }
}

/// |a − b| / |b| (absolute when b = 0).
pub fn rel_diff(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        a.abs()
    } else {
        ((a - b) / b).abs()
    }
}

/// Asserts relative agreement and returns the relative difference.
#[track_caller]
pub fn assert_rel(what: &str, got: f64, expected: f64, tol: f64) -> f64 {
    let d = rel_diff(got, expected);
    assert!(
        d <= tol,
        "{what}: got {got:.17e}, expected {expected:.17e}, rel diff {d:.3e} > {tol:.0e}"
    );
    d
}

/// Central finite-difference gradient and Hessian of f at x (tests only).
pub fn finite_difference_gradient_hessian(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = x.len();
    let h: Vec<f64> = x.iter().map(|v| 1e-4 * v.abs().max(1.0)).collect();
    let at = |d: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for &(i, s) in d {
            y[i] += s;
        }
        f(&y)
    };
    // Fourth-order central differences for the gradient.
    let grad = (0..k)
        .map(|i| {
            (-at(&[(i, 2.0 * h[i])]) + 8.0 * at(&[(i, h[i])]) - 8.0 * at(&[(i, -h[i])])
                + at(&[(i, -2.0 * h[i])]))
                / (12.0 * h[i])
        })
        .collect();
    let mut hess = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..k {
            hess[i][j] =
                (at(&[(i, h[i]), (j, h[j])]) - at(&[(i, h[i]), (j, -h[j])]) - at(&[(i, -h[i]), (j, h[j])])
                    + at(&[(i, -h[i]), (j, -h[j])]))
                    / (4.0 * h[i] * h[j]);
        }
    }
    (grad, hess)
}

/// Weibull(shape k, scale λ) on (log k, log λ), as a user closure.
pub fn weibull_closure() -> ClosureDensity<impl Fn(&[Dual2SVec64<2>], &f64) -> Dual2SVec64<2> + Sync, f64, 2>
{
    ClosureDensity::new(
        vec![Parameter::log_scale("shape"), Parameter::log_scale("scale")],
        |t: &[Dual2SVec64<2>], x: &f64| {
            let (log_k, log_lambda) = (t[0], t[1]);
            let z = -(log_lambda - x.ln()); // log(x/λ)
            log_k - log_lambda + z * (log_k.exp() - 1.0) - (z * log_k.exp()).exp()
        },
    )
    .with_name("Weibull")
    .with_support(|x: &f64| {
        if *x > 0.0 {
            Ok(())
        } else {
            Err(format!("{x} is not positive"))
        }
    })
}

/// Response, design (every column not named in `non_design`), and named extra columns.
pub fn regression_data(rel: &str, response: &str, non_design: &[&str]) -> (Vec<f64>, mle::core::Design) {
    let t = Table::load(rel);
    let y = t.column(response);
    let cols: Vec<&String> = t
        .columns
        .iter()
        .filter(|c| c.as_str() != response && !non_design.contains(&c.as_str()))
        .collect();
    let n = y.len();
    let mut data = Vec::with_capacity(n * cols.len());
    for c in &cols {
        data.extend(t.column(c));
    }
    let x = nalgebra::DMatrix::from_vec(n, cols.len(), data);
    (
        y,
        mle::core::Design::new(x, cols.iter().map(|c| c.to_string())).unwrap(),
    )
}

/// Compares a fit's coefficients and SEs with `coef:PREFIXTERM` / `se:PREFIXTERM` keys.
#[track_caller]
pub fn assert_coefficients(
    fit: &Fit,
    r: &Reference,
    names: &[(String, String)],
    tol_coef: f64,
    tol_se: f64,
) -> (f64, f64) {
    let se = fit.std_errors().expect("standard errors");
    let (mut worst_c, mut worst_s) = (0.0f64, 0.0f64);
    for (i, (ours, key)) in names.iter().enumerate() {
        assert_eq!(&fit.parameters()[i].name, ours, "parameter order");
        worst_c = worst_c.max(assert_rel(
            &format!("coef {key}"),
            fit.estimates()[i],
            r.get(&format!("coef:{key}")),
            tol_coef,
        ));
        worst_s = worst_s.max(assert_rel(
            &format!("se {key}"),
            se[i],
            r.get(&format!("se:{key}")),
            tol_se,
        ));
    }
    (worst_c, worst_s)
}
