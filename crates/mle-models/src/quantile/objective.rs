//! The log-likelihood of the asymmetric-Laplace regression, from the dual-number density.

use mle_core::objective::check_parameters;
use mle_core::summation::{CompensatedSum, BLOCK};
use mle_core::{Design, Evaluation, LogDensity, MleError, Objective, Parameter, Result};
use mle_families::AsymmetricLaplace;
use nalgebra::{Const, DMatrix, DVector, U1};
use num_dual::Dual2SVec64;

use super::rows::{compensated_check_loss, validate, Rows};

/// ℓ(β, log σ) = Σᵢ log f_ALD(yᵢ | xᵢᵀβ, σ; τ) of a quantile regression, an [`Objective`] whose
/// derivatives come from the asymmetric-Laplace density written once over dual numbers.
/// ∂²ℓ/∂β∂βᵀ is zero almost everywhere: use it for ℓ, AIC/BIC and profile evaluations, not
/// for Newton steps or observed-information standard errors.
///
/// ```
/// use mle_core::{Design, Objective};
/// use mle_models::quantile::QuantileRegressionObjective;
/// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0])]).unwrap();
/// let y = [0.0, 2.0, 2.0];
/// let obj = QuantileRegressionObjective::new(0.5, &x, &y).unwrap();
/// let e = obj.evaluate(&[0.0, 1.0, 0.0]).unwrap(); // residuals 0, 1, 0; σ = 1
/// assert!((e.value - (3.0 * 0.25f64.ln() - 0.5)).abs() < 1e-14);
/// assert_eq!(e.hessian[(1, 1)], 0.0); // no curvature in β
/// ```
#[derive(Debug, Clone)]
pub struct QuantileRegressionObjective<'a> {
    family: AsymmetricLaplace,
    x: &'a Design,
    y: &'a [f64],
    parameters: Vec<Parameter>,
}

impl<'a> QuantileRegressionObjective<'a> {
    /// Checks τ, the lengths, the response (finite) and the design (full column rank).
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::quantile::QuantileRegressionObjective;
    /// let x = Design::intercept(2);
    /// assert!(matches!(QuantileRegressionObjective::new(0.5, &x, &[1.0, f64::NAN]),
    ///     Err(MleError::NonFiniteObservation { index: 1 })));
    /// ```
    pub fn new(tau: f64, x: &'a Design, y: &'a [f64]) -> Result<Self> {
        Self::checked(tau, x, y).map(|(objective, _)| objective)
    }

    /// The objective and the checked row-major copy of the design.
    pub(crate) fn checked(tau: f64, x: &'a Design, y: &'a [f64]) -> Result<(Self, Rows)> {
        let family = AsymmetricLaplace::new(tau)?;
        let rows = validate(x, y)?;
        let mut parameters: Vec<Parameter> = x.names().iter().map(Parameter::identity).collect();
        parameters.push(Parameter::log_scale("sigma"));
        Ok((
            QuantileRegressionObjective {
                family,
                x,
                y,
                parameters,
            },
            rows,
        ))
    }

    /// The check loss Σ ρ_τ(yᵢ − xᵢᵀβ) at β.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::quantile::QuantileRegressionObjective;
    /// let x = Design::intercept(3);
    /// let y = [1.0, 2.0, 4.0];
    /// let obj = QuantileRegressionObjective::new(0.25, &x, &y).unwrap();
    /// assert_eq!(obj.check_loss(&[2.0]).unwrap(), 0.75 * 1.0 + 0.25 * 2.0);
    /// ```
    pub fn check_loss(&self, beta: &[f64]) -> Result<f64> {
        let p = self.x.ncols();
        if beta.len() != p {
            return Err(MleError::ParameterCount {
                expected: p,
                got: beta.len(),
            });
        }
        let eta = self.x.matrix() * DVector::from_column_slice(beta);
        let r: Vec<f64> = self.y.iter().zip(eta.iter()).map(|(y, e)| y - e).collect();
        Ok(compensated_check_loss(&r, self.family.tau()))
    }

    fn eta(&self, theta: &[f64]) -> Result<DVector<f64>> {
        check_parameters(&self.parameters, theta)?;
        let p = self.x.ncols();
        Ok(self.x.matrix() * DVector::from_column_slice(&theta[..p]))
    }

    #[inline]
    fn value_at(&self, eta: f64, log_sigma: f64, y: f64) -> f64 {
        LogDensity::<2>::ln_density(&self.family, &[eta, log_sigma], &y)
    }
}

impl Objective for QuantileRegressionObjective<'_> {
    fn model_name(&self) -> String {
        format!(
            "quantile regression, asymmetric Laplace (τ = {})",
            self.family.tau()
        )
    }

    fn parameters(&self) -> Vec<Parameter> {
        self.parameters.clone()
    }

    fn n_obs(&self) -> usize {
        self.y.len()
    }

    fn log_likelihood(&self, theta: &[f64]) -> Result<f64> {
        let eta = self.eta(theta)?;
        let ls = theta[self.x.ncols()];
        let mut total = CompensatedSum::new(1);
        for (ys, es) in self.y.chunks(BLOCK).zip(eta.as_slice().chunks(BLOCK)) {
            let block: f64 = ys.iter().zip(es).map(|(&y, &e)| self.value_at(e, ls, y)).sum();
            total.add(&[block]);
        }
        Ok(total.total()[0])
    }

    fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>)> {
        let e = self.evaluate(theta)?;
        Ok((e.value, e.gradient))
    }

    fn evaluate(&self, theta: &[f64]) -> Result<Evaluation> {
        let eta = self.eta(theta)?;
        let p = self.x.ncols();
        let n = self.y.len();
        let ls = theta[p];
        let mut g_mu = DVector::zeros(n);
        let mut h_mumu = DVector::zeros(n);
        let mut h_musigma = DVector::zeros(n);
        let mut total = CompensatedSum::new(3);
        let mut block = [0.0; 3];
        for i in 0..n {
            let arg = [
                Dual2SVec64::<2>::from_re(eta[i]).derivative(0),
                Dual2SVec64::<2>::from_re(ls).derivative(1),
            ];
            let d = LogDensity::<2>::ln_density(&self.family, &arg, &self.y[i]);
            let g = d.v1.unwrap_generic(U1, Const::<2>);
            let h = d.v2.unwrap_generic(Const::<2>, Const::<2>);
            block[0] += d.re;
            block[1] += g[1];
            block[2] += h[(1, 1)];
            g_mu[i] = g[0];
            h_mumu[i] = h[(0, 0)];
            h_musigma[i] = h[(0, 1)];
            if (i + 1) % BLOCK == 0 || i + 1 == n {
                total.add(&block);
                block = [0.0; 3];
            }
        }
        let t = total.total();
        let xm = self.x.matrix();
        let mut gradient = DVector::zeros(p + 1);
        gradient.rows_mut(0, p).copy_from(&xm.tr_mul(&g_mu));
        gradient[p] = t[1];
        let mut scaled = xm.clone();
        for mut col in scaled.column_iter_mut() {
            col.component_mul_assign(&h_mumu);
        }
        let mut hessian = DMatrix::zeros(p + 1, p + 1);
        hessian.view_mut((0, 0), (p, p)).copy_from(&xm.tr_mul(&scaled));
        let cross = xm.tr_mul(&h_musigma);
        for j in 0..p {
            hessian[(j, p)] = cross[j];
            hessian[(p, j)] = cross[j];
        }
        hessian[(p, p)] = t[2];
        Ok(Evaluation {
            value: t[0],
            gradient,
            hessian,
        })
    }

    fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        let eta = self.eta(theta)?;
        let p = self.x.ncols();
        let ls = theta[p];
        let xm = self.x.matrix();
        let mut s = DMatrix::zeros(self.y.len(), p + 1);
        for (i, &y) in self.y.iter().enumerate() {
            let arg = [
                num_dual::DualSVec64::<2>::from_re(eta[i]).derivative(0),
                num_dual::DualSVec64::<2>::from_re(ls).derivative(1),
            ];
            let d = LogDensity::<2>::ln_density(&self.family, &arg, &y);
            let g = d.eps.unwrap_generic(Const::<2>, U1);
            for j in 0..p {
                s[(i, j)] = g[0] * xm[(i, j)];
            }
            s[(i, p)] = g[1];
        }
        Ok(s)
    }

    /// Σᵢ E[−∇²log f]: τ(1−τ)/σ² XᵀX for β, n for log σ, no cross term.
    fn expected_information(&self, theta: &[f64]) -> Option<Result<DMatrix<f64>>> {
        if let Err(e) = check_parameters(&self.parameters, theta) {
            return Some(Err(e));
        }
        let p = self.x.ncols();
        let tau = self.family.tau();
        let scale = tau * (1.0 - tau) * (-2.0 * theta[p]).exp();
        let xtx = self.x.matrix().tr_mul(self.x.matrix());
        let mut info = DMatrix::zeros(p + 1, p + 1);
        info.view_mut((0, 0), (p, p)).copy_from(&(xtx * scale));
        info[(p, p)] = self.y.len() as f64;
        Some(Ok(info))
    }

    fn locate_non_finite(&self, theta: &[f64]) -> Option<(usize, f64)> {
        let eta = self.eta(theta).ok()?;
        let ls = theta[self.x.ncols()];
        self.y
            .iter()
            .zip(eta.iter())
            .enumerate()
            .find_map(|(i, (&y, &e))| {
                let v = self.value_at(e, ls, y);
                (!v.is_finite()).then_some((i, v))
            })
    }
}
