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
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod encode;
mod error;
mod eval;
pub mod formula;
mod frame;
mod response;
mod spec;
mod table;
pub mod terms;

pub use error::{DataError, FormulaError, Result};
pub use formula::{format_double, Formula};
pub use frame::{FrameOptions, ModelFrame, NaAction, Response};
pub use response::ResponseSpec;
pub use spec::{Coding, ModelSpec, PartSpec, TermSpec, Variable, VariableKind};
pub use table::{Column, Table};
pub use terms::{TermPart, Terms};
