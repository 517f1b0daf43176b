//! # mle-core
//!
//! The engine of `mle`: a per-observation log-density written once over dual numbers
//! ([`LogDensity`], by hand or from a closure-like body with [`log_density!`]) or as a
//! closure ([`ClosureDensity`]), summed over data with exact derivatives
//! ([`DataObjective`]), and the fitted-model type with inference ([`Fit`]).
//!
//! ```
//! use mle_core::{ClosureDensity, Convergence, DataObjective, Fit, Objective, Parameter};
//! use num_dual::{Dual2SVec64, DualNum};
//!
//! // Gaussian with known σ = 1: the MLE of μ is the sample mean.
//! let model = ClosureDensity::new(vec![Parameter::identity("mu")],
//!     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
//! let data = [1.0, 2.0, 6.0];
//! let objective = DataObjective::new(&model, &data).unwrap();
//! let fit = Fit::at_estimate(&objective, &[3.0], Convergence::closed_form("mean")).unwrap();
//! assert_eq!(fit.gradient()[0], 0.0);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Index loops over parameter and predictor dimensions read like the formulas they implement.
#![allow(clippy::needless_range_loop)]

pub mod closure;
pub mod comparison;
pub mod convergence;
pub mod covariance;
pub mod delta;
pub mod density;
pub mod design;
pub mod diagnostic;
pub mod error;
pub mod fit;
pub mod gram;
pub mod hypothesis;
pub mod inference;
pub mod information;
pub mod jeffreys;
pub mod known;
pub mod macros;
pub mod masked;
pub mod numerics;
pub mod objective;
pub mod penalty;
pub mod predictor;
pub mod resampling;
pub mod special;
pub mod summation;
pub mod table;
pub mod transform;
pub mod tsqr;

pub use closure::ClosureDensity;
pub use density::{DensityKernel, LogDensity, Observation};
pub use design::Design;
pub use error::{MleError, Result};
pub use fit::{Convergence, ConvergenceStatus, Diagnostic, EstimationMethod, Fit, InformationKind};
pub use objective::{DataObjective, Evaluation, Objective};
pub use predictor::{CoefficientNames, LinearPredictorObjective};
pub use transform::{Parameter, Transform};

#[doc(hidden)]
pub use mle_macros::__log_density_statistics;
pub use nalgebra;
pub use num_dual;
