//! Many small fits: 10,000 Gaussian data sets of n = 100, each fitted with standard errors —
//! the closed form, generic Newton on the `Gaussian` family, Newton on the same density
//! written with `log_density!` — and the Newton fits batched (`mle::optim::batch::fit_each`)
//! on 1 and 2 threads. A counting global allocator reports allocations per fit (printed
//! before the timings; counting is switched on only while it measures, so the timed runs —
//! the 2-thread batch above all — do not contend for the counter's cache line).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mle::optim::batch::fit_each;
use mle::prelude::*;

#[path = "support/data.rs"]
mod data;

type Result<T> = std::result::Result<T, MleError>;

/// The system allocator, counting allocations.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
/// True only inside [`allocations_per_fit`]: a relaxed load of a read-mostly flag costs the
/// timed runs nothing, where a `fetch_add` on one shared counter per allocation would.
static COUNTING: AtomicBool = AtomicBool::new(false);

#[inline]
fn count() {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
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

const SETS: usize = 10_000;
const N: usize = 100;

fn data_sets() -> Vec<Vec<f64>> {
    let mut g = data::SplitMix64(7);
    (0..SETS)
        .map(|_| (0..N).map(|_| 1.0 + 2.0 * g.normal()).collect())
        .collect()
}

log_density! {
    pub struct Normal;
    name: "Normal",
    params: [Parameter::identity("mu"), Parameter::log_scale("sigma")],
    |t, x: &f64| {
        let z = (t[0] - *x) * (-t[1]).exp();
        -(z * z) * 0.5 - t[1] - 0.918_938_533_204_672_8
    }
}

fn closed_form(xs: &[f64]) -> Result<f64> {
    Ok(Gaussian.fit(xs)?.std_errors().map_or(f64::NAN, |s| s[0]))
}

fn newton_family(xs: &[f64]) -> Result<f64> {
    let obj = DataObjective::new(&Gaussian, xs)?;
    let fit = FitOptions::newton().fit(&obj, &[0.0, 0.0])?;
    Ok(fit.std_errors().map_or(f64::NAN, |s| s[0]))
}

fn newton_macro(xs: &[f64]) -> Result<f64> {
    let obj = DataObjective::new(&Normal, xs)?;
    let fit = FitOptions::newton().fit(&obj, &[0.0, 0.0])?;
    Ok(fit.std_errors().map_or(f64::NAN, |s| s[0]))
}

/// Allocations per fit, averaged over the first 1,000 sets.
fn allocations_per_fit(name: &str, sets: &[Vec<f64>], f: fn(&[f64]) -> Result<f64>) {
    let m = 1000;
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    for xs in &sets[..m] {
        black_box(f(xs).unwrap());
    }
    COUNTING.store(false, Ordering::Relaxed);
    let per_fit = (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / m as f64;
    println!("allocations per fit, {name}: {per_fit:.1}");
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn small_fits(c: &mut Criterion) {
    let sets = data_sets();
    allocations_per_fit("closed form", &sets, closed_form);
    allocations_per_fit("Newton on the Gaussian family", &sets, newton_family);
    allocations_per_fit("Newton on a log_density! density", &sets, newton_macro);
    let mut g = c.benchmark_group("small_fits_10000_n100");
    g.sample_size(10);
    for (name, f) in [
        ("closed_form", closed_form as fn(&[f64]) -> Result<f64>),
        ("newton_family", newton_family),
        ("newton_log_density_macro", newton_macro),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| sets.iter().map(|xs| f(xs).unwrap()).sum::<f64>())
        });
    }
    for threads in [1, 2] {
        let pool = pool(threads);
        g.bench_function(format!("batched_newton_family_{threads}_threads"), |b| {
            b.iter(|| pool.install(|| fit_each(&sets, |xs| newton_family(xs)).succeeded()))
        });
    }
    g.finish();
}

criterion_group!(benches, small_fits);
criterion_main!(benches);
