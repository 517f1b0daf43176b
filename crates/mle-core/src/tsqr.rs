//! Tall-skinny QR (TSQR): the R factor of a tall n × p matrix from row blocks factored in
//! parallel, their R factors stacked (in block order, so the result is deterministic) and
//! factored once more. Householder QR throughout: the accuracy of a QR of the whole matrix
//! (R is unique up to the signs of its rows), at a fraction of the cost — each block fits in
//! cache and both cores work.

use nalgebra::DMatrix;
use rayon::prelude::*;

/// Rows per block.
const BLOCK: usize = 4096;

/// The p × p upper-triangular R of X (rows `0..n`) after `prepare` has scaled each block's
/// columns in place (`prepare(j, column)`, e.g. to unit norm); rows of R below the rank of a
/// short matrix are zero.
///
/// ```
/// use mle_core::tsqr::tall_skinny_r;
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_fn(10_000, 3, |i, j| ((i * (j + 2)) % 7) as f64 + (j == 0) as u8 as f64);
/// let r = tall_skinny_r(&x, |_, _| {});
/// let whole = x.clone().qr().r();
/// for j in 0..3 {
///     assert!((r[(j, j)].abs() - whole[(j, j)].abs()).abs() < 1e-9 * whole[(j, j)].abs());
/// }
/// // RᵀR = XᵀX.
/// assert!((r.tr_mul(&r) - x.tr_mul(&x)).amax() < 1e-8 * x.tr_mul(&x).amax());
/// ```
pub fn tall_skinny_r(x: &DMatrix<f64>, prepare: impl Fn(usize, &mut [f64]) + Sync) -> DMatrix<f64> {
    let (n, p) = x.shape();
    let factor = |r0: usize, m: usize| {
        let mut block = x.rows(r0, m).clone_owned();
        for (j, mut c) in block.column_iter_mut().enumerate() {
            prepare(j, c.as_mut_slice());
        }
        block.qr().r()
    };
    if n <= 2 * BLOCK {
        return padded(factor(0, n), p);
    }
    let parts: Vec<DMatrix<f64>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| factor(b * BLOCK, BLOCK.min(n - b * BLOCK)))
        .collect();
    let rows: usize = parts.iter().map(|r| r.nrows()).sum();
    let mut stacked = DMatrix::zeros(rows, p);
    let mut at = 0;
    for r in &parts {
        stacked.view_mut((at, 0), r.shape()).copy_from(r);
        at += r.nrows();
    }
    padded(stacked.qr().r(), p)
}

/// R (min(m, p) × p) as p × p, zero rows below.
fn padded(r: DMatrix<f64>, p: usize) -> DMatrix<f64> {
    if r.nrows() == p {
        return r;
    }
    let mut out = DMatrix::zeros(p, p);
    out.view_mut((0, 0), r.shape()).copy_from(&r);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_give_the_r_of_the_whole_matrix() {
        // Several blocks with a short last block, against one Householder QR.
        let (n, p) = (3 * BLOCK + 17, 6);
        let x = DMatrix::from_fn(n, p, |i, j| {
            (((i * 31 + j * 17) % 101) as f64 - 50.0) / (j + 1) as f64
        });
        let r = tall_skinny_r(&x, |_, _| {});
        let whole = x.clone().qr().r();
        for i in 0..p {
            let sign = (r[(i, i)] * whole[(i, i)]).signum();
            for j in i..p {
                let scale = whole[(i, i)].abs();
                assert!(
                    (sign * r[(i, j)] - whole[(i, j)]).abs() < 1e-11 * scale,
                    "{i} {j}"
                );
            }
        }
        // Columns prepared per block: the same as preparing the whole matrix.
        let scaled = tall_skinny_r(&x, |j, c| c.iter_mut().for_each(|v| *v *= 0.5 * (j + 1) as f64));
        for i in 0..p {
            let want = 0.5 * (i + 1) as f64 * whole[(i, i)].abs();
            assert!((scaled[(i, i)].abs() - want).abs() < 1e-11 * want);
        }
    }
}
