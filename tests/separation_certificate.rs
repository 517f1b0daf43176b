//! The cheap certificates of the logistic separation check never certify separated data:
//! on data separated along a direction d, the log-likelihood along β = t·d climbs towards 0
//! with a gradient and a Newton decrement that vanish as t grows — the adversarial case for
//! a certificate built from the fit's gradient and Hessian. Every certificate must still
//! refuse, and the full check must say "separated"; on overlapping data with one strong
//! predictor the margin certificate holds and agrees with the full check.

use mle::models::separation_check::{check_separation, finite_by_margin_bounds, FitState, SeparationCheck};
use mle::prelude::*;
use nalgebra::DMatrix;
use proptest::prelude::*;

#[path = "../benches/support/data.rs"]
mod data;

fn design(rows: &[(f64, f64)]) -> Design {
    let m = DMatrix::from_fn(rows.len(), 3, |i, j| match j {
        0 => 1.0,
        1 => rows[i].0,
        _ => rows[i].1,
    });
    Design::new(m, ["(Intercept)", "x1", "x2"].map(String::from)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn margin_certificate_refuses_separated_data_along_the_recession_direction(
        rows in prop::collection::vec((-3.0..3.0f64, -3.0..3.0f64), 12..60),
        (d1, d2) in (-2.0..2.0f64, -2.0..2.0f64),
        c in -0.5..0.5f64,
    ) {
        let d = [c, d1, d2];
        let x = design(&rows);
        let score = |i: usize| d[0] + d[1] * rows[i].0 + d[2] * rows[i].1;
        let y: Vec<f64> = (0..rows.len()).map(|i| f64::from(score(i) > 0.0)).collect();
        // Both classes present and no row on the hyperplane: strictly separated.
        prop_assume!(y.contains(&1.0) && y.contains(&0.0));
        prop_assume!((0..rows.len()).all(|i| score(i).abs() > 1e-3));
        let model = Regression::logistic(&x, &y).unwrap();
        let objective = model.linear_objective();
        for t in [1.0, 5.0, 20.0, 80.0, 320.0] {
            let beta = d.map(|v| v * t);
            let e = objective.evaluate(&beta).unwrap();
            let eta = objective.linear_predictors(&beta).unwrap();
            prop_assert!(!finite_by_margin_bounds(&x, &y, eta.as_slice(), &e.gradient, &e.hessian), "certified at t = {t}");
            let state = FitState { eta: eta.as_slice(), gradient: &e.gradient, hessian: &e.hessian };
            let verdict = check_separation(&x, &y, Some(state)).unwrap();
            prop_assert!(matches!(verdict, SeparationCheck::Separated(_)), "t = {t}: {verdict:?}");
        }
    }
}

#[test]
fn margin_certificate_holds_with_one_strong_predictor_and_agrees_with_the_full_check() {
    // y ~ Bernoulli(σ(0.5 + 12 x1 + 0.5 x2)) on a fixed grid-like sample: overlapping
    // classes, many margins beyond 20 at the fit.
    let mut g = data::SplitMix64(11);
    let mut uniform = move || g.uniform();
    let rows: Vec<(f64, f64)> = (0..40_000)
        .map(|_| (6.0 * uniform() - 3.0, 6.0 * uniform() - 3.0))
        .collect();
    let y: Vec<f64> = rows
        .iter()
        .map(|(a, b)| f64::from(uniform() < 1.0 / (1.0 + (-(0.5 + 12.0 * a + 0.5 * b)).exp())))
        .collect();
    let x = design(&rows);
    let model = Regression::logistic(&x, &y).unwrap();
    let objective = model.linear_objective();
    let fit = FitOptions::newton()
        .fit(objective, &model.start_values())
        .unwrap();
    assert!(fit.convergence().converged());
    let eta = objective.linear_predictors(fit.estimates().as_slice()).unwrap();
    assert!(
        eta.iter()
            .zip(&y)
            .filter(|(e, y)| (2.0 * **y - 1.0) * **e > 20.0)
            .count()
            > 100
    );
    assert!(finite_by_margin_bounds(
        &x,
        &y,
        eta.as_slice(),
        fit.gradient(),
        fit.hessian()
    ));
    let state = FitState {
        eta: eta.as_slice(),
        gradient: fit.gradient(),
        hessian: fit.hessian(),
    };
    assert_eq!(
        check_separation(&x, &y, Some(state)).unwrap(),
        SeparationCheck::Finite
    );
    // The model's own fit takes the same path and reports the same estimate.
    let full = model.fit().unwrap();
    assert_eq!(full.estimates(), fit.estimates());
    assert!(full.diagnostics().is_empty());
}
