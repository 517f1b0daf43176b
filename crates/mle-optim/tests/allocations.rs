//! Newton allocates per fit, never per iteration: two fits of the same data that take
//! different numbers of iterations make the same number of allocations (counted by a
//! per-thread counting allocator; this file holds the only test of its binary). Both runs
//! stay where −∇²ℓ is positive definite and take full steps: the modified-Newton fallback
//! for an indefinite ∇²ℓ (an eigen-decomposition) and the line search's value passes do
//! allocate.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use mle_core::{log_density, DataObjective};
use mle_optim::FitOptions;

/// The system allocator, counting this thread's allocations.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    ALLOCATIONS.with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards every call unchanged to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

log_density! {
    struct Normal;
    params: [Parameter::identity("mu"), Parameter::log_scale("sigma")],
    |t, x: &f64| {
        let z = (t[0] - *x) * (-t[1]).exp();
        -(z * z) * 0.5 - t[1]
    }
}

#[test]
fn newton_iterations_allocate_nothing() {
    // 100 deterministic, irregular observations: mean ≈ 1, spread ≈ 2.
    let data: Vec<f64> = (0..100)
        .map(|i| 1.0 + 2.0 * ((i as f64 * 0.7).sin() + 0.5 * (i as f64 * 1.9).cos()))
        .collect();
    let objective = DataObjective::new(&Normal, &data).unwrap();
    let fit = |start: [f64; 2]| {
        let before = ALLOCATIONS.with(Cell::get);
        let fit = FitOptions::newton().fit(&objective, &start).unwrap();
        (ALLOCATIONS.with(Cell::get) - before, fit)
    };
    fit([1.0, 0.4]); // warm-up (lazily initialised statics)
                     // From σ far below σ̂ (log σ̂ ≈ 0.46) Newton climbs in steps of at most ½ in log σ.
    let (near, fit_near) = fit([1.0, 0.45]);
    let (far, fit_far) = fit([1.0, -1.5]);
    let (c_near, c_far) = (fit_near.convergence(), fit_far.convergence());
    assert!(c_near.converged() && c_far.converged());
    // Meaningful only when the iteration counts differ and the same kinds of passes ran
    // (the fit lists each kind of pass it made).
    assert!(
        c_far.iterations >= c_near.iterations + 3,
        "{} vs {} iterations",
        c_far.iterations,
        c_near.iterations
    );
    let kinds = |c: &mle_core::Convergence| c.evaluations.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(kinds(c_near), kinds(c_far));
    assert_eq!(
        near, far,
        "allocations: {near} in {} iterations, {far} in {}",
        c_near.iterations, c_far.iterations
    );
}
