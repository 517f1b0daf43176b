//! The fitted model: estimates on both scales, information, covariance, Wald inference,
//! convergence and diagnostics, with a `summary()`-style `Display`.

use std::fmt;

use nalgebra::{DMatrix, DVector};

use crate::error::{MleError, Result};
use crate::inference::{normal_quantile, two_sided_normal_p, SymmetricInverse};
use crate::objective::Objective;
use crate::transform::Parameter;

/// Which information matrix the covariance was built from.
///
/// ```
/// use mle_core::InformationKind;
/// assert_eq!(InformationKind::Observed.to_string(), "observed information (−∇²ℓ at θ̂)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InformationKind {
    /// −∇²ℓ(θ̂), exact.
    Observed,
    /// E[−∇²ℓ] at θ̂ (Fisher), from the model's closed form.
    Expected,
}

impl fmt::Display for InformationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InformationKind::Observed => write!(f, "observed information (−∇²ℓ at θ̂)"),
            InformationKind::Expected => write!(f, "expected (Fisher) information at θ̂"),
        }
    }
}

/// How an estimate was computed.
///
/// `Display` gives the name printed in summaries.
///
/// ```
/// use mle_core::fit::EstimationMethod;
/// assert_eq!(EstimationMethod::FisherScoring.to_string(), "Fisher scoring");
/// assert_eq!(EstimationMethod::LevenbergMarquardt.to_string(), "Levenberg–Marquardt + Newton");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EstimationMethod {
    /// Safeguarded Newton on the exact Hessian.
    Newton,
    /// Newton steps on the expected information.
    FisherScoring,
    /// Levenberg–Marquardt-damped Fisher scoring, polished by Newton.
    LevenbergMarquardt,
    /// BFGS.
    Bfgs,
    /// Limited-memory BFGS.
    Lbfgs,
    /// A closed-form estimator (no iterations).
    ClosedForm,
    /// Frisch–Newton interior point for the quantile-regression linear programme, with an
    /// exact simplex vertex step.
    FrischNewtonInteriorPoint,
    /// The Barrodale–Roberts simplex for the quantile-regression linear programme.
    BarrodaleRobertsSimplex,
    /// Anything else, by name.
    Other(String),
}

impl fmt::Display for EstimationMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EstimationMethod::Newton => "Newton",
            EstimationMethod::FisherScoring => "Fisher scoring",
            EstimationMethod::LevenbergMarquardt => "Levenberg–Marquardt + Newton",
            EstimationMethod::Bfgs => "BFGS",
            EstimationMethod::Lbfgs => "L-BFGS",
            EstimationMethod::ClosedForm => "closed form",
            EstimationMethod::FrischNewtonInteriorPoint => {
                "Frisch–Newton interior point (Portnoy–Koenker preprocessing for large n) + exact \
                 simplex vertex step"
            }
            EstimationMethod::BarrodaleRobertsSimplex => "Barrodale–Roberts simplex (exact)",
            EstimationMethod::Other(name) => name,
        })
    }
}

/// The convergence measure of an iterative method at its last iterate, when its test was
/// not met.
///
/// ```
/// use mle_core::fit::Criterion;
/// let c = Criterion::Decrement { decrement: 3e-5, tolerance: 1e-18 };
/// assert_eq!(c.to_string(), "λ²/2 = 3.00e-5 > 1e-18");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Criterion {
    /// The Newton (or Fisher) decrement λ²/2 = ½gᵀM⁻¹g, the predicted gain in ℓ.
    Decrement {
        /// λ²/2.
        decrement: f64,
        /// Its tolerance.
        tolerance: f64,
    },
    /// The gradient norm against a tolerance scaled by n (quasi-Newton methods).
    Gradient {
        /// |∇ℓ|.
        norm: f64,
        /// The tolerance (per-observation tolerance · n).
        tolerance: f64,
        /// The per-observation tolerance.
        per_observation: f64,
        /// The exact Newton decrement there.
        decrement: f64,
    },
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Criterion::Decrement {
                decrement,
                tolerance,
            } => write!(f, "λ²/2 = {decrement:.2e} > {tolerance:.0e}"),
            Criterion::Gradient {
                norm,
                tolerance,
                per_observation,
                decrement,
            } => write!(
                f,
                "|∇ℓ| = {norm:.2e} > {tolerance:.1e} (= {per_observation:.0e}·n); exact λ²/2 = {decrement:.2e}"
            ),
        }
    }
}

/// Why an estimation stopped: the verdict of the method's convergence test, decided once by
/// the solver. [`ConvergenceStatus::is_converged`] says whether the estimate is a maximum of
/// the likelihood by that test; `Display` gives the reason in words.
///
/// ```
/// use mle_core::fit::ConvergenceStatus;
/// let s = ConvergenceStatus::DecrementBelowTolerance { decrement: 1e-20, tolerance: 1e-18 };
/// assert!(s.is_converged());
/// assert_eq!(s.to_string(), "Newton decrement λ²/2 = 1.00e-20 ≤ 1e-18");
/// let m = ConvergenceStatus::MaxIterations { iterations: 5,
///     criterion: mle_core::fit::Criterion::Decrement { decrement: 0.1, tolerance: 1e-18 } };
/// assert!(!m.is_converged());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConvergenceStatus {
    /// The Newton decrement is below its tolerance, and ∇²ℓ is negative definite.
    DecrementBelowTolerance {
        /// λ²/2.
        decrement: f64,
        /// The tolerance.
        tolerance: f64,
    },
    /// |∇ℓ| is below its (n-scaled) tolerance, and ∇²ℓ is negative definite.
    GradientBelowTolerance {
        /// |∇ℓ|.
        norm: f64,
        /// The tolerance (per-observation tolerance · n).
        tolerance: f64,
        /// The per-observation tolerance.
        per_observation: f64,
        /// The exact Newton decrement there.
        decrement: f64,
    },
    /// The gradient is at the round-off level of a huge |ℓ|: max |∂ℓ/∂θᵢ|·max(|θᵢ|, 1) is
    /// below the rounding error of ℓ itself.
    RelativeGradientBelowTolerance {
        /// max |∂ℓ/∂θᵢ|·max(|θᵢ|, 1).
        scaled_gradient: f64,
        /// The rounding error of ℓ (1e3·ε·|ℓ|).
        round_off: f64,
        /// The exact Newton decrement there.
        decrement: f64,
    },
    /// The Newton step is below the floating-point resolution of θ (|δᵢ| ≤ 4ε·max(|θᵢ|, 1)
    /// for every i), so θ cannot change any more, although λ²/2 is not small in absolute
    /// terms: the terms summed into ℓ are huge (e.g. Poisson counts of 1e300, where ℓ itself
    /// is a difference of numbers of order 1e303).
    StepBelowResolution {
        /// max |δᵢ| / max(|θᵢ|, 1).
        relative_step: f64,
        /// λ²/2.
        decrement: f64,
    },
    /// The line search cannot improve ℓ and the predicted gain is at the round-off level of
    /// ℓ (relative to |ℓ| when |ℓ| is large).
    RoundOffLimited {
        /// λ²/2.
        decrement: f64,
        /// The rounding error of ℓ (1e3·ε·max(|ℓ|, 1)).
        round_off: f64,
    },
    /// ℓ itself is noise-limited: no improvement beyond round-off while a small Newton step
    /// (in standard-error units) remains.
    NoiseLimited {
        /// λ²/2.
        decrement: f64,
    },
    /// The iteration limit was reached first.
    MaxIterations {
        /// Iterations done.
        iterations: u64,
        /// The unmet convergence measure at the last iterate.
        criterion: Criterion,
    },
    /// The method could not improve ℓ any more, with its test unmet.
    Stalled {
        /// What the method reported.
        cause: String,
        /// The unmet convergence measure at the last iterate.
        criterion: Criterion,
    },
    /// A closed-form estimate.
    ClosedForm {
        /// The formula.
        formula: String,
    },
    /// An optimal vertex of a linear programme (quantile regression).
    ExactVertex {
        /// Observations interpolated by the vertex.
        interpolated: usize,
        /// A dual value is on the boundary: the solution may not be unique.
        possibly_nonunique: bool,
    },
    /// ∇ℓ ≈ 0 but ∇²ℓ has a positive eigenvalue: a minimum or saddle point, not a maximum.
    StationaryNotMaximum {
        /// The largest eigenvalue of ∇²ℓ (positive).
        largest_eigenvalue: f64,
        /// Its eigenvector as a parameter combination.
        direction: String,
    },
    /// ℓ keeps increasing along a direction of non-negative curvature, or has run off to
    /// +∞: the likelihood has no maximum (e.g. σ → 0 on a single or tied observation).
    Unbounded {
        /// The working-scale parameter that runs off.
        parameter: String,
        /// Whether it runs to +∞ (else −∞).
        increasing: bool,
        /// The direction of increase as a parameter combination.
        direction: String,
        /// ℓ at the last iterate.
        log_likelihood: f64,
    },
    /// The iterates run away: the parameter norm grows while the gradient does not shrink.
    Diverging {
        /// The parameter that grows most.
        parameter: String,
        /// Its value at the last iterate.
        value: f64,
        /// Iterations done.
        iterations: u64,
    },
}

impl ConvergenceStatus {
    /// Whether the estimate passed the method's convergence test at a maximum.
    ///
    /// ```
    /// let s = mle_core::fit::ConvergenceStatus::ClosedForm { formula: "k/n".into() };
    /// assert!(s.is_converged());
    /// ```
    pub fn is_converged(&self) -> bool {
        matches!(
            self,
            ConvergenceStatus::DecrementBelowTolerance { .. }
                | ConvergenceStatus::GradientBelowTolerance { .. }
                | ConvergenceStatus::RelativeGradientBelowTolerance { .. }
                | ConvergenceStatus::StepBelowResolution { .. }
                | ConvergenceStatus::RoundOffLimited { .. }
                | ConvergenceStatus::NoiseLimited { .. }
                | ConvergenceStatus::ClosedForm { .. }
                | ConvergenceStatus::ExactVertex { .. }
        )
    }

    /// Whether the search found no maximum at all (a minimum or saddle, or an unbounded
    /// likelihood), as opposed to running out of iterations.
    ///
    /// ```
    /// let s = mle_core::fit::ConvergenceStatus::Diverging { parameter: "a".into(), value: 1e9, iterations: 30 };
    /// assert!(s.is_not_a_maximum());
    /// ```
    pub fn is_not_a_maximum(&self) -> bool {
        matches!(
            self,
            ConvergenceStatus::StationaryNotMaximum { .. }
                | ConvergenceStatus::Unbounded { .. }
                | ConvergenceStatus::Diverging { .. }
        )
    }

    /// Whether the likelihood was found to be unbounded (run-off or divergence).
    ///
    /// ```
    /// let s = mle_core::fit::ConvergenceStatus::ClosedForm { formula: "k/n".into() };
    /// assert!(!s.is_unbounded());
    /// ```
    pub fn is_unbounded(&self) -> bool {
        matches!(
            self,
            ConvergenceStatus::Unbounded { .. } | ConvergenceStatus::Diverging { .. }
        )
    }
}

impl fmt::Display for ConvergenceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvergenceStatus::DecrementBelowTolerance {
                decrement,
                tolerance,
            } => write!(f, "Newton decrement λ²/2 = {decrement:.2e} ≤ {tolerance:.0e}"),
            ConvergenceStatus::GradientBelowTolerance {
                norm,
                tolerance,
                per_observation,
                decrement,
            } => write!(
                f,
                "|∇ℓ| = {norm:.2e} ≤ {tolerance:.1e} (= {per_observation:.0e}·n); exact λ²/2 = {decrement:.2e}"
            ),
            ConvergenceStatus::RelativeGradientBelowTolerance {
                scaled_gradient,
                round_off,
                decrement,
            } => write!(
                f,
                "relative gradient max|∂ℓ/∂θᵢ|·max(|θᵢ|, 1) = {scaled_gradient:.2e} ≤ {round_off:.1e}, the \
                 round-off of ℓ; exact λ²/2 = {decrement:.2e}"
            ),
            ConvergenceStatus::StepBelowResolution {
                relative_step,
                decrement,
            } => write!(
                f,
                "Newton step below the floating-point resolution of θ (max|δᵢ|/max(|θᵢ|, 1) = \
                 {relative_step:.1e} ≤ 4ε): θ cannot change; λ²/2 = {decrement:.2e} at the scale of the \
                 terms of ℓ"
            ),
            ConvergenceStatus::RoundOffLimited {
                decrement,
                round_off,
            } => {
                if *decrement <= 1e-10 {
                    write!(
                        f,
                        "Newton decrement λ²/2 = {decrement:.2e} at round-off level (line search cannot \
                         improve ℓ)"
                    )
                } else {
                    write!(
                        f,
                        "Newton decrement λ²/2 = {decrement:.2e} at round-off level of ℓ ({round_off:.1e}; \
                         line search cannot improve ℓ)"
                    )
                }
            }
            ConvergenceStatus::NoiseLimited { decrement } => write!(
                f,
                "ℓ cannot be improved beyond round-off; remaining Newton step {:.1e} standard errors \
                 (λ²/2 = {decrement:.2e})",
                (2.0 * decrement).sqrt()
            ),
            ConvergenceStatus::MaxIterations {
                iterations,
                criterion,
            } => write!(f, "maximum of {iterations} iterations reached; {criterion}"),
            ConvergenceStatus::Stalled { cause, criterion } => write!(f, "{cause}; {criterion}"),
            ConvergenceStatus::ClosedForm { formula } => f.write_str(formula),
            ConvergenceStatus::ExactVertex {
                interpolated,
                possibly_nonunique,
            } => write!(
                f,
                "optimal vertex: {interpolated} observations interpolated, their dual values lie in \
                 [τ − 1, τ] (0 ∈ subdifferential; ℓ is not differentiable there, so ∇ℓ ≠ 0 is expected){}",
                if *possibly_nonunique {
                    "; solution may be nonunique (a dual value is on the boundary)"
                } else {
                    ""
                }
            ),
            ConvergenceStatus::StationaryNotMaximum {
                largest_eigenvalue,
                direction,
            } => write!(
                f,
                "stationary point, not a maximum: ∇²ℓ has the positive eigenvalue {largest_eigenvalue:.3e} \
                 along {direction} (a minimum or saddle point of ℓ)"
            ),
            ConvergenceStatus::Unbounded {
                parameter,
                increasing,
                direction,
                log_likelihood,
            } => write!(
                f,
                "likelihood unbounded along {direction}: ℓ = {log_likelihood:.6e} keeps increasing as \
                 `{parameter}` → {} (no maximum exists)",
                if *increasing { "+∞" } else { "−∞" }
            ),
            ConvergenceStatus::Diverging {
                parameter,
                value,
                iterations,
            } => write!(
                f,
                "iterates diverge: `{parameter}` = {value:.3e} after {iterations} iterations, growing while \
                 ∇ℓ does not shrink (the likelihood appears unbounded along it)"
            ),
        }
    }
}

/// How the estimate was obtained and why the optimiser stopped.
///
/// ```
/// use mle_core::Convergence;
/// let c = Convergence::closed_form("sample mean and variance");
/// assert!(c.converged());
/// assert_eq!(c.iterations, 0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Convergence {
    /// The method.
    pub method: EstimationMethod,
    /// The verdict of its convergence test.
    pub status: ConvergenceStatus,
    /// Iterations done.
    pub iterations: u64,
    /// Objective evaluations by kind (e.g. "value", "gradient", "fused").
    pub evaluations: Vec<(String, u64)>,
    /// Earlier stages and alternative runs in words (e.g. the Levenberg–Marquardt stage
    /// before the Newton polish); printed after the status.
    pub notes: Vec<String>,
}

impl Convergence {
    /// A verdict with no evaluation counts or notes yet.
    ///
    /// ```
    /// use mle_core::fit::{Convergence, ConvergenceStatus, EstimationMethod};
    /// let c = Convergence::new(EstimationMethod::Newton,
    ///     ConvergenceStatus::DecrementBelowTolerance { decrement: 0.0, tolerance: 1e-18 }, 4);
    /// assert!(c.converged());
    /// ```
    pub fn new(method: EstimationMethod, status: ConvergenceStatus, iterations: u64) -> Self {
        Convergence {
            method,
            status,
            iterations,
            evaluations: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A closed-form estimate (no iterations).
    ///
    /// ```
    /// use mle_core::fit::EstimationMethod;
    /// assert_eq!(mle_core::Convergence::closed_form("k/n").method, EstimationMethod::ClosedForm);
    /// ```
    pub fn closed_form(formula: &str) -> Self {
        Convergence::new(
            EstimationMethod::ClosedForm,
            ConvergenceStatus::ClosedForm {
                formula: formula.into(),
            },
            0,
        )
    }

    /// Whether the convergence test was met at a maximum ([`ConvergenceStatus::is_converged`]).
    ///
    /// ```
    /// assert!(mle_core::Convergence::closed_form("k/n").converged());
    /// ```
    pub fn converged(&self) -> bool {
        self.status.is_converged()
    }

    /// Why it stopped, in words: the status, then any notes in brackets.
    ///
    /// ```
    /// let mut c = mle_core::Convergence::closed_form("k/n");
    /// assert_eq!(c.reason(), "k/n");
    /// c.notes.push("checked".into());
    /// assert_eq!(c.reason(), "k/n [checked]");
    /// ```
    pub fn reason(&self) -> String {
        if self.notes.is_empty() {
            self.status.to_string()
        } else {
            format!("{} [{}]", self.status, self.notes.join("; "))
        }
    }

    /// Total number of objective evaluations of all kinds.
    ///
    /// ```
    /// let mut c = mle_core::Convergence::closed_form("x");
    /// c.evaluations = vec![("value".into(), 3), ("fused".into(), 2)];
    /// assert_eq!(c.total_evaluations(), 5);
    /// ```
    pub fn total_evaluations(&self) -> u64 {
        self.evaluations.iter().map(|(_, n)| n).sum()
    }
}

/// Something about a fit the user must know before trusting its intervals.
///
/// ```
/// use mle_core::Diagnostic;
/// let d = Diagnostic::OnBoundary { parameter: "p".into(), natural_value: 0.0 };
/// assert!(d.to_string().contains("boundary"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Diagnostic {
    /// The estimate sits on the edge of the parameter space; Wald intervals are suppressed.
    OnBoundary {
        /// Natural-scale parameter name.
        parameter: String,
        /// Its natural-scale value.
        natural_value: f64,
    },
    /// −∇²ℓ at the estimate is not positive definite: no standard errors are reported.
    InformationNotPositiveDefinite {
        /// Smallest eigenvalue of −∇²ℓ.
        smallest_eigenvalue: f64,
        /// The direction (parameter combination) of that eigenvalue.
        direction: String,
    },
    /// Separation in a binary or categorical regression: these coefficients are ±∞.
    Separation {
        /// The coefficients whose MLE is infinite.
        coefficients: Vec<String>,
        /// Complete (rather than quasi-complete) separation.
        complete: bool,
    },
    /// The separation check could not decide within its bounded cost (the LP it would need
    /// is larger than its limit): the coefficients may be infinite.
    SeparationInconclusive {
        /// Why the check stopped.
        reason: String,
    },
    /// The optimiser did not meet its convergence test (or found no maximum).
    NotConverged {
        /// Why.
        status: ConvergenceStatus,
    },
    /// The MLE of a parameter is not unique: every value in [lower, upper] maximises the
    /// likelihood (e.g. the Laplace location for an even n); `reported` is the one in the fit.
    NonUniqueEstimate {
        /// Natural-scale parameter name.
        parameter: String,
        /// Smallest maximiser.
        lower: f64,
        /// Largest maximiser.
        upper: f64,
        /// The value reported.
        reported: f64,
    },
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diagnostic::OnBoundary {
                parameter,
                natural_value,
            } => write!(
                f,
                "{parameter} = {natural_value} is on the boundary of the parameter space: \
                 Wald standard errors and intervals do not apply (a likelihood-ratio interval: \
                 mle::optim::profile::profile_interval)"
            ),
            Diagnostic::InformationNotPositiveDefinite {
                smallest_eigenvalue,
                direction,
            } => write!(
                f,
                "the information matrix is not positive definite (smallest eigenvalue \
                 {smallest_eigenvalue:.3e}, direction {direction}): no standard errors"
            ),
            Diagnostic::NotConverged { status } => write!(f, "not converged: {status}"),
            Diagnostic::SeparationInconclusive { reason } => {
                write!(f, "separation check inconclusive: {reason}")
            }
            Diagnostic::NonUniqueEstimate {
                parameter,
                lower,
                upper,
                reported,
            } => write!(
                f,
                "the MLE of {parameter} is not unique: every value in [{lower}, {upper}] maximises the \
                 likelihood; {reported} is reported"
            ),
            Diagnostic::Separation {
                coefficients,
                complete,
            } => write!(
                f,
                "{} separation: the MLE of {} is infinite (the likelihood increases without bound); \
                 consider the Firth penalty",
                if *complete { "complete" } else { "quasi-complete" },
                coefficients
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// A fitted model. Every number is a plain accessor; `Display` prints the summary table.
///
/// Built by the optimisers (`mle-optim`) and by closed-form fits of the families, always
/// through [`Fit::at_estimate`] or [`Fit::on_boundary`].
#[derive(Debug, Clone)]
pub struct Fit {
    model: String,
    parameters: Vec<Parameter>,
    estimate: DVector<f64>,
    log_likelihood: f64,
    n_obs: usize,
    gradient: DVector<f64>,
    hessian: DMatrix<f64>,
    information_kind: InformationKind,
    information: DMatrix<f64>,
    covariance: Option<DMatrix<f64>>,
    covariance_source: String,
    convergence: Convergence,
    diagnostics: Vec<Diagnostic>,
    confidence_level: f64,
}

impl Fit {
    /// Builds the fit at `estimate` (working scale): evaluates ℓ, ∇ℓ, ∇²ℓ exactly, inverts the
    /// observed information, and records boundary and definiteness diagnostics.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, Convergence, DataObjective, Fit, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// let data = [1.0, 2.0, 3.0];
    /// let obj = DataObjective::new(&d, &data).unwrap();
    /// let fit = Fit::at_estimate(&obj, &[2.0], Convergence::closed_form("mean")).unwrap();
    /// assert!((fit.std_errors().unwrap()[0] - (1.0f64 / 3.0).sqrt()).abs() < 1e-15);
    /// ```
    pub fn at_estimate(objective: &dyn Objective, estimate: &[f64], convergence: Convergence) -> Result<Fit> {
        let eval = objective.evaluate(estimate)?;
        Fit::from_evaluation(objective, estimate, eval, convergence)
    }

    /// As [`Fit::at_estimate`], re-using an evaluation (ℓ, ∇ℓ, ∇²ℓ) at `estimate` that the
    /// optimiser already has, so the fit costs no extra pass over the data.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, Convergence, DataObjective, Fit, Objective, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// let data = [1.0, 3.0];
    /// let obj = DataObjective::new(&d, &data).unwrap();
    /// let e = obj.evaluate(&[2.0]).unwrap();
    /// let fit = Fit::from_evaluation(&obj, &[2.0], e, Convergence::closed_form("mean")).unwrap();
    /// assert_eq!(fit.log_likelihood(), -1.0);
    /// ```
    pub fn from_evaluation(
        objective: &dyn Objective,
        estimate: &[f64],
        eval: crate::objective::Evaluation,
        convergence: Convergence,
    ) -> Result<Fit> {
        let parameters = objective.parameters();
        if eval.gradient.len() != parameters.len() || estimate.len() != parameters.len() {
            return Err(MleError::ParameterCount {
                expected: parameters.len(),
                got: estimate.len(),
            });
        }
        if !eval.value.is_finite() {
            let (index, value) = objective.locate_non_finite(estimate).unwrap_or((0, eval.value));
            return Err(MleError::NonFiniteLogLikelihood {
                context: "the estimate".into(),
                index,
                value,
            });
        }
        let information = -&eval.hessian;
        let mut diagnostics = Vec::new();
        if !convergence.converged() {
            diagnostics.push(Diagnostic::NotConverged {
                status: convergence.status.clone(),
            });
        }
        for (p, &v) in parameters.iter().zip(estimate) {
            if p.transform.on_boundary(v) {
                diagnostics.push(Diagnostic::OnBoundary {
                    parameter: p.natural_name.clone(),
                    natural_value: p.transform.to_natural(v),
                });
            }
        }
        let covariance = match SymmetricInverse::of_positive_definite(&information) {
            Ok(inv) => Some(inv),
            Err(flat) => {
                diagnostics.push(Diagnostic::InformationNotPositiveDefinite {
                    smallest_eigenvalue: flat.eigenvalue,
                    direction: flat.describe(&parameters),
                });
                None
            }
        };
        Ok(Fit {
            model: objective.model_name(),
            parameters,
            estimate: DVector::from_column_slice(estimate),
            log_likelihood: eval.value,
            n_obs: objective.n_obs(),
            gradient: eval.gradient,
            hessian: eval.hessian,
            information_kind: InformationKind::Observed,
            information,
            covariance_source: if covariance.is_some() {
                format!("the inverse {}", InformationKind::Observed)
            } else {
                "the observed information is not positive definite (see diagnostics)".into()
            },
            covariance,
            convergence,
            diagnostics,
            confidence_level: 0.95,
        })
    }

    /// A fit whose estimate lies on the boundary of the parameter space, where derivatives
    /// on the working scale do not exist (e.g. Bernoulli with k = 0: p̂ = 0, logit p̂ = −∞).
    /// No covariance is reported.
    ///
    /// ```
    /// use mle_core::{Convergence, Fit, Parameter};
    /// let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")],
    ///     &[f64::NEG_INFINITY], 0.0, 10, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.natural_estimates()[0], 0.0);
    /// assert!(fit.std_errors().is_none());
    /// assert!(fit.is_on_boundary(0));
    /// ```
    pub fn on_boundary(
        model: &str,
        parameters: Vec<Parameter>,
        estimate: &[f64],
        log_likelihood: f64,
        n_obs: usize,
        convergence: Convergence,
    ) -> Fit {
        let k = parameters.len();
        let diagnostics = parameters
            .iter()
            .zip(estimate)
            .filter(|&(p, &v)| p.transform.on_boundary(v))
            .map(|(p, &v)| Diagnostic::OnBoundary {
                parameter: p.natural_name.clone(),
                natural_value: p.transform.to_natural(v),
            })
            .collect();
        Fit {
            model: model.into(),
            parameters,
            estimate: DVector::from_column_slice(estimate),
            log_likelihood,
            n_obs,
            gradient: DVector::zeros(k),
            hessian: DMatrix::from_element(k, k, f64::NAN),
            information_kind: InformationKind::Observed,
            information: DMatrix::from_element(k, k, f64::NAN),
            covariance: None,
            covariance_source: "none (estimate on the boundary)".into(),
            convergence,
            diagnostics,
            confidence_level: 0.95,
        }
    }

    /// Replaces the covariance by the inverse of another information matrix of the same
    /// size (e.g. the expected information).
    ///
    /// ```
    /// use mle_core::{ClosureDensity, Convergence, DataObjective, Fit, InformationKind, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// use nalgebra::dmatrix;
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// let data = [1.0, 2.0, 3.0];
    /// let obj = DataObjective::new(&d, &data).unwrap();
    /// let fit = Fit::at_estimate(&obj, &[2.0], Convergence::closed_form("mean")).unwrap()
    ///     .with_information(InformationKind::Expected, dmatrix![4.0]).unwrap();
    /// assert_eq!(fit.std_errors().unwrap()[0], 0.5);
    /// ```
    pub fn with_information(mut self, kind: InformationKind, information: DMatrix<f64>) -> Result<Fit> {
        let k = self.parameters.len();
        if information.nrows() != k || information.ncols() != k {
            return Err(MleError::DimensionMismatch {
                what: "information matrix".into(),
                expected: k,
                got: information.nrows(),
            });
        }
        self.diagnostics
            .retain(|d| !matches!(d, Diagnostic::InformationNotPositiveDefinite { .. }));
        self.covariance = match SymmetricInverse::of_positive_definite(&information) {
            Ok(inv) => Some(inv),
            Err(flat) => {
                self.diagnostics.push(Diagnostic::InformationNotPositiveDefinite {
                    smallest_eigenvalue: flat.eigenvalue,
                    direction: flat.describe(&self.parameters),
                });
                None
            }
        };
        self.information = information;
        self.information_kind = kind;
        self.covariance_source = format!("the inverse {kind}");
        Ok(self)
    }

    /// Replaces the covariance by one computed elsewhere (a sandwich, a QR factorisation, a
    /// bootstrap…), with a label saying how it was obtained; the summary prints the label.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, Convergence, DataObjective, Fit, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// use nalgebra::dmatrix;
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// let data = [1.0, 2.0, 3.0];
    /// let obj = DataObjective::new(&d, &data).unwrap();
    /// let fit = Fit::at_estimate(&obj, &[2.0], Convergence::closed_form("mean")).unwrap()
    ///     .with_covariance("a sandwich", dmatrix![0.25]).unwrap();
    /// assert_eq!(fit.std_errors().unwrap()[0], 0.5);
    /// assert_eq!(fit.covariance_source(), "a sandwich");
    /// ```
    pub fn with_covariance(mut self, source: impl Into<String>, covariance: DMatrix<f64>) -> Result<Fit> {
        let k = self.parameters.len();
        if covariance.nrows() != k || covariance.ncols() != k {
            return Err(MleError::DimensionMismatch {
                what: "covariance matrix".into(),
                expected: k,
                got: covariance.nrows(),
            });
        }
        self.diagnostics
            .retain(|d| !matches!(d, Diagnostic::InformationNotPositiveDefinite { .. }));
        self.covariance = Some(covariance);
        self.covariance_source = source.into();
        Ok(self)
    }

    /// Removes the covariance, with the reason (e.g. "observed information does not exist
    /// for the Laplace location: the log-density has a kink").
    ///
    /// ```
    /// use mle_core::{Convergence, Fit, Parameter};
    /// let fit = Fit::on_boundary("B", vec![Parameter::logit_scale("p")], &[f64::INFINITY],
    ///     0.0, 3, Convergence::closed_form("k/n")).without_covariance("not available");
    /// assert_eq!(fit.covariance_source(), "not available");
    /// ```
    pub fn without_covariance(mut self, reason: impl Into<String>) -> Fit {
        self.covariance = None;
        self.covariance_source = reason.into();
        self
    }

    /// Adds a diagnostic.
    ///
    /// ```
    /// use mle_core::{Convergence, Diagnostic, Fit, Parameter};
    /// let fit = Fit::on_boundary("B", vec![Parameter::identity("b")], &[f64::INFINITY], 0.0, 3,
    ///     Convergence::closed_form("x")).with_diagnostic(Diagnostic::Separation { coefficients: vec!["b".into()], complete: true });
    /// assert_eq!(fit.diagnostics().len(), 2);
    /// ```
    pub fn with_diagnostic(mut self, diagnostic: Diagnostic) -> Fit {
        self.diagnostics.push(diagnostic);
        self
    }

    /// How the covariance (and so the standard errors) was obtained.
    ///
    /// ```
    /// use mle_core::{Convergence, Fit, Parameter};
    /// let fit = Fit::on_boundary("B", vec![Parameter::logit_scale("p")], &[f64::INFINITY],
    ///     0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.covariance_source().contains("boundary"));
    /// ```
    pub fn covariance_source(&self) -> &str {
        &self.covariance_source
    }

    /// Sets the confidence level used by `Display` (default 0.95).
    ///
    /// ```
    /// use mle_core::{Convergence, Fit, Parameter};
    /// let fit = Fit::on_boundary("B", vec![Parameter::logit_scale("p")], &[f64::INFINITY],
    ///     0.0, 3, Convergence::closed_form("k/n")).with_confidence_level(0.9).unwrap();
    /// assert_eq!(fit.confidence_level(), 0.9);
    /// ```
    pub fn with_confidence_level(mut self, level: f64) -> Result<Fit> {
        self.confidence_level = crate::inference::check_level(level)?;
        Ok(self)
    }

    /// Model name.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.model(), "Bernoulli");
    /// ```
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Parameters (names and transforms).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.parameters()[0].natural_name, "p");
    /// ```
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// θ̂ on the working scale.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.estimates()[0], f64::INFINITY);
    /// ```
    pub fn estimates(&self) -> &DVector<f64> {
        &self.estimate
    }

    /// θ̂ on the natural scale (invariance: the MLE of g(θ) is g(θ̂)).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.natural_estimates()[0], 1.0);
    /// ```
    pub fn natural_estimates(&self) -> DVector<f64> {
        DVector::from_iterator(
            self.estimate.len(),
            self.parameters
                .iter()
                .zip(self.estimate.iter())
                .map(|(p, &v)| p.transform.to_natural(v)),
        )
    }

    /// ℓ(θ̂).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.log_likelihood(), 0.0);
    /// ```
    pub fn log_likelihood(&self) -> f64 {
        self.log_likelihood
    }

    /// Number of observations.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.n_obs(), 3);
    /// ```
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }

    /// ∇ℓ(θ̂).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.gradient().len(), 1);
    /// ```
    pub fn gradient(&self) -> &DVector<f64> {
        &self.gradient
    }

    /// ∇²ℓ(θ̂), exact.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.hessian()[(0, 0)].is_nan());
    /// ```
    pub fn hessian(&self) -> &DMatrix<f64> {
        &self.hessian
    }

    /// The information matrix the covariance comes from, and which kind it is.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter, InformationKind};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.information().0, InformationKind::Observed);
    /// ```
    pub fn information(&self) -> (InformationKind, &DMatrix<f64>) {
        (self.information_kind, &self.information)
    }

    /// Covariance of θ̂ (working scale), `None` when the information is not invertible or the
    /// estimate is on the boundary.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.covariance().is_none());
    /// ```
    pub fn covariance(&self) -> Option<&DMatrix<f64>> {
        self.covariance.as_ref()
    }

    /// Convergence information.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.convergence().converged());
    /// ```
    pub fn convergence(&self) -> &Convergence {
        &self.convergence
    }

    /// Diagnostics (boundary, indefinite information, non-convergence).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.diagnostics().len(), 1);
    /// ```
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Confidence level used by `Display`.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.confidence_level(), 0.95);
    /// ```
    pub fn confidence_level(&self) -> f64 {
        self.confidence_level
    }

    /// Whether parameter `i` is flagged on the boundary.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.is_on_boundary(0));
    /// ```
    pub fn is_on_boundary(&self, i: usize) -> bool {
        self.parameters.get(i).is_some_and(|p| {
            self.diagnostics.iter().any(
                |d| matches!(d, Diagnostic::OnBoundary { parameter, .. } if *parameter == p.natural_name),
            )
        })
    }

    /// Standard errors on the working scale: √diag(covariance). `None` without a covariance.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.std_errors().is_none());
    /// ```
    pub fn std_errors(&self) -> Option<DVector<f64>> {
        self.covariance.as_ref().map(|c| c.diagonal().map(f64::sqrt))
    }

    /// Standard errors on the natural scale by the delta method with the exact Jacobian of
    /// the transform: |dg/dθ| · se(θ).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.natural_std_errors().is_none());
    /// ```
    pub fn natural_std_errors(&self) -> Option<DVector<f64>> {
        let se = self.std_errors()?;
        Some(DVector::from_iterator(
            se.len(),
            self.parameters
                .iter()
                .zip(self.estimate.iter())
                .zip(se.iter())
                .map(|((p, &v), &s)| p.transform.derivative(v).abs() * s),
        ))
    }

    /// Wald z statistics θ̂ / se for H₀: θ = 0 (working scale).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.z_values().is_none());
    /// ```
    pub fn z_values(&self) -> Option<DVector<f64>> {
        let se = self.std_errors()?;
        Some(self.estimate.component_div(&se))
    }

    /// Two-sided p-values of the Wald z statistics (standard normal, from `statrs`).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.p_values().is_none());
    /// ```
    pub fn p_values(&self) -> Option<DVector<f64>> {
        Some(self.z_values()?.map(two_sided_normal_p))
    }

    /// Wald confidence intervals θ̂ ± z₁₋α/₂ · se on the working scale; `None` for
    /// parameters on the boundary or without a covariance.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.confidence_intervals(0.95).unwrap()[0].is_none());
    /// ```
    pub fn confidence_intervals(&self, level: f64) -> Result<Vec<Option<(f64, f64)>>> {
        let z = normal_quantile(level)?;
        let se = self.std_errors();
        Ok((0..self.estimate.len())
            .map(|i| {
                if self.is_on_boundary(i) {
                    return None;
                }
                let s = se.as_ref()?[i];
                Some((self.estimate[i] - z * s, self.estimate[i] + z * s))
            })
            .collect())
    }

    /// Natural-scale intervals: the working-scale Wald interval mapped through the
    /// (monotone) transform, so they respect the parameter's domain.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!(fit.natural_confidence_intervals(0.95).unwrap()[0].is_none());
    /// ```
    pub fn natural_confidence_intervals(&self, level: f64) -> Result<Vec<Option<(f64, f64)>>> {
        Ok(self
            .confidence_intervals(level)?
            .into_iter()
            .zip(&self.parameters)
            .map(|(ci, p)| ci.map(|(lo, hi)| (p.transform.to_natural(lo), p.transform.to_natural(hi))))
            .collect())
    }

    /// Akaike information criterion −2ℓ + 2k.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert_eq!(fit.aic(), 2.0);
    /// ```
    pub fn aic(&self) -> f64 {
        -2.0 * self.log_likelihood + 2.0 * self.parameters.len() as f64
    }

    /// Bayesian information criterion −2ℓ + k ln n.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n"));
    /// assert!((fit.bic() - 3f64.ln()).abs() < 1e-15);
    /// ```
    pub fn bic(&self) -> f64 {
        -2.0 * self.log_likelihood + self.parameters.len() as f64 * (self.n_obs as f64).ln()
    }
}

fn fmt_opt(v: Option<f64>, width: usize) -> String {
    match v {
        Some(x) => format!("{:>width$}", fmt_num(x)),
        None => format!("{:>width$}", "—"),
    }
}

fn fmt_num(x: f64) -> String {
    if x == 0.0 || (x.abs() >= 1e-4 && x.abs() < 1e6) {
        format!("{x:.6}")
    } else {
        format!("{x:.4e}")
    }
}

fn fmt_p(p: f64) -> String {
    if p < 1e-16 {
        "<1e-16".into()
    } else if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

impl fmt::Display for Fit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = self.confidence_level;
        let (lo_label, hi_label) = (
            format!("[{:.3}", (1.0 - level) / 2.0),
            format!("{:.3}]", (1.0 + level) / 2.0),
        );
        writeln!(f, "Maximum-likelihood fit: {}", self.model)?;
        writeln!(
            f,
            "n = {}   log-likelihood = {:.6}   AIC = {:.4}   BIC = {:.4}",
            self.n_obs,
            self.log_likelihood,
            self.aic(),
            self.bic()
        )?;
        let c = &self.convergence;
        writeln!(
            f,
            "Method: {} — {} ({}); {} iterations, {} evaluations; |∇ℓ| = {:.2e}",
            c.method,
            if c.converged() {
                "converged"
            } else {
                "NOT CONVERGED"
            },
            c.reason(),
            c.iterations,
            c.total_evaluations(),
            self.gradient.norm()
        )?;
        let name_w = self
            .parameters
            .iter()
            .map(|p| p.name.len().max(p.natural_name.len()))
            .max()
            .unwrap_or(4)
            .max(9);
        match &self.covariance {
            Some(_) => writeln!(f, "Standard errors from {}", self.covariance_source)?,
            None => writeln!(f, "No standard errors: {}", self.covariance_source)?,
        }
        writeln!(
            f,
            "{:<name_w$} {:>14} {:>12} {:>9} {:>9} {:>13} {:>13}",
            "working", "estimate", "std.err", "z", "P>|z|", lo_label, hi_label
        )?;
        let se = self.std_errors();
        let cis = self
            .confidence_intervals(level)
            .unwrap_or_else(|_| vec![None; self.parameters.len()]);
        for (i, p) in self.parameters.iter().enumerate() {
            let s = if self.is_on_boundary(i) {
                None
            } else {
                se.as_ref().map(|s| s[i])
            };
            let z = s.map(|s| self.estimate[i] / s);
            writeln!(
                f,
                "{:<name_w$} {} {} {:>9} {:>9} {} {}",
                p.name,
                fmt_opt(Some(self.estimate[i]), 14),
                fmt_opt(s, 12),
                z.map(|z| format!("{z:.3}")).unwrap_or_else(|| "—".into()),
                z.map(|z| fmt_p(two_sided_normal_p(z)))
                    .unwrap_or_else(|| "—".into()),
                fmt_opt(cis[i].map(|c| c.0), 13),
                fmt_opt(cis[i].map(|c| c.1), 13),
            )?;
        }
        if self
            .parameters
            .iter()
            .any(|p| p.transform != crate::Transform::Identity)
        {
            writeln!(
                f,
                "natural scale (SE by delta method; interval = transformed working interval)"
            )?;
            let nat = self.natural_estimates();
            let nse = self.natural_std_errors();
            let ncis = self
                .natural_confidence_intervals(level)
                .unwrap_or_else(|_| vec![None; self.parameters.len()]);
            for (i, p) in self.parameters.iter().enumerate() {
                if p.transform == crate::Transform::Identity {
                    continue;
                }
                let s = if self.is_on_boundary(i) {
                    None
                } else {
                    nse.as_ref().map(|s| s[i])
                };
                writeln!(
                    f,
                    "{:<name_w$} {} {} {:>9} {:>9} {} {}",
                    p.natural_name,
                    fmt_opt(Some(nat[i]), 14),
                    fmt_opt(s, 12),
                    "",
                    "",
                    fmt_opt(ncis[i].map(|c| c.0), 13),
                    fmt_opt(ncis[i].map(|c| c.1), 13),
                )?;
            }
        }
        if self.diagnostics.is_empty() {
            writeln!(f, "Diagnostics: none")?;
        } else {
            writeln!(f, "Diagnostics:")?;
            for d in &self.diagnostics {
                writeln!(f, "  - {d}")?;
            }
        }
        Ok(())
    }
}
