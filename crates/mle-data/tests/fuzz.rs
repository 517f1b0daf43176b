//! Parsing and binding never panic: random strings and random token soups give `Ok` or
//! `Err`, and whatever parses can be bound to a small table (and re-applied) without a
//! panic either.

use mle_data::{Formula, FrameOptions, ModelFrame, NaAction, Table};
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "y", "x", "g", "b", "n", "`a b`", "z", "~", "~", "+", "-", "*", "/", ":", "^", "**", "(", ")", "(", ")",
    ",", "|", ".", "0", "1", "2", "3", "-1", "+0", "0.5", "1e5", "1e", "log", "log2", "exp", "sqrt", "abs",
    "I", "factor", "C", "offset", "cbind", "Surv", "foo", "`", "``", "%in%", "if", "TRUE", " ", "\t", "é",
    "\"", "$", "..", "._", "x.1",
];

fn soup() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(TOKENS), 0..40),
        any::<bool>(),
    )
        .prop_map(|(toks, spaced)| toks.join(if spaced { " " } else { "" }))
}

/// Token soups biased towards formulas: `lhs ~ rhs` with random pieces on each side.
fn formula_like() -> impl Strategy<Value = String> {
    (soup(), soup()).prop_map(|(l, r)| format!("{l} ~ {r}"))
}

fn arith() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(&["x", "y", "z", "n", "b", "g", "`a b`", "2", "0.5", "0", "1e5"][..])
        .prop_map(str::to_string);
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(&["+", "-", "*", "/", "^"][..]),
                inner.clone()
            )
                .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("-{a}")),
            (
                prop::sample::select(&["log", "exp", "sqrt", "abs", "log1p", "I"][..]),
                inner.clone()
            )
                .prop_map(|(f, a)| format!("{f}({a})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("log({a}, {b})")),
        ]
    })
}

/// Valid formulas from the grammar: model operators over variables and calls.
fn valid_formula() -> impl Strategy<Value = String> {
    let var = prop_oneof![
        prop::sample::select(&["x", "g", "b", "n", "`a b`", "z", "y", ".", "1", "0"][..])
            .prop_map(str::to_string),
        arith().prop_map(|a| format!("I({a})")),
        prop::sample::select(&["x", "g", "b", "n", "z"][..]).prop_map(|v| format!("factor({v})")),
        arith().prop_map(|a| format!("log({a})")),
    ];
    let rhs = var.prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(&["+", "-", "*", "/", ":"][..]),
                inner.clone()
            )
                .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            (inner.clone(), 2u32..4).prop_map(|(a, k)| format!("({a})^{k}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    });
    let lhs = prop_oneof![
        prop::sample::select(
            &[
                "y",
                "x",
                "g",
                "b",
                "log(y)",
                "factor(n)",
                "cbind(n, x)",
                "Surv(x, n)",
                "Surv(z, b)",
                ""
            ][..]
        )
        .prop_map(str::to_string),
        arith(),
    ];
    let offset = prop::option::of(arith().prop_map(|a| format!(" + offset({a})")));
    let second = prop::option::of(prop::sample::select(&["g", "x + z", ". - y", "0 + b"][..]));
    (lhs, rhs, offset, second).prop_map(|(l, r, o, s)| {
        let mut f = format!("{l} ~ {r}{}", o.unwrap_or_default());
        if let Some(s) = s {
            f.push_str(" | ");
            f.push_str(s);
        }
        f
    })
}

fn table() -> Table {
    Table::from_columns([
        (
            "y",
            vec![Some(1.0), Some(2.5), None, Some(0.5), Some(3.0), Some(-1.0)].into(),
        ),
        ("x", vec![0.5, 1.5, 2.5, 0.0, -1.0, 2.0].into()),
        (
            "g",
            vec![Some("a"), Some("b"), Some("a"), None, Some("c"), Some("b")].into(),
        ),
        (
            "b",
            vec![Some(true), Some(false), Some(true), Some(true), None, Some(false)].into(),
        ),
        ("n", vec![3i64, 4, 5, 3, 4, 5].into()),
        ("a b", vec![1.0, 0.0, 2.0, 3.0, 1.0, 1.0].into()),
        ("z", vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6].into()),
    ])
    .unwrap()
}

fn exercise(text: &str) {
    let Ok(formula) = Formula::parse(text) else { return };
    let t = table();
    let _ = formula.terms(&[]);
    let _ = formula.terms(&["y", "x", "g"]);
    for options in [
        FrameOptions::default(),
        FrameOptions::default()
            .weights("n")
            .offset("z")
            .na_action(NaAction::Error),
        FrameOptions::default().weights("g"),
    ] {
        if let Ok((spec, frame)) = mle_data::ModelSpec::bind(&formula, &t, options.clone()) {
            let _ = format!("{frame:?}");
            let _ = spec.apply(&t);
            let fewer =
                Table::from_columns([("x", vec![1.0, 2.0].into()), ("g", vec!["a", "d"].into())]).unwrap();
            let _ = spec.apply(&fewer);
        }
    }
    let _ = ModelFrame::build(text, &t, FrameOptions::default());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_strings_never_panic(s in "\\PC{0,60}") {
        let _ = Formula::parse(&s);
    }

    #[test]
    fn ascii_soups_never_panic(s in "[ -~]{0,60}") {
        if let Err(e) = Formula::parse(&s) {
            prop_assert!(e.position <= s.chars().count());
            let _ = e.to_string();
        }
    }

    #[test]
    fn token_soups_never_panic(s in soup()) {
        if let Err(e) = Formula::parse(&s) {
            prop_assert!(e.position <= s.chars().count());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn formula_like_soups_bind_without_panic(s in formula_like()) {
        exercise(&s);
    }

    #[test]
    fn grammar_formulas_parse_and_bind_without_panic(s in valid_formula()) {
        // Everything the grammar makes is a formula (the right-hand side may still fail to
        // bind, e.g. `factor(b)` with one level left).
        prop_assert!(Formula::parse(&s).is_ok(), "{}", s);
        exercise(&s);
    }
}

#[test]
fn hand_picked_nasties() {
    for s in [
        "",
        "~",
        "~~",
        "y ~",
        "~ .",
        "y ~ .^9",
        "y ~ (x + g + b + n + z)^5",
        "y ~ 1 + 0 - 1 - 0",
        "y ~ offset(x) - offset(x)",
        "cbind(x, g) ~ x",
        "Surv(x, y) ~ g",
        "factor(y) ~ x",
        "g ~ x",
        "b ~ x",
        "y ~ g:b:x - 1",
        "y ~ log(-x)",
        "y ~ I(1/0)",
        "y ~ `a b` + x | g",
        "y ~ x | offset(z)",
        "y ~ x | .",
        "y ~ y",
        "y ~ y + x",
        "log(y) ~ y",
        "y ~ factor(z)",
        "y ~ factor(I(x^2))",
        "y ~ C(g)",
        "y ~ log(x, 0)",
        "y ~ exp(x)^2",
        "y ~ -x",
        "y ~ (x)",
        "y ~ ((x))^2",
        "n ~ .",
    ] {
        exercise(s);
    }
}

#[test]
fn long_formulas_bind_on_a_test_thread_stack() {
    // 900 additive terms: a tree 900 deep, walked recursively by every pass.
    let terms: Vec<&str> = ["x", "z", "g", "`a b`", "log(z)"]
        .iter()
        .copied()
        .cycle()
        .take(900)
        .collect();
    let f = format!("y ~ {}", terms.join(" + "));
    let frame = ModelFrame::build(&f, &table(), FrameOptions::default()).unwrap();
    assert_eq!(frame.term_labels, ["x", "z", "g", "`a b`", "log(z)"]);
    let minus = format!("y ~ {} - 1", terms[..450].join(" - x + "));
    assert!(ModelFrame::build(&minus, &table(), FrameOptions::default()).is_ok());
    let colon = format!(
        "y ~ {}",
        ["x", "z"]
            .iter()
            .copied()
            .cycle()
            .take(900)
            .collect::<Vec<_>>()
            .join(":")
    );
    let frame = ModelFrame::build(&colon, &table(), FrameOptions::default()).unwrap();
    assert_eq!(frame.term_labels, ["x:z"]);
    // Arithmetic may nest 100 deep inside a call.
    let deep = format!("y ~ I({})", vec!["x"; 100].join(" + "));
    assert!(ModelFrame::build(&deep, &table(), FrameOptions::default()).is_ok());
    let deep = format!("{} ~ x", vec!["y"; 100].join(" * "));
    assert!(ModelFrame::build(&deep, &table(), FrameOptions::default()).is_ok());
    // Too long is an error, not a crash.
    let too_long = format!("y ~ {}", vec!["x"; 1500].join(" + "));
    assert!(ModelFrame::build(&too_long, &table(), FrameOptions::default()).is_err());
}
