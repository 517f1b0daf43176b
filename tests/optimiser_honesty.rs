//! Optimiser honesty: a fit is reported as converged only at a maximum of the likelihood;
//! minima, saddles and unbounded likelihoods say what they are, runaway iterates stop even
//! without an iteration limit, and errors name their real cause. Every test here failed on
//! the optimisers before the typed convergence status (they reported "converged", hung, or
//! blamed the wrong thing).

mod support;

use mle::core::error::Derivative;
use mle::optim::multistart::{multistart, random_starts};
use mle::prelude::*;
use support::{weibull_closure, Table};

/// Every optimiser, each with a generous limit.
fn all_methods() -> Vec<FitOptions> {
    vec![
        FitOptions::newton(),
        FitOptions::bfgs(),
        FitOptions::lbfgs(),
        FitOptions::levenberg_marquardt(),
    ]
}

/// The status of a fit that must not converge, from the error or from the flagged fit.
fn status_of(options: &FitOptions, objective: &dyn Objective, start: &[f64]) -> ConvergenceStatus {
    let flagged = options
        .clone()
        .require_convergence(false)
        .fit(objective, start)
        .unwrap_or_else(|e| panic!("{:?}: {e}", options.method()));
    let status = flagged.convergence().status.clone();
    assert!(
        !flagged.convergence().converged(),
        "{:?}: {flagged}",
        options.method()
    );
    assert!(
        flagged
            .diagnostics()
            .iter()
            .any(|d| matches!(d, Diagnostic::NotConverged { status: s } if *s == status)),
        "{flagged}"
    );
    assert!(flagged.to_string().contains("NOT CONVERGED"));
    match options.fit(objective, start) {
        Err(MleError::NotAMaximum { status: s, .. }) => assert_eq!(s, status),
        other => panic!("{:?}: expected NotAMaximum, got {other:?}", options.method()),
    }
    status
}

#[test]
fn a_minimum_is_not_reported_as_a_converged_maximum() {
    // ℓ = +a²/2 per observation: convex, its only stationary point a = 0 is a minimum.
    let convex = ClosureDensity::new(vec![Parameter::identity("a")], |t: &[Dual2SVec64<1>], x: &f64| {
        t[0] * t[0] * 0.5 + *x * 0.0
    });
    let data = [1.0, 2.0];
    let obj = DataObjective::new(&convex, &data).unwrap();
    for options in all_methods() {
        match status_of(&options, &obj, &[0.0]) {
            ConvergenceStatus::StationaryNotMaximum {
                largest_eigenvalue,
                direction,
            } => {
                assert!((largest_eigenvalue - 2.0).abs() < 1e-12, "{largest_eigenvalue}");
                assert_eq!(direction, "1.000·a");
            }
            other => panic!("{:?}: {other}", options.method()),
        }
    }
}

#[test]
fn a_saddle_point_is_named_with_its_eigen_direction() {
    // ℓ = (a² − b²)/2: from (0, 1) the (modified) Newton and BFGS steps land on the saddle.
    let saddle = ClosureDensity::new(
        vec![Parameter::identity("a"), Parameter::identity("b")],
        |t: &[Dual2SVec64<2>], x: &f64| (t[0] * t[0] - t[1] * t[1]) * 0.5 + *x * 0.0,
    );
    let data = [1.0, 2.0];
    let obj = DataObjective::new(&saddle, &data).unwrap();
    for options in [FitOptions::newton(), FitOptions::bfgs()] {
        let status = status_of(&options, &obj, &[0.0, 1.0]);
        assert!(
            matches!(&status, ConvergenceStatus::StationaryNotMaximum { direction, .. } if direction == "1.000·a"),
            "{status}"
        );
        assert!(
            status.to_string().contains("stationary point, not a maximum"),
            "{status}"
        );
    }
}

#[test]
fn normal_with_one_observation_is_unbounded_as_sigma_goes_to_zero() {
    let data = [1.5];
    let obj = DataObjective::new(&Gaussian, &data).unwrap();
    for options in [
        FitOptions::newton(),
        FitOptions::bfgs(),
        FitOptions::levenberg_marquardt(),
    ] {
        match status_of(&options, &obj, &[0.0, 0.0]) {
            ConvergenceStatus::Unbounded {
                parameter,
                increasing,
                ..
            } => {
                assert_eq!(parameter, "log_sigma", "{:?}", options.method());
                assert!(!increasing, "σ → 0");
            }
            other => panic!("{:?}: {other}", options.method()),
        }
    }
}

#[test]
fn weibull_with_one_observation_is_unbounded_in_the_shape() {
    let weibull = weibull_closure();
    let data = [1.5];
    let obj = DataObjective::new(&weibull, &data).unwrap();
    for options in [FitOptions::newton(), FitOptions::bfgs()] {
        let status = status_of(&options, &obj, &[0.0, 0.0]);
        assert!(
            matches!(&status, ConvergenceStatus::Unbounded { parameter, increasing: true, .. } if parameter == "log_shape"),
            "{:?}: {status}",
            options.method()
        );
        assert!(
            status.to_string().contains("likelihood unbounded along"),
            "{status}"
        );
    }
}

/// Two-component normal mixture on (logit p, μ₁, μ₂, log σ₁, log σ₂).
fn mixture() -> ClosureDensity<impl Fn(&[Dual2SVec64<5>], &f64) -> Dual2SVec64<5> + Sync, f64, 5> {
    ClosureDensity::new(
        vec![
            Parameter::logit_scale("p"),
            Parameter::identity("mu1"),
            Parameter::identity("mu2"),
            Parameter::log_scale("sigma1"),
            Parameter::log_scale("sigma2"),
        ],
        |t: &[Dual2SVec64<5>], x: &f64| {
            let comp = |mu: Dual2SVec64<5>, log_s: Dual2SVec64<5>| {
                let z = (mu - *x) * (-log_s).exp();
                -(z * z * 0.5) - log_s - 0.918_938_533_204_672_8
            };
            log_sum_exp(&[
                log_sigmoid(t[0]) + comp(t[1], t[3]),
                log_sigmoid(-t[0]) + comp(t[2], t[4]),
            ])
        },
    )
}

/// Two clusters (around 2 and 7) and a tie at 4.5: a component sitting on the tie can shrink
/// σ → 0 with ℓ → +∞; the interior maximum separates the clusters.
fn tied_data() -> Vec<f64> {
    let mut data: Vec<f64> = (0..20).map(|i| 1.5 + 0.1 * ((i * 7) % 11) as f64).collect();
    data.extend((0..20).map(|i| 6.4 + 0.1 * ((i * 5) % 13) as f64));
    data.extend([4.5, 4.5]);
    data
}

#[test]
fn a_collapsing_mixture_component_is_unbounded() {
    let density = mixture();
    let data = tied_data();
    let obj = DataObjective::new(&density, &data).unwrap();
    let start = [0.0, 4.5, 5.0, -3.0, 0.5];
    let status = status_of(&FitOptions::newton(), &obj, &start);
    assert!(
        matches!(&status, ConvergenceStatus::Unbounded { parameter, increasing: false, .. } if parameter == "log_sigma1"),
        "{status}"
    );
}

#[test]
fn runaway_iterates_stop_without_an_iteration_limit() {
    // ℓ(θ) = θ·Σx: no maximum. With u64::MAX iterations the old optimisers never returned.
    let linear = ClosureDensity::new(
        vec![Parameter::identity("theta")],
        |t: &[Dual2SVec64<1>], x: &f64| t[0] * *x,
    );
    let data = [1.0, 2.0, 3.0];
    let obj = DataObjective::new(&linear, &data).unwrap();
    for options in all_methods() {
        let options = options.max_iterations(u64::MAX);
        let status = status_of(&options, &obj, &[0.0]);
        assert!(status.is_unbounded(), "{:?}: {status}", options.method());
        let text = status.to_string();
        assert!(text.contains("`theta`"), "{text}");
        if let ConvergenceStatus::Unbounded { increasing, .. } = status {
            assert!(increasing);
        }
    }
    // The same for ℓ = +a² from a = 1 (geometric run-off).
    let convex = ClosureDensity::new(vec![Parameter::identity("a")], |t: &[Dual2SVec64<1>], x: &f64| {
        t[0] * t[0] + *x * 0.0
    });
    let obj = DataObjective::new(&convex, &data).unwrap();
    for options in all_methods() {
        let status = status_of(&options.max_iterations(u64::MAX), &obj, &[1.0]);
        assert!(status.is_unbounded(), "{status}");
    }
}

#[test]
fn an_infinite_log_likelihood_at_the_start_is_named() {
    // Before: BFGS said "|∇ℓ| = 0.00e0 > 2.0e-9".
    let infinite = ClosureDensity::new(vec![Parameter::identity("a")], |t: &[Dual2SVec64<1>], x: &f64| {
        t[0] * 0.0 + f64::INFINITY + *x * 0.0
    });
    let data = [1.0, 2.0];
    let obj = DataObjective::new(&infinite, &data).unwrap();
    for options in all_methods() {
        match options.fit(&obj, &[0.0]) {
            Err(e @ MleError::NonFiniteLogLikelihood { value, .. }) => {
                assert_eq!(value, f64::INFINITY);
                assert!(!e.to_string().contains("∇ℓ"), "{e}");
            }
            other => panic!("{:?}: {other:?}", options.method()),
        }
    }
}

#[test]
fn nan_derivatives_with_a_finite_value_are_named() {
    // √(a − a) is 0 with an undefined derivative: ℓ is finite, ∇ℓ is NaN. Before: "the
    // log-likelihood is not finite" (Newton) or "parameter `a` = NaN is invalid" (BFGS).
    let d = ClosureDensity::new(vec![Parameter::identity("a")], |t: &[Dual2SVec64<1>], x: &f64| {
        -(t[0] - *x).powi(2) * 0.5 + (t[0] - t[0]).sqrt()
    });
    let data = [1.0, 2.0];
    let obj = DataObjective::new(&d, &data).unwrap();
    for options in all_methods() {
        match options.fit(&obj, &[0.0]) {
            Err(
                e @ MleError::NonFiniteDerivative {
                    derivative: Derivative::Gradient,
                    ..
                },
            ) => {
                let text = e.to_string();
                assert!(text.contains("starting values") && text.contains("`a`"), "{text}");
                assert!(!text.contains("is not finite at"), "{text}");
            }
            other => panic!("{:?}: {other:?}", options.method()),
        }
    }
}

#[test]
fn nan_derivatives_met_during_the_run_are_named() {
    // Derivatives are NaN for θ > 3; the maximum at 10 cannot be reached. Before: Newton
    // "converged" at θ = 5 (a NaN decrement read as 0), BFGS said "parameter `x` = NaN is
    // invalid" or failed inside its line search.
    let d = ClosureDensity::new(vec![Parameter::identity("x")], |t: &[Dual2SVec64<1>], x: &f64| {
        let base = -(t[0] - 10.0).powi(2) * 0.5 + *x * 0.0;
        if t[0].re > 3.0 {
            base + (t[0] - t[0]).sqrt()
        } else {
            base
        }
    });
    let data = [1.0, 2.0];
    let obj = DataObjective::new(&d, &data).unwrap();
    for options in all_methods() {
        match options.fit(&obj, &[0.0]) {
            Err(MleError::NonFiniteDerivative {
                parameter,
                context,
                value,
                ..
            }) => {
                assert_eq!(parameter, "x");
                assert!(value.is_nan());
                assert!(context.starts_with("θ = ["), "{context}");
            }
            other => panic!("{:?}: {other:?}", options.method()),
        }
    }
}

#[test]
fn poisson_with_huge_counts_converges_at_the_exact_mle() {
    // log μ̂ = ln 1e300: ℓ is a difference of terms of order 1e303, ∇ℓ is round-off of order
    // 1e286 and λ²/2 is 1e272, yet the Newton step is below the resolution of θ. Before:
    // NoConvergence.
    for n in [1, 3] {
        let x = Design::intercept(n);
        let y = vec![1e300; n];
        for options in [FitOptions::newton(), FitOptions::bfgs()] {
            let fit = Regression::poisson(&x, &y)
                .and_then(|m| m.fit_with(&options))
                .unwrap_or_else(|e| panic!("n = {n}, {:?}: {e}", options.method()));
            assert!(fit.convergence().converged(), "{fit}");
            assert!(
                matches!(
                    fit.convergence().status,
                    ConvergenceStatus::StepBelowResolution { .. }
                ),
                "{}",
                fit.convergence().status
            );
            assert_eq!(fit.estimates()[0], 1e300f64.ln());
        }
    }
}

#[test]
fn multistart_with_starts_of_the_wrong_length_is_a_dimension_error() {
    // Before: "none of the 1 starts converged".
    let d = ClosureDensity::new(vec![Parameter::identity("a")], |t: &[Dual2SVec64<1>], x: &f64| {
        -(t[0] - *x).powi(2)
    });
    let data = [1.0, 2.0];
    let obj = DataObjective::new(&d, &data).unwrap();
    let starts = vec![vec![0.0], vec![0.0, 1.0]];
    assert!(matches!(
        multistart(&obj, &starts, &FitOptions::newton()),
        Err(MleError::DimensionMismatch {
            expected: 1,
            got: 2,
            ..
        })
    ));
}

#[test]
fn random_starts_with_centre_and_spread_of_different_lengths_is_an_error() {
    // Before: silently truncated to the shorter.
    assert!(matches!(
        random_starts(&[0.0, 1.0, 2.0], &[1.0, 1.0], 4, 7),
        Err(MleError::DimensionMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    assert_eq!(random_starts(&[0.0, 1.0], &[1.0, 1.0], 4, 7).unwrap().len(), 4);
}

#[test]
fn multistart_counts_label_switched_copies_as_one_optimum() {
    let x = Table::load("failure/faithful_eruptions.csv").column("eruptions");
    let density = mixture();
    let obj = DataObjective::new(&density, &x).unwrap();
    // Both labellings of the two clusters (short ≈ 2.0, long ≈ 4.3 minutes), and random starts.
    let mut starts = vec![vec![-0.5, 2.0, 4.3, -1.4, -0.8], vec![0.5, 4.3, 2.0, -0.8, -1.4]];
    starts.extend(random_starts(&[0.0, 3.0, 3.0, -1.0, -1.0], &[1.0, 1.2, 1.2, 0.5, 0.5], 20, 11).unwrap());
    let m = multistart(&obj, &starts, &FitOptions::newton()).unwrap();
    let top = m.best.log_likelihood();
    let copies: Vec<_> = m
        .optima
        .iter()
        .filter(|o| (o.log_likelihood - top).abs() <= 1e-9 * top.abs())
        .collect();
    assert_eq!(copies.len(), 1, "{m}");
    assert!(copies[0].count >= 2 && copies[0].relabelled >= 1, "{m}");
    assert!(m.to_string().contains("relabelled"), "{m}");
}

#[test]
fn multistart_says_when_the_likelihood_is_unbounded() {
    let density = mixture();
    let data = tied_data();
    let obj = DataObjective::new(&density, &data).unwrap();
    let starts = vec![
        // Collapsing onto the tie at 4.5.
        vec![0.0, 4.5, 5.0, -3.0, 0.5],
        vec![-1.0, 4.5, 5.5, -2.5, 0.7],
        // Interior starts.
        vec![0.0, 2.5, 6.0, 0.0, 0.0],
        vec![0.3, 3.0, 6.5, 0.2, 0.1],
        vec![0.0, 2.0, 7.0, -1.0, -1.0],
    ];
    let m = multistart(&obj, &starts, &FitOptions::newton()).unwrap();
    assert_eq!(m.unbounded.len(), 2, "{m}");
    assert!(m.unbounded.iter().all(|s| s.is_unbounded()));
    assert!(
        m.best.convergence().converged(),
        "the best is an interior maximum"
    );
    assert_eq!((m.optima.len(), m.optima[0].count), (1, 3), "{m}");
    let text = m.to_string();
    assert!(
        text.contains("The likelihood is unbounded") && text.contains("best interior local maximum"),
        "{text}"
    );
}

#[test]
fn a_panicking_start_is_counted_as_failed() {
    // The objective panics for θ > 5: that start fails, the run goes on.
    let d = ClosureDensity::new(vec![Parameter::identity("m")], |t: &[Dual2SVec64<1>], x: &f64| {
        assert!(t[0].re <= 5.0, "user closure: θ out of range");
        -(t[0] - *x).powi(2) * 0.5
    });
    let data = [1.0, 2.0, 3.0];
    let obj = DataObjective::new(&d, &data).unwrap();
    let starts = vec![vec![0.0], vec![9.0], vec![4.0]];
    let m = multistart(&obj, &starts, &FitOptions::newton()).unwrap();
    assert_eq!((m.failures, m.panicked), (1, 1), "{m}");
    assert!((m.best.estimates()[0] - 2.0).abs() < 1e-12);
    assert!(m.to_string().contains("panic"), "{m}");
}

#[test]
fn option_errors_carry_their_numbers() {
    let data = [1.0, 2.0, 4.0];
    let obj = DataObjective::new(&Gaussian, &data).unwrap();
    assert!(matches!(
        FitOptions::newton().decrement_tolerance(-1.0).fit(&obj, &[0.0, 0.0]),
        Err(MleError::ToleranceNotPositive { name: "decrement_tolerance", value }) if value == -1.0
    ));
    assert!(matches!(
        FitOptions::bfgs()
            .gradient_tolerance(f64::NAN)
            .fit(&obj, &[0.0, 0.0]),
        Err(MleError::ToleranceNotPositive {
            name: "gradient_tolerance",
            ..
        })
    ));
    assert!(matches!(
        FitOptions::newton().max_iterations(0).fit(&obj, &[0.0, 0.0]),
        Err(MleError::MaxIterationsZero)
    ));
    let fit = Gaussian.fit(&data).unwrap().into_fit();
    assert!(matches!(
        fit.with_confidence_level(1.5),
        Err(MleError::LevelOutOfRange { level }) if level == 1.5
    ));
    assert!(matches!(
        mle::models::quantile::QuantileRegression::new(2.0),
        Err(MleError::TauOutOfRange { tau }) if tau == 2.0
    ));
    // Fisher scoring needs a closed-form expected information.
    let d = ClosureDensity::new(vec![Parameter::identity("a")], |t: &[Dual2SVec64<1>], x: &f64| {
        -(t[0] - *x).powi(2)
    });
    let obj = DataObjective::new(&d, &data).unwrap();
    assert!(matches!(
        FitOptions::fisher_scoring().fit(&obj, &[0.0]),
        Err(MleError::NoExpectedInformation { .. })
    ));
}
