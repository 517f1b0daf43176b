//! The one argmin adapter: any [`Objective`] as an argmin problem over the negative
//! log-likelihood, `Param = Vec<f64>` for every solver.

use argmin::core::{CostFunction, Error, Gradient, Hessian};
use mle_core::{Evaluation, Objective};

/// The negative log-likelihood −ℓ(θ) of an [`Objective`], as argmin's `CostFunction`,
/// `Gradient` and `Hessian` (implemented once, here, for every model). Non-finite values of ℓ
/// become `+∞` so line searches reject them.
///
/// ```
/// use argmin::core::CostFunction;
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::NegativeLogLikelihood;
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 3.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let nll = NegativeLogLikelihood::new(&obj);
/// assert_eq!(nll.cost(&vec![2.0]).unwrap(), 1.0);
/// ```
pub struct NegativeLogLikelihood<'a> {
    objective: &'a dyn Objective,
}

impl<'a> NegativeLogLikelihood<'a> {
    /// Wraps an objective.
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("mu")], |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2));
    /// # let data = [1.0];
    /// # let obj = DataObjective::new(&d, &data).unwrap();
    /// let nll = mle_optim::NegativeLogLikelihood::new(&obj);
    /// assert_eq!(nll.objective().dimension(), 1);
    /// ```
    pub fn new(objective: &'a dyn Objective) -> Self {
        NegativeLogLikelihood { objective }
    }

    /// The wrapped objective.
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("mu")], |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2));
    /// # let data = [1.0];
    /// # let obj = DataObjective::new(&d, &data).unwrap();
    /// # let nll = mle_optim::NegativeLogLikelihood::new(&obj);
    /// assert_eq!(nll.objective().n_obs(), 1);
    /// ```
    pub fn objective(&self) -> &'a dyn Objective {
        self.objective
    }

    /// ℓ, ∇ℓ, ∇²ℓ in one pass (log-likelihood sign, not negated).
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("mu")], |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2));
    /// # let data = [1.0];
    /// # let obj = DataObjective::new(&d, &data).unwrap();
    /// # let nll = mle_optim::NegativeLogLikelihood::new(&obj);
    /// assert_eq!(nll.fused(&[1.0]).unwrap().value, 0.0);
    /// ```
    pub fn fused(&self, theta: &[f64]) -> Result<Evaluation, Error> {
        Ok(self.objective.evaluate(theta)?)
    }
}

fn finite_or_inf(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        f64::INFINITY
    }
}

impl CostFunction for NegativeLogLikelihood<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, param: &Self::Param) -> Result<f64, Error> {
        Ok(finite_or_inf(-self.objective.log_likelihood(param)?))
    }
}

impl Gradient for NegativeLogLikelihood<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, param: &Self::Param) -> Result<Vec<f64>, Error> {
        let (_, g) = self.objective.value_gradient(param)?;
        Ok(g.iter().map(|v| -v).collect())
    }
}

impl Hessian for NegativeLogLikelihood<'_> {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;

    fn hessian(&self, param: &Self::Param) -> Result<Vec<Vec<f64>>, Error> {
        let e = self.objective.evaluate(param)?;
        let k = e.gradient.len();
        Ok((0..k)
            .map(|r| (0..k).map(|c| -e.hessian[(r, c)]).collect())
            .collect())
    }
}

/// Turns an argmin error back into the engine's typed error when it carries one.
pub(crate) fn into_mle_error(e: Error) -> mle_core::MleError {
    match e.downcast::<mle_core::MleError>() {
        Ok(m) => m,
        Err(other) => mle_core::MleError::Optimiser(other.to_string()),
    }
}

/// Evaluation counts kept by an argmin `Problem`, sorted, with argmin's `_count` suffix
/// dropped.
pub(crate) fn evaluation_counts(map: &std::collections::HashMap<&'static str, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = map
        .iter()
        .map(|(k, n)| (k.trim_end_matches("_count").to_string(), *n))
        .collect();
    v.sort();
    v
}

/// Why an argmin run stopped, in words (the iteration limit named with its value).
pub(crate) fn termination_text(
    reason: Option<&argmin::core::TerminationReason>,
    max_iterations: u64,
) -> String {
    match reason {
        Some(argmin::core::TerminationReason::MaxItersReached) => {
            format!("maximum of {max_iterations} iterations reached")
        }
        Some(r) => r.to_string(),
        None => "stopped".into(),
    }
}

/// A positive, finite tolerance or the option error naming it.
pub(crate) fn positive_finite(name: &str, value: f64) -> Result<f64, mle_core::MleError> {
    if value > 0.0 && value.is_finite() {
        Ok(value)
    } else {
        Err(mle_core::MleError::InvalidOption {
            name: name.into(),
            reason: format!("{value} must be positive and finite"),
        })
    }
}
