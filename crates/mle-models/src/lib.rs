//! # mle-models
//!
//! Models that sit above the optimiser: regressions whose parameters are linear predictors
//! (logistic, Poisson, multinomial, Student-t, heteroscedastic and linear Gaussian), quantile
//! regression with its own exact solvers (and the closed-form Laplace / asymmetric-Laplace
//! fits, [`LocationScaleFit`], whose standard errors use them), the separation check (Firth's
//! penalty is `mle_core::jeffreys::JeffreysObjective::regression`).
//!
//! ```
//! use mle_core::covariance::CovarianceType;
//! use mle_core::Design;
//! use mle_models::Regression;
//! use mle_optim::Model;
//! let x = Design::from_columns(true, &[("dose", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
//! let y = [0.0, 1.0, 0.0, 1.0];
//! let fitted = Regression::logistic(&x, &y).unwrap().fit().unwrap();
//! assert!(fitted.convergence().converged());
//! let robust = fitted.covariance(CovarianceType::Hc0).unwrap();
//! let profile = fitted.profile("dose", 0.95).unwrap();
//! assert!(robust[(1, 1)] > 0.0 && profile.lower.unwrap() < fitted.estimates()[1]);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Index loops over parameter and predictor dimensions read like the formulas they implement.
#![allow(clippy::needless_range_loop)]

pub mod binomial;
pub mod gamma;
pub mod inverse_gaussian;
pub mod linear;
pub mod logistic;
pub mod multinomial;
pub mod negative_binomial;
pub mod ordinal;
mod orthogonal;
pub mod poisson;
pub mod quantile;
pub mod regression;
mod saturation;
pub mod separation;
pub mod separation_check;
pub mod student_t;
pub mod survival;
pub mod zero_inflated;

pub use linear::{LeastSquares, LinearRegression};
pub use ordinal::{fit_ordinal, CutPoint};
pub use quantile::{
    Bandwidth, LocationScaleCovariance, LocationScaleFit, QuantileAlgorithm, QuantileModel,
    QuantileRegression, QuantileStdErrors,
};
pub use regression::{Regression, RegressionFamily};
