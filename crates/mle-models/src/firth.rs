//! Firth's penalty (the Jeffreys prior): maximise ℓ(β) + ½ log det I(β). Finite estimates
//! even under separation, and bias reduction of order 1/n.
//!
//! For any family on one linear predictor, I(β) = Xᵀ diag(wᵢ) X with wᵢ = −∂²log p/∂η²,
//! and the penalty's gradient is ½ Σᵢ (∂wᵢ/∂ηᵢ) hᵢ xᵢ with leverages hᵢ = xᵢᵀI⁻¹xᵢ: it needs
//! the third derivative ∂³log p/∂η³, taken exactly with third-order dual numbers from the
//! family's log-density.

use mle_core::{
    Design, Evaluation, LinearPredictorObjective, LogDensity, MleError, Objective, Parameter, Result,
};
use nalgebra::{DMatrix, DVector};
use num_dual::{Dual3_64, DualNum};

/// The Firth-penalised log-likelihood of a one-predictor model.
///
/// ```
/// use mle_core::Design;
/// use mle_models::{firth::FirthObjective, Regression};
/// use mle_optim::FitOptions;
/// // Completely separated data: the plain MLE is infinite, Firth's is finite.
/// let x = Design::from_columns(true, &[("x", (1..=10).map(f64::from).collect())]).unwrap();
/// let y: Vec<f64> = (1..=10).map(|i| if i > 5 { 1.0 } else { 0.0 }).collect();
/// let model = Regression::logistic(&x, &y).unwrap();
/// let firth = FirthObjective::new(model.linear_objective()).unwrap();
/// let fit = FitOptions::newton().fit(&firth, &[0.0, 0.0]).unwrap();
/// assert!((fit.estimates()[1] - 0.97064956932608337).abs() < 1e-8); // brglm2 / logistf
/// ```
pub struct FirthObjective<'a, F: LogDensity<1>> {
    inner: &'a LinearPredictorObjective<'a, F, 1>,
}

impl<'a, F: LogDensity<1>> FirthObjective<'a, F> {
    /// Wraps the unpenalised objective (no offset or weights).
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::{firth::FirthObjective, Regression};
    /// let x = Design::intercept(3);
    /// let w = [1.0, 2.0, 1.0];
    /// let model = Regression::logistic(&x, &[0.0, 1.0, 1.0]).unwrap().weights(&w[..]).unwrap();
    /// assert!(FirthObjective::new(model.linear_objective()).is_err());
    /// ```
    pub fn new(inner: &'a LinearPredictorObjective<'a, F, 1>) -> Result<Self> {
        if inner.offset(0).is_some() || inner.weights().is_some() {
            return Err(MleError::FirthNeedsPlainRegression);
        }
        Ok(FirthObjective { inner })
    }

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

impl<F: LogDensity<1>> Objective for FirthObjective<'_, F> {
    fn model_name(&self) -> String {
        format!("{} + Firth penalty ½ log det I(β)", self.inner.model_name())
    }

    fn parameters(&self) -> Vec<Parameter> {
        self.inner.parameters()
    }

    fn n_obs(&self) -> usize {
        self.inner.n_obs()
    }

    fn log_likelihood(&self, theta: &[f64]) -> Result<f64> {
        let l = self.inner.log_likelihood(theta)?;
        let (w, _) = self.weights(theta);
        Ok(match self.information(&w) {
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
        let mut e = self.inner.evaluate(theta)?;
        let (w, dw) = self.weights(theta);
        let (_, log_det, inv) = self.information(&w)?;
        let x = self.x().matrix();
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
        self.inner.scores(theta)
    }

    fn expected_information(&self, theta: &[f64]) -> Option<Result<DMatrix<f64>>> {
        self.inner.expected_information(theta)
    }
}
