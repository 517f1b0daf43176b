//! [`StreamModel`]: a formula bound on the whole data set (levels from a scan of every row
//! group) and a family; encodes one Arrow batch at a time into its [`PartialSum`] or
//! [`RFactor`].

use std::fmt;
use std::str::FromStr;

use arrow_array::{Array, RecordBatch};
use mle_core::{LogDensity, Parameter};
use mle_data::{DataError, Formula, FrameOptions, ModelFrame, ModelSpec, Response, Table, VariableKind};
use mle_families::{Bernoulli, Gaussian, NegativeBinomial, Poisson};
use mle_models::negative_binomial::overdispersion;
use mle_models::RegressionFamily;
use nalgebra::DMatrix;

use crate::cluster::ClusterScores;
use crate::error::{Result, StreamError};
use crate::kernel::{partial_sum, row_scores, Rows};
use crate::partial::{Order, PartialSum};
use crate::source::ParquetSource;
use crate::tsqr::RFactor;

mod binding;
mod plain_group;
/// The families a streaming fit handles, each with its canonical link as the in-memory
/// formula fit uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFamily {
    /// Logistic regression (Bernoulli, logit link); a 0/1 or two-level factor response.
    Binomial,
    /// Poisson regression (log link).
    Poisson,
    /// Gaussian: least squares by a streamed R factor (TSQR), with log σ.
    Gaussian,
    /// Negative binomial NB2 (log link), θ estimated jointly on the log scale, as
    /// `MASS::glm.nb` and the in-memory `Regression::negative_binomial`.
    NegativeBinomial,
}

impl FromStr for StreamFamily {
    type Err = StreamError;

    /// ```
    /// use mle_stream::StreamFamily;
    /// assert_eq!("binomial".parse::<StreamFamily>().unwrap(), StreamFamily::Binomial);
    /// assert!("gamma".parse::<StreamFamily>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "binomial" | "logistic" => Ok(StreamFamily::Binomial),
            "poisson" => Ok(StreamFamily::Poisson),
            "gaussian" => Ok(StreamFamily::Gaussian),
            "negative-binomial" | "negbin" => Ok(StreamFamily::NegativeBinomial),
            _ => Err(StreamError::NotSupported {
                what: format!(
                    "the family `{s}` (streaming fits: binomial, poisson, gaussian, negative-binomial)"
                ),
            }),
        }
    }
}

impl fmt::Display for StreamFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StreamFamily::Binomial => "binomial",
            StreamFamily::Poisson => "poisson",
            StreamFamily::Gaussian => "gaussian",
            StreamFamily::NegativeBinomial => "negative-binomial",
        })
    }
}

/// A formula bound to the data's full level set, with its family: the per-batch encoder
/// of a streaming fit.
#[derive(Debug, Clone)]
pub struct StreamModel {
    spec: ModelSpec,
    family: StreamFamily,
    columns: Vec<String>,
    scan_rows: Option<(u64, u64)>,
    direct: Option<Direct>,
}

/// A formula of plain numeric columns (`y ~ x1 + x2`, no factor, transform, weight or
/// offset): batches without a null or NaN go straight from the Arrow arrays into the
/// design, columns in the spec's order — the design `spec.apply` builds, without its
/// per-variable copies.
#[derive(Debug, Clone)]
struct Direct {
    response: String,
    intercept: bool,
    columns: Vec<String>,
}

impl Direct {
    fn of(spec: &ModelSpec) -> Option<Direct> {
        let plain = |e: &mle_data::Variable| {
            let names = e.expr.names();
            (names.len() == 1 && names[0] == e.label && e.kind == VariableKind::Numeric)
                .then(|| names[0].clone())
        };
        let response = match spec.response()? {
            mle_data::ResponseSpec::Numeric { expr } => {
                let names = expr.names();
                (names.len() == 1 && names[0] == expr.label()).then(|| names[0].clone())?
            }
            _ => return None,
        };
        let o = spec.options();
        if o.weights.is_some() || o.offset.is_some() {
            return None;
        }
        let part = spec.main();
        let mut columns = Vec::new();
        for t in &part.terms {
            if t.variables.len() != 1 || t.columns.len() != 1 {
                return None;
            }
            let v = &spec.variables()[t.variables[0].0];
            columns.push(plain(v)?);
        }
        // Offsets in the formula, or columns not one per term: not direct.
        let p = usize::from(part.intercept) + columns.len();
        let names_match = part
            .column_names
            .iter()
            .skip(usize::from(part.intercept))
            .eq(columns.iter());
        (p == part.column_names.len() && names_match && spec.variables().len() == columns.len()).then_some(
            Direct {
                response,
                intercept: part.intercept,
                columns,
            },
        )
    }

    /// The design and response of a batch, or `None` when a column has a null or a NaN
    /// (or is not Float64): those batches take the spec's path. Each column is tested for
    /// NaN a cache-sized chunk at a time just before the chunk is copied, so the Arrow
    /// buffers are read from memory once.
    fn read(&self, batch: &RecordBatch) -> Option<(DMatrix<f64>, Vec<f64>)> {
        let col = |name: &str| -> Option<&[f64]> {
            let a = batch.column_by_name(name)?;
            let f = a.as_any().downcast_ref::<arrow_array::Float64Array>()?;
            (f.null_count() == 0).then(|| &f.values()[..])
        };
        let copy = |into: &mut Vec<f64>, from: &[f64]| -> Option<()> {
            for chunk in from.chunks(COPY_CHUNK) {
                if chunk.iter().fold(false, |nan, v| nan | v.is_nan()) {
                    return None;
                }
                into.extend_from_slice(chunk);
            }
            Some(())
        };
        let m = batch.num_rows();
        let mut y = Vec::with_capacity(m);
        copy(&mut y, col(&self.response)?)?;
        let p = usize::from(self.intercept) + self.columns.len();
        let mut data = Vec::with_capacity(m * p);
        if self.intercept {
            data.resize(m, 1.0);
        }
        for c in &self.columns {
            copy(&mut data, col(c)?)?;
        }
        Some((DMatrix::from_vec(m, p, data), y))
    }
}

/// Values per NaN test and copy of the direct path (fits in L1 with its destination).
const COPY_CHUNK: usize = 1024;

/// Rows read and dropped (missing values) in a pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCount {
    /// Rows read.
    pub read: u64,
    /// Rows dropped for a missing value.
    pub dropped: u64,
}

impl StreamModel {
    /// The bound spec (column names, levels).
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// The family.
    pub fn family(&self) -> StreamFamily {
        self.family
    }

    /// The columns read from the files.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Rows scanned and dropped by the level scan, if there was one.
    pub fn scanned_rows(&self) -> Option<(u64, u64)> {
        self.scan_rows
    }

    /// The model's parameters, named as the in-memory fit names them.
    pub fn parameters(&self) -> Vec<Parameter> {
        let mut ps: Vec<Parameter> = self.spec.column_names().iter().map(Parameter::identity).collect();
        match self.family {
            StreamFamily::Gaussian => ps.push(Gaussian.parameters()[1].clone()),
            StreamFamily::NegativeBinomial => {
                // Named as the in-memory formula fit (and R's glm.nb) names it.
                let mut log_theta = NegativeBinomial.parameters()[1].clone();
                log_theta.name = "log(theta)".into();
                ps.push(log_theta);
            }
            StreamFamily::Binomial | StreamFamily::Poisson => {}
        }
        ps
    }

    /// The model's name in summaries (as the in-memory regression's).
    pub fn model_name(&self) -> String {
        match self.family {
            StreamFamily::Binomial => Bernoulli.regression_name(),
            StreamFamily::Poisson => Poisson.regression_name(),
            StreamFamily::Gaussian => RegressionFamily::<2>::regression_name(&Gaussian),
            StreamFamily::NegativeBinomial => NegativeBinomial.regression_name(),
        }
    }

    /// The same bound formula with another family (a negative binomial fit starts from the
    /// Poisson fit on the same spec).
    pub fn with_family(&self, family: StreamFamily) -> StreamModel {
        StreamModel {
            family,
            ..self.clone()
        }
    }

    /// Encodes one batch through the spec (`None` when every row has a missing value).
    pub fn frame(&self, batch: RecordBatch) -> std::result::Result<Option<ModelFrame>, DataError> {
        match self.spec.apply(&Table::from_batch(batch)) {
            Ok(f) => Ok(Some(f)),
            Err(DataError::NoRows { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The response of a frame as the family's numbers, each checked.
    pub fn response(&self, frame: &ModelFrame, source: &ParquetSource, g: usize) -> Result<Vec<f64>> {
        self.response_at(frame, At::Group(source, g))
    }

    fn response_at(&self, frame: &ModelFrame, at: At<'_>) -> Result<Vec<f64>> {
        let y: Vec<f64> = match (&frame.response, self.family) {
            (Some(Response::Numeric(v)), _) => v.clone(),
            (Some(Response::Factor { levels, codes }), StreamFamily::Binomial) if levels.len() == 2 => {
                codes.iter().map(|&c| c as f64).collect()
            }
            _ => {
                return Err(StreamError::NotSupported {
                    what: format!(
                        "this response for the {} family (a numeric response is needed)",
                        self.family
                    ),
                })
            }
        };
        self.check_response(&y, Some(&frame.kept_rows), at)?;
        Ok(y)
    }

    /// Each response value finite and in the family's support, else an error naming the
    /// file, row group and row.
    fn check_response(&self, y: &[f64], kept: Option<&[usize]>, at: At<'_>) -> Result<()> {
        let check = |i: usize, v: f64, r: std::result::Result<(), String>| {
            r.map_err(|reason| at.observation_err(kept.map_or(i, |k| k[i]), v, self.family, reason))
        };
        for (i, &v) in y.iter().enumerate() {
            let finite = if v.is_finite() {
                Ok(())
            } else {
                Err("not finite".to_string())
            };
            check(i, v, finite)?;
            let r = match self.family {
                StreamFamily::Binomial => Bernoulli.check_observation(&v),
                StreamFamily::Poisson => Poisson.check_observation(&v),
                StreamFamily::Gaussian => Gaussian.check_observation(&v),
                StreamFamily::NegativeBinomial => NegativeBinomial.check_observation(&v),
            };
            check(i, v, r)?;
        }
        Ok(())
    }

    /// Whether batches without missing values bypass the spec's encoder (a formula of plain
    /// numeric columns; the same design).
    pub fn is_direct(&self) -> bool {
        self.direct.is_some()
    }

    /// The design and response of a batch by the direct path, if it applies to the batch.
    pub fn direct_design(&self, batch: &RecordBatch) -> Option<(DMatrix<f64>, Vec<f64>)> {
        self.direct.as_ref().and_then(|d| d.read(batch))
    }

    /// The partial sum of encoded rows for the model's family: one design (Binomial,
    /// Poisson), or the design and an intercept-only second predictor (Gaussian log σ, NB
    /// log θ). Gaussian weights enter as the in-memory least squares takes them: weight w as
    /// a log σ offset −½ log w, case weight 1{w > 0}.
    fn family_partial(
        &self,
        x: &DMatrix<f64>,
        y: &[f64],
        offset: Option<&[f64]>,
        weights: Option<&[f64]>,
        theta: &[f64],
        order: Order,
    ) -> PartialSum {
        self.on_rows(x, y, offset, weights, &PartialTask { theta, order })
    }

    /// `task` on encoded rows, with the model's family and predictors as
    /// [`StreamModel::family_partial`] describes them.
    fn on_rows<T: RowsTask>(
        &self,
        x: &DMatrix<f64>,
        y: &[f64],
        offset: Option<&[f64]>,
        weights: Option<&[f64]>,
        task: &T,
    ) -> T::Output {
        let one = Rows {
            designs: [x],
            y,
            offsets: [offset],
            weights,
        };
        match self.family {
            StreamFamily::Binomial => return task.run(&Bernoulli, &one),
            StreamFamily::Poisson => return task.run(&Poisson, &one),
            StreamFamily::Gaussian | StreamFamily::NegativeBinomial => {}
        }
        let ones = DMatrix::from_element(y.len(), 1, 1.0);
        if self.family == StreamFamily::NegativeBinomial {
            let rows = Rows {
                designs: [x, &ones],
                y,
                offsets: [offset, None],
                weights,
            };
            return task.run(&NegativeBinomial, &rows);
        }
        let sigma_offset: Option<Vec<f64>> = weights.map(|w| {
            w.iter()
                .map(|&v| if v > 0.0 { -0.5 * v.ln() } else { 0.0 })
                .collect()
        });
        let case: Option<Vec<f64>> =
            weights.map(|w| w.iter().map(|&v| if v > 0.0 { 1.0 } else { 0.0 }).collect());
        let rows = Rows {
            designs: [x, &ones],
            y,
            offsets: [offset, sigma_offset.as_deref()],
            weights: case.as_deref(),
        };
        task.run(&Gaussian, &rows)
    }

    /// The score sums by cluster of one batch at θ̂, the clusters the values of `column`
    /// (as text) on the rows the fit uses; a missing label is an error naming the row.
    pub fn batch_cluster_scores(
        &self,
        batch: RecordBatch,
        theta: &[f64],
        column: &str,
        source: &ParquetSource,
        g: usize,
    ) -> Result<ClusterScores> {
        // Each distinct value (as text) one cluster, as in memory.
        let labels = mle_data::text_column(&Table::from_batch(batch.clone()), column)
            .map_err(|e| data_err(source, g, e))?;
        let (sums, _) = self.encoded(batch, At::Group(source, g), |rows| {
            let scores = self.on_rows(rows.x, rows.y, rows.offset, rows.weights, &ScoresTask { theta });
            let mut out = ClusterScores::new(theta.len());
            let mut row = vec![0.0; theta.len()];
            for i in 0..scores.nrows() {
                let r = rows.kept.map_or(i, |k| k[i]);
                if labels.is_null(r) {
                    let missing = DataError::Missing {
                        row: r,
                        column: column.to_string(),
                    };
                    return Err(data_err(source, g, missing));
                }
                for (v, s) in row.iter_mut().zip(scores.row(i).iter()) {
                    *v = *s;
                }
                out.add(labels.value(r), &row);
            }
            Ok(out)
        })?;
        sums.unwrap_or_else(|| Ok(ClusterScores::new(theta.len())))
    }

    /// The partial sum of one batch at θ, with its row counts.
    pub fn batch_partial(
        &self,
        batch: RecordBatch,
        theta: &[f64],
        order: Order,
        source: &ParquetSource,
        g: usize,
    ) -> Result<(PartialSum, RowCount)> {
        self.partial_at(batch, theta, order, At::Group(source, g))
    }

    /// The partial sum of one batch at θ, with its row counts, for a batch that comes from
    /// no file (a query engine's): errors name the row within the batch.
    ///
    /// ```
    /// use mle_data::{Formula, FrameOptions, ModelSpec, Table};
    /// use mle_stream::{Order, StreamFamily, StreamModel};
    /// let t = Table::from_columns([("y", vec![1.0, 3.0].into())]).unwrap();
    /// let (spec, _) = ModelSpec::bind(&Formula::parse("y ~ 1").unwrap(), &t, FrameOptions::default()).unwrap();
    /// let m = StreamModel::from_spec(spec, StreamFamily::Poisson).unwrap();
    /// let (s, rows) = m.partial(t.into_batch(), &[0.0], Order::Hessian).unwrap();
    /// // ℓ'(0) = Σ y − n = 2, ℓ''(0) = −n = −2.
    /// assert_eq!((s.gradient[0], s.hessian_upper[0], rows.read), (2.0, -2.0, 2));
    /// let bad = Table::from_columns([("y", vec![-1.0].into())]).unwrap();
    /// assert!(m.partial(bad.into_batch(), &[0.0], Order::Value).unwrap_err().to_string().contains("row 0"));
    /// ```
    pub fn partial(&self, batch: RecordBatch, theta: &[f64], order: Order) -> Result<(PartialSum, RowCount)> {
        self.partial_at(batch, theta, order, At::Batch)
    }

    fn partial_at(
        &self,
        batch: RecordBatch,
        theta: &[f64],
        order: Order,
        at: At<'_>,
    ) -> Result<(PartialSum, RowCount)> {
        let (sum, count) = self.encoded(batch, at, |rows| {
            self.family_partial(rows.x, rows.y, rows.offset, rows.weights, theta, order)
        })?;
        Ok((sum.unwrap_or_else(|| PartialSum::zero(theta.len(), order)), count))
    }

    /// `f` on the batch's encoded rows — by the direct path when it applies, else through the
    /// spec's frame (`None` when every row has a missing value) — with the response checked,
    /// and the batch's row counts.
    fn encoded<R>(
        &self,
        batch: RecordBatch,
        at: At<'_>,
        f: impl FnOnce(EncodedRows<'_>) -> R,
    ) -> Result<(Option<R>, RowCount)> {
        let read = batch.num_rows() as u64;
        if let Some((x, y)) = self.direct_design(&batch) {
            self.check_response(&y, None, at)?;
            let rows = EncodedRows {
                x: &x,
                y: &y,
                offset: None,
                weights: None,
                kept: None,
            };
            return Ok((Some(f(rows)), RowCount { read, dropped: 0 }));
        }
        let Some(frame) = self.frame(batch).map_err(|e| at.data_err(e))? else {
            return Ok((None, RowCount { read, dropped: read }));
        };
        let count = RowCount {
            read,
            dropped: frame.n_dropped as u64,
        };
        let y = self.response_at(&frame, at)?;
        let rows = EncodedRows {
            x: frame.design.matrix(),
            y: &y,
            offset: frame.offset.as_deref(),
            weights: frame.weights.as_deref(),
            kept: Some(&frame.kept_rows),
        };
        Ok((Some(f(rows)), count))
    }

    /// (Σ wᵢ[(yᵢ − μᵢ)² − yᵢ], Σ wᵢμᵢ²) of one batch at the Poisson coefficients β, μ =
    /// exp(xβ + offset): the negative binomial's over-dispersion check and moment start
    /// ([`mle_models::negative_binomial::overdispersion`]); the sums of the batches add.
    pub fn batch_overdispersion(
        &self,
        batch: RecordBatch,
        beta: &[f64],
        source: &ParquetSource,
        g: usize,
    ) -> Result<(f64, f64)> {
        self.overdispersion_at(batch, beta, At::Group(source, g))
    }

    /// [`StreamModel::batch_overdispersion`] of a batch that comes from no file, with its
    /// row counts.
    ///
    /// ```
    /// use mle_data::{Formula, FrameOptions, ModelSpec, Table};
    /// use mle_stream::{StreamFamily, StreamModel};
    /// let t = Table::from_columns([("y", vec![0.0, 4.0].into())]).unwrap();
    /// let (spec, _) = ModelSpec::bind(&Formula::parse("y ~ 1").unwrap(), &t, FrameOptions::default()).unwrap();
    /// let m = StreamModel::from_spec(spec, StreamFamily::Poisson).unwrap();
    /// // μ = e^{ln 2} = 2: Σ[(y − μ)² − y] = 4 + 0 = 4, Σ μ² = 8.
    /// let ((excess, mu2), rows) = m.overdispersion(t.into_batch(), &[2f64.ln()]).unwrap();
    /// assert!((excess - 4.0).abs() < 1e-12 && (mu2 - 8.0).abs() < 1e-12 && rows.read == 2);
    /// ```
    pub fn overdispersion(&self, batch: RecordBatch, beta: &[f64]) -> Result<((f64, f64), RowCount)> {
        self.overdispersion_rows(batch, beta, At::Batch)
    }

    fn overdispersion_at(&self, batch: RecordBatch, beta: &[f64], at: At<'_>) -> Result<(f64, f64)> {
        Ok(self.overdispersion_rows(batch, beta, at)?.0)
    }

    fn overdispersion_rows(
        &self,
        batch: RecordBatch,
        beta: &[f64],
        at: At<'_>,
    ) -> Result<((f64, f64), RowCount)> {
        let means = |x: &DMatrix<f64>, offset: Option<&[f64]>| -> Vec<f64> {
            let eta = x * nalgebra::DVectorView::from_slice(beta, beta.len());
            eta.iter()
                .enumerate()
                .map(|(i, e)| (e + offset.map_or(0.0, |o| o[i])).exp())
                .collect()
        };
        let (sums, count) = self.encoded(batch, at, |rows| {
            overdispersion(rows.y, &means(rows.x, rows.offset), rows.weights)
        })?;
        Ok((sums.unwrap_or((0.0, 0.0)), count))
    }

    /// The R factor of one batch (least squares), with its row counts.
    pub fn batch_factor(
        &self,
        batch: RecordBatch,
        source: &ParquetSource,
        g: usize,
    ) -> Result<(RFactor, RowCount)> {
        let p = self.spec.column_names().len();
        let (factor, count) = self.encoded(batch, At::Group(source, g), |rows| {
            RFactor::from_rows(rows.x, rows.y, rows.offset, rows.weights)
        })?;
        Ok((factor.unwrap_or_else(|| RFactor::zero(p)), count))
    }
}

/// Where a batch comes from, for its errors: a row group of a Parquet source, or no file (a
/// query engine's batch).
#[derive(Clone, Copy)]
enum At<'a> {
    Group(&'a ParquetSource, usize),
    Batch,
}

impl At<'_> {
    fn data_err(self, e: DataError) -> StreamError {
        match self {
            At::Group(source, g) => data_err(source, g, e),
            At::Batch => StreamError::BatchData { source: Box::new(e) },
        }
    }

    fn observation_err(self, row: usize, value: f64, family: StreamFamily, reason: String) -> StreamError {
        match self {
            At::Group(source, g) => StreamError::Observation {
                path: source.path(&source.row_groups()[g]).to_path_buf(),
                row_group: source.row_groups()[g].index,
                row,
                value,
                family: family.to_string(),
                reason,
            },
            At::Batch => StreamError::BatchObservation {
                row,
                value,
                family: family.to_string(),
                reason,
            },
        }
    }
}

pub(crate) fn data_err(source: &ParquetSource, g: usize, e: DataError) -> StreamError {
    let group = source.row_groups()[g];
    StreamError::Data {
        path: source.path(&group).to_path_buf(),
        row_group: group.index,
        source: Box::new(e),
    }
}

/// A computation on a batch's encoded rows, generic over the family (the dispatch of
/// [`StreamModel::on_rows`] is written once).
trait RowsTask {
    type Output;
    fn run<F: LogDensity<K, Obs = f64>, const K: usize>(
        &self,
        family: &F,
        rows: &Rows<'_, K>,
    ) -> Self::Output;
}

/// The batch's [`PartialSum`] of the given order.
struct PartialTask<'t> {
    theta: &'t [f64],
    order: Order,
}

impl RowsTask for PartialTask<'_> {
    type Output = PartialSum;
    fn run<F: LogDensity<K, Obs = f64>, const K: usize>(&self, family: &F, rows: &Rows<'_, K>) -> PartialSum {
        partial_sum(family, rows, self.theta, self.order)
    }
}

/// The batch's weighted score rows.
struct ScoresTask<'t> {
    theta: &'t [f64],
}

impl RowsTask for ScoresTask<'_> {
    type Output = DMatrix<f64>;
    fn run<F: LogDensity<K, Obs = f64>, const K: usize>(
        &self,
        family: &F,
        rows: &Rows<'_, K>,
    ) -> DMatrix<f64> {
        row_scores(family, rows, self.theta)
    }
}

/// A batch's rows as the model uses them.
struct EncodedRows<'r> {
    x: &'r DMatrix<f64>,
    y: &'r [f64],
    offset: Option<&'r [f64]>,
    weights: Option<&'r [f64]>,
    /// The batch row of each design row (`None`: every row, in order).
    kept: Option<&'r [usize]>,
}
