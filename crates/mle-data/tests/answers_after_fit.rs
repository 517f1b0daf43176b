//! The remaining "after the fit" answers against R (numbers from
//! `tests/reference/answers/make_reference.R`, R 4.2):
//! * quantile `anova`: `quantreg::anova.rq(m0, m1)` (test = "Wald", se = "nid") between
//!   successive nested fits, and `summary.rq(se = "nid")`'s standard errors;
//! * zip / zinb: `predict(zeroinfl, type = "prob")` (default and given `at`), LR `anova` and
//!   `drop1` by term of either part (2Δℓ of `zeroinfl` refits);
//! * Student-t pearson residuals (y − μ̂)/(σ̂√(ν̂/(ν̂ − 2)));
//! * multinomial: delta-method SEs of predicted probabilities and linear predictors, and an
//!   offset on every non-baseline predictor (the likelihood maximised in R, nnet's matrix offset);
//! * `df_residual` as R's `df.residual` per model.
//!
//! Tolerances (measured agreement in brackets): the Wald F, its p-value and the nid SEs 1e-6
//! [≤ 6e-16: the same arithmetic as quantreg's], count probabilities 1e-6 [≤ 4e-9: pscl's BFGS
//! optimum vs ours], LR statistics 1e-6 [zip 4e-12, zinb 4e-8] and −2ℓ 1e-8 relative [≤ 7e-11]
//! against R's refits polished by Newton steps, multinomial delta-method SEs 1e-6 [2e-11] and
//! the offset fit's coefficients / SEs 1e-6 [3e-11], Student-t pearson residuals 1e-6 [7e-15].

mod common;

use common::answers::{case, check_lr_tests, data, dir, fit, new_data};
use common::{close, numbers, strings};
use mle_data::{AnovaTest, DataError, Family, FormulaFit, FormulaOptions, ResidualType, SavedModel, Table};
use serde_json::Value;

fn biochemists() -> Table {
    Table::read_csv(dir().join("../families/biochemists.csv")).unwrap()
}

#[test]
fn quantile_anova_is_anova_rq_wald_with_nid_covariance() {
    let c = case("quantile_anova");
    let m = fit(
        &c,
        Family::Quantile,
        FormulaOptions::default().tau(c["tau"].as_f64().unwrap()),
    );
    let p = m.coefficients().len();
    let se = m.estimate().std_errors().unwrap();
    close(
        &se.as_slice()[..p],
        &numbers(&c["std_errors"]),
        1e-6,
        "summary.rq nid se",
    );
    let a = m.anova().unwrap();
    assert_eq!(a.test, AnovaTest::WaldF);
    assert_eq!(a.terms, strings(&c["terms"]));
    let usize_of = |v: &Value| numbers(v).iter().map(|&d| d as usize).collect::<Vec<_>>();
    assert_eq!(a.df, usize_of(&c["df"]));
    assert_eq!(a.resid_df, usize_of(&c["resid_df"]));
    close(&a.statistic, &numbers(&c["statistic"]), 1e-6, "anova.rq F");
    close(&a.p_value, &numbers(&c["p_value"]), 1e-6, "anova.rq p");
    assert!(a.deviance.iter().chain(&a.resid_deviance).all(|d| d.is_nan()));
    assert!(a.to_string().contains("F value"), "{a}");
    assert_eq!(m.df_residual(), c["rdf"].as_f64());
}

#[test]
fn zero_inflated_count_probabilities_and_lr_tests_match_zeroinfl() {
    let bc = biochemists();
    for (family, name) in [(Family::Zip, "prob_poisson"), (Family::Zinb, "prob_negbin")] {
        let c = case(name);
        let m = FormulaFit::fit(
            c["formula"].as_str().unwrap(),
            &bc,
            family,
            FormulaOptions::default(),
        )
        .unwrap();
        let first = Table::from_batch(bc.batch().slice(0, 6));
        let p = m.predict_counts(&first, None).unwrap();
        let max = c["max"].as_u64().unwrap();
        assert_eq!(p.levels.len() as u64, max + 1, "{family}");
        assert_eq!(p.levels[0], "0");
        let flat: Vec<f64> = p.probabilities.iter().flatten().copied().collect();
        close(
            &flat,
            &numbers(&c["prob"]),
            1e-6,
            &format!("{family}: type = prob"),
        );
        let at = m.predict_counts(&first, Some(0..=3)).unwrap();
        assert_eq!(at.levels, ["0", "1", "2", "3"]);
        let flat: Vec<f64> = at.probabilities.iter().flatten().copied().collect();
        close(
            &flat,
            &numbers(&c["prob_at"]),
            1e-6,
            &format!("{family}: at = 0:3"),
        );
        // A range not from 0 is P(Y = k) for those k (pscl would put P(0) in its first column).
        let mid = m.predict_counts(&first, Some(2..=4)).unwrap();
        assert_eq!(mid.levels, ["2", "3", "4"]);
        for (row, full) in mid.probabilities.iter().zip(&p.probabilities) {
            assert_eq!(row.as_slice(), &full[2..=4]);
        }
        // predict_probabilities and the saved model give the same default range.
        assert_eq!(m.predict_probabilities(&first).unwrap(), p);
        let saved = SavedModel::from_json(&SavedModel::from_fit(&m).to_json().unwrap()).unwrap();
        assert_eq!(saved.max_count, Some(max));
        assert_eq!(saved.predict_probabilities(&first).unwrap(), p);
        check_lr_tests(&m, &c, &format!("{family}"));
    }
    let pois = FormulaFit::fit("art ~ fem", &bc, Family::Poisson, FormulaOptions::default()).unwrap();
    let e = pois.predict_counts(&bc, None).unwrap_err();
    assert!(
        matches!(e, DataError::NotSupported { .. }) && e.to_string().contains("zip"),
        "{e}"
    );
}

#[test]
fn student_t_pearson_residuals_divide_by_the_t_standard_deviation() {
    let c = case("student_t");
    let m = fit(&c, Family::StudentT, FormulaOptions::default());
    let r = m.residuals(ResidualType::Pearson).unwrap();
    close(&r, &numbers(&c["pearson_residuals"]), 1e-6, "student-t pearson");
    // ν ≤ 2: infinite variance, a typed error naming the df. Cauchy-like data give ν̂ < 2.
    let y: Vec<f64> = (0..60)
        .map(|i| {
            let u = (i as f64 + 0.5) / 60.0;
            (std::f64::consts::PI * (u - 0.5)).tan()
        })
        .collect();
    let x: Vec<f64> = (0..60).map(|i| ((i * 7) % 11) as f64).collect();
    let t = Table::from_columns([("y", y.into()), ("x", x.into())]).unwrap();
    let m = FormulaFit::fit("y ~ x", &t, Family::StudentT, FormulaOptions::default()).unwrap();
    let nu = m.estimate().estimates()[3].exp();
    assert!(nu < 2.0, "ν̂ = {nu}");
    let e = m.residuals(ResidualType::Pearson).unwrap_err();
    assert!(
        matches!(e, DataError::NotSupported { .. }) && e.to_string().contains("≤ 2"),
        "{e}"
    );
}

#[test]
fn multinomial_prediction_standard_errors_by_the_delta_method_match_r() {
    let c = case("multinomial");
    let m = fit(&c, Family::Multinomial, FormulaOptions::default());
    let p = m.predict_probabilities(&new_data()).unwrap();
    let flat = |rows: Option<Vec<Vec<f64>>>| rows.unwrap().into_iter().flatten().collect::<Vec<f64>>();
    close(
        &flat(p.se_probabilities.clone()),
        &numbers(&c["se_new_probabilities"]),
        1e-6,
        "se of probabilities",
    );
    close(
        &flat(p.se_linear_predictors.clone()),
        &numbers(&c["se_new_linear_predictors"]),
        1e-6,
        "se of linear predictors",
    );
}

#[test]
fn multinomial_offset_applies_to_every_non_baseline_predictor() {
    let c = &case("multinomial")["offset"];
    let m = fit(c, Family::Multinomial, FormulaOptions::default());
    close(
        &m.coefficients(),
        &numbers(&c["coefficients"]),
        1e-6,
        "offset coefficients",
    );
    let se: Vec<f64> = m.estimate().std_errors().unwrap().iter().copied().collect();
    close(&se, &numbers(&c["std_errors"]), 1e-6, "offset se");
    let ll = m.estimate().log_likelihood();
    assert!((ll - c["loglik"].as_f64().unwrap()).abs() < 1e-8, "{ll}");
    // The --offset column is the same offset; the fitted probabilities include it.
    let by_column = FormulaFit::fit(
        "y ~ x1 + g",
        &data(),
        Family::Multinomial,
        FormulaOptions {
            offset: Some("o".into()),
            ..FormulaOptions::default()
        },
    )
    .unwrap();
    close(
        &by_column.coefficients(),
        &numbers(&c["coefficients"]),
        1e-6,
        "--offset",
    );
    // ℓ = Σ log P̂(yᵢ): the fitted probabilities include the offset; predictions on the
    // table (its `o` column) are the same.
    let fitted = m.fitted_probabilities().unwrap();
    let ll_fitted: f64 = fitted
        .iter()
        .zip(m.response())
        .map(|(p, &y)| p[y as usize].ln())
        .sum();
    assert!((ll_fitted - ll).abs() < 1e-9, "{ll_fitted} vs {ll}");
    let p = m.predict_probabilities(&data()).unwrap();
    for (a, b) in p.probabilities.iter().zip(&fitted) {
        close(a, b, 1e-12, "predict vs fitted");
    }
}

#[test]
fn df_residual_is_r_df_residual_for_each_model_and_in_the_json() {
    let c = case("df_residual");
    for m in c.as_array().unwrap() {
        let table = match m["data"].as_str().unwrap() {
            "answers" => data(),
            other => Table::read_csv(dir().join(format!("../families/{other}.csv"))).unwrap(),
        };
        let family: Family = m["family"].as_str().unwrap().parse().unwrap();
        let options = FormulaOptions {
            weights: m["weights"].as_str().map(String::from),
            tau: if family == Family::Quantile { 0.333 } else { 0.5 },
            ..FormulaOptions::default()
        };
        let f = FormulaFit::fit(m["formula"].as_str().unwrap(), &table, family, options).unwrap();
        assert_eq!(f.df_residual(), m["value"].as_f64(), "{family}: df.residual");
        let json = serde_json::to_value(f.summary_json(0.95).unwrap()).unwrap();
        assert_eq!(json["df_residual"], m["value"], "{family}: JSON df_residual");
    }
}

#[test]
fn zero_inflated_anova_without_a_bar_tests_the_shared_terms_in_both_parts() {
    // `y ~ x` is `y ~ x | x` (pscl): the zero part repeats the count terms. The chain of
    // nested refits telescopes: the statistics sum to −2ℓ(both intercepts) − (−2ℓ(full)).
    let bc = biochemists();
    let m = FormulaFit::fit("art ~ fem + ment", &bc, Family::Zip, FormulaOptions::default()).unwrap();
    let a = m.anova().unwrap();
    assert_eq!(a.terms, ["fem", "ment", "zero_fem", "zero_ment"]);
    assert_eq!(a.df, [1, 1, 1, 1]);
    let full = -2.0 * m.estimate().log_likelihood();
    assert!((a.resid_deviance[3] - full).abs() < 1e-9 * full);
    let base = FormulaFit::fit("art ~ 1 | 1", &bc, Family::Zip, FormulaOptions::default()).unwrap();
    let total: f64 = a.statistic.iter().sum();
    let want = -2.0 * base.estimate().log_likelihood() - full;
    assert!((total - want).abs() < 1e-6, "{total} vs {want}");
    let d = m.drop1().unwrap();
    assert_eq!(d.terms, a.terms);
    // Dropping the last zero term is the anova's last step.
    assert!(
        (d.lrt[3] - a.statistic[3]).abs() < 1e-6,
        "{} vs {}",
        d.lrt[3],
        a.statistic[3]
    );
}
