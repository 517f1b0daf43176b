//! Expected (Fisher) information for any density, not only closed forms: exactly by
//! summation over a discrete support (truncated where the tail mass is below 1e-15), or by
//! Monte Carlo with a seeded sampler and a reported Monte Carlo error.

use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::density::DensityKernel;
use crate::error::{MleError, Result};

/// The expected information of one observation, with how it was obtained.
///
/// ```
/// use mle_core::information::ExpectedInformation;
/// let e = ExpectedInformation { matrix: nalgebra::dmatrix![2.0], error: None, method: "x".into() };
/// assert_eq!(e.matrix[(0, 0)], 2.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedInformation {
    /// E[−∇² log p(X | θ)].
    pub matrix: DMatrix<f64>,
    /// Monte Carlo standard error of each entry (`None` when exact).
    pub error: Option<DMatrix<f64>>,
    /// How: "summation over the support (tail mass …)" or "Monte Carlo (B draws, seed …)".
    pub method: String,
}

/// Exact expected information of a discrete density with support {0, 1, 2, …} (or a finite
/// set when `max_support` is reached with all mass): Σ_y p(y|θ)·(−∇² log p(y|θ)), summed
/// until the remaining mass is below 1e-15.
///
/// ```
/// use mle_core::information::expected_information_by_summation;
/// use mle_core::{ClosureDensity, Parameter};
/// use num_dual::{Dual2SVec64, DualNum};
/// // Poisson(λ = e^θ): I(θ) = λ.
/// let poisson = ClosureDensity::new(vec![Parameter::log_scale("rate")],
///     |t: &[Dual2SVec64<1>], y: &f64| t[0] * *y - t[0].exp() - statrs::function::gamma::ln_gamma(*y + 1.0));
/// let info = expected_information_by_summation(&poisson, &[3f64.ln()], 10_000).unwrap();
/// assert!((info.matrix[(0, 0)] - 3.0).abs() < 1e-12);
/// ```
pub fn expected_information_by_summation<K: DensityKernel<P, Obs = f64>, const P: usize>(
    kernel: &K,
    theta: &[f64; P],
    max_support: usize,
) -> Result<ExpectedInformation> {
    let mut info = DMatrix::zeros(P, P);
    let mut mass = crate::summation::CompensatedSum::new(1);
    let mut previous = 0.0;
    let mut y = 0usize;
    while y <= max_support {
        let (v, _, h) = kernel.value_gradient_hessian(theta, &(y as f64));
        let p = v.exp();
        if p.is_finite() && p > 0.0 {
            mass.add(&[p]);
            for r in 0..P {
                for c in 0..P {
                    info[(r, c)] -= p * h[(r, c)];
                }
            }
        }
        let total = mass.total()[0];
        // Stop past the mode once the terms are negligible and the mass is complete to
        // round-off: the remaining (decreasing) tail is below 1e-15.
        let tail = (1.0 - total).max(0.0);
        if (tail < 1e-15) || (p <= previous && p < 1e-18 && tail < 1e-12) {
            return Ok(ExpectedInformation {
                matrix: info,
                error: None,
                method: format!("exact summation over the support 0..={y} (remaining mass {tail:.1e})"),
            });
        }
        previous = p;
        y += 1;
    }
    let mass = mass.total()[0];
    Err(MleError::SupportTruncated { max_support, mass })
}

/// Monte Carlo expected information: the mean of −∇² log p(Xᵢ | θ) over `draws` samples from
/// `sample(rng)` (seeded, reproducible), with the Monte Carlo standard error of each entry.
///
/// ```
/// use mle_core::information::expected_information_monte_carlo;
/// use mle_core::{DensityKernel, LogDensity, Parameter};
/// use num_dual::DualNum;
/// use rand::Rng;
/// struct Expo;
/// impl LogDensity<1> for Expo {
///     type Obs = f64;
///     fn name(&self) -> String { "Exponential".into() }
///     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::log_scale("rate")] }
///     fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &f64) -> D { t[0] - t[0].exp() * *x }
/// }
/// // I(log λ) = 1 for the exponential.
/// let info = expected_information_monte_carlo(&Expo, &[0.0], |rng| -(1.0 - rng.random::<f64>()).ln(), 20_000, 7).unwrap();
/// let err = info.error.as_ref().unwrap()[(0, 0)];
/// assert!((info.matrix[(0, 0)] - 1.0).abs() < 5.0 * err);
/// ```
pub fn expected_information_monte_carlo<K: DensityKernel<P>, const P: usize>(
    kernel: &K,
    theta: &[f64; P],
    mut sample: impl FnMut(&mut StdRng) -> K::Obs,
    draws: usize,
    seed: u64,
) -> Result<ExpectedInformation> {
    if draws < 2 {
        return Err(MleError::TooFewDraws { draws, minimum: 2 });
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut mean = DMatrix::<f64>::zeros(P, P);
    let mut m2 = DMatrix::<f64>::zeros(P, P);
    for b in 0..draws {
        let x = sample(&mut rng);
        let (_, _, h) = kernel.value_gradient_hessian(theta, &x);
        for r in 0..P {
            for c in 0..P {
                let v = -h[(r, c)];
                let delta = v - mean[(r, c)];
                mean[(r, c)] += delta / (b + 1) as f64;
                m2[(r, c)] += delta * (v - mean[(r, c)]);
            }
        }
    }
    let n = draws as f64;
    let error = m2.map(|s: f64| (s / (n - 1.0) / n).sqrt());
    Ok(ExpectedInformation {
        matrix: mean,
        error: Some(error),
        method: format!("Monte Carlo ({draws} draws, seed {seed})"),
    })
}
