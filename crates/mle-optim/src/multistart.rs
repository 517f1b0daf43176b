//! Multi-start optimisation for non-concave likelihoods: fits from many starts in parallel
//! (rayon, seeded random starts or user starts), the best optimum, and the distinct local
//! optima found with their log-likelihoods.
//!
//! A start whose fit fails — no convergence, a non-finite ℓ, a panic inside the user's
//! log-density — counts as a failed start; the run goes on. Starts that run off along a
//! direction where the likelihood is unbounded (a mixture component collapsing onto one or
//! more tied observations, σ → 0) are counted separately and the result says so: the optimum
//! reported is then the best *interior* local maximum, not a global one (there is none).

use std::panic::{catch_unwind, AssertUnwindSafe};

use mle_core::fit::ConvergenceStatus;
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
    /// How many starts converged to it (relabelled copies included).
    pub count: usize,
    /// How many of those reached a relabelled copy of it (label switching: the same ℓ and
    /// the same parameter values up to order and sign).
    pub relabelled: usize,
}

/// The outcome of a multi-start run.
#[derive(Debug, Clone)]
pub struct MultiStart {
    /// The fit with the highest log-likelihood.
    pub best: Fit,
    /// Distinct optima, best first.
    pub optima: Vec<LocalOptimum>,
    /// Starts whose fit did not end at a maximum (no convergence, non-finite ℓ, a panic, a
    /// run-off); `panicked` and `unbounded` count some of them.
    pub failures: usize,
    /// Starts whose objective panicked.
    pub panicked: usize,
    /// The statuses of starts that found the likelihood unbounded (run-off or divergence).
    pub unbounded: Vec<ConvergenceStatus>,
}

impl std::fmt::Display for MultiStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} distinct optima ({} starts failed",
            self.optima.len(),
            self.failures
        )?;
        if self.panicked > 0 {
            write!(f, ", {} of them by a panic in the objective", self.panicked)?;
        }
        writeln!(f, "):")?;
        for o in &self.optima {
            let relabelled = if o.relabelled > 0 {
                format!(", {} as a relabelled copy", o.relabelled)
            } else {
                String::new()
            };
            writeln!(
                f,
                "  ℓ = {:.8}  ({} starts{relabelled})  θ = [{}]",
                o.log_likelihood,
                o.count,
                o.estimate
                    .iter()
                    .map(|v| format!("{v:.5}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        if let Some(first) = self.unbounded.first() {
            writeln!(
                f,
                "The likelihood is unbounded: {} starts ran off ({first}). The optimum reported is the \
                 best interior local maximum, not a global maximum (there is none).",
                self.unbounded.len()
            )?;
        }
        Ok(())
    }
}

/// `count` random starts, uniform in [center − spread, center + spread] per coordinate,
/// from a seed. `center` and `spread` must have the same length.
///
/// ```
/// let s = mle_optim::multistart::random_starts(&[0.0, 10.0], &[1.0, 2.0], 5, 3).unwrap();
/// assert_eq!(s.len(), 5);
/// assert!(s.iter().all(|t| (t[1] - 10.0).abs() <= 2.0));
/// assert_eq!(s, mle_optim::multistart::random_starts(&[0.0, 10.0], &[1.0, 2.0], 5, 3).unwrap());
/// assert!(mle_optim::multistart::random_starts(&[0.0, 10.0], &[1.0], 5, 3).is_err());
/// ```
pub fn random_starts(center: &[f64], spread: &[f64], count: usize, seed: u64) -> Result<Vec<Vec<f64>>> {
    if spread.len() != center.len() {
        return Err(MleError::DimensionMismatch {
            what: "spread of the random starts (one per coordinate of the centre)".into(),
            expected: center.len(),
            got: spread.len(),
        });
    }
    let mut rng = StdRng::seed_from_u64(seed);
    Ok((0..count)
        .map(|_| {
            center
                .iter()
                .zip(spread)
                .map(|(c, s)| c + s * (2.0 * rng.random::<f64>() - 1.0))
                .collect()
        })
        .collect())
}

enum StartOutcome {
    Maximum(Box<Fit>),
    Unbounded(ConvergenceStatus),
    Failed(MleError),
    Panicked,
}

fn same_values(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= 1e-4 * x.abs().max(1.0))
}

fn sorted_magnitudes(v: &[f64]) -> Vec<f64> {
    let mut m: Vec<f64> = v.iter().map(|x| x.abs()).collect();
    m.sort_by(f64::total_cmp);
    m
}

/// Fits from every start in parallel and groups the converged fits into distinct optima: the
/// same optimum when ℓ agrees to 1e-6 and θ to 1e-4 (relative); a relabelled copy of it
/// (label switching in a mixture: components swapped, a logit weight negated) when ℓ agrees to
/// 1e-9 relative and the sorted multiset of |θᵢ| agrees to 1e-4 — counted with it, not as
/// another optimum.
///
/// Every start must have the model's number of parameters (a [`MleError::DimensionMismatch`]
/// otherwise). A start whose objective panics is caught (`std::panic::catch_unwind`) and
/// counted as failed; the panic message still goes to the panic hook (stderr).
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
    let k = objective.dimension();
    if let Some((i, s)) = starts.iter().enumerate().find(|(_, s)| s.len() != k) {
        return Err(MleError::DimensionMismatch {
            what: format!("start {i} of {}", starts.len()),
            expected: k,
            got: s.len(),
        });
    }
    let outcomes: Vec<StartOutcome> = starts
        .par_iter()
        .map(
            |s| match catch_unwind(AssertUnwindSafe(|| options.fit(objective, s))) {
                Ok(Ok(f)) if f.log_likelihood().is_finite() && f.convergence().converged() => {
                    StartOutcome::Maximum(Box::new(f))
                }
                Ok(Ok(f)) if f.convergence().status.is_unbounded() => {
                    StartOutcome::Unbounded(f.convergence().status.clone())
                }
                Ok(Ok(f)) => StartOutcome::Failed(MleError::NoConvergence {
                    reason: f.convergence().reason(),
                    iterations: f.convergence().iterations,
                    gradient_norm: f.gradient().norm(),
                    last: f.estimates().iter().copied().collect(),
                }),
                Ok(Err(MleError::NotAMaximum { status, .. })) if status.is_unbounded() => {
                    StartOutcome::Unbounded(status)
                }
                Ok(Err(e)) => StartOutcome::Failed(e),
                Err(_) => StartOutcome::Panicked,
            },
        )
        .collect();
    let mut ok = Vec::new();
    let mut unbounded = Vec::new();
    let mut panicked = 0;
    let mut first_error = None;
    for o in outcomes {
        match o {
            StartOutcome::Maximum(f) => ok.push(*f),
            StartOutcome::Unbounded(s) => unbounded.push(s),
            StartOutcome::Failed(e) => {
                first_error.get_or_insert(e);
            }
            StartOutcome::Panicked => panicked += 1,
        }
    }
    let failures = starts.len() - ok.len();
    if ok.is_empty() {
        if let Some(status) = unbounded.into_iter().next() {
            return Err(MleError::NotAMaximum {
                status,
                iterations: 0,
                last: starts.first().cloned().unwrap_or_default(),
            });
        }
        return Err(MleError::NoConvergence {
            reason: match first_error {
                Some(e) => format!(
                    "none of the {} starts converged; the first failure: {e}",
                    starts.len()
                ),
                None if panicked > 0 => format!("the objective panicked at all {panicked} starts"),
                None => "no starts were given".into(),
            },
            iterations: 0,
            gradient_norm: f64::NAN,
            last: starts.first().cloned().unwrap_or_default(),
        });
    }
    ok.sort_by(|a, b| b.log_likelihood().total_cmp(&a.log_likelihood()));
    let mut optima: Vec<LocalOptimum> = Vec::new();
    for f in &ok {
        let est: Vec<f64> = f.estimates().iter().copied().collect();
        let ll = f.log_likelihood();
        let close = |o: &LocalOptimum, rel: f64| (o.log_likelihood - ll).abs() <= rel * ll.abs().max(1.0);
        if let Some(o) = optima
            .iter_mut()
            .find(|o| close(o, 1e-6) && same_values(&o.estimate, &est))
        {
            o.count += 1;
        } else if let Some(o) = optima.iter_mut().find(|o| {
            close(o, 1e-9) && same_values(&sorted_magnitudes(&o.estimate), &sorted_magnitudes(&est))
        }) {
            o.count += 1;
            o.relabelled += 1;
        } else {
            optima.push(LocalOptimum {
                log_likelihood: ll,
                estimate: est,
                count: 1,
                relabelled: 0,
            });
        }
    }
    Ok(MultiStart {
        best: ok.swap_remove(0),
        optima,
        failures,
        panicked,
        unbounded,
    })
}
