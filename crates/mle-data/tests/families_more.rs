//! The families' remaining behaviours against R (numbers from
//! `tests/reference/families/make_reference.R`, R 4.2):
//! * an ordinal response of strings in an order given explicitly — `ordered(Sat, levels =
//!   c("Low", "Medium", "High"))` in the formula or [`FormulaOptions::levels`] — as
//!   `MASS::polr` on `housing` (alphabetically the levels would be High < Low < Medium);
//!   coefficients 1e-7, exact-information SEs 1e-6, class probabilities 1e-8;
//! * the negative binomial's expected information of (β, log θ) (`CovarianceChoice::Expected`):
//!   R sums E[−∂²ℓ/∂(log θ)²] over y = 0..20000; SEs 1e-8;
//! * the zip/zinb expected information: R sums P(y)·s sᵀ over y = 0..3000 (measured 5e-13);
//! * a zero-inflated Poisson fit on counts simulated from a plain Poisson (MLE at π = 0):
//!   the count model is `glm(y ~ x, poisson)`, 1e-8, with a diagnostic saying so.

mod common;

use common::families::{case, check_estimates, data_for, fit_case};
use common::{close, numbers, rel, strings};
use mle_core::Diagnostic;
use mle_data::{CovarianceChoice, DataError, Family, FormulaFit, FormulaOptions, SavedModel, Table};

const SAT: &str = "Infl + Type + Cont";

fn ordinal(formula: &str, options: FormulaOptions) -> mle_data::Result<FormulaFit> {
    FormulaFit::fit(
        formula,
        &data_for("housing_sat"),
        Family::Ordinal,
        options.weights("Freq"),
    )
}

fn check_ordered_strings(name: &str) {
    let c = case(name);
    let (m, data) = fit_case(&c);
    check_estimates(&m, &c, name);
    assert_eq!(m.response_levels().unwrap(), ["Low", "Medium", "High"]);
    let probs = m.predict_probabilities(&data).unwrap();
    assert_eq!(probs.levels, ["Low", "Medium", "High"]);
    let want = c["probabilities"].as_array().unwrap();
    assert_eq!(probs.probabilities.len(), want.len());
    for (got, want) in probs.probabilities.iter().zip(want) {
        close(got, &numbers(want), 1e-8, &format!("{name}: probabilities"));
    }
    // The option gives the same fit as the formula; saved and read back, the order is kept.
    let link = c["link"].as_str().unwrap();
    let by_option = ordinal(
        &format!("Sat ~ {SAT}"),
        FormulaOptions::default()
            .link(link)
            .levels(["Low", "Medium", "High"]),
    )
    .unwrap();
    close(
        &by_option.coefficients(),
        &m.coefficients(),
        1e-12,
        "option vs formula",
    );
    let saved = SavedModel::from_json(&SavedModel::from_fit(&by_option).to_json().unwrap()).unwrap();
    assert_eq!(
        saved.response_levels.as_deref().unwrap(),
        ["Low", "Medium", "High"]
    );
    assert_eq!(saved.predict_probabilities(&data).unwrap(), probs);
}

#[test]
fn ordinal_logit_of_strings_in_the_given_order_matches_polr() {
    check_ordered_strings("housing_sat_polr_logit");
}

#[test]
fn ordinal_probit_of_strings_in_the_given_order_matches_polr() {
    check_ordered_strings("housing_sat_polr_probit");
}

#[test]
fn the_forms_of_r_that_give_levels_are_the_same_fit() {
    let want = ordinal(
        &format!(r#"ordered(Sat, levels = c("Low", "Medium", "High")) ~ {SAT}"#),
        FormulaOptions::default(),
    )
    .unwrap();
    for response in [
        r#"factor(Sat, levels = c("Low", "Medium", "High"))"#,
        r#"ordered(Sat, c('Low', 'Medium', 'High'))"#,
        r#"factor(Sat, c("Low", "Medium", "High"))"#,
    ] {
        let m = ordinal(&format!("{response} ~ {SAT}"), FormulaOptions::default()).unwrap();
        assert_eq!(m.coefficients(), want.coefficients(), "{response}");
        let names: Vec<String> = m.cut_points().unwrap().iter().map(|c| c.name.clone()).collect();
        assert_eq!(names, ["Low|Medium", "Medium|High"], "{response}");
        // The working-scale parameters (summary rows, saved models) by the same levels.
        let working: Vec<&str> = m
            .estimate()
            .parameters()
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            &working[working.len() - 2..],
            ["Low|Medium", "log(Medium|High - Low|Medium)"],
            "{response}"
        );
        let saved = mle_data::SavedModel::from_fit(&m);
        assert_eq!(
            saved.parameter_names[saved.parameter_names.len() - 1],
            "log(Medium|High - Low|Medium)"
        );
    }
    // Levels of a numeric response, given in another order than the numbers' (3 lowest):
    // the same fit as the recoded response 4 − sat, cut-points named `3|2`, `2|1`.
    let housing = data_for("housing");
    let opts = || FormulaOptions::default().weights("Freq");
    let reversed = FormulaFit::fit(
        &format!("factor(sat, levels = c(3, 2, 1)) ~ {SAT}"),
        &housing,
        Family::Ordinal,
        opts(),
    )
    .unwrap();
    let recoded = FormulaFit::fit(
        &format!("factor(I(4 - sat)) ~ {SAT}"),
        &housing,
        Family::Ordinal,
        opts(),
    )
    .unwrap();
    close(
        &reversed.coefficients(),
        &recoded.coefficients(),
        1e-10,
        "reversed levels",
    );
    let names: Vec<String> = reversed
        .cut_points()
        .unwrap()
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(names, ["3|2", "2|1"]);
}

#[test]
fn an_ordinal_response_of_strings_without_an_order_is_a_typed_error() {
    for response in ["Sat", "factor(Sat)", "ordered(Sat)"] {
        match ordinal(&format!("{response} ~ {SAT}"), FormulaOptions::default()) {
            Err(e @ DataError::UnorderedResponse { .. }) => {
                let text = e.to_string();
                assert!(
                    text.contains(r#"ordered(Sat, levels = c("High", "Low", "Medium"))"#),
                    "{text}"
                );
                assert!(text.contains("--levels High,Low,Medium"), "{text}");
            }
            other => panic!("{response}: expected UnorderedResponse, got {other:?}"),
        }
    }
    // Other families keep R's default (sorted) order for a string factor response.
    let t = Table::from_columns([
        ("s", vec!["b", "a", "b", "a", "b", "a"].into()),
        ("x", vec![1.0, 2.0, 3.0, 4.0, 5.5, 0.5].into()),
    ])
    .unwrap();
    let m = FormulaFit::fit("s ~ x", &t, Family::Binomial, FormulaOptions::default()).unwrap();
    assert_eq!(m.response_levels().unwrap(), ["a", "b"]);
    // Given levels put `a` as the success instead.
    let m = FormulaFit::fit(
        "s ~ x",
        &t,
        Family::Binomial,
        FormulaOptions::default().levels(["b", "a"]),
    )
    .unwrap();
    assert_eq!(m.response_levels().unwrap(), ["b", "a"]);
}

#[test]
fn given_levels_that_miss_a_value_or_clash_are_errors() {
    // `Medium` is not among the levels: the first row holding it (0-based row 1) is named.
    let e = ordinal(
        &format!("Sat ~ {SAT}"),
        FormulaOptions::default().levels(["Low", "High"]),
    )
    .unwrap_err();
    match &e {
        DataError::InvalidValue { row, reason, .. } => {
            assert_eq!(*row, 1, "{e}");
            assert!(
                reason.contains("`Medium` is not among the levels given (Low, High)"),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
    let given = r#"ordered(Sat, levels = c("Low", "Medium", "High"))"#;
    let e = ordinal(
        &format!("{given} ~ {SAT}"),
        FormulaOptions::default().levels(["Low", "Medium", "High"]),
    )
    .unwrap_err();
    assert!(e.to_string().contains("already gives its levels"), "{e}");
    let e = ordinal(
        &format!("log(Freq) ~ {SAT}"),
        FormulaOptions::default().levels(["a", "b"]),
    )
    .unwrap_err();
    assert!(e.to_string().contains("only for a factor response"), "{e}");
    let e = ordinal(
        &format!("Sat ~ {SAT}"),
        FormulaOptions::default().levels(["Low", "Low"]),
    )
    .unwrap_err();
    assert!(e.to_string().contains("given twice"), "{e}");
}

/// The `log(theta)` row of a negative binomial or zinb fit.
fn log_theta_row(m: &FormulaFit) -> mle_data::ExtraRow {
    m.extra_rows()
        .into_iter()
        .find(|r| r.term == "log(theta)")
        .expect("a log(theta) row")
}

fn se_of(m: &FormulaFit) -> Vec<f64> {
    m.coefficient_covariance()
        .unwrap()
        .diagonal()
        .iter()
        .map(|v| v.sqrt())
        .collect()
}

#[test]
fn negative_binomial_expected_information_matches_the_sum_over_y_in_r() {
    for name in ["quine_negbin", "quine_negbin_weighted_offset"] {
        let c = case(name);
        let family = Family::NegativeBinomial;
        let mut options = FormulaOptions::default().covariance(CovarianceChoice::Expected);
        if let Some(w) = c["weights"].as_str() {
            options = options.weights(w);
        }
        let m = FormulaFit::fit(c["formula"].as_str().unwrap(), &data_for(name), family, options).unwrap();
        assert!(m.estimate().convergence().converged(), "{name}");
        let want = numbers(&c["expected"]["std_errors"]);
        let p = want.len() - 1;
        // β: (XᵀWX)⁻¹ at the joint MLE — the standard errors summary(glm.nb) prints.
        close(
            &se_of(&m),
            &want[..p],
            1e-8,
            &format!("{name}: expected-information SE of β"),
        );
        close(
            &se_of(&m),
            &numbers(&c["expected"]["glm_nb_std_errors"]),
            1e-6,
            &format!("{name}: glm.nb's SE"),
        );
        let log_theta = log_theta_row(&m);
        rel(
            log_theta.std_error.unwrap(),
            want[p],
            1e-8,
            &format!("{name}: SE of log θ"),
        );
        let v = m.estimate().covariance().unwrap();
        rel(
            1.0 / v[(p, p)],
            c["expected"]["information_log_theta"].as_f64().unwrap(),
            1e-8,
            &format!("{name}: I(log θ)"),
        );
        assert!((0..p).all(|j| v[(j, p)] == 0.0), "{name}: β–θ cross terms");
        // Not the observed convention: the log θ SEs differ.
        let observed = numbers(&c["scalar"]["se"])[0];
        assert!(
            (log_theta.std_error.unwrap() - observed).abs() > 1e-4 * observed,
            "{name}"
        );
    }
}

#[test]
fn zip_on_poisson_counts_is_the_poisson_fit_with_a_diagnostic() {
    // Counts from a plain Poisson with fewer zeros than the Poisson fit predicts (R: the
    // one-sided derivative in π at π = 0 is −70.9; L-BFGS-B over π ∈ [0, 1) stops at π = 0;
    // zeroinfl reports a zero intercept of −16.5 with SE 444 and "failed to converge").
    let name = "poisson_boundary_zip";
    let c = case(name);
    let data = data_for(name);
    let m = FormulaFit::fit(
        c["formula"].as_str().unwrap(),
        &data,
        Family::Zip,
        FormulaOptions::default(),
    )
    .unwrap();
    let est = m.estimate();
    assert_eq!(
        m.coefficient_names(),
        [strings(&c["terms"]), vec!["zero_(Intercept)".into()]].concat()
    );
    close(
        &m.coefficients()[..2],
        &numbers(&c["coefficients"]),
        1e-8,
        "count model = glm(poisson)",
    );
    rel(
        est.log_likelihood(),
        c["loglik"].as_f64().unwrap(),
        1e-12,
        "ℓ = Poisson ℓ",
    );
    assert_eq!(est.estimates()[2], f64::NEG_INFINITY, "zero_(Intercept)");
    assert!(est.covariance().is_none());
    let reduced = est
        .diagnostics()
        .iter()
        .find_map(|d| match d {
            Diagnostic::ReducedModel {
                condition,
                reduces_to,
            } => Some(format!("{condition}: {reduces_to}")),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{:?}", est.diagnostics()));
    assert!(reduced.contains("zero-inflation probability at 0"), "{reduced}");
    assert!(reduced.contains("Poisson"), "{reduced}");
    assert!(m.to_string().contains("zero-inflation probability at 0"), "{m}");
    // The library Poisson fit on the same data: the same count coefficients.
    let pois = FormulaFit::fit("y ~ x", &data, Family::Poisson, FormulaOptions::default()).unwrap();
    close(&pois.coefficients(), &m.coefficients()[..2], 1e-10, "Poisson fit");
}

#[test]
fn zinb_on_poisson_counts_is_the_negative_binomial_fit_with_a_diagnostic() {
    let data = data_for("poisson_boundary_zip");
    let opts = FormulaOptions::default;
    let m = FormulaFit::fit("y ~ x | 1", &data, Family::Zinb, opts()).unwrap();
    let nb = FormulaFit::fit("y ~ x", &data, Family::NegativeBinomial, opts()).unwrap();
    let (est, nb_est) = (m.estimate().estimates(), nb.estimate().estimates());
    assert_eq!(est[2], f64::NEG_INFINITY, "zero_(Intercept)");
    assert_eq!((est[0], est[1], est[3]), (nb_est[0], nb_est[1], nb_est[2]));
    assert_eq!(m.estimate().log_likelihood(), nb.estimate().log_likelihood());
    assert!(m.estimate().diagnostics().iter().any(
        |d| matches!(d, Diagnostic::ReducedModel { reduces_to, .. } if reduces_to.contains("negative binomial"))
    ));
    // These Poisson draws are not over-dispersed either: the NB is at its Poisson limit, so the
    // count model is R's glm(y ~ x, poisson).
    let c = case("poisson_boundary_zip");
    close(
        &[est[0], est[1]],
        &numbers(&c["coefficients"]),
        1e-8,
        "count model = glm(poisson)",
    );
    assert_eq!(est[3], f64::INFINITY);
}

#[test]
fn ordinal_expected_information_matches_the_multinomial_form_in_r() {
    // polr_expected.R: I = Σᵢ wᵢ Jᵢᵀ diag(1/pᵢ) Jᵢ (Jᵢ = ∂pᵢ/∂θ by numDeriv) — a different
    // formula from the Rust route Σⱼ pⱼ(−∇² ln pⱼ); β's standard errors to 1e-6.
    let text = std::fs::read_to_string(common::families::dir().join("polr_expected.csv")).unwrap();
    for link in ["logit", "probit"] {
        let options = FormulaOptions {
            covariance: mle_data::CovarianceChoice::Expected,
            link: Some(link.to_string()),
            ..FormulaOptions::default()
        };
        let m = ordinal(
            &format!(r#"ordered(Sat, levels = c("Low", "Medium", "High")) ~ {SAT}"#),
            options,
        )
        .unwrap();
        let se = m.estimate().std_errors().expect("expected-information SEs");
        let names = m.coefficient_names();
        let mut checked = 0;
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if f[0] != link {
                continue;
            }
            let j = names
                .iter()
                .position(|n| n == f[1])
                .unwrap_or_else(|| panic!("{}", f[1]));
            rel(se[j], f[2].parse().unwrap(), 1e-6, &format!("{link} {}", f[1]));
            checked += 1;
        }
        assert_eq!(checked, 6, "{link}");
    }
}

#[test]
fn zero_inflated_expected_information_matches_the_outer_product_sum_in_r() {
    // make_reference.R: Σᵢ Σ_y P(y | xᵢ) sᵢ(y) sᵢ(y)ᵀ with pscl-style analytic scores, y = 0..3000,
    // at the polished MLE; the engine sums exact Hessians in closed form (ZIP) or through the
    // NB's exact sum in log θ (ZINB).
    for (name, family) in [
        ("biochemists_zip", Family::Zip),
        ("biochemists_zinb", Family::Zinb),
    ] {
        let c = case(name);
        let options = FormulaOptions::default().covariance(CovarianceChoice::Expected);
        let m = FormulaFit::fit(c["formula"].as_str().unwrap(), &data_for(name), family, options).unwrap();
        assert!(m.estimate().convergence().converged(), "{name}");
        let want = numbers(&c["expected"]["std_errors"]);
        let k = m.coefficients().len();
        close(
            &se_of(&m),
            &want[..k],
            1e-7,
            &format!("{name}: expected-information SEs"),
        );
        if family == Family::Zinb {
            let log_theta = log_theta_row(&m);
            rel(
                log_theta.std_error.unwrap(),
                want[k],
                1e-7,
                &format!("{name}: SE of log θ"),
            );
        }
        // Not the observed convention.
        let observed = numbers(&c["std_errors"]);
        assert!(
            se_of(&m)
                .iter()
                .zip(&observed)
                .any(|(a, b)| (a - b).abs() > 1e-3 * b),
            "{name}: expected and observed SEs should differ"
        );
    }
}
