//! [`DataFusionObjective`]: the log-likelihood of a bound model over a DataFusion data
//! frame, one aggregate query per evaluation.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use arrow_array::{Array, StructArray, UInt64Array};
use arrow_schema::{DataType, Field};
use datafusion::common::{Column, ScalarValue};
use datafusion::logical_expr::{lit, AggregateUDF, Expr};
use datafusion::prelude::DataFrame;
use mle_core::{Evaluation, MleError, Objective, Parameter};
use mle_stream::{check_gram_rank, Order, PartialSum, RowCount, StreamModel};
use nalgebra::{DMatrix, DVector};
use tokio::runtime::Runtime;

use crate::error::{Error, Result};
use crate::udaf::{model_literal, order_name, overdispersion_udaf, partial_udaf};

/// The log-likelihood of `model` over the rows of a data frame: every evaluation is one
/// query `SELECT mle_partial(model, θ, order, columns…) FROM frame`, run on the driver's
/// runtime (the engine's partitions, or a Ballista cluster's executors, do the rows).
pub struct DataFusionObjective<'a> {
    runtime: &'a Runtime,
    frame: DataFrame,
    model: &'a StreamModel,
    literal: String,
    partial: AggregateUDF,
    parameters: Vec<Parameter>,
    n_obs: AtomicUsize,
    rows: Mutex<RowCount>,
    queries: AtomicUsize,
    rank_checked: AtomicBool,
    error: Mutex<Option<Error>>,
}

/// A literal dictionary-encoded: a batch's copy of it is one value and n keys (a cached
/// array), not n copies.
fn dictionary(v: ScalarValue) -> Expr {
    lit(ScalarValue::Dictionary(Box::new(DataType::Int32), Box::new(v)))
}

/// θ as a `FixedSizeList<Float64>(p)` literal (the type carries p).
fn theta_literal(theta: &[f64]) -> Expr {
    let item = Arc::new(Field::new("item", DataType::Float64, false));
    let values = Arc::new(arrow_array::Float64Array::from(theta.to_vec()));
    let list = arrow_array::FixedSizeListArray::new(item, theta.len() as i32, values, None);
    dictionary(ScalarValue::FixedSizeList(Arc::new(list)))
}

/// The aggregate's arguments: the literals, then the model's columns.
fn arguments(literals: Vec<Expr>, model: &StreamModel) -> Vec<Expr> {
    let mut args = literals;
    args.extend(
        model
            .columns()
            .iter()
            .map(|c| Expr::Column(Column::from_name(c.clone()))),
    );
    args
}

impl<'a> DataFusionObjective<'a> {
    /// The objective of `model` over `frame`, whose queries run on `runtime`.
    pub fn new(runtime: &'a Runtime, frame: DataFrame, model: &'a StreamModel) -> Result<Self> {
        Ok(DataFusionObjective {
            runtime,
            frame,
            model,
            literal: model_literal(model)?,
            partial: partial_udaf(),
            parameters: model.parameters(),
            n_obs: AtomicUsize::new(0),
            rows: Mutex::new(RowCount::default()),
            queries: AtomicUsize::new(0),
            rank_checked: AtomicBool::new(false),
            error: Mutex::new(None),
        })
    }

    /// The struct row of a one-aggregate query.
    fn query(&self, expr: Expr) -> Result<StructArray> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        let frame = self.frame.clone().aggregate(vec![], vec![expr.alias("mle")])?;
        let batches = self.runtime.block_on(frame.collect())?;
        let batch = match batches.as_slice() {
            [b] if b.num_rows() == 1 => b,
            _ => {
                return Err(Error::Result {
                    what: format!(
                        "{} batches of {} rows",
                        batches.len(),
                        batches.iter().map(|b| b.num_rows()).sum::<usize>()
                    ),
                })
            }
        };
        batch
            .column(0)
            .as_any()
            .downcast_ref::<StructArray>()
            .cloned()
            .ok_or_else(|| Error::Result {
                what: format!("a {} column, not a struct", batch.column(0).data_type()),
            })
    }

    /// One query at θ: the partial sum of all the rows (at `order`'s shape) and the row
    /// counts.
    pub fn pass(&self, theta: &[f64], order: Order) -> Result<(PartialSum, RowCount)> {
        let literals = vec![
            dictionary(ScalarValue::Utf8(Some(self.literal.clone()))),
            theta_literal(theta),
            dictionary(ScalarValue::Utf8(Some(order_name(order).to_string()))),
        ];
        let row = self.query(self.partial.call(arguments(literals, self.model)))?;
        let (fields, columns, _) = row.into_parts();
        let sums = StructArray::try_new(
            fields.iter().take(5).cloned().collect(),
            columns[..5].to_vec(),
            None,
        )
        .map_err(|e| Error::Result { what: e.to_string() })?;
        let mut s = PartialSum::from_struct_array(&sums)?
            .pop()
            .ok_or_else(|| Error::Result {
                what: "no row".into(),
            })?;
        let full = PartialSum::zero(theta.len(), order);
        s.gradient.truncate(full.gradient.len());
        s.hessian_upper.truncate(full.hessian_upper.len());
        let rows = row_counts(&columns[5..])?;
        self.n_obs.store(s.n as usize, Ordering::Relaxed);
        if let Ok(mut r) = self.rows.lock() {
            *r = rows;
        }
        Ok((s, rows))
    }

    /// One query for (Σ wᵢ[(yᵢ − μᵢ)² − yᵢ], Σ wᵢμᵢ²) at the Poisson coefficients β.
    pub fn overdispersion(&self, beta: &[f64]) -> Result<(f64, f64)> {
        let literals = vec![
            dictionary(ScalarValue::Utf8(Some(self.literal.clone()))),
            theta_literal(beta),
        ];
        let row = self.query(overdispersion_udaf().call(arguments(literals, self.model)))?;
        let value = |i: usize| {
            row.column(i)
                .as_any()
                .downcast_ref::<arrow_array::Float64Array>()
                .map(|a| a.value(0))
                .ok_or_else(|| Error::Result {
                    what: "over-dispersion sums not Float64".into(),
                })
        };
        Ok((value(0)?, value(1)?))
    }

    /// The model.
    pub fn model(&self) -> &'a StreamModel {
        self.model
    }

    /// Takes the observation and row counts of another objective on the same rows.
    pub(crate) fn inherit_counts(&self, other: &DataFusionObjective<'_>) {
        self.n_obs.store(other.n_obs(), Ordering::Relaxed);
        if let Ok(mut r) = self.rows.lock() {
            *r = other.rows();
        }
    }

    /// Aggregate queries so far.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::Relaxed)
    }

    /// The row counts of the last pass.
    pub fn rows(&self) -> RowCount {
        self.rows.lock().map(|r| *r).unwrap_or_default()
    }

    fn run(&self, theta: &[f64], order: Order) -> mle_core::Result<PartialSum> {
        match self.pass(theta, order) {
            Ok((s, _)) => Ok(s),
            Err(e) => {
                let text = e.to_string();
                if let Ok(mut slot) = self.error.lock() {
                    slot.get_or_insert(e);
                }
                Err(MleError::Optimiser(format!("an aggregate query failed: {text}")))
            }
        }
    }

    /// The rank of the design from −∇²ℓ's coefficient block, once (as the streaming fit).
    fn check_rank_once(&self, s: &PartialSum) -> mle_core::Result<()> {
        if self.rank_checked.swap(true, Ordering::Relaxed) {
            return Ok(());
        }
        let names = self.model.spec().column_names();
        let p = names.len().min(s.dimension());
        let gram = -s.hessian().view((0, 0), (p, p)).into_owned();
        check_gram_rank(&gram, names).inspect_err(|e| {
            if let Ok(mut slot) = self.error.lock() {
                slot.get_or_insert(Error::from(e.clone()));
            }
        })
    }

    /// The first error of a query, if one stopped the optimiser.
    pub(crate) fn take_error(&self) -> Option<Error> {
        self.error.lock().ok().and_then(|mut e| e.take())
    }
}

fn row_counts(columns: &[arrow_array::ArrayRef]) -> Result<RowCount> {
    let value = |i: usize| {
        columns
            .get(i)
            .and_then(|a| a.as_any().downcast_ref::<UInt64Array>())
            .map(|a| a.value(0))
            .ok_or_else(|| Error::Result {
                what: "row counts not UInt64".into(),
            })
    };
    Ok(RowCount {
        read: value(0)?,
        dropped: value(1)?,
    })
}

impl Objective for DataFusionObjective<'_> {
    fn model_name(&self) -> String {
        self.model.model_name()
    }

    fn parameters(&self) -> Vec<Parameter> {
        self.parameters.clone()
    }

    fn n_obs(&self) -> usize {
        self.n_obs.load(Ordering::Relaxed)
    }

    fn log_likelihood(&self, theta: &[f64]) -> mle_core::Result<f64> {
        mle_core::objective::check_parameters(&self.parameters, theta)?;
        Ok(self.run(theta, Order::Value)?.loglik)
    }

    fn value_gradient(&self, theta: &[f64]) -> mle_core::Result<(f64, DVector<f64>)> {
        mle_core::objective::check_parameters(&self.parameters, theta)?;
        let s = self.run(theta, Order::Gradient)?;
        Ok((s.loglik, s.gradient_vector()))
    }

    fn evaluate(&self, theta: &[f64]) -> mle_core::Result<Evaluation> {
        mle_core::objective::check_parameters(&self.parameters, theta)?;
        let s = self.run(theta, Order::Hessian)?;
        self.check_rank_once(&s)?;
        Ok(Evaluation {
            value: s.loglik,
            gradient: s.gradient_vector(),
            hessian: s.hessian(),
        })
    }

    fn scores(&self, _theta: &[f64]) -> mle_core::Result<DMatrix<f64>> {
        Err(MleError::NoScores {
            model: self.model.model_name(),
            reason: "a DataFusion fit keeps only the merged sums of each query".into(),
        })
    }
}
