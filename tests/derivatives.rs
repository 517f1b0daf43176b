//! Exact (dual-number) gradients and Hessians against central finite differences at random
//! points, for every family and the closure example. Finite differences live only here.

mod support;

use mle::prelude::*;
use proptest::prelude::*;
use support::{finite_difference_gradient_hessian, weibull_closure};

fn check<K: DensityKernel<P>, const P: usize>(kernel: &K, data: &[K::Obs], theta: [f64; P]) {
    let obj = DataObjective::new(kernel, data).unwrap();
    let e = obj.evaluate(&theta).unwrap();
    let (g, h) = finite_difference_gradient_hessian(|t| obj.log_likelihood(t).unwrap(), &theta);
    let scale = e.value.abs().max(1.0);
    for i in 0..P {
        let gi = e.gradient[i];
        assert!(
            (gi - g[i]).abs() <= 1e-7 * scale.max(gi.abs()),
            "gradient {i}: {gi} vs {}",
            g[i]
        );
        for (j, hij) in h[i].iter().enumerate() {
            let exact = e.hessian[(i, j)];
            assert!(
                (exact - hij).abs() <= 1e-4 * scale.max(exact.abs()),
                "hessian {i},{j}: {exact} vs {hij}"
            );
        }
    }
    // Scores sum to the gradient; value_gradient agrees with the fused pass.
    let s = obj.scores(&theta).unwrap();
    let (v, g2) = obj.value_gradient(&theta).unwrap();
    assert!((v - e.value).abs() <= 1e-12 * scale);
    for i in 0..P {
        let col: f64 = s.column(i).iter().sum();
        assert!((col - e.gradient[i]).abs() <= 1e-10 * scale);
        assert!((g2[i] - e.gradient[i]).abs() <= 1e-10 * scale);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn gaussian(mu in -5.0..5.0f64, log_sigma in -1.0..1.5f64, xs in prop::collection::vec(-10.0..10.0f64, 1..20)) {
        check(&Gaussian, &xs, [mu, log_sigma]);
    }

    #[test]
    fn bernoulli(logit in -6.0..6.0f64, ys in prop::collection::vec(prop::bool::ANY, 1..30)) {
        let ys: Vec<f64> = ys.into_iter().map(|b| if b { 1.0 } else { 0.0 }).collect();
        check(&Bernoulli, &ys, [logit]);
    }

    #[test]
    fn weibull_closure_derivatives(log_k in -0.5..1.2f64, log_l in -1.0..2.0f64, xs in prop::collection::vec(0.1..5.0f64, 1..20)) {
        check(&weibull_closure(), &xs, [log_k, log_l]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The Gaussian's log-likelihood from its sufficient statistics (what the i.i.d.
    /// objective evaluates) and its block log-density are the same function as the
    /// per-observation form summed one observation at a time, with and without weights (zero
    /// weights included), for the value, the value-and-gradient and the fused evaluation.
    #[test]
    fn gaussian_statistics_and_block_equal_per_observation_sum(
        mu in -5.0..5.0f64, log_sigma in -1.0..1.5f64,
        xw in prop::collection::vec((-10.0..10.0f64, 0.0..3.0f64), 1..600),
    ) {
        let (xs, ws): (Vec<f64>, Vec<f64>) = xw.into_iter().unzip();
        let theta = [mu, log_sigma];
        for weights in [None, Some(&ws[..])] {
            let mut obj = DataObjective::new(&Gaussian, &xs).unwrap();
            if let Some(w) = weights {
                if w.iter().all(|v| *v == 0.0) { continue; }
                obj = obj.with_weights(w).unwrap();
            }
            let e = obj.evaluate(&theta).unwrap();
            let mut v = 0.0;
            let mut g = [0.0; 2];
            let mut h = [[0.0; 2]; 2];
            for (i, x) in xs.iter().enumerate() {
                let w = weights.map_or(1.0, |w| w[i]);
                let (vi, gi, hi) = Gaussian.value_gradient_hessian(&theta, x);
                v += w * vi;
                for a in 0..2 {
                    g[a] += w * gi[a];
                    for b in 0..2 { h[a][b] += w * hi[(a, b)]; }
                }
            }
            let tol = 1e-10 * (1.0 + v.abs());
            prop_assert!((e.value - v).abs() <= tol);
            prop_assert!((obj.log_likelihood(&theta).unwrap() - v).abs() <= tol);
            let (v2, g2) = obj.value_gradient(&theta).unwrap();
            prop_assert!((v2 - v).abs() <= tol);
            let block = Gaussian.ln_density_block(&theta, &xs, weights);
            prop_assert!((block - v).abs() <= tol);
            for a in 0..2 {
                prop_assert!((g2[a] - g[a]).abs() <= tol);
                prop_assert!((e.gradient[a] - g[a]).abs() <= tol);
                for (b, hab) in h[a].iter().enumerate() { prop_assert!((e.hessian[(a, b)] - hab).abs() <= tol); }
            }
        }
    }
}
