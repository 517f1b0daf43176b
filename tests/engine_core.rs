//! Engine core: closed forms vs the generic Newton fit, optimiser agreement, weights,
//! thread-count independence, summation accuracy, safeguards and typed errors.

mod support;

use mle::prelude::*;
use support::{assert_rel, weibull_closure};

/// Deterministic pseudo-random data (no RNG dependency needed for these checks).
fn lcg_normals(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    let mut uniform = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let (u1, u2) = (uniform(), uniform());
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        })
        .collect()
}

#[test]
fn bernoulli_closed_form_matches_textbook_and_newton() {
    // Closed form: p̂ = k/n = 7/20, SE = sqrt(p(1−p)/n), ℓ = k ln p + (n−k) ln(1−p).
    let data: Vec<f64> = (0..20).map(|i| if i < 7 { 1.0 } else { 0.0 }).collect();
    let closed = Bernoulli.fit(&data).unwrap();
    let p = 0.35;
    assert_rel("p̂", closed.natural_estimates()[0], p, 1e-15);
    assert_rel(
        "se(p̂)",
        closed.natural_std_errors().unwrap()[0],
        (p * (1.0 - p) / 20.0_f64).sqrt(),
        1e-14,
    );
    assert_rel(
        "ℓ",
        closed.log_likelihood(),
        7.0 * p.ln() + 13.0 * (1.0 - p).ln(),
        1e-14,
    );
    // Expected information per observation 1/(p(1−p)) on the p scale = p(1−p) on the logit scale.
    let obj = DataObjective::new(&Bernoulli, &data).unwrap();
    let expected = obj
        .expected_information(closed.estimates().as_slice())
        .unwrap()
        .unwrap();
    assert_rel("I(logit p)", expected[(0, 0)], 20.0 * p * (1.0 - p), 1e-14);

    let newton = FitOptions::newton().fit(&obj, &[2.0]).unwrap();
    assert!(newton.convergence().converged());
    assert_rel("Newton p̂", newton.natural_estimates()[0], p, 1e-10);
    assert_rel(
        "Newton se",
        newton.std_errors().unwrap()[0],
        closed.std_errors().unwrap()[0],
        1e-10,
    );
}

#[test]
fn bernoulli_boundary_is_reported_not_faked() {
    let fit = Bernoulli.fit(&[0.0; 10]).unwrap();
    assert_eq!(fit.natural_estimates()[0], 0.0);
    assert_eq!(fit.log_likelihood(), 0.0);
    assert!(fit.std_errors().is_none());
    assert!(fit.is_on_boundary(0));
    assert!(fit.confidence_intervals(0.95).unwrap()[0].is_none());
    let text = fit.to_string();
    assert!(text.contains("boundary"), "{text}");

    // The generic Newton fit drifts to the boundary and must say so, not print a fake SE.
    let data = [1.0; 10];
    let obj = DataObjective::new(&Bernoulli, &data).unwrap();
    let fit = FitOptions::newton().fit(&obj, &[0.0]).unwrap();
    assert!(fit.is_on_boundary(0), "{fit}");
    assert!(fit.natural_estimates()[0] > 1.0 - 1e-12);
    assert!(fit.confidence_intervals(0.95).unwrap()[0].is_none());
}

#[test]
fn gaussian_closed_form_matches_textbook_and_newton() {
    let data: Vec<f64> = lcg_normals(500, 7).iter().map(|z| 3.0 + 2.0 * z).collect();
    let n = data.len() as f64;
    let mean = data.iter().sum::<f64>() / n;
    let var = data.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n; // divisor n
    let closed = Gaussian.fit(&data).unwrap();
    let nat = closed.natural_estimates();
    assert_rel("μ̂", nat[0], mean, 1e-13);
    assert_rel("σ̂", nat[1], var.sqrt(), 1e-13);
    let se = closed.std_errors().unwrap();
    assert_rel("se(μ̂)", se[0], (var / n).sqrt(), 1e-12);
    assert_rel("se(log σ̂)", se[1], (1.0 / (2.0 * n)).sqrt(), 1e-12);
    assert_rel(
        "ℓ",
        closed.log_likelihood(),
        -0.5 * n * (2.0 * std::f64::consts::PI * var).ln() - 0.5 * n,
        1e-13,
    );
    // Fisher information closed form equals observed information at the MLE for (μ, log σ).
    let obj = DataObjective::new(&Gaussian, &data).unwrap();
    let expected = obj
        .expected_information(closed.estimates().as_slice())
        .unwrap()
        .unwrap();
    assert_rel("I_μμ", expected[(0, 0)], n / var, 1e-12);
    assert_rel("I_σσ", expected[(1, 1)], 2.0 * n, 1e-15);

    for options in [
        FitOptions::newton(),
        FitOptions::fisher_scoring(),
        FitOptions::bfgs(),
        FitOptions::lbfgs(),
    ] {
        let fit = options.fit(&obj, &[0.0, 0.0]).unwrap();
        let tol = if matches!(options.method(), Method::Newton | Method::FisherScoring) {
            1e-10
        } else {
            1e-7
        };
        for i in 0..2 {
            assert_rel("estimate", fit.estimates()[i], closed.estimates()[i], tol);
            assert_rel("se", fit.std_errors().unwrap()[i], se[i], tol);
        }
        assert!(fit.convergence().converged(), "{fit}");
    }
}

#[test]
fn weights_equal_replication() {
    let data = [1.0, 2.5, 4.0, 7.0];
    let weights = [1.0, 3.0, 0.0, 2.0];
    let replicated = [1.0, 2.5, 2.5, 2.5, 7.0, 7.0];
    let w = DataModel::new(&Gaussian, &data)
        .and_then(|m| m.weights(&weights))
        .and_then(|m| m.fit())
        .unwrap();
    let r = Gaussian.fit(&replicated).unwrap();
    assert_rel("ℓ", w.log_likelihood(), r.log_likelihood(), 1e-14);
    for i in 0..2 {
        assert_rel("θ", w.estimates()[i], r.estimates()[i], 1e-14);
        assert_rel(
            "se",
            w.std_errors().unwrap()[i],
            r.std_errors().unwrap()[i],
            1e-13,
        );
    }
    let obj = DataObjective::new(&Gaussian, &data)
        .unwrap()
        .with_weights(&weights)
        .unwrap();
    let newton = FitOptions::newton().fit(&obj, &[0.0, 0.0]).unwrap();
    assert_rel(
        "Newton weighted μ̂",
        newton.estimates()[0],
        r.estimates()[0],
        1e-12,
    );
}

#[test]
fn result_does_not_depend_on_thread_count() {
    let data: Vec<f64> = lcg_normals(1_000_000, 11);
    let obj = DataObjective::new(&Gaussian, &data).unwrap();
    let theta = [0.1, -0.2];
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| obj.evaluate(&theta).unwrap())
    };
    let (one, two, four) = (run(1), run(2), run(4));
    for other in [&two, &four] {
        assert_rel("ℓ", other.value, one.value, 1e-12);
        for i in 0..2 {
            assert_rel("∇ℓ", other.gradient[i], one.gradient[i], 1e-12);
            for j in 0..2 {
                assert_rel("∇²ℓ", other.hessian[(i, j)], one.hessian[(i, j)], 1e-12);
            }
        }
    }
}

#[test]
fn summation_keeps_its_digits_at_ten_million() {
    // 10⁷ identical terms: the exact sum is n·term (one rounding). A plain loop loses ~1e-10.
    let n = 10_000_000;
    let data = vec![0.1; n];
    let obj = DataObjective::new(&Gaussian, &data).unwrap();
    let theta = [0.3, 0.0];
    let term = Gaussian.ln_density(&theta, &0.1);
    let exact = term * n as f64;
    let got = obj.log_likelihood(&theta).unwrap();
    let d = support::rel_diff(got, exact);
    assert!(d < 1e-14, "relative error {d:.2e}");
}

#[test]
fn newton_never_steps_uphill_on_an_indefinite_hessian() {
    // Cauchy location with two clusters: ℓ is not concave; at μ = 0 (between the clusters)
    // the Hessian is positive (indefinite for maximisation).
    let cauchy = ClosureDensity::new(
        vec![Parameter::identity("location")],
        |t: &[Dual2SVec64<1>], x: &f64| -((t[0] - *x).powi(2) + 1.0).ln(),
    );
    let data = [-5.0, -4.8, -5.2, 5.0, 5.1, 4.9, 5.3];
    let obj = DataObjective::new(&cauchy, &data).unwrap();
    assert!(
        obj.evaluate(&[0.0]).unwrap().hessian[(0, 0)] > 0.0,
        "start must be indefinite"
    );
    let mut previous = obj.log_likelihood(&[0.0]).unwrap();
    for iters in 1..=30 {
        let fit = FitOptions::newton()
            .max_iterations(iters)
            .require_convergence(false)
            .fit(&obj, &[0.0])
            .unwrap();
        assert!(
            fit.log_likelihood() >= previous - 1e-12,
            "ℓ decreased at iteration {iters}"
        );
        previous = fit.log_likelihood();
    }
    let fit = FitOptions::newton().fit(&obj, &[0.0]).unwrap();
    assert!(fit.hessian()[(0, 0)] < 0.0, "converged to a maximum");
    assert!(
        fit.estimates()[0] > 4.0,
        "the larger cluster holds the global maximum: {fit}"
    );
}

#[test]
fn bad_input_gives_typed_errors() {
    assert!(matches!(
        DataObjective::new(&Gaussian, &[]),
        Err(MleError::EmptyData)
    ));
    assert!(matches!(
        DataObjective::new(&Gaussian, &[1.0, f64::INFINITY]),
        Err(MleError::NonFiniteObservation { index: 1 })
    ));
    match Bernoulli.fit(&[0.0, 1.0, 2.0]) {
        Err(MleError::OutsideSupport {
            index: 2,
            family,
            reason,
        }) => {
            assert_eq!(family, "Bernoulli");
            assert!(reason.contains("0 or 1"));
        }
        other => panic!("{other:?}"),
    }
    let obj = DataObjective::new(&Gaussian, &[1.0, 2.0]).unwrap();
    assert!(matches!(
        FitOptions::newton().fit(&obj, &[0.0]),
        Err(MleError::ParameterCount { expected: 2, got: 1 })
    ));
    assert!(matches!(
        FitOptions::newton().fit(&obj, &[0.0, f64::NAN]),
        Err(MleError::InvalidParameter { ref name, .. }) if name == "log_sigma"
    ));
    assert!(matches!(
        DataObjective::new(&Gaussian, &[1.0, 2.0])
            .unwrap()
            .with_weights(&[1.0]),
        Err(MleError::DimensionMismatch { .. })
    ));
    assert!(matches!(
        DataObjective::new(&Gaussian, &[1.0, 2.0])
            .unwrap()
            .with_weights(&[1.0, -1.0]),
        Err(MleError::InvalidWeight { index: 1, .. })
    ));
    assert!(matches!(
        FitOptions::newton().max_iterations(0).fit(&obj, &[0.0, 0.0]),
        Err(MleError::MaxIterationsZero)
    ));
    // Weibull closure: negative data outside the support; a start where ℓ is not finite.
    let weibull = weibull_closure();
    assert!(matches!(
        DataObjective::new(&weibull, &[1.0, -2.0]),
        Err(MleError::OutsideSupport { index: 1, .. })
    ));
    let data = [1.0, 2.0, 3.0];
    let obj = DataObjective::new(&weibull, &data).unwrap();
    assert!(matches!(
        FitOptions::newton().fit(&obj, &[800.0, 0.0]),
        Err(MleError::NonFiniteLogLikelihood { .. })
    ));
    // Non-convergence is an error carrying the last iterate, or a flagged fit on request.
    let big: Vec<f64> = (1..50).map(|i| i as f64).collect();
    let obj = DataObjective::new(&weibull, &big).unwrap();
    match FitOptions::newton().max_iterations(1).fit(&obj, &[-2.0, 0.0]) {
        Err(MleError::NoConvergence {
            iterations: 1,
            last,
            gradient_norm,
            ..
        }) => {
            assert_eq!(last.len(), 2);
            assert!(gradient_norm > 0.0);
        }
        other => panic!("{other:?}"),
    }
    let flagged = FitOptions::newton()
        .max_iterations(1)
        .require_convergence(false)
        .fit(&obj, &[-2.0, 0.0])
        .unwrap();
    assert!(flagged
        .diagnostics()
        .iter()
        .any(|d| matches!(d, Diagnostic::NotConverged { .. })));
    assert!(flagged.to_string().contains("NOT CONVERGED"));
}

#[test]
fn data_are_not_mutated() {
    let data = vec![3.0, 1.0, 2.0];
    let copy = data.clone();
    let _ = Gaussian.fit(&data).unwrap();
    let obj = DataObjective::new(&Gaussian, &data).unwrap();
    let _ = FitOptions::bfgs().fit(&obj, &[0.0, 0.0]).unwrap();
    assert_eq!(data, copy);
}
