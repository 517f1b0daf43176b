//! # mle-families
//!
//! Built-in likelihood families, each log-density written once over dual numbers, each with a
//! closed-form estimate where one exists ([`mle_core::LogDensity::closed_form`], used by the
//! i.i.d. model of `mle-optim` in place of the optimiser). Families depend on `mle-core` only:
//! the Laplace and asymmetric Laplace densities are here, their closed-form fits (whose
//! standard errors use the quantile solver) are `mle_models::LocationScaleFit`.
//!
//! ```
//! use mle_core::{density::ClosedForm, LogDensity};
//! use mle_families::{Bernoulli, Gaussian};
//! // Each family is one log-density; closed forms come with it where they exist.
//! assert!((Bernoulli.ln_density(&[0.0], &1.0) - 0.5f64.ln()).abs() < 1e-15);
//! let Some(ClosedForm::Interior { theta, .. }) = Gaussian.closed_form(&[1.0, 3.0], None) else { panic!() };
//! assert_eq!((theta[0], theta[1].exp()), (2.0, 1.0));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Index loops over parameter and predictor dimensions read like the formulas they implement.
#![allow(clippy::needless_range_loop)]

pub mod asymmetric_laplace;
pub mod bernoulli;
pub mod binomial;
pub mod categorical;
pub mod gamma;
pub mod gaussian;
pub mod inverse_gaussian;
pub mod laplace;
pub mod mean_link;
pub mod negative_binomial;
pub mod nonlinear;
pub mod normal_cdf;
pub mod ordinal;
pub mod poisson;
pub mod student_t;
pub mod survival;
pub mod zero_inflated;

pub use asymmetric_laplace::AsymmetricLaplace;
pub use bernoulli::Bernoulli;
pub use binomial::{Binomial, BinomialLink};
pub use categorical::Categorical;
pub use gamma::Gamma;
pub use gaussian::Gaussian;
pub use inverse_gaussian::InverseGaussian;
pub use laplace::Laplace;
pub use mean_link::MeanLink;
pub use negative_binomial::NegativeBinomial;
pub use ordinal::Ordinal;
pub use poisson::Poisson;
pub use student_t::{StudentT, StudentTFixedDf};
pub use survival::{Aft, AftDistribution, ExponentialAft};
pub use zero_inflated::{ZeroInflatedNegativeBinomial, ZeroInflatedPoisson};
