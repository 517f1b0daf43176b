//! What a user must know about a fit before trusting its intervals.

use std::fmt;

use crate::convergence::ConvergenceStatus;

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
        /// Complete (`Some(true)`) or quasi-complete (`Some(false)`) separation; `None` when
        /// the check that tells them apart was beyond its size limit.
        complete: Option<bool>,
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
    /// The MLE lies where part of the model vanishes and the model reduces to a simpler one
    /// (a zero-inflation probability at 0: the zero model is not identified): the estimates
    /// are the simpler model's, the vanished part's coefficients are not identified, and no
    /// Wald inference is reported for them.
    ReducedModel {
        /// What was found (e.g. "zero-inflation probability at 0 (every π̂ᵢ < 1e-8)").
        condition: String,
        /// The model the fit reduces to.
        reduces_to: String,
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
            Diagnostic::ReducedModel {
                condition,
                reduces_to,
            } => write!(
                f,
                "{condition}: a boundary MLE; the model reduces to {reduces_to}, whose estimates are \
                 reported (the vanished part is not identified: no standard errors)"
            ),
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
                match complete {
                    Some(true) => "complete",
                    Some(false) => "quasi-complete",
                    None =>
                        "complete or quasi-complete (not determined: the joint LP exceeds its size limit)",
                },
                coefficients
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}
