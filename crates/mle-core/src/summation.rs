//! Deterministic, compensated summation over observations.
//!
//! Observations are cut into fixed chunks ([`CHUNK`]) whatever the thread count; inside a
//! chunk, terms are added plainly in blocks of [`BLOCK`] and each block total is added to a
//! Neumaier-compensated accumulator; chunk totals are combined in chunk order, again
//! compensated. The result therefore does not depend on the number of threads, and the error
//! is about `BLOCK·ε` relative to Σ|term| instead of `n·ε` for a plain loop.

use rayon::prelude::*;

/// Observations per parallel chunk (fixed: results do not depend on the thread count).
pub const CHUNK: usize = 8192;
/// Terms added plainly before they are folded into the compensated total.
pub const BLOCK: usize = 256;

/// Neumaier-compensated running totals of `width` components.
///
/// ```
/// use mle_core::summation::CompensatedSum;
/// let mut s = CompensatedSum::new(1);
/// s.add(&[1e16]);
/// s.add(&[1.0]);
/// s.add(&[-1e16]);
/// assert_eq!(s.total(), vec![1.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CompensatedSum {
    sum: Vec<f64>,
    compensation: Vec<f64>,
}

impl CompensatedSum {
    /// An empty sum of `width` components.
    ///
    /// ```
    /// assert_eq!(mle_core::summation::CompensatedSum::new(2).total(), vec![0.0, 0.0]);
    /// ```
    pub fn new(width: usize) -> Self {
        CompensatedSum {
            sum: vec![0.0; width],
            compensation: vec![0.0; width],
        }
    }

    /// Adds `terms` component-wise (`terms.len()` must equal the width).
    ///
    /// ```
    /// let mut s = mle_core::summation::CompensatedSum::new(2);
    /// s.add(&[1.0, 2.0]);
    /// assert_eq!(s.total(), vec![1.0, 2.0]);
    /// ```
    #[inline]
    pub fn add(&mut self, terms: &[f64]) {
        add_compensated(&mut self.sum, &mut self.compensation, terms);
    }

    /// Adds another compensated sum (its total and its compensation).
    ///
    /// ```
    /// use mle_core::summation::CompensatedSum;
    /// let mut a = CompensatedSum::new(1);
    /// a.add(&[2.0]);
    /// let mut b = CompensatedSum::new(1);
    /// b.add(&[3.0]);
    /// a.merge(&b);
    /// assert_eq!(a.total(), vec![5.0]);
    /// ```
    pub fn merge(&mut self, other: &Self) {
        self.add(&other.sum);
        self.add(&other.compensation);
    }

    /// The compensated totals.
    ///
    /// ```
    /// assert_eq!(mle_core::summation::CompensatedSum::new(1).total(), vec![0.0]);
    /// ```
    pub fn total(&self) -> Vec<f64> {
        self.sum
            .iter()
            .zip(&self.compensation)
            .map(|(s, c)| s + c)
            .collect()
    }
}

/// Sums over observations `0..n` with fixed chunks, blocks and compensation.
///
/// `block_sum(range, out)` must add the plain total of the observations in `range` (at most
/// [`BLOCK`] of them) into `out` (length `width`, zeroed by the caller); it holds its own
/// accumulators for the block, so the per-observation loop inside it can be fully static and
/// allocation-free. Runs in parallel with rayon when there is more than one chunk; the result
/// is the same whatever the thread count.
///
/// ```
/// use mle_core::summation::sum_blocks;
/// let xs = vec![0.1; 100_000];
/// let s = sum_blocks(xs.len(), 1, |r, out| out[0] += xs[r].iter().sum::<f64>());
/// assert!((s[0] - 10_000.0).abs() < 1e-9);
/// ```
pub fn sum_blocks(
    n: usize,
    width: usize,
    block_sum: impl Fn(std::ops::Range<usize>, &mut [f64]) + Sync,
) -> Vec<f64> {
    sum_blocks_with(n, width, block_sum, <[f64]>::to_vec)
}

/// Widths summed on the stack when the observations fit in one chunk.
const STACK_WIDTH: usize = 32;

/// [`sum_blocks`], handing the totals to `finish` as a slice instead of returning a `Vec`:
/// with at most [`CHUNK`] observations and `width` ≤ 32 (ℓ, ∇ℓ and ∇²ℓ of up to 5
/// parameters) nothing is allocated. The totals are the same, bit for bit, as
/// [`sum_blocks`]'s.
///
/// ```
/// use mle_core::summation::{sum_blocks, sum_blocks_with};
/// let xs = vec![0.1; 1000];
/// let f = |r: std::ops::Range<usize>, out: &mut [f64]| out[0] += xs[r].iter().sum::<f64>();
/// let total = sum_blocks_with(xs.len(), 1, f, |s| s[0]);
/// assert_eq!(total, sum_blocks(xs.len(), 1, f)[0]);
/// ```
pub fn sum_blocks_with<R>(
    n: usize,
    width: usize,
    block_sum: impl Fn(std::ops::Range<usize>, &mut [f64]) + Sync,
    finish: impl FnOnce(&[f64]) -> R,
) -> R {
    if n <= CHUNK && width <= SMALL_WIDTH {
        // ℓ, ∇ℓ and ∇²ℓ of up to 2 parameters: smaller arrays to clear on every call.
        return sum_one_chunk::<SMALL_WIDTH, R>(n, width, block_sum, finish);
    }
    if n <= CHUNK && width <= STACK_WIDTH {
        return sum_one_chunk::<STACK_WIDTH, R>(n, width, block_sum, finish);
    }
    let chunk_sum = |chunk: usize| -> CompensatedSum {
        let start = chunk * CHUNK;
        let end = (start + CHUNK).min(n);
        let mut total = CompensatedSum::new(width);
        let mut block = vec![0.0; width];
        let mut block_start = start;
        while block_start < end {
            let block_end = (block_start + BLOCK).min(end);
            block.iter_mut().for_each(|b| *b = 0.0);
            block_sum(block_start..block_end, &mut block);
            total.add(&block);
            block_start = block_end;
        }
        total
    };
    let n_chunks = n.div_ceil(CHUNK);
    let mut total = CompensatedSum::new(width);
    if n_chunks <= 1 {
        total.merge(&chunk_sum(0));
    } else {
        let chunks: Vec<CompensatedSum> = (0..n_chunks).into_par_iter().map(chunk_sum).collect();
        for c in &chunks {
            total.merge(c);
        }
    }
    finish(&total.total())
}

/// Widths up to which [`sum_one_chunk`] works on arrays of 8.
const SMALL_WIDTH: usize = 8;

/// One chunk (`n` ≤ [`CHUNK`]), summed on the stack in arrays of `W` ≥ `width` exactly as
/// `chunk_sum` in [`sum_blocks_with`] does on the heap, then merged into a zero total.
#[inline]
fn sum_one_chunk<const W: usize, R>(
    n: usize,
    width: usize,
    block_sum: impl Fn(std::ops::Range<usize>, &mut [f64]),
    finish: impl FnOnce(&[f64]) -> R,
) -> R {
    let (mut sum, mut compensation, mut block) = ([0.0; W], [0.0; W], [0.0; W]);
    let (sum, compensation, block) = (&mut sum[..width], &mut compensation[..width], &mut block[..width]);
    let mut block_start = 0;
    while block_start < n {
        let block_end = (block_start + BLOCK).min(n);
        block.iter_mut().for_each(|b| *b = 0.0);
        block_sum(block_start..block_end, block);
        add_compensated(sum, compensation, block);
        block_start = block_end;
    }
    let (mut total, mut total_compensation) = ([0.0; W], [0.0; W]);
    let (total, total_compensation) = (&mut total[..width], &mut total_compensation[..width]);
    add_compensated(total, total_compensation, sum);
    add_compensated(total, total_compensation, compensation);
    for (t, c) in total.iter_mut().zip(total_compensation.iter()) {
        *t += c;
    }
    finish(total)
}

/// Neumaier's step: adds `terms` into the running `sum`, keeping the lost low-order parts
/// in `compensation`.
#[inline]
fn add_compensated(sum: &mut [f64], compensation: &mut [f64], terms: &[f64]) {
    for ((s, c), &x) in sum.iter_mut().zip(compensation.iter_mut()).zip(terms) {
        let t = *s + x;
        if s.abs() >= x.abs() {
            *c += (*s - t) + x;
        } else {
            *c += (x - t) + *s;
        }
        *s = t;
    }
}
