//! The streaming fit: every evaluation of the log-likelihood is one pass over the row
//! groups, so the engine's own safeguarded Newton ([`FitOptions::newton`]: Cholesky or an
//! eigenvalue-floored direction, backtracking with value-only passes, the scale-aware
//! Newton-decrement test) runs unchanged on data that never sits in memory. Gaussian
//! models are least squares by a streamed R factor instead: one pass for β̂ and σ̂, one for
//! the observed information.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mle_core::covariance;
use mle_core::{Convergence, Design, Evaluation, Fit, MleError, Objective, Parameter};
use mle_data::{CovarianceChoice, FrameOptions, ModelSpec, Response, Table};
use mle_models::Regression;
use mle_optim::{FitOptions, Model};
use nalgebra::{DMatrix, DVector};

use crate::cluster::ClusterScores;
use crate::error::{Result, StreamError};
use crate::model::{data_err as model_data_err, RowCount, StreamFamily, StreamModel};
use crate::partial::{Order, PartialSum};
use crate::rank::check_gram_rank;
use crate::source::ParquetSource;
use crate::tsqr::{RFactor, Residuals};

/// Refinement passes of a streamed least-squares fit.
const REFINEMENT_PASSES: usize = 2;

/// Options of [`fit_parquet`].
#[derive(Debug, Clone, PartialEq)]
pub struct StreamOptions {
    /// Weights, offset column and missing-value action, as the in-memory fit's.
    pub frame: FrameOptions,
    /// Rows per batch read (default 2048: a batch's design stays in the core's cache; at
    /// n = 10⁷, p = 20 a pass took 535 ms at 2048, 583 ms at 4096, 620 ms at 8192).
    pub batch_size: usize,
    /// Read row groups through a memory mapping ([`ParquetSource::with_memory_map`]:
    /// faster, and the files must not change during the fit). Default off.
    pub memory_map: bool,
    /// Warm start: fit in memory on the first row groups holding at least this many rows,
    /// then take full-data Newton steps from there (`None`: start as the in-memory fit does
    /// not need: at zero).
    pub warm_start_rows: Option<u64>,
    /// Newton iterations at most.
    pub max_iterations: u64,
    /// The covariance reported: the inverse observed information (default), or the
    /// sandwich HC0 / HC1 from one more pass (Σ sᵢsᵢᵀ at θ̂); other choices are a typed
    /// [`StreamError::NotSupported`].
    pub covariance: CovarianceChoice,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            frame: FrameOptions::default(),
            batch_size: 2_048,
            memory_map: false,
            warm_start_rows: None,
            max_iterations: 100,
            covariance: CovarianceChoice::Observed,
        }
    }
}

/// A fit streamed from Parquet.
#[derive(Debug, Clone)]
pub struct StreamFit {
    /// The estimate, covariance (inverse observed information), convergence.
    pub fit: Fit,
    /// The bound spec.
    pub spec: ModelSpec,
    /// The family.
    pub family: StreamFamily,
    /// Passes over the data (the level scan, the warm-start read, every evaluation).
    pub passes: usize,
    /// Rows in the files.
    pub n_rows: u64,
    /// Rows dropped for a missing value.
    pub n_dropped: u64,
    /// Wall time.
    pub wall: Duration,
    /// The starting point of Newton (zero, or the warm start's sample estimate).
    pub start: Vec<f64>,
    /// Why the warm start was not used, if it failed.
    pub start_note: Option<String>,
}

impl StreamFit {
    /// Coefficient names, as the in-memory fit's.
    pub fn coefficient_names(&self) -> &[String] {
        self.spec.column_names()
    }

    /// The coefficient estimates.
    pub fn coefficients(&self) -> Vec<f64> {
        self.fit.estimates().as_slice()[..self.spec.column_names().len()].to_vec()
    }
}

/// The log-likelihood of a model over Parquet row groups: each call is one pass.
pub struct StreamObjective<'a> {
    model: &'a StreamModel,
    source: &'a ParquetSource,
    parameters: Vec<Parameter>,
    n_obs: AtomicUsize,
    dropped: AtomicUsize,
    passes: AtomicUsize,
    rank_checked: AtomicBool,
    error: Mutex<Option<StreamError>>,
}

impl<'a> StreamObjective<'a> {
    /// The objective of `model` over `source` (one counting pass for n).
    pub fn new(model: &'a StreamModel, source: &'a ParquetSource) -> StreamObjective<'a> {
        StreamObjective {
            model,
            source,
            parameters: model.parameters(),
            n_obs: AtomicUsize::new(0),
            dropped: AtomicUsize::new(0),
            passes: AtomicUsize::new(0),
            rank_checked: AtomicBool::new(false),
            error: Mutex::new(None),
        }
    }

    /// One pass at θ: the merged partial sum and the row counts.
    pub fn pass(&self, theta: &[f64], order: Order) -> Result<(PartialSum, RowCount)> {
        self.passes.fetch_add(1, Ordering::Relaxed);
        let columns = self.model.columns();
        let label = match order {
            Order::Value => "pass (ℓ)",
            Order::Gradient => "pass (ℓ, ∇ℓ)",
            Order::Hessian => "pass (ℓ, ∇ℓ, ∇²ℓ)",
            Order::ScoreProducts => "pass (Σ score score')",
        };
        let zero = || (PartialSum::zero(theta.len(), order), RowCount::default());
        let out = self.source.pass(
            0..self.source.row_groups().len(),
            label,
            |g| {
                if let Some(part) = self.model.plain_group_partial(self.source, g, theta, order)? {
                    return Ok(part);
                }
                self.source
                    .fold_group(g, columns, zero(), |(mut s, mut c), batch| {
                        let (b, bc) = self.model.batch_partial(batch, theta, order, self.source, g)?;
                        s.merge_in(&b)?;
                        c.read += bc.read;
                        c.dropped += bc.dropped;
                        Ok((s, c))
                    })
            },
            |(mut a, mut ac), (b, bc)| {
                a.merge_in(&b)?;
                ac.read += bc.read;
                ac.dropped += bc.dropped;
                Ok((a, ac))
            },
        )?;
        let out = out.unwrap_or_else(zero);
        self.n_obs.store(out.0.n as usize, Ordering::Relaxed);
        self.dropped.store(out.1.dropped as usize, Ordering::Relaxed);
        Ok(out)
    }

    /// One pass for the score sums by cluster at θ (the clusters the values of `column`),
    /// merged in row-group order.
    pub fn cluster_scores(&self, theta: &[f64], column: &str) -> Result<ClusterScores> {
        self.passes.fetch_add(1, Ordering::Relaxed);
        let mut columns = self.model.columns().to_vec();
        if !columns.iter().any(|c| c == column) {
            columns.push(column.to_string());
        }
        let zero = || ClusterScores::new(theta.len());
        let out = self.source.pass(
            0..self.source.row_groups().len(),
            "pass (score sums by cluster)",
            |g| {
                self.source.fold_group(g, &columns, zero(), |mut s, batch| {
                    s.merge_in(
                        &self
                            .model
                            .batch_cluster_scores(batch, theta, column, self.source, g)?,
                    )?;
                    Ok(s)
                })
            },
            |mut a, b| {
                a.merge_in(&b)?;
                Ok(a)
            },
        )?;
        Ok(out.unwrap_or_else(zero))
    }

    /// Passes so far.
    pub fn passes(&self) -> usize {
        self.passes.load(Ordering::Relaxed)
    }

    fn run(&self, theta: &[f64], order: Order) -> mle_core::Result<PartialSum> {
        match self.pass(theta, order) {
            Ok((s, _)) => Ok(s),
            Err(e) => {
                let text = e.to_string();
                if let Ok(mut slot) = self.error.lock() {
                    slot.get_or_insert(e);
                }
                Err(MleError::Optimiser(format!("a data pass failed: {text}")))
            }
        }
    }

    /// The first Hessian pass checks the rank of the design from −∇²ℓ's coefficient block
    /// (XᵀWX with W > 0): a dependent column is a typed [`MleError::RankDeficient`]
    /// naming it, kept for [`fit_parquet`] as the in-memory fit reports it.
    fn check_rank_once(&self, s: &PartialSum) -> mle_core::Result<()> {
        if self.rank_checked.swap(true, Ordering::Relaxed) {
            return Ok(());
        }
        let names = self.model.spec().column_names();
        let p = names.len().min(s.dimension());
        let gram = -s.hessian().view((0, 0), (p, p)).into_owned();
        check_gram_rank(&gram, names).inspect_err(|e| {
            if let Ok(mut slot) = self.error.lock() {
                slot.get_or_insert(StreamError::from(e.clone()));
            }
        })
    }

    /// The first data error of a pass, if one stopped the optimiser.
    fn take_error(&self) -> Option<StreamError> {
        self.error.lock().ok().and_then(|mut e| e.take())
    }
}

impl Objective for StreamObjective<'_> {
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
            reason: "a streaming fit keeps only the merged sums of each pass".into(),
        })
    }
}

/// Fits `formula` with `family` on a Parquet file or directory, streaming: memory
/// O(threads × batch + p²), whatever the number of rows; the same estimate as the
/// in-memory formula fit.
///
/// ```no_run
/// use mle_stream::{fit_parquet, StreamFamily, StreamOptions};
/// let f = fit_parquet("big.parquet", "y ~ x1 + x2", StreamFamily::Binomial, &StreamOptions::default()).unwrap();
/// println!("{:?} in {} passes", f.coefficients(), f.passes);
/// ```
pub fn fit_parquet(
    path: impl AsRef<std::path::Path>,
    formula: &str,
    family: StreamFamily,
    options: &StreamOptions,
) -> Result<StreamFit> {
    let started = Instant::now();
    let source = ParquetSource::open(path)?
        .with_batch_size(options.batch_size)
        .with_memory_map(options.memory_map);
    let model = StreamModel::bind(formula, &source, family, options.frame.clone())?;
    let mut extra = usize::from(model.scanned_rows().is_some());
    let objective = StreamObjective::new(&model, &source);
    let mut start_used = Vec::new();
    let mut start_note = None;
    let mut warm = |extra: &mut usize| -> Option<Vec<f64>> {
        let rows = options.warm_start_rows?;
        *extra += 1;
        match warm_start(&model, &source, rows) {
            Ok(s) if s.iter().all(|v| v.is_finite()) => Some(s),
            Ok(_) => {
                start_note = Some("warm start on the Poisson limit (θ̂ = ∞ on the sample); not used".into());
                None
            }
            Err(e) => {
                start_note = Some(format!("warm start failed ({e}); started without it"));
                None
            }
        }
    };
    let fit = match family {
        StreamFamily::Gaussian => least_squares(&objective)?,
        StreamFamily::NegativeBinomial => {
            let start = warm(&mut extra);
            let (fit, start, poisson_passes) = negative_binomial(&objective, start, options)?;
            extra += poisson_passes;
            start_used = start;
            fit
        }
        _ => {
            let p = model.parameters().len();
            let start = warm(&mut extra).unwrap_or_else(|| vec![0.0; p]);
            start_used = start.clone();
            newton(&objective, &start, options)?
        }
    };
    let fit = match &options.covariance {
        CovarianceChoice::Observed => fit,
        CovarianceChoice::Hc0 => sandwich(&objective, fit, false)?,
        CovarianceChoice::Hc1 => sandwich(&objective, fit, true)?,
        CovarianceChoice::Cluster(column) => cluster_sandwich(&objective, fit, column)?,
        // Canonical links (logistic, Poisson) have ∇²ℓ free of y, and the Gaussian's (β, log σ)
        // information at the MLE is block-diagonal XᵀWX/σ̂², 2n either way: expected = observed.
        CovarianceChoice::Expected if family != StreamFamily::NegativeBinomial => match fit.covariance() {
            Some(v) => {
                let v = v.clone();
                fit.with_covariance(
                    "the inverse expected information (= the observed one at θ̂ for this family)",
                    v,
                )?
            }
            None => fit,
        },
        other => {
            return Err(StreamError::NotSupported {
                what: format!(
                    "the covariance `{other:?}` in a streaming {family} fit (observed, hc0, hc1, \
                     cluster:COLUMN; expected for binomial, poisson, gaussian)"
                ),
            })
        }
    };
    let (n_rows, n_dropped) = (source.n_rows(), objective.dropped.load(Ordering::Relaxed) as u64);
    Ok(StreamFit {
        fit,
        spec: model.spec().clone(),
        family,
        passes: objective.passes() + extra,
        n_rows,
        n_dropped,
        wall: started.elapsed(),
        start: start_used,
        start_note,
    })
}

/// The sandwich H⁻¹JH⁻¹ (HC1: times n/(n−p)) with J = Σᵢ sᵢsᵢᵀ from one pass at θ̂ and
/// H⁻¹ the fit's inverse observed information, as `mle_core::covariance` computes it in
/// memory from the score matrix.
fn sandwich(objective: &StreamObjective<'_>, fit: Fit, hc1: bool) -> Result<Fit> {
    let Some(bread) = fit.covariance().cloned() else {
        return Err(StreamError::NotSupported {
            what:
                "a sandwich covariance without the inverse observed information (see the fit's diagnostics)"
                    .into(),
        });
    };
    let (s, _) = objective.pass(fit.estimates().as_slice(), Order::ScoreProducts)?;
    let mut v = &bread * s.hessian() * &bread;
    let label = if hc1 {
        v *= covariance::hc1_factor(fit.n_obs() as f64, fit.estimates().len());
        covariance::CovarianceType::Hc1
    } else {
        covariance::CovarianceType::Hc0
    };
    Ok(fit.with_covariance(label.to_string(), v)?)
}

/// The cluster-robust sandwich H⁻¹(Σ_g S_g S_gᵀ)H⁻¹·G/(G−1)·(n−1)/(n−p) (the HC1 form
/// `--cov cluster:COLUMN` gives in memory, R `sandwich::vcovCL`'s default), the score sums
/// S_g from one more pass reading `column` with the formula's columns.
fn cluster_sandwich(objective: &StreamObjective<'_>, fit: Fit, column: &str) -> Result<Fit> {
    let Some(bread) = fit.covariance().cloned() else {
        return Err(StreamError::NotSupported {
            what: "a cluster-robust covariance without the inverse observed information (see the fit's \
                   diagnostics)"
                .into(),
        });
    };
    let sums = objective.cluster_scores(fit.estimates().as_slice(), column)?;
    let g = sums.clusters();
    if g < 2 {
        return Err(MleError::TooFewClusters {
            clusters: g,
            minimum: 2,
        }
        .into());
    }
    let (n, p) = (fit.n_obs() as f64, fit.estimates().len());
    let v = &bread * sums.meat() * &bread * covariance::cluster_factor(g, n, p, true);
    Ok(fit.with_covariance(covariance::cluster_description(g, true), v)?)
}

/// The engine's safeguarded Newton over the stream (one pass per evaluation); a data error
/// met in a pass is returned as itself.
fn newton(objective: &StreamObjective<'_>, start: &[f64], options: &StreamOptions) -> Result<Fit> {
    let fit = FitOptions::newton()
        .max_iterations(options.max_iterations)
        .fit(objective, start);
    match (fit, objective.take_error()) {
        (_, Some(e)) => Err(e),
        (Ok(f), None) => Ok(f),
        (Err(e), None) => Err(e.into()),
    }
}

/// Negative binomial, as the in-memory `Regression::negative_binomial`: the streamed
/// Poisson fit, one pass for the over-dispersion Σ[(y−μ̂)² − y] and the moment θ₀ (not
/// over-dispersed → the Poisson limit θ̂ = ∞), then the joint Newton on (β, log θ); log θ̂
/// beyond 25 is also the Poisson limit. A finite warm start skips the Poisson stage. Returns
/// the fit, the start and the passes spent outside `objective`.
fn negative_binomial(
    objective: &StreamObjective<'_>,
    warm: Option<Vec<f64>>,
    options: &StreamOptions,
) -> Result<(Fit, Vec<f64>, usize)> {
    let poisson_model = objective.model.with_family(StreamFamily::Poisson);
    let poisson_objective = StreamObjective::new(&poisson_model, objective.source);
    let poisson = |objective_nb: &StreamObjective<'_>| -> Result<Fit> {
        let p = poisson_model.parameters().len();
        let fit = newton(&poisson_objective, &vec![0.0; p], options)?;
        objective_nb
            .n_obs
            .store(poisson_objective.n_obs(), Ordering::Relaxed);
        Ok(fit)
    };
    let limit = |fit: &Fit, reason: &str| -> Result<Fit> {
        Ok(mle_models::negative_binomial::poisson_limit(
            objective, fit, reason,
        )?)
    };
    // The Poisson fit is made once: for the start (without a warm start) and, if θ̂ diverges,
    // for the limit.
    let mut poisson_fit = None;
    let start = match warm {
        Some(start) => start,
        None => {
            let fit = poisson(objective)?;
            let beta: Vec<f64> = fit.estimates().iter().copied().collect();
            let (excess, mu2) = overdispersion_pass(objective, &poisson_model, &beta)?;
            if excess.is_nan() || excess <= 0.0 {
                let reason = "no over-dispersion at the Poisson fit (Σ[(y−μ̂)² − y] ≤ 0): θ̂ = ∞";
                return Ok((limit(&fit, reason)?, beta, poisson_objective.passes()));
            }
            poisson_fit = Some(fit);
            let mut start = beta;
            start.push((mu2 / excess).ln());
            start
        }
    };
    let fit = newton(objective, &start, options)?;
    if fit.estimates()[start.len() - 1] > mle_models::negative_binomial::POISSON_LIMIT_LOG_THETA {
        let poisson_fit = match poisson_fit {
            Some(f) => f,
            None => poisson(objective)?,
        };
        let fit = limit(&poisson_fit, "θ̂ diverges (log θ̂ > 25): θ̂ = ∞")?;
        return Ok((fit, start, poisson_objective.passes()));
    }
    Ok((fit, start, poisson_objective.passes()))
}

/// (Σ wᵢ[(yᵢ − μᵢ)² − yᵢ], Σ wᵢμᵢ²) at the Poisson β over all rows (one pass).
fn overdispersion_pass(
    objective: &StreamObjective<'_>,
    poisson: &StreamModel,
    beta: &[f64],
) -> Result<(f64, f64)> {
    let source = objective.source;
    objective.passes.fetch_add(1, Ordering::Relaxed);
    let add = |a: (f64, f64), b: (f64, f64)| (a.0 + b.0, a.1 + b.1);
    Ok(source
        .pass(
            0..source.row_groups().len(),
            "pass (over-dispersion)",
            |g| {
                source.fold_group(g, poisson.columns(), (0.0, 0.0), |acc, batch| {
                    Ok(add(acc, poisson.batch_overdispersion(batch, beta, source, g)?))
                })
            },
            |a, b| Ok(add(a, b)),
        )?
        .unwrap_or((0.0, 0.0)))
}

/// Gaussian: β̂ from the merged R factor (one pass), σ̂² = RSS/n, then the exact ℓ, ∇ℓ,
/// ∇²ℓ at the estimate (one pass) for the inverse observed information.
/// The R factor of all rows (one pass).
fn factor_pass(objective: &StreamObjective<'_>) -> Result<RFactor> {
    let (model, source) = (objective.model, objective.source);
    let p = model.spec().column_names().len();
    objective.passes.fetch_add(1, Ordering::Relaxed);
    let merged = source.pass(
        0..source.row_groups().len(),
        "pass (R factor)",
        |g| {
            source.fold_group(
                g,
                model.columns(),
                (RFactor::zero(p), RowCount::default()),
                |(f, mut c), batch| {
                    let (b, bc) = model.batch_factor(batch, source, g)?;
                    c.read += bc.read;
                    c.dropped += bc.dropped;
                    Ok((f.merge(&b)?, c))
                },
            )
        },
        |(a, mut ac), (b, bc)| {
            ac.read += bc.read;
            ac.dropped += bc.dropped;
            Ok((a.merge(&b)?, ac))
        },
    )?;
    Ok(merged.map_or_else(|| RFactor::zero(p), |(f, _)| f))
}

/// Xᵀ W r and the RSS at β (one pass, double-double).
fn refinement_pass(objective: &StreamObjective<'_>, beta: &[f64], step: usize) -> Result<Residuals> {
    let (model, source) = (objective.model, objective.source);
    let p = beta.len();
    objective.passes.fetch_add(1, Ordering::Relaxed);
    Ok(source
        .pass(
            0..source.row_groups().len(),
            &format!("pass (refinement {step})"),
            |g| {
                source.fold_group(g, model.columns(), Residuals::zero(p), |acc, batch| {
                    let Some(frame) = model.frame(batch).map_err(|e| model_data_err(source, g, e))? else {
                        return Ok(acc);
                    };
                    let y = model.response(&frame, source, g)?;
                    let part = Residuals::from_rows(
                        frame.design.matrix(),
                        &y,
                        frame.offset.as_deref(),
                        frame.weights.as_deref(),
                        beta,
                    );
                    acc.merge(&part)
                })
            },
            |a, b| a.merge(&b),
        )?
        .unwrap_or_else(|| Residuals::zero(p)))
}

fn least_squares(objective: &StreamObjective<'_>) -> Result<Fit> {
    let p = objective.model.spec().column_names().len();
    let factor = factor_pass(objective)?;
    let r = factor.r.view((0, 0), (p, p));
    check_gram_rank(&(r.transpose() * r), objective.model.spec().column_names())?;
    let n = factor.n as usize;
    if n <= p {
        return Err(MleError::DimensionMismatch {
            what: "observations (must exceed the coefficients)".into(),
            expected: p + 1,
            got: n,
        }
        .into());
    }
    let (mut beta, _) = factor.solve()?;
    // Iterative refinement (corrected semi-normal equations), one pass each; the last
    // pass's residuals give the RSS.
    let mut rss = f64::NAN;
    for step in 0..REFINEMENT_PASSES {
        let g = refinement_pass(objective, beta.as_slice(), step + 1)?;
        rss = g.rss();
        beta = factor.refine(&beta, &g)?;
    }
    let exact = rss.sqrt() <= n.max(p) as f64 * f64::EPSILON * factor.r.column(p).norm();
    if exact || rss.is_nan() || rss <= 0.0 {
        return Err(StreamError::NotSupported {
            what: "an exact least-squares fit (RSS = 0 to working precision) in a streaming fit".into(),
        });
    }
    let sigma2 = rss / n as f64;
    let mut theta: Vec<f64> = beta.iter().copied().collect();
    theta.push(0.5 * sigma2.ln());
    let (s, _) = objective.pass(&theta, Order::Hessian)?;
    let eval = Evaluation {
        value: s.loglik,
        gradient: s.gradient_vector(),
        hessian: s.hessian(),
    };
    let mut covariance = DMatrix::zeros(p + 1, p + 1);
    covariance
        .view_mut((0, 0), (p, p))
        .copy_from(&(factor.unscaled_covariance()? * sigma2));
    covariance[(p, p)] = 1.0 / (2.0 * n as f64);
    Ok(Fit::from_evaluation(
        objective,
        &theta,
        eval,
        Convergence::closed_form("least squares by a streamed Householder R factor (TSQR), refined"),
    )?
    .with_covariance(
        "σ̂²(XᵀWX)⁻¹ from the streamed R factor (= inverse observed information)",
        covariance,
    )?)
}

/// An in-memory fit on the first row groups holding `rows` rows: the starting point.
fn warm_start(model: &StreamModel, source: &ParquetSource, rows: u64) -> Result<Vec<f64>> {
    let mut batches = Vec::new();
    let mut have = 0;
    for g in 0..source.row_groups().len() {
        if have >= rows {
            break;
        }
        source.fold_group(g, model.columns(), (), |_, b| {
            have += b.num_rows() as u64;
            batches.push(b);
            Ok(())
        })?;
    }
    let schema = batches
        .first()
        .map(|b| b.schema())
        .ok_or(StreamError::NotSupported {
            what: "a warm start on no rows".into(),
        })?;
    let table = Table::from_batches(schema, &batches)?;
    let frame = model.spec().apply(&table)?;
    let y: Vec<f64> = match &frame.response {
        Some(Response::Numeric(v)) => v.clone(),
        Some(Response::Factor { codes, .. }) => codes.iter().map(|&c| c as f64).collect(),
        _ => {
            return Err(StreamError::NotSupported {
                what: "this response in a warm start".into(),
            })
        }
    };
    // Columns without a non-zero entry in the sample (a level met later) start at zero.
    let full = frame.design.matrix();
    let kept: Vec<usize> = (0..full.ncols())
        .filter(|&j| full.column(j).iter().any(|v| *v != 0.0))
        .collect();
    let names: Vec<&String> = kept.iter().map(|&j| &frame.design.names()[j]).collect();
    let reduced = Design::new(full.select_columns(&kept), names)?;
    let x = &reduced;
    let (offset, weights) = (frame.offset.as_deref(), frame.weights.as_deref());
    macro_rules! sample_fit {
        ($r:expr) => {{
            let mut r = $r?;
            if let Some(o) = offset {
                r = r.offset(o)?;
            }
            if let Some(w) = weights {
                r = r.weights(w)?;
            }
            let sample: Vec<f64> = r.fit()?.fit().estimates().iter().copied().collect();
            let mut start = vec![0.0; full.ncols()];
            kept.iter().zip(&sample).for_each(|(&j, v)| start[j] = *v);
            // Parameters after the coefficients (the negative binomial's log θ).
            start.extend_from_slice(&sample[kept.len().min(sample.len())..]);
            start
        }};
    }
    Ok(match model.family() {
        StreamFamily::Binomial => sample_fit!(Regression::logistic(x, &y)),
        StreamFamily::Poisson => sample_fit!(Regression::poisson(x, &y)),
        StreamFamily::NegativeBinomial => sample_fit!(Regression::negative_binomial(x, &y)),
        StreamFamily::Gaussian => {
            return Err(StreamError::NotSupported {
                what: "a Gaussian warm start".into(),
            })
        }
    })
}
