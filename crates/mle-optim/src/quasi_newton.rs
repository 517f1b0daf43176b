//! argmin's BFGS and L-BFGS, set up for likelihoods: More–Thuente line search, no cost
//! tolerance (it stops early on large sums), a gradient tolerance scaled by n, and the exact
//! inverse Hessian at the start as BFGS's initial matrix when it is positive definite.
//!
//! Both run inside [`Judged`], an argmin [`Solver`] that delegates the iterations to argmin's
//! solver and decides the verdict itself in [`Solver::terminate`]: the n-scaled gradient test
//! (or, at a huge |ℓ|, the gradient at the round-off level of ℓ) at a point where the exact
//! ∇²ℓ is negative definite; run-off of the iterates; the iteration limit. When argmin's line
//! search fails, the last good iterate is judged the same way, and argmin's error is returned
//! (as the source of [`MleError::Argmin`]) only when that says nothing better.

use argmin::core::{Error, Executor, IterState, Problem, Solver, State, TerminationStatus, KV};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::{BFGS, LBFGS};
use mle_core::fit::{ConvergenceStatus, Criterion};
use mle_core::{Evaluation, MleError, Parameter, Result};
use nalgebra::{DMatrix, DVector};

use crate::adapter::{into_mle_error, round_off, stable_norm, EvaluationCounts, NegativeLogLikelihood};
use crate::newton::{
    ascent_at_stall, descent_direction, not_a_maximum, refine_runaway, step_below_resolution,
    termination_for, unbounded_at, Runaway,
};

/// What a quasi-Newton run returns: the last iterate (not argmin's "best", which can be
/// stale), the verdict, iterations, the exact evaluation there and the passes over the data.
#[derive(Debug, Clone)]
pub(crate) struct QuasiNewtonRun {
    pub param: Vec<f64>,
    pub status: ConvergenceStatus,
    pub iterations: u64,
    pub last: Option<Evaluation>,
    pub counts: EvaluationCounts,
}

type QnState<H> = IterState<Vec<f64>, Vec<f64>, (), H, (), f64>;

/// An argmin quasi-Newton solver with the verdict decided here.
pub(crate) struct Judged<'a, S> {
    inner: S,
    /// A handle on the adapter's cache and record: argmin's line search owns the problem
    /// while it runs and does not give it back when it fails.
    nll: NegativeLogLikelihood<'a>,
    gradient_tolerance: f64,
    per_observation: f64,
    parameters: Vec<Parameter>,
    runaway: Option<Runaway>,
    /// Set by an iteration: a run-off, or the judgement of the last good iterate after an
    /// optimiser error.
    pending: Option<ConvergenceStatus>,
    /// The exact evaluation at the current iterate, when the verdict needs it.
    exact: Option<(Vec<f64>, Evaluation)>,
    status: Option<ConvergenceStatus>,
}

impl<'a, S> Judged<'a, S> {
    fn new(inner: S, nll: NegativeLogLikelihood<'a>, gradient_tolerance: f64, per_observation: f64) -> Self {
        Judged {
            inner,
            nll,
            gradient_tolerance,
            per_observation,
            parameters: Vec::new(),
            runaway: None,
            pending: None,
            exact: None,
            status: None,
        }
    }

    /// The gradient test at θ (log-likelihood gradient g): |g| ≤ tol, or, at a huge |ℓ|,
    /// max|gᵢ|·max(|θᵢ|, 1) below the rounding error of ℓ.
    fn gradient_test(&self, theta: &[f64], value: f64, g: &DVector<f64>) -> Option<ConvergenceStatus> {
        let norm = stable_norm(g);
        if norm <= self.gradient_tolerance {
            return Some(ConvergenceStatus::GradientBelowTolerance {
                norm,
                tolerance: self.gradient_tolerance,
                per_observation: self.per_observation,
                decrement: f64::NAN,
            });
        }
        let scaled = g
            .iter()
            .zip(theta)
            .map(|(gi, t)| gi.abs() * t.abs().max(1.0))
            .fold(0.0f64, f64::max);
        let noise = round_off(value);
        (scaled <= noise).then_some(ConvergenceStatus::RelativeGradientBelowTolerance {
            scaled_gradient: scaled,
            round_off: noise,
            decrement: f64::NAN,
        })
    }

    /// Evaluates ℓ, ∇ℓ, ∇²ℓ at the current iterate when the verdict will need it: at the
    /// start (is the Newton step there already below the resolution of θ?), when the gradient
    /// test passes, and at the last iteration allowed.
    fn prepare<H>(
        &mut self,
        problem: &mut Problem<NegativeLogLikelihood<'_>>,
        state: &QnState<H>,
    ) -> std::result::Result<(), Error> {
        self.exact = None;
        let (Some(theta), Some(g_nll)) = (state.get_param(), state.get_gradient()) else {
            return Ok(());
        };
        let g = -DVector::from_column_slice(g_nll);
        let value = -state.get_cost();
        let first = state.get_iter() == 0;
        let last = state.get_iter() + 1 >= state.get_max_iters();
        if first || last || self.gradient_test(theta, value, &g).is_some() {
            let e = problem.problem("fused", |p| Ok(p.fused(theta)?))?;
            self.exact = Some((theta.clone(), e));
        }
        Ok(())
    }

    /// What to say when argmin's solver fails at `theta` (the last good iterate): the
    /// likelihood ran off to +∞ or far out, it is not a maximum there, or the line search
    /// failed at round-off level; `None` when none of these holds.
    fn judge_failure(&self, theta: &[f64]) -> Option<(ConvergenceStatus, Evaluation)> {
        let nll = &self.nll;
        let e = nll.fused(theta).ok()?;
        if let Some((best, at)) = nll.best()
            && let Some(s) = unbounded_at(&at, best, e.value, theta, &self.parameters)
        {
            return Some((s, e));
        }
        if let Some(s) = ascent_at_stall(&e, &self.parameters).or_else(|| not_a_maximum(&e, &self.parameters))
        {
            return Some((s, e));
        }
        let (half, step) = exact_step(&e, theta);
        if let Some(relative_step) = step {
            return Some((
                ConvergenceStatus::StepBelowResolution {
                    relative_step,
                    decrement: half,
                },
                e,
            ));
        }
        let noise = round_off(e.value);
        (half <= noise.max(1e-10)).then_some((
            ConvergenceStatus::RoundOffLimited {
                decrement: half,
                round_off: noise,
            },
            e,
        ))
    }

    /// After argmin's solver failed (an error, or L-BFGS's own stop on a line-search
    /// failure): the judgement of the last good iterate, kept for `terminate`, and that
    /// iterate's state; `None` when there is nothing better to say than argmin's error.
    fn recover<H: Clone>(&mut self, backup: &QnState<H>) -> Option<QnState<H>> {
        let theta = backup.get_param()?.clone();
        let (status, eval) = self.judge_failure(&theta)?;
        self.pending = Some(status);
        self.exact = Some((theta, eval));
        Some(backup.clone())
    }
}

/// ½ gᵀ(−∇²ℓ)⁻¹g with the curvature made positive definite, and the relative size of that
/// Newton step when it is below the resolution of θ.
fn exact_step(e: &Evaluation, theta: &[f64]) -> (f64, Option<f64>) {
    let (d, _) = descent_direction(&-&e.hessian, &-&e.gradient);
    let half = e.gradient.dot(&d) * 0.5;
    let half = if half.is_nan() {
        f64::INFINITY
    } else {
        half.max(0.0)
    };
    (half, step_below_resolution(&d, theta))
}

fn exact_decrement(e: &Evaluation) -> f64 {
    exact_step(e, &[]).0
}

impl<'a, S, H> Solver<NegativeLogLikelihood<'a>, QnState<H>> for Judged<'a, S>
where
    S: Solver<NegativeLogLikelihood<'a>, QnState<H>>,
    H: Clone,
{
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn init(
        &mut self,
        problem: &mut Problem<NegativeLogLikelihood<'a>>,
        state: QnState<H>,
    ) -> std::result::Result<(QnState<H>, Option<KV>), Error> {
        let start = state
            .get_param()
            .cloned()
            .ok_or_else(|| Error::from(MleError::NoStartingValues))?;
        // The start is checked here, so that an infinite or NaN ℓ, or NaN derivatives, are
        // named as such (the adapter's cache makes argmin's own evaluations free).
        let (value, g) = problem.problem("gradient", |p| {
            let (v, g) = p.value_gradient(&start)?;
            p.check_derivatives(&start, v, &g, None, "the starting values")?;
            Ok((v, g))
        })?;
        self.parameters = problem.problem("parameters", |p| Ok(p.parameters().to_vec()))?;
        self.runaway = Some(Runaway::new(&start, value, stable_norm(&g), 25));
        self.pending = None;
        self.status = None;
        let (state, kv) = self.inner.init(problem, state)?;
        self.prepare(problem, &state)?;
        Ok((state, kv))
    }

    fn next_iter(
        &mut self,
        problem: &mut Problem<NegativeLogLikelihood<'a>>,
        state: QnState<H>,
    ) -> std::result::Result<(QnState<H>, Option<KV>), Error> {
        let backup = state.clone();
        self.nll.take_error();
        match self.inner.next_iter(problem, state) {
            Ok((state, _)) if state.terminated() => {
                // L-BFGS stops itself (without its parameter) when the line search fails,
                // with the error as a message: the engine's own errors are taken back typed.
                let why = state.get_termination_reason().map(|r| r.to_string());
                if let Some(e) = self.nll.take_error()
                    && !matches!(e, MleError::NonFiniteIterate { .. })
                {
                    return Err(e.into());
                }
                match self.recover(&backup) {
                    Some(b) => Ok((b, None)),
                    None => Err(Error::msg(why.unwrap_or_else(|| "line search failed".into()))),
                }
            }
            Ok((state, kv)) => {
                if let (Some(theta), Some(g), Some(r)) =
                    (state.get_param(), state.get_gradient(), self.runaway.as_mut())
                {
                    let gnorm = stable_norm(&DVector::from_column_slice(g));
                    self.pending = r.observe(
                        theta,
                        -state.get_cost(),
                        gnorm,
                        state.get_iter() + 1,
                        &self.parameters,
                    );
                    if let Some(s) = self.pending.take() {
                        let e = self.nll.fused(theta)?;
                        self.pending = refine_runaway(&s, &e, &self.parameters);
                    }
                }
                self.prepare(problem, &state)?;
                Ok((state, kv))
            }
            // The engine's own errors (a NaN derivative at a trial point, …) name their cause
            // and stand; argmin's errors and overflows inside its arithmetic are judged.
            Err(e)
                if e.downcast_ref::<MleError>()
                    .is_some_and(|m| !matches!(m, MleError::NonFiniteIterate { .. })) =>
            {
                Err(e)
            }
            Err(e) => match self.recover(&backup) {
                Some(b) => Ok((b, None)),
                None => Err(e),
            },
        }
    }

    fn terminate(&mut self, state: &QnState<H>) -> TerminationStatus {
        let exact = self
            .exact
            .as_ref()
            .filter(|(t, _)| state.get_param() == Some(t))
            .map(|(_, e)| e);
        let status = if let Some(s) = &self.pending {
            s.clone()
        } else {
            let (Some(theta), Some(g_nll)) = (state.get_param(), state.get_gradient()) else {
                return TerminationStatus::NotTerminated;
            };
            let g = -DVector::from_column_slice(g_nll);
            let candidate = self.gradient_test(theta, -state.get_cost(), &g).or_else(|| {
                let (decrement, step) = exact_step(exact?, theta);
                step.map(|relative_step| ConvergenceStatus::StepBelowResolution {
                    relative_step,
                    decrement,
                })
            });
            match (candidate, exact) {
                (Some(c), Some(e)) => {
                    let decrement = exact_decrement(e);
                    not_a_maximum(e, &self.parameters).unwrap_or(match c {
                        ConvergenceStatus::GradientBelowTolerance {
                            norm,
                            tolerance,
                            per_observation,
                            ..
                        } => ConvergenceStatus::GradientBelowTolerance {
                            norm,
                            tolerance,
                            per_observation,
                            decrement,
                        },
                        ConvergenceStatus::RelativeGradientBelowTolerance {
                            scaled_gradient,
                            round_off,
                            ..
                        } => ConvergenceStatus::RelativeGradientBelowTolerance {
                            scaled_gradient,
                            round_off,
                            decrement,
                        },
                        other => other,
                    })
                }
                _ if state.get_iter() >= state.get_max_iters() => ConvergenceStatus::MaxIterations {
                    iterations: state.get_iter(),
                    criterion: Criterion::Gradient {
                        norm: stable_norm(&g),
                        tolerance: self.gradient_tolerance,
                        per_observation: self.per_observation,
                        decrement: exact.map_or(f64::NAN, exact_decrement),
                    },
                },
                _ => return TerminationStatus::NotTerminated,
            }
        };
        let t = termination_for(&status);
        self.status = Some(status);
        t
    }
}

fn initial_inverse_hessian(e: &Evaluation) -> Vec<Vec<f64>> {
    let k = e.gradient.len();
    let info = -&e.hessian;
    let inv = info
        .clone()
        .cholesky()
        .map(|c| c.inverse())
        .filter(|m| m.iter().all(|v| v.is_finite()))
        .unwrap_or_else(|| DMatrix::identity(k, k) / e.gradient.norm().max(1.0));
    (0..k).map(|r| (0..k).map(|c| inv[(r, c)]).collect()).collect()
}

/// BFGS from `start`; `gradient_tolerance` is the n-scaled one, `per_observation` its
/// per-observation value (for the report).
pub(crate) fn run_bfgs(
    nll: NegativeLogLikelihood<'_>,
    start: &[f64],
    max_iterations: u64,
    gradient_tolerance: f64,
    per_observation: f64,
) -> Result<QuasiNewtonRun> {
    let handle = nll.handle();
    // One fused pass at the start: the initial inverse Hessian, and argmin's first cost and
    // gradient come from the cache. A non-finite ℓ or derivative there is named by `Judged`.
    let e = nll.fused(start)?;
    let inv_h = if e.value.is_finite() && e.gradient.iter().all(|v| v.is_finite()) {
        initial_inverse_hessian(&e)
    } else {
        let k = start.len();
        (0..k)
            .map(|r| (0..k).map(|c| f64::from(u8::from(r == c))).collect())
            .collect()
    };
    let solver = BFGS::new(MoreThuenteLineSearch::new())
        .with_tolerance_grad(0.0)
        .and_then(|s| s.with_tolerance_cost(0.0))
        .map_err(into_mle_error)?;
    let res = Executor::new(
        nll,
        Judged::new(solver, handle.handle(), gradient_tolerance, per_observation),
    )
    .configure(|s| {
        s.param(start.to_vec())
            .inv_hessian(inv_h)
            .max_iters(max_iterations)
            .counting(false)
    })
    .run()
    .map_err(into_mle_error)?;
    let judged = res.solver();
    finish("BFGS", res.state(), judged, &handle)
}

pub(crate) fn run_lbfgs(
    nll: NegativeLogLikelihood<'_>,
    start: &[f64],
    memory: usize,
    max_iterations: u64,
    gradient_tolerance: f64,
    per_observation: f64,
) -> Result<QuasiNewtonRun> {
    let handle = nll.handle();
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), memory)
        .with_tolerance_grad(0.0)
        .and_then(|s| s.with_tolerance_cost(0.0))
        .map_err(into_mle_error)?;
    let res = Executor::new(
        nll,
        Judged::new(solver, handle.handle(), gradient_tolerance, per_observation),
    )
    .configure(|s| s.param(start.to_vec()).max_iters(max_iterations).counting(false))
    .run()
    .map_err(into_mle_error)?;
    let judged = res.solver();
    finish("L-BFGS", res.state(), judged, &handle)
}

/// The last iterate (not argmin's "best", which can be stale), the verdict, iterations, the
/// exact evaluation there and the passes over the data.
fn finish<S, H>(
    method: &str,
    state: &QnState<H>,
    judged: &Judged<'_, S>,
    nll: &NegativeLogLikelihood<'_>,
) -> Result<QuasiNewtonRun> {
    let param = state
        .get_param()
        .cloned()
        .ok_or_else(|| MleError::Optimiser(format!("{method} returned no parameter")))?;
    let status = judged
        .status
        .clone()
        .ok_or_else(|| MleError::Optimiser(format!("{method} stopped without a verdict")))?;
    let last = judged
        .exact
        .as_ref()
        .filter(|(t, _)| *t == param)
        .map(|(_, e)| e.clone());
    Ok(QuasiNewtonRun {
        param,
        status,
        iterations: state.get_iter(),
        last,
        counts: nll.counts(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mle_core::{ClosureDensity, DataObjective};
    use num_dual::{Dual2SVec64, DualNum};

    fn bfgs(obj: &dyn mle_core::Objective, start: &[f64], max_iterations: u64) -> QuasiNewtonRun {
        let n = obj.n_obs() as f64;
        run_bfgs(
            NegativeLogLikelihood::new(obj),
            start,
            max_iterations,
            1e-9 * n,
            1e-9,
        )
        .unwrap()
    }

    #[test]
    fn status_values() {
        let data = [1.0, 2.0, 6.0];
        let d = ClosureDensity::new(
            vec![Parameter::identity("mu")],
            |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5,
        );
        let obj = DataObjective::new(&d, &data).unwrap();
        let run = bfgs(&obj, &[0.0], 100);
        match run.status {
            ConvergenceStatus::GradientBelowTolerance {
                norm,
                tolerance,
                decrement,
                ..
            } => {
                assert!(norm <= tolerance && (tolerance - 3e-9).abs() < 1e-20);
                assert!(decrement <= 1e-18, "exact decrement reported: {decrement}");
            }
            other => panic!("{other}"),
        }
        assert!(run.last.is_some(), "the exact evaluation at the end is handed on");
        // A minimum (ℓ = +a²/2 at a = 0) is not a converged maximum.
        let convex = ClosureDensity::new(vec![Parameter::identity("a")], |t: &[Dual2SVec64<1>], x: &f64| {
            t[0] * t[0] * 0.5 + *x * 0.0
        });
        let obj = DataObjective::new(&convex, &data).unwrap();
        let run = bfgs(&obj, &[0.0], 100);
        assert!(
            matches!(run.status, ConvergenceStatus::StationaryNotMaximum { .. }),
            "{}",
            run.status
        );
        // From a = 1 it runs off; the run stops without reaching the limit.
        let run = bfgs(&obj, &[1.0], u64::MAX);
        assert!(run.status.is_unbounded(), "{}", run.status);
        // The iteration limit.
        let w = ClosureDensity::new(
            vec![Parameter::log_scale("rate")],
            |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x,
        );
        let obj = DataObjective::new(&w, &data).unwrap();
        let run = bfgs(&obj, &[3.0], 1);
        assert!(
            matches!(run.status, ConvergenceStatus::MaxIterations { iterations: 1, .. }),
            "{}",
            run.status
        );
    }
}
