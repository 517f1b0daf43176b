//! The aggregate UDFs: `mle_partial(model, theta, order, col1, col2, …)` (the
//! [`PartialSum`] of the rows at θ) and `mle_overdispersion(model, beta, col1, …)` (the
//! negative binomial's over-dispersion sums at the Poisson β). The model travels as a JSON
//! literal (the bound spec and the family), θ as a `FixedSizeList<Float64>` literal — both
//! may be dictionary-encoded so that a batch's copy of the literal is one value, not one per
//! row — so an executor needs only these generic functions registered, whatever the model.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StructArray, UInt64Array};
use arrow_schema::{DataType, Field, FieldRef, Fields, Schema};
use datafusion::common::{DataFusionError, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility};
use datafusion::physical_expr::expressions::Literal;
use mle_data::ModelSpec;
use mle_stream::{packed_len, Order, PartialSum, RowCount, StreamError, StreamModel};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The name of the partial-sum aggregate.
pub const PARTIAL: &str = "mle_partial";
/// The name of the over-dispersion aggregate.
pub const OVERDISPERSION: &str = "mle_overdispersion";

/// What a model literal holds: the family and the spec bound on the driver.
#[derive(Debug, Serialize, Deserialize)]
struct ModelLiteral {
    family: String,
    spec: ModelSpec,
}

/// The JSON literal describing `model` (its bound spec — columns, levels, codings, frame
/// options — and its family): the first argument of both aggregates.
///
/// ```
/// use mle_data::{Formula, FrameOptions, ModelSpec, Table};
/// use mle_stream::{StreamFamily, StreamModel};
/// let t = Table::from_columns([("y", vec![1.0, 0.0].into()), ("g", vec!["a", "b"].into())]).unwrap();
/// let (spec, _) = ModelSpec::bind(&Formula::parse("y ~ g").unwrap(), &t, FrameOptions::default()).unwrap();
/// let m = StreamModel::from_spec(spec, StreamFamily::Binomial).unwrap();
/// let json = mle_datafusion::model_literal(&m).unwrap();
/// let back = mle_datafusion::model_from_literal(&json).unwrap();
/// assert_eq!(back.spec(), m.spec());
/// assert_eq!(back.family(), StreamFamily::Binomial);
/// ```
pub fn model_literal(model: &StreamModel) -> Result<String> {
    serde_json::to_string(&ModelLiteral {
        family: model.family().to_string(),
        spec: model.spec().clone(),
    })
    .map_err(|e| Error::Literal {
        what: format!("the model cannot be written as JSON: {e}"),
    })
}

/// The model a literal of [`model_literal`] describes.
pub fn model_from_literal(json: &str) -> Result<StreamModel> {
    let m: ModelLiteral = serde_json::from_str(json).map_err(|e| Error::Literal {
        what: format!("the model literal is not a model's JSON: {e}"),
    })?;
    Ok(StreamModel::from_spec(m.spec, m.family.parse()?)?)
}

/// The name of an [`Order`] in the `order` argument of `mle_partial`.
///
/// ```
/// use mle_stream::Order;
/// assert_eq!(mle_datafusion::order_name(Order::Hessian), "hessian");
/// assert_eq!(mle_datafusion::parse_order("hessian").unwrap(), Order::Hessian);
/// assert!(mle_datafusion::parse_order("third").is_err());
/// ```
pub fn order_name(order: Order) -> &'static str {
    match order {
        Order::Value => "value",
        Order::Gradient => "gradient",
        Order::Hessian => "hessian",
        Order::ScoreProducts => "score_products",
    }
}

/// The [`Order`] named by [`order_name`].
pub fn parse_order(name: &str) -> Result<Order> {
    match name {
        "value" => Ok(Order::Value),
        "gradient" => Ok(Order::Gradient),
        "hessian" => Ok(Order::Hessian),
        "score_products" => Ok(Order::ScoreProducts),
        other => Err(Error::Literal {
            what: format!("the order `{other}` (value, gradient, hessian, score_products)"),
        }),
    }
}

/// The two aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Partial,
    Overdispersion,
}

/// A generic aggregate UDF of the streaming fit (see the module docs); registered by
/// [`register`] or built by [`partial_udaf`] / [`overdispersion_udaf`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MleAggregate {
    kind: Kind,
    signature: Signature,
}

impl MleAggregate {
    fn new(kind: Kind) -> Self {
        MleAggregate {
            kind,
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }

    /// Arguments before the columns.
    fn leading(&self) -> usize {
        match self.kind {
            Kind::Partial => 3,
            Kind::Overdispersion => 2,
        }
    }
}

/// `mle_partial(model, theta, order, col1, …)`.
///
/// ```
/// assert_eq!(mle_datafusion::partial_udaf().name(), "mle_partial");
/// ```
pub fn partial_udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(MleAggregate::new(Kind::Partial))
}

/// `mle_overdispersion(model, beta, col1, …)`.
///
/// ```
/// assert_eq!(mle_datafusion::overdispersion_udaf().name(), "mle_overdispersion");
/// ```
pub fn overdispersion_udaf() -> AggregateUDF {
    AggregateUDF::new_from_impl(MleAggregate::new(Kind::Overdispersion))
}

/// Both aggregates, for a session (or an executor's function registry).
pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    vec![Arc::new(partial_udaf()), Arc::new(overdispersion_udaf())]
}

/// Registers both aggregates on a session.
///
/// ```
/// use datafusion::execution::FunctionRegistry;
/// let ctx = datafusion::prelude::SessionContext::new();
/// mle_datafusion::register(&ctx);
/// assert!(ctx.udaf("mle_partial").is_ok());
/// ```
pub fn register(ctx: &datafusion::prelude::SessionContext) {
    for f in aggregate_functions() {
        ctx.register_udaf(f.as_ref().clone());
    }
}

/// The struct `mle_partial` returns for `p` parameters: the [`PartialSum`] fields at full
/// shape (the gradient and packed Hessian zero where the order does not compute them) and the
/// rows read and dropped (missing values).
pub fn partial_fields(p: usize) -> Fields {
    let mut fields: Vec<FieldRef> = PartialSum::fields(p, Order::Hessian).iter().cloned().collect();
    fields.extend(row_fields());
    Fields::from(fields)
}

/// The struct `mle_overdispersion` returns: Σ wᵢ[(yᵢ − μᵢ)² − yᵢ], Σ wᵢμᵢ², rows read and
/// dropped.
pub fn overdispersion_fields() -> Fields {
    let mut fields: Vec<FieldRef> = vec![
        Arc::new(Field::new("excess", DataType::Float64, false)),
        Arc::new(Field::new("mu2", DataType::Float64, false)),
    ];
    fields.extend(row_fields());
    Fields::from(fields)
}

fn row_fields() -> [FieldRef; 2] {
    [
        Arc::new(Field::new("rows_read", DataType::UInt64, false)),
        Arc::new(Field::new("rows_dropped", DataType::UInt64, false)),
    ]
}

fn plan_err(what: String) -> DataFusionError {
    DataFusionError::Plan(what)
}

/// p from the θ argument's type: `FixedSizeList<Float64>(p)`, possibly dictionary-encoded.
fn theta_len(t: &DataType) -> datafusion::common::Result<usize> {
    match t {
        DataType::Dictionary(_, v) => theta_len(v),
        DataType::FixedSizeList(_, n) => Ok(*n as usize),
        other => Err(plan_err(format!(
            "the θ argument of {PARTIAL} / {OVERDISPERSION} must be a FixedSizeList<Float64> literal, not {other}"
        ))),
    }
}

impl AggregateUDFImpl for MleAggregate {
    fn name(&self) -> &str {
        match self.kind {
            Kind::Partial => PARTIAL,
            Kind::Overdispersion => OVERDISPERSION,
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> datafusion::common::Result<DataType> {
        if arg_types.len() <= self.leading() {
            return Err(plan_err(format!(
                "{} takes the model, θ{} and at least one column",
                self.name(),
                if self.kind == Kind::Partial {
                    ", the order"
                } else {
                    ""
                }
            )));
        }
        let p = theta_len(&arg_types[1])?;
        Ok(DataType::Struct(match self.kind {
            Kind::Partial => partial_fields(p),
            Kind::Overdispersion => overdispersion_fields(),
        }))
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> datafusion::common::Result<Box<dyn Accumulator>> {
        let literal = |i: usize| -> datafusion::common::Result<ScalarValue> {
            let e = acc_args
                .exprs
                .get(i)
                .ok_or_else(|| plan_err(format!("{}: too few arguments", self.name())))?;
            let lit = e
                .downcast_ref::<Literal>()
                .ok_or_else(|| plan_err(format!("{}: argument {} must be a literal", self.name(), i + 1)))?;
            Ok(undictionary(lit.value().clone()))
        };
        let text = |v: ScalarValue, what: &str| match v {
            ScalarValue::Utf8(Some(s)) | ScalarValue::LargeUtf8(Some(s)) | ScalarValue::Utf8View(Some(s)) => {
                Ok(s)
            }
            other => Err(plan_err(format!(
                "{}: the {what} must be a string literal, not {other:?}",
                self.name()
            ))),
        };
        let model = model_from_literal(&text(literal(0)?, "model")?).map_err(external)?;
        let theta = theta_values(literal(1)?)?;
        let columns = model.columns().len();
        let given = acc_args.exprs.len() - self.leading();
        if given != columns {
            return Err(plan_err(format!(
                "{}: the model reads {columns} columns ({}), {given} given",
                self.name(),
                model.columns().join(", ")
            )));
        }
        let leading = self.leading();
        Ok(match self.kind {
            Kind::Partial => {
                let order = parse_order(&text(literal(2)?, "order")?).map_err(external)?;
                let p = theta.len();
                Box::new(PartialAccumulator {
                    sum: PartialSum::zero(p, Order::Hessian),
                    rows: RowCount::default(),
                    model,
                    theta,
                    order,
                    leading,
                })
            }
            Kind::Overdispersion => Box::new(OverdispersionAccumulator {
                sums: (0.0, 0.0),
                rows: RowCount::default(),
                model,
                beta: theta,
                leading,
            }),
        })
    }

    fn state_fields(&self, args: StateFieldsArgs) -> datafusion::common::Result<Vec<FieldRef>> {
        let DataType::Struct(fields) = args.return_field.data_type() else {
            return Err(plan_err(format!(
                "{}: the return type is not a struct",
                self.name()
            )));
        };
        Ok(fields
            .iter()
            .map(|f| {
                Arc::new(
                    f.as_ref()
                        .clone()
                        .with_name(datafusion::logical_expr::utils::format_state_name(
                            args.name,
                            f.name(),
                        )),
                )
            })
            .collect())
    }
}

/// A dictionary literal's value (the driver dictionary-encodes its literals).
fn undictionary(v: ScalarValue) -> ScalarValue {
    match v {
        ScalarValue::Dictionary(_, inner) => undictionary(*inner),
        other => other,
    }
}

fn theta_values(v: ScalarValue) -> datafusion::common::Result<Vec<f64>> {
    let list: ArrayRef = match v {
        ScalarValue::FixedSizeList(a) => a.value(0),
        ScalarValue::List(a) => a.value(0),
        other => {
            return Err(plan_err(format!(
                "θ must be a list of Float64 literals, not {other:?}"
            )))
        }
    };
    let values = list
        .as_any()
        .downcast_ref::<Float64Array>()
        .ok_or_else(|| plan_err("θ must hold Float64 values".into()))?;
    if values.null_count() > 0 {
        return Err(plan_err("θ has a null entry".into()));
    }
    Ok(values.values().to_vec())
}

fn external(e: Error) -> DataFusionError {
    match e {
        Error::Stream(s) => DataFusionError::External(Box::new(s)),
        other => DataFusionError::External(Box::new(other)),
    }
}

fn stream_external(e: StreamError) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

/// The batch of the formula's columns (the arguments after the literals), named as the
/// model names them.
fn column_batch(model: &StreamModel, values: &[ArrayRef]) -> datafusion::common::Result<RecordBatch> {
    let fields: Vec<Field> = model
        .columns()
        .iter()
        .zip(values)
        .map(|(name, a)| Field::new(name, a.data_type().clone(), true))
        .collect();
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        values.to_vec(),
    )?)
}

fn add_rows(a: &mut RowCount, b: RowCount) {
    a.read += b.read;
    a.dropped += b.dropped;
}

/// The rows read and dropped of a state (its last two fields).
fn state_rows(states: &[ArrayRef], at: usize) -> datafusion::common::Result<Vec<RowCount>> {
    let column = |i: usize| {
        states
            .get(i)
            .and_then(|a| a.as_any().downcast_ref::<UInt64Array>())
            .ok_or_else(|| DataFusionError::Internal("mle aggregate state: rows are not UInt64".into()))
    };
    let (read, dropped) = (column(at)?, column(at + 1)?);
    Ok((0..read.len())
        .map(|i| RowCount {
            read: read.value(i),
            dropped: dropped.value(i),
        })
        .collect())
}

fn rows_scalars(rows: RowCount) -> [ScalarValue; 2] {
    [
        ScalarValue::UInt64(Some(rows.read)),
        ScalarValue::UInt64(Some(rows.dropped)),
    ]
}

/// Pads a partial sum of a lower order to the full shape (zeros).
fn full_shape(mut s: PartialSum, p: usize) -> PartialSum {
    s.gradient.resize(p, 0.0);
    s.hessian_upper.resize(packed_len(p), 0.0);
    s
}

#[derive(Debug)]
struct PartialAccumulator {
    sum: PartialSum,
    rows: RowCount,
    model: StreamModel,
    theta: Vec<f64>,
    order: Order,
    leading: usize,
}

impl PartialAccumulator {
    /// The state as one row of the return struct.
    fn as_struct(&self) -> datafusion::common::Result<StructArray> {
        let sums = PartialSum::to_struct_array(std::slice::from_ref(&self.sum)).map_err(stream_external)?;
        let (fields, mut columns, _) = sums.into_parts();
        let mut all: Vec<FieldRef> = fields.iter().cloned().collect();
        all.extend(row_fields());
        columns.push(Arc::new(UInt64Array::from(vec![self.rows.read])));
        columns.push(Arc::new(UInt64Array::from(vec![self.rows.dropped])));
        Ok(StructArray::try_new(Fields::from(all), columns, None)?)
    }
}

impl Accumulator for PartialAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> datafusion::common::Result<()> {
        let batch = column_batch(&self.model, &values[self.leading..])?;
        let (s, rows) = self
            .model
            .partial(batch, &self.theta, self.order)
            .map_err(stream_external)?;
        self.sum
            .merge_in(&full_shape(s, self.theta.len()))
            .map_err(stream_external)?;
        add_rows(&mut self.rows, rows);
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> datafusion::common::Result<()> {
        let p = self.theta.len();
        let fields = PartialSum::fields(p, Order::Hessian);
        if states.len() != fields.len() + 2 {
            return Err(DataFusionError::Internal(format!(
                "{PARTIAL} state: {} columns, expected {}",
                states.len(),
                fields.len() + 2
            )));
        }
        let sums = StructArray::try_new(fields, states[..5].to_vec(), None)?;
        for s in PartialSum::from_struct_array(&sums).map_err(stream_external)? {
            self.sum.merge_in(&s).map_err(stream_external)?;
        }
        for r in state_rows(states, 5)? {
            add_rows(&mut self.rows, r);
        }
        Ok(())
    }

    fn state(&mut self) -> datafusion::common::Result<Vec<ScalarValue>> {
        let s = self.as_struct()?;
        (0..s.num_columns())
            .map(|i| ScalarValue::try_from_array(s.column(i), 0))
            .collect()
    }

    fn evaluate(&mut self) -> datafusion::common::Result<ScalarValue> {
        Ok(ScalarValue::Struct(Arc::new(self.as_struct()?)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + 8 * (self.sum.gradient.capacity() + self.sum.hessian_upper.capacity() + self.theta.capacity())
    }
}

#[derive(Debug)]
struct OverdispersionAccumulator {
    sums: (f64, f64),
    rows: RowCount,
    model: StreamModel,
    beta: Vec<f64>,
    leading: usize,
}

impl OverdispersionAccumulator {
    fn scalars(&self) -> Vec<ScalarValue> {
        let [read, dropped] = rows_scalars(self.rows);
        vec![
            ScalarValue::Float64(Some(self.sums.0)),
            ScalarValue::Float64(Some(self.sums.1)),
            read,
            dropped,
        ]
    }
}

impl Accumulator for OverdispersionAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> datafusion::common::Result<()> {
        let batch = column_batch(&self.model, &values[self.leading..])?;
        let ((excess, mu2), rows) = self
            .model
            .overdispersion(batch, &self.beta)
            .map_err(stream_external)?;
        self.sums.0 += excess;
        self.sums.1 += mu2;
        add_rows(&mut self.rows, rows);
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> datafusion::common::Result<()> {
        let float = |i: usize| {
            states
                .get(i)
                .and_then(|a| a.as_any().downcast_ref::<Float64Array>())
                .ok_or_else(|| DataFusionError::Internal(format!("{OVERDISPERSION} state: not Float64")))
        };
        let (excess, mu2) = (float(0)?, float(1)?);
        for i in 0..excess.len() {
            self.sums.0 += excess.value(i);
            self.sums.1 += mu2.value(i);
        }
        for r in state_rows(states, 2)? {
            add_rows(&mut self.rows, r);
        }
        Ok(())
    }

    fn state(&mut self) -> datafusion::common::Result<Vec<ScalarValue>> {
        Ok(self.scalars())
    }

    fn evaluate(&mut self) -> datafusion::common::Result<ScalarValue> {
        let columns: Vec<ArrayRef> = self
            .scalars()
            .iter()
            .map(|v| v.to_array())
            .collect::<datafusion::common::Result<_>>()?;
        Ok(ScalarValue::Struct(Arc::new(StructArray::try_new(
            overdispersion_fields(),
            columns,
            None,
        )?)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + 8 * self.beta.capacity()
    }
}
