//! The i.i.d. kind of [`JeffreysObjective`]: third derivatives of a [`LogDensity`] type (or a
//! closure written against [`Nested`]) by nested dual numbers.

use nalgebra::{Const, DMatrix, DVector, U1};
use num_dual::{Derivative, DualSVec64};

use super::Nested;

use super::JeffreysObjective;
use crate::density::{DensityKernel, LogDensity};
use crate::error::{MleError, Result};
use crate::objective::{check_parameters, DataObjective, Evaluation, Objective};
use crate::transform::Parameter;

/// The i.i.d. penalty: ℓ(θ) + ½ log det(−∇²ℓ(θ)) for data under a [`LogDensity`] type
/// ([`JeffreysObjective::new`], [`JeffreysObjective::with_closure`]).
///
/// ```
/// use mle_core::jeffreys::JeffreysObjective;
/// use mle_core::{DataObjective, Objective};
/// # use mle_core::{LogDensity, Parameter};
/// # use num_dual::DualNum;
/// # struct BernoulliLogit;
/// # impl LogDensity<1> for BernoulliLogit {
/// #     type Obs = f64;
/// #     fn name(&self) -> String { "Bernoulli".into() }
/// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::logit_scale("p")] }
/// #     fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], y: &f64) -> D {
/// #         t[0] * *y - (t[0].exp() + 1.0).ln()
/// #     }
/// # }
/// // Bernoulli, k = 0 of 10: the MLE is on the boundary, the Jeffreys/Firth estimate is
/// // (k + ½)/(n + 1).
/// let data = [0.0; 10];
/// let obj = DataObjective::new(&BernoulliLogit, &data).unwrap();
/// let firth = JeffreysObjective::new(&obj);
/// let theta = ((0.5f64 / 11.0) / (1.0 - 0.5 / 11.0)).ln();
/// assert!(firth.evaluate(&[theta]).unwrap().gradient[0].abs() < 1e-12);
/// ```
pub struct Iid<'a, K: DensityKernel<P>, F, const P: usize> {
    inner: &'a DataObjective<'a, K, P>,
    third_order: F,
}

/// The third-order evaluation of a [`LogDensity`] type.
type ThirdOrderOf<L, const P: usize> = fn(&L, &[Nested<P>], &<L as LogDensity<P>>::Obs) -> Nested<P>;

impl<'a, L: LogDensity<P>, const P: usize> JeffreysObjective<Iid<'a, L, ThirdOrderOf<L, P>, P>> {
    /// Wraps the unpenalised objective.
    ///
    /// ```
    /// # use mle_core::jeffreys::JeffreysObjective;
    /// # use mle_core::{DataObjective, LogDensity, Objective, Parameter};
    /// # use num_dual::DualNum;
    /// # struct E;
    /// # impl LogDensity<1> for E {
    /// #     type Obs = f64;
    /// #     fn name(&self) -> String { "E".into() }
    /// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::log_scale("rate")] }
    /// #     fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &f64) -> D { t[0] - t[0].exp() * *x }
    /// # }
    /// # let data = [1.0];
    /// # let obj = DataObjective::new(&E, &data).unwrap();
    /// assert!(JeffreysObjective::new(&obj).model_name().contains("Jeffreys"));
    /// ```
    pub fn new(inner: &'a DataObjective<'a, L, P>) -> Self {
        JeffreysObjective {
            penalty: Iid {
                inner,
                third_order: |l: &L, t: &[Nested<P>], x: &L::Obs| l.ln_density(t, x),
            },
        }
    }
}

impl<'a, K: DensityKernel<P>, C, const P: usize> JeffreysObjective<Iid<'a, K, C, P>>
where
    C: Fn(&K, &[Nested<P>], &K::Obs) -> Nested<P> + Sync,
{
    /// For a closure density: `third_order` is the same log-density written against
    /// [`Nested<P>`] (closures cannot be generic, so the third-order version is a second
    /// closure with the same body).
    ///
    /// ```
    /// use mle_core::jeffreys::{JeffreysObjective, Nested};
    /// use mle_core::{ClosureDensity, DataObjective, Objective, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// // Poisson rate on the log scale: the Jeffreys estimate is (Σy + ½)/n.
    /// let poisson = ClosureDensity::new(vec![Parameter::log_scale("rate")],
    ///     |t: &[Dual2SVec64<1>], y: &f64| t[0] * *y - t[0].exp());
    /// let data = [0.0, 0.0, 1.0];
    /// let obj = DataObjective::new(&poisson, &data).unwrap();
    /// let firth = JeffreysObjective::with_closure(&obj, |_, t: &[Nested<1>], y: &f64| t[0] * *y - t[0].exp());
    /// let g = firth.evaluate(&[(1.5f64 / 3.0).ln()]).unwrap().gradient[0];
    /// assert!(g.abs() < 1e-12);
    /// ```
    pub fn with_closure(inner: &'a DataObjective<'a, K, P>, third_order: C) -> Self {
        JeffreysObjective {
            penalty: Iid { inner, third_order },
        }
    }
}

impl<K: DensityKernel<P>, C, const P: usize> Iid<'_, K, C, P>
where
    C: Fn(&K, &[Nested<P>], &K::Obs) -> Nested<P> + Sync,
{
    /// Σᵢ wᵢ ∂³ log p(xᵢ | θ) as T[k] = ∂(∇²ℓ)/∂θ_k.
    fn third_derivatives(&self, theta: &[f64; P]) -> Vec<DMatrix<f64>> {
        let seeded: [Nested<P>; P] = std::array::from_fn(|i| {
            let inner = DualSVec64::<P>::from_re(theta[i]).derivative(i);
            let mut d = Nested::<P>::from_re(inner);
            d.v1 = Derivative::derivative_generic(U1, Const::<P>, i);
            d
        });
        let mut t = vec![DMatrix::zeros(P, P); P];
        let data = self.inner.data();
        let weights = self.inner.weights();
        for (i, x) in data.iter().enumerate() {
            let w = weights.map_or(1.0, |w| w[i]);
            if w == 0.0 {
                continue;
            }
            let r = (self.third_order)(self.inner.kernel(), &seeded, x);
            let h = r.v2.unwrap_generic(Const::<P>, Const::<P>);
            for a in 0..P {
                for b in 0..P {
                    let eps = h[(a, b)].eps.unwrap_generic(Const::<P>, U1);
                    for k in 0..P {
                        t[k][(a, b)] += w * eps[k];
                    }
                }
            }
        }
        t
    }
}

impl<K: DensityKernel<P>, C, const P: usize> Objective for JeffreysObjective<Iid<'_, K, C, P>>
where
    C: Fn(&K, &[Nested<P>], &K::Obs) -> Nested<P> + Sync,
{
    fn model_name(&self) -> String {
        format!(
            "{} + Jeffreys/Firth penalty ½ log det J(θ)",
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
        let e = self.penalty.inner.evaluate(theta)?;
        Ok(match (-&e.hessian).cholesky() {
            Some(ch) => e.value + ch.l_dirty().diagonal().iter().map(|v| v.ln()).sum::<f64>(),
            None => f64::NEG_INFINITY,
        })
    }
    fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>)> {
        let e = self.evaluate(theta)?;
        Ok((e.value, e.gradient))
    }
    /// Exact value and gradient; the curvature returned is the unpenalised Hessian.
    fn evaluate(&self, theta: &[f64]) -> Result<Evaluation> {
        check_parameters(&self.penalty.inner.parameters(), theta)?;
        let mut e = self.penalty.inner.evaluate(theta)?;
        let info = -&e.hessian;
        let ch = info.cholesky().ok_or_else(|| MleError::SingularInformation {
            detail:
                "the observed information is not positive definite: the Jeffreys penalty is undefined here"
                    .into(),
        })?;
        let inv = ch.inverse();
        let mut t = [0.0; P];
        t.copy_from_slice(theta);
        let third = self.penalty.third_derivatives(&t);
        // ∂/∂θ_k ½ log det(−H) = −½ tr((−H)⁻¹ ∂H/∂θ_k).
        for k in 0..P {
            e.gradient[k] -= 0.5 * (&inv * &third[k]).trace();
        }
        e.value += ch.l_dirty().diagonal().iter().map(|v| v.ln()).sum::<f64>();
        Ok(e)
    }
    fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        self.penalty.inner.scores(theta)
    }
}
