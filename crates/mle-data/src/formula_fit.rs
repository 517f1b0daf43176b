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
use mle_core::Fit;
use mle_families::Binomial;
use mle_models::CutPoint;
use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};
pub(crate) use crate::estimate::model_err;
use crate::estimate::{estimate, glm_nb_covariance, without_intercept, FitData};
use crate::family_name::Family;
use crate::formula::ast::ExprKind;
use crate::formula::Formula;
use crate::frame::{FrameOptions, ModelFrame, NaAction, Response};
use crate::response::ResponseSpec;
use crate::spec::ModelSpec;
use crate::table::Table;

/// The covariance estimator of a formula fit (`--cov`).
///
/// ```
/// use mle_data::CovarianceChoice;
/// assert_eq!("hc1".parse::<CovarianceChoice>().unwrap(), CovarianceChoice::Hc1);
/// assert_eq!("cluster:g".parse::<CovarianceChoice>().unwrap(), CovarianceChoice::Cluster("g".into()));
/// assert_eq!("glm-nb".parse::<CovarianceChoice>().unwrap().to_string(), "glm-nb");
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
    /// `MASS::glm.nb`'s convention (negative binomial only): (XᵀWX)⁻¹ at θ̂ held fixed for
    /// β, the inverse observed information of log θ at β̂ held fixed, no cross terms — the
    /// standard errors `summary(glm.nb)` prints, and `SE.theta` on the natural scale.
    GlmNb,
}

impl FromStr for CovarianceChoice {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "observed" => Ok(CovarianceChoice::Observed),
            "expected" => Ok(CovarianceChoice::Expected),
            "hc0" => Ok(CovarianceChoice::Hc0),
            "hc1" => Ok(CovarianceChoice::Hc1),
            "glm-nb" | "glm.nb" => Ok(CovarianceChoice::GlmNb),
            _ => match s.strip_prefix("cluster:") {
                Some(column) if !column.is_empty() => Ok(CovarianceChoice::Cluster(column.to_string())),
                _ => Err(DataError::NotSupported {
                    what: format!(
                        "covariance `{s}` (choices: observed, expected, hc0, hc1, cluster:COLUMN, glm-nb)"
                    ),
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
            CovarianceChoice::GlmNb => f.write_str("glm-nb"),
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
    /// The link by R's name (`None` = the family's default, [`Family::links`] lists them).
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
    /// The levels of a factor response in order (as `ordered(y, levels = c(..))` in the
    /// formula): needed by the ordinal family for a string response.
    pub levels: Option<Vec<String>>,
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
            levels: None,
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

    /// Gives the order of the response's levels: the response `y` is read as
    /// `ordered(y, levels = c(..))` (the first level is the lowest; for binomial the second is
    /// the success, for multinomial the first is the baseline). A value not among them is
    /// an error naming its row.
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let t = Table::from_columns([
    ///     ("s", vec!["lo", "mid", "hi", "mid", "lo", "hi", "mid", "hi"].into()),
    ///     ("x", vec![1.0, 2.0, 3.0, 1.5, 2.5, 2.0, 3.5, 4.0].into()),
    /// ])
    /// .unwrap();
    /// let m = FormulaFit::fit("s ~ x", &t, Family::Ordinal, FormulaOptions::default().levels(["lo", "mid", "hi"]))
    ///     .unwrap();
    /// let cuts: Vec<String> = m.cut_points().unwrap().iter().map(|c| c.name.clone()).collect();
    /// assert_eq!(cuts, ["lo|mid", "mid|hi"]);
    /// // Without the order, a string response is not ordered by its spelling:
    /// let e = FormulaFit::fit("s ~ x", &t, Family::Ordinal, FormulaOptions::default()).unwrap_err();
    /// assert!(e.to_string().contains("ordered(s, levels = c("), "{e}");
    /// ```
    pub fn levels<S: Into<String>>(mut self, levels: impl IntoIterator<Item = S>) -> Self {
        self.levels = Some(levels.into_iter().map(Into::into).collect());
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
    pub(crate) link: String,
    pub(crate) frame: ModelFrame,
    pub(crate) data: FitData,
    pub(crate) response_levels: Option<Vec<String>>,
    pub(crate) fit: Fit,
    pub(crate) cuts: Option<Vec<CutPoint>>,
    pub(crate) options: FormulaOptions,
    pub(crate) null_deviance: Option<f64>,
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
        let link = options
            .link
            .clone()
            .unwrap_or_else(|| family.default_link().to_string());
        family.check_link(&link)?;
        let mut parsed = Formula::parse(formula)?;
        if let Some(levels) = &options.levels {
            parsed = parsed.with_response_levels(levels)?;
        }
        let frame_options = FrameOptions {
            weights: options.weights.clone(),
            offset: options.offset.clone(),
            na_action: options.na_action,
        };
        let (_, mut frame) = ModelSpec::bind(&parsed, table, frame_options)?;
        if family == Family::Ordinal {
            check_ordered_response(frame.spec())?;
        }
        if family == Family::Ordinal {
            // MASS::polr drops the intercept: the cut-points are the intercepts.
            frame.design = without_intercept(&frame.design)?;
            frame.assign.retain(|&a| a != 0);
        }
        let (data, response_levels) = response_data(family, &link, &frame)?;
        let covariance = covariance_type(&options.covariance, table, &frame)?;
        let est = estimate(
            family,
            &link,
            &frame.design,
            frame.second_design.as_ref(),
            &data,
            &covariance,
            options.tau,
        )?;
        let cuts = est.cuts.map(|cuts| name_cuts(cuts, response_levels.as_deref()));
        let mut fit = match options.covariance {
            CovarianceChoice::GlmNb => glm_nb_covariance(family, &frame.design, &data, est.fit)?,
            _ => est.fit,
        };
        if let Some(cuts) = &cuts {
            fit = name_cut_parameters(fit, cuts)?;
        }
        let mut model = FormulaFit {
            family,
            link,
            frame,
            data,
            response_levels,
            fit,
            cuts,
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

    /// The link it was fitted with (R's name; the family's default unless
    /// [`FormulaOptions::link`] chose another).
    pub fn link(&self) -> &str {
        &self.link
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

    /// The response as numbers: 0/1 for a two-level factor, the proportion s/n for a
    /// binomial with trials, the time of `Surv(time, status)`, class codes (0-based for
    /// multinomial, 1-based for ordinal).
    pub fn response(&self) -> &[f64] {
        &self.data.y
    }

    /// The trials of a binomial fit (`cbind(s, f)`: s + f; a proportion: the weights; a 0/1
    /// response: 1), `None` for the other families.
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let t = Table::from_columns([
    ///     ("s", vec![1.0, 4.0, 9.0, 13.0].into()),
    ///     ("f", vec![19.0, 16.0, 11.0, 7.0].into()),
    ///     ("dose", vec![0.0, 1.0, 2.0, 3.0].into()),
    /// ])
    /// .unwrap();
    /// let m = FormulaFit::fit("cbind(s, f) ~ dose", &t, Family::Binomial, FormulaOptions::default().link("probit")).unwrap();
    /// assert_eq!(m.trials(), Some(vec![20.0; 4]));
    /// assert_eq!(m.response(), [0.05, 0.2, 0.45, 0.65]);
    /// assert_eq!(m.link(), "probit");
    /// ```
    pub fn trials(&self) -> Option<Vec<f64>> {
        if self.family != Family::Binomial {
            return None;
        }
        Some(match &self.data.pairs {
            Some(pairs) => pairs.iter().map(|p| p.1).collect(),
            None => vec![1.0; self.data.y.len()],
        })
    }

    /// The status (1 = event, 0 = censored) of a survival fit (`Surv(time, status)`, status
    /// given as 0/1 or 1/2); its times are [`FormulaFit::response`].
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let t = Table::from_columns([
    ///     ("time", vec![5.0, 8.0, 12.0, 20.0, 3.0, 15.0, 9.0, 30.0].into()),
    ///     ("status", vec![2.0, 2.0, 2.0, 1.0, 2.0, 2.0, 1.0, 2.0].into()),
    ///     ("x", vec![0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0].into()),
    /// ])
    /// .unwrap();
    /// let m = FormulaFit::fit("Surv(time, status) ~ x", &t, Family::Weibull, FormulaOptions::default()).unwrap();
    /// assert_eq!(m.status().unwrap(), [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0]);
    /// assert_eq!(m.coefficient_names(), ["(Intercept)", "x"]);
    /// assert!(m.extra_rows().iter().any(|r| r.term == "Log(scale)"));
    /// ```
    pub fn status(&self) -> Option<Vec<f64>> {
        if !self.family.is_survival() {
            return None;
        }
        self.data.pairs.as_ref().map(|p| p.iter().map(|p| p.1).collect())
    }

    /// The cut-points of an ordinal fit (`a|b` by the response levels) with delta-method
    /// standard errors from the fit's covariance.
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let x: Vec<f64> = (0..30).map(|i| (i % 6) as f64).collect();
    /// let y: Vec<&str> = (0..30).map(|i| ["lo", "lo", "mid", "mid", "top", "top"][(i + i / 7) % 6]).collect();
    /// let t = Table::from_columns([("y", y.into()), ("x", x.into())]).unwrap();
    /// let m = FormulaFit::fit(r#"ordered(y, levels = c("lo", "mid", "top")) ~ x"#, &t, Family::Ordinal, FormulaOptions::default()).unwrap();
    /// let cuts = m.cut_points().unwrap();
    /// assert_eq!((cuts[0].name.as_str(), cuts[1].name.as_str()), ("lo|mid", "mid|top"));
    /// assert!(cuts[0].estimate < cuts[1].estimate);
    /// assert_eq!(m.coefficient_names(), ["x"]); // no intercept: the cut-points are
    /// ```
    pub fn cut_points(&self) -> Option<&[CutPoint]> {
        self.cuts.as_deref()
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
        match (self.family, &self.frame.second_design) {
            (Family::Multinomial, _) => self.fit.parameters().len(),
            (Family::Zip | Family::Zinb, Some(z)) => self.frame.design.ncols() + z.ncols(),
            (Family::Zip | Family::Zinb, None) => 2 * self.frame.design.ncols(),
            _ => self.frame.design.ncols(),
        }
    }

    /// The coefficients' names (the design's column names; multinomial: `class<c>:<column>`;
    /// zero-inflated: `<column>` then `zero_<column>`).
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

/// Cut-points named by the response levels (`MASS::polr`'s `low|medium`).
fn name_cuts(mut cuts: Vec<CutPoint>, levels: Option<&[String]>) -> Vec<CutPoint> {
    if let Some(levels) = levels {
        for (j, c) in cuts.iter_mut().enumerate() {
            if j + 1 < levels.len() {
                c.name = format!("{}|{}", levels[j], levels[j + 1]);
            }
        }
    }
    cuts
}

/// The ordinal fit's working cut parameters (the last K − 1: the first cut-point, then the
/// logs of the increments) named by the cut-points' names (`Low|Medium`, `log(Medium|High -
/// Low|Medium)`), as the family names them by number.
fn name_cut_parameters(fit: Fit, cuts: &[CutPoint]) -> Result<Fit> {
    let base = fit.parameters().len().saturating_sub(cuts.len());
    let mut fit = fit;
    for (j, c) in cuts.iter().enumerate() {
        let (name, natural) = if j == 0 {
            (c.name.clone(), c.name.clone())
        } else {
            let increment = format!("{} - {}", c.name, cuts[j - 1].name);
            (format!("log({increment})"), increment)
        };
        fit = fit
            .with_parameter_name(base + j, name, natural)
            .map_err(model_err)?;
    }
    Ok(fit)
}

fn codes(codes: &[usize], shift: usize) -> Vec<f64> {
    codes.iter().map(|&c| (c + shift) as f64).collect()
}

/// The response data of a 0/1, `cbind(s, f)` or proportion (with weights = trials) binomial.
fn binomial_data(link: &str, frame: &ModelFrame, response: &Response) -> Result<FitData> {
    let weights = frame.weights.clone();
    let base = |y: Vec<f64>| FitData {
        pairs: (link != "logit").then(|| Binomial::binary_trials(&y)),
        y,
        prior_weights: weights.clone(),
        weights: weights.clone(),
        offset: frame.offset.clone(),
        classes: 2,
    };
    match response {
        Response::Factor { codes: c, .. } => Ok(base(codes(c, 0))),
        Response::Binomial { successes, trials } => {
            let y: Vec<f64> = successes
                .iter()
                .zip(trials)
                .map(|(&s, &n)| if n == 0.0 { 0.0 } else { s / n })
                .collect();
            let prior = (0..y.len())
                .map(|i| trials[i] * weights.as_ref().map_or(1.0, |w| w[i]))
                .collect();
            Ok(FitData {
                y,
                pairs: Some(successes.iter().copied().zip(trials.iter().copied()).collect()),
                weights,
                prior_weights: Some(prior),
                offset: frame.offset.clone(),
                classes: 2,
            })
        }
        Response::Numeric(v) if v.iter().all(|&y| y == 0.0 || y == 1.0) => Ok(base(v.clone())),
        Response::Numeric(v) => {
            let bad = v.iter().position(|&y| !(0.0..=1.0).contains(&y));
            let (Some(w), None) = (&weights, bad) else {
                return Err(DataError::InvalidValue {
                    row: frame.kept_rows[bad.unwrap_or(0)],
                    column: "response".into(),
                    reason: "a binomial response is 0/1, a proportion in [0, 1] with weights = trials, \
                             or cbind(successes, failures)"
                        .into(),
                });
            };
            Ok(FitData {
                pairs: Some(v.iter().zip(w).map(|(&y, &n)| (y * n, n)).collect()),
                y: v.clone(),
                weights: None,
                prior_weights: Some(w.clone()),
                offset: frame.offset.clone(),
                classes: 2,
            })
        }
        Response::Surv { .. } => Err(DataError::NotSupported {
            what: "a Surv(time, status) response for the binomial family".into(),
        }),
    }
}

/// An ordinal fit needs levels in an order that means something (numbers, booleans, or
/// given), never the spelling of strings.
fn check_ordered_response(spec: &ModelSpec) -> Result<()> {
    match spec.response() {
        Some(ResponseSpec::Factor {
            expr, levels, order, ..
        }) if !order.is_meaningful() => Err(DataError::UnorderedResponse {
            column: match &expr.kind {
                ExprKind::Call { args, .. } if !args.is_empty() => crate::spec::column_label(&args[0]),
                _ => crate::spec::column_label(expr),
            },
            levels: levels.clone(),
        }),
        _ => Ok(()),
    }
}

/// The response as the family needs it (and the levels of a factor response).
fn response_data(family: Family, link: &str, frame: &ModelFrame) -> Result<(FitData, Option<Vec<String>>)> {
    let response = frame.response.as_ref().ok_or_else(|| DataError::NotSupported {
        what: "a formula without a response (`~ x`) cannot be fitted".into(),
    })?;
    let simple = |y: Vec<f64>, classes: usize| FitData {
        y,
        pairs: None,
        weights: frame.weights.clone(),
        prior_weights: frame.weights.clone(),
        offset: frame.offset.clone(),
        classes,
    };
    match (family, response) {
        (Family::Binomial, Response::Factor { levels, .. }) if levels.len() == 2 => {
            Ok((binomial_data(link, frame, response)?, Some(levels.clone())))
        }
        (Family::Binomial, r @ (Response::Numeric(_) | Response::Binomial { .. })) => {
            Ok((binomial_data(link, frame, r)?, None))
        }
        (Family::Multinomial, Response::Factor { levels, codes: c }) => {
            Ok((simple(codes(c, 0), levels.len()), Some(levels.clone())))
        }
        (Family::Ordinal, Response::Factor { levels, codes: c }) => {
            Ok((simple(codes(c, 1), levels.len()), Some(levels.clone())))
        }
        (Family::Multinomial | Family::Ordinal, _) => Err(DataError::NotSupported {
            what: format!("a {family} fit needs a factor response (a string column or factor(y))"),
        }),
        (f, Response::Surv { time, status }) if f.is_survival() => {
            let mut data = simple(time.clone(), 0);
            data.pairs = Some(time.iter().copied().zip(status.iter().copied()).collect());
            Ok((data, None))
        }
        (f, _) if f.is_survival() => Err(DataError::NotSupported {
            what: format!("the {f} family needs a Surv(time, status) response"),
        }),
        (_, Response::Numeric(v)) => Ok((simple(v.clone(), 0), None)),
        (f, Response::Factor { levels, .. }) => Err(DataError::NotSupported {
            what: format!(
                "a factor response ({} levels) for the {f} family (binomial takes two levels, \
                 multinomial and ordinal two or more)",
                levels.len()
            ),
        }),
        (f, Response::Binomial { .. }) => Err(DataError::NotSupported {
            what: format!("a cbind(successes, failures) response for the {f} family (binomial takes it)"),
        }),
        (f, Response::Surv { .. }) => Err(DataError::NotSupported {
            what: format!(
                "a Surv(time, status) response for the {f} family (weibull, exponential, lognormal, loglogistic take it)"
            ),
        }),
    }
}
/// Cluster labels of the kept rows: each distinct value of the column (as text) one cluster.
fn cluster_labels(table: &Table, column: &str, frame: &ModelFrame) -> Result<Vec<u64>> {
    let text = crate::eval::text_column(table, column)?;
    let mut seen: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    let mut labels = Vec::with_capacity(frame.kept_rows.len());
    for &row in &frame.kept_rows {
        if arrow_array::Array::is_null(&text, row) {
            return Err(DataError::Missing {
                row,
                column: column.to_string(),
            });
        }
        let next = seen.len() as u64;
        labels.push(*seen.entry(text.value(row)).or_insert(next));
    }
    Ok(labels)
}

fn covariance_type(
    choice: &CovarianceChoice,
    table: &Table,
    frame: &ModelFrame,
) -> Result<Option<CovarianceType>> {
    Ok(match choice {
        CovarianceChoice::Observed | CovarianceChoice::GlmNb => None,
        CovarianceChoice::Expected => Some(CovarianceType::Expected),
        CovarianceChoice::Hc0 => Some(CovarianceType::Hc0),
        CovarianceChoice::Hc1 => Some(CovarianceType::Hc1),
        CovarianceChoice::Cluster(column) => Some(CovarianceType::Cluster {
            clusters: cluster_labels(table, column, frame)?,
            hc1: true,
        }),
    })
}
