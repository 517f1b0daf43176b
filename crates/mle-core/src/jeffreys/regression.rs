//! The regression kind of [`JeffreysObjective`] (Firth's penalty): for any family on one linear
//! predictor, I(β) = Xᵀ diag(wᵢ) X with wᵢ = −∂²log p/∂η², and the penalty's gradient is
//! ½ Σᵢ (∂wᵢ/∂ηᵢ) hᵢ xᵢ with leverages hᵢ = xᵢᵀI⁻¹xᵢ: it needs the third derivative
//! ∂³log p/∂η³, taken exactly with third-order dual numbers from the family's log-density.

use super::JeffreysObjective;
use crate::density::LogDensity;
use crate::design::Design;
use crate::error::{MleError, Result};
use crate::objective::{Evaluation, Objective};
use crate::predictor::LinearPredictorObjective;
use crate::transform::Parameter;
use nalgebra::{DMatrix, DVector};
use num_dual::{Dual3_64, DualNum};

/// The regression penalty (Firth): the penalised log-likelihood of a one-predictor model
/// ([`JeffreysObjective::regression`]).
///
/// ```
/// use mle_core::{jeffreys::JeffreysObjective, Design, LinearPredictorObjective, Objective};
/// # use mle_core::{LogDensity, Parameter};
/// # use num_dual::DualNum;
/// # struct Logit;
/// # impl LogDensity<1> for Logit {
/// #     type Obs = f64;
/// #     fn name(&self) -> String { "Bernoulli".into() }
/// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("eta")] }
/// #     fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], y: &f64) -> D {
/// #         t[0] * *y - (t[0].exp() + 1.0).ln()
/// #     }
/// # }
/// // Completely separated data: the plain MLE is infinite, Firth's is finite. brglm2 / logistf
/// // give slope 0.97064956932608337; by the symmetry of x about 5.5 the intercept is −5.5×.
/// let x = Design::from_columns(true, &[("x", (1..=10).map(f64::from).collect())]).unwrap();
/// let y: Vec<f64> = (1..=10).map(|i| if i > 5 { 1.0 } else { 0.0 }).collect();
/// let plain = LinearPredictorObjective::new(Logit, [&x], &y).unwrap();
/// let firth = JeffreysObjective::regression(&plain).unwrap();
/// let b = 0.97064956932608337;
/// let g = firth.evaluate(&[-5.5 * b, b]).unwrap().gradient;
/// assert!(g.norm() < 1e-9, "{g}");
/// ```
pub struct OnePredictor<'a, F: LogDensity<1>> {
    inner: &'a LinearPredictorObjective<'a, F, 1>,
}

impl<'a, F: LogDensity<1>> JeffreysObjective<OnePredictor<'a, F>> {
    /// Firth's penalty on a one-predictor regression: wraps the unpenalised objective (no
    /// offset or weights).
    ///
    /// ```
    /// use mle_core::{jeffreys::JeffreysObjective, Design, LinearPredictorObjective, MleError};
    /// # use mle_core::{LogDensity, Parameter};
    /// # use num_dual::DualNum;
    /// # struct Logit;
    /// # impl LogDensity<1> for Logit {
    /// #     type Obs = f64;
    /// #     fn name(&self) -> String { "Bernoulli".into() }
    /// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("eta")] }
    /// #     fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], y: &f64) -> D {
    /// #         t[0] * *y - (t[0].exp() + 1.0).ln()
    /// #     }
    /// # }
    /// let x = Design::intercept(3);
    /// let y = [0.0, 1.0, 1.0];
    /// let weighted = LinearPredictorObjective::new(Logit, [&x], &y)
    ///     .unwrap()
    ///     .with_weights(vec![1.0, 2.0, 1.0])
    ///     .unwrap();
    /// assert!(matches!(JeffreysObjective::regression(&weighted), Err(MleError::FirthNeedsPlainRegression)));
    /// ```
    pub fn regression(inner: &'a LinearPredictorObjective<'a, F, 1>) -> Result<Self> {
        if inner.offset(0).is_some() || inner.weights().is_some() {
            return Err(MleError::FirthNeedsPlainRegression);
        }
        Ok(JeffreysObjective {
            penalty: OnePredictor { inner },
        })
    }
}

impl<F: LogDensity<1>> OnePredictor<'_, F> {
    fn x(&self) -> &Design {
        self.inner.designs()[0]
    }

    fn weights(&self, theta: &[f64]) -> (DVector<f64>, DVector<f64>) {
        let eta = self.x().matrix() * DVector::from_column_slice(theta);
        let y = self.inner.response();
        let n = y.len();
        let (mut w, mut dw) = (DVector::zeros(n), DVector::zeros(n));
        for i in 0..n {
            let d = Dual3_64::from_re(eta[i]).derivative();
            let r = self.inner.family().ln_density(&[d], &y[i]);
            w[i] = -r.v2;
            dw[i] = -r.v3;
        }
        (w, dw)
    }

    /// Information I(β) = Xᵀ diag(w) X, its log determinant and inverse.
    fn information(&self, w: &DVector<f64>) -> Result<(DMatrix<f64>, f64, DMatrix<f64>)> {
        let x = self.x().matrix();
        let mut wx = x.clone();
        for mut col in wx.column_iter_mut() {
            col.component_mul_assign(w);
        }
        let info = x.tr_mul(&wx);
        let ch = info
            .clone()
            .cholesky()
            .ok_or_else(|| MleError::SingularInformation {
                detail: "Xᵀ W X is not positive definite: the Firth penalty is undefined".into(),
            })?;
        let log_det = 2.0 * ch.l_dirty().diagonal().iter().map(|v| v.ln()).sum::<f64>();
        Ok((info, log_det, ch.inverse()))
    }
}

impl<F: LogDensity<1>> Objective for JeffreysObjective<OnePredictor<'_, F>> {
    fn model_name(&self) -> String {
        format!(
            "{} + Firth penalty ½ log det I(β)",
            self.penalty.inner.model_name()
        )
    }

    fn parameters(&self) -> Vec<Parameter> {
        self.penalty.inner.parameters()
    }

    fn n_obs(&self) -> usize {
        self.penalty.inner.n_obs()
    }

    fn log_likelihood(&self, theta: &[f64]) -> Result<f64> {
        let l = self.penalty.inner.log_likelihood(theta)?;
        let (w, _) = self.penalty.weights(theta);
        Ok(match self.penalty.information(&w) {
            Ok((_, log_det, _)) => l + 0.5 * log_det,
            Err(_) => f64::NEG_INFINITY,
        })
    }

    fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>)> {
        let e = self.evaluate(theta)?;
        Ok((e.value, e.gradient))
    }

    /// Value and exact gradient of the penalised log-likelihood; the curvature returned is the
    /// unpenalised Hessian (negative definite), which Newton uses as its step metric.
    fn evaluate(&self, theta: &[f64]) -> Result<Evaluation> {
        let mut e = self.penalty.inner.evaluate(theta)?;
        let (w, dw) = self.penalty.weights(theta);
        let (_, log_det, inv) = self.penalty.information(&w)?;
        let x = self.penalty.x().matrix();
        let xi = x * &inv;
        for i in 0..x.nrows() {
            let h = xi.row(i).dot(&x.row(i));
            let c = 0.5 * dw[i] * h;
            for k in 0..x.ncols() {
                e.gradient[k] += c * x[(i, k)];
            }
        }
        e.value += 0.5 * log_det;
        Ok(e)
    }

    fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        self.penalty.inner.scores(theta)
    }

    fn expected_information(&self, theta: &[f64]) -> Option<Result<DMatrix<f64>>> {
        self.penalty.inner.expected_information(theta)
    }
}
