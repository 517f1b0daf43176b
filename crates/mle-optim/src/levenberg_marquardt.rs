//! Levenberg–Marquardt damping on the expected information (Fisher scoring with a trust
//! region): robust far from the optimum, where plain Newton or Gauss–Newton steps overshoot.
//!
//! Each iteration solves (M + λ·diag M) δ = ∇ℓ with M the expected information (the
//! Gauss–Newton matrix JᵀJ/σ² for nonlinear least squares; the observed information made
//! positive definite when the model has no expected information), accepts the step when the
//! gain in ℓ is a fair share of the gain the quadratic model predicts, and adapts λ (Nielsen's
//! rule). It stops when the Fisher decrement ½ gᵀM⁻¹g is small; the caller then polishes with
//! the safeguarded Newton on the exact Hessian for quadratic final convergence.
//!
//! The verdict is decided in [`Solver::terminate`] and read with
//! [`LevenbergMarquardt::status`]; iterates that run away (see the Newton solver) stop the run
//! with an unbounded/diverging status, over a longer window (50 steps) since damped steps
//! crawl.

use argmin::core::{Error, IterState, Problem, Solver, State, TerminationStatus, KV};
use mle_core::fit::{ConvergenceStatus, Criterion};
use mle_core::{MleError, Parameter};
use nalgebra::{DMatrix, DVector};

use crate::adapter::{at_iterate, positive_finite, round_off, stable_norm, NegativeLogLikelihood};
use crate::newton::{descent_direction, refine_runaway, termination_for, Runaway};

/// The argmin state Levenberg–Marquardt runs on.
pub type LmState = IterState<Vec<f64>, Vec<f64>, (), Vec<Vec<f64>>, (), f64>;

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
    parameters: Vec<Parameter>,
    runaway: Option<Runaway>,
    runaway_status: Option<ConvergenceStatus>,
    status: Option<ConvergenceStatus>,
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
            parameters: Vec::new(),
            runaway: None,
            runaway_status: None,
            status: None,
        }
    }

    /// The verdict, once [`Solver::terminate`] has stopped the run (`None` before). A
    /// decrement below tolerance is reported as [`ConvergenceStatus::DecrementBelowTolerance`]
    /// with the Fisher decrement ½gᵀM⁻¹g.
    ///
    /// ```
    /// assert!(mle_optim::LevenbergMarquardt::new().status().is_none());
    /// ```
    pub fn status(&self) -> Option<&ConvergenceStatus> {
        self.status.as_ref()
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

    /// Value, gradient and positive-definite curvature at θ, checked finite (`context` names
    /// the point in the error otherwise).
    fn evaluate(
        problem: &mut Problem<NegativeLogLikelihood<'_>>,
        theta: &[f64],
        context: &str,
    ) -> Result<(f64, DVector<f64>, DMatrix<f64>), Error> {
        let expected = problem.problem("expected_information", |p| Ok(p.expected_information(theta)))?;
        match expected {
            Some(info) => {
                let info = info?;
                let (v, g) = problem.problem("gradient", |p| {
                    let (v, g) = p.value_gradient(theta)?;
                    p.check_derivatives(theta, v, &g, None, context)?;
                    Ok((v, g))
                })?;
                Ok((v, g, info))
            }
            None => {
                // No expected information: the observed information, made positive definite.
                let e = problem.problem("fused", |p| {
                    let e = p.fused(theta)?;
                    p.check_derivatives(theta, e.value, &e.gradient, Some(&e.hessian), context)?;
                    Ok(e)
                })?;
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

impl<'a> Solver<NegativeLogLikelihood<'a>, LmState> for LevenbergMarquardt {
    fn name(&self) -> &str {
        "Levenberg-Marquardt (Fisher scoring)"
    }

    fn init(
        &mut self,
        problem: &mut Problem<NegativeLogLikelihood<'a>>,
        mut state: LmState,
    ) -> Result<(LmState, Option<KV>), Error> {
        let x = state
            .take_param()
            .ok_or_else(|| Error::from(MleError::NoStartingValues))?;
        let (v, g, m) = Self::evaluate(problem, &x, "the starting values")?;
        self.parameters = problem.problem("parameters", |p| Ok(p.parameters().to_vec()))?;
        self.status = None;
        self.runaway_status = None;
        self.runaway = Some(Runaway::new(&x, v, stable_norm(&g), 50));
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
        mut state: LmState,
    ) -> Result<(LmState, Option<KV>), Error> {
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
            // A step that overflows θ is rejected like one where ℓ is not finite.
            let v_new = if trial.iter().all(|t| t.is_finite()) {
                problem.problem("value", |p| Ok(p.value(&trial)?))?
            } else {
                f64::NAN
            };
            let actual = v_new - self.value;
            let rho = actual / predicted;
            let accept = v_new.is_finite()
                && predicted > 0.0
                && (rho > 1e-4 || (actual.abs() <= roundoff && predicted <= roundoff));
            if accept {
                self.lambda *= (1.0 - (2.0 * rho.min(1.0) - 1.0).powi(3)).max(1.0 / 3.0);
                self.nu = 2.0;
                let iteration = state.get_iter() + 1;
                let (v, g, m) = Self::evaluate(problem, &trial, &at_iterate(&trial, iteration))?;
                let gnorm = stable_norm(&g);
                self.set_current(v, g, m);
                if let Some(r) = self.runaway.as_mut() {
                    self.runaway_status = r.observe(&trial, v, gnorm, iteration, &self.parameters);
                }
                if let Some(s) = self.runaway_status.take() {
                    // Name the direction where ℓ still rises, from the exact curvature.
                    let e = problem.problem("fused", |p| Ok(p.fused(&trial)?))?;
                    self.runaway_status = refine_runaway(&s, &e, &self.parameters);
                }
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

    /// The verdict, decided here once: run-off, the Fisher decrement below tolerance, a stall
    /// of the damping, or the iteration limit.
    fn terminate(&mut self, state: &LmState) -> TerminationStatus {
        let criterion = Criterion::Decrement {
            decrement: self.half_decrement,
            tolerance: self.decrement_tolerance,
        };
        let status = if let Some(s) = &self.runaway_status {
            s.clone()
        } else if self.half_decrement <= self.decrement_tolerance {
            ConvergenceStatus::DecrementBelowTolerance {
                decrement: self.half_decrement,
                tolerance: self.decrement_tolerance,
            }
        } else if self.stalled && self.half_decrement <= round_off(self.value).max(1e-10) {
            ConvergenceStatus::RoundOffLimited {
                decrement: self.half_decrement,
                round_off: round_off(self.value),
            }
        } else if self.stalled {
            ConvergenceStatus::Stalled {
                cause: "damping grew without an improving step".into(),
                criterion,
            }
        } else if state.get_iter() >= state.get_max_iters() {
            ConvergenceStatus::MaxIterations {
                iterations: state.get_iter(),
                criterion,
            }
        } else {
            return TerminationStatus::NotTerminated;
        };
        let t = termination_for(&status);
        self.status = Some(status);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argmin::core::Executor;
    use mle_core::{ClosureDensity, DataObjective, Objective};
    use num_dual::{Dual2SVec64, DualNum};

    /// y = a·exp(−b·t) with unit-variance Gaussian errors: ℓ = −½ Σ (y − a e^{−bt})².
    #[allow(clippy::type_complexity)]
    fn decay(
    ) -> ClosureDensity<impl Fn(&[Dual2SVec64<2>], &(f64, f64)) -> Dual2SVec64<2> + Sync, (f64, f64), 2> {
        ClosureDensity::new(
            vec![Parameter::identity("a"), Parameter::identity("b")],
            |t: &[Dual2SVec64<2>], obs: &(f64, f64)| {
                let (time, y) = *obs;
                let r = -(t[0] * (-(t[1] * time)).exp()) + y;
                -(r * r) * 0.5
            },
        )
    }

    fn run(obj: &dyn Objective, start: &[f64], max_iters: u64) -> (Vec<f64>, ConvergenceStatus) {
        let res = Executor::new(NegativeLogLikelihood::new(obj), LevenbergMarquardt::new())
            .configure(|s| s.param(start.to_vec()).max_iters(max_iters))
            .run()
            .unwrap();
        (
            res.state().get_param().unwrap().clone(),
            res.solver().status().unwrap().clone(),
        )
    }

    /// Two observations at t = 0 and t = 1 are interpolated exactly: â = y₀, b̂ = ln(y₀/y₁),
    /// and ℓ̂ = 0.
    #[test]
    fn two_parameter_exponential_decay_reaches_the_closed_form_optimum() {
        let d = decay();
        let data = [(0.0, 5.0), (1.0, 2.0)];
        let obj = DataObjective::new(&d, &data).unwrap();
        let (p, status) = run(&obj, &[1.0, 0.1], 500);
        match status {
            ConvergenceStatus::DecrementBelowTolerance { decrement, tolerance } => {
                assert!(decrement <= tolerance && tolerance == 1e-10)
            }
            other => panic!("{other}"),
        }
        let (a, b) = (5.0, (5.0f64 / 2.0).ln());
        assert!((p[0] - a).abs() < 1e-4 && (p[1] - b).abs() < 1e-4, "{p:?}");
        // Polished by Newton through the public fit: to round-off.
        let fit = crate::FitOptions::levenberg_marquardt()
            .fit(&obj, &[1.0, 0.1])
            .unwrap();
        assert!(fit.convergence().converged(), "{fit}");
        assert!((fit.estimates()[0] - a).abs() < 1e-12, "{fit}");
        assert!((fit.estimates()[1] - b).abs() < 1e-12, "{fit}");
        assert!(fit.log_likelihood().abs() < 1e-24);
        // Noise-free data on the curve 3·e^{−0.7 t}: the optimum is the curve itself.
        let data: Vec<(f64, f64)> = (0..8)
            .map(|i| (i as f64 * 0.5, 3.0 * (-0.35 * i as f64).exp()))
            .collect();
        let obj = DataObjective::new(&d, &data).unwrap();
        let fit = crate::FitOptions::levenberg_marquardt()
            .fit(&obj, &[0.5, 2.0])
            .unwrap();
        assert!((fit.estimates()[0] - 3.0).abs() < 1e-12 && (fit.estimates()[1] - 0.7).abs() < 1e-12);
    }

    #[test]
    fn status_values() {
        let d = decay();
        let data = [(0.0, 5.0), (1.0, 2.0), (2.0, 0.9)];
        let obj = DataObjective::new(&d, &data).unwrap();
        let (_, status) = run(&obj, &[1.0, 0.1], 1);
        match status {
            ConvergenceStatus::MaxIterations {
                iterations: 1,
                criterion: Criterion::Decrement { decrement, tolerance },
            } => assert!(decrement > tolerance),
            other => panic!("{other}"),
        }
        assert!(!status.is_converged());
        // ℓ = θ·Σx has no maximum: LM's run-off detection stops it.
        let linear = ClosureDensity::new(
            vec![Parameter::identity("theta")],
            |t: &[Dual2SVec64<1>], x: &f64| t[0] * *x,
        );
        let xs = [1.0, 2.0];
        let obj = DataObjective::new(&linear, &xs).unwrap();
        let (_, status) = run(&obj, &[0.0], u64::MAX);
        assert!(
            matches!(&status, ConvergenceStatus::Unbounded { parameter, increasing: true, .. } if parameter == "theta"),
            "{status}"
        );
    }
}
