//! [`PartialSum`]: the sums of one pass over some rows at a given θ — n, Σw, ℓ, ∇ℓ and the
//! packed upper triangle of ∇²ℓ — merged associatively, carried as an Arrow struct.

use std::sync::Arc;

use arrow_array::builder::{FixedSizeListBuilder, Float64Builder};
use arrow_array::{Array, ArrayRef, FixedSizeListArray, Float64Array, StructArray, UInt64Array};
use arrow_schema::{DataType, Field, Fields};
use nalgebra::{DMatrix, DVector};

use crate::error::{Result, StreamError};

/// How much of the derivatives a pass computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Order {
    /// ℓ only (line searches).
    Value,
    /// ℓ and ∇ℓ.
    Gradient,
    /// ℓ, ∇ℓ and ∇²ℓ (a Newton step).
    Hessian,
    /// ℓ, ∇ℓ and, in the packed matrix slot instead of ∇²ℓ, Σᵢ sᵢsᵢᵀ of the per-row scores
    /// sᵢ = wᵢ∇ℓᵢ: the meat of a sandwich covariance (one pass at θ̂).
    ScoreProducts,
}

/// Sums over rows of one pass at a fixed θ: mergeable in any grouping (`merge` is
/// associative; merged in a fixed order the result is bitwise reproducible).
///
/// ```
/// use mle_stream::PartialSum;
/// let mut a = PartialSum::zero(2, mle_stream::Order::Hessian);
/// a.n = 1;
/// a.gradient = vec![1.0, 2.0];
/// a.hessian_upper = vec![-1.0, 0.5, -2.0];
/// let b = a.clone();
/// let m = a.merge(&b).unwrap();
/// assert_eq!((m.n, m.gradient[1], m.hessian()[(1, 0)]), (2, 4.0, 1.0));
/// let back = PartialSum::from_struct_array(&PartialSum::to_struct_array(&[m.clone()]).unwrap()).unwrap();
/// assert_eq!(back, vec![m]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PartialSum {
    /// Rows with a positive weight.
    pub n: u64,
    /// Σ wᵢ.
    pub sum_w: f64,
    /// Σ wᵢ log p(yᵢ | θ).
    pub loglik: f64,
    /// ∇ℓ (empty for [`Order::Value`]).
    pub gradient: Vec<f64>,
    /// The upper triangle of ∇²ℓ packed row by row: (0,0), (0,1), …, (0,p−1), (1,1), …
    /// (empty below [`Order::Hessian`]).
    pub hessian_upper: Vec<f64>,
}

/// Length of the packed upper triangle of a p × p matrix.
pub fn packed_len(p: usize) -> usize {
    p * (p + 1) / 2
}

impl PartialSum {
    /// The empty sum for `p` parameters at `order`.
    pub fn zero(p: usize, order: Order) -> PartialSum {
        PartialSum {
            n: 0,
            sum_w: 0.0,
            loglik: 0.0,
            gradient: if order >= Order::Gradient {
                vec![0.0; p]
            } else {
                Vec::new()
            },
            hessian_upper: if order >= Order::Hessian {
                vec![0.0; packed_len(p)]
            } else {
                Vec::new()
            },
        }
    }

    /// The sum of both (same shape).
    pub fn merge(mut self, other: &PartialSum) -> Result<PartialSum> {
        self.merge_in(other)?;
        Ok(self)
    }

    /// Adds `other` into `self` (same shape).
    pub fn merge_in(&mut self, other: &PartialSum) -> Result<()> {
        if self.gradient.len() != other.gradient.len()
            || self.hessian_upper.len() != other.hessian_upper.len()
        {
            return Err(StreamError::Mismatch {
                what: format!(
                    "gradient lengths {} and {}, packed Hessian lengths {} and {}",
                    self.gradient.len(),
                    other.gradient.len(),
                    self.hessian_upper.len(),
                    other.hessian_upper.len()
                ),
            });
        }
        self.n += other.n;
        self.sum_w += other.sum_w;
        self.loglik += other.loglik;
        self.gradient
            .iter_mut()
            .zip(&other.gradient)
            .for_each(|(a, b)| *a += b);
        self.hessian_upper
            .iter_mut()
            .zip(&other.hessian_upper)
            .for_each(|(a, b)| *a += b);
        Ok(())
    }

    /// Adds the upper triangle of the symmetric `h` (p × p) into the packed Hessian.
    pub fn add_hessian(&mut self, h: &DMatrix<f64>) {
        let p = h.nrows();
        let mut at = 0;
        for r in 0..p {
            for c in r..p {
                self.hessian_upper[at] += h[(r, c)];
                at += 1;
            }
        }
    }

    /// The number of parameters (from the gradient, or the packed Hessian).
    pub fn dimension(&self) -> usize {
        self.gradient.len()
    }

    /// ∇ℓ as a vector.
    pub fn gradient_vector(&self) -> DVector<f64> {
        DVector::from_column_slice(&self.gradient)
    }

    /// ∇²ℓ unpacked (symmetric).
    pub fn hessian(&self) -> DMatrix<f64> {
        let p = self.dimension();
        let mut h = DMatrix::zeros(p, p);
        let mut at = 0;
        for r in 0..p {
            for c in r..p {
                h[(r, c)] = self.hessian_upper[at];
                h[(c, r)] = self.hessian_upper[at];
                at += 1;
            }
        }
        h
    }

    /// The Arrow type of [`PartialSum::to_struct_array`] for `p` parameters at `order`: a
    /// struct of `n: UInt64`, `sum_w`, `loglik: Float64`, `gradient: FixedSizeList<Float64>`
    /// (p) and `hessian_upper: FixedSizeList<Float64>` (p(p+1)/2) — an aggregate state an
    /// engine can carry.
    pub fn fields(p: usize, order: Order) -> Fields {
        let g = if order >= Order::Gradient { p } else { 0 };
        let h = if order >= Order::Hessian { packed_len(p) } else { 0 };
        let item = Arc::new(Field::new("item", DataType::Float64, false));
        Fields::from(vec![
            Field::new("n", DataType::UInt64, false),
            Field::new("sum_w", DataType::Float64, false),
            Field::new("loglik", DataType::Float64, false),
            Field::new("gradient", DataType::FixedSizeList(item.clone(), g as i32), false),
            Field::new("hessian_upper", DataType::FixedSizeList(item, h as i32), false),
        ])
    }

    /// Partial sums of one shape as an Arrow struct array, one row each.
    pub fn to_struct_array(parts: &[PartialSum]) -> Result<StructArray> {
        let (g, h) = parts
            .first()
            .map_or((0, 0), |s| (s.gradient.len(), s.hessian_upper.len()));
        if let Some(bad) = parts
            .iter()
            .find(|s| s.gradient.len() != g || s.hessian_upper.len() != h)
        {
            return Err(StreamError::Mismatch {
                what: format!(
                    "a partial with {} gradient entries among ones with {g}",
                    bad.gradient.len()
                ),
            });
        }
        let list = |len: usize, values: &mut dyn FnMut(&PartialSum) -> &[f64]| -> Result<ArrayRef> {
            let item = Field::new("item", DataType::Float64, false);
            let mut b = FixedSizeListBuilder::with_capacity(Float64Builder::new(), len as i32, parts.len())
                .with_field(item);
            for s in parts {
                b.values().append_slice(values(s));
                b.append(true);
            }
            Ok(Arc::new(b.finish()))
        };
        let n: ArrayRef = Arc::new(UInt64Array::from_iter_values(parts.iter().map(|s| s.n)));
        let sum_w: ArrayRef = Arc::new(Float64Array::from_iter_values(parts.iter().map(|s| s.sum_w)));
        let loglik: ArrayRef = Arc::new(Float64Array::from_iter_values(parts.iter().map(|s| s.loglik)));
        let gradient = list(g, &mut |s| &s.gradient)?;
        let hessian = list(h, &mut |s| &s.hessian_upper)?;
        let order = match (g, h) {
            (0, 0) => Order::Value,
            (_, 0) => Order::Gradient,
            _ => Order::Hessian,
        };
        StructArray::try_new(
            Self::fields(g, order),
            vec![n, sum_w, loglik, gradient, hessian],
            None,
        )
        .map_err(|source| StreamError::Arrow {
            context: "building the partial-sum struct".into(),
            source,
        })
    }

    /// Reads back what [`PartialSum::to_struct_array`] wrote.
    pub fn from_struct_array(array: &StructArray) -> Result<Vec<PartialSum>> {
        let bad = |what: &str| StreamError::Mismatch {
            what: format!("partial-sum struct: {what}"),
        };
        let column = |name: &str| {
            array
                .column_by_name(name)
                .ok_or_else(|| bad(&format!("no field `{name}`")))
        };
        let n = column("n")?
            .as_any()
            .downcast_ref::<UInt64Array>()
            .ok_or_else(|| bad("`n` is not UInt64"))?;
        let float = |name: &str| -> Result<&Float64Array> {
            column(name)?
                .as_any()
                .downcast_ref::<Float64Array>()
                .ok_or_else(|| bad(&format!("`{name}` is not Float64")))
        };
        let list = |name: &str| -> Result<(&FixedSizeListArray, &Float64Array)> {
            let l = column(name)?
                .as_any()
                .downcast_ref::<FixedSizeListArray>()
                .ok_or_else(|| bad(&format!("`{name}` is not a fixed-size list")))?;
            let v = l
                .values()
                .as_any()
                .downcast_ref::<Float64Array>()
                .ok_or_else(|| bad(&format!("`{name}` does not hold Float64")))?;
            Ok((l, v))
        };
        let (sum_w, loglik) = (float("sum_w")?, float("loglik")?);
        let (gl, gv) = list("gradient")?;
        let (hl, hv) = list("hessian_upper")?;
        if array.null_count() > 0 || n.null_count() + sum_w.null_count() + loglik.null_count() > 0 {
            return Err(bad("null entries"));
        }
        let (g, h) = (gl.value_length() as usize, hl.value_length() as usize);
        Ok((0..array.len())
            .map(|i| PartialSum {
                n: n.value(i),
                sum_w: sum_w.value(i),
                loglik: loglik.value(i),
                gradient: gv.values()[gl.value_offset(i) as usize..][..g].to_vec(),
                hessian_upper: hv.values()[hl.value_offset(i) as usize..][..h].to_vec(),
            })
            .collect())
    }
}
