//! The fitted model: estimates on both scales, information, covariance, Wald inference,
//! convergence and diagnostics, with a `summary()`-style `Display`.

use std::fmt;

use nalgebra::{DMatrix, DVector};

use crate::error::{MleError, Result};
use crate::inference::{normal_quantile, two_sided_normal_p, SymmetricInverse};
use crate::objective::Objective;
use crate::transform::Parameter;

pub use crate::convergence::{Convergence, ConvergenceStatus, Criterion, EstimationMethod};
pub use crate::diagnostic::Diagnostic;

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
    ///     &[f64::NEG_INFINITY], 0.0, 10, Convergence::closed_form("k/n")).unwrap();
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
    ) -> Result<Fit> {
        let k = parameters.len();
        if estimate.len() != k {
            return Err(MleError::ParameterCount {
                expected: k,
                got: estimate.len(),
            });
        }
        let diagnostics = parameters
            .iter()
            .zip(estimate)
            .filter(|&(p, &v)| p.transform.on_boundary(v))
            .map(|(p, &v)| Diagnostic::OnBoundary {
                parameter: p.natural_name.clone(),
                natural_value: p.transform.to_natural(v),
            })
            .collect();
        Ok(Fit {
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
        })
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

    /// The same fit with parameter `index` renamed (working and natural names; the transform
    /// is unchanged) — e.g. an ordinal cut-point `1|2` named by the response's levels.
    ///
    /// ```
    /// use mle_core::{Convergence, Fit, Parameter};
    /// let fit = Fit::on_boundary("B", vec![Parameter::logit_scale("p")], &[f64::INFINITY],
    ///     0.0, 3, Convergence::closed_form("k/n")).unwrap()
    ///     .with_parameter_name(0, "logit(q)", "q").unwrap();
    /// assert_eq!((fit.parameters()[0].name.as_str(), fit.parameters()[0].natural_name.as_str()), ("logit(q)", "q"));
    /// assert!(fit.clone().with_parameter_name(1, "x", "x").is_err());
    /// ```
    pub fn with_parameter_name(
        mut self,
        index: usize,
        name: impl Into<String>,
        natural_name: impl Into<String>,
    ) -> Result<Fit> {
        let k = self.parameters.len();
        let p = self.parameters.get_mut(index).ok_or(MleError::ParameterCount {
            expected: k,
            got: index + 1,
        })?;
        p.name = name.into();
        p.natural_name = natural_name.into();
        Ok(self)
    }

    /// Removes the covariance, with the reason (e.g. "observed information does not exist
    /// for the Laplace location: the log-density has a kink").
    ///
    /// ```
    /// use mle_core::{Convergence, Fit, Parameter};
    /// let fit = Fit::on_boundary("B", vec![Parameter::logit_scale("p")], &[f64::INFINITY],
    ///     0.0, 3, Convergence::closed_form("k/n")).unwrap().without_covariance("not available");
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
    ///     Convergence::closed_form("x")).unwrap().with_diagnostic(Diagnostic::Separation { coefficients: vec!["b".into()], complete: Some(true) });
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
    ///     0.0, 3, Convergence::closed_form("k/n")).unwrap();
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
    ///     0.0, 3, Convergence::closed_form("k/n")).unwrap().with_confidence_level(0.9).unwrap();
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
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert_eq!(fit.model(), "Bernoulli");
    /// ```
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Parameters (names and transforms).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert_eq!(fit.parameters()[0].natural_name, "p");
    /// ```
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// θ̂ on the working scale.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert_eq!(fit.estimates()[0], f64::INFINITY);
    /// ```
    pub fn estimates(&self) -> &DVector<f64> {
        &self.estimate
    }

    /// θ̂ on the natural scale (invariance: the MLE of g(θ) is g(θ̂)).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
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
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert_eq!(fit.log_likelihood(), 0.0);
    /// ```
    pub fn log_likelihood(&self) -> f64 {
        self.log_likelihood
    }

    /// Number of observations.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert_eq!(fit.n_obs(), 3);
    /// ```
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }

    /// ∇ℓ(θ̂).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert_eq!(fit.gradient().len(), 1);
    /// ```
    pub fn gradient(&self) -> &DVector<f64> {
        &self.gradient
    }

    /// ∇²ℓ(θ̂), exact.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert!(fit.hessian()[(0, 0)].is_nan());
    /// ```
    pub fn hessian(&self) -> &DMatrix<f64> {
        &self.hessian
    }

    /// The information matrix the covariance comes from, and which kind it is.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter, InformationKind};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
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
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert!(fit.covariance().is_none());
    /// ```
    pub fn covariance(&self) -> Option<&DMatrix<f64>> {
        self.covariance.as_ref()
    }

    /// Convergence information.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert!(fit.convergence().converged());
    /// ```
    pub fn convergence(&self) -> &Convergence {
        &self.convergence
    }

    /// Diagnostics (boundary, indefinite information, non-convergence).
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert_eq!(fit.diagnostics().len(), 1);
    /// ```
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Confidence level used by `Display`.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert_eq!(fit.confidence_level(), 0.95);
    /// ```
    pub fn confidence_level(&self) -> f64 {
        self.confidence_level
    }

    /// Whether parameter `i` is flagged on the boundary.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
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
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
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
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
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
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
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
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
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
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
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
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
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
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
    /// assert_eq!(fit.aic(), 2.0);
    /// ```
    pub fn aic(&self) -> f64 {
        -2.0 * self.log_likelihood + 2.0 * self.parameters.len() as f64
    }

    /// Bayesian information criterion −2ℓ + k ln n.
    ///
    /// ```
    /// # use mle_core::{Convergence, Fit, Parameter};
    /// # let fit = Fit::on_boundary("Bernoulli", vec![Parameter::logit_scale("p")], &[f64::INFINITY], 0.0, 3, Convergence::closed_form("k/n")).unwrap();
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

/// Seven significant digits: fixed notation for 1e-4 ≤ |x| < 1e7, else scientific.
fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 1e-4 && x.abs() < 1e7 {
        let decimals = (6 - x.abs().log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.6e}")
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
