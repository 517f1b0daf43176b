//! [`ClusterScores`]: the per-cluster score sums S_g = Σ_{i∈g} wᵢ∇ℓᵢ(θ̂) of a streamed fit,
//! mergeable across batches and row groups (clusters may span both), for the cluster-robust
//! sandwich H⁻¹(Σ_g S_g S_gᵀ)H⁻¹ — as `mle_core::covariance` forms it in memory from the
//! score matrix, with clusters labelled by the column's values as text.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::builder::{FixedSizeListBuilder, Float64Builder, StringBuilder};
use arrow_array::{Array, ArrayRef, FixedSizeListArray, Float64Array, StringArray, StructArray};
use arrow_schema::{DataType, Field, Fields};
use nalgebra::DMatrix;

use crate::error::{Result, StreamError};

/// Score sums by cluster label (a `BTreeMap`: merged and read in label order, so the result
/// does not depend on the order of the parts).
///
/// ```
/// use mle_stream::ClusterScores;
/// let mut a = ClusterScores::new(2);
/// a.add("x", &[1.0, 2.0]);
/// let mut b = ClusterScores::new(2);
/// b.add("x", &[1.0, 0.0]);
/// b.add("y", &[0.0, 1.0]);
/// a.merge_in(&b).unwrap();
/// assert_eq!(a.clusters(), 2);
/// // Σ_g S_g S_gᵀ with S_x = (2, 2), S_y = (0, 1).
/// assert_eq!(a.meat().as_slice(), &[4.0, 4.0, 4.0, 5.0]);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterScores {
    p: usize,
    sums: BTreeMap<String, Vec<f64>>,
}

impl ClusterScores {
    /// No clusters yet, for p parameters.
    pub fn new(p: usize) -> ClusterScores {
        ClusterScores {
            p,
            sums: BTreeMap::new(),
        }
    }

    /// Adds one row's score to its cluster.
    pub fn add(&mut self, label: &str, score: &[f64]) {
        let p = self.p;
        let sum = match self.sums.get_mut(label) {
            Some(s) => s,
            None => self.sums.entry(label.to_string()).or_insert_with(|| vec![0.0; p]),
        };
        for (s, v) in sum.iter_mut().zip(score) {
            *s += v;
        }
    }

    /// Adds another part's sums (clusters met in both are added).
    pub fn merge_in(&mut self, other: &ClusterScores) -> Result<()> {
        if other.p != self.p && !other.sums.is_empty() {
            return Err(StreamError::Mismatch {
                what: format!("cluster score sums of {} and {} parameters", self.p, other.p),
            });
        }
        for (label, score) in &other.sums {
            self.add(label, score);
        }
        Ok(())
    }

    /// The number of clusters G.
    pub fn clusters(&self) -> usize {
        self.sums.len()
    }

    /// Σ_g S_g S_gᵀ (p × p), summed in label order.
    pub fn meat(&self) -> DMatrix<f64> {
        let mut m = DMatrix::zeros(self.p, self.p);
        for s in self.sums.values() {
            for c in 0..self.p {
                for r in 0..self.p {
                    m[(r, c)] += s[r] * s[c];
                }
            }
        }
        m
    }

    /// As an Arrow struct {label: Utf8, score: FixedSizeList<Float64, p>}, one row per
    /// cluster, for an engine to carry.
    ///
    /// ```
    /// use mle_stream::ClusterScores;
    /// let mut a = ClusterScores::new(1);
    /// a.add("g1", &[0.5]);
    /// let back = ClusterScores::from_arrow(&a.to_arrow(), 1).unwrap();
    /// assert_eq!(back, a);
    /// ```
    pub fn to_arrow(&self) -> StructArray {
        let mut labels = StringBuilder::new();
        let mut scores = FixedSizeListBuilder::new(Float64Builder::new(), self.p as i32);
        for (label, s) in &self.sums {
            labels.append_value(label);
            scores.values().append_slice(s);
            scores.append(true);
        }
        let scores = scores.finish();
        let fields = Fields::from(vec![
            Field::new("label", DataType::Utf8, false),
            Field::new("score", scores.data_type().clone(), false),
        ]);
        StructArray::new(
            fields,
            vec![
                Arc::new(labels.finish()) as ArrayRef,
                Arc::new(scores) as ArrayRef,
            ],
            None,
        )
    }

    /// Reads what [`ClusterScores::to_arrow`] wrote.
    pub fn from_arrow(array: &StructArray, p: usize) -> Result<ClusterScores> {
        let bad = |what: &str| StreamError::Mismatch {
            what: format!("cluster score state: {what}"),
        };
        let labels = array
            .column_by_name("label")
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .ok_or_else(|| bad("no Utf8 `label`"))?;
        let scores = array
            .column_by_name("score")
            .and_then(|c| c.as_any().downcast_ref::<FixedSizeListArray>())
            .ok_or_else(|| bad("no fixed-size list `score`"))?;
        if scores.value_length() as usize != p {
            return Err(bad("score width differs from the parameter count"));
        }
        let mut out = ClusterScores::new(p);
        for i in 0..array.len() {
            let v = scores.value(i);
            let v = v
                .as_any()
                .downcast_ref::<Float64Array>()
                .ok_or_else(|| bad("scores are not Float64"))?;
            out.add(labels.value(i), v.values());
        }
        Ok(out)
    }
}
