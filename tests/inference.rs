//! Inference on exact derivatives against R (sandwich, anova, MASS/bbmle exact profile roots)
//! and statsmodels: references in tests/reference/inference/ (scripts and cross-checks there).

mod support;

use mle::core::comparison::ModelComparison;
use mle::core::covariance::CovarianceType;
use mle::core::delta::delta_method;
use mle::core::hypothesis::{likelihood_ratio_test, score_test, wald_test};
use mle::core::masked::MaskedObjective;
use mle::optim::profile::profile_interval;
use mle::prelude::*;
use nalgebra::dvector;
use support::{assert_rel, regression_data, Reference, Table};

fn matrix_check(label: &str, fit: &Fit, v: &DMatrix<f64>, r: &Reference, prefix: &str, tol: f64) -> f64 {
    let names: Vec<String> = fit.parameters().iter().map(|p| p.name.clone()).collect();
    let mut worst = 0.0f64;
    for (i, a) in names.iter().enumerate() {
        for (j, b) in names.iter().enumerate() {
            let expected = r.get(&format!("{prefix}:{a}:{b}"));
            let scale = r.get(&format!("{prefix}:{a}:{a}")).abs().sqrt()
                * r.get(&format!("{prefix}:{b}:{b}")).abs().sqrt();
            let d = (v[(i, j)] - expected).abs() / scale;
            assert!(
                d <= tol,
                "{label} {prefix}[{a},{b}]: {} vs {expected} ({d:.2e})",
                v[(i, j)]
            );
            worst = worst.max(d);
        }
    }
    worst
}

/// Robust covariance menu on a GLM vs sandwich::sandwich / vcovHC / vcovCL (HC0, HC1) and
/// statsmodels (agree to 3e-14 in the reference).
fn covariance_menu(file: &str, data: &str, response: &str, poisson: bool) {
    let r = Reference::load(file);
    let t = Table::load(data);
    let (y, x) = regression_data(data, response, &["id"]);
    let clusters: Vec<u64> = t.column("id").iter().map(|v| *v as u64).collect();
    let (fit, objective) = if poisson {
        let model = Regression::poisson(&x, &y).unwrap();
        (
            model.fit().unwrap().into_fit(),
            Box::new(model.linear_objective().clone()) as Box<dyn Objective>,
        )
    } else {
        let model = Regression::logistic(&x, &y).unwrap();
        (
            model.fit().unwrap().into_fit(),
            Box::new(model.linear_objective().clone()) as Box<dyn Objective>,
        )
    };
    let mut worst = 0.0f64;
    for (kind, prefix) in [
        (CovarianceType::Observed, "vcov_model"),
        (CovarianceType::Expected, "vcov_model"),
        (CovarianceType::Hc0, "vcov_hc0"),
        (CovarianceType::Hc0, "vcov_sandwich"),
        (CovarianceType::Hc1, "vcov_hc1"),
        (
            CovarianceType::Cluster {
                clusters: clusters.clone(),
                hc1: false,
            },
            "vcov_cl_hc0",
        ),
        (
            CovarianceType::Cluster {
                clusters: clusters.clone(),
                hc1: true,
            },
            "vcov_cl_hc1",
        ),
    ] {
        let refit = fit
            .clone()
            .with_covariance_type(objective.as_ref(), &kind)
            .unwrap();
        worst = worst.max(matrix_check(
            file,
            &refit,
            refit.covariance().unwrap(),
            &r,
            prefix,
            1e-9,
        ));
    }
    println!("{file}: worst relative difference over the covariance menu {worst:.2e}");
}

#[test]
fn covariance_menu_logistic_matches_sandwich_and_statsmodels() {
    covariance_menu(
        "inference/logistic_robust.ref",
        "inference/logistic.csv",
        "low",
        false,
    );
}

#[test]
fn covariance_menu_poisson_matches_sandwich_and_statsmodels() {
    covariance_menu(
        "inference/poisson_robust.ref",
        "inference/poisson.csv",
        "breaks",
        true,
    );
}

#[test]
fn expected_information_poisson_and_student_t() {
    // Poisson: X' diag(μ) X at the MLE (expected = observed, canonical link).
    let r = Reference::load("inference/poisson_fisher.ref");
    let (y, x) = regression_data("inference/poisson.csv", "breaks", &["id"]);
    let fit = Regression::poisson(&x, &y).and_then(|m| m.fit()).unwrap();
    let objective = Regression::poisson(&x, &y)
        .map(|m| m.linear_objective().clone())
        .unwrap();
    let info = objective
        .expected_information(fit.estimates().as_slice())
        .unwrap()
        .unwrap();
    matrix_check("poisson info", &fit, &info, &r, "info", 1e-12);
    // t₅ location-scale: observed and closed-form expected information (reference on the
    // natural (μ, σ) scale; ours on (μ, log σ): I_σ = I_logσ/σ², I_μσ = I_μ,logσ/σ at θ̂).
    let r = Reference::load("inference/tdist_info.ref");
    let data = Table::load("inference/tdist.csv").column("x");
    let x1 = Design::intercept(data.len());
    let model = StudentTFixedDf { df: 5.0 };
    let fit = Regression::with_designs(
        model,
        [std::borrow::Cow::Borrowed(&x1), std::borrow::Cow::Borrowed(&x1)],
        &data,
    )
    .and_then(|m| m.fit())
    .unwrap();
    let sigma = fit.natural_estimates()[1];
    assert_rel("mu", fit.estimates()[0], r.get("coef:mu"), 1e-9);
    assert_rel("sigma", sigma, r.get("coef:sigma"), 1e-9);
    let obj = LinearPredictorObjective::new(model, [&x1, &x1], &data).unwrap();
    let obs = -obj.evaluate(fit.estimates().as_slice()).unwrap().hessian;
    assert_rel("info_obs mu,mu", obs[(0, 0)], r.get("info_obs:mu:mu"), 1e-9);
    assert_rel(
        "info_obs mu,sigma",
        obs[(0, 1)] / sigma,
        r.get("info_obs:mu:sigma"),
        1e-9,
    );
    assert_rel(
        "info_obs sigma,sigma",
        obs[(1, 1)] / (sigma * sigma),
        r.get("info_obs:sigma:sigma"),
        1e-9,
    );
    let exp = obj
        .expected_information(fit.estimates().as_slice())
        .unwrap()
        .unwrap();
    assert_rel("info_exp mu,mu", exp[(0, 0)], r.get("info_exp:mu:mu"), 1e-9);
    assert_rel(
        "info_exp sigma,sigma",
        exp[(1, 1)] / (sigma * sigma),
        r.get("info_exp:sigma:sigma"),
        1e-9,
    );
    assert_rel(
        "se_obs sigma",
        fit.natural_std_errors().unwrap()[1],
        r.get("se_obs:sigma"),
        1e-9,
    );
    let expected_fit = fit
        .fit()
        .clone()
        .with_covariance_type(&obj, &CovarianceType::Expected)
        .unwrap();
    assert_rel(
        "se_exp mu",
        expected_fit.std_errors().unwrap()[0],
        r.get("se_exp:mu"),
        1e-9,
    );
    assert_rel(
        "se_exp sigma",
        expected_fit.natural_std_errors().unwrap()[1],
        r.get("se_exp:sigma"),
        1e-9,
    );
}

/// The restricted logistic fit: coefficients in `dropped` held at 0 (masked parameters).
fn restricted_logistic(dropped: &[&str]) -> (Fit, Fit, Vec<f64>, Vec<usize>) {
    let (y, x) = regression_data("inference/logistic.csv", "low", &["id"]);
    let full_fit = Regression::logistic(&x, &y)
        .and_then(|m| m.fit())
        .unwrap()
        .into_fit();
    let objective = Regression::logistic(&x, &y)
        .map(|m| m.linear_objective().clone())
        .unwrap();
    let idx: Vec<usize> = dropped
        .iter()
        .map(|d| x.names().iter().position(|n| n == d).unwrap())
        .collect();
    let fixed: Vec<Option<f64>> = (0..x.ncols())
        .map(|j| if idx.contains(&j) { Some(0.0) } else { None })
        .collect();
    let masked = MaskedObjective::new(&objective, fixed).unwrap();
    let small = FitOptions::newton()
        .fit(&masked, &vec![0.0; masked.dimension()])
        .unwrap();
    let theta_tilde = masked.expand(small.estimates().as_slice());
    (small, full_fit, theta_tilde, idx)
}

#[test]
fn likelihood_ratio_and_score_tests_match_anova() {
    let (y, x) = regression_data("inference/logistic.csv", "low", &["id"]);
    let objective = Regression::logistic(&x, &y)
        .map(|m| m.linear_objective().clone())
        .unwrap();
    for (dropped, name) in [(vec!["ui"], "drop_ui"), (vec!["age", "lwt"], "drop_age_lwt")] {
        let (small, full, theta_tilde, idx) = restricted_logistic(&dropped);
        let r = Reference::load(&format!("inference/logistic_lrt_{name}.ref"));
        assert_rel(
            "loglik small",
            small.log_likelihood(),
            r.get("loglik_small"),
            1e-12,
        );
        let lrt = likelihood_ratio_test(&small, &full).unwrap();
        assert_eq!(lrt.df as f64, r.get("df"));
        assert_rel("LRT stat", lrt.statistic, r.get("stat"), 1e-9);
        assert_rel("LRT p", lrt.p_value, r.get("pvalue"), 1e-9);
        let r = Reference::load(&format!("inference/logistic_rao_{name}.ref"));
        let score = score_test(&objective, &theta_tilde, &idx).unwrap();
        assert_eq!(score.df as f64, r.get("df"));
        assert_rel("Rao stat", score.statistic, r.get("stat"), 1e-8);
        assert_rel("Rao p", score.p_value, r.get("pvalue"), 1e-8);
        println!("{name}: {lrt}; {score}");
    }
}

#[test]
fn wald_tests_of_linear_hypotheses() {
    let (y, x) = regression_data("inference/logistic.csv", "low", &["id"]);
    let fit = Regression::logistic(&x, &y).and_then(|m| m.fit()).unwrap();
    let col = |n: &str| x.names().iter().position(|c| c == n).unwrap();
    let p = x.ncols();
    let mut both_zero = DMatrix::zeros(2, p);
    both_zero[(0, col("smoke"))] = 1.0;
    both_zero[(1, col("ht"))] = 1.0;
    let t = wald_test(&fit, &both_zero, &dvector![0.0, 0.0]).unwrap();
    let r = Reference::load("inference/logistic_wald_smoke_ht_zero.ref");
    assert_rel("Wald stat", t.statistic, r.get("stat"), 1e-9);
    assert_rel("Wald p", t.p_value, r.get("pvalue"), 1e-9);
    let mut equal = DMatrix::zeros(1, p);
    equal[(0, col("smoke"))] = 1.0;
    equal[(0, col("ht"))] = -1.0;
    let t = wald_test(&fit, &equal, &dvector![0.0]).unwrap();
    let r = Reference::load("inference/logistic_wald_smoke_eq_ht.ref");
    assert_rel("Wald stat", t.statistic, r.get("stat"), 1e-9);
    assert_eq!(t.df, 1);
}

#[test]
fn profile_intervals_match_exact_likelihood_ratio_roots() {
    // Logistic: exact roots of the LR statistic (R uniroot to 1e-14 on glm.fit profiles);
    // MASS::confint's spline is only ~1e-4 from them.
    let r = Reference::load("inference/logistic_profile_ci.ref");
    let (y, x) = regression_data("inference/logistic.csv", "low", &["id"]);
    let fit = Regression::logistic(&x, &y).and_then(|m| m.fit()).unwrap();
    let objective = Regression::logistic(&x, &y)
        .map(|m| m.linear_objective().clone())
        .unwrap();
    for (j, name) in x.names().iter().enumerate() {
        let ci = profile_interval(&objective, &fit, j, 0.95, &FitOptions::newton()).unwrap();
        assert_rel(
            "profile lower",
            ci.lower.unwrap(),
            r.get(&format!("ci_lower:{name}")),
            1e-8,
        );
        assert_rel(
            "profile upper",
            ci.upper.unwrap(),
            r.get(&format!("ci_upper:{name}")),
            1e-8,
        );
        assert!((ci.lower.unwrap() - r.get(&format!("ci_lower_mass:{name}"))).abs() < 1e-3);
        assert!(ci.improved_optimum.is_none());
        println!("{ci}");
    }
    // Exponential rate (n = 8) and Bernoulli p (k = 3 of 15): profile on the working (log /
    // logit) scale, mapped to the natural scale (profile intervals are invariant).
    let r = Reference::load("inference/expo_profile_ci.ref");
    let data = Table::load("inference/expo.csv").column("x");
    let expo = ClosureDensity::new(
        vec![Parameter::log_scale("rate")],
        |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x,
    );
    let obj = DataObjective::new(&expo, &data).unwrap();
    let fit = FitOptions::newton().fit(&obj, &[0.0]).unwrap();
    let ci = profile_interval(&obj, &fit, 0, 0.95, &FitOptions::newton()).unwrap();
    assert_rel(
        "expo log lower",
        ci.lower.unwrap(),
        r.get("ci_lower:lograte"),
        1e-9,
    );
    assert_rel(
        "expo upper",
        ci.upper.unwrap().exp(),
        r.get("ci_upper:rate"),
        1e-9,
    );
    assert_rel(
        "expo se",
        fit.natural_std_errors().unwrap()[0],
        r.get("se:rate"),
        1e-9,
    );
    println!("exponential rate: {ci} (asymmetry on the log scale)");
    let r = Reference::load("inference/binom_profile_ci.ref");
    let data = Table::load("inference/binom.csv").column("y");
    let obj = DataObjective::new(&Bernoulli, &data).unwrap();
    let fit = Bernoulli.fit(&data).unwrap();
    let ci = profile_interval(&obj, &fit, 0, 0.95, &FitOptions::newton()).unwrap();
    assert_rel(
        "binom logit lower",
        ci.lower.unwrap(),
        r.get("ci_lower:logitp"),
        1e-9,
    );
    let p_upper = 1.0 / (1.0 + (-ci.upper.unwrap()).exp());
    assert_rel("binom p upper", p_upper, r.get("ci_upper:p"), 1e-9);
    println!("Bernoulli logit p: {ci}");
}

#[test]
fn delta_method_for_derived_quantities() {
    // Odds p/(1−p) from the logit: odds = exp(θ), se = odds·se(θ) (closed form).
    let data = Table::load("inference/binom.csv").column("y");
    let fit = Bernoulli.fit(&data).unwrap();
    let odds = delta_method(&fit, |t: &[DualSVec64<1>]| t[0].exp(), 0.95).unwrap();
    assert_rel("odds", odds.value, 3.0 / 12.0, 1e-14);
    assert_rel(
        "se odds",
        odds.std_error,
        0.25 * fit.std_errors().unwrap()[0],
        1e-14,
    );
    // A ratio of regression coefficients: exact gradient (1/b, −a/b²).
    let (y, x) = regression_data("inference/logistic.csv", "low", &["id"]);
    let fit = Regression::logistic(&x, &y).and_then(|m| m.fit()).unwrap();
    let ratio = delta_method(&fit, |t: &[DualSVec64<6>]| t[3] / t[4], 0.95).unwrap();
    let (a, b) = (fit.estimates()[3], fit.estimates()[4]);
    let v = fit.fit().covariance().unwrap();
    let g = [1.0 / b, -a / (b * b)];
    let var = g[0] * g[0] * v[(3, 3)] + 2.0 * g[0] * g[1] * v[(3, 4)] + g[1] * g[1] * v[(4, 4)];
    assert_rel("ratio", ratio.value, a / b, 1e-14);
    assert_rel("ratio se", ratio.std_error, var.sqrt(), 1e-12);
    assert!(
        delta_method(&fit, |t: &[DualSVec64<2>]| t[0], 0.95).is_err(),
        "wrong dimension is an error"
    );
}

#[test]
fn model_comparison_table() {
    let (small, full, _, _) = restricted_logistic(&["age", "lwt"]);
    let table = ModelComparison::new(vec![("without age, lwt", &small), ("full", &full)]);
    for row in table.rows() {
        let k = row.k as f64;
        assert_rel(
            "AICc",
            row.aicc,
            row.aic + 2.0 * k * (k + 1.0) / (row.n as f64 - k - 1.0),
            1e-15,
        );
    }
    let weights: f64 = table.rows().iter().map(|r| r.weight).sum();
    assert_rel("weights", weights, 1.0, 1e-15);
    println!("{table}");
}

#[test]
fn expected_information_by_support_summation_and_monte_carlo() {
    use mle::core::information::{expected_information_by_summation, expected_information_monte_carlo};
    // Discrete user densities: Poisson (truncated where the tail < 1e-15) and Bernoulli
    // (finite support); closed forms λ and p(1−p) on the log / logit scale.
    let poisson = ClosureDensity::new(
        vec![Parameter::log_scale("rate")],
        |t: &[Dual2SVec64<1>], y: &f64| t[0] * *y - t[0].exp() - statrs_ln_factorial(*y),
    );
    for lambda in [0.3, 4.0, 60.0] {
        let info = expected_information_by_summation(&poisson, &[f64::ln(lambda)], 100_000).unwrap();
        assert_rel("Poisson I(log λ)", info.matrix[(0, 0)], lambda, 1e-12);
    }
    let info = expected_information_by_summation(&Bernoulli, &[0.4], 1).unwrap();
    let p = 1.0 / (1.0 + (-0.4f64).exp());
    assert_rel("Bernoulli I(logit p)", info.matrix[(0, 0)], p * (1.0 - p), 1e-14);
    // Monte Carlo for the Gaussian (μ, log σ): diag(1/σ², 2), within 5 Monte Carlo SEs.
    use rand::Rng;
    let info = expected_information_monte_carlo(
        &Gaussian,
        &[1.0, 0.5f64.ln()],
        |rng| {
            let (u1, u2): (f64, f64) = (rng.random(), rng.random());
            1.0 + 0.5 * (-2.0 * (1.0 - u1).ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        },
        50_000,
        11,
    )
    .unwrap();
    let err = info.error.clone().unwrap();
    assert!((info.matrix[(0, 0)] - 4.0).abs() <= 5.0 * err[(0, 0)] + 1e-12);
    assert!((info.matrix[(1, 1)] - 2.0).abs() <= 5.0 * err[(1, 1)]);
    assert!(info.method.contains("Monte Carlo"));
}

fn statrs_ln_factorial(y: f64) -> f64 {
    mle::core::special::ln_gamma(y + 1.0)
}

#[test]
fn parametric_bootstrap_is_reproducible_and_agrees_with_theory() {
    use mle::optim::bootstrap::parametric_bootstrap;
    use rand::Rng;
    let data: Vec<f64> = (0..40).map(|i| ((i * 37) % 17) as f64 * 0.3).collect();
    let fit = Gaussian.fit(&data).unwrap();
    let run = || {
        parametric_bootstrap(
            &fit,
            |t, rng| {
                (0..40)
                    .map(|_| {
                        let (u1, u2): (f64, f64) = (rng.random(), rng.random());
                        t[0] + t[1].exp()
                            * (-2.0 * (1.0 - u1).ln()).sqrt()
                            * (2.0 * std::f64::consts::PI * u2).cos()
                    })
                    .collect::<Vec<f64>>()
            },
            |d: &Vec<f64>, _| Gaussian.fit(d).map(Fitted::into_fit),
            400,
            2024,
            0.95,
        )
        .unwrap()
    };
    let (a, b) = (run(), run());
    assert_eq!(a.estimates, b.estimates, "same seed, same replicates");
    assert_eq!(a.failures, 0);
    // The bootstrap SE of μ̂ ≈ σ̂/√n (within Monte Carlo error of 400 replicates, ~4%).
    let se = fit.std_errors().unwrap()[0];
    assert!(
        (a.std_errors[0] / se - 1.0).abs() < 0.15,
        "{} vs {se}",
        a.std_errors[0]
    );
    assert!(a.intervals[0].0 < fit.estimates()[0] && fit.estimates()[0] < a.intervals[0].1);
}

#[test]
fn profile_intervals_for_derived_quantities() {
    use mle::optim::profile::profile_interval_derived;
    // p = σ(θ) for the Bernoulli (k = 3 of 15): the exact LR interval on the natural scale.
    let r = Reference::load("inference/binom_profile_ci.ref");
    let data = Table::load("inference/binom.csv").column("y");
    let obj = DataObjective::new(&Bernoulli, &data).unwrap();
    let fit = Bernoulli.fit(&data).unwrap();
    let ci = profile_interval_derived(
        &obj,
        &fit,
        |t: &[Dual2SVec64<1>]| ((-t[0]).exp() + 1.0).recip(),
        0.95,
        &FitOptions::newton(),
    )
    .unwrap();
    assert_rel("p lower", ci.lower.unwrap(), r.get("ci_lower:p"), 1e-8);
    assert_rel("p upper", ci.upper.unwrap(), r.get("ci_upper:p"), 1e-8);
    // The odds ratio exp(β_smoke) in the logistic model: exp of the exact profile limits.
    let r = Reference::load("inference/logistic_profile_ci.ref");
    let (y, x) = regression_data("inference/logistic.csv", "low", &["id"]);
    let fit = Regression::logistic(&x, &y).and_then(|m| m.fit()).unwrap();
    let objective = Regression::logistic(&x, &y)
        .map(|m| m.linear_objective().clone())
        .unwrap();
    let ci = profile_interval_derived(
        &objective,
        &fit,
        |t: &[Dual2SVec64<6>]| t[3].exp(),
        0.95,
        &FitOptions::newton(),
    )
    .unwrap();
    assert_rel("OR lower", ci.lower.unwrap(), r.get("ci_lower:smoke").exp(), 1e-7);
    assert_rel("OR upper", ci.upper.unwrap(), r.get("ci_upper:smoke").exp(), 1e-7);
    println!("odds ratio for smoking: {ci}");
}
