//! How an estimate was obtained and why the optimiser stopped: the method, a matchable
//! status decided by the solver, iteration and evaluation counts.

use std::borrow::Cow;
use std::fmt;

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
    /// Objective evaluations by kind (e.g. "value", "gradient", "fused"; the built-in kinds
    /// are borrowed names, so counting them allocates no strings).
    pub evaluations: Vec<(Cow<'static, str>, u64)>,
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
