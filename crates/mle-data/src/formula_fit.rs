//! One call from a formula and a table to a fitted regression ([`FormulaFit`]) that owns its
//! model frame, spec and estimate — R's `glm(y ~ x + g, family, data)`.
//!
//! The fitted value keeps the frame (designs, response, offset, weights) and the [`Fit`];
//! whatever needs the model again (a covariance estimator, a sub-model for `anova`) rebuilds
//! the borrowed [`mle_models::Regression`] on the owned frame, which costs one rank check
//! and no refit.

use std::fmt;
use std::str::FromStr;

use mle_core::covariance::CovarianceType;
use mle_core::{Design, Fit, MleError};
use mle_families::Categorical;
use mle_models::{LinearRegression, QuantileRegression, Regression};
use mle_optim::Model;
use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};
use crate::family_name::Family;
use crate::formula::Formula;
use crate::frame::{FrameOptions, ModelFrame, NaAction, Response};
use crate::spec::ModelSpec;
use crate::table::Table;

/// The covariance estimator of a formula fit (`--cov`).
///
/// ```
/// use mle_data::CovarianceChoice;
/// assert_eq!("hc1".parse::<CovarianceChoice>().unwrap(), CovarianceChoice::Hc1);
/// assert_eq!("cluster:g".parse::<CovarianceChoice>().unwrap(), CovarianceChoice::Cluster("g".into()));
/// assert!("sandwich".parse::<CovarianceChoice>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CovarianceChoice {
    /// Inverse observed information (the default; for the canonical-link GLMs it equals the
    /// expected one).
    #[default]
    Observed,
    /// Inverse expected information.
    Expected,
    /// Sandwich HC0.
    Hc0,
    /// Sandwich HC1 = n/(n−p)·HC0.
    Hc1,
    /// Cluster-robust (HC1 form) with the clusters in the named column.
    Cluster(String),
}

impl FromStr for CovarianceChoice {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "observed" => Ok(CovarianceChoice::Observed),
            "expected" => Ok(CovarianceChoice::Expected),
            "hc0" => Ok(CovarianceChoice::Hc0),
            "hc1" => Ok(CovarianceChoice::Hc1),
            _ => match s.strip_prefix("cluster:") {
                Some(column) if !column.is_empty() => Ok(CovarianceChoice::Cluster(column.to_string())),
                _ => Err(DataError::NotSupported {
                    what: format!("covariance `{s}` (choices: observed, expected, hc0, hc1, cluster:COLUMN)"),
                }),
            },
        }
    }
}

impl fmt::Display for CovarianceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CovarianceChoice::Observed => f.write_str("observed"),
            CovarianceChoice::Expected => f.write_str("expected"),
            CovarianceChoice::Hc0 => f.write_str("hc0"),
            CovarianceChoice::Hc1 => f.write_str("hc1"),
            CovarianceChoice::Cluster(c) => write!(f, "cluster:{c}"),
        }
    }
}

/// Options of [`FormulaFit::fit`] beyond the formula, table and family.
///
/// ```
/// use mle_data::{CovarianceChoice, FormulaOptions};
/// let o = FormulaOptions::default().weights("w").covariance(CovarianceChoice::Hc0).tau(0.9);
/// assert_eq!((o.weights.as_deref(), o.tau), (Some("w"), 0.9));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormulaOptions {
    /// The link (only each family's canonical link is implemented; `None` = canonical).
    pub link: Option<String>,
    /// A column of prior weights.
    pub weights: Option<String>,
    /// A column added to the offset (with any `offset(...)` in the formula).
    pub offset: Option<String>,
    /// The covariance estimator.
    pub covariance: CovarianceChoice,
    /// The quantile of [`Family::Quantile`].
    pub tau: f64,
    /// Missing values: drop rows (default, as `na.omit`) or fail.
    pub na_action: NaAction,
}

impl Default for FormulaOptions {
    fn default() -> Self {
        FormulaOptions {
            link: None,
            weights: None,
            offset: None,
            covariance: CovarianceChoice::Observed,
            tau: 0.5,
            na_action: NaAction::Omit,
        }
    }
}

impl FormulaOptions {
    /// Sets the weights column.
    pub fn weights(mut self, column: impl Into<String>) -> Self {
        self.weights = Some(column.into());
        self
    }

    /// Sets the offset column.
    pub fn offset(mut self, column: impl Into<String>) -> Self {
        self.offset = Some(column.into());
        self
    }

    /// Sets the covariance estimator.
    pub fn covariance(mut self, choice: CovarianceChoice) -> Self {
        self.covariance = choice;
        self
    }

    /// Sets the quantile (quantile regression).
    pub fn tau(mut self, tau: f64) -> Self {
        self.tau = tau;
        self
    }

    /// Sets the link by name.
    pub fn link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }
}

/// A regression fitted from a formula and a table; owns its frame, spec and estimate.
///
/// ```
/// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
/// let t = Table::from_columns([
///     ("y", vec![Some(0.0), Some(1.0), Some(0.0), Some(1.0), Some(1.0), None].into()),
///     ("dose", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0].into()),
/// ])
/// .unwrap();
/// let m = FormulaFit::fit("y ~ dose", &t, Family::Binomial, FormulaOptions::default()).unwrap();
/// assert_eq!((m.n_obs(), m.n_dropped()), (5, 1));
/// assert_eq!(m.coefficient_names(), ["(Intercept)", "dose"]);
/// assert!(m.estimate().convergence().converged());
/// ```
#[derive(Debug, Clone)]
pub struct FormulaFit {
    pub(crate) family: Family,
    pub(crate) frame: ModelFrame,
    pub(crate) y: Vec<f64>,
    pub(crate) response_levels: Option<Vec<String>>,
    pub(crate) fit: Fit,
    pub(crate) options: FormulaOptions,
    pub(crate) null_deviance: Option<f64>,
}

pub(crate) fn model_err(e: MleError) -> DataError {
    DataError::Model(e)
}

/// The fitted model with the chosen covariance, as an owned [`Fit`].
fn finish<M: Model + Clone>(model: M, covariance: &Option<CovarianceType>) -> Result<Fit> {
    let fitted = model.fit().map_err(model_err)?;
    match covariance {
        None => Ok(fitted.into_fit()),
        Some(kind) => Ok(fitted
            .with_covariance(kind.clone())
            .map_err(model_err)?
            .into_fit()),
    }
}

/// Multinomial logit with K + 1 classes: the const generic K chosen at run time.
macro_rules! multinomial {
    ($k:expr, $x:expr, $y:expr, $w:expr, $cov:expr; $($n:literal)*) => {
        match $k {
            $($n => {
                let mut r = Regression::<Categorical<$n>, $n>::multinomial($x, $y).map_err(model_err)?;
                if let Some(w) = $w {
                    r = r.weights(w).map_err(model_err)?;
                }
                finish(r, $cov)
            })*
            k => Err(DataError::NotSupported {
                what: format!("a multinomial response with {} classes (2 to 16 are supported)", k + 1),
            }),
        }
    };
}

impl FormulaFit {
    /// Parses `formula`, binds it to `table` (rows with a missing value in a used column are
    /// dropped and counted), and fits `family`.
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let t = Table::from_columns([
    ///     ("y", vec![1.0, 2.1, 2.9, 4.2, 5.0].into()),
    ///     ("x", vec![1.0, 2.0, 3.0, 4.0, 5.0].into()),
    /// ])
    /// .unwrap();
    /// let m = FormulaFit::fit("y ~ x", &t, Family::Gaussian, FormulaOptions::default()).unwrap();
    /// assert!((m.coefficients()[1] - 1.01).abs() < 1e-12); // Sxy / Sxx = 10.1 / 10
    /// let e = FormulaFit::fit("y ~ z", &t, Family::Gaussian, FormulaOptions::default()).unwrap_err();
    /// assert!(e.to_string().contains("no column `z`"), "{e}");
    /// ```
    pub fn fit(formula: &str, table: &Table, family: Family, options: FormulaOptions) -> Result<FormulaFit> {
        if let Some(link) = &options.link {
            family.check_link(link)?;
        }
        let parsed = Formula::parse(formula)?;
        let frame_options = FrameOptions {
            weights: options.weights.clone(),
            offset: options.offset.clone(),
            na_action: options.na_action,
        };
        let (_, frame) = ModelSpec::bind(&parsed, table, frame_options)?;
        let (y, response_levels) = response_values(family, &frame)?;
        let covariance = covariance_type(&options.covariance, table, &frame)?;
        let fit = estimate(family, &frame, &y, &options, &covariance)?;
        let mut model = FormulaFit {
            family,
            frame,
            y,
            response_levels,
            fit,
            options,
            null_deviance: None,
        };
        model.null_deviance = model.compute_null_deviance()?;
        Ok(model)
    }

    /// The family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The formula, as written.
    pub fn formula(&self) -> &str {
        self.frame.spec().formula()
    }

    /// The spec (re-applied to new data by [`FormulaFit::predict`]).
    pub fn spec(&self) -> &ModelSpec {
        self.frame.spec()
    }

    /// The model frame the model was fitted on.
    pub fn frame(&self) -> &ModelFrame {
        &self.frame
    }

    /// The estimate: all parameters (working scale), covariance, convergence, diagnostics.
    pub fn estimate(&self) -> &Fit {
        &self.fit
    }

    /// The options it was fitted with.
    pub fn options(&self) -> &FormulaOptions {
        &self.options
    }

    /// The response as numbers (0/1 for a two-level factor, class codes for multinomial).
    pub fn response(&self) -> &[f64] {
        &self.y
    }

    /// The levels of a factor response (binomial or multinomial), if it was one.
    pub fn response_levels(&self) -> Option<&[String]> {
        self.response_levels.as_deref()
    }

    /// Observations used.
    pub fn n_obs(&self) -> usize {
        self.frame.n_obs()
    }

    /// Rows dropped for missing values.
    pub fn n_dropped(&self) -> usize {
        self.frame.n_dropped
    }

    /// Number of mean coefficients (columns of the main design; for multinomial, per class).
    pub fn n_coefficients(&self) -> usize {
        match self.family {
            Family::Multinomial => self.fit.parameters().len(),
            _ => self.frame.design.ncols(),
        }
    }

    /// The coefficients' names (the design's column names; multinomial: `class<c>:<column>`).
    pub fn coefficient_names(&self) -> Vec<String> {
        self.fit.parameters()[..self.n_coefficients()]
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    /// The coefficient estimates.
    pub fn coefficients(&self) -> Vec<f64> {
        self.fit.estimates().as_slice()[..self.n_coefficients()].to_vec()
    }
}

/// The response as the family needs it.
fn response_values(family: Family, frame: &ModelFrame) -> Result<(Vec<f64>, Option<Vec<String>>)> {
    let response = frame.response.as_ref().ok_or_else(|| DataError::NotSupported {
        what: "a formula without a response (`~ x`) cannot be fitted".into(),
    })?;
    match (family, response) {
        (Family::Multinomial, Response::Factor { levels, codes }) => {
            Ok((codes.iter().map(|&c| c as f64).collect(), Some(levels.clone())))
        }
        (Family::Multinomial, _) => Err(DataError::NotSupported {
            what: "a multinomial fit needs a factor (string) response".into(),
        }),
        (Family::Binomial, Response::Factor { levels, codes }) if levels.len() == 2 => {
            Ok((codes.iter().map(|&c| c as f64).collect(), Some(levels.clone())))
        }
        (Family::Binomial, Response::Binomial { .. }) => Err(DataError::NotSupported {
            what: "a cbind(successes, failures) response: it needs the binomial-with-trials family; \
                   give a 0/1 response"
                .into(),
        }),
        (_, Response::Numeric(v)) => Ok((v.clone(), None)),
        (f, Response::Factor { levels, .. }) => Err(DataError::NotSupported {
            what: format!(
                "a factor response ({} levels) for the {f} family (binomial takes two levels, \
                 multinomial two or more)",
                levels.len()
            ),
        }),
        (f, _) => Err(DataError::NotSupported {
            what: format!("this form of response (cbind or Surv) for the {f} family"),
        }),
    }
}

/// Cluster labels of the kept rows: each distinct value of the column (as text) one cluster.
fn cluster_labels(table: &Table, column: &str, frame: &ModelFrame) -> Result<Vec<u64>> {
    let array = table.column(column).ok_or_else(|| DataError::NoColumn {
        column: column.to_string(),
        context: "the table (cluster column)".into(),
        available: table.column_names(),
    })?;
    let text = arrow_cast::cast(array, &arrow_schema::DataType::Utf8).map_err(|source| DataError::Arrow {
        context: format!("cluster column `{column}`"),
        source,
    })?;
    let text = text
        .as_any()
        .downcast_ref::<arrow_array::StringArray>()
        .ok_or_else(|| DataError::InvalidSpec("cast to Utf8 gave another type".into()))?;
    let mut seen: Vec<String> = Vec::new();
    let mut labels = Vec::with_capacity(frame.kept_rows.len());
    for &row in &frame.kept_rows {
        if arrow_array::Array::is_null(text, row) {
            return Err(DataError::Missing {
                row,
                column: column.to_string(),
            });
        }
        let v = text.value(row);
        let id = match seen.iter().position(|s| s == v) {
            Some(i) => i,
            None => {
                seen.push(v.to_string());
                seen.len() - 1
            }
        };
        labels.push(id as u64);
    }
    Ok(labels)
}

fn covariance_type(
    choice: &CovarianceChoice,
    table: &Table,
    frame: &ModelFrame,
) -> Result<Option<CovarianceType>> {
    Ok(match choice {
        CovarianceChoice::Observed => None,
        CovarianceChoice::Expected => Some(CovarianceType::Expected),
        CovarianceChoice::Hc0 => Some(CovarianceType::Hc0),
        CovarianceChoice::Hc1 => Some(CovarianceType::Hc1),
        CovarianceChoice::Cluster(column) => Some(CovarianceType::Cluster {
            clusters: cluster_labels(table, column, frame)?,
            hc1: true,
        }),
    })
}

/// Fits the family on the frame.
fn estimate(
    family: Family,
    frame: &ModelFrame,
    y: &[f64],
    options: &FormulaOptions,
    covariance: &Option<CovarianceType>,
) -> Result<Fit> {
    let x = &frame.design;
    let (offset, weights) = (frame.offset.as_deref(), frame.weights.as_deref());
    if frame.second_design.is_some() && family != Family::Gaussian {
        return Err(DataError::NotSupported {
            what: format!("a `|` part for the {family} family (only gaussian models log σ = Zγ)"),
        });
    }
    match family {
        Family::Gaussian => match &frame.second_design {
            None => {
                let mut m = LinearRegression::new(x, y).map_err(model_err)?;
                if let Some(o) = offset {
                    m = m.offset(o).map_err(model_err)?;
                }
                if let Some(w) = weights {
                    m = m.weights(w).map_err(model_err)?;
                }
                finish(m, covariance)
            }
            Some(z) => {
                let mut m = Regression::heteroscedastic(x, z, y).map_err(model_err)?;
                if let Some(o) = offset {
                    m = m.offset(o).map_err(model_err)?;
                }
                if let Some(w) = weights {
                    m = m.weights(w).map_err(model_err)?;
                }
                finish(m, covariance)
            }
        },
        Family::Binomial | Family::Poisson | Family::StudentT => {
            glm_like(family, x, y, offset, weights, covariance)
        }
        Family::Multinomial => {
            if offset.is_some() {
                return Err(DataError::NotSupported {
                    what: "an offset in a multinomial fit".into(),
                });
            }
            let k = frame_classes(y) - 1;
            multinomial!(k, x, y, weights, covariance;
                1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
        }
        Family::Quantile => {
            if weights.is_some() || covariance.is_some() {
                return Err(DataError::NotSupported {
                    what: "weights or a --cov choice in quantile regression (its covariance is \
                           the sparsity (nid) estimate)"
                        .into(),
                });
            }
            let target: Vec<f64> = match offset {
                Some(o) => y.iter().zip(o).map(|(a, b)| a - b).collect(),
                None => y.to_vec(),
            };
            QuantileRegression::new(options.tau)
                .map_err(model_err)?
                .fit(x, &target)
                .map(mle_optim::Fitted::into_fit)
                .map_err(model_err)
        }
    }
}

fn frame_classes(y: &[f64]) -> usize {
    y.iter().fold(0usize, |m, &c| m.max(c as usize + 1))
}

/// Binomial, Poisson and Student-t regressions (one mean predictor with an offset).
fn glm_like(
    family: Family,
    x: &Design,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
    covariance: &Option<CovarianceType>,
) -> Result<Fit> {
    macro_rules! with_data {
        ($r:expr) => {{
            let mut r = $r.map_err(model_err)?;
            if let Some(o) = offset {
                r = r.offset(o).map_err(model_err)?;
            }
            if let Some(w) = weights {
                r = r.weights(w).map_err(model_err)?;
            }
            finish(r, covariance)
        }};
    }
    match family {
        Family::Binomial => with_data!(Regression::logistic(x, y)),
        Family::Poisson => with_data!(Regression::poisson(x, y)),
        _ => with_data!(Regression::student_t(x, y)),
    }
}

/// Refits a binomial or Poisson GLM on a sub-design (anova, drop1, the null model): β̂.
pub(crate) fn refit_glm(
    family: Family,
    x: &Design,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
) -> Result<Vec<f64>> {
    let fit = match family {
        Family::Gaussian => {
            let mut m = LinearRegression::new(x, y).map_err(model_err)?;
            if let Some(o) = offset {
                m = m.offset(o).map_err(model_err)?;
            }
            if let Some(w) = weights {
                m = m.weights(w).map_err(model_err)?;
            }
            m.estimate(&Default::default()).map_err(model_err)?
        }
        _ => glm_like(family, x, y, offset, weights, &None)?,
    };
    if !fit.convergence().converged() {
        return Err(model_err(MleError::NoConvergence {
            reason: format!(
                "the fit of the sub-model on {:?} did not converge: {}",
                x.names(),
                fit.convergence().reason()
            ),
            iterations: fit.convergence().iterations,
            gradient_norm: fit.gradient().norm(),
            last: fit.estimates().iter().copied().collect(),
        }));
    }
    Ok(fit.estimates().as_slice()[..x.ncols()].to_vec())
}
