//! Multi-start optimisation for non-concave likelihoods: fits from many starts in parallel
//! (rayon, seeded random starts or user starts), the best optimum, and the distinct local
//! optima found with their log-likelihoods.

use mle_core::{Fit, MleError, Objective, Result};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

use crate::fit::FitOptions;

/// A distinct local optimum.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalOptimum {
    /// ℓ there.
    pub log_likelihood: f64,
    /// θ there (working scale).
    pub estimate: Vec<f64>,
    /// How many starts converged to it.
    pub count: usize,
}

/// The outcome of a multi-start run.
#[derive(Debug, Clone)]
pub struct MultiStart {
    /// The fit with the highest log-likelihood.
    pub best: Fit,
    /// Distinct optima, best first.
    pub optima: Vec<LocalOptimum>,
    /// Starts whose fit failed (no convergence, non-finite ℓ…).
    pub failures: usize,
}

impl std::fmt::Display for MultiStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} distinct optima ({} starts failed):",
            self.optima.len(),
            self.failures
        )?;
        for o in &self.optima {
            writeln!(
                f,
                "  ℓ = {:.8}  ({} starts)  θ = [{}]",
                o.log_likelihood,
                o.count,
                o.estimate
                    .iter()
                    .map(|v| format!("{v:.5}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        Ok(())
    }
}

/// `count` random starts, uniform in [center − spread, center + spread] per coordinate,
/// from a seed.
///
/// ```
/// let s = mle_optim::multistart::random_starts(&[0.0, 10.0], &[1.0, 2.0], 5, 3);
/// assert_eq!(s.len(), 5);
/// assert!(s.iter().all(|t| (t[1] - 10.0).abs() <= 2.0));
/// assert_eq!(s, mle_optim::multistart::random_starts(&[0.0, 10.0], &[1.0, 2.0], 5, 3));
/// ```
pub fn random_starts(center: &[f64], spread: &[f64], count: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            center
                .iter()
                .zip(spread)
                .map(|(c, s)| c + s * (2.0 * rng.random::<f64>() - 1.0))
                .collect()
        })
        .collect()
}

/// Fits from every start in parallel and groups the converged fits into distinct optima
/// (same ℓ to 1e-6 and same θ to 1e-4 relative).
///
/// ```
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::{multistart::multistart, FitOptions};
/// use num_dual::{Dual2SVec64, DualNum};
/// // Cauchy location with two clusters: two local maxima.
/// let d = ClosureDensity::new(vec![Parameter::identity("m")],
///     |t: &[Dual2SVec64<1>], x: &f64| -((t[0] - *x).powi(2) + 1.0).ln());
/// let data = [-5.0, -4.8, -5.2, 5.0, 5.1, 4.9, 5.3];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let starts: Vec<Vec<f64>> = vec![vec![-6.0], vec![-4.0], vec![4.0], vec![6.0]];
/// let m = multistart(&obj, &starts, &FitOptions::newton()).unwrap();
/// assert_eq!(m.optima.len(), 2);
/// assert!(m.best.estimates()[0] > 4.0);
/// ```
pub fn multistart(
    objective: &dyn Objective,
    starts: &[Vec<f64>],
    options: &FitOptions,
) -> Result<MultiStart> {
    let fits: Vec<Option<Fit>> = starts
        .par_iter()
        .map(|s| {
            options
                .fit(objective, s)
                .ok()
                .filter(|f| f.log_likelihood().is_finite() && f.convergence().converged)
        })
        .collect();
    let failures = fits.iter().filter(|f| f.is_none()).count();
    let mut ok: Vec<Fit> = fits.into_iter().flatten().collect();
    if ok.is_empty() {
        return Err(MleError::NoConvergence {
            reason: format!("none of the {} starts converged", starts.len()),
            iterations: 0,
            gradient_norm: f64::NAN,
            last: starts.first().cloned().unwrap_or_default(),
        });
    }
    ok.sort_by(|a, b| b.log_likelihood().total_cmp(&a.log_likelihood()));
    let mut optima: Vec<LocalOptimum> = Vec::new();
    for f in &ok {
        let est: Vec<f64> = f.estimates().iter().copied().collect();
        let same = optima.iter_mut().find(|o| {
            (o.log_likelihood - f.log_likelihood()).abs() <= 1e-6 * f.log_likelihood().abs().max(1.0)
                && o.estimate
                    .iter()
                    .zip(&est)
                    .all(|(a, b)| (a - b).abs() <= 1e-4 * a.abs().max(1.0))
        });
        match same {
            Some(o) => o.count += 1,
            None => optima.push(LocalOptimum {
                log_likelihood: f.log_likelihood(),
                estimate: est,
                count: 1,
            }),
        }
    }
    Ok(MultiStart {
        best: ok.swap_remove(0),
        optima,
        failures,
    })
}
