//! Smoothing as MAP: a log-prior (penalty) added to ℓ, with exact derivatives, so that MAP =
//! penalised MLE uses the same optimisers: ready-made Beta, Dirichlet and Gaussian (ridge)
//! priors, or any closure over dual numbers.

use nalgebra::{DMatrix, DVector};
use num_dual::Dual2SVec64;

use crate::error::{MleError, Result};
use crate::objective::{Evaluation, Objective};
use crate::transform::Parameter;

/// A log-prior log π(θ) on the working scale, with exact gradient and Hessian.
pub trait Penalty: Sync {
    /// Description for summaries.
    fn describe(&self) -> String;
    /// log π(θ), ∇ log π, ∇² log π.
    fn evaluate(&self, theta: &[f64]) -> Result<(f64, DVector<f64>, DMatrix<f64>)>;
}

/// A log-prior written as a closure over second-order duals with `P` parameters.
///
/// ```
/// use mle_core::penalty::{ClosurePenalty, Penalty};
/// use num_dual::{Dual2SVec64, DualNum};
/// let ridge = ClosurePenalty::new("ridge", |t: &[Dual2SVec64<2>]| -(t[0] * t[0] + t[1] * t[1]) * 0.5);
/// let (v, g, h) = ridge.evaluate(&[1.0, 2.0]).unwrap();
/// assert_eq!((v, g[1], h[(0, 0)]), (-2.5, -2.0, -1.0));
/// ```
pub struct ClosurePenalty<F, const P: usize> {
    name: String,
    f: F,
}

impl<F: Fn(&[Dual2SVec64<P>]) -> Dual2SVec64<P> + Sync, const P: usize> ClosurePenalty<F, P> {
    /// Wraps the closure.
    ///
    /// ```
    /// use mle_core::penalty::{ClosurePenalty, Penalty};
    /// use num_dual::Dual2SVec64;
    /// let p = ClosurePenalty::new("flat", |t: &[Dual2SVec64<1>]| t[0] * 0.0);
    /// assert_eq!(p.describe(), "flat");
    /// ```
    pub fn new(name: impl Into<String>, f: F) -> Self {
        ClosurePenalty { name: name.into(), f }
    }
}

impl<F: Fn(&[Dual2SVec64<P>]) -> Dual2SVec64<P> + Sync, const P: usize> Penalty for ClosurePenalty<F, P> {
    fn describe(&self) -> String {
        self.name.clone()
    }

    fn evaluate(&self, theta: &[f64]) -> Result<(f64, DVector<f64>, DMatrix<f64>)> {
        if theta.len() != P {
            return Err(MleError::ParameterCount {
                expected: P,
                got: theta.len(),
            });
        }
        let t: [Dual2SVec64<P>; P] = std::array::from_fn(|i| Dual2SVec64::from_re(theta[i]).derivative(i));
        let r = (self.f)(&t);
        let g = r.v1.unwrap_generic(nalgebra::U1, nalgebra::Const::<P>);
        let h = r.v2.unwrap_generic(nalgebra::Const::<P>, nalgebra::Const::<P>);
        Ok((
            r.re,
            DVector::from_column_slice(g.as_slice()),
            DMatrix::from_column_slice(P, P, h.as_slice()),
        ))
    }
}

/// Ready-made priors, each on the working scale used by the families.
#[derive(Debug, Clone, PartialEq)]
pub enum Prior {
    /// Beta(α, β) on p = σ(θ) for one logit parameter (Bernoulli): log π = (α−1)log p +
    /// (β−1)log(1−p), written on p's scale so the MAP is (k+α−1)/(n+α+β−2).
    Beta {
        /// Index of the logit parameter.
        index: usize,
        /// α > 0.
        alpha: f64,
        /// β > 0.
        beta: f64,
    },
    /// Dirichlet(α₀..α_K) on the class probabilities of a categorical with baseline logits
    /// θ₁..θ_K (p₀ ∝ 1): log π = Σ (α_k − 1) log p_k; the MAP is (n_k + α_k − 1)/(n + Σα − K − 1)
    /// (α = 2 everywhere is add-one smoothing).
    Dirichlet {
        /// One α per class (K + 1 of them, baseline first).
        alphas: Vec<f64>,
    },
    /// Gaussian (ridge) −λ/2 Σ θ_j² over the given indices (e.g. all coefficients but the
    /// intercept).
    Ridge {
        /// λ ≥ 0.
        lambda: f64,
        /// Penalised parameter indices.
        indices: Vec<usize>,
    },
}

impl Penalty for Prior {
    fn describe(&self) -> String {
        match self {
            Prior::Beta { alpha, beta, .. } => format!("Beta({alpha}, {beta}) prior"),
            Prior::Dirichlet { alphas } => format!("Dirichlet({alphas:?}) prior"),
            Prior::Ridge { lambda, .. } => format!("Gaussian (ridge) penalty λ = {lambda}"),
        }
    }

    fn evaluate(&self, theta: &[f64]) -> Result<(f64, DVector<f64>, DMatrix<f64>)> {
        let p = theta.len();
        let mut g = DVector::zeros(p);
        let mut h = DMatrix::zeros(p, p);
        let bad = |requirement: &'static str| {
            Err(MleError::InvalidPrior {
                prior: self.describe(),
                requirement,
                parameters: p,
            })
        };
        match self {
            Prior::Beta { index, alpha, beta } => {
                if *index >= p || !(*alpha > 0.0 && *beta > 0.0) {
                    return bad("a valid index and α, β > 0");
                }
                let t = theta[*index];
                // (α−1) log σ(t) + (β−1) log σ(−t): derivative (α−1)(1−p) − (β−1)p.
                let q = crate::transform::sigmoid(t);
                let v = (alpha - 1.0) * crate::numerics::log_sigmoid(t)
                    + (beta - 1.0) * crate::numerics::log_sigmoid(-t);
                g[*index] = (alpha - 1.0) * (1.0 - q) - (beta - 1.0) * q;
                h[(*index, *index)] = -(alpha + beta - 2.0) * q * (1.0 - q);
                Ok((v, g, h))
            }
            Prior::Dirichlet { alphas } => {
                if alphas.len() != p + 1 || alphas.iter().any(|a| a.is_nan() || *a <= 0.0) {
                    return bad("K + 1 positive α for K logits");
                }
                // log p_k = θ_k − lse(0, θ); Σ (α_k−1) log p_k = Σ_{k≥1}(α_k−1)θ_k − (Σα − K − 1)·lse.
                let m = theta.iter().fold(0.0f64, |a, &b| a.max(b));
                let z: f64 = (-m).exp() + theta.iter().map(|t| (t - m).exp()).sum::<f64>();
                let lse = m + z.ln();
                let probs: Vec<f64> = theta.iter().map(|t| (t - lse).exp()).collect();
                let a0: f64 = alphas.iter().map(|a| a - 1.0).sum();
                let mut v = -a0 * lse;
                for k in 0..p {
                    v += (alphas[k + 1] - 1.0) * theta[k];
                    g[k] = (alphas[k + 1] - 1.0) - a0 * probs[k];
                    for l in 0..p {
                        h[(k, l)] = -a0 * (if k == l { probs[k] } else { 0.0 } - probs[k] * probs[l]);
                    }
                }
                Ok((v, g, h))
            }
            Prior::Ridge { lambda, indices } => {
                if lambda.is_nan() || *lambda < 0.0 || indices.iter().any(|&i| i >= p) {
                    return bad("λ ≥ 0 and valid indices");
                }
                let mut v = 0.0;
                for &i in indices {
                    v -= 0.5 * lambda * theta[i] * theta[i];
                    g[i] = -lambda * theta[i];
                    h[(i, i)] = -lambda;
                }
                Ok((v, g, h))
            }
        }
    }
}

/// ℓ(θ) + log π(θ): maximising it gives the MAP estimate (penalised MLE).
///
/// ```
/// use mle_core::penalty::{PenalizedObjective, Prior};
/// use mle_core::{ClosureDensity, DataObjective, Objective, Parameter};
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 3.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let ridge = Prior::Ridge { lambda: 2.0, indices: vec![0] };
/// let map = PenalizedObjective::new(&obj, &ridge);
/// // μ̂ = Σx/(n + λ) = 1
/// assert!(map.evaluate(&[1.0]).unwrap().gradient[0].abs() < 1e-15);
/// ```
pub struct PenalizedObjective<'a> {
    inner: &'a dyn Objective,
    penalty: &'a dyn Penalty,
}

impl<'a> PenalizedObjective<'a> {
    /// Adds `penalty` to `inner`.
    ///
    /// ```
    /// # use mle_core::penalty::{PenalizedObjective, Prior};
    /// # use mle_core::{ClosureDensity, DataObjective, Objective, Parameter};
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("mu")], |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2));
    /// # let data = [1.0];
    /// # let obj = DataObjective::new(&d, &data).unwrap();
    /// let prior = Prior::Ridge { lambda: 1.0, indices: vec![0] };
    /// assert!(PenalizedObjective::new(&obj, &prior).model_name().contains("ridge"));
    /// ```
    pub fn new(inner: &'a dyn Objective, penalty: &'a dyn Penalty) -> Self {
        PenalizedObjective { inner, penalty }
    }
}

impl Objective for PenalizedObjective<'_> {
    fn model_name(&self) -> String {
        format!("{} + {} (MAP)", self.inner.model_name(), self.penalty.describe())
    }
    fn parameters(&self) -> Vec<Parameter> {
        self.inner.parameters()
    }
    fn n_obs(&self) -> usize {
        self.inner.n_obs()
    }
    fn log_likelihood(&self, theta: &[f64]) -> Result<f64> {
        Ok(self.inner.log_likelihood(theta)? + self.penalty.evaluate(theta)?.0)
    }
    fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>)> {
        let (v, g) = self.inner.value_gradient(theta)?;
        let (pv, pg, _) = self.penalty.evaluate(theta)?;
        Ok((v + pv, g + pg))
    }
    fn evaluate(&self, theta: &[f64]) -> Result<Evaluation> {
        let e = self.inner.evaluate(theta)?;
        let (pv, pg, ph) = self.penalty.evaluate(theta)?;
        Ok(Evaluation {
            value: e.value + pv,
            gradient: e.gradient + pg,
            hessian: e.hessian + ph,
        })
    }
    fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        self.inner.scores(theta)
    }
    fn expected_information(&self, theta: &[f64]) -> Option<Result<DMatrix<f64>>> {
        let (_, _, ph) = match self.penalty.evaluate(theta) {
            Ok(v) => v,
            Err(e) => return Some(Err(e)),
        };
        Some(self.inner.expected_information(theta)?.map(|i| i - ph))
    }
    fn locate_non_finite(&self, theta: &[f64]) -> Option<(usize, f64)> {
        self.inner.locate_non_finite(theta)
    }
}
