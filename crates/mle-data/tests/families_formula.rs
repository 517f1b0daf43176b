//! Formula fits of the families beyond gaussian / binomial-logit / Poisson against R: binomial
//! with `cbind` and with a proportion + weights (logit, probit, cloglog), `MASS::glm.nb`,
//! `glm(Gamma(link))`, `glm(inverse.gaussian(link))`, `survreg(Surv(time, status) ~ ..)`,
//! `pscl::zeroinfl(y ~ x | z)`, `MASS::polr`. The numbers are written by
//! `tests/reference/families/make_reference.R` (R 4.2) from the formulas on the CSVs beside it.
//!
//! Conventions compared (the script's header has the details):
//! * coefficients (1e-7 relative) and the log-likelihood (1e-10) at R's maximum, polished by
//!   Newton steps on the analytic score;
//! * standard errors: the EXACT inverse observed information in mle's parametrisation
//!   (β, log θ / log shape / log dispersion / Log(scale); ordinal β and cut-points), from the
//!   jacobian of the analytic score in R, or survreg's analytic vcov — not glm's expected
//!   information times a moment dispersion (which differs by 1–8% for the non-canonical links,
//!   Gamma and inverse Gaussian) — at 1e-6 relative;
//! * fitted values, residuals and predictions: R's `fitted`, `residuals(m, type)`, `predict`
//!   (pscl: its formulas at the polished estimate), 1e-7; prediction SEs √(xᵀVx) with the exact V;
//! * anova / drop1: R's `anova.glm` / `drop1.glm` for binomial; 2Δℓ of ML-refitted nested
//!   models (θ, shape, scale re-estimated) for the others, 1e-6.

mod common;

use common::families::{case, check_estimates, data_for, fit_case};
use common::{close, numbers, rel, strings};
use mle_data::{DataError, Family, FormulaFit, FormulaOptions, ResidualType, SavedModel, Scale, Table};
use serde_json::Value;

/// GLM answers: deviance, null deviance, df, dispersion, hat values.
fn check_glm(m: &FormulaFit, c: &Value, name: &str) {
    if c["deviance"].is_null() {
        assert!(
            matches!(m.deviance(), Err(DataError::NotSupported { .. })),
            "{name}: deviance"
        );
        return;
    }
    rel(
        m.deviance().unwrap(),
        c["deviance"].as_f64().unwrap(),
        1e-8,
        &format!("{name}: deviance"),
    );
    rel(
        m.null_deviance().unwrap(),
        c["null_deviance"].as_f64().unwrap(),
        1e-8,
        &format!("{name}: null dev"),
    );
    assert_eq!(m.df_residual(), c["df_residual"].as_f64(), "{name}: df");
    rel(
        m.dispersion().unwrap(),
        c["dispersion"].as_f64().unwrap(),
        1e-7,
        &format!("{name}: dispersion"),
    );
    // R's hat values use the working weights of its last IRLS step.
    close(
        &m.hat_values().unwrap(),
        &numbers(&c["hat"]),
        1e-7,
        &format!("{name}: hat"),
    );
}

fn check_residuals_and_predictions(m: &FormulaFit, data: &Table, c: &Value, name: &str) {
    if !c["fitted"].is_null() {
        close(
            &m.fitted().unwrap(),
            &numbers(&c["fitted"]),
            1e-7,
            &format!("{name}: fitted"),
        );
    }
    for (kind, key) in [
        (ResidualType::Response, "response"),
        (ResidualType::Pearson, "pearson"),
        (ResidualType::Deviance, "deviance"),
        (ResidualType::Working, "working"),
    ] {
        let want = &c["residuals"][key];
        match m.residuals(kind) {
            // Survival deviance and working residuals: against R in tests/answers_more.rs.
            Ok(_) if want.is_null() && m.family().is_survival() => {}
            Ok(r) => close(&r, &numbers(want), 1e-7, &format!("{name}: {key} residuals")),
            Err(e) => {
                assert!(want.is_null(), "{name}: {key} residuals: {e}");
                assert!(matches!(e, DataError::NotSupported { .. }), "{name}: {e}");
                assert!(e.to_string().contains(m.family().name()), "{name}: {e}");
            }
        }
    }
    let pr = &c["predict"];
    let link = m.predict(data, Scale::Link, 0.95).unwrap();
    close(
        &link.fit,
        &numbers(&pr["link"]),
        1e-7,
        &format!("{name}: predict link"),
    );
    close(
        &link.se_fit.unwrap(),
        &numbers(&pr["se_link"]),
        1e-6,
        &format!("{name}: se link"),
    );
    match m.predict(data, Scale::Response, 0.95) {
        Ok(resp) => {
            close(
                &resp.fit,
                &numbers(&pr["response"]),
                1e-7,
                &format!("{name}: predict response"),
            );
            close(
                &resp.se_fit.unwrap(),
                &numbers(&pr["se_response"]),
                1e-6,
                &format!("{name}: se response"),
            );
        }
        Err(e) => assert!(
            pr["response"].is_null() && matches!(e, DataError::NotSupported { .. }),
            "{e}"
        ),
    }
    // Saved and re-read, the model predicts the same numbers.
    let saved = SavedModel::from_json(&SavedModel::from_fit(m).to_json().unwrap()).unwrap();
    assert_eq!(
        saved.predict(data, Scale::Link, 0.95).unwrap(),
        m.predict(data, Scale::Link, 0.95).unwrap(),
        "{name}: saved"
    );
}

fn check_tests(m: &FormulaFit, c: &Value, name: &str) {
    let (av, d1) = (&c["anova"], &c["drop1"]);
    if av.is_null() {
        return;
    }
    let a = m.anova().unwrap();
    assert_eq!(a.terms, strings(&av["terms"]), "{name}: anova terms");
    let d = m.drop1().unwrap();
    assert_eq!(d.terms, strings(&d1["terms"]), "{name}: drop1 terms");
    if av["lr"].is_null() {
        close(
            &a.deviance,
            &numbers(&av["deviance"]),
            1e-7,
            &format!("{name}: anova deviance"),
        );
        close(
            &a.resid_deviance,
            &numbers(&av["resid_dev"]),
            1e-8,
            &format!("{name}: anova resid"),
        );
        close(
            &a.p_value,
            &numbers(&av["p_value"]),
            1e-7,
            &format!("{name}: anova p"),
        );
        close(
            &d.deviance,
            &numbers(&d1["deviance"]),
            1e-8,
            &format!("{name}: drop1 deviance"),
        );
        close(&d.aic, &numbers(&d1["aic"]), 1e-8, &format!("{name}: drop1 AIC"));
        close(&d.lrt, &numbers(&d1["lrt"]), 1e-7, &format!("{name}: drop1 LRT"));
        close(
            &d.p_value,
            &numbers(&d1["p_value"]),
            1e-7,
            &format!("{name}: drop1 p"),
        );
    } else {
        close(
            &a.deviance,
            &numbers(&av["lr"]),
            1e-6,
            &format!("{name}: anova LR"),
        );
        close(
            &a.resid_deviance,
            &numbers(&av["minus_two_ll"]),
            1e-9,
            &format!("{name}: anova -2l"),
        );
        close(&d.lrt, &numbers(&d1["lrt"]), 1e-6, &format!("{name}: drop1 LR"));
        close(&d.aic, &numbers(&d1["aic"]), 1e-9, &format!("{name}: drop1 AIC"));
    }
}

fn check(name: &str) {
    let c = case(name);
    let (m, data) = fit_case(&c);
    check_estimates(&m, &c, name);
    if m.family() != Family::Ordinal
        && !m.family().is_survival()
        && !matches!(m.family(), Family::Zip | Family::Zinb)
    {
        check_glm(&m, &c, name);
    }
    check_residuals_and_predictions(&m, &data, &c, name);
    check_tests(&m, &c, name);
    // The summary and its display name the parameters as R prints them.
    let shown = m.to_string();
    for term in strings(&c["terms"]) {
        assert!(shown.contains(&term), "{name}: display lacks {term}:\n{shown}");
    }
    let glance = m.glance().unwrap();
    assert_eq!(glance.n_rows(), 1);
    // glance is built from the JSON summary: the same log-likelihood, AIC and deviance.
    let s = m.summary_json(0.95).unwrap();
    rel(
        s.loglik.unwrap(),
        c["loglik"].as_f64().unwrap(),
        1e-10,
        &format!("{name}: summary loglik"),
    );
    let k = m.estimate().parameters().len() as f64;
    rel(
        s.aic.unwrap(),
        -2.0 * c["loglik"].as_f64().unwrap() + 2.0 * k,
        1e-10,
        &format!("{name}: AIC"),
    );
    match c["deviance"].as_f64() {
        Some(dev) => {
            rel(
                s.deviance.unwrap(),
                dev,
                1e-8,
                &format!("{name}: summary deviance"),
            );
            assert!(shown.contains("Residual deviance"), "{name}: {shown}");
        }
        None => assert!(s.deviance.is_none(), "{name}: deviance {:?}", s.deviance),
    }
}

#[test]
fn binomial_cbind_logit_matches_glm() {
    check("budworm_cbind_logit");
}

#[test]
fn binomial_cbind_probit_matches_glm() {
    check("budworm_cbind_probit");
}

#[test]
fn binomial_cbind_cloglog_matches_glm() {
    check("budworm_cbind_cloglog");
}

#[test]
fn binomial_proportion_with_weights_as_trials_matches_glm() {
    check("budworm_proportion_probit");
}

#[test]
fn binomial_binary_probit_matches_glm() {
    check("birthwt_binary_probit");
}

#[test]
fn gamma_log_matches_glm_with_ml_shape() {
    check("gamma_log");
}

#[test]
fn gamma_log_with_case_weights_matches_glm() {
    check("gamma_log_weighted");
}

#[test]
fn inverse_gaussian_log_with_case_weights_matches_glm() {
    check("inverse_gaussian_log_weighted");
}

#[test]
fn gamma_log_with_a_formula_offset_matches_glm() {
    check("gamma_log_offset");
}

#[test]
fn gamma_inverse_matches_glm_with_ml_shape() {
    check("gamma_inverse");
}

#[test]
fn inverse_gaussian_log_matches_glm_with_ml_dispersion() {
    check("inverse_gaussian_log");
}

#[test]
fn inverse_gaussian_inverse_square_matches_glm_with_ml_dispersion() {
    check("inverse_gaussian_invsq");
}

#[test]
fn negative_binomial_matches_glm_nb() {
    check("quine_negbin");
}

#[test]
fn negative_binomial_with_weights_and_an_offset_matches_glm_nb() {
    check("quine_negbin_weighted_offset");
}

#[test]
fn weibull_surv_with_one_two_status_and_a_missing_row_matches_survreg() {
    check("lung_weibull");
}

#[test]
fn exponential_surv_matches_survreg() {
    check("lung_exponential");
}

#[test]
fn lognormal_surv_matches_survreg() {
    check("lung_lognormal");
}

#[test]
fn loglogistic_surv_matches_survreg() {
    check("lung_loglogistic");
}

#[test]
fn zip_with_a_zero_model_after_the_bar_matches_zeroinfl() {
    check("biochemists_zip");
}

#[test]
fn zinb_matches_zeroinfl() {
    check("biochemists_zinb");
}

#[test]
fn ordinal_logit_matches_polr() {
    check("housing_polr_logit");
}

#[test]
fn ordinal_probit_matches_polr() {
    check("housing_polr_probit");
}

fn not_supported(r: mle_data::Result<impl std::fmt::Debug>, needle: &str) {
    match r {
        Err(e @ DataError::NotSupported { .. }) => assert!(e.to_string().contains(needle), "{e}"),
        other => panic!("expected NotSupported containing `{needle}`, got {other:?}"),
    }
}

#[test]
fn what_a_family_does_not_define_is_a_typed_error_naming_it() {
    let opts = FormulaOptions::default;
    let lung = data_for("lung");
    let weibull = "Surv(time, status) ~ age + sex";
    not_supported(
        FormulaFit::fit("time ~ age", &lung, Family::Weibull, opts()),
        "weibull family needs a Surv",
    );
    not_supported(
        FormulaFit::fit(weibull, &lung, Family::Gamma, opts()),
        "Surv(time, status) response for the gamma",
    );
    let m = FormulaFit::fit(weibull, &lung, Family::Weibull, opts()).unwrap();
    not_supported(m.residuals(ResidualType::Pearson), "weibull");
    not_supported(m.deviance(), "weibull");
    not_supported(m.hat_values(), "weibull");

    let housing = data_for("housing");
    let polr = "factor(sat) ~ Infl + Type + Cont";
    let m = FormulaFit::fit(polr, &housing, Family::Ordinal, opts().weights("Freq")).unwrap();
    not_supported(m.residuals(ResidualType::Deviance), "ordinal");
    not_supported(m.residuals(ResidualType::Response), "ordinal");
    not_supported(m.predict(&housing, Scale::Response, 0.95), "ordinal");
    let gamma = FormulaFit::fit("y_gamma_log ~ x1", &data_for("gamma"), Family::Gamma, opts()).unwrap();
    not_supported(gamma.predict_probabilities(&housing), "gamma");
    not_supported(
        FormulaFit::fit("sat ~ Infl", &housing, Family::Ordinal, opts()),
        "factor response",
    );

    let bc = data_for("biochemists");
    let m = FormulaFit::fit("art ~ fem + ment | ment", &bc, Family::Zip, opts()).unwrap();
    not_supported(m.residuals(ResidualType::Deviance), "zip");
    not_supported(m.hat_values(), "zip"); // anova: answers_after_fit.rs

    let pos = data_for("gamma");
    not_supported(
        FormulaFit::fit("y_gamma_log ~ x1", &pos, Family::Gamma, opts().link("probit")),
        "inverse, log",
    );
    not_supported(
        FormulaFit::fit("y_gamma_log ~ x1 | g", &pos, Family::Gamma, opts()),
        "`|` part",
    );
}

#[test]
fn bad_binomial_and_surv_responses_are_errors_naming_the_row() {
    let t = Table::from_columns([
        ("p", vec![0.2, 0.5, 1.5, 0.1].into()),
        ("x", vec![1.0, 2.0, 3.0, 4.0].into()),
        ("time", vec![1.0, 2.0, 3.0, 4.0].into()),
        ("status", vec![0.0, 1.0, 3.0, 1.0].into()),
    ])
    .unwrap();
    // A proportion needs weights = trials; a value outside [0, 1] is named by its row.
    let e = FormulaFit::fit("p ~ x", &t, Family::Binomial, FormulaOptions::default()).unwrap_err();
    assert!(matches!(e, DataError::InvalidValue { row: 2, .. }), "{e}");
    let e = FormulaFit::fit(
        "Surv(time, status) ~ x",
        &t,
        Family::Weibull,
        FormulaOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, DataError::InvalidValue { row: 2, .. }), "{e}");
    assert!(e.to_string().contains("status"), "{e}");
}

#[test]
fn binomial_cbind_equals_the_proportion_with_weights_and_the_saved_link_is_kept() {
    let bw = data_for("budworm");
    let opts = FormulaOptions::default().link("cloglog");
    let a = FormulaFit::fit(
        "cbind(dead, alive) ~ sex + ldose",
        &bw,
        Family::Binomial,
        opts.clone(),
    )
    .unwrap();
    let b = FormulaFit::fit("prop ~ sex + ldose", &bw, Family::Binomial, opts.weights("total")).unwrap();
    close(&a.coefficients(), &b.coefficients(), 1e-10, "cbind vs proportion");
    rel(
        a.estimate().log_likelihood(),
        b.estimate().log_likelihood(),
        1e-12,
        "loglik",
    );
    rel(a.deviance().unwrap(), b.deviance().unwrap(), 1e-10, "deviance");
    let saved = SavedModel::from_fit(&a);
    assert_eq!(saved.link.as_deref(), Some("cloglog"));
    let back = SavedModel::from_json(&saved.to_json().unwrap()).unwrap();
    assert_eq!(
        back.predict(&bw, Scale::Response, 0.9).unwrap(),
        a.predict(&bw, Scale::Response, 0.9).unwrap()
    );
}

#[test]
fn negative_binomial_at_the_poisson_limit_saves_and_predicts() {
    // Under-dispersed counts: θ̂ = ∞ (a boundary estimate, no NB standard errors), β the Poisson fit.
    let y: Vec<f64> = (0..20).map(|i| [2.0, 3.0, 2.0, 3.0, 4.0][i % 5]).collect();
    let x: Vec<f64> = (0..20).map(|i| (i % 4) as f64).collect();
    let t = Table::from_columns([("y", y.into()), ("x", x.into())]).unwrap();
    let nb = FormulaFit::fit("y ~ x", &t, Family::NegativeBinomial, FormulaOptions::default()).unwrap();
    let pois = FormulaFit::fit("y ~ x", &t, Family::Poisson, FormulaOptions::default()).unwrap();
    assert_eq!(nb.estimate().estimates()[2], f64::INFINITY);
    // Said so: θ on the boundary, the model reduced to the Poisson regression, no SEs.
    let diagnostics = nb.estimate().diagnostics();
    assert!(
        diagnostics
            .iter()
            .any(|d| matches!(d, mle_core::Diagnostic::OnBoundary { parameter, .. } if parameter == "theta")),
        "{diagnostics:?}"
    );
    assert!(
        diagnostics.iter().any(|d| matches!(d, mle_core::Diagnostic::ReducedModel { reduces_to, .. } if reduces_to.contains("Poisson"))),
        "{diagnostics:?}"
    );
    assert!(nb.estimate().covariance().is_none());
    assert!(nb.to_string().contains("Poisson"), "{nb}");
    close(&nb.coefficients(), &pois.coefficients(), 1e-10, "Poisson limit β");
    close(
        &nb.residuals(ResidualType::Deviance).unwrap(),
        &pois.residuals(ResidualType::Deviance).unwrap(),
        1e-9,
        "dev res",
    );
    let json = SavedModel::from_fit(&nb).to_json().unwrap();
    assert!(json.contains("\"Inf\""), "{json}");
    let back = SavedModel::from_json(&json).unwrap();
    assert_eq!(back.estimates[2], f64::INFINITY);
    assert_eq!(
        back.predict(&t, Scale::Response, 0.95).unwrap().fit,
        nb.predict(&t, Scale::Response, 0.95).unwrap().fit
    );
}

#[test]
fn binomial_expected_information_gives_glms_standard_errors() {
    // summary(glm(cbind(dead, alive) ~ sex * ldose, binomial(link))) reports the inverse
    // expected information; `CovarianceChoice::Expected` is that convention.
    for link in ["probit", "cloglog"] {
        let name = format!("budworm_cbind_{link}");
        let c = case(&name);
        let data = data_for(&name);
        let opts = FormulaOptions::default()
            .link(link)
            .covariance(mle_data::CovarianceChoice::Expected);
        let m = FormulaFit::fit(c["formula"].as_str().unwrap(), &data, Family::Binomial, opts).unwrap();
        let se: Vec<f64> = m
            .coefficient_covariance()
            .unwrap()
            .diagonal()
            .map(f64::sqrt)
            .iter()
            .copied()
            .collect();
        close(
            &se,
            &numbers(&c["glm_std_errors"]),
            1e-6,
            &format!("{name}: glm SE"),
        );
        let observed = numbers(&c["std_errors"]);
        assert!(
            se.iter().zip(&observed).any(|(a, b)| (a - b).abs() > 1e-3 * b),
            "{name}: conventions differ"
        );
    }
}
