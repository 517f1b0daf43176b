//! `log_density!` bodies that are polynomials in data atoms get sufficient statistics at
//! compile time: the log-likelihood, gradient and Hessian from the statistics equal the
//! per-observation sums (the same body at second-order duals, observation by observation),
//! for data far from zero (the centring), with weights, and the fits reproduce closed forms.
//! Bodies the macro cannot read keep the per-observation path.

use mle::core::density::DensityKernel;
use mle::core::nalgebra::SMatrix;
use mle::core::special::ln_gamma;
use mle::prelude::*;
use proptest::prelude::*;

#[path = "../benches/support/data.rs"]
mod data;

const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

log_density! {
    /// Gaussian on (μ, log σ), the small-fits benchmark's density.
    pub struct Normal;
    params: [Parameter::identity("mu"), Parameter::log_scale("sigma")],
    |t, x: &f64| {
        let z = (t[0] - *x) * (-t[1]).exp();
        -(z * z) * 0.5 - t[1] - HALF_LN_2PI
    }
}

log_density! {
    /// Straight-line regression y = a + b·x + σε, written with `powi` and a division.
    pub struct Line;
    params: [Parameter::identity("a"), Parameter::identity("b"), Parameter::log_scale("sigma")],
    |t, &(x, y): &(f64, f64)| {
        let sigma = t[2].exp();
        -((t[0] + t[1] * x - y) / sigma).powi(2) * 0.5 - t[2] - HALF_LN_2PI
    }
}

log_density! {
    /// Gamma(shape k, rate r) on (log k, log r): linear in the atoms x and ln x.
    pub struct GammaShapeRate;
    params: [Parameter::log_scale("shape"), Parameter::log_scale("rate")],
    support: |x: &f64| if *x > 0.0 { Ok(()) } else { Err(format!("{x} is not positive")) },
    |t, x: &f64| {
        let k = t[0].exp();
        (k - 1.0) * x.ln() - t[1].exp() * *x + k * t[1] - ln_gamma(k)
    }
}

log_density! {
    /// Log-normal with a data-only `let` and a constant `let`.
    pub struct LogNormal;
    params: [Parameter::identity("mu"), Parameter::log_scale("sigma")],
    |t, x: &f64| {
        let lx = x.ln();
        let c = 0.5 * (2.0 * std::f64::consts::PI).ln();
        let z = (t[0] - lx) * (-t[1]).exp();
        -(z * z) * 0.5 - t[1] - c - lx
    }
}

log_density! {
    /// Weibull: exp of a mixed expression, not a polynomial in the data.
    pub struct Weibull;
    params: [Parameter::log_scale("shape"), Parameter::log_scale("scale")],
    |t, x: &f64| {
        let k = t[0].exp();
        let z = -t[1] + x.ln();
        t[0] - t[1] + (k - 1.0) * z - (z * k).exp()
    }
}

/// Relative agreement to `tol` (absolute below 1).
#[track_caller]
fn close(what: &str, got: f64, expected: f64, tol: f64) {
    let scale = expected.abs().max(1.0);
    assert!(
        (got - expected).abs() <= tol * scale,
        "{what}: statistics {got:.17e}, per observation {expected:.17e}"
    );
}

/// Σᵢ wᵢ (ℓᵢ, ∇ℓᵢ, ∇²ℓᵢ), one observation at a time.
fn per_observation<K: DensityKernel<P>, const P: usize>(
    kernel: &K,
    theta: &[f64; P],
    data: &[K::Obs],
    weights: Option<&[f64]>,
) -> (f64, [f64; P], SMatrix<f64, P, P>) {
    let (mut v, mut g, mut h) = (0.0, [0.0; P], SMatrix::<f64, P, P>::zeros());
    for (i, x) in data.iter().enumerate() {
        let w = weights.map_or(1.0, |w| w[i]);
        if w == 0.0 {
            continue;
        }
        let (vi, gi, hi) = kernel.value_gradient_hessian(theta, x);
        v += w * vi;
        for k in 0..P {
            g[k] += w * gi[k];
        }
        h += hi * w;
    }
    (v, g, h)
}

/// The objective (statistics) against the per-observation sums at every θ.
#[track_caller]
fn assert_statistics_agree<K, const P: usize>(
    kernel: &K,
    data: &[K::Obs],
    weights: Option<&[f64]>,
    thetas: &[[f64; P]],
    tol: f64,
) where
    K: LogDensity<P>,
{
    assert!(
        kernel.sufficient_statistics(data, weights).is_some(),
        "{} has statistics",
        kernel.name()
    );
    let objective = DataObjective::new(kernel, data).unwrap();
    let objective = match weights {
        Some(w) => objective.with_weights(w).unwrap(),
        None => objective,
    };
    for theta in thetas {
        let (v, g, h) = per_observation(kernel, theta, data, weights);
        let e = objective.evaluate(theta).unwrap();
        close("value", e.value, v, tol);
        let gscale = g.iter().map(|x| x.abs()).fold(1.0, f64::max);
        let hscale = h.iter().map(|x| x.abs()).fold(1.0, f64::max);
        for i in 0..P {
            close("gradient", e.gradient[i] / gscale, g[i] / gscale, tol);
            for j in 0..P {
                close("Hessian", e.hessian[(i, j)] / hscale, h[(i, j)] / hscale, tol);
            }
        }
        close("log_likelihood", objective.log_likelihood(theta).unwrap(), v, tol);
        let (v1, g1) = objective.value_gradient(theta).unwrap();
        close("value_gradient", v1, v, tol);
        for i in 0..P {
            close("value_gradient", g1[i] / gscale, g[i] / gscale, tol);
        }
    }
}

/// `n` deterministic uniforms in (0, 1): the benches' SplitMix64.
fn uniforms(seed: u64, n: usize) -> Vec<f64> {
    let mut g = data::SplitMix64(seed);
    (0..n).map(|_| g.uniform()).collect()
}

#[test]
fn gaussian_statistics_equal_the_per_observation_sums_far_from_zero() {
    // Mean 10⁶, spread 1: expanded sums of squares (Σx², (Σx)²) would lose 12 digits.
    let data: Vec<f64> = uniforms(1, 500).iter().map(|u| 1e6 + 3.0 * u).collect();
    let thetas = [[1e6 + 1.5, 0.0], [1e6, -1.0], [1e6 + 2.0, 0.7]];
    assert_statistics_agree(&Normal, &data, None, &thetas, 1e-11);
    let weights: Vec<f64> = uniforms(2, 500)
        .iter()
        .map(|u| if *u < 0.2 { 0.0 } else { 4.0 * u })
        .collect();
    assert_statistics_agree(&Normal, &data, Some(&weights), &thetas, 1e-11);
}

#[test]
fn statistics_of_many_rows_are_the_same_on_any_number_of_threads() {
    // 50,000 rows: several of the engine's fixed summation chunks, summed in parallel.
    let data: Vec<f64> = uniforms(8, 50_000).iter().map(|u| 1e3 + 5.0 * u).collect();
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| Normal.sufficient_statistics(&data, None).unwrap())
    };
    assert_eq!(on(1), on(2));
    assert_statistics_agree(&Normal, &data, None, &[[1e3 + 2.0, 0.4], [1e3 + 3.0, 1.0]], 1e-11);
}

#[test]
fn gaussian_macro_fit_is_the_closed_form() {
    let data: Vec<f64> = uniforms(3, 200).iter().map(|u| 50.0 + (u - 0.5) * 8.0).collect();
    let weights: Vec<f64> = uniforms(4, 200).iter().map(|u| 0.5 + u).collect();
    let w: f64 = weights.iter().sum();
    let mean = data.iter().zip(&weights).map(|(x, w)| w * x).sum::<f64>() / w;
    let var = data
        .iter()
        .zip(&weights)
        .map(|(x, wi)| wi * (x - mean) * (x - mean))
        .sum::<f64>()
        / w;
    let objective = DataObjective::new(&Normal, &data)
        .unwrap()
        .with_weights(&weights)
        .unwrap();
    let fit = FitOptions::newton().fit(&objective, &[0.0, 0.0]).unwrap();
    let est = fit.estimates();
    approx::assert_relative_eq!(est[0], mean, max_relative = 1e-13);
    approx::assert_relative_eq!(est[1], var.sqrt().ln(), max_relative = 1e-10);
    // Observed information in (μ, log σ) at the MLE: diag(W/σ², 2W).
    let se = fit.std_errors().unwrap();
    approx::assert_relative_eq!(se[0], (var / w).sqrt(), max_relative = 1e-10);
    let cov = fit.covariance().unwrap();
    approx::assert_relative_eq!(cov[(1, 1)], 1.0 / (2.0 * w), max_relative = 1e-10);
}

#[test]
fn regression_statistics_include_the_cross_moments() {
    let u = uniforms(5, 300);
    let e = uniforms(6, 300);
    let data: Vec<(f64, f64)> = u
        .iter()
        .zip(&e)
        .map(|(u, e)| (1e4 + 10.0 * u, 2.0 - 0.5 * 10.0 * u + (e - 0.5)))
        .collect();
    assert_statistics_agree(&Line, &data, None, &[[1.0, -0.5, -1.0], [5e3, 0.2, 0.3]], 1e-10);
    // Closed form: least squares in the centred cross-products.
    let n = data.len() as f64;
    let (mx, my) = (
        data.iter().map(|d| d.0).sum::<f64>() / n,
        data.iter().map(|d| d.1).sum::<f64>() / n,
    );
    let sxy: f64 = data.iter().map(|d| (d.0 - mx) * (d.1 - my)).sum();
    let sxx: f64 = data.iter().map(|d| (d.0 - mx) * (d.0 - mx)).sum();
    let b = sxy / sxx;
    let a = my - b * mx;
    let rss: f64 = data.iter().map(|d| (d.1 - a - b * d.0).powi(2)).sum();
    let objective = DataObjective::new(&Line, &data).unwrap();
    let fit = FitOptions::newton().fit(&objective, &[a + 0.5, b, 0.0]).unwrap();
    let est = fit.estimates();
    approx::assert_relative_eq!(est[1], b, max_relative = 1e-9);
    approx::assert_relative_eq!(est[0], a, max_relative = 1e-9);
    approx::assert_relative_eq!(est[2], (rss / n).sqrt().ln(), max_relative = 1e-9);
}

#[test]
fn gamma_and_lognormal_statistics_equal_the_per_observation_sums() {
    let data: Vec<f64> = uniforms(7, 400).iter().map(|u| 0.05 + 20.0 * u * u).collect();
    assert_statistics_agree(
        &GammaShapeRate,
        &data,
        None,
        &[[0.3, -1.0], [-0.5, 0.2], [1.5, 1.0]],
        1e-12,
    );
    assert_statistics_agree(&LogNormal, &data, None, &[[0.5, 0.0], [2.0, -0.4]], 1e-12);
    // Log-normal MLE: mean and (n-divisor) variance of ln x.
    let logs: Vec<f64> = data.iter().map(|x| x.ln()).collect();
    let n = logs.len() as f64;
    let m = logs.iter().sum::<f64>() / n;
    let v = logs.iter().map(|l| (l - m) * (l - m)).sum::<f64>() / n;
    let fit = FitOptions::newton()
        .fit(&DataObjective::new(&LogNormal, &data).unwrap(), &[0.0, 0.0])
        .unwrap();
    approx::assert_relative_eq!(fit.estimates()[0], m, max_relative = 1e-12);
    approx::assert_relative_eq!(fit.estimates()[1], v.sqrt().ln(), max_relative = 1e-10);
}

#[test]
fn poisson_with_a_reference_capture_gives_the_sample_mean() {
    let log_factorial: Vec<f64> = (0..20).map(|k| ln_gamma(k as f64 + 1.0)).collect();
    let poisson = log_density! {
        name: "Poisson",
        params: [Parameter::log_scale("mean")],
        captures: { ref log_factorial: Vec<f64> = log_factorial },
        |t, y: &usize| t[0] * *y as f64 - t[0].exp() - log_factorial[*y]
    };
    let data = [0usize, 3, 1, 4, 4, 2, 7, 0, 1];
    assert_statistics_agree(&poisson, &data, None, &[[0.0], [1.2], [-2.0]], 1e-13);
    let fit = FitOptions::newton()
        .fit(&DataObjective::new(&poisson, &data).unwrap(), &[0.0])
        .unwrap();
    let mean = data.iter().sum::<usize>() as f64 / data.len() as f64;
    approx::assert_relative_eq!(fit.natural_estimates()[0], mean, max_relative = 1e-12);
    // Information n/λ̂ on the natural scale ⇒ SE(λ̂) = √(λ̂/n).
    let se = fit.natural_std_errors().unwrap();
    approx::assert_relative_eq!(se[0], (mean / data.len() as f64).sqrt(), max_relative = 1e-10);
}

#[test]
fn bodies_the_macro_cannot_read_keep_the_per_observation_path() {
    let data = [1.0, 2.0, 3.5];
    assert!(Weibull.sufficient_statistics(&data, None).is_none());
    let branch = log_density! {
        name: "branch",
        params: [Parameter::identity("mu")],
        |t, x: &f64| if *x > 2.0 { -(t[0] - *x) * (t[0] - *x) } else { t[0] * 0.0 }
    };
    assert!(branch.sufficient_statistics(&data, None).is_none());
    let early = log_density! {
        name: "early return",
        params: [Parameter::identity("mu")],
        |t, x: &f64| {
            if *x > 2.0 {
                return t[0] * 0.0;
            }
            -(t[0] - *x) * (t[0] - *x)
        }
    };
    assert!(early.sufficient_statistics(&data, None).is_none());
    let shadowed = log_density! {
        name: "shadowed",
        params: [Parameter::identity("mu")],
        |t, x: &f64| {
            let z = t[0] - *x;
            let z = z * z;
            -z
        }
    };
    assert!(shadowed.sufficient_statistics(&data, None).is_none());
    let absolute = log_density! {
        name: "Laplace",
        params: [Parameter::identity("mu")],
        |t, x: &f64| -(t[0] - *x).abs()
    };
    assert!(absolute.sufficient_statistics(&data, None).is_none());
    // Per observation, the values are still those of the body.
    let objective = DataObjective::new(&absolute, &data).unwrap();
    assert_eq!(objective.log_likelihood(&[2.0]).unwrap(), -2.5);
}

#[test]
fn generic_number_code_on_either_side_compiles_and_agrees() {
    // The data side written for the generic D (`D::from`, `D::zero()`, `.re()`): compiled at
    // f64 in the statistics. A constant `let` read by the θ side only is kept; one read by
    // the data side makes the macro keep the per-observation path.
    let generic = log_density! {
        name: "generic",
        params: [Parameter::identity("mu"), Parameter::log_scale("sigma")],
        |t, x: &f64| {
            let half = D::from(0.5);
            let shifted = D::from(*x).re() + D::zero().re();
            let z = (t[0] - shifted) * (-t[1]).exp();
            -(z * z) * half - t[1]
        }
    };
    let data = [0.5, 1.5, 4.0, -2.0];
    assert_statistics_agree(&generic, &data, None, &[[0.3, 0.1], [1.0, -0.5]], 1e-13);
    let neutral_on_data_side = log_density! {
        name: "constant on the data side",
        params: [Parameter::identity("mu")],
        |t, x: &f64| {
            let two = 2.0f64;
            let z = t[0] - *x * two;
            -(z * z)
        }
    };
    assert!(neutral_on_data_side.sufficient_statistics(&data, None).is_none());
    let objective = DataObjective::new(&neutral_on_data_side, &data).unwrap();
    assert_eq!(
        objective.log_likelihood(&[1.0]).unwrap(),
        -(0.0 + 4.0 + 49.0 + 25.0)
    );
}

#[test]
fn a_non_finite_atom_falls_back_to_the_per_observation_path() {
    // ln 0 = −∞: no statistics; the per-observation sum decides (−∞ here).
    assert!(LogNormal.sufficient_statistics(&[0.0, 1.0], None).is_none());
    let objective = DataObjective::new(&LogNormal, &[0.0, 1.0]).unwrap();
    assert!(objective
        .log_likelihood(&[0.0, 0.0])
        .map_or(true, |v| !v.is_finite()));
}

proptest! {
    #[test]
    fn line_statistics_match_per_observation_sums(
        shift in -1e3f64..1e3,
        slope in -3.0f64..3.0,
        a in -10.0f64..10.0,
        log_sigma in -1.0f64..1.0,
        seed in 0u64..1000,
    ) {
        let u = uniforms(seed, 64);
        let data: Vec<(f64, f64)> = u.iter().enumerate()
            .map(|(i, u)| (shift + i as f64 * 0.1, a + slope * u))
            .collect();
        let theta = [a, slope, log_sigma];
        let objective = DataObjective::new(&Line, &data).unwrap();
        let (v, g, h) = per_observation(&Line, &theta, &data, None);
        let e = objective.evaluate(&theta).unwrap();
        let scale = |x: f64| x.abs().max(1.0);
        prop_assert!((e.value - v).abs() <= 1e-9 * scale(v));
        let gs = g.iter().map(|x| x.abs()).fold(1.0, f64::max);
        let hs = h.iter().map(|x| x.abs()).fold(1.0, f64::max);
        for i in 0..3 {
            prop_assert!((e.gradient[i] - g[i]).abs() <= 1e-9 * gs);
            for j in 0..3 {
                prop_assert!((e.hessian[(i, j)] - h[(i, j)]).abs() <= 1e-9 * hs);
            }
        }
    }
}
