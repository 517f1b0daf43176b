//! The log-likelihood over a data set: ℓ(θ) = Σᵢ wᵢ log p(xᵢ | θ), its gradient, Hessian and
//! per-observation scores.

use std::sync::Arc;

use nalgebra::{DMatrix, DVector, SMatrix};

use crate::density::{DensityKernel, Observation, SufficientStatistics};
use crate::error::{MleError, Result};
use crate::summation::sum_blocks_with;
use crate::transform::Parameter;

/// ℓ, ∇ℓ and ∇²ℓ at one parameter value (working scale), from one pass over the data.
///
/// ```
/// use mle_core::Evaluation;
/// use nalgebra::{dmatrix, dvector};
/// let e = Evaluation { value: -1.0, gradient: dvector![0.0], hessian: dmatrix![-2.0] };
/// assert_eq!(e.gradient_norm(), 0.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// ℓ(θ).
    pub value: f64,
    /// ∇ℓ(θ).
    pub gradient: DVector<f64>,
    /// ∇²ℓ(θ).
    pub hessian: DMatrix<f64>,
}

impl Evaluation {
    /// Euclidean norm of the gradient.
    ///
    /// ```
    /// use mle_core::Evaluation;
    /// use nalgebra::{dmatrix, dvector};
    /// let e = Evaluation { value: 0.0, gradient: dvector![3.0, 4.0], hessian: dmatrix![1.0, 0.0; 0.0, 1.0] };
    /// assert_eq!(e.gradient_norm(), 5.0);
    /// ```
    pub fn gradient_norm(&self) -> f64 {
        self.gradient.norm()
    }

    /// An evaluation of `k` parameters with zero entries: a buffer for
    /// [`Objective::evaluate_into`].
    ///
    /// ```
    /// let e = mle_core::Evaluation::zeros(2);
    /// assert_eq!((e.gradient.len(), e.hessian.shape()), (2, (2, 2)));
    /// ```
    pub fn zeros(k: usize) -> Self {
        Evaluation {
            value: 0.0,
            gradient: DVector::zeros(k),
            hessian: DMatrix::zeros(k, k),
        }
    }

    /// Becomes (ℓ, ∇ℓ, ∇²ℓ) = (`value`, `gradient`, `hessian`), in its own buffers when the
    /// shapes agree (no allocation).
    ///
    /// ```
    /// use nalgebra::{dmatrix, dvector};
    /// let mut e = mle_core::Evaluation::zeros(1);
    /// e.set(-1.0, &dvector![2.0], &dmatrix![-3.0]);
    /// assert_eq!((e.value, e.gradient[0], e.hessian[(0, 0)]), (-1.0, 2.0, -3.0));
    /// ```
    pub fn set(&mut self, value: f64, gradient: &DVector<f64>, hessian: &DMatrix<f64>) {
        self.value = value;
        if self.gradient.len() == gradient.len() {
            self.gradient.copy_from(gradient);
        } else {
            self.gradient = gradient.clone();
        }
        if self.hessian.shape() == hessian.shape() {
            self.hessian.copy_from(hessian);
        } else {
            self.hessian = hessian.clone();
        }
    }

    /// Resizes the derivative buffers to `k` parameters (allocating only when the size
    /// changes); their entries are then to be overwritten.
    fn reshape(&mut self, k: usize) {
        if self.gradient.len() != k {
            self.gradient = DVector::zeros(k);
        }
        if self.hessian.shape() != (k, k) {
            self.hessian = DMatrix::zeros(k, k);
        }
    }
}

/// A log-likelihood the optimisers and the inference code can work with: any model, any data.
///
/// Implemented by [`DataObjective`] (a family or closure over i.i.d. observations); other
/// model forms (linear predictors, penalised or masked objectives) implement it too.
///
/// ```
/// use mle_core::{ClosureDensity, DataObjective, Objective, Parameter};
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 2.0, 3.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let e = obj.evaluate(&[2.0]).unwrap();
/// assert_eq!((e.value, e.gradient[0], e.hessian[(0, 0)]), (-1.0, 0.0, -3.0));
/// ```
///
/// # Panics
///
/// Evaluations call user code (a [`crate::ClosureDensity`] closure, a [`crate::LogDensity`]
/// implementation) on rayon's thread pool; a panic there propagates through rayon to the
/// caller of the evaluation — the optimiser does not catch it (multi-start does, counting the
/// start as failed). Return NaN or −∞ where the density is undefined instead of panicking.
pub trait Objective: Sync {
    /// Name of the model (for summaries).
    fn model_name(&self) -> String;
    /// The parameters on the working scale.
    fn parameters(&self) -> Vec<Parameter>;
    /// The parameters, shared: the same as [`Objective::parameters`], without copying their
    /// names when the objective keeps them shared (the default copies them once).
    fn shared_parameters(&self) -> Arc<[Parameter]> {
        Arc::from(self.parameters())
    }
    /// Number of parameters.
    fn dimension(&self) -> usize {
        self.parameters().len()
    }
    /// Number of observations (with non-zero weight), used by BIC.
    fn n_obs(&self) -> usize;
    /// ℓ(θ); may be −∞ or NaN where the model is undefined (never an error for that).
    fn log_likelihood(&self, theta: &[f64]) -> Result<f64>;
    /// ℓ(θ) and ∇ℓ(θ).
    fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>)>;
    /// ℓ, ∇ℓ and ∇²ℓ in one fused pass.
    fn evaluate(&self, theta: &[f64]) -> Result<Evaluation>;
    /// [`Objective::evaluate`] written into `out`, the same numbers bit for bit; an objective
    /// may override it to re-use `out`'s buffers (no allocation per evaluation, as the
    /// i.i.d. [`DataObjective`] does). The default evaluates and moves the result in.
    fn evaluate_into(&self, theta: &[f64], out: &mut Evaluation) -> Result<()> {
        *out = self.evaluate(theta)?;
        Ok(())
    }
    /// Per-observation (weighted) scores wᵢ ∇ log p(xᵢ | θ): one row per observation.
    fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>>;
    /// Expected (Fisher) information Σ wᵢ I₁(θ), where the model knows it in closed form.
    fn expected_information(&self, _theta: &[f64]) -> Option<Result<DMatrix<f64>>> {
        None
    }
    /// The first observation whose log-density is not finite at θ, with its value.
    fn locate_non_finite(&self, _theta: &[f64]) -> Option<(usize, f64)> {
        None
    }
}

/// Checks a parameter vector: right length, every entry finite.
///
/// ```
/// use mle_core::{objective::check_parameters, Parameter};
/// let ps = vec![Parameter::identity("mu")];
/// assert!(check_parameters(&ps, &[1.0]).is_ok());
/// assert!(check_parameters(&ps, &[f64::NAN]).is_err());
/// assert!(check_parameters(&ps, &[1.0, 2.0]).is_err());
/// ```
pub fn check_parameters(parameters: &[Parameter], theta: &[f64]) -> Result<()> {
    if theta.len() != parameters.len() {
        return Err(MleError::ParameterCount {
            expected: parameters.len(),
            got: theta.len(),
        });
    }
    for (p, &v) in parameters.iter().zip(theta) {
        if !v.is_finite() {
            return Err(MleError::InvalidParameter {
                name: p.name.clone(),
                value: v,
                reason: "must be finite".into(),
            });
        }
    }
    Ok(())
}

/// i.i.d. observations under a [`DensityKernel`] with `P` parameters, optionally weighted.
///
/// Construction checks every observation once (finite, in the support) and the weights; the
/// data are borrowed, never modified. A panic in the density during an evaluation propagates
/// to the caller (see [`Objective`]).
///
/// ```
/// use mle_core::{ClosureDensity, DataObjective, MleError, Parameter};
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// assert!(matches!(DataObjective::new(&d, &[]), Err(MleError::EmptyData)));
/// assert!(matches!(DataObjective::new(&d, &[1.0, f64::NAN]),
///     Err(MleError::NonFiniteObservation { index: 1 })));
/// ```
pub struct DataObjective<'a, K: DensityKernel<P>, const P: usize> {
    kernel: &'a K,
    data: &'a [K::Obs],
    weights: Option<&'a [f64]>,
    parameters: Arc<[Parameter]>,
    n_positive: usize,
    /// The sample's sufficient statistics, when the kernel has them: every evaluation is
    /// then O(1).
    statistics: Option<SufficientStatistics>,
}

impl<K: DensityKernel<P>, const P: usize> Clone for DataObjective<'_, K, P> {
    fn clone(&self) -> Self {
        DataObjective {
            kernel: self.kernel,
            data: self.data,
            weights: self.weights,
            parameters: Arc::clone(&self.parameters),
            n_positive: self.n_positive,
            statistics: self.statistics,
        }
    }
}

impl<'a, K: DensityKernel<P>, const P: usize> DataObjective<'a, K, P> {
    /// Builds the objective, checking the data.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, DataObjective, Objective, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// assert_eq!(DataObjective::new(&d, &[1.0, 2.0]).unwrap().n_obs(), 2);
    /// ```
    pub fn new(kernel: &'a K, data: &'a [K::Obs]) -> Result<Self> {
        let parameters = kernel.kernel_parameters();
        if parameters.len() != P {
            return Err(MleError::DimensionMismatch {
                what: format!("parameter names of {}", kernel.kernel_name()),
                expected: P,
                got: parameters.len(),
            });
        }
        if data.is_empty() {
            return Err(MleError::EmptyData);
        }
        for (index, x) in data.iter().enumerate() {
            if !x.is_finite_observation() {
                return Err(MleError::NonFiniteObservation { index });
            }
            if let Err(reason) = kernel.kernel_check_observation(x) {
                return Err(MleError::OutsideSupport {
                    index,
                    family: kernel.kernel_name(),
                    reason,
                });
            }
        }
        Ok(DataObjective {
            kernel,
            data,
            weights: None,
            parameters: Arc::from(parameters),
            n_positive: data.len(),
            statistics: kernel.kernel_statistics(data, None),
        })
    }

    /// Attaches case weights (finite, non-negative, one per observation).
    ///
    /// ```
    /// use mle_core::{ClosureDensity, DataObjective, Objective, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// let data = [1.0, 3.0];
    /// let w = [1.0, 0.0];
    /// let obj = DataObjective::new(&d, &data).unwrap().with_weights(&w).unwrap();
    /// assert_eq!(obj.n_obs(), 1);
    /// assert_eq!(obj.log_likelihood(&[1.0]).unwrap(), 0.0);
    /// ```
    pub fn with_weights(mut self, weights: &'a [f64]) -> Result<Self> {
        if weights.len() != self.data.len() {
            return Err(MleError::DimensionMismatch {
                what: "case weights".into(),
                expected: self.data.len(),
                got: weights.len(),
            });
        }
        for (index, &value) in weights.iter().enumerate() {
            if !(value.is_finite() && value >= 0.0) {
                return Err(MleError::InvalidWeight { index, value });
            }
        }
        self.n_positive = weights.iter().filter(|&&w| w > 0.0).count();
        if self.n_positive == 0 {
            return Err(MleError::EmptyData);
        }
        self.weights = Some(weights);
        self.statistics = self.kernel.kernel_statistics(self.data, self.weights);
        Ok(self)
    }

    /// The observations.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// assert_eq!(DataObjective::new(&d, &[4.0]).unwrap().data(), &[4.0]);
    /// ```
    pub fn data(&self) -> &'a [K::Obs] {
        self.data
    }

    /// The case weights, if any.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// assert!(DataObjective::new(&d, &[4.0]).unwrap().weights().is_none());
    /// ```
    pub fn weights(&self) -> Option<&'a [f64]> {
        self.weights
    }

    /// The density.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, DataObjective, DensityKernel, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// assert_eq!(DataObjective::new(&d, &[4.0]).unwrap().kernel().kernel_name(), "closure");
    /// ```
    pub fn kernel(&self) -> &'a K {
        self.kernel
    }

    fn theta(&self, theta: &[f64]) -> Result<[f64; P]> {
        check_parameters(&self.parameters, theta)?;
        let mut t = [0.0; P];
        t.copy_from_slice(theta);
        Ok(t)
    }

    #[inline]
    fn weight(&self, i: usize) -> f64 {
        match self.weights {
            Some(w) => w[i],
            None => 1.0,
        }
    }
}

impl<K: DensityKernel<P>, const P: usize> Objective for DataObjective<'_, K, P> {
    fn model_name(&self) -> String {
        self.kernel.kernel_name()
    }

    fn parameters(&self) -> Vec<Parameter> {
        self.parameters.to_vec()
    }

    fn shared_parameters(&self) -> Arc<[Parameter]> {
        Arc::clone(&self.parameters)
    }

    fn dimension(&self) -> usize {
        P
    }

    fn n_obs(&self) -> usize {
        self.n_positive
    }

    fn log_likelihood(&self, theta: &[f64]) -> Result<f64> {
        let t = self.theta(theta)?;
        if let Some(s) = &self.statistics {
            return Ok(self.kernel.statistics_value(&t, s));
        }
        let block = |range: std::ops::Range<usize>, out: &mut [f64]| {
            let w = self.weights.map(|w| &w[range.clone()]);
            out[0] += self.kernel.block_value(&t, &self.data[range], w);
        };
        Ok(sum_blocks_with(self.data.len(), 1, block, |s| s[0]))
    }

    fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>)> {
        let t = self.theta(theta)?;
        if let Some(s) = &self.statistics {
            let (v, g) = self.kernel.statistics_value_gradient(&t, s);
            return Ok((v, DVector::from_column_slice(&g)));
        }
        let block = |range: std::ops::Range<usize>, out: &mut [f64]| {
            let w = self.weights.map(|w| &w[range.clone()]);
            let (v, g) = self.kernel.block_value_gradient(&t, &self.data[range], w);
            out[0] += v;
            for k in 0..P {
                out[1 + k] += g[k];
            }
        };
        Ok(sum_blocks_with(self.data.len(), 1 + P, block, |s| {
            (s[0], DVector::from_column_slice(&s[1..]))
        }))
    }

    fn evaluate(&self, theta: &[f64]) -> Result<Evaluation> {
        let mut out = Evaluation::zeros(P);
        self.evaluate_into(theta, &mut out)?;
        Ok(out)
    }

    fn evaluate_into(&self, theta: &[f64], out: &mut Evaluation) -> Result<()> {
        let t = self.theta(theta)?;
        out.reshape(P);
        if let Some(s) = &self.statistics {
            let (v, g, h) = self.kernel.statistics_value_gradient_hessian(&t, s);
            out.value = v;
            out.gradient.copy_from_slice(&g);
            for c in 0..P {
                for r in 0..P {
                    out.hessian[(r, c)] = (h[(r, c)] + h[(c, r)]) * 0.5;
                }
            }
            return Ok(());
        }
        let block = |range: std::ops::Range<usize>, acc: &mut [f64]| {
            let w = self.weights.map(|w| &w[range.clone()]);
            let (v, g, h) = self.kernel.block_value_gradient_hessian(&t, &self.data[range], w);
            acc[0] += v;
            for k in 0..P {
                acc[1 + k] += g[k];
            }
            for (o, h) in acc[1 + P..].iter_mut().zip(h.iter()) {
                *o += h;
            }
        };
        sum_blocks_with(self.data.len(), 1 + P + P * P, block, |s| {
            let h = &s[1 + P..];
            out.value = s[0];
            out.gradient.copy_from_slice(&s[1..1 + P]);
            // Exactly symmetric (the dual Hessian is symmetric up to round-off), built in
            // place: (H + Hᵀ)/2 element by element.
            for c in 0..P {
                for r in 0..P {
                    out.hessian[(r, c)] = (h[r + c * P] + h[c + r * P]) * 0.5;
                }
            }
        });
        Ok(())
    }

    fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        let t = self.theta(theta)?;
        let mut scores = DMatrix::zeros(self.data.len(), P);
        for (i, x) in self.data.iter().enumerate() {
            let w = self.weight(i);
            if w == 0.0 {
                continue;
            }
            let (_, g) = self.kernel.value_gradient(&t, x);
            for k in 0..P {
                scores[(i, k)] = w * g[k];
            }
        }
        Ok(scores)
    }

    fn expected_information(&self, theta: &[f64]) -> Option<Result<DMatrix<f64>>> {
        let t = match self.theta(theta) {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
        };
        let mut total = SMatrix::<f64, P, P>::zeros();
        for (i, x) in self.data.iter().enumerate() {
            let w = self.weight(i);
            if w != 0.0 {
                total += self.kernel.kernel_expected_information(&t, x)? * w;
            }
        }
        Some(Ok(DMatrix::from_fn(P, P, |r, c| total[(r, c)])))
    }

    fn locate_non_finite(&self, theta: &[f64]) -> Option<(usize, f64)> {
        let t = self.theta(theta).ok()?;
        self.data.iter().enumerate().find_map(|(i, x)| {
            let v = self.kernel.value(&t, x);
            (self.weight(i) != 0.0 && !v.is_finite()).then_some((i, v))
        })
    }
}
