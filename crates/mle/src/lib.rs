//! # mle
//!
//! Maximum-likelihood estimation with exact derivatives. Write a log-density once — as a
//! closure over dual numbers or as a type implementing [`LogDensity`] — and get the MLE,
//! standard errors, Wald tests and intervals.
//!
//! ```
//! use mle::prelude::*;
//!
//! // A density that is not built in: exponential with rate exp(θ).
//! let expo = ClosureDensity::new(vec![Parameter::log_scale("rate")],
//!     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x);
//! let data = [0.5, 1.0, 1.5];
//! let fitted = expo.fit(&data).unwrap();
//! assert!((fitted.natural_estimates()[0] - 1.0).abs() < 1e-12);
//! let hc0 = fitted.covariance(CovarianceType::Hc0).unwrap();
//! let ci = fitted.profile("rate", 0.95).unwrap();
//! assert!(hc0[(0, 0)] > 0.0 && ci.lower.unwrap() < 0.0);
//! println!("{fitted}");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use mle_core as core;
pub use mle_families as families;
pub use mle_models as models;
pub use mle_optim as optim;

pub use mle_core::log_density;
pub use mle_core::{
    ClosureDensity, DataObjective, DensityKernel, Fit, LogDensity, MleError, Objective, Parameter, Transform,
};

/// Everything a user needs: `use mle::prelude::*;`.
pub mod prelude {
    pub use mle_core::covariance::CovarianceType;
    pub use mle_core::delta::{delta_method, DerivedQuantity};
    pub use mle_core::hypothesis::{likelihood_ratio_test, score_test, wald_test, TestResult};
    pub use mle_core::jeffreys::JeffreysObjective;
    pub use mle_core::log_density;
    pub use mle_core::numerics::{log_sigmoid, log_sum_exp, softplus};
    pub use mle_core::special::ln_gamma;
    pub use mle_core::table::NumericTable;
    pub use mle_core::{
        ClosureDensity, CoefficientNames, Convergence, ConvergenceStatus, DataObjective, DensityKernel,
        Design, Diagnostic, EstimationMethod, Evaluation, Fit, InformationKind, LinearPredictorObjective,
        LogDensity, MleError, Objective, Observation, Parameter, Transform,
    };
    pub use mle_families::{
        Aft, AftDistribution, AsymmetricLaplace, Bernoulli, Binomial, BinomialLink, Categorical,
        ExponentialAft, Gamma, Gaussian, InverseGaussian, Laplace, MeanLink, NegativeBinomial, Ordinal,
        Poisson, StudentT, StudentTFixedDf, ZeroInflatedNegativeBinomial, ZeroInflatedPoisson,
    };
    pub use mle_models::{
        fit_ordinal, CutPoint, LeastSquares, LinearRegression, LocationScaleCovariance, LocationScaleFit,
        QuantileAlgorithm, QuantileRegression, QuantileStdErrors, Regression, RegressionFamily,
    };
    pub use mle_optim::bootstrap::parametric_bootstrap;
    pub use mle_optim::multistart::{multistart, random_starts};
    pub use mle_optim::profile::{profile_interval, profile_interval_derived, ProfileInterval};
    pub use mle_optim::{DataModel, FitData, FitOptions, Fitted, Method, Model};
    pub use nalgebra::{DMatrix, DVector};
    pub use num_dual::{Dual2SVec64, DualNum, DualSVec64};
}
