//! argmin's BFGS and L-BFGS, set up for likelihoods: More–Thuente line search, no cost
//! tolerance (it stops early on large sums), a gradient tolerance scaled by n, and the exact
//! inverse Hessian at the start as BFGS's initial matrix when it is positive definite.

use argmin::core::{Executor, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::{BFGS, LBFGS};
use mle_core::{MleError, Objective, Result};
use nalgebra::DMatrix;

use crate::adapter::{evaluation_counts, into_mle_error, termination_text, NegativeLogLikelihood};

/// What an argmin quasi-Newton run returns: the last iterate (not argmin's "best", which can
/// be stale), iterations, the termination text and evaluation counts.
#[derive(Debug, Clone)]
pub(crate) struct QuasiNewtonRun {
    pub param: Vec<f64>,
    pub iterations: u64,
    pub reason: String,
    pub evaluations: Vec<(String, u64)>,
}

fn initial_inverse_hessian(objective: &dyn Objective, start: &[f64]) -> Result<Vec<Vec<f64>>> {
    let k = start.len();
    let e = objective.evaluate(start)?;
    let info = -&e.hessian;
    let inv = info
        .clone()
        .cholesky()
        .map(|c| c.inverse())
        .filter(|m| m.iter().all(|v| v.is_finite()))
        .unwrap_or_else(|| DMatrix::identity(k, k) / e.gradient.norm().max(1.0));
    Ok((0..k).map(|r| (0..k).map(|c| inv[(r, c)]).collect()).collect())
}

pub(crate) fn run_bfgs(
    objective: &dyn Objective,
    start: &[f64],
    max_iterations: u64,
    gradient_tolerance: f64,
) -> Result<QuasiNewtonRun> {
    let inv_h = initial_inverse_hessian(objective, start)?;
    let solver = BFGS::new(MoreThuenteLineSearch::new())
        .with_tolerance_grad(gradient_tolerance)
        .and_then(|s| s.with_tolerance_cost(0.0))
        .map_err(into_mle_error)?;
    let res = Executor::new(NegativeLogLikelihood::new(objective), solver)
        .configure(|s| {
            s.param(start.to_vec())
                .inv_hessian(inv_h)
                .max_iters(max_iterations)
                .counting(false)
        })
        .run()
        .map_err(into_mle_error)?;
    finish("BFGS", res.state(), &res.problem.counts)
}

pub(crate) fn run_lbfgs(
    objective: &dyn Objective,
    start: &[f64],
    memory: usize,
    max_iterations: u64,
    gradient_tolerance: f64,
) -> Result<QuasiNewtonRun> {
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), memory)
        .with_tolerance_grad(gradient_tolerance)
        .and_then(|s| s.with_tolerance_cost(0.0))
        .map_err(into_mle_error)?;
    let res = Executor::new(NegativeLogLikelihood::new(objective), solver)
        .configure(|s| s.param(start.to_vec()).max_iters(max_iterations).counting(false))
        .run()
        .map_err(into_mle_error)?;
    finish("L-BFGS", res.state(), &res.problem.counts)
}

/// The last iterate (not argmin's "best", which can be stale), iterations, termination
/// text and evaluation counts of a finished quasi-Newton run.
fn finish<H>(
    method: &str,
    state: &argmin::core::IterState<Vec<f64>, Vec<f64>, (), H, (), f64>,
    problem_counts: &std::collections::HashMap<&'static str, u64>,
) -> Result<QuasiNewtonRun> {
    Ok(QuasiNewtonRun {
        param: state
            .get_param()
            .cloned()
            .ok_or_else(|| MleError::Optimiser(format!("{method} returned no parameter")))?,
        iterations: state.get_iter(),
        reason: termination_text(state.get_termination_reason(), state.get_max_iters()),
        evaluations: evaluation_counts(problem_counts),
    })
}
