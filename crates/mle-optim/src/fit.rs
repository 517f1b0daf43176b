//! The generic entry point: objective + start + options → `Result<Fit>`.

use argmin::core::{Executor, Problem, State};
use mle_core::fit::{ConvergenceStatus, EstimationMethod};
use mle_core::objective::check_parameters;
use mle_core::{Convergence, Fit, MleError, Objective, Result};

use crate::adapter::{into_mle_error, positive_finite, stable_norm, NegativeLogLikelihood};
use crate::driver::drive;
use crate::levenberg_marquardt::LevenbergMarquardt;
use crate::newton::{NewtonState, SafeguardedNewton, Theta};
use crate::quasi_newton::{run_bfgs, run_lbfgs};
use mle_core::InformationKind;

/// What a solver run leaves: the last iterate, why it stopped, and the evaluation there (so
/// the fit needs no extra pass over the data).
struct Outcome {
    param: Vec<f64>,
    convergence: Convergence,
    last: Option<mle_core::Evaluation>,
}

/// The optimisation method.
///
/// ```
/// use mle_optim::Method;
/// assert_eq!(Method::default(), Method::Newton);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Safeguarded Newton on the exact Hessian.
    #[default]
    Newton,
    /// Newton with the expected information (Fisher scoring).
    FisherScoring,
    /// argmin BFGS (More–Thuente line search), started with the exact inverse Hessian.
    Bfgs,
    /// Levenberg–Marquardt-damped Fisher scoring, then a safeguarded Newton polish on the
    /// exact Hessian (for hard nonlinear problems far from the optimum).
    LevenbergMarquardt,
    /// argmin L-BFGS with `memory` correction pairs.
    Lbfgs {
        /// Number of stored correction pairs.
        memory: usize,
    },
}

/// Options of a fit: method, limits and tolerances. Defaults are documented on each setter;
/// invalid values are rejected by [`FitOptions::fit`] with a typed error
/// ([`MleError::MaxIterationsZero`], [`MleError::ToleranceNotPositive`],
/// [`MleError::LbfgsMemoryZero`]).
///
/// ```
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::FitOptions;
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 2.0, 6.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let fit = FitOptions::newton().fit(&obj, &[0.0]).unwrap();
/// assert!((fit.estimates()[0] - 3.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    method: Method,
    max_iterations: u64,
    decrement_tolerance: f64,
    gradient_tolerance: f64,
    require_convergence: bool,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self::newton()
    }
}

impl FitOptions {
    /// Safeguarded Newton (the default).
    ///
    /// ```
    /// assert_eq!(mle_optim::FitOptions::newton().method(), mle_optim::Method::Newton);
    /// ```
    pub fn newton() -> Self {
        FitOptions {
            method: Method::Newton,
            max_iterations: 100,
            decrement_tolerance: 1e-18,
            gradient_tolerance: 1e-9,
            require_convergence: true,
        }
    }

    /// Fisher scoring.
    ///
    /// ```
    /// assert_eq!(mle_optim::FitOptions::fisher_scoring().method(), mle_optim::Method::FisherScoring);
    /// ```
    pub fn fisher_scoring() -> Self {
        FitOptions {
            method: Method::FisherScoring,
            ..Self::newton()
        }
    }

    /// Levenberg–Marquardt then Newton (1000 iterations by default).
    ///
    /// ```
    /// assert_eq!(mle_optim::FitOptions::levenberg_marquardt().method(), mle_optim::Method::LevenbergMarquardt);
    /// ```
    pub fn levenberg_marquardt() -> Self {
        FitOptions {
            method: Method::LevenbergMarquardt,
            max_iterations: 1000,
            ..Self::newton()
        }
    }

    /// BFGS (1000 iterations by default).
    ///
    /// ```
    /// assert_eq!(mle_optim::FitOptions::bfgs().method(), mle_optim::Method::Bfgs);
    /// ```
    pub fn bfgs() -> Self {
        FitOptions {
            method: Method::Bfgs,
            max_iterations: 1000,
            ..Self::newton()
        }
    }

    /// L-BFGS with 10 correction pairs (1000 iterations by default).
    ///
    /// ```
    /// assert_eq!(mle_optim::FitOptions::lbfgs().method(), mle_optim::Method::Lbfgs { memory: 10 });
    /// ```
    pub fn lbfgs() -> Self {
        FitOptions {
            method: Method::Lbfgs { memory: 10 },
            max_iterations: 1000,
            ..Self::newton()
        }
    }

    /// The method.
    ///
    /// ```
    /// assert_eq!(mle_optim::FitOptions::default().method(), mle_optim::Method::Newton);
    /// ```
    pub fn method(&self) -> Method {
        self.method
    }

    /// Maximum iterations (Newton: 100; BFGS/L-BFGS: 1000). Even with `u64::MAX` a run
    /// stops: iterates that run away end it with an unbounded or diverging status.
    ///
    /// ```
    /// assert_eq!(mle_optim::FitOptions::newton().max_iterations(20).method(), mle_optim::Method::Newton);
    /// ```
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = n;
        self
    }

    /// Newton/Fisher: convergence when the decrement λ²/2 = ½gᵀH⁻¹g (the predicted gain in
    /// ℓ) is at most this (default 1e-18: the step is below 1.5e-9 standard errors).
    ///
    /// ```
    /// let o = mle_optim::FitOptions::newton().decrement_tolerance(1e-12);
    /// assert_eq!(o.method(), mle_optim::Method::Newton);
    /// ```
    pub fn decrement_tolerance(mut self, tol: f64) -> Self {
        self.decrement_tolerance = tol;
        self
    }

    /// BFGS/L-BFGS: stop when |∇ℓ| ≤ tol·n (scale-aware: a per-observation tolerance,
    /// default 1e-9). The fit then also reports the exact Newton decrement.
    ///
    /// ```
    /// let o = mle_optim::FitOptions::bfgs().gradient_tolerance(1e-7);
    /// assert_eq!(o.method(), mle_optim::Method::Bfgs);
    /// ```
    pub fn gradient_tolerance(mut self, tol: f64) -> Self {
        self.gradient_tolerance = tol;
        self
    }

    /// With `true` (default) a run that does not converge is an error: a
    /// [`MleError::NoConvergence`] when it ran out of iterations or stalled, a
    /// [`MleError::NotAMaximum`] when it found a minimum or saddle point or an unbounded
    /// likelihood. With `false` it is a fit flagged `NotConverged` carrying that status.
    ///
    /// ```
    /// let o = mle_optim::FitOptions::newton().require_convergence(false);
    /// assert_eq!(o.method(), mle_optim::Method::Newton);
    /// ```
    pub fn require_convergence(mut self, yes: bool) -> Self {
        self.require_convergence = yes;
        self
    }

    fn check(&self) -> Result<()> {
        if self.max_iterations == 0 {
            return Err(MleError::MaxIterationsZero);
        }
        positive_finite("decrement_tolerance", self.decrement_tolerance)?;
        positive_finite("gradient_tolerance", self.gradient_tolerance)?;
        if let Method::Lbfgs { memory: 0 } = self.method {
            return Err(MleError::LbfgsMemoryZero);
        }
        Ok(())
    }

    /// Maximises the log-likelihood from `start` (working scale) and returns the fit with
    /// exact-Hessian inference at the optimum.
    ///
    /// The verdict ([`Convergence::status`]) is the solver's: convergence is reported only at
    /// a point where ∇²ℓ is negative definite; a stationary point that is not a maximum, or
    /// a likelihood that increases without bound, is reported as such.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, DataObjective, MleError, Parameter};
    /// use mle_optim::FitOptions;
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// let data = [1.0];
    /// let obj = DataObjective::new(&d, &data).unwrap();
    /// assert!(matches!(FitOptions::newton().fit(&obj, &[0.0, 1.0]),
    ///     Err(MleError::ParameterCount { expected: 1, got: 2 })));
    /// ```
    pub fn fit(&self, objective: &dyn Objective, start: &[f64]) -> Result<Fit> {
        self.check()?;
        // The names are only needed for the error: checked without copying them first.
        if start.len() != objective.dimension() || !start.iter().all(|v| v.is_finite()) {
            check_parameters(&objective.parameters(), start)?;
        }
        let Outcome {
            param,
            convergence,
            last,
        } = match self.method {
            Method::Newton | Method::FisherScoring => self.run_newton(objective, start)?,
            Method::LevenbergMarquardt => self.run_levenberg_marquardt(objective, start)?,
            Method::Bfgs | Method::Lbfgs { .. } => self.run_quasi_newton(objective, start)?,
        };
        if !convergence.converged() && self.require_convergence {
            if convergence.status.is_not_a_maximum() {
                return Err(MleError::NotAMaximum {
                    status: convergence.status,
                    iterations: convergence.iterations,
                    last: param,
                });
            }
            let gradient_norm = match &last {
                Some(e) => stable_norm(&e.gradient),
                None => objective
                    .value_gradient(&param)
                    .map(|(_, g)| stable_norm(&g))
                    .unwrap_or(f64::NAN),
            };
            return Err(MleError::NoConvergence {
                reason: convergence.reason(),
                iterations: convergence.iterations,
                gradient_norm,
                last: param,
            });
        }
        match last {
            Some(eval) => Fit::from_evaluation(objective, &param, eval, convergence),
            None => Fit::at_estimate(objective, &param, convergence),
        }
    }

    fn run_newton(&self, objective: &dyn Objective, start: &[f64]) -> Result<Outcome> {
        let curvature = if self.method == Method::FisherScoring {
            InformationKind::Expected
        } else {
            InformationKind::Observed
        };
        let solver = SafeguardedNewton::new()
            .with_decrement_tolerance(self.decrement_tolerance)?
            .with_curvature(curvature);
        let nll = NegativeLogLikelihood::new(objective);
        let handle = nll.handle();
        // argmin's loop without the Executor's optional stages (`driver::drive`).
        let initial = NewtonState::new()
            .param(Theta::from_slice(start))
            .max_iters(self.max_iterations)
            .counting(false);
        let (solver, mut state) = drive(solver, Problem::new(nll), initial).map_err(into_mle_error)?;
        let param = state
            .take_param()
            .ok_or_else(|| MleError::Optimiser("Newton returned no parameter".into()))?
            .to_vec();
        // The verdict and the last evaluation are moved out of the solver, not copied.
        let (status, last) = solver.into_verdict();
        let status = status.ok_or_else(|| MleError::Optimiser("Newton stopped without a verdict".into()))?;
        let method = if curvature == InformationKind::Expected {
            EstimationMethod::FisherScoring
        } else {
            EstimationMethod::Newton
        };
        let mut convergence = Convergence::new(method, status, state.get_iter());
        convergence.evaluations = handle.counts().as_list();
        Ok(Outcome {
            param,
            convergence,
            last,
        })
    }

    /// Levenberg–Marquardt from each initial damping in turn (default τ = 1e-3, then the
    /// cautious τ = 1), each polished by Newton; the highest log-likelihood among the
    /// converged runs is kept, and the notes name every run.
    fn run_levenberg_marquardt(&self, objective: &dyn Objective, start: &[f64]) -> Result<Outcome> {
        let mut best: Option<(f64, Outcome)> = None;
        let mut runs = Vec::new();
        let mut last_error = None;
        for tau in [1e-3, 1.0] {
            match self.run_levenberg_marquardt_once(objective, start, tau) {
                Ok(outcome) => {
                    let value = match &outcome.last {
                        Some(e) => e.value,
                        None => objective.log_likelihood(&outcome.param)?,
                    };
                    runs.push(format!(
                        "τ = {tau:.0e}: ℓ = {value:.10e}, {}",
                        outcome.convergence.status
                    ));
                    let c = &outcome.convergence;
                    let better = match &best {
                        None => true,
                        Some((v, b)) => {
                            let bc = &b.convergence;
                            (c.converged() && !bc.converged())
                                || (c.converged() == bc.converged() && value > *v)
                        }
                    };
                    if better {
                        best = Some((value, outcome));
                    }
                }
                Err(e) => {
                    runs.push(format!("τ = {tau:.0e}: {e}"));
                    last_error = Some(e);
                }
            }
        }
        match best {
            Some((_, mut outcome)) => {
                outcome
                    .convergence
                    .notes
                    .push(format!("runs: {}", runs.join("; ")));
                Ok(outcome)
            }
            None => {
                Err(last_error
                    .unwrap_or_else(|| MleError::Optimiser("Levenberg–Marquardt did not run".into())))
            }
        }
    }

    fn run_levenberg_marquardt_once(
        &self,
        objective: &dyn Objective,
        start: &[f64],
        tau: f64,
    ) -> Result<Outcome> {
        let solver = LevenbergMarquardt::new().with_initial_damping(tau)?;
        let nll = NegativeLogLikelihood::new(objective);
        let handle = nll.handle();
        let res = Executor::new(nll, solver)
            .configure(|s| {
                s.param(start.to_vec())
                    .max_iters(self.max_iterations)
                    .counting(false)
            })
            .run()
            .map_err(into_mle_error)?;
        let state = res.state();
        let lm_param = state
            .get_param()
            .cloned()
            .ok_or_else(|| MleError::Optimiser("LM returned no parameter".into()))?;
        let lm_iterations = state.get_iter();
        let lm_status = res
            .solver()
            .status()
            .cloned()
            .ok_or_else(|| MleError::Optimiser("LM stopped without a verdict".into()))?;
        let lm_counts = handle.counts().as_list();
        let lm_note = match &lm_status {
            ConvergenceStatus::DecrementBelowTolerance {
                decrement,
                tolerance,
            } => format!(
                "LM: Fisher decrement ½gᵀM⁻¹g = {decrement:.2e} ≤ {tolerance:.0e} after {lm_iterations} iterations"
            ),
            s => format!("LM: {s} after {lm_iterations} iterations"),
        };
        // A run-off found by LM is the verdict: no polish from there.
        let Outcome {
            param,
            mut convergence,
            last,
        } = if lm_status.is_not_a_maximum() {
            Outcome {
                param: lm_param,
                convergence: Convergence::new(EstimationMethod::LevenbergMarquardt, lm_status, 0),
                last: None,
            }
        } else {
            // Polish with Newton on the exact Hessian (quadratic final convergence).
            let mut polished = self.run_newton(objective, &lm_param)?;
            polished.convergence.notes.insert(0, lm_note);
            polished
        };
        convergence.method = EstimationMethod::LevenbergMarquardt;
        convergence.iterations += lm_iterations;
        for (k, n) in lm_counts {
            convergence.evaluations.push((format!("lm_{k}").into(), n));
        }
        Ok(Outcome {
            param,
            convergence,
            last,
        })
    }

    fn run_quasi_newton(&self, objective: &dyn Objective, start: &[f64]) -> Result<Outcome> {
        let scale = objective.n_obs().max(1) as f64;
        let gtol = self.gradient_tolerance * scale;
        let nll = NegativeLogLikelihood::new(objective);
        let (run, method) = match self.method {
            Method::Lbfgs { memory } => (
                run_lbfgs(
                    nll,
                    start,
                    memory,
                    self.max_iterations,
                    gtol,
                    self.gradient_tolerance,
                )?,
                EstimationMethod::Lbfgs,
            ),
            _ => (
                run_bfgs(nll, start, self.max_iterations, gtol, self.gradient_tolerance)?,
                EstimationMethod::Bfgs,
            ),
        };
        let mut convergence = Convergence::new(method, run.status, run.iterations);
        convergence.evaluations = run.counts.as_list();
        Ok(Outcome {
            param: run.param,
            convergence,
            last: run.last,
        })
    }
}
