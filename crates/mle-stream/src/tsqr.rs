//! [`RFactor`]: a mergeable least-squares summary (TSQR). The R factor of the augmented
//! matrix √w·[X | y − offset]: its leading p × p block is the R of X, its last column holds
//! Qᵀy over the first p entries and ±√RSS at the corner (so ‖last column‖² = yᵀWy). Two
//! factors merge by stacking them and re-factoring with Householder QR — the normal
//! equations XᵀX are never formed, so the streamed fit keeps QR's accuracy.

use std::sync::Arc;

use arrow_array::builder::{FixedSizeListBuilder, Float64Builder};
use arrow_array::{Array, ArrayRef, FixedSizeListArray, Float64Array, StructArray, UInt64Array};
use arrow_schema::{DataType, Field, Fields};
use nalgebra::{DMatrix, DVector};

use crate::error::{Result, StreamError};
use crate::partial::packed_len;

/// The upper-triangular factor of √w·[X | y] over some rows, with their count.
///
/// ```
/// use mle_stream::RFactor;
/// use nalgebra::DMatrix;
/// // y = 1 + 2x exactly on three rows, split in two parts.
/// let x = DMatrix::from_row_slice(3, 2, &[1.0, 0.0, 1.0, 1.0, 1.0, 2.0]);
/// let y = [1.0, 3.0, 5.0];
/// let a = RFactor::from_rows(&x.rows(0, 2).into_owned(), &y[..2], None, None);
/// let b = RFactor::from_rows(&x.rows(2, 1).into_owned(), &y[2..], None, None);
/// let (beta, rss) = a.merge(&b).unwrap().solve().unwrap();
/// assert!((beta[0] - 1.0).abs() < 1e-14 && (beta[1] - 2.0).abs() < 1e-14 && rss < 1e-25);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RFactor {
    /// Rows with a positive weight.
    pub n: u64,
    /// The (p+1) × (p+1) upper-triangular factor.
    pub r: DMatrix<f64>,
}

impl RFactor {
    /// The empty factor for p coefficients.
    pub fn zero(p: usize) -> RFactor {
        RFactor {
            n: 0,
            r: DMatrix::zeros(p + 1, p + 1),
        }
    }

    /// The factor of one batch of rows (rows with zero weight are left out).
    pub fn from_rows(
        x: &DMatrix<f64>,
        y: &[f64],
        offset: Option<&[f64]>,
        weights: Option<&[f64]>,
    ) -> RFactor {
        let p = x.ncols();
        let used: Vec<usize> = (0..y.len())
            .filter(|&i| weights.is_none_or(|w| w[i] > 0.0))
            .collect();
        let mut a = DMatrix::zeros(used.len() + p + 1, p + 1);
        for (r, &i) in used.iter().enumerate() {
            let s = weights.map_or(1.0, |w| w[i].sqrt());
            for c in 0..p {
                a[(p + 1 + r, c)] = s * x[(i, c)];
            }
            a[(p + 1 + r, p)] = s * (y[i] - offset.map_or(0.0, |o| o[i]));
        }
        RFactor {
            n: used.len() as u64,
            r: upper(a),
        }
    }

    /// The factor of both parts' rows: QR of the two factors stacked.
    pub fn merge(&self, other: &RFactor) -> Result<RFactor> {
        let q = self.r.nrows();
        if other.r.nrows() != q {
            return Err(StreamError::Mismatch {
                what: format!("R factors of {} and {} columns", q, other.r.nrows()),
            });
        }
        let mut a = DMatrix::zeros(2 * q, q);
        a.view_mut((0, 0), (q, q)).copy_from(&self.r);
        a.view_mut((q, 0), (q, q)).copy_from(&other.r);
        Ok(RFactor {
            n: self.n + other.n,
            r: upper(a),
        })
    }

    /// Number of coefficients p.
    pub fn dimension(&self) -> usize {
        self.r.nrows() - 1
    }

    /// β̂ = R⁻¹Qᵀy and the residual sum of squares (the squared corner).
    pub fn solve(&self) -> Result<(DVector<f64>, f64)> {
        let p = self.dimension();
        let r = self.r.view((0, 0), (p, p)).into_owned();
        let qty = self.r.view((0, p), (p, 1)).into_owned();
        let beta = r.solve_upper_triangular(&qty).ok_or_else(|| {
            StreamError::from(mle_core::MleError::SingularInformation {
                detail: "the streamed R factor is singular (a column depends on the others)".into(),
            })
        })?;
        if beta.iter().any(|b| !b.is_finite()) {
            return Err(StreamError::from(mle_core::MleError::SingularInformation {
                detail: "the streamed R factor is singular (a column depends on the others)".into(),
            }));
        }
        Ok((beta.column(0).into_owned(), self.r[(p, p)].powi(2)))
    }

    /// The Arrow type of [`RFactor::to_struct_array`]: `n: UInt64` and the packed upper
    /// triangle `r_upper: FixedSizeList<Float64>` ((p+1)(p+2)/2 entries, row by row).
    pub fn fields(p: usize) -> Fields {
        let item = Arc::new(Field::new("item", DataType::Float64, false));
        Fields::from(vec![
            Field::new("n", DataType::UInt64, false),
            Field::new(
                "r_upper",
                DataType::FixedSizeList(item, packed_len(p + 1) as i32),
                false,
            ),
        ])
    }

    /// Factors of one size as an Arrow struct array, one row each.
    pub fn to_struct_array(parts: &[RFactor]) -> Result<StructArray> {
        let q = parts.first().map_or(1, |f| f.r.nrows());
        let item = Field::new("item", DataType::Float64, false);
        let mut b =
            FixedSizeListBuilder::with_capacity(Float64Builder::new(), packed_len(q) as i32, parts.len())
                .with_field(item);
        for f in parts {
            if f.r.nrows() != q {
                return Err(StreamError::Mismatch {
                    what: format!("R factors of {} and {} columns", q, f.r.nrows()),
                });
            }
            for r in 0..q {
                for c in r..q {
                    b.values().append_value(f.r[(r, c)]);
                }
            }
            b.append(true);
        }
        let n: ArrayRef = Arc::new(UInt64Array::from_iter_values(parts.iter().map(|f| f.n)));
        let list: ArrayRef = Arc::new(b.finish());
        StructArray::try_new(Self::fields(q - 1), vec![n, list], None).map_err(|source| StreamError::Arrow {
            context: "building the R-factor struct".into(),
            source,
        })
    }

    /// Reads back what [`RFactor::to_struct_array`] wrote.
    pub fn from_struct_array(array: &StructArray) -> Result<Vec<RFactor>> {
        let bad = |what: &str| StreamError::Mismatch {
            what: format!("R-factor struct: {what}"),
        };
        let n = array
            .column_by_name("n")
            .and_then(|c| c.as_any().downcast_ref::<UInt64Array>())
            .ok_or_else(|| bad("no UInt64 field `n`"))?;
        let list = array
            .column_by_name("r_upper")
            .and_then(|c| c.as_any().downcast_ref::<FixedSizeListArray>())
            .ok_or_else(|| bad("no fixed-size list `r_upper`"))?;
        let values = list
            .values()
            .as_any()
            .downcast_ref::<Float64Array>()
            .ok_or_else(|| bad("`r_upper` does not hold Float64"))?;
        let len = list.value_length() as usize;
        let q = (1..=len)
            .find(|&q| packed_len(q) == len)
            .ok_or_else(|| bad("not a packed triangle"))?;
        if array.null_count() + n.null_count() > 0 {
            return Err(bad("null entries"));
        }
        Ok((0..array.len())
            .map(|i| {
                let v = &values.values()[list.value_offset(i) as usize..][..len];
                let mut r = DMatrix::zeros(q, q);
                let mut at = 0;
                for a in 0..q {
                    for c in a..q {
                        r[(a, c)] = v[at];
                        at += 1;
                    }
                }
                RFactor { n: n.value(i), r }
            })
            .collect())
    }
}

/// The square upper-triangular R of `a` (at least as many rows as columns).
fn upper(a: DMatrix<f64>) -> DMatrix<f64> {
    let q = a.ncols();
    let r = a.qr().r();
    let mut out = DMatrix::zeros(q, q);
    out.view_mut((0, 0), (r.nrows().min(q), q))
        .copy_from(&r.rows(0, r.nrows().min(q)));
    out
}

/// Error-free sum: s + e = a + b exactly.
#[inline]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// Xᵀ W (y − offset − Xβ) in double-double over some rows: the right-hand side of one step
/// of iterative refinement (Björck's corrected semi-normal equations, RᵀR δ = Xᵀr), merged
/// exactly enough that the refined β̂ reaches the accuracy of a QR refined in memory.
///
/// ```
/// use mle_stream::{RFactor, Residuals};
/// use nalgebra::DMatrix;
/// let x = DMatrix::from_row_slice(3, 1, &[1.0, 1.0, 1.0]);
/// let g = Residuals::from_rows(&x, &[1.0, 2.0, 4.0], None, None, &[2.0]);
/// assert_eq!(g.value(), vec![1.0]); // Σ (y − 2)
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Residuals {
    hi: Vec<f64>,
    lo: Vec<f64>,
    rss_hi: f64,
    rss_lo: f64,
}

impl Residuals {
    /// Xᵀ W r over one batch at β, each residual and product error-free.
    pub fn from_rows(
        x: &DMatrix<f64>,
        y: &[f64],
        offset: Option<&[f64]>,
        weights: Option<&[f64]>,
        beta: &[f64],
    ) -> Residuals {
        let p = x.ncols();
        let mut out = Residuals::zero(p);
        for i in 0..y.len() {
            let w = weights.map_or(1.0, |w| w[i]);
            if w == 0.0 {
                continue;
            }
            // r = y − offset − Σ xⱼβⱼ in double-double.
            let (mut s, mut c) = two_sum(y[i], -offset.map_or(0.0, |o| o[i]));
            for j in 0..p {
                let prod = -x[(i, j)] * beta[j];
                let err = (-x[(i, j)]).mul_add(beta[j], -prod);
                let (t, e) = two_sum(s, prod);
                s = t;
                c += e + err;
            }
            let (rh, rl) = two_sum(s, c);
            let (rw, rwe) = (w * rh, w.mul_add(rh, -(w * rh)) + w * rl);
            for j in 0..p {
                let v = x[(i, j)] * rw;
                let ve = x[(i, j)].mul_add(rw, -v) + x[(i, j)] * rwe;
                let (t, e) = two_sum(out.hi[j], v);
                out.hi[j] = t;
                out.lo[j] += e + ve;
            }
            let sq = rw * rh;
            let sqe = rw.mul_add(rh, -sq) + 2.0 * rw * rl;
            let (t, e) = two_sum(out.rss_hi, sq);
            out.rss_hi = t;
            out.rss_lo += e + sqe;
        }
        out
    }

    /// The empty sum for p coefficients.
    pub fn zero(p: usize) -> Residuals {
        Residuals {
            hi: vec![0.0; p],
            lo: vec![0.0; p],
            rss_hi: 0.0,
            rss_lo: 0.0,
        }
    }

    /// Both parts' sums.
    pub fn merge(mut self, other: &Residuals) -> Result<Residuals> {
        if self.hi.len() != other.hi.len() {
            return Err(StreamError::Mismatch {
                what: format!(
                    "residual sums of {} and {} coefficients",
                    self.hi.len(),
                    other.hi.len()
                ),
            });
        }
        for j in 0..self.hi.len() {
            let (t, e) = two_sum(self.hi[j], other.hi[j]);
            self.hi[j] = t;
            self.lo[j] += e + other.lo[j];
        }
        let (t, e) = two_sum(self.rss_hi, other.rss_hi);
        self.rss_hi = t;
        self.rss_lo += e + other.rss_lo;
        Ok(self)
    }

    /// Σ w r² at the β of the pass, rounded.
    pub fn rss(&self) -> f64 {
        self.rss_hi + self.rss_lo
    }

    /// Xᵀ W r, rounded.
    pub fn value(&self) -> Vec<f64> {
        self.hi.iter().zip(&self.lo).map(|(h, l)| h + l).collect()
    }
}

impl RFactor {
    /// One refinement step: β + δ with RᵀR δ = Xᵀ W r (r at β, from [`Residuals`]).
    pub fn refine(&self, beta: &DVector<f64>, residuals: &Residuals) -> Result<DVector<f64>> {
        let p = self.dimension();
        let r = self.r.view((0, 0), (p, p)).into_owned();
        let g = DVector::from_vec(residuals.value());
        let singular = || {
            StreamError::from(mle_core::MleError::SingularInformation {
                detail: "the streamed R factor is singular (a column depends on the others)".into(),
            })
        };
        let z = r.tr_solve_upper_triangular(&g).ok_or_else(singular)?;
        let delta = r.solve_upper_triangular(&z).ok_or_else(singular)?;
        Ok(beta + delta)
    }

    /// (RᵀR)⁻¹ = (XᵀWX)⁻¹ from the factor alone (scale by σ̂² for the covariance of β̂).
    pub fn unscaled_covariance(&self) -> Result<DMatrix<f64>> {
        let p = self.dimension();
        let r = self.r.view((0, 0), (p, p)).into_owned();
        let r_inv = r
            .solve_upper_triangular(&DMatrix::identity(p, p))
            .ok_or_else(|| {
                StreamError::from(mle_core::MleError::SingularInformation {
                    detail: "the streamed R factor is singular".into(),
                })
            })?;
        Ok(&r_inv * r_inv.transpose())
    }

    /// One refinement step of C ≈ (XᵀWX)⁻¹: C + (RᵀR)⁻¹(I − G) with G = XᵀWX·C summed
    /// exactly over the data (column k of G is the [`Residuals`] of y = 0 at β = −C[:, k]).
    pub fn refine_inverse(&self, c: &DMatrix<f64>, g: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        let p = self.dimension();
        let defect = DMatrix::identity(p, p) - g;
        Ok(c + self.unscaled_covariance()? * defect)
    }
}
