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
//! let model = ClosureDensity::new(vec![Parameter::log_scale("rate")],
//!     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x);
//! let data = [0.5, 1.0, 1.5];
//! let objective = DataObjective::new(&model, &data).unwrap();
//! let fit = FitOptions::newton().fit(&objective, &[0.0]).unwrap();
//! assert!((fit.natural_estimates()[0] - 1.0).abs() < 1e-12);
//! println!("{fit}");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use mle_core as core;
pub use mle_families as families;
pub use mle_models as models;
pub use mle_optim as optim;

pub use mle_core::{
    ClosureDensity, DataObjective, DensityKernel, Fit, LogDensity, MleError, Objective, Parameter, Transform,
};

/// Everything a user needs: `use mle::prelude::*;`.
pub mod prelude {
    pub use mle_core::numerics::{log_sigmoid, log_sum_exp, softplus};
    pub use mle_core::{
        ClosureDensity, Convergence, ConvergenceStatus, DataObjective, DensityKernel, Diagnostic,
        EstimationMethod, Evaluation, Fit, InformationKind, LogDensity, MleError, Objective, Observation,
        Parameter, Transform,
    };
    pub use mle_core::{Design, LinearPredictorObjective, PredictorDensity};
    pub use mle_families::{Bernoulli, Categorical, Gaussian};
    pub use mle_models::regression::RegressionInput;
    pub use mle_models::{
        HeteroscedasticGaussian, LinearRegression, Logistic, MultinomialLogit, Poisson, StudentT,
        StudentTFixedDf,
    };
    pub use mle_optim::{Curvature, FitOptions, Method};
    pub use nalgebra::{DMatrix, DVector};
    pub use num_dual::{Dual2SVec64, DualNum, DualSVec64};
}
