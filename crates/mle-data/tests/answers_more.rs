//! Answers of formula fits beyond the GLMs against R: multinomial (`nnet::multinom`: class
//! probabilities and linear predictors on new data, the residual matrix, LR anova/drop1),
//! Student-t and the heteroscedastic Gaussian `y ~ x | z` (likelihoods maximised in R:
//! predictions with delta-method SEs, residuals, LR anova/drop1 with df / scale re-estimated),
//! quantile regression (`quantreg::rq` predict/residuals), and `--cov glm-nb`
//! (`summary(MASS::glm.nb)`'s standard errors). Numbers from
//! `tests/reference/answers/make_reference.R` (R 4.2) on `answers.csv` beside it.
//!
//! Tolerances: coefficients 1e-6 relative (R's maximum polished by Newton steps on the analytic
//! score), probabilities and residuals 1e-7, standard errors (exact inverse observed
//! information; glm.nb: its own convention) 1e-6, LR statistics and −2ℓ 1e-6.

mod common;

use common::answers::{case, check_lr_tests, dir, fit, new_data};
use common::{close, numbers};
use mle_data::{
    CovarianceChoice, DataError, Family, FormulaFit, FormulaOptions, ResidualType, SavedModel, Scale, Table,
};
use serde_json::Value;

#[test]
fn multinomial_probabilities_residuals_and_tests_match_nnet_multinom() {
    let c = case("multinomial");
    let m = fit(&c, Family::Multinomial, FormulaOptions::default());
    close(
        &m.coefficients(),
        &numbers(&c["coefficients"]),
        1e-6,
        "coefficients",
    );
    let se: Vec<f64> = m.estimate().std_errors().unwrap().iter().copied().collect();
    close(&se, &numbers(&c["std_errors"]), 1e-6, "std errors");
    assert!((m.estimate().log_likelihood() - c["loglik"].as_f64().unwrap()).abs() < 1e-9);
    let flat = |rows: Vec<Vec<f64>>| rows.into_iter().flatten().collect::<Vec<f64>>();
    close(
        &flat(m.fitted_probabilities().unwrap()),
        &numbers(&c["probabilities"]),
        1e-7,
        "fitted",
    );
    let r = m.class_residuals().unwrap();
    assert_eq!(r.levels, ["A", "B", "C"]);
    close(&flat(r.residuals), &numbers(&c["residuals"]), 1e-7, "residuals");

    let p = m.predict_probabilities(&new_data()).unwrap();
    assert_eq!(p.rows, [0, 1, 2, 3]);
    close(
        &flat(p.probabilities.clone()),
        &numbers(&c["new_probabilities"]),
        1e-7,
        "new probabilities",
    );
    close(
        &flat(p.linear_predictors.clone()),
        &numbers(&c["new_linear_predictors"]),
        1e-6,
        "new eta",
    );
    // The saved model predicts the same.
    let saved = SavedModel::from_json(&SavedModel::from_fit(&m).to_json().unwrap()).unwrap();
    assert_eq!(saved.predict_probabilities(&new_data()).unwrap(), p);
    check_lr_tests(&m, &c, "multinomial");
    // A residual vector and link predictions are typed errors naming what to call.
    let e = m.residuals(ResidualType::Response).unwrap_err();
    assert!(
        matches!(e, DataError::NotSupported { .. }) && e.to_string().contains("class_residuals"),
        "{e}"
    );
    let e = m.predict(&new_data(), Scale::Link, 0.95).unwrap_err();
    assert!(e.to_string().contains("predict_probabilities"), "{e}");
}

/// Predictions (identity link: link = response) with √(xᵀVx), response residuals.
fn check_predictions(m: &FormulaFit, c: &Value, what: &str) {
    close(&m.coefficients(), &numbers(&c["coefficients"])[..4], 1e-6, what);
    let all: Vec<f64> = m.estimate().estimates().iter().copied().collect();
    close(
        &all,
        &numbers(&c["coefficients"]),
        1e-6,
        &format!("{what}: all parameters"),
    );
    let se: Vec<f64> = m.estimate().std_errors().unwrap().iter().copied().collect();
    close(
        &se,
        &numbers(&c["std_errors"]),
        1e-6,
        &format!("{what}: std errors"),
    );
    for scale in [Scale::Link, Scale::Response] {
        let p = m.predict(&new_data(), scale, 0.95).unwrap();
        close(&p.fit, &numbers(&c["predict"]), 1e-7, &format!("{what}: predict"));
        close(
            &p.se_fit.unwrap(),
            &numbers(&c["se_predict"]),
            1e-6,
            &format!("{what}: se"),
        );
    }
    let r = m.residuals(ResidualType::Response).unwrap();
    close(
        &r,
        &numbers(&c["response_residuals"]),
        1e-7,
        &format!("{what}: residuals"),
    );
}

#[test]
fn student_t_predictions_residuals_and_tests_match_the_likelihood_maximised_in_r() {
    let c = case("student_t");
    let m = fit(&c, Family::StudentT, FormulaOptions::default());
    check_predictions(&m, &c, "student-t");
    check_lr_tests(&m, &c, "student-t");
    let e = m.residuals(ResidualType::Deviance).unwrap_err();
    assert!(matches!(e, DataError::NotSupported { .. }), "{e}");
}

#[test]
fn heteroscedastic_predictions_pearson_residuals_and_tests_match_r() {
    let c = case("heteroscedastic");
    let m = fit(&c, Family::Gaussian, FormulaOptions::default());
    check_predictions(&m, &c, "heteroscedastic");
    let r = m.residuals(ResidualType::Pearson).unwrap();
    close(&r, &numbers(&c["pearson_residuals"]), 1e-7, "pearson residuals");
    check_lr_tests(&m, &c, "heteroscedastic");
}

#[test]
fn quantile_predictions_and_residuals_match_rq_and_drop1_is_a_typed_error() {
    let c = case("quantile");
    let options = FormulaOptions::default().tau(c["tau"].as_f64().unwrap());
    let m = fit(&c, Family::Quantile, options);
    close(
        &m.coefficients(),
        &numbers(&c["coefficients"]),
        1e-9,
        "rq coefficients",
    );
    let p = m.predict(&new_data(), Scale::Response, 0.95).unwrap();
    close(&p.fit, &numbers(&c["predict"]), 1e-9, "rq predict");
    close(&m.fitted().unwrap(), &numbers(&c["fitted"]), 1e-9, "rq fitted");
    let r = m.residuals(ResidualType::Response).unwrap();
    close(&r, &numbers(&c["residuals"]), 1e-9, "rq residuals");
    // anova is anova.rq's Wald test (answers_after_fit.rs); drop1 has no quantreg counterpart.
    let e = m.drop1().unwrap_err();
    assert!(
        matches!(e, DataError::NotSupported { .. }) && e.to_string().contains("quantile"),
        "{e}"
    );
}

#[test]
fn glm_nb_covariance_gives_summary_glm_nb_standard_errors() {
    let c = case("glm_nb");
    let quine = Table::read_csv(dir().join("../families/quine.csv")).unwrap();
    let options = FormulaOptions::default().covariance(CovarianceChoice::GlmNb);
    let m = FormulaFit::fit(
        c["formula"].as_str().unwrap(),
        &quine,
        Family::NegativeBinomial,
        options,
    )
    .unwrap();
    close(
        &m.coefficients(),
        &numbers(&c["coefficients"]),
        1e-6,
        "glm.nb coefficients",
    );
    let se = m.estimate().std_errors().unwrap();
    let p = m.coefficients().len();
    close(
        &se.as_slice()[..p],
        &numbers(&c["std_errors"]),
        1e-6,
        "summary(glm.nb) se",
    );
    let theta = m.estimate().estimates()[p].exp();
    close(&[theta], &[c["theta"].as_f64().unwrap()], 1e-6, "theta");
    let natural = m.estimate().natural_std_errors().unwrap();
    // R's SE.theta is at glm.nb's own θ̂ (theta.ml stops at eps = double.eps^0.25, 3e-6
    // relative from the joint maximum here): 1e-5 relative.
    let want = c["se_theta"].as_f64().unwrap();
    assert!(
        (natural[p] / want - 1.0).abs() < 1e-5,
        "SE.theta {} vs {want}",
        natural[p]
    );
    // The observed-information default differs (the cross terms of β and θ).
    let observed = FormulaFit::fit(
        c["formula"].as_str().unwrap(),
        &quine,
        Family::NegativeBinomial,
        FormulaOptions::default(),
    )
    .unwrap();
    let se_obs = observed.estimate().std_errors().unwrap();
    assert!((0..p).any(|j| (se_obs[j] / se[j] - 1.0).abs() > 1e-4));
    // Another family is a typed error.
    let options = FormulaOptions::default().covariance(CovarianceChoice::GlmNb);
    let e = FormulaFit::fit("Days ~ Eth", &quine, Family::Poisson, options).unwrap_err();
    assert!(
        matches!(e, DataError::NotSupported { .. }) && e.to_string().contains("glm-nb"),
        "{e}"
    );
}

#[test]
fn survival_deviance_working_and_response_residuals_match_residuals_survreg() {
    let lung = Table::read_csv(dir().join("../families/lung.csv")).unwrap();
    for family in [
        Family::Weibull,
        Family::Exponential,
        Family::Lognormal,
        Family::Loglogistic,
    ] {
        let c = case(&format!("survreg_{family}"));
        let m = FormulaFit::fit(
            c["formula"].as_str().unwrap(),
            &lung,
            family,
            FormulaOptions::default(),
        )
        .unwrap();
        close(
            &m.coefficients(),
            &numbers(&c["coefficients"]),
            1e-7,
            &format!("{family}: coefficients"),
        );
        for (kind, key) in [
            (ResidualType::Deviance, "deviance"),
            (ResidualType::Working, "working"),
            (ResidualType::Response, "response"),
        ] {
            let r = m.residuals(kind).unwrap();
            close(&r, &numbers(&c[key]), 1e-6, &format!("{family}: {key} residuals"));
        }
        let e = m.residuals(ResidualType::Pearson).unwrap_err();
        assert!(
            matches!(e, DataError::NotSupported { .. }) && e.to_string().contains("pearson"),
            "{e}"
        );
    }
}

#[test]
fn zero_inflated_zero_probabilities_match_predict_zeroinfl_type_zero() {
    let bc = Table::read_csv(dir().join("../families/biochemists.csv")).unwrap();
    let first: Vec<usize> = (0..6).collect();
    for family in [Family::Zip, Family::Zinb] {
        let c = case(if family == Family::Zip {
            "zero_poisson"
        } else {
            "zero_negbin"
        });
        let m = FormulaFit::fit(
            c["formula"].as_str().unwrap(),
            &bc,
            family,
            FormulaOptions::default(),
        )
        .unwrap();
        let p = m.predict(&bc, Scale::Zero, 0.95).unwrap();
        let pick = |v: &[f64]| first.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        close(
            &pick(&p.fit),
            &numbers(&c["zero"]),
            1e-6,
            &format!("{family}: pi"),
        );
        // pscl's vcov is optim's numerical Hessian inverse: 1e-3.
        let se = p.se_fit.unwrap();
        let want = numbers(&c["se_zero"]);
        for (i, (g, w)) in pick(&se).iter().zip(&want).enumerate() {
            assert!((g / w - 1.0).abs() < 1e-3, "{family}: se[{i}] {g} vs {w}");
        }
        let (lo, hi) = (p.lower.unwrap(), p.upper.unwrap());
        assert!((0..6).all(|i| lo[i] < p.fit[i] && p.fit[i] < hi[i]));
    }
    let pois = FormulaFit::fit("art ~ fem", &bc, Family::Poisson, FormulaOptions::default()).unwrap();
    let e = pois.predict(&bc, Scale::Zero, 0.95).unwrap_err();
    assert!(
        matches!(e, DataError::NotSupported { .. }) && e.to_string().contains("poisson"),
        "{e}"
    );
}
