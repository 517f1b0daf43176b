//! Parametric bootstrap: simulate from the fitted model, refit B times (rayon, seeded per
//! replicate so results do not depend on the thread count), percentile intervals and
//! bootstrap standard errors. Seeds, the parallel map and percentiles are
//! [`mle_core::resampling`], shared with the other bootstraps.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use mle_core::inference::check_level;
use mle_core::resampling::{check_replicates, par_map_indexed, replicate_covariance, replicate_seeds};
use mle_core::{Fit, MleError, Result};
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;
use rand::SeedableRng;

pub use mle_core::resampling::percentile;

/// Bootstrap replicates and their summaries (working scale).
///
/// ```
/// use mle_optim::bootstrap::percentile;
/// assert_eq!(percentile(&mut vec![3.0, 1.0, 2.0], 0.5).unwrap(), 2.0);
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
    /// Replicates whose refit failed, gave a non-finite estimate or panicked (reported, not
    /// hidden).
    pub failures: usize,
    /// The seed.
    pub seed: u64,
}

/// Runs the parametric bootstrap: `simulate(θ̂, rng)` draws a data set from the fitted model,
/// `refit(data, θ̂)` fits it (θ̂ as the start). Replicate b uses the generator seeded with
/// [`replicate_seeds`]`(seed, replicates)[b]`; a replicate that panics counts as a failure.
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
    check_replicates(replicates)?;
    let level = check_level(level)?;
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
    let seeds = replicate_seeds(seed, replicates);
    let results = par_map_indexed(replicates, |b| {
        let mut rng = StdRng::seed_from_u64(seeds[b]);
        let data = simulate(&theta, &mut rng);
        let out = refit(&data, &theta)
            .ok()
            .map(|f| f.estimates().iter().copied().collect::<Vec<f64>>());
        let k = done.fetch_add(1, Ordering::Relaxed) + 1;
        if start.elapsed().as_secs_f64() > 1.0 {
            bar.set_position(k as u64);
        }
        out.filter(|v| v.iter().all(|x| x.is_finite()))
    });
    bar.finish_and_clear();
    let ok: Vec<Vec<f64>> = results.into_iter().filter_map(|r| r.ok().flatten()).collect();
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
    let std_errors: DVector<f64> = replicate_covariance(&ok)?.diagonal().map(f64::sqrt);
    let alpha = (1.0 - level) / 2.0;
    let intervals = (0..p)
        .map(|j| {
            let mut col: Vec<f64> = estimates.column(j).iter().copied().collect();
            Ok((percentile(&mut col, alpha)?, percentile(&mut col, 1.0 - alpha)?))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(BootstrapResult {
        estimates,
        std_errors,
        intervals,
        level,
        failures,
        seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FitOptions;
    use mle_core::{ClosureDensity, DataObjective, Parameter};
    use num_dual::{Dual2SVec64, DualNum};
    use rand::Rng;

    /// Exponential with log rate θ; a refit of replicate data whose first draw is below `cut`
    /// panics (a stand-in for a bug in user code).
    fn run(threads: usize, cut: f64) -> BootstrapResult {
        let expo = ClosureDensity::new(
            vec![Parameter::log_scale("rate")],
            |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x,
        );
        let fit_to =
            |d: &[f64], start: &[f64]| FitOptions::newton().fit(&DataObjective::new(&expo, d)?, start);
        let data = [1.2, 0.4, 2.2, 1.9, 0.7, 1.5, 1.1, 0.3];
        let fit = fit_to(&data, &[0.0]).unwrap();
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                parametric_bootstrap(
                    &fit,
                    |t, rng| {
                        (0..8)
                            .map(|_| -(1.0 - rng.random::<f64>()).ln() / t[0].exp())
                            .collect::<Vec<f64>>()
                    },
                    |d: &Vec<f64>, start| {
                        assert!(d[0] >= cut, "refit panics");
                        fit_to(d, start)
                    },
                    100,
                    5,
                    0.9,
                )
                .unwrap()
            })
    }

    #[test]
    fn thread_count_does_not_change_the_result_and_panics_are_failures() {
        let (a, b) = (run(1, 0.0), run(2, 0.0));
        assert_eq!(a.estimates, b.estimates);
        assert_eq!(a.std_errors, b.std_errors);
        assert_eq!(a.intervals, b.intervals);
        assert_eq!(a.failures, 0);
        let c = run(2, 0.05);
        assert!(c.failures > 0 && c.failures < 100, "{}", c.failures);
        assert_eq!(c.estimates.nrows() + c.failures, 100);
    }

    #[test]
    fn bad_level_and_replicates_are_typed_errors() {
        let expo = ClosureDensity::new(
            vec![Parameter::log_scale("rate")],
            |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x,
        );
        let fit = FitOptions::newton()
            .fit(&DataObjective::new(&expo, &[1.0, 2.0]).unwrap(), &[0.0])
            .unwrap();
        let go = |b, level| {
            parametric_bootstrap(
                &fit,
                |_, _| vec![1.0],
                |_: &Vec<f64>, _| Ok(fit.clone()),
                b,
                1,
                level,
            )
        };
        assert!(matches!(go(10, 1.0), Err(MleError::LevelOutOfRange { .. })));
        assert!(matches!(go(1, 0.9), Err(MleError::TooFewReplicates { .. })));
        assert!(go(10, 0.9).is_ok());
    }
}
