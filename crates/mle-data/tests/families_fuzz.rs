//! Every family on random small data and every response form never panics: the fit and the
//! answers after it are `Ok` or a typed error, whatever the numbers (zeros, ties, negative
//! values, a constant column, all-censored times).

use mle_data::{Family, FormulaFit, FormulaOptions, ResidualType, SavedModel, Scale, Table, FAMILIES};
use proptest::prelude::*;

const FORMULAS: &[&str] = &[
    "y ~ x",
    "y ~ x + g",
    "y ~ x | g",
    "y ~ 1",
    "y ~ x - 1",
    "cbind(s, f) ~ x",
    "p ~ x",
    "Surv(t, st) ~ x + g",
    "Surv(t, st2) ~ x",
    "factor(k) ~ x",
    "g ~ x",
    "k ~ x + offset(x)",
];

fn table(values: &[(f64, f64, u8)]) -> Table {
    let col = |f: &dyn Fn(&(f64, f64, u8)) -> f64| values.iter().map(f).collect::<Vec<f64>>();
    Table::from_columns([
        ("y", col(&|v| v.0).into()),
        ("x", col(&|v| v.1).into()),
        (
            "g",
            values
                .iter()
                .map(|v| ["a", "b", "c"][(v.2 % 3) as usize])
                .collect::<Vec<_>>()
                .into(),
        ),
        ("s", col(&|v| v.0.abs().round()).into()),
        ("f", col(&|v| (v.1.abs() * 3.0).round()).into()),
        ("p", col(&|v| v.0.abs().fract()).into()),
        ("t", col(&|v| v.0.abs() + v.1.abs()).into()),
        ("st", col(&|v| f64::from(v.2 % 2)).into()),
        ("st2", col(&|v| f64::from(1 + v.2 % 2)).into()),
        ("k", col(&|v| f64::from(v.2 % 4)).into()),
        ("w", col(&|v| v.1.abs()).into()),
    ])
    .unwrap()
}

fn exercise(m: &FormulaFit, t: &Table) {
    let _ = m.fitted();
    for kind in [
        ResidualType::Response,
        ResidualType::Pearson,
        ResidualType::Deviance,
        ResidualType::Working,
    ] {
        let _ = m.residuals(kind);
    }
    let _ = m.deviance();
    let _ = m.hat_values();
    let _ = m.dispersion();
    let _ = m.predict(t, Scale::Link, 0.95);
    let _ = m.predict(t, Scale::Response, 0.95);
    let _ = m.predict_probabilities(t);
    let _ = m.anova();
    let _ = m.drop1();
    let _ = m.summary_json(0.95);
    let _ = m.augment();
    let _ = m.to_string();
    if let Ok(json) = SavedModel::from_fit(m).to_json() {
        let saved = SavedModel::from_json(&json).unwrap();
        let _ = saved.predict(t, Scale::Response, 0.95);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn no_family_panics_on_small_random_data(
        values in prop::collection::vec((-3.0f64..6.0, -2.0f64..2.0, 0u8..8), 1..30),
        weighted in any::<bool>(),
    ) {
        let t = table(&values);
        let mut fitted = 0;
        for family in FAMILIES {
            for &link in family.links() {
                let mut options = FormulaOptions::default().link(link);
                if weighted {
                    options = options.weights("w");
                }
                for formula in FORMULAS {
                    if let Ok(m) = FormulaFit::fit(formula, &t, family, options.clone()) {
                        exercise(&m, &t);
                        fitted += 1;
                    }
                }
            }
        }
        // With enough rows some fits succeed, so the answers after them run too.
        prop_assert!(values.len() < 12 || fitted > 0, "no fit succeeded on {} rows", values.len());
        // An unknown link is a typed error, never a panic.
        let e = FormulaFit::fit("y ~ x", &t, Family::Gamma, FormulaOptions::default().link("sqrt"));
        prop_assert!(e.is_err());
    }
}
