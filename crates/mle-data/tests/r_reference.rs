//! Design matrices against R's `model.matrix()`: column names exactly, values to 1e-12,
//! `assign`, term labels, the rows `na.omit` keeps (`nrow(model.frame(...))`), the response
//! and the offset. The reference files are written by `tests/reference/formula/make_reference.R`
//! (R 4.2, C collation) and committed; the tests never call R.

use std::path::{Path, PathBuf};

use mle_data::{FrameOptions, ModelFrame, Response, Table};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/formula")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{what}[{i}]: got {g}, R has {w}"
        );
    }
}

struct Case {
    name: String,
    json: Value,
}

fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = std::fs::read_dir(dir().join("cases"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            Case {
                name: path.file_stem().unwrap().to_string_lossy().into_owned(),
                json,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(out.len() >= 25, "reference cases missing");
    out
}

fn frame(case: &Case) -> ModelFrame {
    let table = Table::read(dir().join(case.json["data"].as_str().unwrap())).unwrap();
    let formula = case.json["formula"].as_str().unwrap();
    ModelFrame::build(formula, &table, FrameOptions::default())
        .unwrap_or_else(|e| panic!("{}: {formula}: {e}", case.name))
}

#[test]
fn column_names_assign_and_terms_match_r() {
    for case in cases() {
        let f = frame(&case);
        let j = &case.json;
        assert_eq!(
            f.design.names(),
            strings(&j["colnames"]),
            "{}: column names",
            case.name
        );
        let assign: Vec<usize> = numbers(&j["assign"]).iter().map(|&a| a as usize).collect();
        assert_eq!(f.assign, assign, "{}: assign", case.name);
        assert_eq!(
            f.term_labels,
            strings(&j["term_labels"]),
            "{}: term labels",
            case.name
        );
    }
}

#[test]
fn matrix_values_match_r() {
    for case in cases() {
        let f = frame(&case);
        let columns = case.json["matrix"].as_array().unwrap();
        assert_eq!(f.design.ncols(), columns.len(), "{}", case.name);
        for (j, col) in columns.iter().enumerate() {
            let got: Vec<f64> = f.design.matrix().column(j).iter().copied().collect();
            close(
                &got,
                &numbers(col),
                &format!("{} column {}", case.name, f.design.names()[j]),
            );
        }
    }
}

#[test]
fn na_omit_keeps_the_rows_r_keeps() {
    for case in cases() {
        let f = frame(&case);
        let j = &case.json;
        assert_eq!(
            f.n_obs(),
            j["nrow"].as_u64().unwrap() as usize,
            "{}: nrow(model.frame)",
            case.name
        );
        let kept: Vec<usize> = numbers(&j["kept"]).iter().map(|&k| k as usize).collect();
        assert_eq!(f.kept_rows, kept, "{}: kept rows", case.name);
        let table = Table::read(dir().join(j["data"].as_str().unwrap())).unwrap();
        assert_eq!(f.n_dropped, table.n_rows() - kept.len(), "{}", case.name);
    }
}

#[test]
fn responses_and_offsets_match_r() {
    for case in cases() {
        let f = frame(&case);
        let j = &case.json;
        let resp = j["response"].as_array().unwrap();
        match f.response.as_ref().unwrap() {
            Response::Numeric(y) => close(y, &numbers(&resp[0]), &format!("{} response", case.name)),
            Response::Binomial { successes, trials } => {
                let s = numbers(&resp[0]);
                let fail = numbers(&resp[1]);
                close(successes, &s, &case.name);
                let t: Vec<f64> = s.iter().zip(&fail).map(|(a, b)| a + b).collect();
                close(trials, &t, &case.name);
            }
            other => panic!("{}: unexpected response {other:?}", case.name),
        }
        match (&f.offset, j["offset"].is_null()) {
            (None, true) => {}
            (Some(o), false) => close(o, &numbers(&j["offset"]), &format!("{} offset", case.name)),
            (o, _) => panic!("{}: offset {o:?} vs R {}", case.name, j["offset"]),
        }
    }
}

#[test]
fn spec_reapplied_to_the_training_data_gives_the_same_frame() {
    for case in cases() {
        let f = frame(&case);
        let table = Table::read(dir().join(case.json["data"].as_str().unwrap())).unwrap();
        let again = f.spec().apply(&table).unwrap();
        assert_eq!(again.design, f.design, "{}", case.name);
        assert_eq!(again.kept_rows, f.kept_rows, "{}", case.name);
        // Through JSON and back.
        let json = serde_json::to_string(f.spec()).unwrap();
        let spec: mle_data::ModelSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(&spec, f.spec(), "{}", case.name);
    }
}
