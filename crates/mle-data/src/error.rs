//! Errors: [`FormulaError`] (with the position in the formula) and [`DataError`].

use std::fmt;
use std::path::PathBuf;

/// A formula that does not parse or expand, with the character position (0-based, in
/// `char`s) where the problem is.
///
/// Its `Display` shows the message, the formula and a caret under that position:
///
/// ```
/// let e = mle_data::Formula::parse("y ~ x +").unwrap_err();
/// assert_eq!(e.position, 7);
/// assert_eq!(e.to_string(), "expected a term, found the end of the formula\n  y ~ x +\n         ^");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaError {
    /// The formula text.
    pub formula: String,
    /// Character index (0-based) of the offending token; the length of the formula for
    /// "unexpected end".
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

impl FormulaError {
    pub(crate) fn new(formula: &str, position: usize, message: impl Into<String>) -> Self {
        FormulaError {
            formula: formula.to_string(),
            position,
            message: message.into(),
        }
    }
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line of formula (newlines and tabs shown as spaces so the caret lines up).
        let shown: String = self
            .formula
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        write!(
            f,
            "{}\n  {}\n  {}^",
            self.message,
            shown,
            " ".repeat(self.position)
        )
    }
}

impl std::error::Error for FormulaError {}

/// Everything that can go wrong reading tables or building model frames.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The formula does not parse or expand.
    #[error("formula: {0}")]
    Formula(#[from] FormulaError),
    /// Opening, reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Arrow (CSV reader/writer, casts, concatenation) failed.
    #[error("{context}: {source}")]
    Arrow {
        /// The file or operation.
        context: String,
        /// The cause.
        source: arrow_schema::ArrowError,
    },
    /// The Parquet reader or writer failed.
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: parquet::errors::ParquetError,
    },
    /// `Table::read` does not know the file's extension.
    #[error("{}: unknown table format (expected a .csv or .parquet file)", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A column named in a formula, a projection or an option is not in the table.
    #[error("no column `{column}` in {context} (columns: {})", available.join(", "))]
    NoColumn {
        /// The missing name.
        column: String,
        /// Where it was looked for (the table, or a file).
        context: String,
        /// The columns there are.
        available: Vec<String>,
    },
    /// Two columns of a table share the name a formula uses.
    #[error("column name `{column}` appears more than once in the table")]
    DuplicateColumn {
        /// The name.
        column: String,
    },
    /// Columns given to `Table::from_columns` differ in length.
    #[error("column `{column}` has {got} rows, expected {expected}")]
    LengthMismatch {
        /// The column.
        column: String,
        /// The length of the first column.
        expected: usize,
        /// This column's length.
        got: usize,
    },
    /// A string, dictionary or other non-numeric column is used where a number is needed.
    #[error("column `{column}` is {data_type}, not numeric, but is used {usage}")]
    NotNumeric {
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
        /// Where it is used ("inside `log(x)`", "as the response", "as weights", ...).
        usage: String,
    },
    /// A column whose type a model formula cannot use (dates, lists, ...).
    #[error("column `{column}` has type {data_type}, which a model formula cannot use")]
    UnsupportedType {
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
    },
    /// New data has a factor level that the training data did not have.
    #[error("factor `{column}`: level `{level}` was not in the training data (levels: {})", known.join(", "))]
    UnseenLevel {
        /// The factor (column name or `factor(...)` label).
        column: String,
        /// The new level.
        level: String,
        /// The training levels.
        known: Vec<String>,
    },
    /// An ordered response (the `ordinal` family) whose level order would be guessed from
    /// the spelling of strings (or an Arrow dictionary's encoding): the order must be given.
    #[error(
        "the ordinal response `{column}` has string levels ({}) whose order is not known: give it (lowest first), \
         e.g. `ordered({column}, levels = c({}))` in the formula (or FormulaOptions::levels, the \
         CLI's --levels {})",
        levels.join(", "),
        levels.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>().join(", "),
        levels.join(",")
    )]
    UnorderedResponse {
        /// The response.
        column: String,
        /// Its levels (in the order that would have been guessed).
        levels: Vec<String>,
    },
    /// A factor has fewer than two levels in the rows used.
    #[error("factor `{column}` has {n_levels} level(s) in the rows used; contrasts need at least two")]
    TooFewLevels {
        /// The factor.
        column: String,
        /// How many levels it has.
        n_levels: usize,
    },
    /// A missing value under [`NaAction::Error`](crate::NaAction::Error).
    #[error("row {row}: `{column}` is missing (NA or NaN)")]
    Missing {
        /// Row index (0-based) in the table.
        row: usize,
        /// The column (or variable label, e.g. `log(x)`).
        column: String,
    },
    /// Every row has a missing value.
    #[error("no rows left: all {dropped} rows have a missing value in a used column")]
    NoRows {
        /// Rows dropped.
        dropped: usize,
    },
    /// A value that the model cannot take (negative weight, bad `Surv` status, ...).
    #[error("row {row}: `{column}`: {reason}")]
    InvalidValue {
        /// Row index (0-based) in the table.
        row: usize,
        /// The column or variable.
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// The design would be too large to allocate.
    #[error("the design would have {rows} rows × {columns} columns, more than this crate builds")]
    TooLarge {
        /// Rows.
        rows: usize,
        /// Columns.
        columns: usize,
    },
    /// A deserialized [`ModelSpec`](crate::ModelSpec) is inconsistent.
    #[error("invalid model spec: {0}")]
    InvalidSpec(String),
    /// A family name that is not registered.
    #[error("unknown family `{name}` (families: {})", known.join(", "))]
    UnknownFamily {
        /// The name given.
        name: String,
        /// The registered names.
        known: Vec<String>,
    },
    /// A combination the formula fit does not implement yet (named, never approximated).
    #[error("not yet supported: {what}")]
    NotSupported {
        /// What was asked for.
        what: String,
    },
    /// The model (checks of the data against the family, the fit, inference) failed.
    #[error("model: {0}")]
    Model(mle_core::MleError),
    /// A saved model file is not a model this version reads.
    #[error("saved model: {0}")]
    SavedModel(String),
    /// `mle_core::Design` rejected the matrix (e.g. an infinite entry from `log(0)`).
    #[error("design: {0}")]
    Design(#[from] mle_core::MleError),
}

/// `Result` with [`DataError`].
pub type Result<T> = std::result::Result<T, DataError>;
