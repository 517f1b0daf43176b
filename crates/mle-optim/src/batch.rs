//! Many small fits at once: many data sets of one model, or many starts of one objective,
//! over rayon's pool. Results come back in input order; a fit that errs or panics is
//! recorded as failed without aborting the rest of the batch.

use std::panic::{catch_unwind, AssertUnwindSafe};

use mle_core::resampling::panic_message;
use mle_core::{Fit, MleError, Objective};
use rayon::prelude::*;

use crate::fit::FitOptions;

/// Why one fit of a batch failed.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchFailure {
    /// The fit returned an error.
    Error(MleError),
    /// The fit panicked; the panic message.
    Panicked(String),
}

impl std::fmt::Display for BatchFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchFailure::Error(e) => write!(f, "{e}"),
            BatchFailure::Panicked(m) => write!(f, "the fit panicked: {m}"),
        }
    }
}

/// The outcomes of a batch, one per input, in input order.
#[derive(Debug, Clone)]
pub struct Batch<T> {
    /// One result per input.
    pub results: Vec<Result<T, BatchFailure>>,
}

impl<T> Batch<T> {
    /// How many fits succeeded.
    ///
    /// ```
    /// let b = mle_optim::batch::fit_each(&[1.0, -1.0], |x: &f64| {
    ///     if *x > 0.0 { Ok(*x) } else { Err(mle_core::MleError::Optimiser("negative".into())) }
    /// });
    /// assert_eq!((b.succeeded(), b.failed()), (1, 1));
    /// ```
    pub fn succeeded(&self) -> usize {
        self.results.iter().filter(|r| r.is_ok()).count()
    }

    /// How many fits failed (errors and panics).
    ///
    /// ```
    /// let b = mle_optim::batch::fit_each(&[0u8], |_: &u8| -> mle_core::Result<()> { panic!("boom") });
    /// assert_eq!(b.failed(), 1);
    /// ```
    pub fn failed(&self) -> usize {
        self.results.len() - self.succeeded()
    }
}

/// Runs `fit` on every input over rayon's current pool (install a pool to choose the thread
/// count); results in input order. A panic inside one fit is caught and reported as
/// [`BatchFailure::Panicked`] for that input only.
///
/// ```
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::{batch::fit_each, FitOptions};
/// use num_dual::{Dual2SVec64, DualNum};
/// let normal = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let sets: Vec<Vec<f64>> = (0..8).map(|k| vec![k as f64, k as f64 + 1.0, k as f64 + 3.0]).collect();
/// let batch = fit_each(&sets, |xs| {
///     let obj = DataObjective::new(&normal, xs)?;
///     FitOptions::newton().fit(&obj, &[0.0])
/// });
/// assert_eq!(batch.succeeded(), 8);
/// let mu3 = batch.results[3].as_ref().unwrap().estimates()[0];
/// assert!((mu3 - (3.0 + 4.0 + 6.0) / 3.0).abs() < 1e-10); // input order kept
/// ```
pub fn fit_each<I, T, F>(inputs: &[I], fit: F) -> Batch<T>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> mle_core::Result<T> + Sync,
{
    let results = inputs
        .par_iter()
        .map(|input| match catch_unwind(AssertUnwindSafe(|| fit(input))) {
            Ok(Ok(t)) => Ok(t),
            Ok(Err(e)) => Err(BatchFailure::Error(e)),
            Err(payload) => Err(BatchFailure::Panicked(panic_message(payload.as_ref()))),
        })
        .collect();
    Batch { results }
}

/// Fits one objective from many starts (in parallel), results in start order.
///
/// ```
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::{batch::fit_starts, FitOptions};
/// use num_dual::{Dual2SVec64, DualNum};
/// let normal = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let xs = [1.0, 2.0, 4.0];
/// let obj = DataObjective::new(&normal, &xs).unwrap();
/// let b = fit_starts(&obj, &[vec![0.0], vec![5.0], vec![f64::NAN]], &FitOptions::newton());
/// assert_eq!((b.succeeded(), b.failed()), (2, 1));
/// ```
pub fn fit_starts(objective: &dyn Objective, starts: &[Vec<f64>], options: &FitOptions) -> Batch<Fit> {
    fit_each(starts, |start| options.fit(objective, start))
}
