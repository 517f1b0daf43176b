//! Parametric bootstrap: simulate from the fitted model, refit B times (rayon, seeded per
//! replicate so results do not depend on the thread count), percentile intervals and
//! bootstrap standard errors.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use mle_core::{Fit, MleError, Result};
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rayon::prelude::*;

/// Bootstrap replicates and their summaries (working scale).
///
/// ```
/// use mle_optim::bootstrap::percentile;
/// assert_eq!(percentile(&mut vec![3.0, 1.0, 2.0], 0.5), 2.0);
/// ```
#[derive(Debug, Clone)]
pub struct BootstrapResult {
    /// One row per successful replicate.
    pub estimates: DMatrix<f64>,
    /// Standard deviation of the replicates, per parameter.
    pub std_errors: DVector<f64>,
    /// Percentile intervals at `level`.
    pub intervals: Vec<(f64, f64)>,
    /// Confidence level of the intervals.
    pub level: f64,
    /// Replicates whose refit failed (reported, not hidden).
    pub failures: usize,
    /// The seed.
    pub seed: u64,
}

/// Empirical quantile (linear interpolation between order statistics, R type 7).
///
/// ```
/// assert_eq!(mle_optim::bootstrap::percentile(&mut vec![0.0, 10.0], 0.25), 2.5);
/// ```
pub fn percentile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let h = (values.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    values[lo] + (h - lo as f64) * (values[hi] - values[lo])
}

/// Runs the parametric bootstrap: `simulate(θ̂, rng)` draws a data set from the fitted model,
/// `refit(data, θ̂)` fits it (θ̂ as the start). Replicate b uses the seed `seed + b`.
///
/// ```
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::{bootstrap::parametric_bootstrap, FitOptions};
/// use num_dual::{Dual2SVec64, DualNum};
/// use rand::Rng;
/// // Exponential with log rate θ: the MLE of the rate is 1 / mean.
/// let expo = ClosureDensity::new(vec![Parameter::log_scale("rate")],
///     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x);
/// let fit_to = |d: &[f64], start: &[f64]| FitOptions::newton().fit(&DataObjective::new(&expo, d)?, start);
/// let data = [1.2, 0.4, 2.2, 1.9, 0.7, 1.5, 1.1, 0.3];
/// let fit = fit_to(&data, &[0.0]).unwrap();
/// let boot = parametric_bootstrap(
///     &fit,
///     |t, rng| (0..8).map(|_| -(1.0 - rng.random::<f64>()).ln() / t[0].exp()).collect::<Vec<f64>>(),
///     |d: &Vec<f64>, start| fit_to(d, start),
///     200, 42, 0.95,
/// ).unwrap();
/// assert_eq!(boot.estimates.nrows() + boot.failures, 200);
/// ```
pub fn parametric_bootstrap<Data: Send>(
    fit: &Fit,
    simulate: impl Fn(&[f64], &mut StdRng) -> Data + Sync,
    refit: impl Fn(&Data, &[f64]) -> Result<Fit> + Sync,
    replicates: usize,
    seed: u64,
    level: f64,
) -> Result<BootstrapResult> {
    if replicates < 2 {
        return Err(MleError::TooFewReplicates {
            replicates,
            minimum: 2,
        });
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(MleError::LevelOutOfRange { level });
    }
    let theta: Vec<f64> = fit.estimates().iter().copied().collect();
    let p = theta.len();
    let done = AtomicUsize::new(0);
    let start = Instant::now();
    // A progress bar on stderr once the run has taken more than a second; hidden when
    // stderr is not a terminal (CI, pipes).
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(replicates as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let results: Vec<Option<Vec<f64>>> = (0..replicates)
        .into_par_iter()
        .map(|b| {
            let mut rng = StdRng::seed_from_u64(seed.wrapping_add(b as u64));
            let data = simulate(&theta, &mut rng);
            let out = refit(&data, &theta)
                .ok()
                .map(|f| f.estimates().iter().copied().collect::<Vec<f64>>());
            let k = done.fetch_add(1, Ordering::Relaxed) + 1;
            if start.elapsed().as_secs_f64() > 1.0 {
                bar.set_position(k as u64);
            }
            out.filter(|v| v.iter().all(|x| x.is_finite()))
        })
        .collect();
    bar.finish_and_clear();
    let ok: Vec<Vec<f64>> = results.into_iter().flatten().collect();
    let failures = replicates - ok.len();
    if ok.len() < 2 {
        return Err(MleError::NoConvergence {
            reason: format!("{failures} of {replicates} bootstrap refits failed"),
            iterations: replicates as u64,
            gradient_norm: f64::NAN,
            last: theta,
        });
    }
    let estimates = DMatrix::from_fn(ok.len(), p, |r, c| ok[r][c]);
    let std_errors = DVector::from_fn(p, |j, _| {
        let col = estimates.column(j);
        let mean = col.mean();
        (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (ok.len() - 1) as f64).sqrt()
    });
    let alpha = (1.0 - level) / 2.0;
    let intervals = (0..p)
        .map(|j| {
            let mut col: Vec<f64> = estimates.column(j).iter().copied().collect();
            (percentile(&mut col, alpha), percentile(&mut col, 1.0 - alpha))
        })
        .collect();
    Ok(BootstrapResult {
        estimates,
        std_errors,
        intervals,
        level,
        failures,
        seed,
    })
}
