//! Firth's penalty, the Jeffreys prior: maximise ℓ(θ) + ½ log det I(θ). Finite estimates where
//! the MLE is on the boundary or infinite (k = 0 successes, separation), and bias reduction of
//! order 1/n. One objective, [`JeffreysObjective`], in two kinds:
//!
//! * i.i.d. data under a [`LogDensity`](crate::LogDensity) type or closure
//!   ([`JeffreysObjective::new`], [`JeffreysObjective::with_closure`]): I = −∇²ℓ, the observed
//!   information (equal to the expected one for canonical exponential families), its
//!   derivative from third-order nested duals;
//! * a regression on one linear predictor ([`JeffreysObjective::regression`], R's `logistf` /
//!   `brglm2`): I(β) = Xᵀ diag(wᵢ) X with the leverages hᵢ and ∂wᵢ/∂ηᵢ from third-order duals
//!   of the family's density.
//!
//! Both return the exact gradient of the penalised log-likelihood and the unpenalised Hessian
//! as Newton's step metric, so any solver in `mle-optim` runs on them.

use nalgebra::Const;
use num_dual::{Dual2Vec, DualSVec64};

mod iid;
mod regression;

pub use iid::Iid;
pub use regression::OnePredictor;

/// Third-order nested dual numbers with `P` directions: second-order duals whose entries are
/// first-order duals. A closure written against this type can be given to
/// [`JeffreysObjective::with_closure`].
pub type Nested<const P: usize> = Dual2Vec<DualSVec64<P>, f64, Const<P>>;

/// The log-likelihood penalised by ½ log det of the information (the Jeffreys prior; Firth's
/// bias-reduced estimate). `M` is the kind: [`Iid`] or [`OnePredictor`]; build it with
/// [`JeffreysObjective::new`], [`JeffreysObjective::with_closure`] or
/// [`JeffreysObjective::regression`].
pub struct JeffreysObjective<M> {
    penalty: M,
}
