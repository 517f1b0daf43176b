//! Levenberg–Marquardt damping on the expected information (Fisher scoring with a trust
//! region): robust far from the optimum, where plain Newton or Gauss–Newton steps overshoot.
//!
//! Each iteration solves (M + λ·diag M) δ = ∇ℓ with M the expected information (the
//! Gauss–Newton matrix JᵀJ/σ² for nonlinear least squares; the observed information made
//! positive definite when the model has no expected information), accepts the step when the
//! gain in ℓ is a fair share of the gain the quadratic model predicts, and adapts λ (Nielsen's
//! rule). It stops when the Fisher decrement ½ gᵀM⁻¹g is small; the caller then polishes with
//! the safeguarded Newton on the exact Hessian for quadratic final convergence.

use argmin::core::{Error, Problem, Solver, TerminationReason, TerminationStatus, KV};
use mle_core::MleError;
use nalgebra::{DMatrix, DVector};

use crate::adapter::{positive_finite, NegativeLogLikelihood};
use crate::newton::{descent_direction, NewtonState};

/// Levenberg–Marquardt-damped Fisher scoring, an argmin [`Solver`].
///
/// ```
/// use argmin::core::{Executor, State};
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::{LevenbergMarquardt, NegativeLogLikelihood};
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 2.0, 6.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let res = Executor::new(NegativeLogLikelihood::new(&obj), LevenbergMarquardt::new())
///     .configure(|s| s.param(vec![100.0]).max_iters(200))
///     .run()
///     .unwrap();
/// assert!((res.state().get_param().unwrap()[0] - 3.0).abs() < 1e-6);
/// ```
#[derive(Debug, Clone)]
pub struct LevenbergMarquardt {
    decrement_tolerance: f64,
    initial_damping: f64,
    lambda: f64,
    nu: f64,
    value: f64,
    gradient: DVector<f64>,
    curvature: DMatrix<f64>,
    half_decrement: f64,
    stalled: bool,
    scale: DVector<f64>,
    best_value: f64,
    no_progress: usize,
}

impl Default for LevenbergMarquardt {
    fn default() -> Self {
        Self::new()
    }
}

impl LevenbergMarquardt {
    /// Defaults: stop when ½gᵀM⁻¹g ≤ 1e-10; initial damping 1e-3·max diag M.
    ///
    /// ```
    /// assert_eq!(mle_optim::LevenbergMarquardt::new().decrement_tolerance(), 1e-10);
    /// ```
    pub fn new() -> Self {
        LevenbergMarquardt {
            decrement_tolerance: 1e-10,
            initial_damping: 1e-3,
            lambda: f64::NAN,
            nu: 2.0,
            value: f64::NAN,
            gradient: DVector::zeros(0),
            curvature: DMatrix::zeros(0, 0),
            half_decrement: f64::INFINITY,
            stalled: false,
            scale: DVector::zeros(0),
            best_value: f64::NEG_INFINITY,
            no_progress: 0,
        }
    }

    /// Sets the stopping tolerance on the Fisher decrement ½gᵀM⁻¹g.
    ///
    /// ```
    /// let lm = mle_optim::LevenbergMarquardt::new().with_decrement_tolerance(1e-8).unwrap();
    /// assert_eq!(lm.decrement_tolerance(), 1e-8);
    /// ```
    pub fn with_decrement_tolerance(mut self, tol: f64) -> Result<Self, MleError> {
        let tol = positive_finite("decrement_tolerance", tol)?;
        self.decrement_tolerance = tol;
        Ok(self)
    }

    /// Sets the initial damping τ: λ₀ = τ · max diag M (default 1e-3; larger is more
    /// cautious far from the optimum).
    ///
    /// ```
    /// let lm = mle_optim::LevenbergMarquardt::new().with_initial_damping(1.0).unwrap();
    /// assert_eq!(lm.initial_damping(), 1.0);
    /// ```
    pub fn with_initial_damping(mut self, tau: f64) -> Result<Self, MleError> {
        let tau = positive_finite("initial_damping", tau)?;
        self.initial_damping = tau;
        Ok(self)
    }

    /// The initial damping τ.
    ///
    /// ```
    /// assert_eq!(mle_optim::LevenbergMarquardt::new().initial_damping(), 1e-3);
    /// ```
    pub fn initial_damping(&self) -> f64 {
        self.initial_damping
    }

    /// The stopping tolerance.
    ///
    /// ```
    /// assert!(mle_optim::LevenbergMarquardt::new().decrement_tolerance() > 0.0);
    /// ```
    pub fn decrement_tolerance(&self) -> f64 {
        self.decrement_tolerance
    }

    /// ½gᵀM⁻¹g at the current iterate.
    ///
    /// ```
    /// assert!(mle_optim::LevenbergMarquardt::new().half_decrement().is_infinite());
    /// ```
    pub fn half_decrement(&self) -> f64 {
        self.half_decrement
    }

    /// Whether the damping grew without finding an improving step.
    ///
    /// ```
    /// assert!(!mle_optim::LevenbergMarquardt::new().stalled());
    /// ```
    pub fn stalled(&self) -> bool {
        self.stalled
    }

    /// Value, gradient and positive-definite curvature at θ.
    fn evaluate(
        problem: &mut Problem<NegativeLogLikelihood<'_>>,
        theta: &[f64],
    ) -> Result<(f64, DVector<f64>, DMatrix<f64>), Error> {
        let expected = problem.problem("expected_information", |p| {
            Ok(p.objective().expected_information(theta))
        })?;
        match expected {
            Some(info) => {
                let info = info?;
                let (v, g) = problem.problem("gradient", |p| Ok(p.objective().value_gradient(theta)?))?;
                Ok((v, g, info))
            }
            None => {
                // No expected information: the observed information, made positive definite.
                let e = problem.problem("fused", |p| p.fused(theta))?;
                let sym = -(&e.hessian + e.hessian.transpose()) * 0.5;
                let eig = sym.symmetric_eigen();
                let max = eig.eigenvalues.amax().max(f64::MIN_POSITIVE);
                let vals = eig.eigenvalues.map(|l| l.abs().max(max * 1e-12));
                let m = &eig.eigenvectors * DMatrix::from_diagonal(&vals) * eig.eigenvectors.transpose();
                Ok((e.value, e.gradient, m))
            }
        }
    }

    fn set_current(&mut self, value: f64, gradient: DVector<f64>, curvature: DMatrix<f64>) {
        let (d, _) = descent_direction(&curvature, &-&gradient);
        self.half_decrement = (gradient.dot(&d)).max(0.0) * 0.5;
        self.value = value;
        self.gradient = gradient;
        self.curvature = curvature;
    }
}

impl<'a> Solver<NegativeLogLikelihood<'a>, NewtonState> for LevenbergMarquardt {
    fn name(&self) -> &str {
        "Levenberg-Marquardt (Fisher scoring)"
    }

    fn init(
        &mut self,
        problem: &mut Problem<NegativeLogLikelihood<'a>>,
        mut state: NewtonState,
    ) -> Result<(NewtonState, Option<KV>), Error> {
        let x = state
            .take_param()
            .ok_or_else(|| Error::msg("Levenberg-Marquardt: no starting values"))?;
        let (v, g, m) = Self::evaluate(problem, &x)?;
        if !v.is_finite() || !g.iter().all(|c| c.is_finite()) {
            let (index, value) = problem
                .problem("locate", |p| Ok(p.objective().locate_non_finite(&x)))?
                .unwrap_or((0, v));
            return Err(MleError::NonFiniteLogLikelihood {
                context: "the starting values".into(),
                index,
                value,
            }
            .into());
        }
        self.lambda = self.initial_damping * m.diagonal().amax().max(f64::MIN_POSITIVE);
        self.nu = 2.0;
        self.stalled = false;
        self.scale = m.diagonal().map(|d| d.max(1e-300));
        self.best_value = v;
        self.no_progress = 0;
        self.set_current(v, g, m);
        Ok((state.param(x).cost(-v), None))
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<NegativeLogLikelihood<'a>>,
        mut state: NewtonState,
    ) -> Result<(NewtonState, Option<KV>), Error> {
        let x = state
            .take_param()
            .ok_or_else(|| Error::msg("Levenberg-Marquardt: no parameter"))?;
        let xv = DVector::from_column_slice(&x);
        let k = x.len();
        // MINPACK-style scaling: the running maximum of diag M, so damping never shrinks in a
        // direction that was once stiff.
        self.scale = self.scale.zip_map(&self.curvature.diagonal(), |a, b| a.max(b));
        let diag = self.scale.clone();
        let roundoff = 1e3 * f64::EPSILON * self.value.abs().max(1.0);
        for _ in 0..60 {
            let mut a = self.curvature.clone();
            for i in 0..k {
                a[(i, i)] += self.lambda * diag[i];
            }
            let delta = match a.cholesky() {
                Some(ch) => ch.solve(&self.gradient),
                None => {
                    self.lambda *= self.nu;
                    self.nu *= 2.0;
                    continue;
                }
            };
            let predicted = self.gradient.dot(&delta) - 0.5 * delta.dot(&(&self.curvature * &delta));
            let trial: Vec<f64> = (&xv + &delta).iter().copied().collect();
            let v_new = problem.problem("value", |p| Ok(p.objective().log_likelihood(&trial)?))?;
            let actual = v_new - self.value;
            let rho = actual / predicted;
            let accept = v_new.is_finite()
                && predicted > 0.0
                && (rho > 1e-4 || (actual.abs() <= roundoff && predicted <= roundoff));
            if accept {
                self.lambda *= (1.0 - (2.0 * rho.min(1.0) - 1.0).powi(3)).max(1.0 / 3.0);
                self.nu = 2.0;
                let (v, g, m) = Self::evaluate(problem, &trial)?;
                self.set_current(v, g, m);
                if v > self.best_value + roundoff {
                    self.best_value = v;
                    self.no_progress = 0;
                } else {
                    self.no_progress += 1;
                }
                // Stalled: no gain beyond round-off for 10 accepted steps while the predicted
                // gain is already small (ℓ is noise-limited, not merely heavily damped).
                self.stalled = self.no_progress >= 10 && self.half_decrement <= 5e-3;
                return Ok((state.param(trial).cost(-v), None));
            }
            self.lambda *= self.nu;
            self.nu *= 2.0;
            if !self.lambda.is_finite() || self.lambda > 1e300 {
                break;
            }
        }
        self.stalled = true;
        Ok((state.param(x).cost(-self.value), None))
    }

    fn terminate(&mut self, _state: &NewtonState) -> TerminationStatus {
        if self.half_decrement <= self.decrement_tolerance {
            return TerminationStatus::Terminated(TerminationReason::SolverConverged);
        }
        if self.stalled {
            return TerminationStatus::Terminated(TerminationReason::SolverExit(
                "damping grew without an improving step".into(),
            ));
        }
        TerminationStatus::NotTerminated
    }
}
