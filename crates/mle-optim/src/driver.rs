//! [`drive`]: argmin's iteration loop for a solver run without observers, checkpoints, a
//! timer, Ctrl-C handling or argmin's own evaluation counting — what [`argmin::core::Executor`]
//! does per iteration with those off, without its per-run `Arc` and the moves of the state
//! through its optional stages (a measurable share of a small fit: 10,000 two-parameter Newton
//! fits, `benches/small_fits.rs`).

use argmin::core::{Error, Problem, Solver, State, TerminationStatus};

/// Runs `solver` on `problem` from `state` as `Executor::run` does: `init`, then while the
/// solver's and the state's stopping rules (`Solver::terminate_internal`: the solver's own
/// test, the iteration limit, the target cost) do not fire, `next_iter`, `update`,
/// `increment_iter`. Returns the solver and the final state.
///
/// ```
/// use argmin::core::{Problem, State};
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::adapter::NegativeLogLikelihood;
/// use mle_optim::newton::{NewtonState, SafeguardedNewton, Theta};
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 2.0, 6.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let state = NewtonState::new().param(Theta::from_slice(&[0.0])).max_iters(50);
/// let (solver, state) =
///     mle_optim::driver::drive(SafeguardedNewton::new(), Problem::new(NegativeLogLikelihood::new(&obj)), state).unwrap();
/// assert!((state.get_param().unwrap()[0] - 3.0).abs() < 1e-12); // the mean
/// assert!(solver.status().unwrap().is_converged());
/// ```
pub fn drive<O, S, I>(mut solver: S, mut problem: Problem<O>, state: I) -> Result<(S, I), Error>
where
    S: Solver<O, I>,
    I: State,
{
    let (mut state, _) = solver.init(&mut problem, state)?;
    state.update();
    loop {
        if !state.terminated()
            && let TerminationStatus::Terminated(reason) = solver.terminate_internal(&state)
        {
            state = state.terminate_with(reason);
        }
        if state.terminated() {
            return Ok((solver, state));
        }
        let (next, _) = solver.next_iter(&mut problem, state)?;
        state = next;
        state.update();
        state.increment_iter();
    }
}
