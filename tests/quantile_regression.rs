//! Laplace / asymmetric Laplace families and median / quantile regression against quantreg
//! (tests/reference/quantile/: R 4.2.2 + quantreg 5.94, cross-checked by HiGHS + numpy; see its
//! README), closed-form checks on small hand-computed samples, bad input, bootstrap
//! reproducibility, and the interior point + vertex step against the simplex.

mod support;

use mle::core::{Design, MleError};
use mle::families::asymmetric_laplace::{check_loss, lower_quantile};
use mle::models::quantile::{
    Bandwidth, QuantileAlgorithm, QuantileRegression, QuantileRegressionObjective, QuantileStdErrors,
};
use mle::prelude::*;
use nalgebra::DMatrix;
use support::{assert_rel, rel_diff, Reference, Table};

/// Response (first column) and design (the other columns, names from the header).
fn load(csv: &str) -> (Vec<f64>, Design) {
    let t = Table::load(csv);
    let y = t.column(&t.columns[0]);
    let names: Vec<String> = t.columns[1..].to_vec();
    let n = y.len();
    let mut data = Vec::with_capacity(n * names.len());
    for c in &names {
        data.extend(t.column(c));
    }
    (
        y,
        Design::new(DMatrix::from_vec(n, names.len(), data), names).unwrap(),
    )
}

#[derive(Default, Debug)]
struct Worst {
    objective: f64,
    coef: f64,
    se_iid: f64,
    se_nid: f64,
    sparsity: f64,
    bandwidth: f64,
}

impl Worst {
    fn max(&self) -> f64 {
        [
            self.objective,
            self.coef,
            self.se_iid,
            self.se_nid,
            self.sparsity,
            self.bandwidth,
        ]
        .into_iter()
        .fold(0.0, f64::max)
    }
}

fn check_reference(csv: &str, reference: &str) -> Worst {
    let r = Reference::load(reference);
    let (y, x) = load(csv);
    let tau = r.get("tau");
    let names = x.names().to_vec();
    let mut worst = Worst {
        bandwidth: assert_rel(
            "bandwidth",
            Bandwidth::HallSheather.value(tau, y.len()),
            r.get("bandwidth_hs"),
            1e-13,
        ),
        ..Worst::default()
    };

    let iid = QuantileRegression::new(tau)
        .unwrap()
        .with_std_errors(QuantileStdErrors::Iid);
    let solution = iid.solve(&x, &y).unwrap();
    assert_eq!(solution.algorithm, QuantileAlgorithm::BarrodaleRoberts);
    assert_eq!(solution.basis.len(), x.ncols());
    assert!(
        !solution.possibly_nonunique,
        "{reference}: the reference fits are unique"
    );
    worst.objective = assert_rel("objective", solution.objective, r.get("objective"), 1e-9);
    for (j, name) in names.iter().enumerate() {
        let d = assert_rel(
            &format!("coef {name}"),
            solution.coefficients[j],
            r.get(&format!("coef:{name}")),
            1e-10,
        );
        worst.coef = worst.coef.max(d);
    }
    let cov = iid.covariance(&x, &y, &solution).unwrap();
    worst.sparsity = assert_rel("sparsity", cov.sparsity.unwrap(), r.get("sparsity_iid"), 1e-6);

    let fit = iid.fit(&x, &y).unwrap();
    assert!(
        fit.covariance_source().starts_with("iid"),
        "{}",
        fit.covariance_source()
    );
    let se = fit.std_errors().unwrap();
    for (j, name) in names.iter().enumerate() {
        assert_eq!(fit.parameters()[j].name, *name);
        assert_eq!(fit.estimates()[j], solution.coefficients[j]);
        let d = assert_rel(
            &format!("se_iid {name}"),
            se[j],
            r.get(&format!("se_iid:{name}")),
            1e-6,
        );
        worst.se_iid = worst.se_iid.max(d);
    }
    // σ̂ = check loss / n, the asymmetric-Laplace scale MLE.
    assert_rel(
        "sigma",
        fit.natural_estimates()[x.ncols()],
        r.get("objective") / y.len() as f64,
        1e-9,
    );

    let nid = QuantileRegression::new(tau).unwrap();
    let fit = nid.fit(&x, &y).unwrap();
    assert!(
        fit.covariance_source().starts_with("nid"),
        "{}",
        fit.covariance_source()
    );
    let se = fit.std_errors().unwrap();
    for (j, name) in names.iter().enumerate() {
        let d = assert_rel(
            &format!("se_nid {name}"),
            se[j],
            r.get(&format!("se_nid:{name}")),
            1e-6,
        );
        worst.se_nid = worst.se_nid.max(d);
    }

    // The interior point + exact vertex step reaches the same (unique) vertex.
    let ip = QuantileRegression::new(tau)
        .unwrap()
        .with_algorithm(QuantileAlgorithm::FrischNewton);
    let s2 = ip.solve(&x, &y).unwrap();
    assert_eq!(s2.algorithm, QuantileAlgorithm::FrischNewton);
    assert!(s2.interior_point_iterations > 0);
    assert_rel(
        "objective (interior point)",
        s2.objective,
        r.get("objective"),
        1e-9,
    );
    for (j, name) in names.iter().enumerate() {
        assert_rel(
            &format!("coef {name} (interior point)"),
            s2.coefficients[j],
            r.get(&format!("coef:{name}")),
            1e-10,
        );
    }
    let fit = ip.fit(&x, &y).unwrap();
    let se = fit.std_errors().unwrap();
    for (j, name) in names.iter().enumerate() {
        assert_rel(
            &format!("se_nid {name} (interior point)"),
            se[j],
            r.get(&format!("se_nid:{name}")),
            1e-6,
        );
    }
    println!("{reference}: {worst:?}");
    worst
}

#[test]
fn engel_tau25_matches_quantreg() {
    let worst = check_reference("quantile/engel.csv", "quantile/engel_tau25.ref");
    assert!(worst.max() < 1e-6);
}

#[test]
fn engel_tau50_matches_quantreg() {
    let worst = check_reference("quantile/engel.csv", "quantile/engel_tau50.ref");
    assert!(worst.max() < 1e-6);
}

#[test]
fn engel_tau90_matches_quantreg() {
    let worst = check_reference("quantile/engel.csv", "quantile/engel_tau90.ref");
    assert!(worst.max() < 1e-6);
}

#[test]
fn stackloss_lad_matches_quantreg() {
    // The iid sparsity regression here is non-unique (quantreg warns); the Barrodale–Roberts
    // pivoting rules end at quantreg's vertex, so even se_iid agrees.
    let worst = check_reference("quantile/stackloss.csv", "quantile/stackloss_lad.ref");
    assert!(worst.max() < 1e-6);
}

#[test]
fn fit_summary_and_likelihood() {
    let (y, x) = load("quantile/stackloss.csv");
    let fit = QuantileRegression::median().fit(&x, &y).unwrap();
    let text = fit.to_string();
    assert!(text.contains("nid: Hendricks–Koenker"), "{text}");
    assert!(text.contains("Barrodale–Roberts"), "{text}");
    // ℓ = n log(τ(1−τ)) − n log σ̂ − n at σ̂ = check loss / n.
    let n = y.len() as f64;
    let sigma = fit.natural_estimates()[4];
    assert_rel(
        "loglik",
        fit.log_likelihood(),
        n * 0.25f64.ln() - n * sigma.ln() - n,
        1e-13,
    );
    // ∂ℓ/∂log σ = 0 at σ̂; the β block of −∇²ℓ is exactly zero (kinks), so it is not used.
    assert!(fit.gradient()[4].abs() < 1e-12);
    assert_eq!(fit.hessian()[(1, 1)], 0.0);
    let objective = QuantileRegressionObjective::new(0.5, &x, &y).unwrap();
    let beta: Vec<f64> = fit.estimates().iter().take(4).copied().collect();
    assert_rel(
        "check loss",
        objective.check_loss(&beta).unwrap(),
        21.040579710144932,
        1e-12,
    );
    let info = objective
        .expected_information(fit.estimates().as_slice())
        .unwrap()
        .unwrap();
    assert_eq!(info[(4, 4)], n);
}

// ---------------------------------------------------------------------------------------------
// Closed-form Laplace and asymmetric Laplace fits.
// ---------------------------------------------------------------------------------------------

#[test]
fn laplace_closed_form_median_and_mean_absolute_deviation() {
    // Odd n: the median; b̂ = mean |x − median|.
    let odd = [3.0, -1.0, 7.0, 2.0, 10.0];
    let fit = Laplace.fit_location_scale(&odd).unwrap();
    let nat = fit.natural_estimates();
    assert_eq!(nat[0], 3.0);
    assert_eq!(nat[1], (0.0 + 4.0 + 4.0 + 1.0 + 7.0) / 5.0);
    assert!(fit.diagnostics().is_empty(), "{:?}", fit.diagnostics());
    // Even n: the lower median; every point of [2, 3] is an MLE with the same b̂.
    let even = [3.0, -1.0, 7.0, 2.0];
    let fit = Laplace.fit_location_scale(&even).unwrap();
    let nat = fit.natural_estimates();
    assert_eq!(nat[0], 2.0);
    assert_eq!(nat[1], (1.0 + 3.0 + 5.0 + 0.0) / 4.0);
    let b_at_upper: f64 = even.iter().map(|x: &f64| (x - 3.0).abs()).sum::<f64>() / 4.0;
    assert_eq!(nat[1], b_at_upper);
    // ℓ = −n log 2 − n log b̂ − n.
    assert_rel(
        "loglik",
        fit.log_likelihood(),
        -4.0 * 2f64.ln() - 4.0 * nat[1].ln() - 4.0,
        1e-14,
    );
    // Expected information: se(μ̂) = b̂/√n, se(log b̂) = 1/√n.
    let se = fit.std_errors().unwrap();
    assert_rel("se mu", se[0], nat[1] / 2.0, 1e-15);
    assert_rel("se log b", se[1], 0.5, 1e-15);
    assert!(fit.covariance_source().contains("expected (Fisher) information"));
    // The interval of maximisers is reported (see even_n_location_reports_the_interval).
    assert_eq!(
        fit.diagnostics(),
        &[Diagnostic::NonUniqueEstimate {
            parameter: "mu".into(),
            lower: 2.0,
            upper: 3.0,
            reported: 2.0
        }]
    );
}

/// Issue: for an even n the Laplace location MLE is the interval [x₍ₙ/₂₎, x₍ₙ/₂₊₁₎]; the fit
/// says so (and which end it reports) instead of silently returning the lower median. The
/// same for the asymmetric Laplace when nτ is an integer; a tie or a non-integer nτ is unique.
#[test]
fn even_n_location_reports_the_interval() {
    let interval = |fit: &Fit| {
        fit.diagnostics().iter().find_map(|d| match d {
            Diagnostic::NonUniqueEstimate {
                parameter,
                lower,
                upper,
                reported,
            } => Some((parameter.clone(), *lower, *upper, *reported)),
            _ => None,
        })
    };
    let even = [8.0, 1.0, 5.0, 2.0, 9.0, 4.0];
    for c in [
        LocationScaleCovariance::ExpectedInformation,
        LocationScaleCovariance::Sparsity(Bandwidth::HallSheather),
        LocationScaleCovariance::Bootstrap {
            replicates: 20,
            seed: 3,
        },
        LocationScaleCovariance::ObservedInformation,
    ] {
        let fit = Laplace.fit_location_scale_with(&even, c).unwrap();
        assert_eq!(fit.natural_estimates()[0], 4.0, "the lower median is reported");
        assert_eq!(interval(&fit), Some(("mu".into(), 4.0, 5.0, 4.0)), "{c:?}");
        let text = fit.to_string();
        assert!(text.contains("not unique") && text.contains("[4, 5]"), "{text}");
    }
    // b̂ is the same at either end of the interval.
    let b = |m: f64| even.iter().map(|x| (x - m).abs()).sum::<f64>() / 6.0;
    assert_eq!(
        Laplace.fit_location_scale(&even).unwrap().natural_estimates()[1],
        b(4.0)
    );
    assert_eq!(b(4.0), b(5.0));
    // Odd n, or tied middle values: unique.
    assert_eq!(interval(&Laplace.fit_location_scale(&even[..5]).unwrap()), None);
    assert_eq!(
        interval(&Laplace.fit_location_scale(&[1.0, 3.0, 3.0, 7.0]).unwrap()),
        None
    );
    // ALD: nτ = 10 · 0.3 = 3 is an integer (up to rounding); 10 · 0.35 is not.
    let data = [4.0, 1.0, 9.0, 16.0, 25.0, 36.0, 49.0, 64.0, 81.0, 100.0];
    let ald = |tau| {
        AsymmetricLaplace::new(tau)
            .unwrap()
            .fit_location_scale(&data)
            .unwrap()
    };
    assert_eq!(interval(&ald(0.3)), Some(("mu".into(), 9.0, 16.0, 9.0)));
    assert_eq!(interval(&ald(0.35)), None);
}

#[test]
fn asymmetric_laplace_closed_form_quantiles() {
    let data = [4.0, 1.0, 9.0, 16.0, 25.0, 36.0, 49.0, 64.0, 81.0, 100.0];
    // k = ⌈nτ⌉ on the sorted sample 1, 4, 9, …, 100 (R quantile(type = 1)).
    for (tau, k) in [
        (0.05, 1),
        (0.1, 1),
        (0.25, 3),
        (0.3, 3),
        (0.5, 5),
        (0.55, 6),
        (0.9, 9),
        (0.95, 10),
    ] {
        let ald = AsymmetricLaplace::new(tau).unwrap();
        let fit = ald.fit_location_scale(&data).unwrap();
        let nat = fit.natural_estimates();
        let q = (k * k) as f64;
        assert_eq!(nat[0], q, "τ = {tau}");
        assert_eq!(lower_quantile(&data, tau).unwrap(), (q, k));
        let sigma: f64 = data.iter().map(|x| check_loss(x - q, tau)).sum::<f64>() / 10.0;
        assert_rel(&format!("sigma τ = {tau}"), nat[1], sigma, 1e-15);
        // q̂ minimises the check loss: no order statistic does better.
        for &c in &data {
            let other: f64 = data.iter().map(|x| check_loss(x - c, tau)).sum::<f64>() / 10.0;
            assert!(other >= sigma - 1e-12);
        }
        // Var(μ̂) = τ(1−τ)/(n f̂²), f̂ = τ(1−τ)/σ̂.
        let f = tau * (1.0 - tau) / sigma;
        let se = fit.std_errors().unwrap();
        assert_rel("se mu", se[0], (tau * (1.0 - tau) / (10.0 * f * f)).sqrt(), 1e-14);
        // ℓ = n log(τ(1−τ)) − n log σ̂ − n.
        assert_rel(
            "loglik",
            fit.log_likelihood(),
            10.0 * (tau * (1.0 - tau)).ln() - 10.0 * sigma.ln() - 10.0,
            1e-13,
        );
    }
}

#[test]
fn laplace_is_the_asymmetric_laplace_at_one_half() {
    let data = [0.3, -1.2, 2.5, 0.8, -0.4, 1.9, 0.1, -2.2, 0.6, 1.1, 0.0];
    let lap = Laplace.fit_location_scale(&data).unwrap();
    let ald = AsymmetricLaplace::new(0.5)
        .unwrap()
        .fit_location_scale(&data)
        .unwrap();
    assert_eq!(lap.estimates()[0], ald.estimates()[0]);
    assert_rel(
        "b = 2σ",
        lap.natural_estimates()[1],
        2.0 * ald.natural_estimates()[1],
        1e-15,
    );
    assert_rel(
        "same likelihood",
        lap.log_likelihood(),
        ald.log_likelihood(),
        1e-14,
    );
    assert_rel(
        "same se",
        lap.std_errors().unwrap()[0],
        ald.std_errors().unwrap()[0],
        1e-14,
    );
}

#[test]
fn observed_information_is_refused_with_a_reason() {
    let data = [0.3, -1.2, 2.5, 0.8, -0.4, 1.9, 0.1, -2.2, 0.6, 1.1];
    for fit in [
        Laplace
            .fit_location_scale_with(&data, LocationScaleCovariance::ObservedInformation)
            .unwrap(),
        AsymmetricLaplace::new(0.3)
            .unwrap()
            .fit_location_scale_with(&data, LocationScaleCovariance::ObservedInformation)
            .unwrap(),
    ] {
        assert!(fit.covariance().is_none());
        assert!(fit.std_errors().is_none());
        let reason = fit.covariance_source();
        assert!(
            reason.contains("observed information") && reason.contains("kink"),
            "{reason}"
        );
        // The summary prints the reason instead of numbers.
        assert!(fit
            .to_string()
            .contains("No standard errors: the observed information"));
        // The observed information itself is singular / indefinite (μ block zero).
        assert_eq!(fit.hessian()[(0, 0)], 0.0);
    }
}

#[test]
fn location_sparsity_matches_intercept_only_quantile_regression() {
    // The nonparametric location SE is quantreg's iid SE of rq(x ~ 1): both routes agree.
    let data: Vec<f64> = (0..150)
        .map(|i| (((i * 7919) % 151) as f64 / 15.0).powf(1.3))
        .collect();
    for tau in [0.2, 0.5, 0.8] {
        let ald = AsymmetricLaplace::new(tau).unwrap();
        let fit = ald
            .fit_location_scale_with(&data, LocationScaleCovariance::Sparsity(Bandwidth::HallSheather))
            .unwrap();
        let x = Design::intercept(data.len());
        let rq = QuantileRegression::new(tau)
            .unwrap()
            .with_std_errors(QuantileStdErrors::Iid);
        let reg = rq.fit(&x, &data).unwrap();
        assert_eq!(fit.estimates()[0], reg.estimates()[0]);
        assert_rel("sigma", fit.estimates()[1], reg.estimates()[1], 1e-14);
        let (a, b) = (fit.covariance().unwrap(), reg.fit().covariance().unwrap());
        for (u, v) in a.iter().zip(b.iter()) {
            assert_rel("covariance", *u, *v, 1e-10);
        }
    }
}

#[test]
fn bootstrap_is_reproducible() {
    let (y, x) = load("quantile/engel.csv");
    let boot = |seed| {
        QuantileRegression::new(0.25)
            .unwrap()
            .with_std_errors(QuantileStdErrors::Bootstrap { replicates: 60, seed })
            .fit(&x, &y)
            .unwrap()
    };
    let (a, b, c) = (boot(42), boot(42), boot(43));
    assert_eq!(
        a.std_errors().unwrap(),
        b.std_errors().unwrap(),
        "same seed, same SEs"
    );
    assert_ne!(
        a.std_errors().unwrap(),
        c.std_errors().unwrap(),
        "another seed, other SEs"
    );
    assert!(
        a.covariance_source().contains("xy-pairs bootstrap") && a.covariance_source().contains("seed 42")
    );
    // The same order of magnitude as the nid SEs (21.39, 0.0291 in quantreg).
    let se = a.std_errors().unwrap();
    assert!(
        se[0] > 5.0 && se[0] < 60.0 && se[1] > 0.005 && se[1] < 0.08,
        "{se}"
    );

    let data: Vec<f64> = (0..80).map(|i| ((i * 37) % 83) as f64 - 40.0).collect();
    let lap = |seed| {
        Laplace
            .fit_location_scale_with(
                &data,
                LocationScaleCovariance::Bootstrap {
                    replicates: 200,
                    seed,
                },
            )
            .unwrap()
            .std_errors()
            .unwrap()
    };
    assert_eq!(lap(1), lap(1));
    assert_ne!(lap(1), lap(2));
}

/// The bootstraps run on rayon: the answer is bitwise the same in a 1-thread and a 2-thread
/// pool (each replicate has its own seed; results are collected in replicate order).
#[test]
fn bootstrap_does_not_depend_on_the_thread_count() {
    let (y, x) = load("quantile/engel.csv");
    let data: Vec<f64> = (0..80).map(|i| ((i * 37) % 83) as f64 - 40.0).collect();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let q = QuantileRegression::new(0.25)
                    .unwrap()
                    .with_std_errors(QuantileStdErrors::Bootstrap {
                        replicates: 40,
                        seed: 42,
                    })
                    .fit(&x, &y)
                    .unwrap();
                let l = Laplace
                    .fit_location_scale_with(
                        &data,
                        LocationScaleCovariance::Bootstrap {
                            replicates: 100,
                            seed: 5,
                        },
                    )
                    .unwrap();
                (
                    q.fit().covariance().unwrap().clone(),
                    l.covariance().unwrap().clone(),
                )
            })
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(
        one.0.as_slice(),
        two.0.as_slice(),
        "quantile regression, 1 vs 2 threads"
    );
    assert_eq!(one.1.as_slice(), two.1.as_slice(), "Laplace, 1 vs 2 threads");
}

/// Issue: y = ±1e308 gave standard errors [inf, inf, NaN] (or a NaN scale reported as
/// "σ̂ = 0") with no diagnostic; now a typed error names the overflow and suggests rescaling.
#[test]
fn huge_response_is_a_typed_error_suggesting_rescaling() {
    let x = Design::from_columns(true, &[("x", (0..7).map(f64::from).collect())]).unwrap();
    let y = [1e308, -1e308, 1.0, 2.0, 3.0, 4.0, 5.0];
    let alternating: Vec<f64> = (0..21).map(|i| if i % 2 == 0 { 1e308 } else { -1e308 }).collect();
    let x21 = Design::from_columns(true, &[("x", (0..21).map(f64::from).collect())]).unwrap();
    let overflow = |e: MleError| match e {
        MleError::InvalidParameter { name, reason, .. } => {
            assert_eq!(name, "log_sigma");
            assert!(
                reason.contains("overflows") && reason.contains("rescale"),
                "{reason}"
            );
        }
        other => panic!("expected the overflow error, got {other}"),
    };
    for se in [
        QuantileStdErrors::Nid,
        QuantileStdErrors::Bootstrap {
            replicates: 20,
            seed: 1,
        },
    ] {
        overflow(
            QuantileRegression::median()
                .with_std_errors(se)
                .fit(&x, &y)
                .unwrap_err(),
        );
        overflow(
            QuantileRegression::median()
                .with_std_errors(se)
                .fit(&x21, &alternating)
                .unwrap_err(),
        );
    }
    overflow(
        QuantileRegression::median()
            .with_std_errors(QuantileStdErrors::Iid)
            .fit(&Design::intercept(7), &y)
            .unwrap_err(),
    );
    // The same data divided by 1e300 fit normally.
    let scaled: Vec<f64> = y.iter().map(|v| v / 1e300).collect();
    let fit = QuantileRegression::median()
        .with_std_errors(QuantileStdErrors::Bootstrap {
            replicates: 20,
            seed: 1,
        })
        .fit(&x, &scaled)
        .unwrap();
    assert!(fit.std_errors().unwrap().iter().all(|v| v.is_finite()));
    // The closed-form Laplace fit: its Var(μ̂) = b̂²/n overflows.
    match Laplace.fit_location_scale(&y).unwrap_err() {
        MleError::InvalidParameter { name, reason, .. } => {
            assert_eq!(name, "log_b");
            assert!(reason.contains("rescale"), "{reason}");
        }
        other => panic!("{other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input: typed errors, never a panic.
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_input_gives_typed_errors() {
    for tau in [0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(QuantileRegression::new(tau), Err(MleError::TauOutOfRange { .. })),
            "τ = {tau}"
        );
        assert!(
            matches!(AsymmetricLaplace::new(tau), Err(MleError::TauOutOfRange { .. })),
            "τ = {tau}"
        );
    }
    // Empty data.
    assert!(matches!(
        Laplace.fit_location_scale(&[]),
        Err(MleError::EmptyData)
    ));
    assert!(matches!(
        AsymmetricLaplace::new(0.2).unwrap().fit_location_scale(&[]),
        Err(MleError::EmptyData)
    ));
    let x = Design::from_columns(true, &[("x", vec![1.0, 2.0, 3.0, 4.0])]).unwrap();
    let q = QuantileRegression::median();
    assert!(matches!(q.solve(&x, &[]), Err(MleError::EmptyData)));
    assert!(matches!(q.fit(&x, &[]), Err(MleError::EmptyData)));
    // Non-finite values.
    assert!(matches!(
        Laplace.fit_location_scale(&[1.0, f64::NAN, 2.0]),
        Err(MleError::NonFiniteObservation { index: 1 })
    ));
    assert!(matches!(
        q.fit(&x, &[1.0, 2.0, f64::INFINITY, 3.0]),
        Err(MleError::NonFiniteObservation { index: 2 })
    ));
    assert!(matches!(
        Design::from_columns(true, &[("x", vec![1.0, f64::NAN])]),
        Err(MleError::InvalidDesign { .. })
    ));
    // Length mismatch.
    assert!(matches!(
        q.fit(&x, &[1.0, 2.0, 3.0]),
        Err(MleError::DimensionMismatch { .. })
    ));
    assert!(matches!(
        q.solve(&x, &[1.0, 2.0, 3.0, 4.0, 5.0]),
        Err(MleError::DimensionMismatch { .. })
    ));
    // Rank-deficient designs (collinear columns; more columns than rows).
    let collinear = Design::from_columns(
        true,
        &[("a", vec![1.0, 2.0, 3.0, 4.0]), ("b", vec![2.0, 4.0, 6.0, 8.0])],
    )
    .unwrap();
    assert!(matches!(
        q.fit(&collinear, &[1.0, 3.0, 2.0, 5.0]),
        Err(MleError::RankDeficient { .. })
    ));
    let wide = Design::from_columns(true, &[("a", vec![1.0, 2.0]), ("b", vec![0.0, 5.0])]).unwrap();
    assert!(matches!(
        q.solve(&wide, &[1.0, 2.0]),
        Err(MleError::RankDeficient { .. })
    ));
    let empty = Design::new(DMatrix::zeros(4, 0), Vec::<String>::new()).unwrap();
    assert!(matches!(
        q.fit(&empty, &[1.0, 2.0, 3.0, 4.0]),
        Err(MleError::InvalidDesign { .. })
    ));
    // σ̂ = 0: a perfect fit (n = p) or constant data is on the boundary.
    let square = Design::from_columns(true, &[("x", vec![1.0, 2.0])]).unwrap();
    assert!(q.solve(&square, &[1.0, 5.0]).is_ok());
    assert!(matches!(
        q.fit(&square, &[1.0, 5.0]),
        Err(MleError::InvalidParameter { .. })
    ));
    assert!(matches!(
        Laplace.fit_location_scale(&[2.0, 2.0, 2.0]),
        Err(MleError::InvalidParameter { .. })
    ));
    // Bootstrap needs replicates; iid needs enough observations.
    let y = [1.0, 2.5, 2.0, 4.5];
    let bad_boot = q.with_std_errors(QuantileStdErrors::Bootstrap {
        replicates: 1,
        seed: 0,
    });
    assert!(matches!(
        bad_boot.fit(&x, &y),
        Err(MleError::TooFewReplicates { .. })
    ));
    assert!(matches!(
        Laplace.fit_location_scale_with(
            &y,
            LocationScaleCovariance::Bootstrap {
                replicates: 0,
                seed: 0
            }
        ),
        Err(MleError::TooFewReplicates { .. })
    ));
    assert!(matches!(
        q.with_std_errors(QuantileStdErrors::Iid).fit(&x, &y),
        Err(MleError::TooFewResidualsForSparsity { .. })
    ));
    // Wrong parameter vector for the objective.
    let obj = QuantileRegressionObjective::new(0.5, &x, &y).unwrap();
    assert!(obj.log_likelihood(&[0.0, 1.0]).is_err());
    assert!(obj.check_loss(&[0.0]).is_err());
}

// ---------------------------------------------------------------------------------------------
// Interior point + vertex step against the simplex; optimality on larger problems.
// ---------------------------------------------------------------------------------------------

#[path = "../benches/support/data.rs"]
mod data;
use data::SplitMix64 as Rng;

fn synthetic(n: usize, p: usize, seed: u64, integer: bool) -> (Vec<f64>, Design) {
    let mut rng = Rng(seed);
    let mut cols = Vec::new();
    for j in 1..p {
        let c: Vec<f64> = (0..n)
            .map(|_| {
                if integer {
                    (rng.uniform() * 6.0).floor()
                } else {
                    rng.normal() * j as f64
                }
            })
            .collect();
        cols.push((format!("x{j}"), c));
    }
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let mut v = 1.0;
            for (j, (_, c)) in cols.iter().enumerate() {
                v += 0.5 * (j + 1) as f64 * c[i];
            }
            let e = rng.normal() * (1.0 + 0.5 * cols.first().map_or(0.0, |c| c.1[i].abs()));
            if integer {
                (v + e).round()
            } else {
                v + e
            }
        })
        .collect();
    let named: Vec<(&str, Vec<f64>)> = cols.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
    (y, Design::from_columns(true, &named).unwrap())
}

/// Optimality, checked independently of the solvers: the check loss does not decrease in any
/// of many random directions (convexity makes that a necessary condition, and a strong test);
/// with `nondegenerate`, also the subgradient condition at the vertex (dual values of the
/// basic observations in [τ − 1, τ], with ψᵢ = τ − 1{rᵢ < 0} for the others).
fn assert_optimal(
    x: &Design,
    y: &[f64],
    tau: f64,
    s: &mle::models::quantile::QuantileSolution,
    nondegenerate: bool,
) {
    let p = x.ncols();
    let m = x.matrix();
    let loss = |b: &[f64]| -> f64 {
        y.iter()
            .enumerate()
            .map(|(i, yi)| check_loss(yi - (0..p).map(|j| m[(i, j)] * b[j]).sum::<f64>(), tau))
            .sum()
    };
    let beta: Vec<f64> = s.coefficients.iter().copied().collect();
    let at = loss(&beta);
    assert_rel("objective", s.objective, at, 1e-12);
    let mut rng = Rng(99);
    for _ in 0..200 {
        let step = 1e-6 * (1.0 + rng.uniform() * 10.0);
        let b: Vec<f64> = beta
            .iter()
            .map(|v| v + step * rng.normal() * (1.0 + v.abs()))
            .collect();
        assert!(
            loss(&b) >= at - 1e-9 * at.abs(),
            "a random direction decreases the check loss"
        );
    }
    for &b in &s.basis {
        assert_eq!(s.residuals[b], 0.0);
    }
    if nondegenerate {
        let xb = DMatrix::from_fn(p, p, |a, j| m[(s.basis[a], j)]);
        let mut a = vec![0.0; p];
        for (i, &r) in s.residuals.iter().enumerate() {
            if !s.basis.contains(&i) {
                let psi = if r < 0.0 { tau - 1.0 } else { tau };
                for (j, aj) in a.iter_mut().enumerate() {
                    *aj += psi * m[(i, j)];
                }
            }
        }
        let d = -xb.transpose().lu().solve(&DVector::from_vec(a)).unwrap();
        for dk in d.iter() {
            assert!(
                *dk >= tau - 1.0 - 1e-8 && *dk <= tau + 1e-8,
                "dual value {dk} outside [τ−1, τ]"
            );
        }
    }
}

#[test]
fn interior_point_vertex_equals_simplex() {
    let mut worst = 0.0f64;
    for (case, (n, p, integer)) in [(400, 3, false), (1500, 6, false), (900, 4, true), (60, 2, true)]
        .into_iter()
        .enumerate()
    {
        let (y, x) = synthetic(n, p, 1000 + case as u64, integer);
        for tau in [0.1, 0.37, 0.5, 0.9] {
            let br = QuantileRegression::new(tau)
                .unwrap()
                .with_algorithm(QuantileAlgorithm::BarrodaleRoberts);
            let ip = QuantileRegression::new(tau)
                .unwrap()
                .with_algorithm(QuantileAlgorithm::FrischNewton);
            let (a, b) = (br.solve(&x, &y).unwrap(), ip.solve(&x, &y).unwrap());
            assert_optimal(&x, &y, tau, &a, !integer);
            assert_optimal(&x, &y, tau, &b, !integer);
            let d = rel_diff(b.objective, a.objective);
            assert!(
                d < 1e-12,
                "n = {n}, p = {p}, τ = {tau}: {} vs {}",
                b.objective,
                a.objective
            );
            if !integer {
                // Continuous data: unique vertex.
                for (u, v) in a.coefficients.iter().zip(b.coefficients.iter()) {
                    assert!(rel_diff(*v, *u) < 1e-9, "{u} vs {v}");
                }
            }
            worst = worst.max(d);
        }
    }
    println!("interior point vs simplex: worst relative objective difference {worst:.2e}");
}

#[test]
fn large_problem_is_exact_and_fast() {
    let (y, x) = synthetic(100_000, 10, 7, false);
    let q = QuantileRegression::median();
    let start = std::time::Instant::now();
    let s = q.solve(&x, &y).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(s.algorithm, QuantileAlgorithm::FrischNewton);
    assert_optimal(&x, &y, 0.5, &s, true);
    println!(
        "n = 1e5, p = 10: {:?} ({} interior-point iterations, {} vertex pivots)",
        elapsed, s.interior_point_iterations, s.simplex_pivots
    );
    let fit = q.fit(&x, &y).unwrap();
    let se = fit.std_errors().unwrap();
    assert!(se.iter().all(|v| v.is_finite() && *v > 0.0));
}

/// Non-unique problems (integer data; quantreg warns "Solution may be nonunique"): the
/// Barrodale–Roberts pivoting rules end at quantreg's vertex, and the flag agrees. Generated
/// in R 4.2.2 / quantreg 5.94 with `set.seed(7)`, X = cbind(1, integer 0..3 columns),
/// y integer 0..5, `rq.fit(X, y, tau, method = "br")`; digits below are y and the columns.
#[test]
fn nonunique_problems_end_at_quantregs_vertex() {
    let cases: [(&str, &[&str], f64, &[f64]); 4] = [
        (
            "132413102140553132354302142100354415320043025405143534442220004540242251225154421421141343535320514135223211351513040250555455541355311025404002224215",
            &["213303123111323120312003312333113011031320031313302032321000323310103020131233031330121021022212311300030321232021313013010312230231231021131101203021"],
            0.5,
            &[3.0, -5.551115123125783e-17],
        ),
        (
            "340515320544215433553522544302353232333042431311321550245402314343440355435024104245255012152025344211405353132210102413534551335333305214043511401200",
            &[
                "120010033332130123211032021311033002302321022333003311212101212030221303121300333200233321201301120203201223002331311022311303130232103032000330002323",
                "100110023322223221211013000100232022232223132233301121230331222311210200333223332230203220213110120302011221313000133331022210300031221101200301331301",
                "132020302221210232032232002220121123123331310322101023110322231023113010011121131011331020233001003102202112322323310100301102331111102303033300101323",
            ],
            0.5,
            &[3.0, -7.401486830834377e-17, 6.167905692361981e-17, 6.16790569236199e-18],
        ),
        (
            "451153152331025000132101501124203035043432343110333550525532140444005401355210244322155221554005154115501554554542421354342030430410132442345313040043",
            &[
                "213321002103032221213102112330032201130231211023010022321300203212232202033301113321321230323331130101221000201132220233033022023122133013131131102313",
                "002320123333233012202033232312022213120111301222312322223332031233113010113213022133223310030330231310002310320232211112203102103022002102230200023203",
            ],
            0.75,
            &[3.9999999999999996, -1.387778780781446e-16, 1.4802973661668753e-16],
        ),
        (
            "304421102201",
            &["112120133023", "232310203231", "211200010130"],
            0.9,
            &[1.0, 1.0, -2.220446049250313e-16, 1.0000000000000002],
        ),
    ];
    let digits = |s: &str| -> Vec<f64> { s.bytes().map(|b| f64::from(b - b'0')).collect() };
    for (k, (y, cols, tau, coef)) in cases.into_iter().enumerate() {
        let y = digits(y);
        let named: Vec<(String, Vec<f64>)> = cols
            .iter()
            .enumerate()
            .map(|(j, c)| (format!("x{}", j + 1), digits(c)))
            .collect();
        let refs: Vec<(&str, Vec<f64>)> = named.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
        let x = Design::from_columns(true, &refs).unwrap();
        let br = QuantileRegression::new(tau)
            .unwrap()
            .with_algorithm(QuantileAlgorithm::BarrodaleRoberts);
        let s = br.solve(&x, &y).unwrap();
        assert!(s.possibly_nonunique, "case {k}");
        for (j, (&ours, &r)) in s.coefficients.iter().zip(coef).enumerate() {
            assert!(
                (ours - r).abs() <= 1e-12 * (1.0 + r.abs()),
                "case {k}, coefficient {j}: {ours} vs quantreg {r}"
            );
        }
        // The interior point reaches the same minimum (possibly another vertex of the face).
        let ip = br
            .with_algorithm(QuantileAlgorithm::FrischNewton)
            .solve(&x, &y)
            .unwrap();
        assert_rel("objective", ip.objective, s.objective, 1e-12);
    }
}

/// Large integer-valued data: many exact zero residuals (degenerate vertices) through the
/// preprocessed interior point and the vertex step; optimality checked independently.
#[test]
fn large_degenerate_problem_is_exact() {
    let (y, x) = synthetic(30_000, 4, 11, true);
    for tau in [0.5, 0.8] {
        let s = QuantileRegression::new(tau)
            .unwrap()
            .with_algorithm(QuantileAlgorithm::FrischNewton)
            .solve(&x, &y)
            .unwrap();
        assert_optimal(&x, &y, tau, &s, false);
    }
}
