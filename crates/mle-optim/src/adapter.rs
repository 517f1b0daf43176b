//! The one argmin adapter: any [`Objective`] as an argmin problem over the negative
//! log-likelihood, `Param = Vec<f64>` for every solver.
//!
//! The adapter keeps the last point it evaluated: a cost and a gradient asked for at the same
//! θ (as argmin's line searches and BFGS do) cost one fused pass over the data, and a Newton
//! evaluation (ℓ, ∇ℓ, ∇²ℓ) serves later value or gradient requests at that θ for free. It
//! also counts the passes over the data by kind, and remembers the highest ℓ it has seen
//! (so a run that ends in an optimiser error can still say that ℓ ran off to +∞).

use std::borrow::Cow;
use std::sync::{Arc, Mutex, MutexGuard};

use argmin::core::{CostFunction, Error, Gradient, Hessian};
use mle_core::error::Derivative;
use mle_core::inference::FlatDirection;
use mle_core::{Evaluation, MleError, Objective, Parameter};
use nalgebra::{DMatrix, DVector};

/// Passes over the data by kind, and cache hits.
///
/// ```
/// let c = mle_optim::adapter::EvaluationCounts::default();
/// assert_eq!(c.passes(), 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvaluationCounts {
    /// ℓ only.
    pub value: u64,
    /// ℓ and ∇ℓ in one pass.
    pub gradient: u64,
    /// ℓ, ∇ℓ and ∇²ℓ in one pass.
    pub fused: u64,
    /// Closed-form expected information.
    pub expected_information: u64,
    /// Requests answered from the last point without a pass.
    pub cache_hits: u64,
}

impl EvaluationCounts {
    /// Passes over the data (cache hits excluded).
    ///
    /// ```
    /// let c = mle_optim::adapter::EvaluationCounts { value: 2, fused: 1, cache_hits: 5, ..Default::default() };
    /// assert_eq!(c.passes(), 3);
    /// ```
    pub fn passes(&self) -> u64 {
        self.value + self.gradient + self.fused + self.expected_information
    }

    /// The counts as (kind, number) pairs for [`mle_core::Convergence::evaluations`], kinds
    /// with no evaluation left out.
    ///
    /// ```
    /// let c = mle_optim::adapter::EvaluationCounts { value: 2, ..Default::default() };
    /// assert_eq!(c.as_list(), vec![("value".into(), 2)]);
    /// ```
    pub fn as_list(&self) -> Vec<(Cow<'static, str>, u64)> {
        [
            ("value", self.value),
            ("gradient", self.gradient),
            ("fused", self.fused),
            ("expected_information", self.expected_information),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (Cow::Borrowed(k), n))
        .collect()
    }
}

/// A point, inline for a few parameters (no allocation per fit for small models).
type Point = smallvec::SmallVec<[f64; 4]>;

#[derive(Debug, Clone)]
struct Cached {
    theta: Point,
    value: f64,
    gradient: Option<DVector<f64>>,
    hessian: Option<DMatrix<f64>>,
}

#[derive(Debug, Default)]
struct Record {
    counts: EvaluationCounts,
    last: Option<Cached>,
    /// The highest ℓ evaluated (+∞ counts) and where.
    best: Option<(f64, Point)>,
    /// The last finite θ evaluated, with ℓ there.
    last_finite: Option<(Point, f64)>,
    /// The last error handed to argmin through `CostFunction`/`Gradient` (argmin's L-BFGS
    /// turns a line-search error into a message; this keeps it typed).
    last_error: Option<MleError>,
}

/// The negative log-likelihood −ℓ(θ) of an [`Objective`], as argmin's `CostFunction`,
/// `Gradient` and `Hessian` (implemented once, here, for every model). Non-finite values of ℓ
/// become `+∞` so line searches reject them; a non-finite gradient where ℓ is finite is an
/// error naming the parameter ([`MleError::NonFiniteDerivative`]), and a non-finite θ handed
/// in by an optimiser is [`MleError::NonFiniteIterate`].
///
/// ```
/// use argmin::core::{CostFunction, Gradient};
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::NegativeLogLikelihood;
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 3.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let nll = NegativeLogLikelihood::new(&obj);
/// assert_eq!(nll.cost(&vec![2.0]).unwrap(), 1.0);
/// assert_eq!(nll.gradient(&vec![2.0]).unwrap(), vec![0.0]); // same θ: no second pass
/// assert_eq!(nll.counts().passes(), 1);
/// ```
pub struct NegativeLogLikelihood<'a> {
    objective: &'a dyn Objective,
    parameters: Arc<[Parameter]>,
    record: Arc<Mutex<Record>>,
    cache: bool,
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
        NegativeLogLikelihood {
            objective,
            parameters: objective.shared_parameters(),
            record: Arc::new(Mutex::new(Record::default())),
            cache: true,
        }
    }

    /// The same adapter without the last-point cache (every request is a pass over the
    /// data), for measuring what the cache saves.
    #[cfg(test)]
    pub(crate) fn without_cache(mut self) -> Self {
        self.cache = false;
        self
    }

    /// A second handle on the same cache and counts (the optimiser owns the first).
    pub(crate) fn handle(&self) -> Self {
        NegativeLogLikelihood {
            objective: self.objective,
            parameters: Arc::clone(&self.parameters),
            record: Arc::clone(&self.record),
            cache: self.cache,
        }
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

    /// The model's parameters (working scale).
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("mu")], |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2));
    /// # let data = [1.0];
    /// # let obj = DataObjective::new(&d, &data).unwrap();
    /// # let nll = mle_optim::NegativeLogLikelihood::new(&obj);
    /// assert_eq!(nll.parameters()[0].name, "mu");
    /// ```
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The parameters, shared (no copy of their names).
    pub(crate) fn shared_parameters(&self) -> Arc<[Parameter]> {
        Arc::clone(&self.parameters)
    }

    /// Passes over the data so far, by kind.
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("mu")], |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2));
    /// # let data = [1.0];
    /// # let obj = DataObjective::new(&d, &data).unwrap();
    /// let nll = mle_optim::NegativeLogLikelihood::new(&obj);
    /// nll.fused(&[1.0]).unwrap();
    /// nll.value(&[1.0]).unwrap();
    /// assert_eq!((nll.counts().fused, nll.counts().value, nll.counts().cache_hits), (1, 0, 1));
    /// ```
    pub fn counts(&self) -> EvaluationCounts {
        self.lock().counts
    }

    fn lock(&self) -> MutexGuard<'_, Record> {
        // A panic inside the objective while the lock is held cannot leave the record in a
        // state worse than stale counts: recover it.
        self.record.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check_iterate(&self, theta: &[f64]) -> Result<(), MleError> {
        if theta.iter().all(|v| v.is_finite()) {
            return Ok(());
        }
        let (last, log_likelihood) = self
            .lock()
            .last_finite
            .as_ref()
            .map_or((Vec::new(), f64::NAN), |(t, v)| (t.to_vec(), *v));
        Err(MleError::NonFiniteIterate { last, log_likelihood })
    }

    /// Records an evaluation under one lock: its count (`count`), the highest ℓ, the last
    /// finite point and the last-point cache, re-using their buffers (no allocation once the
    /// first point is recorded).
    fn remember(
        &self,
        theta: &[f64],
        value: f64,
        gradient: Option<&DVector<f64>>,
        hessian: Option<&DMatrix<f64>>,
        count: fn(&mut EvaluationCounts),
    ) {
        let mut guard = self.lock();
        let r = &mut *guard;
        count(&mut r.counts);
        let higher = match &r.best {
            None => !value.is_nan(),
            Some((b, _)) => value > *b,
        };
        if higher {
            match &mut r.best {
                Some((b, t)) => {
                    *b = value;
                    overwrite(t, theta);
                }
                None => r.best = Some((value, Point::from_slice(theta))),
            }
        }
        if value.is_finite() {
            match &mut r.last_finite {
                Some((t, v)) => {
                    overwrite(t, theta);
                    *v = value;
                }
                None => r.last_finite = Some((Point::from_slice(theta), value)),
            }
        }
        if self.cache {
            match &mut r.last {
                Some(c) => {
                    overwrite(&mut c.theta, theta);
                    c.value = value;
                    keep_vector(&mut c.gradient, gradient);
                    keep_matrix(&mut c.hessian, hessian);
                }
                None => {
                    r.last = Some(Cached {
                        theta: Point::from_slice(theta),
                        value,
                        gradient: gradient.cloned(),
                        hessian: hessian.cloned(),
                    })
                }
            }
        }
    }

    fn hit<T>(&self, theta: &[f64], pick: impl Fn(&Cached) -> Option<T>) -> Option<T> {
        if !self.cache {
            return None;
        }
        let mut r = self.lock();
        let found = r
            .last
            .as_ref()
            .filter(|c| c.theta.as_slice() == theta)
            .and_then(pick);
        if found.is_some() {
            r.counts.cache_hits += 1;
        }
        found
    }

    /// ℓ(θ) (log-likelihood sign), from the last point when it is θ.
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("mu")], |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2));
    /// # let data = [1.0];
    /// # let obj = DataObjective::new(&d, &data).unwrap();
    /// # let nll = mle_optim::NegativeLogLikelihood::new(&obj);
    /// assert_eq!(nll.value(&[2.0]).unwrap(), -1.0);
    /// ```
    pub fn value(&self, theta: &[f64]) -> Result<f64, MleError> {
        self.check_iterate(theta)?;
        if let Some(v) = self.hit(theta, |c| Some(c.value)) {
            return Ok(v);
        }
        let v = self.objective.log_likelihood(theta)?;
        self.remember(theta, v, None, None, |c| c.value += 1);
        Ok(v)
    }

    /// ℓ(θ) and ∇ℓ(θ) in one pass (log-likelihood sign), from the last point when it is θ.
    /// The gradient is not checked here (see [`NegativeLogLikelihood::check_derivatives`]).
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, Parameter};
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("mu")], |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2));
    /// # let data = [1.0];
    /// # let obj = DataObjective::new(&d, &data).unwrap();
    /// # let nll = mle_optim::NegativeLogLikelihood::new(&obj);
    /// assert_eq!(nll.value_gradient(&[2.0]).unwrap().1[0], -2.0);
    /// ```
    pub fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>), MleError> {
        self.check_iterate(theta)?;
        if let Some(vg) = self.hit(theta, |c| c.gradient.clone().map(|g| (c.value, g))) {
            return Ok(vg);
        }
        let (v, g) = self.objective.value_gradient(theta)?;
        self.remember(theta, v, Some(&g), None, |c| c.gradient += 1);
        Ok((v, g))
    }

    /// ℓ, ∇ℓ, ∇²ℓ in one pass (log-likelihood sign, not negated), from the last point when
    /// it is θ.
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
    pub fn fused(&self, theta: &[f64]) -> Result<Evaluation, MleError> {
        let mut e = Evaluation::zeros(self.parameters.len());
        self.fused_into(theta, &mut e)?;
        Ok(e)
    }

    /// [`NegativeLogLikelihood::fused`] written into `out`: with an objective that evaluates
    /// in place ([`Objective::evaluate_into`]) and `out` of the right size, nothing is
    /// allocated.
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, DataObjective, Evaluation, Parameter};
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let d = ClosureDensity::new(vec![Parameter::identity("mu")], |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2));
    /// # let data = [1.0];
    /// # let obj = DataObjective::new(&d, &data).unwrap();
    /// # let nll = mle_optim::NegativeLogLikelihood::new(&obj);
    /// let mut e = Evaluation::zeros(1);
    /// nll.fused_into(&[2.0], &mut e).unwrap();
    /// assert_eq!((e.value, e.gradient[0], e.hessian[(0, 0)]), (-1.0, -2.0, -2.0));
    /// ```
    pub fn fused_into(&self, theta: &[f64], out: &mut Evaluation) -> Result<(), MleError> {
        self.check_iterate(theta)?;
        if self.cache {
            let mut guard = self.lock();
            let r = &mut *guard;
            if let Some(Cached {
                theta: t,
                value,
                gradient: Some(g),
                hessian: Some(h),
            }) = &r.last
                && t.as_slice() == theta
            {
                out.set(*value, g, h);
                r.counts.cache_hits += 1;
                return Ok(());
            }
        }
        self.objective.evaluate_into(theta, out)?;
        self.remember(theta, out.value, Some(&out.gradient), Some(&out.hessian), |c| {
            c.fused += 1
        });
        Ok(())
    }

    /// The closed-form expected information at θ, when the model has one (counted).
    pub(crate) fn expected_information(&self, theta: &[f64]) -> Option<Result<DMatrix<f64>, MleError>> {
        let r = self.objective.expected_information(theta);
        if r.is_some() {
            self.lock().counts.expected_information += 1;
        }
        r
    }

    /// Takes the last error handed to argmin, if any.
    pub(crate) fn take_error(&self) -> Option<MleError> {
        self.lock().last_error.take()
    }

    fn keep_error<T>(&self, r: Result<T, MleError>) -> Result<T, Error> {
        r.map_err(|e| {
            self.lock().last_error = Some(e.clone());
            Error::from(e)
        })
    }

    /// The highest ℓ evaluated so far (+∞ included) and where.
    pub(crate) fn best(&self) -> Option<(f64, Vec<f64>)> {
        self.lock().best.as_ref().map(|(v, t)| (*v, t.to_vec()))
    }

    /// The error for a non-finite ℓ at `theta`, naming the first offending observation.
    pub(crate) fn non_finite_value(&self, theta: &[f64], value: f64, context: &str) -> MleError {
        let (index, value) = self.objective.locate_non_finite(theta).unwrap_or((0, value));
        MleError::NonFiniteLogLikelihood {
            context: context.into(),
            index,
            value,
        }
    }

    /// `Ok` when ℓ, ∇ℓ (and ∇²ℓ when given) are finite; otherwise the error that names the
    /// cause: a non-finite ℓ ([`MleError::NonFiniteLogLikelihood`]) or a finite ℓ with a
    /// non-finite derivative ([`MleError::NonFiniteDerivative`], with the parameter and the
    /// first observation whose score is not finite).
    ///
    /// ```
    /// use mle_core::{ClosureDensity, DataObjective, MleError, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// // √(θ − θ) is 0 with an undefined derivative.
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) + (t[0] - t[0]).sqrt());
    /// let data = [1.0];
    /// let obj = DataObjective::new(&d, &data).unwrap();
    /// let nll = mle_optim::NegativeLogLikelihood::new(&obj);
    /// let e = nll.fused(&[0.0]).unwrap();
    /// let err = nll.check_derivatives(&[0.0], e.value, &e.gradient, Some(&e.hessian), "θ = [0]").unwrap_err();
    /// assert!(matches!(err, MleError::NonFiniteDerivative { ref parameter, observation: Some(0), .. } if parameter == "mu"));
    /// ```
    pub fn check_derivatives(
        &self,
        theta: &[f64],
        value: f64,
        gradient: &DVector<f64>,
        hessian: Option<&DMatrix<f64>>,
        context: &str,
    ) -> Result<(), MleError> {
        if !value.is_finite() {
            return Err(self.non_finite_value(theta, value, context));
        }
        let name = |i: usize| {
            self.parameters
                .get(i)
                .map_or_else(|| format!("θ[{i}]"), |p| p.name.clone())
        };
        if let Some(i) = gradient.iter().position(|g| !g.is_finite()) {
            let observation = self
                .objective
                .scores(theta)
                .ok()
                .and_then(|s| (0..s.nrows()).find(|&r| s.row(r).iter().any(|v| !v.is_finite())));
            return Err(MleError::NonFiniteDerivative {
                context: context.into(),
                derivative: Derivative::Gradient,
                parameter: name(i),
                value: gradient[i],
                log_likelihood: value,
                observation,
            });
        }
        if let Some(h) = hessian {
            let k = h.nrows();
            if let Some(idx) = (0..k * k).find(|&idx| !h[(idx / k, idx % k)].is_finite()) {
                let (r, c) = (idx / k, idx % k);
                return Err(MleError::NonFiniteDerivative {
                    context: context.into(),
                    derivative: Derivative::Hessian,
                    parameter: if r == c {
                        name(r)
                    } else {
                        format!("{}, {}", name(r), name(c))
                    },
                    value: h[(r, c)],
                    log_likelihood: value,
                    observation: None,
                });
            }
        }
        Ok(())
    }
}

/// `target` becomes a copy of `source`, in its own buffer.
fn overwrite(target: &mut Point, source: &[f64]) {
    if target.len() == source.len() {
        // Element by element: no call into memmove for a few numbers.
        for (t, s) in target.iter_mut().zip(source) {
            *t = *s;
        }
    } else {
        target.clear();
        target.extend_from_slice(source);
    }
}

/// The cached gradient becomes `new` (copied into the old buffer when the length is the same).
fn keep_vector(slot: &mut Option<DVector<f64>>, new: Option<&DVector<f64>>) {
    match (slot.as_mut(), new) {
        (Some(s), Some(n)) if s.len() == n.len() => s.copy_from(n),
        _ => *slot = new.cloned(),
    }
}

/// The cached Hessian becomes `new` (copied into the old buffer when the shape is the same).
fn keep_matrix(slot: &mut Option<DMatrix<f64>>, new: Option<&DMatrix<f64>>) {
    match (slot.as_mut(), new) {
        (Some(s), Some(n)) if s.shape() == n.shape() => s.copy_from(n),
        _ => *slot = new.cloned(),
    }
}

/// θ in words for error contexts: `θ = [0.5, −1.2] (iteration 3)`.
pub(crate) fn at_iterate(theta: &[f64], iteration: u64) -> String {
    format!("θ = {theta:?} (iteration {iteration})")
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

    /// −ℓ(θ). argmin's quasi-Newton methods ask for the gradient at every point whose cost
    /// they ask for, so the cost is computed with the gradient in one pass and cached.
    fn cost(&self, param: &Self::Param) -> Result<f64, Error> {
        let v = if self.cache {
            self.value_gradient(param).map(|(v, _)| v)
        } else {
            self.value(param)
        };
        Ok(finite_or_inf(-self.keep_error(v)?))
    }
}

impl Gradient for NegativeLogLikelihood<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, param: &Self::Param) -> Result<Vec<f64>, Error> {
        let checked = self.value_gradient(param).and_then(|(v, g)| {
            if v.is_finite() {
                self.check_derivatives(param, v, &g, None, &format!("θ = {param:?}"))?;
            }
            Ok(g)
        });
        Ok(self.keep_error(checked)?.iter().map(|v| -v).collect())
    }
}

impl Hessian for NegativeLogLikelihood<'_> {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;

    fn hessian(&self, param: &Self::Param) -> Result<Vec<Vec<f64>>, Error> {
        let e = self.fused(param)?;
        let k = e.gradient.len();
        Ok((0..k)
            .map(|r| (0..k).map(|c| -e.hessian[(r, c)]).collect())
            .collect())
    }
}

/// Turns an argmin error back into the engine's typed error when it carries one; argmin's own
/// errors are kept whole as the source of [`MleError::Argmin`].
pub(crate) fn into_mle_error(e: Error) -> MleError {
    match e.downcast::<MleError>() {
        Ok(m) => m,
        Err(other) => MleError::Argmin {
            source: mle_core::error::SourceError::new(other),
        },
    }
}

/// A positive, finite tolerance or the option error naming it.
pub(crate) fn positive_finite(name: &'static str, value: f64) -> Result<f64, MleError> {
    if value > 0.0 && value.is_finite() {
        Ok(value)
    } else {
        Err(MleError::ToleranceNotPositive { name, value })
    }
}

/// Euclidean norm without overflow (|∇ℓ| can exceed 1e154 when |ℓ| is huge).
pub(crate) fn stable_norm(v: &DVector<f64>) -> f64 {
    let m = v.amax();
    if m == 0.0 || !m.is_finite() {
        return m;
    }
    // |v/m|·m without the temporary vector.
    v.iter().map(|x| (x / m) * (x / m)).sum::<f64>().sqrt() * m
}

/// The rounding error of ℓ: 1e3·ε·max(|ℓ|, 1).
pub(crate) fn round_off(value: f64) -> f64 {
    1e3 * f64::EPSILON * value.abs().max(1.0)
}

/// A unit vector as a parameter combination, e.g. `"1.000·log_sigma"`.
pub(crate) fn describe(vector: &DVector<f64>, parameters: &[Parameter]) -> String {
    FlatDirection {
        eigenvalue: 0.0,
        vector: vector.clone(),
    }
    .describe(parameters)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FitOptions;
    use mle_core::{ClosureDensity, DataObjective, Parameter};
    use num_dual::{Dual2SVec64, DualNum};
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Counts every pass the optimiser makes over the data.
    struct Counting<'a> {
        inner: &'a dyn Objective,
        passes: AtomicU64,
    }

    impl Objective for Counting<'_> {
        fn model_name(&self) -> String {
            self.inner.model_name()
        }
        fn parameters(&self) -> Vec<Parameter> {
            self.inner.parameters()
        }
        fn n_obs(&self) -> usize {
            self.inner.n_obs()
        }
        fn log_likelihood(&self, theta: &[f64]) -> mle_core::Result<f64> {
            self.passes.fetch_add(1, Ordering::Relaxed);
            self.inner.log_likelihood(theta)
        }
        fn value_gradient(&self, theta: &[f64]) -> mle_core::Result<(f64, DVector<f64>)> {
            self.passes.fetch_add(1, Ordering::Relaxed);
            self.inner.value_gradient(theta)
        }
        fn evaluate(&self, theta: &[f64]) -> mle_core::Result<Evaluation> {
            self.passes.fetch_add(1, Ordering::Relaxed);
            self.inner.evaluate(theta)
        }
        fn scores(&self, theta: &[f64]) -> mle_core::Result<DMatrix<f64>> {
            self.inner.scores(theta)
        }
    }

    #[test]
    fn cost_and_gradient_at_one_point_are_one_pass() {
        let d = ClosureDensity::new(
            vec![Parameter::identity("mu")],
            |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5,
        );
        let data = [1.0, 3.0];
        let obj = DataObjective::new(&d, &data).unwrap();
        let counting = Counting {
            inner: &obj,
            passes: AtomicU64::new(0),
        };
        let nll = NegativeLogLikelihood::new(&counting);
        let p = vec![0.5];
        nll.cost(&p).unwrap();
        nll.gradient(&p).unwrap();
        nll.cost(&p).unwrap();
        assert_eq!(counting.passes.load(Ordering::Relaxed), 1);
        assert_eq!(nll.counts().cache_hits, 2);
        nll.cost(&vec![0.7]).unwrap();
        assert_eq!(counting.passes.load(Ordering::Relaxed), 2);
    }

    /// A BFGS fit of a two-parameter normal (log σ) model: with the last-point cache the
    /// objective is evaluated about half as often as argmin asks for costs and gradients.
    #[test]
    fn bfgs_fit_makes_fewer_passes_with_the_cache() {
        let d = ClosureDensity::new(
            vec![Parameter::identity("mu"), Parameter::log_scale("sigma")],
            |t: &[Dual2SVec64<2>], x: &f64| {
                let z = (t[0] - *x) * (-t[1]).exp();
                -(z * z * 0.5) - t[1]
            },
        );
        let data: Vec<f64> = (0..200).map(|i| ((i * 37) % 101) as f64 / 10.0).collect();
        let obj = DataObjective::new(&d, &data).unwrap();
        let passes = |cache: bool| {
            let counting = Counting {
                inner: &obj,
                passes: AtomicU64::new(0),
            };
            let nll = NegativeLogLikelihood::new(&counting);
            let nll = if cache { nll } else { nll.without_cache() };
            let run = crate::quasi_newton::run_bfgs(nll, &[0.0, 0.0], 1000, 1e-9 * 200.0, 1e-9).unwrap();
            assert!(run.status.is_converged(), "{}", run.status);
            (counting.passes.load(Ordering::Relaxed), run.param)
        };
        let (with, p1) = passes(true);
        let (without, p2) = passes(false);
        println!("BFGS objective passes: {without} without the cache, {with} with it");
        assert_eq!(p1, p2, "the cache does not change the iterates");
        assert!(with * 10 <= without * 6, "{with} vs {without}");
        // The public fit reports the passes it made.
        let fit = FitOptions::bfgs().fit(&obj, &[0.0, 0.0]).unwrap();
        assert!(fit.convergence().total_evaluations() as f64 <= with as f64 + 2.0);
    }

    #[test]
    fn non_finite_gradient_is_named_with_the_observation() {
        let d = ClosureDensity::new(
            vec![Parameter::identity("mu")],
            |t: &[Dual2SVec64<1>], x: &f64| {
                let base = -(t[0] - *x).powi(2);
                if *x > 2.0 {
                    base + (t[0] - t[0]).sqrt()
                } else {
                    base
                }
            },
        );
        let data = [1.0, 2.0, 3.0];
        let obj = DataObjective::new(&d, &data).unwrap();
        let nll = NegativeLogLikelihood::new(&obj);
        let err = into_mle_error(nll.gradient(&vec![0.0]).unwrap_err());
        match err {
            MleError::NonFiniteDerivative {
                derivative: Derivative::Gradient,
                parameter,
                observation,
                log_likelihood,
                ..
            } => {
                assert_eq!(parameter, "mu");
                assert_eq!(observation, Some(2));
                assert!(log_likelihood.is_finite());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn argmin_errors_are_kept_as_the_source() {
        use std::error::Error as _;
        let e = into_mle_error(Error::msg("line search failed"));
        assert!(matches!(e, MleError::Argmin { .. }));
        assert_eq!(e.source().unwrap().to_string(), "line search failed");
    }

    #[test]
    fn stable_norm_does_not_overflow() {
        let v = DVector::from_vec(vec![3e300, 4e300]);
        assert!((stable_norm(&v) / 5e300 - 1.0).abs() < 1e-15);
        assert_eq!(stable_norm(&DVector::zeros(2)), 0.0);
    }
}
