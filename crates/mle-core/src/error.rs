//! The one error type of the engine.

use thiserror::Error;

/// Everything that can go wrong when building an objective, fitting or doing inference.
///
/// Each variant names the problem precisely (which observation, which parameter) so that a
/// user can act on it; the engine never panics on bad input.
///
/// ```
/// use mle_core::MleError;
/// let e = MleError::EmptyData;
/// assert_eq!(e.to_string(), "no observations: the data set is empty");
/// ```
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MleError {
    /// The data set has no observations.
    #[error("no observations: the data set is empty")]
    EmptyData,
    /// An observation contains NaN or an infinity.
    #[error("observation {index} is not finite (NaN or infinite)")]
    NonFiniteObservation {
        /// Zero-based index of the offending observation.
        index: usize,
    },
    /// An observation lies outside the support of the family.
    #[error("observation {index} is outside the support of the {family} family: {reason}")]
    OutsideSupport {
        /// Zero-based index of the offending observation.
        index: usize,
        /// Name of the family or model.
        family: String,
        /// What is wrong with the value.
        reason: String,
    },
    /// A case weight is negative, NaN or infinite.
    #[error("case weight {index} is {value}: weights must be finite and non-negative")]
    InvalidWeight {
        /// Zero-based index of the weight.
        index: usize,
        /// The weight given.
        value: f64,
    },
    /// Two inputs that must agree in size do not.
    #[error("dimension mismatch in {what}: expected {expected}, got {got}")]
    DimensionMismatch {
        /// Which input.
        what: String,
        /// Expected length.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A parameter vector has the wrong number of entries.
    #[error("wrong number of parameters: the model has {expected}, {got} were given")]
    ParameterCount {
        /// Number of model parameters.
        expected: usize,
        /// Number given.
        got: usize,
    },
    /// A parameter value is not allowed (NaN, infinite, or outside its domain).
    #[error("parameter `{name}` = {value} is invalid: {reason}")]
    InvalidParameter {
        /// Parameter name.
        name: String,
        /// The value given.
        value: f64,
        /// Why it is invalid.
        reason: String,
    },
    /// The log-likelihood is not finite at a parameter value where it must be.
    #[error("the log-likelihood is not finite at {context}: observation {index} gives {value}")]
    NonFiniteLogLikelihood {
        /// Where it was evaluated (e.g. "the starting values").
        context: String,
        /// First observation whose log-density is not finite.
        index: usize,
        /// The log-density value there.
        value: f64,
    },
    /// A design matrix entry is not usable.
    #[error("invalid design: {reason}")]
    InvalidDesign {
        /// Which row and column, and what is wrong.
        reason: String,
    },
    /// The design does not have full column rank: coefficients are not identified.
    #[error("the design is rank deficient: columns {columns:?} depend linearly on earlier ones ({relation}); drop one of them")]
    RankDeficient {
        /// The columns that are linear combinations of earlier columns.
        columns: Vec<String>,
        /// The linear relation found for the first of them.
        relation: String,
    },
    /// An option has an invalid value.
    #[error("invalid option `{name}`: {reason}")]
    InvalidOption {
        /// Option name.
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The information matrix cannot be inverted.
    #[error("the information matrix is singular or not positive definite: {detail}")]
    SingularInformation {
        /// Smallest eigenvalue and the direction that is not identified.
        detail: String,
    },
    /// The optimiser stopped without meeting its convergence test.
    #[error(
        "no convergence after {iterations} iterations ({reason}); gradient norm {gradient_norm:.3e}; last iterate {last:?}"
    )]
    NoConvergence {
        /// Why it stopped.
        reason: String,
        /// Iterations done.
        iterations: u64,
        /// Euclidean norm of the log-likelihood gradient at the last iterate.
        gradient_norm: f64,
        /// The last iterate (working scale).
        last: Vec<f64>,
    },
    /// A parameter was addressed by a name the model does not have.
    #[error("no parameter is named `{name}`; the model has {available:?}")]
    UnknownParameter {
        /// The name asked for.
        name: String,
        /// The parameter names the model has (working scale).
        available: Vec<String>,
    },
    /// An error raised inside the optimisation framework.
    #[error("optimiser failure: {0}")]
    Optimiser(String),
}

/// Shorthand for results carrying [`MleError`].
///
/// ```
/// fn f() -> mle_core::Result<f64> { Ok(1.0) }
/// assert_eq!(f().unwrap(), 1.0);
/// ```
pub type Result<T> = std::result::Result<T, MleError>;
