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
        assert!((e.gradient[i] - g[i]).abs() <= 1e-6 * scale, "gradient {i}: {} vs {}", e.gradient[i], g[i]);
        for j in 0..P {
            assert!(
                (e.hessian[(i, j)] - h[i][j]).abs() <= 1e-4 * scale,
                "hessian {i},{j}: {} vs {}",
                e.hessian[(i, j)],
                h[i][j]
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
