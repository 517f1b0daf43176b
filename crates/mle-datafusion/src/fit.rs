//! [`fit_datafusion`]: bind the formula (first rows; a level scan when it has factors), then
//! the engine's Newton with one aggregate query per evaluation.

use std::time::Instant;

use datafusion::prelude::{DataFrame, SessionContext};
use futures::StreamExt;
use mle_core::Fit;
use mle_data::FrameOptions;
use mle_optim::FitOptions;
use mle_stream::{StreamError, StreamFamily, StreamFit, StreamModel};
use tokio::runtime::Runtime;

use crate::error::{Error, Result};
use crate::objective::DataFusionObjective;

/// Options of [`fit_datafusion`].
#[derive(Debug, Clone, PartialEq)]
pub struct DataFusionOptions {
    /// Weights, offset column and missing-value action, as the in-memory fit's.
    pub frame: FrameOptions,
    /// A SQL condition selecting the sample (`WHERE` without the keyword), e.g. `"x2 > 0"`.
    pub filter: Option<String>,
    /// Rows read to bind a formula without factors (the first rows of the sample).
    pub bind_rows: usize,
    /// Newton iterations at most.
    pub max_iterations: u64,
}

impl Default for DataFusionOptions {
    fn default() -> Self {
        DataFusionOptions {
            frame: FrameOptions::default(),
            filter: None,
            bind_rows: 1024,
            max_iterations: 100,
        }
    }
}

/// A fit by DataFusion queries: the streaming fit's result, and the queries run.
#[derive(Debug, Clone)]
pub struct DataFusionFit {
    /// The estimate, covariance (inverse observed information), spec, passes over the
    /// sample (the level scan and every evaluation), rows and wall time.
    pub fit: StreamFit,
    /// Queries run: the binding queries (first rows, the level scan) and one per evaluation.
    pub queries: usize,
}

/// Fits `formula` with `family` on the rows of `table` (registered on `ctx`) that pass
/// `options.filter`, one aggregate query per evaluation of the log-likelihood: the same
/// estimate as the in-memory formula fit on those rows. Blocks on its own tokio runtime, so
/// it must be called outside any runtime ([`Error::InsideRuntime`]); `ctx` may be a Ballista
/// context, whose executors must have [`crate::aggregate_functions`] registered.
///
/// ```
/// use datafusion::prelude::SessionContext;
/// use mle_datafusion::{fit_datafusion, DataFusionOptions};
/// use mle_stream::StreamFamily;
/// let ctx = SessionContext::new();
/// mle_datafusion::register(&ctx);
/// let rt = tokio::runtime::Runtime::new().unwrap();
/// rt.block_on(ctx.sql("CREATE TABLE t (y DOUBLE, x DOUBLE) AS VALUES (1, 0.5), (0, 1.5), (3, 2.5), (2, 0.1), (5, 3.0)"))
///     .unwrap();
/// drop(rt);
/// let f = fit_datafusion(&ctx, "t", "y ~ x", StreamFamily::Poisson, &DataFusionOptions::default()).unwrap();
/// assert!(f.fit.fit.convergence().converged());
/// assert_eq!(f.fit.coefficient_names(), ["(Intercept)", "x"]);
/// ```
pub fn fit_datafusion(
    ctx: &SessionContext,
    table: &str,
    formula: &str,
    family: StreamFamily,
    options: &DataFusionOptions,
) -> Result<DataFusionFit> {
    let started = Instant::now();
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::InsideRuntime);
    }
    if family == StreamFamily::Gaussian {
        return Err(Error::NotSupported {
            what: "the Gaussian family (least squares by a streamed R factor: use mle_stream::fit_parquet)"
                .into(),
        });
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let sample = runtime.block_on(sample_frame(ctx, table, options.filter.as_deref()))?;
    let (model, bind_queries) = bind(&runtime, &sample, formula, family, options)?;
    let objective = DataFusionObjective::new(&runtime, sample.clone(), &model)?;
    let (fit, start, extra_queries) = match family {
        StreamFamily::NegativeBinomial => negative_binomial(&runtime, &sample, &objective, options)?,
        _ => {
            let start = vec![0.0; model.parameters().len()];
            (newton(&objective, &start, options)?, start, 0)
        }
    };
    let rows = objective.rows();
    let queries = bind_queries + extra_queries + objective.queries();
    let scans = usize::from(model.scanned_rows().is_some());
    Ok(DataFusionFit {
        fit: StreamFit {
            fit,
            spec: model.spec().clone(),
            family,
            passes: scans + extra_queries + objective.queries(),
            n_rows: rows.read,
            n_dropped: rows.dropped,
            wall: started.elapsed(),
            start,
            start_note: None,
        },
        queries,
    })
}

/// The sample: the table's rows passing the filter.
async fn sample_frame(ctx: &SessionContext, table: &str, filter: Option<&str>) -> Result<DataFrame> {
    let frame = ctx.table(table).await?;
    Ok(match filter {
        Some(condition) => {
            let predicate = frame.parse_sql_expr(condition)?;
            frame.filter(predicate)?
        }
        None => frame,
    })
}

/// Binds on the first rows of the sample; when the formula has factors (or the first rows
/// keep none), again on a scan of every row of the sample, streamed through the driver, so
/// the levels are those of the in-memory fit on all the rows. Returns the model and the
/// queries run.
fn bind(
    runtime: &Runtime,
    sample: &DataFrame,
    formula: &str,
    family: StreamFamily,
    options: &DataFusionOptions,
) -> Result<(StreamModel, usize)> {
    let available: Vec<String> = sample
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let columns = StreamModel::formula_columns(formula, &available, &options.frame)?;
    let projected = sample
        .clone()
        .select_columns(&columns.iter().map(String::as_str).collect::<Vec<_>>())?;
    let first = runtime.block_on(
        projected
            .clone()
            .limit(0, Some(options.bind_rows.max(1)))?
            .collect(),
    )?;
    let bound = StreamModel::bind_batches(formula, &available, first, family, options.frame.clone());
    match bound {
        Ok(model) if !model.has_factors() => return Ok((without_scan(model)?, 1)),
        Ok(_) | Err(StreamError::Bind(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let mut stream = runtime.block_on(projected.execute_stream())?;
    let mut failed: Option<Error> = None;
    let batches = std::iter::from_fn(|| match runtime.block_on(stream.next()) {
        Some(Ok(b)) => Some(b),
        Some(Err(e)) => {
            failed = Some(e.into());
            None
        }
        None => None,
    });
    let model = StreamModel::bind_batches(formula, &available, batches, family, options.frame.clone());
    if let Some(e) = failed {
        return Err(e);
    }
    Ok((model?, 2))
}

/// A model bound on the first rows, with no level scan recorded (its spec is the spec of
/// every row: no factor).
fn without_scan(model: StreamModel) -> Result<StreamModel> {
    Ok(StreamModel::from_spec(model.spec().clone(), model.family())?)
}

/// The engine's safeguarded Newton; a query error met in an evaluation is returned as itself.
fn newton(objective: &DataFusionObjective<'_>, start: &[f64], options: &DataFusionOptions) -> Result<Fit> {
    let fit = FitOptions::newton()
        .max_iterations(options.max_iterations)
        .fit(objective, start);
    match (fit, objective.take_error()) {
        (_, Some(e)) => Err(e),
        (Ok(f), None) => Ok(f),
        (Err(e), None) => Err(e.into()),
    }
}

/// Negative binomial as the streaming (and in-memory) fit: the Poisson fit, one query for the
/// over-dispersion and the moment start of log θ (not over-dispersed → the Poisson limit
/// θ̂ = ∞), the joint Newton on (β, log θ); log θ̂ beyond 25 is also the Poisson limit.
/// Returns the fit, the start and the queries run outside `objective`.
fn negative_binomial(
    runtime: &Runtime,
    sample: &DataFrame,
    objective: &DataFusionObjective<'_>,
    options: &DataFusionOptions,
) -> Result<(Fit, Vec<f64>, usize)> {
    let poisson_model = objective.model().with_family(StreamFamily::Poisson);
    let poisson = DataFusionObjective::new(runtime, sample.clone(), &poisson_model)?;
    let p = poisson_model.parameters().len();
    let poisson_fit = newton(&poisson, &vec![0.0; p], options)?;
    let beta: Vec<f64> = poisson_fit.estimates().iter().copied().collect();
    let (excess, mu2) = poisson.overdispersion(&beta)?;
    // The limit's n and rows are the Poisson fit's (the same rows).
    objective.inherit_counts(&poisson);
    let limit = |reason: &str| -> Result<Fit> {
        Ok(mle_models::negative_binomial::poisson_limit(
            objective,
            &poisson_fit,
            reason,
        )?)
    };
    if excess.is_nan() || excess <= 0.0 {
        let fit = limit("no over-dispersion at the Poisson fit (Σ[(y−μ̂)² − y] ≤ 0): θ̂ = ∞")?;
        return Ok((fit, beta, poisson.queries()));
    }
    let mut start = beta;
    start.push((mu2 / excess).ln());
    let fit = newton(objective, &start, options)?;
    if fit.estimates()[p] > mle_models::negative_binomial::POISSON_LIMIT_LOG_THETA {
        let fit = limit("θ̂ diverges (log θ̂ > 25): θ̂ = ∞")?;
        return Ok((fit, start, poisson.queries()));
    }
    Ok((fit, start, poisson.queries()))
}
