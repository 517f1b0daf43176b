//! # mle-families
//!
//! Built-in likelihood families, each log-density written once over dual numbers, each with a
//! closed-form fit where one exists (through the same [`mle_core::Fit`] type as the
//! optimiser). Families depend on `mle-core` only: the Laplace and asymmetric Laplace
//! densities are here, their closed-form fits (whose standard errors use the quantile
//! solver) are `mle_models::LocationScaleFit`.
//!
//! ```
//! use mle_families::{Bernoulli, Gaussian};
//! let coin = Bernoulli.fit(&[1.0, 0.0, 0.0, 1.0, 1.0]).unwrap();
//! assert!((coin.natural_estimates()[0] - 0.6).abs() < 1e-15);
//! let g = Gaussian.fit(&[1.0, 3.0]).unwrap();
//! assert_eq!(g.natural_estimates()[1], 1.0);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Index loops over parameter and predictor dimensions read like the formulas they implement.
#![allow(clippy::needless_range_loop)]

pub mod asymmetric_laplace;
pub mod bernoulli;
pub mod categorical;
pub mod gaussian;
pub mod laplace;
pub mod nonlinear;

pub use asymmetric_laplace::AsymmetricLaplace;
pub use bernoulli::Bernoulli;
pub use categorical::Categorical;
pub use gaussian::Gaussian;
pub use laplace::Laplace;
