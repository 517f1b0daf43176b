//! Typed errors of the streaming fits, naming the file, row group and column.

use std::path::PathBuf;

use thiserror::Error;

/// Result with [`StreamError`].
pub type Result<T, E = StreamError> = std::result::Result<T, E>;

/// What can go wrong in a streaming fit.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StreamError {
    /// A file or directory could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A directory holds no `.parquet` file.
    #[error("no `.parquet` file in `{path}`")]
    NoFiles {
        /// The directory.
        path: PathBuf,
    },
    /// Parquet decoding failed.
    #[error("Parquet file `{path}` (row group {row_group:?}): {source}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The row group, when reading one.
        row_group: Option<usize>,
        /// The cause.
        source: parquet::errors::ParquetError,
    },
    /// Arrow (de)serialisation of a partial sum failed.
    #[error("Arrow {context}: {source}")]
    Arrow {
        /// What was being built or read.
        context: String,
        /// The cause.
        source: arrow_schema::ArrowError,
    },
    /// A column the formula needs is missing from a file.
    #[error("file `{path}` has no column `{column}` (the formula needs it)")]
    NoColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// Encoding a batch through the formula spec failed.
    #[error("`{path}`, row group {row_group}: {source}")]
    Data {
        /// The file.
        path: PathBuf,
        /// The row group.
        row_group: usize,
        /// The cause (names the column and the row within the batch).
        source: Box<mle_data::DataError>,
    },
    /// Binding the formula failed.
    #[error(transparent)]
    Bind(Box<mle_data::DataError>),
    /// An observation outside the family's support.
    #[error("`{path}`, row group {row_group}, row {row} of the batch: the response {value} is invalid for the {family} family: {reason}")]
    Observation {
        /// The file.
        path: PathBuf,
        /// The row group.
        row_group: usize,
        /// The row within the encoded batch.
        row: usize,
        /// The value.
        value: f64,
        /// The family.
        family: String,
        /// Why.
        reason: String,
    },
    /// Encoding a batch that comes from no file (a query engine's batch) failed.
    #[error("a batch: {source}")]
    BatchData {
        /// The cause (names the column and the row within the batch).
        source: Box<mle_data::DataError>,
    },
    /// An observation of a batch that comes from no file is outside the family's support.
    #[error("row {row} of a batch: the response {value} is invalid for the {family} family: {reason}")]
    BatchObservation {
        /// The row within the encoded batch.
        row: usize,
        /// The value.
        value: f64,
        /// The family.
        family: String,
        /// Why.
        reason: String,
    },
    /// Partial sums of different shapes were merged or read.
    #[error("partial sums do not match: {what}")]
    Mismatch {
        /// What differs.
        what: String,
    },
    /// A form of model the streaming fit does not handle.
    #[error("not supported in a streaming fit: {what}")]
    NotSupported {
        /// What.
        what: String,
    },
    /// The model or the optimiser failed.
    #[error(transparent)]
    Model(Box<mle_core::MleError>),
}

impl From<mle_data::DataError> for StreamError {
    fn from(e: mle_data::DataError) -> Self {
        StreamError::Bind(Box::new(e))
    }
}

impl From<mle_core::MleError> for StreamError {
    fn from(e: mle_core::MleError) -> Self {
        StreamError::Model(Box::new(e))
    }
}
