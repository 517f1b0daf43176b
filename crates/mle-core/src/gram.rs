//! Cache-blocked cross products of row ranges of column-major matrices, through nalgebra's
//! `gemm` (the `matrixmultiply` kernel) on a strided transposed view: no copy of the design,
//! no `unsafe`. Single-threaded and deterministic: the same inputs give the same bits.
//!
//! The strided view goes to `gemm` ONLY when every dimension exceeds nalgebra's `SMALL_DIM`
//! (5), i.e. when `gemm` hands it to `matrixmultiply`: nalgebra 0.34's small-size fallback
//! (`gemv` → `axcpy`) loops over the length of the view's underlying slice, not its row
//! count, and writes out of bounds for a vector view with row stride > 1 (heap corruption
//! seen here). Smaller products take `tr_mul` on the row view instead.

use nalgebra::{DMatrix, DMatrixView, Dyn, Matrix, Storage};

/// Xᵀ over rows `r0..r0 + m` of the column-major `x` (n × p), as a p × m strided view into
/// `x`'s storage (no copy).
fn transposed_rows(x: &DMatrix<f64>, r0: usize, m: usize) -> DMatrixView<'_, f64, Dyn, Dyn> {
    let (n, p) = x.shape();
    let data = &x.as_slice()[r0.min(n * p)..];
    let len = if p == 0 || m == 0 { 0 } else { (p - 1) * n + m };
    DMatrixView::from_slice_with_strides(&data[..len], p, m, n, 1)
}

/// Adds `X[r0..r0+m, ..]ᵀ · B` to `out` (p × q), with `B` an m × q column-major matrix,
/// through the cache-blocked `matrixmultiply` kernel.
///
/// ```
/// use mle_core::gram::add_cross_product_rows;
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let b = x.rows(1, 2).clone_owned(); // rows 1..3
/// let mut out = DMatrix::zeros(2, 2);
/// add_cross_product_rows(&mut out, &x, 1, 2, &b);
/// assert_eq!(out, DMatrix::from_row_slice(2, 2, &[34.0, 42.0, 42.0, 52.0]));
/// ```
pub fn add_cross_product_rows<S: Storage<f64, Dyn, Dyn>>(
    out: &mut DMatrix<f64>,
    x: &DMatrix<f64>,
    r0: usize,
    m: usize,
    b: &Matrix<f64, Dyn, Dyn, S>,
) {
    assert_eq!(b.nrows(), m, "cross product: row counts differ");
    assert!(r0 + m <= x.nrows(), "cross product: rows out of range");
    if m == 0 || x.ncols() == 0 || b.ncols() == 0 {
        return;
    }
    if blocked(x.ncols(), b.ncols(), m) {
        out.gemm(1.0, &transposed_rows(x, r0, m), b, 1.0);
    } else {
        *out += x.rows(r0, m).tr_mul(b);
    }
}

/// Whether a (p × m)(m × q) product takes nalgebra's `matrixmultiply` path (see the module
/// documentation: the only path a strided transposed view may take).
fn blocked(p: usize, q: usize, m: usize) -> bool {
    const SMALL_DIM: usize = 5;
    p > SMALL_DIM && q > SMALL_DIM && m > SMALL_DIM
}

/// `X[r0..r0+m, ..]ᵀ · B` (p × q), as [`add_cross_product_rows`] into zeros.
///
/// ```
/// use mle_core::gram::cross_product_rows;
/// use nalgebra::{DMatrix, DVector};
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let g = DMatrix::from_column_slice(3, 1, &[1.0, 1.0, 1.0]);
/// assert_eq!(cross_product_rows(&x, 0, 3, &g).as_slice(), &[9.0, 12.0]);
/// ```
pub fn cross_product_rows(x: &DMatrix<f64>, r0: usize, m: usize, b: &DMatrix<f64>) -> DMatrix<f64> {
    let mut out = DMatrix::zeros(x.ncols(), b.ncols());
    add_cross_product_rows(&mut out, x, r0, m, b);
    out
}

/// Adds the symmetric `X[r0..r0+m, ..]ᵀ · WX` to `out` (p × p), where `wx` (m × p) is the
/// same rows of X with each row scaled by its weight. Only the upper block triangle is
/// multiplied (two column halves: ¾ of the flops of the full product for p ≥ 16), the lower
/// triangle is mirrored, so the result is exactly symmetric.
///
/// ```
/// use mle_core::gram::{add_symmetric_cross_product_rows, cross_product_rows};
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_fn(50, 20, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
/// let wx = DMatrix::from_fn(50, 20, |i, j| x[(i, j)] * (1.0 + i as f64 / 50.0));
/// let mut sym = DMatrix::zeros(20, 20);
/// add_symmetric_cross_product_rows(&mut sym, &x, 0, 50, &wx);
/// let full = cross_product_rows(&x, 0, 50, &wx);
/// assert!((sym - full).amax() < 1e-9);
/// ```
pub fn add_symmetric_cross_product_rows<S: Storage<f64, Dyn, Dyn>>(
    out: &mut DMatrix<f64>,
    x: &DMatrix<f64>,
    r0: usize,
    m: usize,
    wx: &Matrix<f64, Dyn, Dyn, S>,
) {
    let p = x.ncols();
    assert_eq!(wx.shape(), (m, p), "symmetric cross product: shapes differ");
    let (block, _) = symmetric_block_and_extra(x, r0, m, wx);
    *out += block;
}

/// `X[r0..r0+m, ..]ᵀ · [WX | G]` for `b` = [WX | G] (m × (p + e)): the symmetric p × p block
/// (upper block triangle multiplied, mirrored) and the p × e products XᵀG, from the same
/// kernel calls — the extra columns ride along with the second half of WX, so X is packed
/// once for both (a gradient Xᵀg costs no pass of its own).
fn symmetric_block_and_extra<S: Storage<f64, Dyn, Dyn>>(
    x: &DMatrix<f64>,
    r0: usize,
    m: usize,
    b: &Matrix<f64, Dyn, Dyn, S>,
) -> (DMatrix<f64>, DMatrix<f64>) {
    let p = x.ncols();
    let e = b.ncols().saturating_sub(p);
    assert_eq!(b.nrows(), m, "symmetric cross product: row counts differ");
    assert!(b.ncols() >= p, "symmetric cross product: too few columns");
    assert!(r0 + m <= x.nrows(), "symmetric cross product: rows out of range");
    if m == 0 || p == 0 {
        return (DMatrix::zeros(p, p), DMatrix::zeros(p, e));
    }
    let mut all = DMatrix::zeros(p, p + e);
    if p < 16 || !blocked(p, p, m) {
        add_cross_product_rows(&mut all, x, r0, m, b);
    } else {
        let h = p / 2;
        let xt = transposed_rows(x, r0, m);
        // [A₁ A₂]ᵀ[B₁ B₂ G]: A₁ᵀB₁ (h × h) and [A₁ A₂]ᵀ[B₂ G] (p × (p − h + e)); A₂ᵀB₁ is
        // mirrored.
        all.view_mut((0, 0), (h, h))
            .gemm(1.0, &xt.rows(0, h), &b.columns(0, h), 0.0);
        all.view_mut((0, h), (p, p + e - h))
            .gemm(1.0, &xt, &b.columns(h, p + e - h), 0.0);
        for j in 0..p {
            for i in 0..j {
                all[(j, i)] = all[(i, j)];
            }
        }
    }
    let extra = all.columns(p, e).clone_owned();
    (all.columns(0, p).clone_owned(), extra)
}

/// diag(w) X[r0..r0+m, ..] as a contiguous m × p matrix, column by column (each column of the
/// column-major `x` is a contiguous slice: the loop vectorises).
///
/// ```
/// use mle_core::gram::weighted_rows;
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let wx = weighted_rows(&x, 1, 2, &[10.0, 0.5]);
/// assert_eq!(wx, DMatrix::from_row_slice(2, 2, &[30.0, 40.0, 2.5, 3.0]));
/// ```
pub fn weighted_rows(x: &DMatrix<f64>, r0: usize, m: usize, w: &[f64]) -> DMatrix<f64> {
    weighted_rows_with(x, r0, m, w, None)
}

/// [`weighted_rows`], with `extra` (m values) appended as a last column when given.
fn weighted_rows_with(
    x: &DMatrix<f64>,
    r0: usize,
    m: usize,
    w: &[f64],
    extra: Option<&[f64]>,
) -> DMatrix<f64> {
    assert_eq!(w.len(), m, "weighted rows: one weight per row");
    let (n, p) = x.shape();
    assert!(r0 + m <= n, "weighted rows: rows out of range");
    let xs = x.as_slice();
    let e = usize::from(extra.is_some());
    let mut buf = Vec::with_capacity(m * (p + e));
    for j in 0..p {
        let col = &xs[j * n + r0..j * n + r0 + m];
        buf.extend(col.iter().zip(w).map(|(a, b)| a * b));
    }
    if let Some(g) = extra {
        assert_eq!(g.len(), m, "weighted rows: one extra value per row");
        buf.extend_from_slice(g);
    }
    DMatrix::from_vec(m, p + e, buf)
}

/// The P × P matrix of the K × K blocks X_kᵀ diag(w_kl) X_l over rows `r0..r0 + m` of K
/// designs (same rows), block (k, l) at (`starts[k]`, `starts[l]`): a K-predictor model's
/// Hessian (or information, or score-product) contribution of one row chunk. `weights[k][l]`
/// (k ≤ l; the entries below the diagonal are not read) holds one weight per row of the
/// chunk. Each block goes through the cache-blocked kernel reading X_k in place; a diagonal
/// block of one design multiplies its upper half only; the lower blocks are mirrored, so the
/// result is exactly symmetric.
///
/// ```
/// use mle_core::gram::weighted_blocks;
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 1.0, 0.0, 1.0, -1.0]);
/// let z = DMatrix::from_element(3, 1, 1.0);
/// let (w, c, v) = ([1.0, 2.0, 3.0], [0.5; 3], [4.0; 3]);
/// let h = weighted_blocks([&x, &z], [0, 2], 1, 2, [[&w[1..], &c[1..]], [&c[1..], &v[1..]]]);
/// // rows 1 and 2: XᵀWX = [[5, −3], [−3, 3]], Xᵀc = [1, −0.5], zᵀvz = 8.
/// assert_eq!(h, DMatrix::from_row_slice(3, 3, &[5.0, -3.0, 1.0, -3.0, 3.0, -0.5, 1.0, -0.5, 8.0]));
/// ```
pub fn weighted_blocks<const K: usize>(
    designs: [&DMatrix<f64>; K],
    starts: [usize; K],
    r0: usize,
    m: usize,
    weights: [[&[f64]; K]; K],
) -> DMatrix<f64> {
    weighted_blocks_inner(designs, starts, r0, m, weights, None).0
}

/// [`weighted_blocks`] and the gradient block Σ X_kᵀ g_k of the same rows (`gradients[k]`
/// one value per row), each X_kᵀ g_k computed in the same kernel call as the diagonal block
/// (k, k) (an extra column of its weighted rows): no separate pass over the chunk of X_k.
///
/// ```
/// use mle_core::gram::{weighted_blocks, weighted_blocks_and_gradient};
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_fn(300, 20, |i, j| ((i * 7 + j * 3) % 11) as f64 - 5.0);
/// let w: Vec<f64> = (0..300).map(|i| 1.0 + (i % 5) as f64).collect();
/// let g: Vec<f64> = (0..300).map(|i| (i % 3) as f64 - 1.0).collect();
/// let (h, grad) = weighted_blocks_and_gradient([&x], [0], 0, 300, [[&w]], [&g]);
/// assert_eq!(h, weighted_blocks([&x], [0], 0, 300, [[&w]]));
/// let expected = x.tr_mul(&nalgebra::DVector::from_vec(g));
/// assert!((grad - expected).amax() < 1e-9);
/// ```
pub fn weighted_blocks_and_gradient<const K: usize>(
    designs: [&DMatrix<f64>; K],
    starts: [usize; K],
    r0: usize,
    m: usize,
    weights: [[&[f64]; K]; K],
    gradients: [&[f64]; K],
) -> (DMatrix<f64>, nalgebra::DVector<f64>) {
    let (h, g) = weighted_blocks_inner(designs, starts, r0, m, weights, Some(gradients));
    (h, g.expect("gradients were given"))
}

fn weighted_blocks_inner<const K: usize>(
    designs: [&DMatrix<f64>; K],
    starts: [usize; K],
    r0: usize,
    m: usize,
    weights: [[&[f64]; K]; K],
    gradients: Option<[&[f64]; K]>,
) -> (DMatrix<f64>, Option<nalgebra::DVector<f64>>) {
    let p = starts[K - 1] + designs[K - 1].ncols();
    let mut out = DMatrix::zeros(p, p);
    let mut gradient = gradients.map(|_| nalgebra::DVector::zeros(p));
    for k in 0..K {
        let xk = designs[k];
        for l in k..K {
            let block = if std::ptr::eq(xk, designs[l]) {
                let extra = gradients.filter(|_| k == l).map(|g| g[k]);
                let scaled = weighted_rows_with(xk, r0, m, weights[k][l], extra);
                let (b, xg) = symmetric_block_and_extra(xk, r0, m, &scaled);
                if let (Some(grad), 1) = (gradient.as_mut(), xg.ncols()) {
                    grad.rows_mut(starts[k], xk.ncols()).copy_from(&xg.column(0));
                }
                b
            } else {
                let scaled = weighted_rows(designs[l], r0, m, weights[k][l]);
                cross_product_rows(xk, r0, m, &scaled)
            };
            let (sk, sl) = (starts[k], starts[l]);
            out.view_mut((sk, sl), (block.nrows(), block.ncols()))
                .copy_from(&block);
            if k != l {
                out.view_mut((sl, sk), (block.ncols(), block.nrows()))
                    .copy_from(&block.transpose());
            }
        }
    }
    (out, gradient)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path (blocked, small fallback, symmetric halves) against `tr_mul` on row views,
    /// at offsets and sizes on both sides of the `SMALL_DIM` threshold.
    #[test]
    fn matches_tr_mul_on_every_path() {
        for &(n, p, q) in &[(40, 20, 20), (40, 3, 7), (40, 8, 2), (40, 17, 17), (9, 6, 6)] {
            let x = DMatrix::from_fn(n, p, |i, j| ((i * 13 + j * 7) % 17) as f64 - 8.0);
            for &(r0, m) in &[(0, n), (3, 5), (2, n - 2), (n, 0)] {
                let b = DMatrix::from_fn(m, q, |i, j| ((i * 5 + j * 11) % 7) as f64 - 3.0);
                let reference = x.rows(r0, m).tr_mul(&b);
                assert_eq!(
                    cross_product_rows(&x, r0, m, &b),
                    reference,
                    "{n} {p} {q} {r0} {m}"
                );
                if p == q {
                    let wx = DMatrix::from_fn(m, p, |i, j| x[(r0 + i, j)] * (1.0 + i as f64));
                    let mut sym = DMatrix::zeros(p, p);
                    add_symmetric_cross_product_rows(&mut sym, &x, r0, m, &wx);
                    assert_eq!(sym, x.rows(r0, m).tr_mul(&wx), "symmetric {n} {p} {r0} {m}");
                    assert_eq!(sym, sym.transpose());
                }
            }
        }
    }

    /// The fused gradient column on the symmetric and small paths, one and two designs
    /// (integer data: every product is exact, so the comparison is exact).
    #[test]
    fn gradient_column_equals_the_separate_products() {
        for &(n, p, q) in &[(64, 20, 3), (64, 4, 17), (7, 17, 2)] {
            let x = DMatrix::from_fn(n, p, |i, j| ((i * 13 + j * 7) % 17) as f64 - 8.0);
            let z = DMatrix::from_fn(n, q, |i, j| ((i * 3 + j * 5) % 7) as f64 - 3.0);
            let w: Vec<f64> = (0..n).map(|i| (i % 4) as f64 + 1.0).collect();
            let (gx, gz): (Vec<f64>, Vec<f64>) =
                (0..n).map(|i| ((i % 5) as f64 - 2.0, (i % 3) as f64)).unzip();
            for &(r0, m) in &[(0, n), (2, n - 3)] {
                let rows = |v: &[f64]| v[r0..r0 + m].to_vec();
                let (wr, gxr, gzr) = (rows(&w), rows(&gx), rows(&gz));
                let (h, g) = weighted_blocks_and_gradient([&x], [0], r0, m, [[&wr]], [&gxr]);
                assert_eq!(h, weighted_blocks([&x], [0], r0, m, [[&wr]]));
                assert_eq!(g, x.rows(r0, m).tr_mul(&nalgebra::DVector::from_vec(gxr.clone())));
                let ws = [[&wr[..], &wr[..]], [&wr[..], &wr[..]]];
                let (h2, g2) = weighted_blocks_and_gradient([&x, &z], [0, p], r0, m, ws, [&gxr, &gzr]);
                assert_eq!(h2, weighted_blocks([&x, &z], [0, p], r0, m, ws));
                let gz_expected = z.rows(r0, m).tr_mul(&nalgebra::DVector::from_vec(gzr.clone()));
                assert_eq!(g2.rows(0, p), g.rows(0, p));
                assert_eq!(g2.rows(p, q), gz_expected.rows(0, q));
            }
        }
    }
}
