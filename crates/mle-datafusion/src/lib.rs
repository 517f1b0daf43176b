//! DataFusion front end for `mle`: a streaming fit whose passes are DataFusion (or Ballista)
//! queries.
//!
//! * [`partial_udaf`]: the generic aggregate `mle_partial(model, θ, order, col1, …)` whose
//!   state is the streaming fit's [`mle_stream::PartialSum`] (an Arrow struct of fixed-size
//!   lists), merged associatively across partitions and executors. The model (bound spec and
//!   family) travels as a JSON literal and θ as a list literal, so a worker needs only this
//!   one function registered — no per-model codec.
//! * [`fit_datafusion`]: binds the formula on the driver (first rows; a level scan when it
//!   has factors, so the levels are those of the in-memory fit on all rows), then runs the
//!   engine's Newton with one aggregate query per evaluation ([`DataFusionObjective`]).
//!
//! ```
//! use datafusion::execution::FunctionRegistry;
//! use datafusion::prelude::SessionContext;
//! let ctx = SessionContext::new();
//! mle_datafusion::register(&ctx);
//! assert!(ctx.udaf("mle_partial").is_ok() && ctx.udaf("mle_overdispersion").is_ok());
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod fit;
mod objective;
mod udaf;

pub use error::{Error, Result};
pub use fit::{fit_datafusion, DataFusionFit, DataFusionOptions};
pub use objective::DataFusionObjective;
pub use udaf::{
    aggregate_functions, model_from_literal, model_literal, order_name, overdispersion_fields,
    overdispersion_udaf, parse_order, partial_fields, partial_udaf, register, MleAggregate, OVERDISPERSION,
    PARTIAL,
};
