//! # mle-optim
//!
//! Optimisers for `mle`, run through argmin's `Executor`: a safeguarded Newton (and Fisher
//! scoring) solver of our own, and argmin's BFGS / L-BFGS configured for likelihoods. One
//! adapter ([`NegativeLogLikelihood`]) makes every model an argmin problem.
//!
//! ```
//! use mle_core::{ClosureDensity, DataObjective, Parameter};
//! use mle_optim::FitOptions;
//! use num_dual::{Dual2SVec64, DualNum};
//! let model = ClosureDensity::new(vec![Parameter::log_scale("rate")],
//!     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x);
//! let data = [0.5, 1.0, 1.5];
//! let objective = DataObjective::new(&model, &data).unwrap();
//! let fit = FitOptions::newton().fit(&objective, &[0.0]).unwrap();
//! assert!((fit.natural_estimates()[0] - 1.0).abs() < 1e-12); // rate = 1 / mean
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Index loops over parameter and predictor dimensions read like the formulas they implement.
#![allow(clippy::needless_range_loop)]

pub mod adapter;
pub mod batch;
pub mod bootstrap;
mod direction;
pub mod driver;
pub mod fit;
pub mod fitted;
pub mod levenberg_marquardt;
pub mod model;
pub mod multistart;
pub mod newton;
pub mod profile;
mod quasi_newton;
mod verdict;

pub use adapter::NegativeLogLikelihood;
pub use fit::{FitOptions, Method};
pub use fitted::Fitted;
pub use levenberg_marquardt::LevenbergMarquardt;
pub use model::{DataModel, FitData, Model};
pub use newton::SafeguardedNewton;
