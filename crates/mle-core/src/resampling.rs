//! Resampling shared by every bootstrap (parametric, quantile-regression xy-pairs, Laplace /
//! asymmetric-Laplace): one seed per replicate drawn from a master seed, an ordered parallel
//! map over rayon, the sample covariance of the replicates and percentiles.
//!
//! Replicate b always uses the generator seeded with `replicate_seeds(seed, B)[b]` and the
//! results come back in replicate order, so a bootstrap gives bitwise the same answer whatever
//! the number of threads (`RAYON_NUM_THREADS`, or the pool it runs in).
//!
//! ```
//! use mle_core::resampling::{par_map_indexed, percentile, replicate_covariance, replicate_seeds};
//! use rand::{rngs::StdRng, Rng, SeedableRng};
//! let data = [2.0, 4.0, 4.0, 5.0, 7.0, 9.0];
//! let seeds = replicate_seeds(42, 200);
//! let means: Vec<Vec<f64>> = par_map_indexed(seeds.len(), |b| {
//!     let mut rng = StdRng::seed_from_u64(seeds[b]);
//!     vec![(0..data.len()).map(|_| data[rng.random_range(0..data.len())]).sum::<f64>() / 6.0]
//! })
//! .into_iter()
//! .collect::<Result<_, _>>()
//! .unwrap();
//! let var = replicate_covariance(&means).unwrap()[(0, 0)];
//! assert!(var > 0.0 && var < 2.0); // ≈ σ̂²/n = 0.83
//! let mut m: Vec<f64> = means.iter().map(|v| v[0]).collect();
//! assert!(percentile(&mut m, 0.025).unwrap() < percentile(&mut m, 0.975).unwrap());
//! ```

use std::any::Any;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

use crate::error::{MleError, Result};

/// One seed per replicate, drawn in order from a master `StdRng` seeded with `seed` (rand 0.9).
/// Replicate b's generator does not depend on how many threads run the others, and two master
/// seeds do not share replicates (as `seed + b` would).
///
/// ```
/// use mle_core::resampling::replicate_seeds;
/// let s = replicate_seeds(7, 3);
/// assert_eq!(s.len(), 3);
/// assert_eq!(s, replicate_seeds(7, 3));
/// assert_eq!(&replicate_seeds(7, 5)[..3], &s[..]); // a prefix: more replicates extend the run
/// assert_ne!(replicate_seeds(8, 3), s);
/// ```
pub fn replicate_seeds(seed: u64, count: usize) -> Vec<u64> {
    let mut master = StdRng::seed_from_u64(seed);
    (0..count).map(|_| master.random::<u64>()).collect()
}

/// Checks a bootstrap replicate count: at least 2 are needed for a covariance.
///
/// ```
/// use mle_core::resampling::check_replicates;
/// assert!(check_replicates(2).is_ok());
/// assert!(check_replicates(1).is_err());
/// ```
pub fn check_replicates(replicates: usize) -> Result<()> {
    if replicates < 2 {
        return Err(MleError::TooFewReplicates {
            replicates,
            minimum: 2,
        });
    }
    Ok(())
}

/// A replicate that panicked instead of returning: reported as a failed replicate, the run
/// goes on.
///
/// ```
/// use mle_core::resampling::ReplicatePanic;
/// let p = ReplicatePanic { index: 3, message: "boom".into() };
/// assert_eq!(p.to_string(), "replicate 3 panicked: boom");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicatePanic {
    /// Zero-based replicate index.
    pub index: usize,
    /// The panic message (when it was a string).
    pub message: String,
}

impl fmt::Display for ReplicatePanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "replicate {} panicked: {}", self.index, self.message)
    }
}

impl std::error::Error for ReplicatePanic {}

impl From<ReplicatePanic> for MleError {
    fn from(p: ReplicatePanic) -> Self {
        MleError::Optimiser(p.to_string())
    }
}

/// The message of a caught panic (`&str` or `String` payloads; otherwise a fixed text).
///
/// ```
/// let p = std::panic::catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
/// assert_eq!(mle_core::resampling::panic_message(p.as_ref()), "boom 1");
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".into()
    }
}

/// `f(0), …, f(count − 1)` on the current rayon pool, results in index order (so independent
/// of the thread count when `f(i)` depends on `i` only). A replicate that panics does not
/// abort the run: its slot is `Err(ReplicatePanic)`.
///
/// ```
/// use mle_core::resampling::par_map_indexed;
/// let out = par_map_indexed(4, |i| {
///     assert!(i != 2, "replicate two fails");
///     i * i
/// });
/// assert_eq!(out[3], Ok(9));
/// assert!(out[2].as_ref().unwrap_err().message.contains("replicate two fails"));
/// ```
pub fn par_map_indexed<T: Send>(
    count: usize,
    f: impl Fn(usize) -> T + Sync + Send,
) -> Vec<std::result::Result<T, ReplicatePanic>> {
    (0..count)
        .into_par_iter()
        .map(|index| {
            catch_unwind(AssertUnwindSafe(|| f(index))).map_err(|payload| ReplicatePanic {
                index,
                message: panic_message(payload.as_ref()),
            })
        })
        .collect()
}

/// Sample covariance of the replicates (one `Vec` per replicate, all of one length k),
/// divisor B − 1: a k × k matrix. Errors: fewer than 2 replicates, ragged lengths.
///
/// ```
/// use mle_core::resampling::replicate_covariance;
/// let c = replicate_covariance(&[vec![1.0, 2.0], vec![3.0, 2.0], vec![5.0, 8.0]]).unwrap();
/// assert_eq!(c[(0, 0)], 4.0);
/// assert_eq!(c[(0, 1)], 6.0);
/// assert!(replicate_covariance(&[vec![1.0]]).is_err());
/// ```
pub fn replicate_covariance(draws: &[Vec<f64>]) -> Result<DMatrix<f64>> {
    check_replicates(draws.len())?;
    let k = draws[0].len();
    if let Some(bad) = draws.iter().find(|d| d.len() != k) {
        return Err(MleError::DimensionMismatch {
            what: "bootstrap replicate length".into(),
            expected: k,
            got: bad.len(),
        });
    }
    let b = draws.len() as f64;
    let mean: Vec<f64> = (0..k)
        .map(|j| draws.iter().map(|d| d[j]).sum::<f64>() / b)
        .collect();
    Ok(DMatrix::from_fn(k, k, |r, c| {
        draws
            .iter()
            .map(|d| (d[r] - mean[r]) * (d[c] - mean[c]))
            .sum::<f64>()
            / (b - 1.0)
    }))
}

/// Empirical quantile at `q` ∈ [0, 1] (linear interpolation between order statistics, R type 7);
/// sorts `values`. Errors (never a panic): an empty slice, a NaN value, q outside [0, 1].
///
/// ```
/// use mle_core::resampling::percentile;
/// assert_eq!(percentile(&mut vec![3.0, 1.0, 2.0], 0.5).unwrap(), 2.0);
/// assert_eq!(percentile(&mut vec![0.0, 10.0], 0.25).unwrap(), 2.5);
/// assert!(percentile(&mut vec![], 0.5).is_err());
/// assert!(percentile(&mut vec![1.0], 1.5).is_err());
/// ```
pub fn percentile(values: &mut [f64], q: f64) -> Result<f64> {
    if values.is_empty() {
        return Err(MleError::EmptyData);
    }
    if !(0.0..=1.0).contains(&q) {
        return Err(MleError::ProbabilityOutOfRange { probability: q });
    }
    if let Some(index) = values.iter().position(|v| v.is_nan()) {
        return Err(MleError::NonFiniteObservation { index });
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let h = (values.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Ok(values[lo] + (h - lo as f64) * (values[hi] - values[lo]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_and_thread_count_independent() {
        let seeds = replicate_seeds(11, 64);
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    par_map_indexed(seeds.len(), |b| {
                        let mut rng = StdRng::seed_from_u64(seeds[b]);
                        (b, rng.random::<f64>())
                    })
                })
        };
        let (one, three) = (run(1), run(3));
        assert_eq!(one, three);
        for (i, r) in one.iter().enumerate() {
            assert_eq!(r.as_ref().unwrap().0, i);
        }
    }

    #[test]
    fn a_panic_is_a_failed_replicate() {
        let out = par_map_indexed(8, |i| if i % 3 == 1 { panic!("odd one {i}") } else { i });
        let failed: Vec<usize> = out
            .iter()
            .filter_map(|r| r.as_ref().err().map(|p| p.index))
            .collect();
        assert_eq!(failed, vec![1, 4, 7]);
        assert_eq!(out[7].as_ref().unwrap_err().message, "odd one 7");
        let e: MleError = out[1].clone().unwrap_err().into();
        assert!(e.to_string().contains("replicate 1 panicked"));
    }

    #[test]
    fn percentile_edges_are_typed_errors() {
        assert_eq!(percentile(&mut [4.0], 0.0).unwrap(), 4.0);
        assert_eq!(percentile(&mut [4.0, 8.0], 1.0).unwrap(), 8.0);
        assert!(matches!(percentile(&mut [], 0.5), Err(MleError::EmptyData)));
        assert!(matches!(
            percentile(&mut [1.0, 2.0], 1.0 + 1e-12),
            Err(MleError::ProbabilityOutOfRange { .. })
        ));
        assert!(percentile(&mut [1.0, 2.0], -0.1).is_err());
        assert!(percentile(&mut [1.0, 2.0], f64::NAN).is_err());
        assert!(matches!(
            percentile(&mut [1.0, f64::NAN], 0.5),
            Err(MleError::NonFiniteObservation { index: 1 })
        ));
    }

    #[test]
    fn covariance_needs_two_equal_length_replicates() {
        assert!(replicate_covariance(&[]).is_err());
        assert!(matches!(
            replicate_covariance(&[vec![1.0, 2.0], vec![1.0]]),
            Err(MleError::DimensionMismatch { .. })
        ));
        let c = replicate_covariance(&[vec![1.0], vec![3.0]]).unwrap();
        assert_eq!(c[(0, 0)], 2.0);
    }
}
