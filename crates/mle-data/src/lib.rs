//! Tables, R-style model formulas and re-usable model specifications for `mle`.
//!
//! * [`Table`]: an Arrow table read from CSV or Parquet (or built in memory), written back
//!   to either.
//! * [`Formula`]: a hand-written parser of R's model formulas, expanded into terms exactly as
//!   R's `terms()` does.
//! * [`ModelSpec`] / [`ModelFrame`]: a formula bound to training data (variable kinds, factor
//!   levels, columns, R's `assign`), giving the response, the design matrix
//!   ([`mle_core::Design`]), offsets and weights; the spec re-applies the same encoding to new
//!   data.
//! * [`FormulaFit`]: one call from a formula, a table and a [`Family`] to a fitted regression
//!   that owns its frame and spec (R's `glm(y ~ x + g, family, data)`), with the answers R
//!   and broom give: `fitted`, `predict` with `se.fit` on the link or response scale,
//!   residuals (response, pearson, deviance, working), deviances, hat values, `df_residual`
//!   as R's `df.residual`, `anova` and `drop1` (likelihood-ratio tests by term; quantile:
//!   `anova.rq`'s Wald F), count probabilities of zip / zinb ([`FormulaFit::predict_counts`]),
//!   multinomial class probabilities with delta-method SEs, `tidy` / `glance` / `augment` as tables, the
//!   JSON [`FitSummary`] and a versioned [`SavedModel`] that predicts on new data.
//!   Families by name ([`Family`]): gaussian, binomial (0/1, `cbind(s, f)` or a proportion
//!   with weights = trials; logit, probit, cloglog), poisson, multinomial, student-t,
//!   quantile, negative-binomial, gamma, inverse-gaussian, the AFT families on
//!   `Surv(time, status)` (weibull, exponential, lognormal, loglogistic), zip / zinb with the
//!   zero model after `|`, and ordinal (cut-points `a|b`, [`FormulaFit::predict_probabilities`]).
//!
//! ```
//! use mle_data::{FrameOptions, ModelFrame, Table};
//! let t = Table::from_columns([
//!     ("y", vec![1.0, 2.0, 4.0, 3.0].into()),
//!     ("x", vec![0.5, 1.0, 1.5, 2.0].into()),
//!     ("g", vec!["a", "b", "a", "b"].into()),
//! ])
//! .unwrap();
//! let frame = ModelFrame::build("y ~ x * g", &t, FrameOptions::default()).unwrap();
//! assert_eq!(frame.design.names(), ["(Intercept)", "x", "gb", "x:gb"]);
//! assert_eq!(frame.assign, [0, 1, 2, 3]);
//! ```
//!
//! # Conventions (as R, with these choices stated)
//!
//! * Terms, their order, labels, codings (R's marginality rule for factors in interactions)
//!   and column names follow R's `terms()` / `model.matrix()` (tested against R 4.2 output
//!   committed under `tests/reference/formula`).
//! * String columns are factors with levels sorted as R's `sort()` in the C locale (byte
//!   order: `"Z" < "a"`); Arrow dictionary columns keep the dictionary's order; boolean
//!   columns have levels `FALSE`, `TRUE`; `factor(x)` of numbers sorts numerically and
//!   labels levels as R's `as.character()`. Treatment contrasts, first level baseline.
//! * Levels are taken from the rows kept after dropping missing values (like
//!   `drop.unused.levels = TRUE`); a factor left with one level is an error.
//! * A row is dropped (R's `na.omit`) when any variable of the formula — evaluated, so
//!   `log(-1)` counts — or the weights or offset column is null or NaN.
//! * A boolean response is numeric 0/1; a string, dictionary or `factor()` response is a
//!   [`Response::Factor`].
//! * Not supported: `%in%`, `poly()`, `ns()` and other functions, contrasts other than
//!   treatment, `Surv()` with three arguments, `offset()` after `|`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod anova;
mod anova_more;
mod answers;
mod broom;
mod count_probabilities;
mod encode;
mod error;
mod estimate;
mod eval;
mod family_name;
pub mod formula;
mod formula_fit;
mod frame;
mod glm;
mod multinomial;
mod predict;
mod response;
mod saved;
mod scan;
mod spec;
mod survival;
mod table;
pub mod terms;

pub use answers::{AnovaTable, AnovaTest, Drop1Table, ResidualType};
pub use broom::{coefficient_rows, extra_rows, CoefficientRow, ExtraRow, FitSummary};
pub use error::{DataError, FormulaError, Result};
pub use eval::text_column;
pub use family_name::{Family, FAMILIES};
pub use formula::{format_double, Formula};
pub use formula_fit::{CovarianceChoice, FormulaFit, FormulaOptions};
pub use frame::{FrameOptions, ModelFrame, NaAction, Response};
pub use mle_models::CutPoint;
pub use multinomial::ClassResiduals;
pub use predict::{ClassProbabilities, Prediction, Scale};
pub use response::{LevelOrder, ResponseSpec};
pub use saved::{SavedModel, SAVED_MODEL_VERSION};
pub use scan::LevelScan;
pub use spec::{Coding, ModelSpec, PartSpec, TermSpec, Variable, VariableKind};
pub use table::{Column, Table};
pub use terms::{TermPart, Terms};
