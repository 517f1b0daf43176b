//! # mle-models
//!
//! Models that sit above the optimiser: regressions whose parameters are linear predictors
//! (logistic, Poisson, multinomial, Student-t, heteroscedastic and linear Gaussian), quantile
//! regression with its own exact solvers, the separation check and the Firth penalty.
//!
//! ```
//! use mle_core::Design;
//! use mle_models::Logistic;
//! let x = Design::from_columns(true, &[("dose", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
//! let fit = Logistic.fit(&x, &[0.0, 1.0, 0.0, 1.0]).unwrap();
//! assert!(fit.convergence().converged());
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Index loops over parameter and predictor dimensions read like the formulas they implement.
#![allow(clippy::needless_range_loop)]

pub mod asymmetric_laplace;
pub mod firth;
pub mod laplace;
pub mod linear;
pub mod logistic;
pub mod multinomial;
pub mod poisson;
pub mod quantile;
pub mod regression;
pub mod separation;
pub mod student_t;

pub use asymmetric_laplace::{AsymmetricLaplace, LocationScaleCovariance};
pub use laplace::Laplace;
pub use linear::{HeteroscedasticGaussian, LinearRegression, LinearRegressionFit};
pub use logistic::Logistic;
pub use multinomial::MultinomialLogit;
pub use poisson::Poisson;
pub use quantile::{Bandwidth, QuantileAlgorithm, QuantileRegression, QuantileStdErrors};
pub use student_t::{StudentT, StudentTFixedDf};
