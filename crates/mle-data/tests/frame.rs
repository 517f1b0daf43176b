//! Model frames and specs: responses, options, missing values, new data, errors.

use std::sync::Arc;

use arrow_array::{ArrayRef, DictionaryArray};
use mle_data::{
    DataError, Formula, FrameOptions, ModelFrame, ModelSpec, NaAction, Response, Table, VariableKind,
};

fn opts() -> FrameOptions {
    FrameOptions::default()
}

fn col(frame: &ModelFrame, name: &str) -> Vec<f64> {
    let j = frame
        .design
        .names()
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", frame.design.names()));
    frame.design.matrix().column(j).iter().copied().collect()
}

fn table() -> Table {
    Table::from_columns([
        (
            "y",
            vec![Some(1.0), Some(2.0), None, Some(4.0), Some(5.0), Some(6.0)].into(),
        ),
        ("x", vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0].into()),
        (
            "g",
            vec![Some("b"), Some("a"), Some("c"), Some("a"), Some("b"), Some("c")].into(),
        ),
        (
            "w",
            vec![Some(1.0), Some(2.0), Some(1.0), None, Some(0.5), Some(1.0)].into(),
        ),
        ("e", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0].into()),
        ("k", vec![10i64, 2, 1, 2, 10, 1].into()),
    ])
    .unwrap()
}

#[test]
fn unseen_level_names_column_and_level() {
    let f = Formula::parse("y ~ x + g").unwrap();
    let (spec, _) = ModelSpec::bind(&f, &table(), opts()).unwrap();
    let new = Table::from_columns([("x", vec![1.0, 2.0].into()), ("g", vec!["a", "zz"].into())]).unwrap();
    match spec.apply(&new).unwrap_err() {
        DataError::UnseenLevel { column, level, known } => {
            assert_eq!((column.as_str(), level.as_str()), ("g", "zz"));
            assert_eq!(known, ["a", "b", "c"]);
        }
        e => panic!("{e}"),
    }
    // factor() on numbers: levels sorted numerically, unseen values named too.
    let f = Formula::parse("y ~ factor(k)").unwrap();
    let (spec, frame) = ModelSpec::bind(&f, &table(), opts()).unwrap();
    assert_eq!(frame.design.names(), ["(Intercept)", "factor(k)2", "factor(k)10"]);
    let new = Table::from_columns([("k", vec![3i64].into())]).unwrap();
    assert!(spec.apply(&new).unwrap_err().to_string().contains("level `3`"));
}

#[test]
fn response_is_optional_on_new_data() {
    let f = Formula::parse("log(y) ~ x * g").unwrap();
    let (spec, frame) = ModelSpec::bind(&f, &table(), opts()).unwrap();
    assert_eq!(frame.n_dropped, 1);
    let new = Table::from_columns([("x", vec![1.0, 2.0].into()), ("g", vec!["c", "a"].into())]).unwrap();
    let nf = spec.apply(&new).unwrap();
    assert!(nf.response.is_none());
    assert_eq!(nf.design.names(), frame.design.names());
    assert_eq!(col(&nf, "x:gc"), [1.0, 0.0]);
    let with_y = Table::from_columns([
        ("y", vec![1.0].into()),
        ("x", vec![1.0].into()),
        ("g", vec!["b"].into()),
    ])
    .unwrap();
    assert_eq!(
        spec.apply(&with_y).unwrap().response,
        Some(Response::Numeric(vec![0.0]))
    );
}

#[test]
fn na_action_error_names_first_row_and_column() {
    let o = opts().na_action(NaAction::Error);
    match ModelFrame::build("y ~ x + g", &table(), o.clone()).unwrap_err() {
        DataError::Missing { row, column } => assert_eq!((row, column.as_str()), (2, "y")),
        e => panic!("{e}"),
    }
    match ModelFrame::build("x ~ g", &table(), o.clone().weights("w")).unwrap_err() {
        DataError::Missing { row, column } => assert_eq!((row, column.as_str()), (3, "w")),
        e => panic!("{e}"),
    }
}

#[test]
fn strings_where_numbers_are_needed_are_errors_naming_the_column() {
    for (formula, options, usage) in [
        ("y ~ log(g)", opts(), "inside `log(g)`"),
        ("y ~ I(g^2)", opts(), "inside `I(g^2)`"),
        ("log(g) ~ x", opts(), "in the response `log(g)`"),
        ("cbind(g, x) ~ x", opts(), "in the response `cbind(g, x)`"),
        ("y ~ x", opts().weights("g"), "as weights"),
        ("y ~ x", opts().offset("g"), "as the offset"),
        ("y ~ offset(g)", opts(), "inside `offset(g)`"),
    ] {
        let e = ModelFrame::build(formula, &table(), options.clone()).unwrap_err();
        match &e {
            DataError::NotNumeric { column, usage: u, .. } => {
                assert_eq!(column, "g", "{formula}");
                assert_eq!(u, usage, "{formula}");
            }
            e => panic!("{formula}: {e}"),
        }
        assert!(e.to_string().contains("`g` is a string column"), "{e}");
    }
    let e = ModelFrame::build("y ~ nope", &table(), opts()).unwrap_err();
    assert!(e.to_string().contains("no column `nope`"), "{e}");
}

#[test]
fn weights_and_offsets() {
    let o = opts().weights("w").offset("e");
    let f = ModelFrame::build("y ~ x + offset(log(x))", &table(), o.clone()).unwrap();
    // Row 2 (y NA) and row 3 (w NA) dropped.
    assert_eq!(f.kept_rows, [0, 1, 4, 5]);
    assert_eq!(f.weights.as_deref(), Some(&[1.0, 2.0, 0.5, 1.0][..]));
    let want: Vec<f64> = [0usize, 1, 4, 5]
        .iter()
        .map(|&i| (0.5 * (i + 1) as f64).ln() + (i + 1) as f64)
        .collect();
    let got = f.offset.clone().unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-15);
    }
    assert!(f.design.names().iter().all(|n| !n.contains("offset")));
    // The spec carries the options; weights are optional on new data, the offset column not.
    let new = Table::from_columns([("x", vec![1.0].into()), ("e", vec![0.0].into())]).unwrap();
    let nf = f.spec().apply(&new).unwrap();
    assert!(nf.weights.is_none());
    assert_eq!(nf.offset, Some(vec![0.0]));
    let no_e = Table::from_columns([("x", vec![1.0].into())]).unwrap();
    assert!(f
        .spec()
        .apply(&no_e)
        .unwrap_err()
        .to_string()
        .contains("no column `e`"));
    // Negative weights are refused, naming row and column.
    let t = Table::from_columns([("y", vec![1.0, 2.0].into()), ("w", vec![1.0, -1.0].into())]).unwrap();
    let e = ModelFrame::build("y ~ 1", &t, opts().weights("w")).unwrap_err();
    assert!(
        matches!(&e, DataError::InvalidValue { row: 1, column, .. } if column == "w"),
        "{e}"
    );
}

#[test]
fn surv_status_accepts_01_and_12() {
    let t = Table::from_columns([
        ("time", vec![5.0, 3.0, 8.0, 2.0].into()),
        ("s01", vec![1i64, 0, 1, 0].into()),
        ("s12", vec![2i64, 1, 2, 1].into()),
        ("sb", vec![true, false, true, false].into()),
        ("bad", vec![0i64, 1, 2, 1].into()),
        ("x", vec![1.0, 2.0, 3.0, 4.0].into()),
    ])
    .unwrap();
    for status in ["s01", "s12", "sb"] {
        let f = ModelFrame::build(&format!("Surv(time, {status}) ~ x"), &t, opts()).unwrap();
        assert_eq!(
            f.response,
            Some(Response::Surv {
                time: vec![5.0, 3.0, 8.0, 2.0],
                status: vec![1.0, 0.0, 1.0, 0.0]
            }),
            "{status}"
        );
    }
    let e = ModelFrame::build("Surv(time, bad) ~ x", &t, opts()).unwrap_err();
    assert!(
        matches!(&e, DataError::InvalidValue { row: 0, column, .. } if column == "bad"),
        "{e}"
    );
    // New data is read with the training coding (1/2), even when it holds only 1s.
    let f = ModelFrame::build("Surv(time, s12) ~ x", &t, opts()).unwrap();
    let new = Table::from_columns([
        ("time", vec![1.0].into()),
        ("s12", vec![1i64].into()),
        ("x", vec![1.0].into()),
    ])
    .unwrap();
    let nf = f.spec().apply(&new).unwrap();
    assert_eq!(
        nf.response,
        Some(Response::Surv {
            time: vec![1.0],
            status: vec![0.0]
        })
    );
}

#[test]
fn binomial_factor_and_boolean_responses() {
    let t = Table::from_columns([
        ("s", vec![1.0, 2.0, 0.0].into()),
        ("n", vec![3.0, 2.0, 4.0].into()),
        ("kind", vec!["dog", "cat", "dog"].into()),
        ("ok", vec![true, false, true].into()),
        ("x", vec![1.0, 2.0, 3.0].into()),
    ])
    .unwrap();
    let f = ModelFrame::build("cbind(s, n - s) ~ x", &t, opts()).unwrap();
    assert_eq!(
        f.response,
        Some(Response::Binomial {
            successes: vec![1.0, 2.0, 0.0],
            trials: vec![3.0, 2.0, 4.0]
        })
    );
    let f = ModelFrame::build("kind ~ x", &t, opts()).unwrap();
    assert_eq!(
        f.response,
        Some(Response::Factor {
            levels: vec!["cat".into(), "dog".into()],
            codes: vec![1, 0, 1]
        })
    );
    let f = ModelFrame::build("factor(n) ~ x", &t, opts()).unwrap();
    assert_eq!(
        f.response,
        Some(Response::Factor {
            levels: vec!["2".into(), "3".into(), "4".into()],
            codes: vec![1, 0, 2]
        })
    );
    let f = ModelFrame::build("ok ~ x", &t, opts()).unwrap();
    assert_eq!(f.response, Some(Response::Numeric(vec![1.0, 0.0, 1.0])));
    let e = ModelFrame::build("cbind(s, s - n) ~ x", &t, opts()).unwrap_err();
    assert!(e.to_string().contains("non-negative"), "{e}");
}

#[test]
fn second_part_after_bar() {
    let f = ModelFrame::build("y ~ x - 1 | g", &table(), opts()).unwrap();
    let second = f.second_design.clone().unwrap();
    assert_eq!(f.design.names(), ["x"]);
    assert_eq!(second.names(), ["(Intercept)", "gb", "gc"]);
    assert_eq!(f.second_term_labels, ["g"]);
    assert_eq!(f.second_assign, [0, 1, 1]);
    // The same rows as the one-part model of the second part (y's NA drops row 2 in both).
    let alone = ModelFrame::build("y ~ g", &table(), opts()).unwrap();
    assert_eq!(second, alone.design);
    assert_eq!(f.kept_rows, alone.kept_rows);
    let e = ModelFrame::build("y ~ x | offset(x)", &table(), opts()).unwrap_err();
    assert!(e.to_string().contains("only supported before `|`"), "{e}");
}

#[test]
fn dictionary_levels_keep_dictionary_order() {
    let dict: DictionaryArray<arrow_array::types::Int8Type> =
        vec!["low", "high", "mid", "low", "high"].into_iter().collect();
    // Dictionary order: low, high, mid (order of first appearance here), not sorted.
    let t = Table::from_columns([
        ("y", vec![1.0, 2.0, 3.0, 4.0, 5.0].into()),
        ("d", (Arc::new(dict) as ArrayRef).into()),
    ])
    .unwrap();
    let f = ModelFrame::build("y ~ d", &t, opts()).unwrap();
    assert_eq!(f.design.names(), ["(Intercept)", "dhigh", "dmid"]);
    match &f.spec().variables()[0].kind {
        VariableKind::Factor { levels, .. } => assert_eq!(levels, &["low", "high", "mid"]),
        k => panic!("{k:?}"),
    }
    // Strings in new data match dictionary levels.
    let new = Table::from_columns([("d", vec!["mid"].into())]).unwrap();
    assert_eq!(
        f.spec()
            .apply(&new)
            .unwrap()
            .design
            .matrix()
            .row(0)
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        [1.0, 0.0, 1.0]
    );
}

#[test]
fn r_quirks() {
    // The response on the right is dropped, keeping R's term numbering (assign 0, 2).
    let f = ModelFrame::build("y ~ y + x", &table(), opts()).unwrap();
    assert_eq!(f.design.names(), ["(Intercept)", "x"]);
    assert_eq!(f.assign, [0, 2]);
    // C() is factor(); booleans are factors with levels FALSE, TRUE.
    let t = Table::from_columns([
        ("y", vec![1.0, 2.0, 3.0].into()),
        ("g", vec!["u", "v", "u"].into()),
        ("b", vec![true, true, false].into()),
    ])
    .unwrap();
    let f = ModelFrame::build("y ~ C(g) + b", &t, opts()).unwrap();
    assert_eq!(f.design.names(), ["(Intercept)", "C(g)v", "bTRUE"]);
    // A factor left with one level is an error.
    let e = ModelFrame::build("y ~ g", &table(), opts().weights("w")).map(|_| ());
    assert!(e.is_ok());
    let one = Table::from_columns([("y", vec![1.0, 2.0].into()), ("g", vec!["a", "a"].into())]).unwrap();
    let e = ModelFrame::build("y ~ g", &one, opts()).unwrap_err();
    assert!(matches!(e, DataError::TooFewLevels { .. }), "{e}");
    // An infinite design entry is named by its table row and column.
    let t = Table::from_columns([("y", vec![1.0, 2.0].into()), ("x", vec![1.0, 0.0].into())]).unwrap();
    let e = ModelFrame::build("y ~ log(x)", &t, opts()).unwrap_err();
    assert!(
        matches!(&e, DataError::InvalidValue { row: 1, column, .. } if column == "log(x)"),
        "{e}"
    );
    // All rows missing.
    let t = Table::from_columns([
        ("y", vec![None::<f64>, None].into()),
        ("x", vec![1.0, 0.0].into()),
    ])
    .unwrap();
    assert!(matches!(
        ModelFrame::build("y ~ x", &t, opts()).unwrap_err(),
        DataError::NoRows { dropped: 2 }
    ));
}

#[test]
fn spec_serializes_and_reapplies() {
    let f = Formula::parse("log(y) ~ factor(k) * x + g + offset(x)").unwrap();
    let (spec, frame) = ModelSpec::bind(&f, &table(), opts()).unwrap();
    let json = serde_json::to_string_pretty(&spec).unwrap();
    assert!(json.contains("\"factor(k)\"") && json.contains("\"log(y) ~ factor(k) * x + g + offset(x)\""));
    let back: ModelSpec = serde_json::from_str(&json).unwrap();
    let again = back.apply(&table()).unwrap();
    assert_eq!(again.design, frame.design);
    assert_eq!(again.offset, frame.offset);
    assert_eq!(back.assign(), frame.assign);
    assert_eq!(back.main().terms[1].columns, 3..4);
    // A tampered spec is an error, not a panic.
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["parts"][0]["terms"][0]["columns"]["end"] = 99.into();
    let bad: ModelSpec = serde_json::from_value(v).unwrap();
    assert!(matches!(
        bad.apply(&table()).unwrap_err(),
        DataError::InvalidSpec(_)
    ));
}
