//! [`ModelFrame`]: what fitting code consumes — response, design(s), offset, weights.

use serde::{Deserialize, Serialize};

use mle_core::Design;

use crate::error::Result;
use crate::formula::Formula;
use crate::spec::ModelSpec;
use crate::table::Table;

/// What to do with rows that have a missing value (null or NaN) in a used column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum NaAction {
    /// Drop them, as R's `na.omit` (the default); the frame reports the rows kept.
    #[default]
    Omit,
    /// Fail with [`DataError::Missing`](crate::DataError::Missing), naming the first row and
    /// column.
    Error,
}

/// Options for building a frame.
///
/// ```
/// use mle_data::{FrameOptions, NaAction};
/// let o = FrameOptions::default().weights("w").offset("log_exposure").na_action(NaAction::Error);
/// assert_eq!(o.weights.as_deref(), Some("w"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FrameOptions {
    /// A numeric column of prior weights (non-negative, finite).
    pub weights: Option<String>,
    /// A numeric column added to the offset (with any `offset(...)` terms).
    pub offset: Option<String>,
    /// Missing values: drop the rows (default) or fail.
    pub na_action: NaAction,
}

impl FrameOptions {
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

    /// Sets the missing-value action.
    pub fn na_action(mut self, action: NaAction) -> Self {
        self.na_action = action;
        self
    }
}

/// The response, by the form of the formula's left-hand side.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// A numeric column or expression (`y`, `log(y)`); a boolean column gives 0/1.
    Numeric(Vec<f64>),
    /// `cbind(successes, failures)`: successes and trials = successes + failures.
    Binomial {
        /// Successes.
        successes: Vec<f64>,
        /// Trials.
        trials: Vec<f64>,
    },
    /// `Surv(time, status)`; status given as 0/1 (1 = event) or, as R's survival, 1/2
    /// (1 = censored, 2 = event), always returned as 0/1 with 1 = event.
    Surv {
        /// Times.
        time: Vec<f64>,
        /// 1 = event, 0 = censored.
        status: Vec<f64>,
    },
    /// A string, dictionary or `factor(...)` response (e.g. multinomial): levels and the
    /// level index of each row.
    Factor {
        /// Levels, in order.
        levels: Vec<String>,
        /// Level index (0-based) of each row.
        codes: Vec<usize>,
    },
}

impl Response {
    /// Number of observations.
    pub fn len(&self) -> usize {
        match self {
            Response::Numeric(v) => v.len(),
            Response::Binomial { successes, .. } => successes.len(),
            Response::Surv { time, .. } => time.len(),
            Response::Factor { codes, .. } => codes.len(),
        }
    }

    /// Whether there are no observations.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A model frame: the encoded data for one table under a [`ModelSpec`].
///
/// ```
/// use mle_data::{FrameOptions, ModelFrame, Response, Table};
/// let t = Table::from_columns([
///     ("y", vec![Some(1.0), Some(2.0), None, Some(5.0)].into()),
///     ("x", vec![1.0, 2.0, 3.0, 4.0].into()),
/// ])
/// .unwrap();
/// let f = ModelFrame::build("log(y) ~ x + I(x^2)", &t, FrameOptions::default()).unwrap();
/// assert_eq!(f.design.names(), ["(Intercept)", "x", "I(x^2)"]);
/// assert_eq!((f.kept_rows.clone(), f.n_dropped), (vec![0, 1, 3], 1));
/// assert_eq!(f.response, Some(Response::Numeric(vec![0.0, 2f64.ln(), 5f64.ln()])));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelFrame {
    /// The response, if the formula has one (and, for new data, its columns are there).
    pub response: Option<Response>,
    /// The design of the right-hand side (before `|`).
    pub design: Design,
    /// The design of the part after `|`, if any.
    pub second_design: Option<Design>,
    /// Sum of the `offset(...)` terms and the offset column, if any.
    pub offset: Option<Vec<f64>>,
    /// Prior weights, if a weights column was given (and, for new data, is there).
    pub weights: Option<Vec<f64>>,
    /// Row indices (0-based, in the table) of the rows used.
    pub kept_rows: Vec<usize>,
    /// Rows dropped for missing values.
    pub n_dropped: usize,
    /// Term labels of the main part, in model order.
    pub term_labels: Vec<String>,
    /// For each design column, its term's index (1-based; 0 for the intercept), as R's
    /// `attr(model.matrix(...), "assign")`.
    pub assign: Vec<usize>,
    /// Term labels of the part after `|` (empty without one).
    pub second_term_labels: Vec<String>,
    /// `assign` of the part after `|` (empty without one).
    pub second_assign: Vec<usize>,
    pub(crate) spec: ModelSpec,
}

impl ModelFrame {
    /// Parses `formula`, binds it to `table` and encodes the table.
    ///
    /// ```
    /// use mle_data::{FrameOptions, ModelFrame, Table};
    /// let t = Table::from_columns([("y", vec![1.0, 2.0].into()), ("g", vec!["a", "b"].into())]).unwrap();
    /// let e = ModelFrame::build("y ~ log(g)", &t, FrameOptions::default()).unwrap_err();
    /// assert!(e.to_string().contains("`g` is a string column"), "{e}");
    /// ```
    pub fn build(formula: &str, table: &Table, options: FrameOptions) -> Result<ModelFrame> {
        let formula = Formula::parse(formula)?;
        Ok(ModelSpec::bind(&formula, table, options)?.1)
    }

    /// The specification that encoded this frame (re-usable on new data).
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Number of observations (rows kept).
    pub fn n_obs(&self) -> usize {
        self.kept_rows.len()
    }
}
