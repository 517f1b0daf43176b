//! Regressions: a family's K working-scale parameters become linear predictors,
//! θ_k = η_k = X_k β_k + offset_k, each with its own design.
//!
//! The family is any [`LogDensity<K>`] — the same density that fits i.i.d. data (as GLM.jl
//! reuses Distributions.jl's families): its working scale is the link scale (logit p for the
//! Bernoulli, log μ for the Poisson, log σ for a scale). The structured route: second-order
//! duals over the K predictors only, then the gradient Xᵀg and the Hessian XᵀWX assembled
//! blockwise with matrix products on row chunks. The derivatives are exact; the cost per
//! observation is O(K²) dual arithmetic instead of O(p²).

use std::borrow::Cow;
use std::sync::Arc;

use nalgebra::{DMatrix, DVector, DVectorView};
use num_dual::DualSVec64;
use rayon::prelude::*;

use crate::density::{seed_first, unpack_first, LogDensity, Observation};
use crate::design::Design;
use crate::error::{MleError, Result};
use crate::gram::{weighted_blocks, weighted_blocks_and_gradient};
use crate::objective::{check_parameters, Evaluation, Objective};
use crate::summation::CompensatedSum;
use crate::transform::Parameter;

/// Rows per parallel chunk of a linear-predictor objective (fixed: results do not depend on
/// the thread count).
pub const ROW_CHUNK: usize = 4096;

/// How the coefficients of a regression are named.
///
/// ```
/// use mle_core::predictor::CoefficientNames;
/// assert_ne!(CoefficientNames::FirstUnprefixed, CoefficientNames::AllPrefixed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoefficientNames {
    /// The first predictor's coefficients by column name alone (`x`, as R prints a mean or
    /// count model), the others as `<parameter>:<column>`.
    FirstUnprefixed,
    /// Every predictor's coefficients as `<parameter>:<column>` (e.g. `class1:x`).
    AllPrefixed,
    /// As `FirstUnprefixed`, the others joined by an underscore, `<parameter>_<column>`
    /// (pscl's `zero_(Intercept)` for a zero-inflation model).
    FirstUnprefixedUnderscore,
}

/// The log-likelihood of a [`LogDensity<K>`] whose K parameters are linear predictors, one
/// design per predictor, optional offsets and case weights. Parameters are the stacked
/// coefficient vectors β₁, …, β_K: the first predictor's by the design's column names, the
/// others as `<parameter>:<column>` ([`CoefficientNames`]); a later predictor whose design is
/// intercept-only is the family's own scalar parameter (e.g. `log_sigma`, reported as σ on
/// the natural scale).
///
/// ```
/// use mle_core::predictor::LinearPredictorObjective;
/// use mle_core::{Design, LogDensity, Objective, Parameter};
/// use num_dual::DualNum;
/// /// Exponential with log rate θ: the same type fits i.i.d. data and regressions.
/// struct Exponential;
/// impl LogDensity<1> for Exponential {
///     type Obs = f64;
///     fn name(&self) -> String { "exponential".into() }
///     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::log_scale("rate")] }
///     fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: &f64) -> D { eta[0] - eta[0].exp() * *y }
/// }
/// let x = Design::intercept(3);
/// let y = [1.0, 2.0, 3.0];
/// let obj = LinearPredictorObjective::new(Exponential, [&x], &y).unwrap();
/// let e = obj.evaluate(&[0.0]).unwrap();
/// assert_eq!((e.value, e.gradient[0], e.hessian[(0, 0)]), (-6.0, -3.0, -6.0));
/// ```
pub struct LinearPredictorObjective<'a, F: LogDensity<K>, const K: usize> {
    family: F,
    name: String,
    designs: [Cow<'a, Design>; K],
    y: &'a [F::Obs],
    offsets: [Option<Cow<'a, [f64]>>; K],
    weights: Option<Cow<'a, [f64]>>,
    parameters: Vec<Parameter>,
    starts: [usize; K],
    n_positive: usize,
    /// XᵀX of each design, when its rank check formed it (large designs).
    grams: [Option<Arc<DMatrix<f64>>>; K],
}

impl<F: LogDensity<K> + Clone, const K: usize> Clone for LinearPredictorObjective<'_, F, K> {
    fn clone(&self) -> Self {
        LinearPredictorObjective {
            family: self.family.clone(),
            name: self.name.clone(),
            designs: self.designs.clone(),
            y: self.y,
            offsets: self.offsets.clone(),
            weights: self.weights.clone(),
            parameters: self.parameters.clone(),
            starts: self.starts,
            n_positive: self.n_positive,
            grams: self.grams.clone(),
        }
    }
}

impl<'a, F: LogDensity<K>, const K: usize> LinearPredictorObjective<'a, F, K> {
    /// Checks sizes, the response (finite, in the support; the error names the row) and the
    /// rank of every design (the error names the dependent columns).
    ///
    /// ```
    /// # use mle_core::predictor::LinearPredictorObjective;
    /// # use mle_core::{Design, LogDensity, MleError, Objective, Parameter};
    /// # use num_dual::DualNum;
    /// # struct E;
    /// # impl LogDensity<1> for E {
    /// #     type Obs = f64;
    /// #     fn name(&self) -> String { "e".into() }
    /// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("eta")] }
    /// #     fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: &f64) -> D { eta[0] * *y }
    /// # }
    /// let x = Design::intercept(3);
    /// assert!(matches!(LinearPredictorObjective::new(E, [&x], &[1.0, 2.0]),
    ///     Err(MleError::DimensionMismatch { .. })));
    /// ```
    pub fn new(family: F, designs: [&'a Design; K], y: &'a [F::Obs]) -> Result<Self> {
        let names = family.parameters();
        if names.len() != K {
            return Err(MleError::DimensionMismatch {
                what: format!("parameters declared by `{}`", family.name()),
                expected: K,
                got: names.len(),
            });
        }
        Self::with_predictors(
            family,
            designs.map(Cow::Borrowed),
            y,
            names,
            CoefficientNames::FirstUnprefixed,
        )
    }

    /// As [`LinearPredictorObjective::new`], with the K predictors named and transformed as
    /// `predictors` says instead of by the family's own parameter list, and the coefficient
    /// naming rule chosen (a multinomial names every predictor's coefficients by class).
    ///
    /// ```
    /// # use mle_core::predictor::LinearPredictorObjective;
    /// # use mle_core::{Design, LogDensity, Objective, Parameter};
    /// # use num_dual::DualNum;
    /// # struct E;
    /// # impl LogDensity<1> for E {
    /// #     type Obs = f64;
    /// #     fn name(&self) -> String { "e".into() }
    /// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("eta")] }
    /// #     fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: &f64) -> D { eta[0] * *y }
    /// # }
    /// use mle_core::predictor::CoefficientNames;
    /// use std::borrow::Cow;
    /// let x = Design::intercept(2);
    /// let obj = LinearPredictorObjective::with_predictors(E, [Cow::Borrowed(&x)], &[1.0, 2.0],
    ///     vec![Parameter::identity("class1")], CoefficientNames::AllPrefixed).unwrap();
    /// assert_eq!(obj.parameters()[0].name, "class1:(Intercept)");
    /// ```
    pub fn with_predictors(
        family: F,
        designs: [Cow<'a, Design>; K],
        y: &'a [F::Obs],
        predictors: Vec<Parameter>,
        naming: CoefficientNames,
    ) -> Result<Self> {
        let n = y.len();
        if n == 0 {
            return Err(MleError::EmptyData);
        }
        if predictors.len() != K {
            return Err(MleError::DimensionMismatch {
                what: "predictor names".into(),
                expected: K,
                got: predictors.len(),
            });
        }
        let mut parameters = Vec::new();
        let mut starts = [0; K];
        let mut grams: [Option<Arc<DMatrix<f64>>>; K] = std::array::from_fn(|_| None);
        for k in 0..K {
            let d = &designs[k];
            if d.nrows() != n {
                return Err(MleError::DimensionMismatch {
                    what: format!("rows of the design for `{}`", predictors[k].name),
                    expected: n,
                    got: d.nrows(),
                });
            }
            if d.ncols() == 0 {
                return Err(MleError::InvalidDesign {
                    reason: format!("the design for `{}` has no columns", predictors[k].name),
                });
            }
            grams[k] = d.check_rank_keeping_gram(1e-13)?.map(Arc::new);
            starts[k] = parameters.len();
            let prefixed = match naming {
                CoefficientNames::FirstUnprefixed | CoefficientNames::FirstUnprefixedUnderscore => k > 0,
                CoefficientNames::AllPrefixed => true,
            };
            let separator = if naming == CoefficientNames::FirstUnprefixedUnderscore {
                "_"
            } else {
                ":"
            };
            if K > 1 && d.is_intercept_only() && (k > 0 || naming == CoefficientNames::AllPrefixed) {
                // A scalar parameter (e.g. log σ): reported on its natural scale too.
                parameters.push(predictors[k].clone());
            } else {
                for c in d.names() {
                    let name = if prefixed {
                        format!("{}{separator}{c}", predictors[k].name)
                    } else {
                        c.clone()
                    };
                    parameters.push(Parameter::identity(name));
                }
            }
        }
        for (index, v) in y.iter().enumerate() {
            if !v.is_finite_observation() {
                return Err(MleError::NonFiniteObservation { index });
            }
            if let Err(reason) = family.check_observation(v) {
                return Err(MleError::OutsideSupport {
                    index,
                    family: family.name(),
                    reason,
                });
            }
        }
        Ok(LinearPredictorObjective {
            name: family.name(),
            family,
            designs,
            y,
            offsets: std::array::from_fn(|_| None),
            weights: None,
            parameters,
            starts,
            n_positive: n,
            grams,
        })
    }

    /// Names the model (in summaries and messages) instead of the family's name.
    ///
    /// ```
    /// # use mle_core::predictor::LinearPredictorObjective;
    /// # use mle_core::{Design, LogDensity, Objective, Parameter};
    /// # use num_dual::DualNum;
    /// # struct E;
    /// # impl LogDensity<1> for E {
    /// #     type Obs = f64;
    /// #     fn name(&self) -> String { "e".into() }
    /// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("eta")] }
    /// #     fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: &f64) -> D { eta[0] * *y }
    /// # }
    /// let x = Design::intercept(1);
    /// let obj = LinearPredictorObjective::new(E, [&x], &[1.0]).unwrap().named("E regression");
    /// assert_eq!(obj.model_name(), "E regression");
    /// ```
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The family.
    pub fn family(&self) -> &F {
        &self.family
    }

    /// The offset of predictor `k`, if any.
    pub fn offset(&self, k: usize) -> Option<&[f64]> {
        self.offsets.get(k).and_then(|o| o.as_deref())
    }

    /// Adds an offset to predictor `k` (e.g. log exposure for a Poisson rate).
    ///
    /// ```
    /// # use mle_core::predictor::LinearPredictorObjective;
    /// # use mle_core::{Design, LogDensity, MleError, Objective, Parameter};
    /// # use num_dual::DualNum;
    /// # struct E;
    /// # impl LogDensity<1> for E {
    /// #     type Obs = f64;
    /// #     fn name(&self) -> String { "e".into() }
    /// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("eta")] }
    /// #     fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: &f64) -> D { eta[0] * *y }
    /// # }
    /// let x = Design::intercept(2);
    /// let y = [1.0, 1.0];
    /// let off = [1.0, 2.0];
    /// let obj = LinearPredictorObjective::new(E, [&x], &y).unwrap().with_offset(0, &off[..]).unwrap();
    /// assert_eq!(obj.log_likelihood(&[0.0]).unwrap(), 3.0);
    /// ```
    pub fn with_offset(mut self, k: usize, offset: impl Into<Cow<'a, [f64]>>) -> Result<Self> {
        let offset = offset.into();
        if k >= K {
            return Err(MleError::NoSuchPredictor { index: k, count: K });
        }
        if offset.len() != self.y.len() {
            return Err(MleError::DimensionMismatch {
                what: "offset".into(),
                expected: self.y.len(),
                got: offset.len(),
            });
        }
        if let Some(index) = offset.iter().position(|v| !v.is_finite()) {
            return Err(MleError::InvalidDesign {
                reason: format!("offset at row {index} is {}", offset[index]),
            });
        }
        self.offsets[k] = Some(offset);
        Ok(self)
    }

    /// Adds case weights (finite, non-negative).
    ///
    /// ```
    /// # use mle_core::predictor::LinearPredictorObjective;
    /// # use mle_core::{Design, LogDensity, MleError, Objective, Parameter};
    /// # use num_dual::DualNum;
    /// # struct E;
    /// # impl LogDensity<1> for E {
    /// #     type Obs = f64;
    /// #     fn name(&self) -> String { "e".into() }
    /// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("eta")] }
    /// #     fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: &f64) -> D { eta[0] * *y }
    /// # }
    /// let x = Design::intercept(2);
    /// let y = [1.0, 1.0];
    /// let obj = LinearPredictorObjective::new(E, [&x], &y).unwrap();
    /// assert!(matches!(obj.with_weights(&[1.0, -1.0][..]), Err(MleError::InvalidWeight { index: 1, .. })));
    /// ```
    pub fn with_weights(mut self, weights: impl Into<Cow<'a, [f64]>>) -> Result<Self> {
        let weights = weights.into();
        if weights.len() != self.y.len() {
            return Err(MleError::DimensionMismatch {
                what: "case weights".into(),
                expected: self.y.len(),
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
        Ok(self)
    }

    /// The response.
    pub fn response(&self) -> &'a [F::Obs] {
        self.y
    }

    /// The designs.
    pub fn designs(&self) -> [&Design; K] {
        std::array::from_fn(|k| &*self.designs[k])
    }

    /// The case weights, if any.
    pub fn weights(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }

    /// XᵀX of design `k` (unweighted), when its rank check formed it — designs with
    /// n·p² above 5·10⁷, whose check is a pass of the Gram matrix ([`Design::check_rank_keeping_gram`]);
    /// `None` for smaller designs (checked by QR) and for designs whose column maxima lie
    /// outside 2^±300.
    ///
    /// ```
    /// # use mle_core::{Design, LinearPredictorObjective, LogDensity, Parameter};
    /// # use num_dual::DualNum;
    /// # struct E;
    /// # impl LogDensity<1> for E {
    /// #     type Obs = f64;
    /// #     fn name(&self) -> String { "e".into() }
    /// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("eta")] }
    /// #     fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: &f64) -> D { eta[0] * *y }
    /// # }
    /// let x = Design::intercept(2);
    /// let obj = LinearPredictorObjective::new(E, [&x], &[4.0, 5.0]).unwrap();
    /// assert!(obj.design_gram(0).is_none());
    /// ```
    pub fn design_gram(&self, k: usize) -> Option<&DMatrix<f64>> {
        self.grams.get(k)?.as_deref()
    }

    /// The linear predictors η (n × K) at θ.
    ///
    /// ```
    /// # use mle_core::predictor::LinearPredictorObjective;
    /// # use mle_core::{Design, LogDensity, MleError, Objective, Parameter};
    /// # use num_dual::DualNum;
    /// # struct E;
    /// # impl LogDensity<1> for E {
    /// #     type Obs = f64;
    /// #     fn name(&self) -> String { "e".into() }
    /// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("eta")] }
    /// #     fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: &f64) -> D { eta[0] * *y }
    /// # }
    /// let x = Design::intercept(2);
    /// let obj = LinearPredictorObjective::new(E, [&x], &[4.0, 5.0]).unwrap();
    /// assert_eq!(obj.linear_predictors(&[0.5]).unwrap()[(1, 0)], 0.5);
    /// ```
    pub fn linear_predictors(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        check_parameters(&self.parameters, theta)?;
        let n = self.y.len();
        // Row chunks in parallel (each row's η is the same whatever the chunking).
        let parts = self.map_chunks(|r0, m| {
            let cols: [DVector<f64>; K] = std::array::from_fn(|k| self.eta_rows(k, theta, r0, m));
            (r0, cols)
        });
        let mut eta = DMatrix::zeros(n, K);
        for (r0, cols) in parts {
            for (k, col) in cols.iter().enumerate() {
                eta.view_mut((r0, k), (col.len(), 1)).copy_from(col);
            }
        }
        Ok(eta)
    }

    /// η_k for rows r0..r0+m.
    fn eta_rows(&self, k: usize, theta: &[f64], r0: usize, m: usize) -> DVector<f64> {
        let x = self.designs[k].matrix().rows(r0, m);
        let p = self.designs[k].ncols();
        let beta = DVectorView::from_slice(&theta[self.starts[k]..self.starts[k] + p], p);
        let mut eta = x * beta;
        if let Some(off) = &self.offsets[k] {
            for (e, o) in eta.iter_mut().zip(&off[r0..r0 + m]) {
                *e += o;
            }
        }
        eta
    }

    fn weight(&self, i: usize) -> f64 {
        self.weights.as_ref().map_or(1.0, |w| w[i])
    }

    fn chunks(&self) -> usize {
        self.y.len().div_ceil(ROW_CHUNK)
    }

    fn chunk_rows(&self, c: usize) -> (usize, usize) {
        let r0 = c * ROW_CHUNK;
        (r0, ROW_CHUNK.min(self.y.len() - r0))
    }

    /// Chunked parallel map over rows, results in chunk order.
    fn map_chunks<T: Send>(&self, f: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
        let n_chunks = self.chunks();
        if n_chunks == 1 {
            let (r0, m) = self.chunk_rows(0);
            vec![f(r0, m)]
        } else {
            (0..n_chunks)
                .into_par_iter()
                .map(|c| {
                    let (r0, m) = self.chunk_rows(c);
                    f(r0, m)
                })
                .collect()
        }
    }

    /// Xᵀg over a chunk: block k of the gradient is X_kᵀ g_k (rows r0..r0+m).
    fn chunk_gradient(&self, r0: usize, m: usize, g: &[DVector<f64>; K]) -> DVector<f64> {
        let mut grad = DVector::zeros(self.parameters.len());
        for k in 0..K {
            let gk = self.designs[k].matrix().rows(r0, m).tr_mul(&g[k]);
            grad.rows_mut(self.starts[k], gk.len()).copy_from(&gk);
        }
        grad
    }

    /// Assembles Σ (per-row K×K weights) into the P×P matrix Σ X_kᵀ diag(w_kl) X_l over a
    /// chunk. `w[k][l]` has one entry per row.
    fn blocks(&self, r0: usize, m: usize, w: &[[DVector<f64>; K]; K]) -> DMatrix<f64> {
        let designs: [&DMatrix<f64>; K] = std::array::from_fn(|k| self.designs[k].matrix());
        let weights: [[&[f64]; K]; K] = std::array::from_fn(|k| std::array::from_fn(|l| w[k][l].as_slice()));
        weighted_blocks(designs, self.starts, r0, m, weights)
    }

    /// [`Self::blocks`] and [`Self::chunk_gradient`] together: each X_kᵀ g_k comes out of
    /// the kernel call of the diagonal block (k, k), so the chunk of X is not read again.
    fn blocks_and_gradient(
        &self,
        r0: usize,
        m: usize,
        w: &[[DVector<f64>; K]; K],
        g: &[DVector<f64>; K],
    ) -> (DVector<f64>, DMatrix<f64>) {
        let designs: [&DMatrix<f64>; K] = std::array::from_fn(|k| self.designs[k].matrix());
        let weights: [[&[f64]; K]; K] = std::array::from_fn(|k| std::array::from_fn(|l| w[k][l].as_slice()));
        let gradients: [&[f64]; K] = std::array::from_fn(|k| g[k].as_slice());
        let (h, grad) = weighted_blocks_and_gradient(designs, self.starts, r0, m, weights, gradients);
        (grad, h)
    }
}

impl<F: LogDensity<K>, const K: usize> Objective for LinearPredictorObjective<'_, F, K> {
    fn model_name(&self) -> String {
        self.name.clone()
    }

    fn parameters(&self) -> Vec<Parameter> {
        self.parameters.clone()
    }

    fn dimension(&self) -> usize {
        self.parameters.len()
    }

    fn n_obs(&self) -> usize {
        self.n_positive
    }

    fn log_likelihood(&self, theta: &[f64]) -> Result<f64> {
        check_parameters(&self.parameters, theta)?;
        let parts = self.map_chunks(|r0, m| {
            let eta: [DVector<f64>; K] = std::array::from_fn(|k| self.eta_rows(k, theta, r0, m));
            let mut v = 0.0;
            for i in 0..m {
                let w = self.weight(r0 + i);
                if w == 0.0 {
                    continue;
                }
                let e: [f64; K] = std::array::from_fn(|k| eta[k][i]);
                v += w * self.family.ln_density(&e, &self.y[r0 + i]);
            }
            v
        });
        let mut total = CompensatedSum::new(1);
        for v in parts {
            total.add(&[v]);
        }
        Ok(total.total()[0])
    }

    fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>)> {
        check_parameters(&self.parameters, theta)?;
        let p = self.parameters.len();
        let parts = self.map_chunks(|r0, m| {
            let eta: [DVector<f64>; K] = std::array::from_fn(|k| self.eta_rows(k, theta, r0, m));
            let mut g: [DVector<f64>; K] = std::array::from_fn(|_| DVector::zeros(m));
            let mut v = 0.0;
            for i in 0..m {
                let w = self.weight(r0 + i);
                if w == 0.0 {
                    continue;
                }
                let e: [f64; K] = std::array::from_fn(|k| eta[k][i]);
                let d: [DualSVec64<K>; K] = seed_first(&e);
                let (vi, gi) = unpack_first(self.family.ln_density(&d, &self.y[r0 + i]));
                v += w * vi;
                for k in 0..K {
                    g[k][i] = w * gi[k];
                }
            }
            (v, self.chunk_gradient(r0, m, &g))
        });
        Ok(compensated_value_gradient(p, parts.iter().map(|(v, g)| (*v, g))))
    }

    fn evaluate(&self, theta: &[f64]) -> Result<Evaluation> {
        check_parameters(&self.parameters, theta)?;
        let p = self.parameters.len();
        let parts = self.map_chunks(|r0, m| {
            let eta: [DVector<f64>; K] = std::array::from_fn(|k| self.eta_rows(k, theta, r0, m));
            let mut g: [DVector<f64>; K] = std::array::from_fn(|_| DVector::zeros(m));
            let mut h: [[DVector<f64>; K]; K] =
                std::array::from_fn(|_| std::array::from_fn(|_| DVector::zeros(m)));
            let mut v = 0.0;
            for i in 0..m {
                let w = self.weight(r0 + i);
                if w == 0.0 {
                    continue;
                }
                let e: [f64; K] = std::array::from_fn(|k| eta[k][i]);
                let (vi, gi, hi) = self.family.ln_density_derivatives(&e, &self.y[r0 + i]);
                v += w * vi;
                for k in 0..K {
                    g[k][i] = w * gi[k];
                    for l in k..K {
                        h[k][l][i] = w * hi[(k, l)];
                    }
                }
            }
            let (grad, hess) = self.blocks_and_gradient(r0, m, &h, &g);
            (v, grad, hess)
        });
        let (value, gradient) = compensated_value_gradient(p, parts.iter().map(|(v, g, _)| (*v, g)));
        let mut hessian = DMatrix::zeros(p, p);
        for (_, _, hh) in &parts {
            hessian += hh;
        }
        Ok(Evaluation {
            value,
            gradient,
            hessian,
        })
    }

    fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        check_parameters(&self.parameters, theta)?;
        let n = self.y.len();
        let eta = self.linear_predictors(theta)?;
        let mut s = DMatrix::zeros(n, self.parameters.len());
        for i in 0..n {
            let w = self.weight(i);
            if w == 0.0 {
                continue;
            }
            let e: [f64; K] = std::array::from_fn(|k| eta[(i, k)]);
            let d: [DualSVec64<K>; K] = seed_first(&e);
            let (_, gi) = unpack_first(self.family.ln_density(&d, &self.y[i]));
            for k in 0..K {
                let x = self.designs[k].matrix();
                for j in 0..x.ncols() {
                    s[(i, self.starts[k] + j)] = w * gi[k] * x[(i, j)];
                }
            }
        }
        Ok(s)
    }

    fn expected_information(&self, theta: &[f64]) -> Option<Result<DMatrix<f64>>> {
        if let Err(e) = check_parameters(&self.parameters, theta) {
            return Some(Err(e));
        }
        let probe: [f64; K] = [0.0; K];
        self.family.expected_information(&probe, self.y.first()?)?;
        let p = self.parameters.len();
        let parts = self.map_chunks(|r0, m| {
            let eta: [DVector<f64>; K] = std::array::from_fn(|k| self.eta_rows(k, theta, r0, m));
            let mut h: [[DVector<f64>; K]; K] =
                std::array::from_fn(|_| std::array::from_fn(|_| DVector::zeros(m)));
            for i in 0..m {
                let w = self.weight(r0 + i);
                if w == 0.0 {
                    continue;
                }
                let e: [f64; K] = std::array::from_fn(|k| eta[k][i]);
                if let Some(info) = self.family.expected_information(&e, &self.y[r0 + i]) {
                    for k in 0..K {
                        for l in k..K {
                            h[k][l][i] = w * info[(k, l)];
                        }
                    }
                }
            }
            self.blocks(r0, m, &h)
        });
        let mut info = DMatrix::zeros(p, p);
        for part in parts {
            info += part;
        }
        Some(Ok(info))
    }

    fn locate_non_finite(&self, theta: &[f64]) -> Option<(usize, f64)> {
        let eta = self.linear_predictors(theta).ok()?;
        (0..self.y.len()).find_map(|i| {
            let e: [f64; K] = std::array::from_fn(|k| eta[(i, k)]);
            let v = self.family.ln_density(&e, &self.y[i]);
            (self.weight(i) != 0.0 && !v.is_finite()).then_some((i, v))
        })
    }
}

/// Sums chunk values and gradients in chunk order with compensation.
fn compensated_value_gradient<'g>(
    p: usize,
    parts: impl Iterator<Item = (f64, &'g DVector<f64>)>,
) -> (f64, DVector<f64>) {
    let mut total = CompensatedSum::new(1 + p);
    let mut buf = vec![0.0; 1 + p];
    for (v, g) in parts {
        buf[0] = v;
        buf[1..].copy_from_slice(g.as_slice());
        total.add(&buf);
    }
    let t = total.total();
    (t[0], DVector::from_column_slice(&t[1..]))
}
