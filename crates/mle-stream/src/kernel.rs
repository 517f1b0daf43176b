//! One batch of encoded rows → its [`PartialSum`], with the family's own exact duals
//! ([`DensityKernel`] over a [`LogDensity`], as the in-memory objective uses): η = Xβ by a
//! matrix–vector product, K-dimensional duals per row, then Xᵀg and XᵀWX as matrix
//! products on the batch. Buffers are per batch; nothing is allocated per row.

use mle_core::gram::weighted_blocks;
// Rows per cache-sized chunk of the Hessian products: the in-memory objective's chunk.
use mle_core::predictor::ROW_CHUNK;
use mle_core::{DensityKernel, LogDensity};
use nalgebra::{DMatrix, DVector, DVectorView};

use crate::partial::{Order, PartialSum};

/// The encoded rows of one batch for a K-predictor model.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a, const K: usize> {
    /// One design per predictor (same rows).
    pub designs: [&'a DMatrix<f64>; K],
    /// The response.
    pub y: &'a [f64],
    /// Offsets per predictor.
    pub offsets: [Option<&'a [f64]>; K],
    /// Case weights.
    pub weights: Option<&'a [f64]>,
}

/// The partial sum of `rows` at `theta` (the coefficients of predictor k start at
/// Σ_{j<k} pⱼ).
///
/// ```
/// use mle_families::Poisson;
/// use mle_stream::{kernel::{partial_sum, Rows}, Order};
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_element(2, 1, 1.0);
/// let rows = Rows { designs: [&x], y: &[1.0, 3.0], offsets: [None], weights: None };
/// let s = partial_sum(&Poisson, &rows, &[0.0], Order::Hessian);
/// // ℓ'(0) = Σ y − n·e⁰ = 2, ℓ''(0) = −n = −2.
/// assert_eq!((s.n, s.gradient[0], s.hessian_upper[0]), (2, 2.0, -2.0));
/// ```
pub fn partial_sum<F: LogDensity<K, Obs = f64>, const K: usize>(
    family: &F,
    rows: &Rows<'_, K>,
    theta: &[f64],
    order: Order,
) -> PartialSum {
    let m = rows.y.len();
    let (widths, starts, p) = layout(rows);
    let eta = linear_predictors(rows, theta, &widths, &starts);
    let mut out = PartialSum::zero(p, order);
    let mut g: [DVector<f64>; K] =
        std::array::from_fn(|_| DVector::zeros(if order >= Order::Gradient { m } else { 0 }));
    let hm = if order >= Order::Hessian { m } else { 0 };
    let mut h: [[DVector<f64>; K]; K] = std::array::from_fn(|_| std::array::from_fn(|_| DVector::zeros(hm)));
    let (mut value, mut sum_w, mut n) = (0.0, 0.0, 0u64);
    for i in 0..m {
        let w = rows.weights.map_or(1.0, |w| w[i]);
        if w == 0.0 {
            continue;
        }
        n += 1;
        sum_w += w;
        let e: [f64; K] = std::array::from_fn(|k| eta[k][i]);
        match order {
            Order::Value => value += w * family.ln_density(&e, &rows.y[i]),
            Order::Gradient => {
                let (v, gi) = DensityKernel::value_gradient(family, &e, &rows.y[i]);
                value += w * v;
                for k in 0..K {
                    g[k][i] = w * gi[k];
                }
            }
            Order::ScoreProducts => {
                let (v, gi) = DensityKernel::value_gradient(family, &e, &rows.y[i]);
                value += w * v;
                for k in 0..K {
                    g[k][i] = w * gi[k];
                }
                for k in 0..K {
                    for l in k..K {
                        h[k][l][i] = g[k][i] * g[l][i];
                    }
                }
            }
            Order::Hessian => {
                let (v, gi, hi) = DensityKernel::value_gradient_hessian(family, &e, &rows.y[i]);
                value += w * v;
                for k in 0..K {
                    g[k][i] = w * gi[k];
                    for l in k..K {
                        h[k][l][i] = w * hi[(k, l)];
                    }
                }
            }
        }
    }
    out.n = n;
    out.sum_w = sum_w;
    out.loglik = value;
    if order >= Order::Gradient {
        for k in 0..K {
            let gk = rows.designs[k].tr_mul(&g[k]);
            out.gradient[starts[k]..starts[k] + widths[k]].copy_from_slice(gk.as_slice());
        }
    }
    if order >= Order::Hessian {
        // XₖᵀWₖₗXₗ (W the Hessian weights, or the score products sₖsₗ) on row chunks that
        // stay in cache, by the in-memory objective's blocked kernel.
        let mut full = DMatrix::zeros(p, p);
        for r0 in (0..m).step_by(ROW_CHUNK) {
            let c = ROW_CHUNK.min(m - r0);
            let weights: [[&[f64]; K]; K] =
                std::array::from_fn(|k| std::array::from_fn(|l| &h[k][l].as_slice()[r0..r0 + c]));
            full += weighted_blocks(rows.designs, starts, r0, c, weights);
        }
        out.add_hessian(&full);
    }
    out
}

/// The weighted score of every row, wᵢ∇ℓᵢ(θ) (m × p, parameters laid out as in
/// [`partial_sum`]; a row of weight 0 is zero): what per-cluster sums are built from.
///
/// ```
/// use mle_families::Poisson;
/// use mle_stream::kernel::{row_scores, Rows};
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_element(2, 1, 1.0);
/// let rows = Rows { designs: [&x], y: &[1.0, 3.0], offsets: [None], weights: None };
/// // ∂ℓᵢ/∂β at 0: yᵢ − 1.
/// assert_eq!(row_scores(&Poisson, &rows, &[0.0]).as_slice(), &[0.0, 2.0]);
/// ```
pub fn row_scores<F: LogDensity<K, Obs = f64>, const K: usize>(
    family: &F,
    rows: &Rows<'_, K>,
    theta: &[f64],
) -> DMatrix<f64> {
    let m = rows.y.len();
    let (widths, starts, p) = layout(rows);
    let eta = linear_predictors(rows, theta, &widths, &starts);
    let mut scores = DMatrix::zeros(m, p);
    for i in 0..m {
        let w = rows.weights.map_or(1.0, |w| w[i]);
        if w == 0.0 {
            continue;
        }
        let e: [f64; K] = std::array::from_fn(|k| eta[k][i]);
        let (_, gi) = DensityKernel::value_gradient(family, &e, &rows.y[i]);
        for k in 0..K {
            for j in 0..widths[k] {
                scores[(i, starts[k] + j)] = w * gi[k] * rows.designs[k][(i, j)];
            }
        }
    }
    scores
}

/// The width of each predictor's design, where its coefficients start, and their total.
fn layout<const K: usize>(rows: &Rows<'_, K>) -> ([usize; K], [usize; K], usize) {
    let widths: [usize; K] = std::array::from_fn(|k| rows.designs[k].ncols());
    let mut starts = [0usize; K];
    for k in 1..K {
        starts[k] = starts[k - 1] + widths[k - 1];
    }
    (widths, starts, starts[K - 1] + widths[K - 1])
}

/// η_k = X_kβ_k + offset_k for every predictor.
fn linear_predictors<const K: usize>(
    rows: &Rows<'_, K>,
    theta: &[f64],
    widths: &[usize; K],
    starts: &[usize; K],
) -> [DVector<f64>; K] {
    std::array::from_fn(|k| {
        let beta = DVectorView::from_slice(&theta[starts[k]..starts[k] + widths[k]], widths[k]);
        let mut e = rows.designs[k] * beta;
        if let Some(o) = rows.offsets[k] {
            e.iter_mut().zip(o).for_each(|(e, o)| *e += o);
        }
        e
    })
}
