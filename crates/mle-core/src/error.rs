//! The one error type of the engine.

use std::sync::Arc;

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
///
/// The enum is `#[non_exhaustive]`: match it with a wildcard arm.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
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
    /// A tolerance, damping or other setting that must be positive and finite is not.
    #[error("invalid option `{name}`: {value} must be positive and finite")]
    ToleranceNotPositive {
        /// Option name.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// `max_iterations(0)`.
    #[error("invalid option `max_iterations`: must be at least 1")]
    MaxIterationsZero,
    /// L-BFGS with no stored correction pairs.
    #[error("invalid option `memory`: L-BFGS needs at least one correction pair")]
    LbfgsMemoryZero,
    /// A confidence level outside (0, 1).
    #[error("invalid confidence level {level}: it must lie in (0, 1)")]
    LevelOutOfRange {
        /// The level given.
        level: f64,
    },
    /// A link, distribution or family name that is not one of the choices.
    #[error("`{name}` is not a {what} ({choices})")]
    UnknownName {
        /// What was named (e.g. "binomial link").
        what: &'static str,
        /// The name given.
        name: String,
        /// The names accepted.
        choices: &'static str,
    },
    /// A level of an ordinal response never occurs, so its cut-point is not identified.
    #[error("level {level} of 1..={levels} does not occur: its cut-point is not identified")]
    MissingLevel {
        /// The absent level.
        level: usize,
        /// The number of levels.
        levels: usize,
    },
    /// The Firth penalty was asked for a regression with offsets or case weights.
    #[error("the Firth penalty here is for unweighted regressions without offsets")]
    FirthNeedsPlainRegression,
    /// A probability (e.g. of a percentile) outside [0, 1].
    #[error("the probability {probability} is not in [0, 1]")]
    ProbabilityOutOfRange {
        /// The probability given.
        probability: f64,
    },
    /// A quantile level outside (0, 1).
    #[error("the quantile level τ = {tau} must lie strictly between 0 and 1")]
    TauOutOfRange {
        /// The level given.
        tau: f64,
    },
    /// Fewer bootstrap replicates than a covariance or interval needs.
    #[error("{replicates} bootstrap replicates: at least {minimum} are needed")]
    TooFewReplicates {
        /// Replicates asked for.
        replicates: usize,
        /// The minimum.
        minimum: usize,
    },
    /// Fewer Monte Carlo draws than a mean and its error need.
    #[error("{draws} Monte Carlo draws: at least {minimum} are needed")]
    TooFewDraws {
        /// Draws asked for.
        draws: usize,
        /// The minimum.
        minimum: usize,
    },
    /// Fewer distinct clusters than a cluster-robust covariance needs.
    #[error("{clusters} distinct cluster(s): a cluster-robust covariance needs at least {minimum}")]
    TooFewClusters {
        /// Distinct cluster labels found.
        clusters: usize,
        /// The minimum.
        minimum: usize,
    },
    /// The expected information sum over a discrete support did not reach the full mass.
    #[error(
        "invalid option `max_support`: mass {mass} after {max_support} support points: the tail is heavier than 1e-15"
    )]
    SupportTruncated {
        /// The support limit given.
        max_support: usize,
        /// The probability mass summed up to it.
        mass: f64,
    },
    /// A test with no restrictions (zero degrees of freedom).
    #[error("a test needs at least one restriction (df = {df})")]
    NoRestrictions {
        /// The degrees of freedom given.
        df: usize,
    },
    /// Two fits that cannot be compared as nested models.
    #[error(
        "the models are not nested: the restricted fit has {restricted} free parameters, the full {full}"
    )]
    NotNested {
        /// Free parameters of the restricted fit.
        restricted: usize,
        /// Free parameters of the full fit.
        full: usize,
    },
    /// A prior whose hyper-parameters or indices do not fit the parameter vector.
    #[error("invalid prior: {prior} needs {requirement} (the model has {parameters} parameters)")]
    InvalidPrior {
        /// The prior, as described by the penalty.
        prior: String,
        /// What it needs.
        requirement: &'static str,
        /// Number of model parameters.
        parameters: usize,
    },
    /// A linear-predictor index that does not exist.
    #[error("no predictor {index}: the model has {count}")]
    NoSuchPredictor {
        /// The index given.
        index: usize,
        /// Number of predictors.
        count: usize,
    },
    /// A parameter index that does not exist.
    #[error("no parameter {index}: the model has {count}")]
    ParameterIndexOutOfRange {
        /// The index given.
        index: usize,
        /// Number of parameters.
        count: usize,
    },
    /// A table column that does not exist.
    #[error("no column `{name}` (have {available:?})")]
    NoSuchColumn {
        /// The name asked for.
        name: String,
        /// The column names present.
        available: Vec<String>,
    },
    /// Fisher scoring or an expected-information covariance for a model without one.
    #[error("{model} has no closed-form expected information (needed by Fisher scoring and the expected-information covariance)")]
    NoExpectedInformation {
        /// The model.
        model: String,
    },
    /// Per-observation scores (needed by sandwich covariances and the score-based
    /// bootstrap) are not available from this objective.
    #[error("{model} does not keep per-observation scores ({reason}); sandwich covariances need them")]
    NoScores {
        /// The model.
        model: String,
        /// Why not.
        reason: String,
    },
    /// A categorical model with an unsupported number of classes.
    #[error("{classes} classes; between {min} and {max} are supported")]
    UnsupportedClassCount {
        /// Classes asked for.
        classes: usize,
        /// Fewest supported.
        min: usize,
        /// Most supported.
        max: usize,
    },
    /// Degrees of freedom that must be positive are not.
    #[error("invalid option `df`: {df} must be positive")]
    DegreesOfFreedomNotPositive {
        /// The value given.
        df: f64,
    },
    /// The iid sparsity estimate of a quantile regression has too few usable residuals.
    #[error(
        "the iid sparsity estimate needs the {needed} residuals after the {zeros} exact zeros, but n = {n}; use the bootstrap"
    )]
    TooFewResidualsForSparsity {
        /// Residuals needed past the exact zeros.
        needed: usize,
        /// Exact-zero residuals (interpolated observations).
        zeros: usize,
        /// Number of observations.
        n: usize,
    },
    /// A solver was started without starting values.
    #[error("no starting values were given to the solver")]
    NoStartingValues,
    /// The log-likelihood is finite but one of its derivatives is not (NaN or ±∞), so no
    /// Newton or quasi-Newton step can be taken there.
    #[error(
        "the log-likelihood is finite ({log_likelihood}) at {context}, but its {derivative} with respect to \
         `{parameter}` is {value}{}: the density's derivatives are not finite there (e.g. √0, |x| at 0 or \
         0·∞ inside the log-density)",
        observation.map(|i| format!(" (first at observation {i})")).unwrap_or_default()
    )]
    NonFiniteDerivative {
        /// Where it was evaluated (e.g. "the starting values", "θ = [..] (iteration 3)").
        context: String,
        /// Which derivative.
        derivative: Derivative,
        /// The parameter (for the Hessian: `row, column`).
        parameter: String,
        /// The non-finite entry.
        value: f64,
        /// ℓ there (finite).
        log_likelihood: f64,
        /// First observation whose score is not finite, when the objective can tell.
        observation: Option<usize>,
    },
    /// The optimiser's own arithmetic produced a non-finite iterate from a point where ℓ and
    /// its gradient were finite (an overflow in the quasi-Newton update, typically at a huge
    /// |ℓ|).
    #[error(
        "the optimiser produced a non-finite iterate from θ = {last:?}, where ℓ = {log_likelihood} and ∇ℓ \
         were finite: overflow inside the optimiser (try Newton, or rescale the model)"
    )]
    NonFiniteIterate {
        /// The last finite iterate evaluated.
        last: Vec<f64>,
        /// ℓ there.
        log_likelihood: f64,
    },
    /// The optimiser stopped at a point that is not a maximum of the likelihood: a minimum
    /// or saddle point, or a run-off along a direction where ℓ increases without bound.
    #[error("no maximum after {iterations} iterations: {status}; last iterate {last:?}")]
    NotAMaximum {
        /// What was found instead.
        status: crate::fit::ConvergenceStatus,
        /// Iterations done.
        iterations: u64,
        /// The last iterate (working scale).
        last: Vec<f64>,
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
    /// An internal optimiser or solver failure described in words (e.g. an LP solver).
    #[error("optimiser failure: {0}")]
    Optimiser(String),
    /// An error raised inside the optimisation framework (argmin), kept as the source.
    #[error("optimiser failure in argmin: {source}")]
    Argmin {
        /// argmin's error.
        #[source]
        source: SourceError,
    },
}

/// Which derivative of ℓ is meant.
///
/// ```
/// assert_eq!(mle_core::error::Derivative::Gradient.to_string(), "gradient");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derivative {
    /// ∇ℓ.
    Gradient,
    /// ∇²ℓ.
    Hessian,
}

impl std::fmt::Display for Derivative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Derivative::Gradient => "gradient",
            Derivative::Hessian => "Hessian",
        })
    }
}

/// An error from a lower layer (the optimisation framework), shared so that [`MleError`]
/// stays `Clone`; `source()` walks on into the original error's own chain.
///
/// ```
/// use std::error::Error;
/// let io = std::io::Error::new(std::io::ErrorKind::Other, "disk");
/// let e = mle_core::MleError::Argmin { source: mle_core::error::SourceError::new(io) };
/// assert_eq!(e.source().unwrap().to_string(), "disk");
/// ```
#[derive(Debug, Clone)]
pub struct SourceError(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl SourceError {
    /// Wraps any error (`anyhow::Error`, which argmin uses, converts into the box).
    ///
    /// ```
    /// let e = mle_core::error::SourceError::new("boom");
    /// assert_eq!(e.to_string(), "boom");
    /// ```
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        SourceError(Arc::from(error.into()))
    }

    /// The wrapped error.
    ///
    /// ```
    /// let e = mle_core::error::SourceError::new("boom");
    /// assert_eq!(e.inner().to_string(), "boom");
    /// ```
    pub fn inner(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SourceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Two wrapped errors are equal when they are the same error or print the same.
impl PartialEq for SourceError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

/// Shorthand for results carrying [`MleError`].
///
/// ```
/// fn f() -> mle_core::Result<f64> { Ok(1.0) }
/// assert_eq!(f().unwrap(), 1.0);
/// ```
pub type Result<T> = std::result::Result<T, MleError>;
