//! Typed errors of the DataFusion front end.

use std::sync::Arc;

use datafusion::common::DataFusionError;
use mle_stream::StreamError;
use thiserror::Error;

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in a DataFusion fit.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding the formula, encoding a batch or an observation outside the family's support
    /// (met on the driver or inside the aggregate on a worker, and carried back typed).
    #[error(transparent)]
    Stream(#[from] StreamError),
    /// The query engine failed (planning, reading, or an error of a remote executor, which
    /// reaches the driver as text).
    #[error("DataFusion: {0}")]
    DataFusion(Box<DataFusionError>),
    /// A literal argument of the aggregates could not be read or written.
    #[error("mle aggregate literal: {what}")]
    Literal {
        /// What is wrong.
        what: String,
    },
    /// The driver was called from inside a tokio runtime (it owns one and blocks on it).
    #[error("fit_datafusion blocks on its own tokio runtime: call it outside any runtime (e.g. in spawn_blocking)")]
    InsideRuntime,
    /// The driver's tokio runtime could not be started.
    #[error("cannot start the driver's tokio runtime: {0}")]
    Runtime(std::io::Error),
    /// A query returned something other than the aggregate's one struct row.
    #[error("the aggregate query returned {what}")]
    Result {
        /// What it returned.
        what: String,
    },
    /// A form of fit the DataFusion driver does not handle.
    #[error("not supported in a DataFusion fit: {what}")]
    NotSupported {
        /// What.
        what: String,
    },
    /// The model or the optimiser failed.
    #[error(transparent)]
    Model(Box<mle_core::MleError>),
}

impl From<mle_core::MleError> for Error {
    fn from(e: mle_core::MleError) -> Self {
        Error::Model(Box::new(e))
    }
}

impl From<mle_data::DataError> for Error {
    fn from(e: mle_data::DataError) -> Self {
        Error::Stream(StreamError::from(e))
    }
}

impl From<DataFusionError> for Error {
    /// A [`StreamError`] raised inside the aggregate (wrapped by DataFusion as an external
    /// error, possibly with context) comes back as itself.
    fn from(e: DataFusionError) -> Self {
        match e {
            DataFusionError::External(inner) => match inner.downcast::<StreamError>() {
                Ok(s) => Error::Stream(*s),
                Err(inner) => match inner.downcast::<DataFusionError>() {
                    Ok(d) => Error::from(*d),
                    Err(inner) => match inner.downcast::<Error>() {
                        Ok(own) => *own,
                        Err(inner) => Error::DataFusion(Box::new(DataFusionError::External(inner))),
                    },
                },
            },
            DataFusionError::Context(_, inner) => Error::from(*inner),
            DataFusionError::Shared(shared) => match Arc::try_unwrap(shared) {
                Ok(d) => Error::from(d),
                Err(shared) => Error::DataFusion(Box::new(DataFusionError::Shared(shared))),
            },
            DataFusionError::ArrowError(arrow, context) => match *arrow {
                arrow_schema::ArrowError::ExternalError(inner) => {
                    Error::from(DataFusionError::External(inner))
                }
                other => Error::DataFusion(Box::new(DataFusionError::ArrowError(Box::new(other), context))),
            },
            other => Error::DataFusion(Box::new(other)),
        }
    }
}
