//! An objective with one evaluation known in advance.

use std::sync::Arc;

use nalgebra::{DMatrix, DVector};

use crate::error::Result;
use crate::objective::{Evaluation, Objective};
use crate::transform::Parameter;

/// `objective` with its fused evaluation at one point θ₀ supplied by the caller, who knows
/// it more cheaply than a pass over the data (e.g. a logistic fit's start β = 0, where every
/// weight is ¼ and the Hessian is −XᵀX/4 from the Gram matrix of the rank check). An
/// evaluation at exactly θ₀ returns it; everything else is the objective's own.
///
/// ```
/// use mle_core::known::WithKnownEvaluation;
/// use mle_core::{ClosureDensity, DataObjective, Objective, Parameter};
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 3.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let at_zero = obj.evaluate(&[0.0]).unwrap();
/// let known = WithKnownEvaluation::new(&obj, &[0.0], at_zero.clone());
/// assert_eq!(known.evaluate(&[0.0]).unwrap(), at_zero);
/// assert_eq!(known.evaluate(&[2.0]).unwrap(), obj.evaluate(&[2.0]).unwrap());
/// ```
pub struct WithKnownEvaluation<'a> {
    objective: &'a dyn Objective,
    at: Vec<f64>,
    evaluation: Evaluation,
}

impl<'a> WithKnownEvaluation<'a> {
    /// `objective`, whose fused evaluation at `at` is `evaluation`.
    pub fn new(objective: &'a dyn Objective, at: &[f64], evaluation: Evaluation) -> Self {
        WithKnownEvaluation {
            objective,
            at: at.to_vec(),
            evaluation,
        }
    }
}

impl Objective for WithKnownEvaluation<'_> {
    fn model_name(&self) -> String {
        self.objective.model_name()
    }
    fn parameters(&self) -> Vec<Parameter> {
        self.objective.parameters()
    }
    fn shared_parameters(&self) -> Arc<[Parameter]> {
        self.objective.shared_parameters()
    }
    fn dimension(&self) -> usize {
        self.objective.dimension()
    }
    fn n_obs(&self) -> usize {
        self.objective.n_obs()
    }
    fn log_likelihood(&self, theta: &[f64]) -> Result<f64> {
        if theta == self.at.as_slice() {
            return Ok(self.evaluation.value);
        }
        self.objective.log_likelihood(theta)
    }
    fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>)> {
        if theta == self.at.as_slice() {
            return Ok((self.evaluation.value, self.evaluation.gradient.clone()));
        }
        self.objective.value_gradient(theta)
    }
    fn evaluate(&self, theta: &[f64]) -> Result<Evaluation> {
        if theta == self.at.as_slice() {
            return Ok(self.evaluation.clone());
        }
        self.objective.evaluate(theta)
    }
    fn evaluate_into(&self, theta: &[f64], out: &mut Evaluation) -> Result<()> {
        if theta == self.at.as_slice() {
            let e = &self.evaluation;
            out.set(e.value, &e.gradient, &e.hessian);
            return Ok(());
        }
        self.objective.evaluate_into(theta, out)
    }
    fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        self.objective.scores(theta)
    }
    fn expected_information(&self, theta: &[f64]) -> Option<Result<DMatrix<f64>>> {
        self.objective.expected_information(theta)
    }
    fn locate_non_finite(&self, theta: &[f64]) -> Option<(usize, f64)> {
        self.objective.locate_non_finite(theta)
    }
}
