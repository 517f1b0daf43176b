//! A row group of a direct model (a formula of plain numeric columns) read by the PLAIN
//! path ([`PlainGroup`]): the response and the predictor columns decoded straight into the
//! response vector and the design, one copy per value.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use nalgebra::DMatrix;

use super::{At, RowCount, StreamModel};
use crate::error::{Result, StreamError};
use crate::partial::{Order, PartialSum};
use crate::plain::PlainGroup;
use crate::source::ParquetSource;

impl StreamModel {
    /// Whether row group `g` of `source` is read by the PLAIN path: the model is direct and
    /// its columns are required DOUBLE columns with PLAIN pages only (else the Arrow reader
    /// decodes them; the sums are the same either way).
    ///
    /// ```no_run
    /// use mle_data::FrameOptions;
    /// use mle_stream::{ParquetSource, StreamFamily, StreamModel};
    /// let src = ParquetSource::open("big.parquet").unwrap();
    /// let m = StreamModel::bind("y ~ x1 + x2", &src, StreamFamily::Binomial, FrameOptions::default()).unwrap();
    /// println!("PLAIN pages: {}", m.reads_plain_pages(&src, 0).unwrap());
    /// ```
    pub fn reads_plain_pages(&self, source: &ParquetSource, g: usize) -> Result<bool> {
        let Some(direct) = &self.direct else {
            return Ok(false);
        };
        let names: Vec<String> = std::iter::once(direct.response.clone())
            .chain(direct.columns.iter().cloned())
            .collect();
        Ok(PlainGroup::open(source, g, &names)?.is_some())
    }

    /// The partial sum of row group `g` at θ by the PLAIN path, or `None` when it does not
    /// apply (the model is not direct, or a column is not a required DOUBLE column with PLAIN
    /// pages): the same sums as the Arrow path, batch by batch. A batch with a NaN goes
    /// through the spec's frame like any other.
    pub(crate) fn plain_group_partial(
        &self,
        source: &ParquetSource,
        g: usize,
        theta: &[f64],
        order: Order,
    ) -> Result<Option<(PartialSum, RowCount)>> {
        let Some(direct) = &self.direct else {
            return Ok(None);
        };
        let names: Vec<String> = std::iter::once(direct.response.clone())
            .chain(direct.columns.iter().cloned())
            .collect();
        let Some(mut group) = PlainGroup::open(source, g, &names)? else {
            return Ok(None);
        };
        let lead = usize::from(direct.intercept);
        let p = lead + direct.columns.len();
        let mut sum = PartialSum::zero(theta.len(), order);
        let mut count = RowCount::default();
        while let Some(m) = group.next_rows() {
            let mut y = Vec::with_capacity(m);
            group.append(0, m, &mut y)?;
            let mut data = Vec::with_capacity(m * p);
            data.resize(lead * m, 1.0);
            for c in 1..names.len() {
                group.append(c, m, &mut data)?;
            }
            let (part, rows) = if has_nan(&y) || has_nan(&data) {
                let batch = columns_batch(&names, &y, &data[lead * m..], m)?;
                self.partial_at(batch, theta, order, At::Group(source, g))?
            } else {
                self.check_response(&y, None, At::Group(source, g))?;
                let x = DMatrix::from_vec(m, p, data);
                let rows = RowCount {
                    read: m as u64,
                    dropped: 0,
                };
                (self.family_partial(&x, &y, None, None, theta, order), rows)
            };
            sum.merge_in(&part)?;
            count.read += rows.read;
            count.dropped += rows.dropped;
        }
        Ok(Some((sum, count)))
    }
}

/// Whether a slice holds a NaN (a branch-free fold: the loop vectorises).
fn has_nan(v: &[f64]) -> bool {
    v.iter().fold(false, |nan, x| nan | x.is_nan())
}

/// The batch of columns `names` (the response, then the predictors stacked column-major in
/// `predictors`, `m` rows each): what the frame path reads when a batch has a missing value.
fn columns_batch(names: &[String], y: &[f64], predictors: &[f64], m: usize) -> Result<RecordBatch> {
    let fields: Vec<Field> = names
        .iter()
        .map(|n| Field::new(n, DataType::Float64, true))
        .collect();
    let mut columns: Vec<ArrayRef> = vec![Arc::new(Float64Array::from(y.to_vec()))];
    columns.extend(
        predictors
            .chunks_exact(m)
            .map(|c| Arc::new(Float64Array::from(c.to_vec())) as ArrayRef),
    );
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(|source| StreamError::Arrow {
        context: "assembling a batch with missing values".to_string(),
        source,
    })
}
