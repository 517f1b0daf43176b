//! When MLE fails: separation, Firth, boundary, non-identifiability, non-concave likelihoods
//! (multi-start), smoothing as MAP. References in tests/reference/failure/ (R: detectseparation's
//! LP via lpSolve, brglm2 AS_mean = Firth, mixtools + multi-start EM).

mod support;

use mle::core::penalty::{PenalizedObjective, Prior};
use mle::models::separation::detect_separation;
use mle::optim::multistart::{multistart, random_starts};
use mle::prelude::*;
use support::{assert_rel, regression_data, Reference, Table};

#[test]
fn separation_detected_before_fitting_with_infinite_coefficients_named() {
    for (stem, response) in [
        ("sep_complete", "y"),
        ("sep_quasi", "y"),
        ("sep_none", "y"),
        ("sep_endometrial", "HG"),
    ] {
        let r = Reference::load(&format!("failure/{stem}.ref"));
        let (y, x) = regression_data(&format!("failure/{stem}.csv"), response, &[]);
        let sep = detect_separation(&x, &y).unwrap();
        assert_eq!(sep.separated, r.get("separation") == 1.0, "{stem}");
        for name in x.names() {
            let infinite = r.get(&format!("infinite:{name}")) == 1.0;
            assert_eq!(sep.infinite.contains(name), infinite, "{stem}: {name}");
        }
        let fit = Regression::logistic(&x, &y).and_then(|m| m.fit()).unwrap();
        if sep.separated {
            assert!(
                fit.diagnostics()
                    .iter()
                    .any(|d| matches!(d, Diagnostic::Separation { .. })),
                "{stem}: {fit}"
            );
            assert!(
                fit.std_errors().is_none(),
                "no fake standard errors under separation"
            );
            for (j, name) in x.names().iter().enumerate() {
                if let Some(limit) = r.try_get(&format!("limit_coef:{name}")) {
                    assert_rel(&format!("{stem} finite {name}"), fit.estimates()[j], limit, 1e-8);
                } else if sep.infinite.contains(name) {
                    assert!(fit.estimates()[j].is_infinite());
                }
            }
            println!("{stem}: {sep}");
        } else {
            assert!(fit.diagnostics().is_empty(), "quiet on clean data: {fit}");
        }
    }
    assert!(
        detect_separation(&Design::intercept(2), &[1.0, 1.0])
            .unwrap()
            .separated,
        "all-one response"
    );
}

#[test]
fn firth_matches_brglm2_and_is_finite_under_separation() {
    for (stem, response) in [("firth_endometrial", "HG"), ("firth_separated", "y")] {
        let r = Reference::load(&format!("failure/{stem}.ref"));
        let (y, x) = regression_data(&format!("failure/{stem}.csv"), response, &[]);
        let inner = Regression::logistic(&x, &y)
            .map(|m| m.linear_objective().clone())
            .unwrap();
        let firth = JeffreysObjective::regression(&inner).unwrap();
        let fit = FitOptions::newton()
            .decrement_tolerance(1e-28)
            .fit(&firth, &vec![0.0; x.ncols()])
            .unwrap();
        assert_rel(
            "penalised loglik",
            fit.log_likelihood(),
            r.get("loglik_penalized"),
            1e-10,
        );
        // logistf's SEs: (XᵀWX)⁻¹ at the Firth estimate.
        let at = Fit::at_estimate(&inner, fit.estimates().as_slice(), fit.convergence().clone()).unwrap();
        assert_rel("loglik", at.log_likelihood(), r.get("loglik"), 1e-10);
        for (j, name) in x.names().iter().enumerate() {
            assert_rel(
                &format!("{stem} coef {name}"),
                fit.estimates()[j],
                r.get(&format!("coef:{name}")),
                1e-8,
            );
            assert_rel(
                &format!("{stem} se {name}"),
                at.std_errors().unwrap()[j],
                r.get(&format!("se:{name}")),
                1e-8,
            );
        }
    }
}

#[test]
fn non_identified_direction_is_named_instead_of_nan_standard_errors() {
    // The density depends on a + b only: the information is singular along a − b.
    let d = ClosureDensity::new(
        vec![Parameter::identity("a"), Parameter::identity("b")],
        |t: &[Dual2SVec64<2>], x: &f64| -(t[0] + t[1] - *x).powi(2) * 0.5,
    );
    let data = [1.0, 2.0, 4.0];
    let obj = DataObjective::new(&d, &data).unwrap();
    let fit = FitOptions::newton()
        .require_convergence(false)
        .fit(&obj, &[0.0, 0.0])
        .unwrap();
    assert!(fit.std_errors().is_none());
    let diag = fit.diagnostics().iter().find_map(|d| match d {
        Diagnostic::InformationNotPositiveDefinite { direction, .. } => Some(direction.clone()),
        _ => None,
    });
    let direction = diag.expect("flat direction reported");
    assert!(
        direction.contains("0.707·a") && direction.contains("− 0.707·b"),
        "{direction}"
    );
    // Quiet on an identified model.
    let g = Gaussian.fit(&data).unwrap();
    assert!(g.diagnostics().is_empty());
}

#[test]
fn boundary_estimates_are_flagged() {
    // A variance collapsing to 0: all observations equal.
    assert!(matches!(
        Gaussian.fit(&[2.0, 2.0, 2.0]),
        Err(MleError::InvalidParameter { .. })
    ));
    // Unseen categories: p̂ = 0 on the boundary, and add-one smoothing fixes it.
    let words = [0.0, 1.0, 1.0, 0.0, 1.0];
    let fit = Categorical::<2>.fit(&words).unwrap();
    assert!(fit.is_on_boundary(1));
    assert!(fit.to_string().contains("boundary"));
}

#[test]
fn smoothing_as_map_matches_closed_forms() {
    // Beta(α, β) prior for a Bernoulli: MAP = (k + α − 1)/(n + α + β − 2).
    let data = [0.0; 10];
    let obj = DataObjective::new(&Bernoulli, &data).unwrap();
    let prior = Prior::Beta {
        index: 0,
        alpha: 2.0,
        beta: 3.0,
    };
    let map = PenalizedObjective::new(&obj, &prior);
    let fit = FitOptions::newton().fit(&map, &[0.0]).unwrap();
    assert_rel(
        "Beta MAP",
        fit.natural_estimates()[0],
        (0.0 + 2.0 - 1.0) / (10.0 + 2.0 + 3.0 - 2.0),
        1e-12,
    );
    // Dirichlet(α) for categorical counts (add-α): (n_k + α − 1)/(n + (K+1)(α − 1)).
    let words = [0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
    let obj = DataObjective::new(&Categorical::<2>, &words).unwrap();
    for alpha in [2.0, 1.5] {
        let prior = Prior::Dirichlet {
            alphas: vec![alpha; 3],
        };
        let map = PenalizedObjective::new(&obj, &prior);
        let fit = FitOptions::newton()
            .decrement_tolerance(1e-28)
            .fit(&map, &[0.0, 0.0])
            .unwrap();
        let theta = fit.estimates();
        let z = 1.0 + theta[0].exp() + theta[1].exp();
        let probs = [1.0 / z, theta[0].exp() / z, theta[1].exp() / z];
        let n = words.len() as f64;
        for (k, count) in [2.0, 4.0, 0.0].iter().enumerate() {
            assert_rel(
                "Dirichlet MAP",
                probs[k],
                (count + alpha - 1.0) / (n + 3.0 * (alpha - 1.0)),
                1e-10,
            );
        }
    }
    // Gaussian (ridge) prior on a normal mean with σ = 1: μ̂ = Σx/(n + λ).
    let d = ClosureDensity::new(
        vec![Parameter::identity("mu")],
        |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5,
    );
    let xs = [1.0, 2.0, 6.0];
    let obj = DataObjective::new(&d, &xs).unwrap();
    let ridge = Prior::Ridge {
        lambda: 3.0,
        indices: vec![0],
    };
    let fit = FitOptions::newton()
        .fit(&PenalizedObjective::new(&obj, &ridge), &[0.0])
        .unwrap();
    assert_rel("ridge", fit.estimates()[0], 9.0 / 6.0, 1e-12);
    // A user prior as a closure over dual numbers gives the same as the ready-made ridge.
    let closure =
        mle::core::penalty::ClosurePenalty::new("ridge", |t: &[Dual2SVec64<1>]| -(t[0] * t[0]) * 1.5);
    let fit2 = FitOptions::newton()
        .fit(&PenalizedObjective::new(&obj, &closure), &[0.0])
        .unwrap();
    assert_rel("closure prior", fit2.estimates()[0], fit.estimates()[0], 1e-13);
}

/// Two-component Gaussian mixture on log/logit working scales: (logit p, μ₁, μ₂, log σ₁, log σ₂).
pub fn mixture_density() -> ClosureDensity<impl Fn(&[Dual2SVec64<5>], &f64) -> Dual2SVec64<5> + Sync, f64, 5>
{
    ClosureDensity::new(
        vec![
            Parameter::logit_scale("p"),
            Parameter::identity("mu1"),
            Parameter::identity("mu2"),
            Parameter::log_scale("sigma1"),
            Parameter::log_scale("sigma2"),
        ],
        |t: &[Dual2SVec64<5>], x: &f64| {
            const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;
            let comp = |mu: Dual2SVec64<5>, log_s: Dual2SVec64<5>| {
                let z = (mu - *x) * (-log_s).exp();
                -(z * z * 0.5) - log_s - HALF_LN_2PI
            };
            let a = log_sigmoid(t[0]) + comp(t[1], t[3]);
            let b = log_sigmoid(-t[0]) + comp(t[2], t[4]);
            log_sum_exp(&[a, b])
        },
    )
}

#[test]
fn mixture_multistart_finds_the_global_maximum() {
    let r = Reference::load("failure/mixture_faithful.ref");
    let x = Table::load("failure/faithful_eruptions.csv").column("eruptions");
    let density = mixture_density();
    let obj = DataObjective::new(&density, &x).unwrap();
    let starts = random_starts(&[0.0, 2.5, 4.0, -1.0, -1.0], &[1.0, 1.0, 1.0, 1.0, 1.0], 40, 2024).unwrap();
    let m = multistart(&obj, &starts, &FitOptions::newton()).unwrap();
    let nat = m.best.natural_estimates();
    // Label switching: order the components by mean.
    let (p, mu1, mu2, s1, s2) = if nat[1] < nat[2] {
        (nat[0], nat[1], nat[2], nat[3], nat[4])
    } else {
        (1.0 - nat[0], nat[2], nat[1], nat[4], nat[3])
    };
    assert_rel("loglik", m.best.log_likelihood(), r.get("loglik"), 1e-10);
    assert_rel("p", p, r.get("p"), 1e-6);
    assert_rel("mu1", mu1, r.get("mu1"), 1e-7);
    assert_rel("mu2", mu2, r.get("mu2"), 1e-7);
    assert_rel("sigma1", s1, r.get("sigma1"), 1e-6);
    assert_rel("sigma2", s2, r.get("sigma2"), 1e-6);
    println!("{m}");
}

#[test]
fn jeffreys_penalty_for_any_log_density_type_matches_closed_forms() {
    use mle::core::jeffreys::JeffreysObjective;
    // Bernoulli (logit): the Firth/Jeffreys estimate is (k + ½)/(n + 1), finite even at k = 0.
    for (k, n) in [(0usize, 10usize), (3, 15), (7, 7)] {
        let data: Vec<f64> = (0..n).map(|i| if i < k { 1.0 } else { 0.0 }).collect();
        let obj = DataObjective::new(&Bernoulli, &data).unwrap();
        let firth = JeffreysObjective::new(&obj);
        let fit = FitOptions::newton()
            .decrement_tolerance(1e-26)
            .fit(&firth, &[0.0])
            .unwrap();
        assert_rel(
            "Jeffreys Bernoulli",
            fit.natural_estimates()[0],
            (k as f64 + 0.5) / (n as f64 + 1.0),
            1e-10,
        );
    }
}

#[test]
fn multinomial_separation_is_flagged_and_quiet_on_clean_data() {
    // Class 2 occurs only where x > 4: class-2-versus-baseline is separated in x.
    let x = Design::from_columns(
        true,
        &[("x", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 1.5, 2.5, 3.5, 4.5])],
    )
    .unwrap();
    let y = [0.0, 1.0, 0.0, 1.0, 2.0, 2.0, 1.0, 0.0, 1.0, 2.0];
    let fit = Regression::<Categorical<2>, 2>::multinomial(&x, &y)
        .and_then(|m| m.fit())
        .unwrap();
    let named = fit.diagnostics().iter().find_map(|d| match d {
        Diagnostic::Separation { coefficients, .. } => Some(coefficients.clone()),
        _ => None,
    });
    let named = named.expect("separation flagged");
    assert!(named.iter().any(|n| n.starts_with("class2:")), "{named:?}");
    assert!(fit.std_errors().is_none());
    // The housing data (no separation): no diagnostics.
    let t = Table::load("regression/multinom_data.csv");
    let (y, x) = regression_data("regression/multinom_data.csv", "y", &["w"]);
    let w = t.column("w");
    let fit = Regression::<Categorical<2>, 2>::multinomial(&x, &y)
        .and_then(|m| m.weights(&w))
        .and_then(|m| m.fit())
        .unwrap();
    assert!(fit.diagnostics().is_empty());
}

#[test]
fn jeffreys_penalty_for_a_user_closure() {
    use mle::core::jeffreys::{JeffreysObjective, Nested};
    // Poisson counts with log rate: the Jeffreys/Firth estimate is (Σy + ½)/n, finite at Σy = 0.
    let poisson = ClosureDensity::new(
        vec![Parameter::log_scale("rate")],
        |t: &[Dual2SVec64<1>], y: &f64| t[0] * *y - t[0].exp(),
    );
    for data in [vec![0.0, 0.0, 0.0, 0.0], vec![1.0, 0.0, 3.0, 2.0, 0.0]] {
        let obj = DataObjective::new(&poisson, &data).unwrap();
        let firth =
            JeffreysObjective::with_closure(&obj, |_, t: &[Nested<1>], y: &f64| t[0] * *y - t[0].exp());
        let fit = FitOptions::newton()
            .decrement_tolerance(1e-26)
            .fit(&firth, &[0.0])
            .unwrap();
        let expected = (data.iter().sum::<f64>() + 0.5) / data.len() as f64;
        assert_rel("Jeffreys Poisson", fit.natural_estimates()[0], expected, 1e-10);
    }
}

#[test]
fn boundary_estimate_gets_a_likelihood_ratio_interval_instead_of_wald() {
    use mle::optim::profile::profile_interval;
    // Bernoulli k = 0 of n = 10: p̂ = 0; the LR interval is [0, 1 − exp(−χ²₁(0.95)/(2n))].
    let data = [0.0; 10];
    let fit = Bernoulli.fit(&data).unwrap();
    assert!(
        fit.confidence_intervals(0.95).unwrap()[0].is_none(),
        "Wald suppressed"
    );
    let obj = DataObjective::new(&Bernoulli, &data).unwrap();
    let ci = profile_interval(&obj, &fit, 0, 0.95, &FitOptions::newton()).unwrap();
    let crit = 3.841458820694124;
    let p_upper = 1.0 - (-crit / 20.0f64).exp();
    let upper = 1.0 / (1.0 + (-ci.upper.unwrap()).exp());
    assert_rel("boundary LR upper limit", upper, p_upper, 1e-8);
    println!("k = 0 of 10: {ci}");
}
