//! Property tests throwing random and hostile inputs at every family and regression: empty
//! data, single observations, constant and duplicated columns, NaN, ±∞, huge magnitudes
//! (1e300), all-one responses. Every call must return a typed error or a fit (possibly
//! flagged) — never panic. Degenerate data (all-zero counts, constant responses, invalid rank
//! tolerances, mismatched lengths) must moreover be flagged or be typed errors.
//! 2×30 000 + 2×20 000 + 3 000 + 5 000 = 108 000 generated cases.

use mle::models::separation::detect_separation;
use mle::prelude::*;
use proptest::prelude::*;

/// Ordinary values mixed with hostile ones.
fn hostile() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -10.0..10.0f64,
        1 => Just(0.0),
        1 => Just(1.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(1e300),
        1 => Just(-1e300),
        1 => Just(1e-300),
    ]
}

fn binary() -> impl Strategy<Value = f64> {
    prop_oneof![4 => Just(0.0), 4 => Just(1.0), 1 => Just(2.0), 1 => Just(f64::NAN), 1 => Just(0.5)]
}

/// A design with 1–3 columns: intercept, random, constant or duplicated columns.
fn design(n: usize, kind: u8, values: &[f64]) -> Result<Design, MleError> {
    let col = |k: usize| -> Vec<f64> {
        (0..n)
            .map(|i| values.get(k * n + i).copied().unwrap_or(0.5))
            .collect()
    };
    match kind % 5 {
        0 => Design::from_columns(true, &[]),
        1 => Design::from_columns(true, &[("x", col(0))]),
        2 => Design::from_columns(true, &[("x", col(0)), ("x2", col(1))]),
        3 => Design::from_columns(true, &[("x", col(0)), ("dup", col(0))]),
        _ => Design::from_columns(true, &[("x", col(0)), ("const", vec![3.0; n])]),
    }
    .and_then(|d| {
        if d.nrows() == n {
            Ok(d)
        } else {
            Design::new(DMatrix::from_element(n.max(1), 1, 1.0), ["(Intercept)"])
        }
    })
}

fn check<T>(r: Result<T, MleError>) {
    // Reaching here means no panic; errors must render a message.
    if let Err(e) = r {
        assert!(!e.to_string().is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 30_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn iid_families_never_panic(xs in prop::collection::vec(hostile(), 0..12), ys in prop::collection::vec(binary(), 0..12)) {
        check(Gaussian.fit(&xs));
        check(Bernoulli.fit(&ys));
        check(Categorical::<2>.fit(&ys));
        if let Ok(obj) = DataObjective::new(&Gaussian, &xs) {
            check(FitOptions::newton().max_iterations(30).fit(&obj, &[0.0, 0.0]));
            check(FitOptions::bfgs().max_iterations(30).fit(&obj, &[xs[0], 1e300]));
        }
    }

    #[test]
    fn closures_and_options_never_panic(xs in prop::collection::vec(hostile(), 0..10), start in hostile(), iters in 0u64..5) {
        let expo = ClosureDensity::new(vec![Parameter::log_scale("rate")], |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x)
            .with_support(|x: &f64| if *x >= 0.0 { Ok(()) } else { Err("negative".into()) });
        if let Ok(obj) = DataObjective::new(&expo, &xs) {
            check(FitOptions::newton().max_iterations(iters).fit(&obj, &[start]));
            check(FitOptions::levenberg_marquardt().max_iterations(iters + 1).fit(&obj, &[start]));
            check(FitOptions::lbfgs().max_iterations(iters + 1).fit(&obj, &[start]));
            check(FitOptions::newton().decrement_tolerance(start).fit(&obj, &[0.0]));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn glm_regressions_never_panic(n in 0usize..10, kind in 0u8..5, values in prop::collection::vec(hostile(), 30), ys in prop::collection::vec(binary(), 10)) {
        let y: Vec<f64> = ys.into_iter().take(n).collect();
        if let Ok(x) = design(n, kind, &values) {
            check(Regression::logistic(&x, &y).and_then(|m| m.fit()));
            check(detect_separation(&x, &y));
            check(Regression::poisson(&x, &y).and_then(|m| m.fit()));
            check(Regression::<Categorical<2>, 2>::multinomial(&x, &y).and_then(|m| m.fit()));
            let ones = vec![1.0; y.len()];
            check(Regression::logistic(&x, &ones).and_then(|m| m.fit()));
        }
    }

    #[test]
    fn gaussian_regressions_never_panic(n in 0usize..10, kind in 0u8..5, values in prop::collection::vec(hostile(), 30), ys in prop::collection::vec(hostile(), 10)) {
        let y: Vec<f64> = ys.into_iter().take(n).collect();
        if let Ok(x) = design(n, kind, &values) {
            check(LinearRegression::new(&x, &y).and_then(|m| m.fit()));
            let z = Design::intercept(n.max(1));
            check(Regression::heteroscedastic(&x, &z, &y).and_then(|m| m.fit()));
            let w: Vec<f64> = y.iter().map(|v| v.abs()).collect();
            check(LinearRegression::new(&x, &y).and_then(|m| m.weights(&w)).and_then(|m| m.fit()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn robust_regression_never_panics(n in 0usize..8, kind in 0u8..5, values in prop::collection::vec(hostile(), 24), ys in prop::collection::vec(hostile(), 8), df in hostile()) {
        let y: Vec<f64> = ys.into_iter().take(n).collect();
        if let Ok(x) = design(n, kind, &values) {
            check(Regression::student_t(&x, &y).and_then(|m| m.fixed_df(df)).and_then(|m| m.fit()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn degenerate_data_is_flagged_or_a_typed_error(n in 1usize..10, kind in 0u8..5, values in prop::collection::vec(hostile(), 30), c in -1e6..1e6f64, tol in hostile(), wlen in 0usize..12) {
        if let Ok(x) = design(n, kind, &values) {
            // All-zero counts: the MLE is infinite, so a fit must say so.
            let zeros = vec![0.0; n];
            if let Ok(fit) = Regression::poisson(&x, &zeros).and_then(|m| m.fit()) {
                prop_assert!(fit.diagnostics().iter().any(|d| matches!(d, Diagnostic::Separation { .. })), "{}", fit);
                prop_assert!(fit.estimates().iter().any(|b| b.is_infinite()), "{}", fit);
            }
            // A constant response is an exact fit: σ̂ = 0, ℓ = +∞ (never a huge finite ℓ).
            let constant = vec![c; n];
            if let Ok(fit) = LinearRegression::new(&x, &constant).and_then(|m| m.fit()) {
                prop_assert_eq!(fit.log_likelihood(), f64::INFINITY, "{}", fit);
            }
            // Rank tolerance: NaN, negative or infinite is a typed error, never Ok.
            let r = x.check_rank(tol);
            if !(tol.is_finite() && tol >= 0.0) {
                prop_assert!(matches!(r, Err(MleError::ToleranceNotPositive { .. })), "{:?}", r);
            }
            check(r);
        }
        // Mismatched lengths in public helpers: typed errors.
        let xs: Vec<f64> = values.iter().take(n).map(|v| if v.is_finite() { *v } else { 0.0 }).collect();
        let w = vec![1.0; wlen];
        let s = mle::families::gaussian::GaussianSufficientStatistics::from_data(&xs, Some(&w));
        prop_assert_eq!(s.is_err(), wlen != xs.len());
        let params: Vec<Parameter> = (0..n.min(4)).map(|j| Parameter::identity(format!("b{j}"))).collect();
        let b = Fit::on_boundary("m", params, &w, 0.0, n, Convergence::closed_form("x"));
        prop_assert_eq!(b.is_err(), wlen != n.min(4));
    }
}
