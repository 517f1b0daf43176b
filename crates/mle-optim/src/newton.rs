//! Safeguarded Newton (and Fisher scoring) as an argmin [`Solver`].
//!
//! One fused pass per iteration yields ℓ, ∇ℓ and ∇²ℓ. The curvature matrix is used as is
//! when positive definite (Cholesky); otherwise its eigenvalues are replaced by their absolute
//! values, floored relative to the largest, so the direction always descends the negative
//! log-likelihood — Newton never steps uphill on an indefinite Hessian. A backtracking
//! Armijo line search follows; near the optimum, where cost differences are at round-off
//! level, a step is also accepted when it lowers the gradient norm. Convergence is the
//! Newton decrement λ²/2 = ½ gᵀH⁻¹g: the predicted gain in ℓ, which is scale-aware (it
//! measures the remaining step in standard-error units, whatever n is).

use argmin::core::{Error, IterState, Problem, Solver, TerminationReason, TerminationStatus, KV};
use mle_core::{Evaluation, MleError};
use nalgebra::{DMatrix, DVector};

use crate::adapter::{positive_finite, NegativeLogLikelihood};

/// Which curvature matrix the Newton step uses.
///
/// ```
/// assert_ne!(mle_optim::Curvature::Observed, mle_optim::Curvature::Expected);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curvature {
    /// −∇²ℓ, exact (Newton–Raphson; IRLS for canonical GLMs).
    Observed,
    /// The expected information (Fisher scoring); needs a model that knows it.
    Expected,
}

/// The argmin state our Newton runs on.
pub type NewtonState = IterState<Vec<f64>, Vec<f64>, (), Vec<Vec<f64>>, (), f64>;

/// Safeguarded Newton / Fisher-scoring solver for argmin's `Executor`.
///
/// ```
/// use argmin::core::{Executor, State};
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::{NegativeLogLikelihood, SafeguardedNewton};
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 2.0, 6.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let res = Executor::new(NegativeLogLikelihood::new(&obj), SafeguardedNewton::new())
///     .configure(|s| s.param(vec![0.0]).max_iters(50))
///     .run()
///     .unwrap();
/// assert!((res.state().get_param().unwrap()[0] - 3.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct SafeguardedNewton {
    decrement_tolerance: f64,
    armijo: f64,
    max_backtracks: usize,
    curvature: Curvature,
    current: Option<Evaluation>,
    direction: Option<DVector<f64>>,
    half_decrement: f64,
    stalled: bool,
    best_value: f64,
    no_progress: usize,
    best_decrement: f64,
    since_best_decrement: usize,
}

impl Default for SafeguardedNewton {
    fn default() -> Self {
        Self::new()
    }
}

impl SafeguardedNewton {
    /// Defaults: λ²/2 ≤ 1e-18, Armijo constant 1e-4, 60 backtracking halvings, observed
    /// curvature.
    ///
    /// ```
    /// let n = mle_optim::SafeguardedNewton::new();
    /// assert_eq!(n.decrement_tolerance(), 1e-18);
    /// ```
    pub fn new() -> Self {
        SafeguardedNewton {
            decrement_tolerance: 1e-18,
            armijo: 1e-4,
            max_backtracks: 60,
            curvature: Curvature::Observed,
            current: None,
            direction: None,
            half_decrement: f64::INFINITY,
            stalled: false,
            best_value: f64::NEG_INFINITY,
            no_progress: 0,
            best_decrement: f64::INFINITY,
            since_best_decrement: 0,
        }
    }

    /// Sets the tolerance on the Newton decrement λ²/2 (the predicted gain in ℓ).
    ///
    /// ```
    /// let n = mle_optim::SafeguardedNewton::new().with_decrement_tolerance(1e-12).unwrap();
    /// assert_eq!(n.decrement_tolerance(), 1e-12);
    /// assert!(mle_optim::SafeguardedNewton::new().with_decrement_tolerance(-1.0).is_err());
    /// ```
    pub fn with_decrement_tolerance(mut self, tol: f64) -> Result<Self, MleError> {
        let tol = positive_finite("decrement_tolerance", tol)?;
        self.decrement_tolerance = tol;
        Ok(self)
    }

    /// Chooses observed (Newton) or expected (Fisher scoring) curvature.
    ///
    /// ```
    /// use mle_optim::{Curvature, SafeguardedNewton};
    /// let n = SafeguardedNewton::new().with_curvature(Curvature::Expected);
    /// assert_eq!(n.curvature(), Curvature::Expected);
    /// ```
    pub fn with_curvature(mut self, curvature: Curvature) -> Self {
        self.curvature = curvature;
        self
    }

    /// The decrement tolerance.
    ///
    /// ```
    /// assert!(mle_optim::SafeguardedNewton::new().decrement_tolerance() > 0.0);
    /// ```
    pub fn decrement_tolerance(&self) -> f64 {
        self.decrement_tolerance
    }

    /// The curvature in use.
    ///
    /// ```
    /// use mle_optim::{Curvature, SafeguardedNewton};
    /// assert_eq!(SafeguardedNewton::new().curvature(), Curvature::Observed);
    /// ```
    pub fn curvature(&self) -> Curvature {
        self.curvature
    }

    /// λ²/2 at the last iterate.
    ///
    /// ```
    /// assert!(mle_optim::SafeguardedNewton::new().half_decrement().is_infinite());
    /// ```
    pub fn half_decrement(&self) -> f64 {
        self.half_decrement
    }

    /// Whether the line search failed to improve ℓ at the last iterate.
    ///
    /// ```
    /// assert!(!mle_optim::SafeguardedNewton::new().stalled());
    /// ```
    pub fn stalled(&self) -> bool {
        self.stalled
    }

    /// The last fused evaluation (ℓ, ∇ℓ, ∇²ℓ) at the current iterate.
    ///
    /// ```
    /// assert!(mle_optim::SafeguardedNewton::new().current().is_none());
    /// ```
    pub fn current(&self) -> Option<&Evaluation> {
        self.current.as_ref()
    }

    fn curvature_matrix(
        &self,
        problem: &mut Problem<NegativeLogLikelihood<'_>>,
        theta: &[f64],
        eval: &Evaluation,
    ) -> Result<DMatrix<f64>, Error> {
        match self.curvature {
            Curvature::Observed => Ok(-&eval.hessian),
            Curvature::Expected => problem.problem("expected_information", |p| {
                match p.objective().expected_information(theta) {
                    Some(r) => Ok(r?),
                    None => Err(MleError::InvalidOption {
                        name: "curvature".into(),
                        reason: "Fisher scoring needs a model with a closed-form expected information".into(),
                    }
                    .into()),
                }
            }),
        }
    }

    /// Sets direction and decrement for the current evaluation.
    fn prepare(
        &mut self,
        problem: &mut Problem<NegativeLogLikelihood<'_>>,
        theta: &[f64],
        eval: Evaluation,
    ) -> Result<(), Error> {
        let h = self.curvature_matrix(problem, theta, &eval)?;
        let g_nll = -&eval.gradient;
        let (d, _) = descent_direction(&h, &g_nll);
        self.half_decrement = (-g_nll.dot(&d)).max(0.0) * 0.5;
        self.direction = Some(d);
        self.current = Some(eval);
        Ok(())
    }
}

/// d = −M⁻¹g with M the curvature made positive definite: Cholesky when it works, otherwise
/// eigenvalues |λᵢ| floored at 1e-12·max|λ|. Returns the direction and whether M was modified.
///
/// ```
/// use nalgebra::{dmatrix, dvector};
/// let (d, modified) = mle_optim::newton::descent_direction(&dmatrix![-1.0, 0.0; 0.0, 2.0], &dvector![1.0, 1.0]);
/// assert!(modified);
/// assert!(dvector![1.0, 1.0].dot(&d) < 0.0);
/// ```
pub fn descent_direction(curvature: &DMatrix<f64>, gradient: &DVector<f64>) -> (DVector<f64>, bool) {
    if let Some(ch) = curvature.clone().cholesky() {
        let d = -ch.solve(gradient);
        if d.iter().all(|v| v.is_finite()) {
            return (d, false);
        }
    }
    let sym = (curvature + curvature.transpose()) * 0.5;
    let eig = sym.symmetric_eigen();
    let max = eig.eigenvalues.amax();
    let floor = if max > 0.0 && max.is_finite() {
        max * 1e-12
    } else {
        1.0
    };
    let vt_g = eig.eigenvectors.transpose() * gradient;
    let scaled = DVector::from_iterator(
        vt_g.len(),
        vt_g.iter()
            .zip(eig.eigenvalues.iter())
            .map(|(c, l)| -c / l.abs().max(floor)),
    );
    (&eig.eigenvectors * scaled, true)
}

impl<'a> Solver<NegativeLogLikelihood<'a>, NewtonState> for SafeguardedNewton {
    fn name(&self) -> &str {
        "safeguarded Newton"
    }

    fn init(
        &mut self,
        problem: &mut Problem<NegativeLogLikelihood<'a>>,
        mut state: NewtonState,
    ) -> Result<(NewtonState, Option<KV>), Error> {
        let x = state.take_param().ok_or_else(|| {
            Error::from(MleError::InvalidOption {
                name: "start".into(),
                reason: "no starting values".into(),
            })
        })?;
        let eval = problem.problem("fused", |p| p.fused(&x))?;
        if !eval.value.is_finite() || !eval.gradient.iter().all(|g| g.is_finite()) {
            let (index, value) = problem
                .problem("locate", |p| Ok(p.objective().locate_non_finite(&x)))?
                .unwrap_or((0, eval.value));
            return Err(MleError::NonFiniteLogLikelihood {
                context: "the starting values".into(),
                index,
                value,
            }
            .into());
        }
        let cost = -eval.value;
        let grad: Vec<f64> = eval.gradient.iter().map(|v| -v).collect();
        self.stalled = false;
        self.best_value = eval.value;
        self.no_progress = 0;
        self.best_decrement = f64::INFINITY;
        self.since_best_decrement = 0;
        self.prepare(problem, &x, eval)?;
        Ok((state.param(x).cost(cost).gradient(grad), None))
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<NegativeLogLikelihood<'a>>,
        mut state: NewtonState,
    ) -> Result<(NewtonState, Option<KV>), Error> {
        let x = state
            .take_param()
            .ok_or_else(|| Error::msg("Newton: no parameter in state"))?;
        let (cur, d) = match (self.current.take(), self.direction.take()) {
            (Some(c), Some(d)) => (c, d),
            _ => return Err(Error::msg("Newton: not initialised")),
        };
        let nll0 = -cur.value;
        let g0 = -&cur.gradient;
        let slope = g0.dot(&d);
        let xv = DVector::from_column_slice(&x);
        let trial = |alpha: f64| -> Vec<f64> { (&xv + &d * alpha).iter().copied().collect() };

        // Full step with a fused evaluation (re-used as the next iterate when accepted).
        let x1 = trial(1.0);
        let e1 = problem.problem("fused", |p| p.fused(&x1))?;
        let nll1 = -e1.value;
        let roundoff = 1e3 * f64::EPSILON * nll0.abs().max(1.0);
        let finite1 = nll1.is_finite() && e1.gradient.iter().all(|v| v.is_finite());
        let accept_full = finite1
            && (nll1 <= nll0 + self.armijo * slope
                || ((nll1 - nll0).abs() <= roundoff && e1.gradient.norm() < cur.gradient.norm()));
        let accepted = if accept_full {
            Some((x1, e1))
        } else {
            // Backtracking with safeguarded quadratic interpolation, value-only evaluations.
            let mut alpha = 1.0;
            let mut f_alpha = if nll1.is_finite() { nll1 } else { f64::INFINITY };
            let mut found = None;
            for _ in 0..self.max_backtracks {
                let quad = if f_alpha.is_finite() {
                    -slope * alpha * alpha / (2.0 * (f_alpha - nll0 - slope * alpha))
                } else {
                    0.1 * alpha
                };
                alpha = quad.clamp(0.1 * alpha, 0.5 * alpha);
                let xa = trial(alpha);
                let fa = problem.problem("value", |p| {
                    let v = p.objective().log_likelihood(&xa)?;
                    Ok(if v.is_finite() { -v } else { f64::INFINITY })
                })?;
                if fa <= nll0 + self.armijo * alpha * slope {
                    found = Some(xa);
                    break;
                }
                f_alpha = fa;
            }
            match found {
                Some(xa) => {
                    let ea = problem.problem("fused", |p| p.fused(&xa))?;
                    Some((xa, ea))
                }
                None => None,
            }
        };
        match accepted {
            Some((x_new, e_new)) => {
                let cost = -e_new.value;
                let grad: Vec<f64> = e_new.gradient.iter().map(|v| -v).collect();
                // Progress below round-off for several accepted steps in a row: the
                // log-likelihood cannot be improved numerically any more.
                if e_new.value > self.best_value + roundoff {
                    self.best_value = e_new.value;
                    self.no_progress = 0;
                } else {
                    self.no_progress += 1;
                }
                self.prepare(problem, &x_new, e_new)?;
                // The decrement no longer shrinks (noise-limited ℓ: it wanders instead).
                if self.half_decrement < 0.5 * self.best_decrement {
                    self.best_decrement = self.half_decrement;
                    self.since_best_decrement = 0;
                } else {
                    self.since_best_decrement += 1;
                }
                // Stalled: neither ℓ nor the decrement improves any more (ℓ alone resolves the
                // parameters only to √ε, so a value stall while the decrement still shrinks
                // is not a stall).
                self.stalled = ((self.no_progress >= 5 && self.since_best_decrement >= 5)
                    || self.since_best_decrement >= 20)
                    && self.half_decrement <= 5e-3;
                Ok((state.param(x_new).cost(cost).gradient(grad), None))
            }
            None => {
                self.stalled = true;
                self.current = Some(cur);
                self.direction = Some(d);
                Ok((state.param(x).cost(nll0), None))
            }
        }
    }

    fn terminate(&mut self, _state: &NewtonState) -> TerminationStatus {
        if self.half_decrement <= self.decrement_tolerance {
            return TerminationStatus::Terminated(TerminationReason::SolverConverged);
        }
        if self.stalled {
            return TerminationStatus::Terminated(TerminationReason::SolverExit(
                "no increase of the log-likelihood beyond round-off".into(),
            ));
        }
        TerminationStatus::NotTerminated
    }
}
