//! Fixed (masked) parameters: hold any subset of θ at given values and work on the rest.

use nalgebra::{DMatrix, DVector};

use crate::error::{MleError, Result};
use crate::objective::{Evaluation, Objective};
use crate::transform::Parameter;

/// An objective with some parameters fixed; its parameters are the free ones, in order.
///
/// ```
/// use mle_core::{ClosureDensity, DataObjective, Objective, Parameter};
/// use mle_core::masked::MaskedObjective;
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("a"), Parameter::identity("b")],
///     |t: &[Dual2SVec64<2>], x: &f64| -(t[0] + t[1] - *x).powi(2) * 0.5);
/// let data = [3.0];
/// let full = DataObjective::new(&d, &data).unwrap();
/// let masked = MaskedObjective::new(&full, vec![None, Some(1.0)]).unwrap();
/// assert_eq!(masked.dimension(), 1);
/// assert_eq!(masked.log_likelihood(&[2.0]).unwrap(), 0.0);
/// ```
pub struct MaskedObjective<'a> {
    inner: &'a dyn Objective,
    fixed: Vec<Option<f64>>,
    free: Vec<usize>,
}

impl<'a> MaskedObjective<'a> {
    /// `fixed[i] = Some(v)` holds parameter i at v; `None` leaves it free.
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, MleError, Parameter};
    /// # use mle_core::masked::MaskedObjective;
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("a")], |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2));
    /// # let data = [3.0];
    /// # let full = DataObjective::new(&d, &data).unwrap();
    /// assert!(matches!(MaskedObjective::new(&full, vec![None, None]), Err(MleError::ParameterCount { .. })));
    /// ```
    pub fn new(inner: &'a dyn Objective, fixed: Vec<Option<f64>>) -> Result<Self> {
        let params = inner.parameters();
        if fixed.len() != params.len() {
            return Err(MleError::ParameterCount {
                expected: params.len(),
                got: fixed.len(),
            });
        }
        for (p, v) in params.iter().zip(&fixed) {
            if let Some(v) = v
                && !v.is_finite()
            {
                return Err(MleError::InvalidParameter {
                    name: p.name.clone(),
                    value: *v,
                    reason: "a fixed value must be finite".into(),
                });
            }
        }
        let free = (0..fixed.len()).filter(|&i| fixed[i].is_none()).collect();
        Ok(MaskedObjective { inner, fixed, free })
    }

    /// The full parameter vector for free values `theta`.
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// # use mle_core::masked::MaskedObjective;
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("a"), Parameter::identity("b")], |t: &[Dual2SVec64<2>], x: &f64| -(t[0] + t[1] - *x).powi(2));
    /// # let data = [3.0];
    /// # let full = DataObjective::new(&d, &data).unwrap();
    /// let m = MaskedObjective::new(&full, vec![Some(5.0), None]).unwrap();
    /// assert_eq!(m.expand(&[1.0]), vec![5.0, 1.0]);
    /// ```
    pub fn expand(&self, theta: &[f64]) -> Vec<f64> {
        let mut it = theta.iter();
        self.fixed
            .iter()
            .map(|f| f.unwrap_or_else(|| *it.next().unwrap_or(&f64::NAN)))
            .collect()
    }

    /// Indices (in the full vector) of the free parameters.
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// # use mle_core::masked::MaskedObjective;
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("a"), Parameter::identity("b")], |t: &[Dual2SVec64<2>], x: &f64| -(t[0] + t[1] - *x).powi(2));
    /// # let data = [3.0];
    /// # let full = DataObjective::new(&d, &data).unwrap();
    /// assert_eq!(MaskedObjective::new(&full, vec![Some(5.0), None]).unwrap().free(), &[1]);
    /// ```
    pub fn free(&self) -> &[usize] {
        &self.free
    }

    fn check(&self, theta: &[f64]) -> Result<()> {
        if theta.len() != self.free.len() {
            return Err(MleError::ParameterCount {
                expected: self.free.len(),
                got: theta.len(),
            });
        }
        Ok(())
    }
}

impl Objective for MaskedObjective<'_> {
    fn model_name(&self) -> String {
        let names = self.inner.parameters();
        let fixed: Vec<String> = self
            .fixed
            .iter()
            .zip(&names)
            .filter_map(|(f, p)| f.map(|v| format!("{} = {v}", p.name)))
            .collect();
        format!("{} with {}", self.inner.model_name(), fixed.join(", "))
    }

    fn parameters(&self) -> Vec<Parameter> {
        let all = self.inner.parameters();
        self.free.iter().map(|&i| all[i].clone()).collect()
    }

    fn n_obs(&self) -> usize {
        self.inner.n_obs()
    }

    fn log_likelihood(&self, theta: &[f64]) -> Result<f64> {
        self.check(theta)?;
        self.inner.log_likelihood(&self.expand(theta))
    }

    fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>)> {
        self.check(theta)?;
        let (v, g) = self.inner.value_gradient(&self.expand(theta))?;
        Ok((
            v,
            DVector::from_iterator(self.free.len(), self.free.iter().map(|&i| g[i])),
        ))
    }

    fn evaluate(&self, theta: &[f64]) -> Result<Evaluation> {
        self.check(theta)?;
        let e = self.inner.evaluate(&self.expand(theta))?;
        let k = self.free.len();
        Ok(Evaluation {
            value: e.value,
            gradient: DVector::from_iterator(k, self.free.iter().map(|&i| e.gradient[i])),
            hessian: DMatrix::from_fn(k, k, |r, c| e.hessian[(self.free[r], self.free[c])]),
        })
    }

    fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        self.check(theta)?;
        let s = self.inner.scores(&self.expand(theta))?;
        Ok(s.select_columns(&self.free))
    }

    fn expected_information(&self, theta: &[f64]) -> Option<Result<DMatrix<f64>>> {
        if let Err(e) = self.check(theta) {
            return Some(Err(e));
        }
        let k = self.free.len();
        Some(
            self.inner
                .expected_information(&self.expand(theta))?
                .map(|m| DMatrix::from_fn(k, k, |r, c| m[(self.free[r], self.free[c])])),
        )
    }

    fn locate_non_finite(&self, theta: &[f64]) -> Option<(usize, f64)> {
        self.inner.locate_non_finite(&self.expand(theta))
    }
}
