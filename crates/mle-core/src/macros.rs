//! [`log_density!`](crate::log_density): a closure-like log-density body turned into a type
//! implementing the generic [`LogDensity`](crate::LogDensity) trait.
//!
//! A closure cannot be generic over the number type, so [`ClosureDensity`](crate::ClosureDensity)
//! evaluates every pass (values, gradients, Hessians) at second-order duals, and the
//! Jeffreys/Firth penalty needs a second, third-order copy of its body. The macro writes the
//! `impl LogDensity<P>` instead: the same body is compiled at `f64`, first-order duals,
//! second-order duals and the nested third-order duals of
//! [`JeffreysObjective::new`](crate::jeffreys::JeffreysObjective::new), exactly as if it had
//! been written by hand.
//!
//! When the body is a polynomial in data atoms, the expansion also writes the family's
//! sufficient statistics (found by the `mle-macros` proc macro at compile time; see
//! "Sufficient statistics" in [`log_density!`](crate::log_density)).
//!
//! This module only holds the helpers the expansion calls; they are not meant to be used
//! directly.

/// A capture bound by value in a [`log_density!`](crate::log_density) body: any `Copy` type.
///
/// Implemented for every `Copy` type; a capture that is not `Copy` (a `Vec`, a `String`) is
/// written `ref name: Type` and bound by reference.
#[diagnostic::on_unimplemented(
    message = "log_density!: the capture of type `{Self}` is not `Copy`, so it cannot be bound by value",
    label = "bound by value here",
    note = "write the capture as `ref name: Type` to bind it by reference (`&Type`) in the body"
)]
pub trait CaptureByValue: Copy {}

impl<T: Copy> CaptureByValue for T {}

/// Binds a `Copy` capture by value (used by the expansion of `log_density!`).
#[doc(hidden)]
#[inline(always)]
pub fn capture_by_value<T: CaptureByValue>(field: &T) -> T {
    *field
}

/// Binds a capture by reference (used by the expansion of `log_density!`).
#[doc(hidden)]
#[inline(always)]
pub fn capture_by_ref<T: ?Sized>(field: &T) -> &T {
    field
}

/// The traits behind `DualNum`'s bounds, in scope where the data side of a body (its
/// data-only `let`s and atoms) runs at `f64` in the generated `sufficient_statistics`: there
/// `D` is `f64`, and `D::zero()`, `D::from_f64(..)`, `x.re()` need these traits imported
/// (for a generic `D` the bounds bring them).
///
/// ```
/// use mle_core::macros::stats_prelude::*;
/// type D = f64;
/// assert_eq!(D::zero() + D::one() + 2.0f64.re(), 3.0);
/// ```
#[doc(hidden)]
pub mod stats_prelude {
    pub use num_dual::{DualNum, DualStruct};
    pub use num_traits::{FromPrimitive, Inv, Num, One, Signed, Zero};
}

/// The weighted means of the `K` atoms a `log_density!` body's statistics centre (the first
/// of their two passes; used by the expansion, see [`log_density!`](crate::log_density)).
/// `block(range, out)` adds Σw into `out[0]` and Σw·aⱼ into `out[1 + j]` for the observations
/// in `range`; the sums are the engine's own ([`sum_blocks_with`](crate::summation::sum_blocks_with):
/// fixed chunks in parallel, compensated, the same on any number of threads).
///
/// ```
/// use mle_core::macros::atom_means;
/// let xs = [1.0, 2.0, 6.0];
/// let means: [f64; 1] = atom_means(xs.len(), |r, out| {
///     for x in &xs[r] {
///         out[0] += 1.0;
///         out[1] += x;
///     }
/// });
/// assert_eq!(means, [3.0]);
/// ```
#[doc(hidden)]
pub fn atom_means<const K: usize>(
    n: usize,
    block: impl Fn(std::ops::Range<usize>, &mut [f64]) + Sync,
) -> [f64; K] {
    crate::summation::sum_blocks_with(n, K + 1, block, |s| std::array::from_fn(|j| s[1 + j] / s[0]))
}

/// The statistics `[means…, sums…]` of a `log_density!` body that is a polynomial in data
/// atoms (the second pass; used by the expansion): `block(range, out)` adds the `m` weighted
/// monomials of the centred atoms into `out`, summed as [`atom_means`] sums. `None` if any
/// statistic is not finite (the per-observation path then decides what the data mean) or
/// they do not fit in [`SufficientStatistics::CAPACITY`](crate::density::SufficientStatistics::CAPACITY).
///
/// ```
/// use mle_core::macros::monomial_statistics;
/// let xs = [1.0, 2.0, 6.0];
/// let s = monomial_statistics([3.0], xs.len(), 3, |r, out| {
///     for x in &xs[r] {
///         let d = x - 3.0;
///         out[0] += 1.0;
///         out[1] += d;
///         out[2] += d * d;
///     }
/// });
/// assert_eq!(&s.unwrap().values[..4], &[3.0, 3.0, 0.0, 14.0]);
/// ```
#[doc(hidden)]
pub fn monomial_statistics<const K: usize>(
    means: [f64; K],
    n: usize,
    m: usize,
    block: impl Fn(std::ops::Range<usize>, &mut [f64]) + Sync,
) -> Option<crate::density::SufficientStatistics> {
    use crate::density::SufficientStatistics;
    if K + m > SufficientStatistics::CAPACITY {
        return None;
    }
    crate::summation::sum_blocks_with(n, m, block, |sums| {
        let mut values = [0.0; SufficientStatistics::CAPACITY];
        values[..K].copy_from_slice(&means);
        values[K..K + m].copy_from_slice(sums);
        values
            .iter()
            .all(|v| v.is_finite())
            .then_some(SufficientStatistics { values })
    })
}

/// Calls the support check with its argument type fixed, so an unannotated closure
/// `|x| ...` gets `x: &Obs` (used by the expansion of `log_density!`).
#[doc(hidden)]
#[inline]
pub fn check_support<O: ?Sized, F: Fn(&O) -> Result<(), String>>(check: F, x: &O) -> Result<(), String> {
    check(x)
}

/// Turns a closure-like log-density body into a type implementing
/// [`LogDensity<P>`](crate::LogDensity), generic over the number type, with `P` counted from
/// the parameter list.
///
/// The same body then runs at `f64` (log-likelihood values), first-order duals (gradients,
/// scores: line searches, BFGS, L-BFGS, Levenberg–Marquardt), second-order duals (Hessians)
/// and third-order nested duals (the Jeffreys/Firth penalty through
/// [`JeffreysObjective::new`](crate::jeffreys::JeffreysObjective::new), no second body) — the
/// code generated is the hand-written `impl LogDensity`, so it runs as fast.
///
/// # Syntax
///
/// As an expression (a value of an unnamed type, like a closure):
///
/// ```text
/// log_density! {
///     name: "Weibull",                                          // shown in summaries, errors
///     params: [Parameter::log_scale("shape"), Parameter::log_scale("scale")],  // P = 2
///     captures: { df: f64 = 4.0, ref knots: Vec<f64> = knots }, // optional
///     support: |x: &f64| if *x > 0.0 { Ok(()) } else { Err(format!("{x} is not positive")) },  // optional
///     |t, x: &f64| body                                         // Obs = f64
/// }
/// ```
///
/// As a named type, at module level or in a function (the captures are its fields; `name:`
/// defaults to the type's name):
///
/// ```text
/// log_density! {
///     /// Docs and attributes of the type.
///     #[derive(Clone, Copy, Debug)]
///     pub struct StudentT { pub df: f64 }                     // or `pub struct Weibull;`
///     name: "Student-t",                                       // optional
///     params: [Parameter::identity("mu"), Parameter::log_scale("sigma")],
///     support: |x| ...,                                        // optional
///     |t, x: &f64| body
/// }
/// ```
///
/// The sections come in this order. `Parameter` need not be imported.
///
/// * `params`: the `P` parameters on the working scale, in the order of `t`
///   ([`Parameter::identity`](crate::Parameter::identity),
///   [`Parameter::log_scale`](crate::Parameter::log_scale),
///   [`Parameter::logit_scale`](crate::Parameter::logit_scale)); evaluated when the
///   parameters are asked for, so they may read the captures.
/// * `captures` / fields: values the body reads like a closure's captures. `name: Type`
///   is bound by value (the type must be `Copy`: a known df, a count, a `[f64; K]`);
///   `ref name: Type` is bound by reference (`&Type`: a `Vec`, a lookup table). Their initial
///   values (expression form) may use the enclosing function's locals; the body may not — it
///   is compiled as a function, not a closure, so everything it needs from outside is listed
///   here.
/// * `support`: a closure or function `Fn(&Obs) -> Result<(), String>` run on every
///   observation by [`DataObjective::new`](crate::DataObjective::new), which reports the
///   offending row; it may read the captures.
/// * the body `|t, x: &Obs| expr`: the observation's type after `&` becomes
///   [`LogDensity::Obs`](crate::LogDensity::Obs) — `f64`, a tuple, an array, or your own type
///   implementing [`Observation`](crate::Observation). `x` may be a pattern: `|t, &(x, y):
///   &(f64, f64)|`.
///
/// # What the body may use
///
/// * `t: &[D]`, the parameters on the working scale, where `D: DualNum<f64> + Copy` is the
///   number type (it can be named: `D::from(1.5)`). Do not annotate `t`.
/// * Arithmetic `D ∘ D` and `D ∘ f64` (`+ − × ÷`, compound assignment, unary `−`) with the
///   dual on the **left**: `t[0] * 2.0`, not `2.0 * t[0]` (Rust has no `f64 × D` for a generic
///   `D`); `D::from(2.0) - t[0]` for a number first.
/// * The [`DualNum`](num_dual::DualNum) methods: `exp`, `ln`, `ln_1p`, `exp_m1`, `sqrt`,
///   `powi`, `powf`, `recip`, `abs`, `sin`, `cos`, `tanh`, …, `re()` for the value;
///   comparisons with `f64` (`t[0] > 0.0`).
/// * Generic helpers over `D`: [`special::ln_gamma`](crate::special::ln_gamma),
///   [`special::digamma`](crate::special::digamma),
///   [`numerics::log_sigmoid`](crate::numerics::log_sigmoid),
///   [`numerics::softplus`](crate::numerics::softplus),
///   [`numerics::log_sum_exp`](crate::numerics::log_sum_exp), or your own
///   `fn f<D: DualNum<f64> + Copy>(..) -> D`.
/// * `x: &Obs` and plain `f64` maths on it (`x.ln()`, `*x`, `x.0`, `x[1]`, `x.field`).
/// * The captures, by their names; `return` works as in a closure.
///
/// It may not use the enclosing function's local variables (the compiler then says "can't
/// capture dynamic environment in a fn item": list them under `captures`) or `self`.
///
/// Closed-form expected information and a block override (`ln_density_block`) are not
/// generated; write the `impl LogDensity` by hand for those.
///
/// # Sufficient statistics, found at compile time
///
/// When the body is a polynomial in *data atoms* — subexpressions of the observation (and
/// captures) alone, such as `*x`, `x.ln()`, `*y as f64` or `log_factorial[*y]` — whose
/// coefficients depend on `t` (and captures) alone, the macro also writes
/// [`LogDensity::sufficient_statistics`](crate::LogDensity::sufficient_statistics) and
/// [`LogDensity::ln_likelihood_from_statistics`](crate::LogDensity::ln_likelihood_from_statistics):
/// [`DataObjective`](crate::DataObjective) sums the monomials once, and every evaluation of
/// ℓ, ∇ℓ and ∇²ℓ is then O(1) instead of a pass over the data (Gaussian, log-normal,
/// Poisson, exponential, gamma, straight-line regression bodies, …). Atoms that appear in
/// a monomial of degree ≥ 2 are centred at their weighted mean, so sums of squares do not
/// cancel for data far from zero; the results equal the per-observation sums to rounding.
///
/// Mixed subexpressions (of both `t` and the observation) may be `+`, `−`, `×`, unary `−`,
/// `÷` by a θ-only expression, `.powi(k)` with a literal k ≤ 4, parentheses and `let`
/// names bound to those; θ-only and data-only parts may be anything (the data side is
/// compiled at `f64`, with `D = f64`). A body with anything else in its mixed part — a
/// branch, `exp`/`ln`/`abs` of a mixed expression, a call, `return`, a name bound twice, a
/// constant `let` (of neither `t` nor the observation) read by the data side — keeps the
/// per-observation path, as does a sample with a non-finite atom. Per-observation quantities (scores, residuals, sandwich covariances)
/// always come from the body itself.
///
/// ```
/// use mle_core::{log_density, DataObjective, LogDensity, Objective};
///
/// // Gaussian on (μ, log σ): statistics Σ1, Σd, Σd² of the centred atom d = x − x̄.
/// let normal = log_density! {
///     name: "Normal",
///     params: [Parameter::identity("mu"), Parameter::log_scale("sigma")],
///     |t, x: &f64| {
///         let z = (t[0] - *x) * (-t[1]).exp();
///         -(z * z) * 0.5 - t[1] - 0.5 * (2.0 * std::f64::consts::PI).ln()
///     }
/// };
/// let data = [1e9 + 1.0, 1e9 + 2.0, 1e9 + 6.0];
/// assert!(normal.sufficient_statistics(&data, None).is_some());
/// // At μ = x̄, σ = 1: ℓ = −S/2 − (n/2) log 2π with S = Σ(x − x̄)² = 14, exactly.
/// let objective = DataObjective::new(&normal, &data).unwrap();
/// let e = objective.evaluate(&[1e9 + 3.0, 0.0]).unwrap();
/// let expected = -7.0 - 1.5 * (2.0 * std::f64::consts::PI).ln();
/// assert!((e.value - expected).abs() < 1e-12);
/// assert!(e.gradient[0].abs() < 1e-12);
/// assert_eq!(e.hessian[(0, 0)], -3.0);
///
/// // exp of a mixed expression: no statistics, the per-observation path.
/// let weibull = log_density! {
///     name: "Weibull",
///     params: [Parameter::log_scale("shape"), Parameter::log_scale("scale")],
///     |t, x: &f64| {
///         let z = -t[1] + x.ln();
///         t[0] - t[1] + (t[0].exp() - 1.0) * z - (z * t[0].exp()).exp()
///     }
/// };
/// assert!(weibull.sufficient_statistics(&data, None).is_none());
/// ```
///
/// # Examples
///
/// Exponential with rate λ = exp(θ): the MLE is λ̂ = 1/x̄, where ℓ(θ̂) = n(log λ̂ − 1),
/// ∂ℓ/∂θ = 0 and ∂²ℓ/∂θ² = −λ̂ Σx = −n.
///
/// ```
/// use mle_core::{log_density, DataObjective, DensityKernel, Objective};
///
/// let exponential = log_density! {
///     name: "Exponential",
///     params: [Parameter::log_scale("rate")],
///     support: |x: &f64| if *x >= 0.0 { Ok(()) } else { Err(format!("{x} is negative")) },
///     |t, x: &f64| t[0] - t[0].exp() * *x
/// };
/// let data = [0.5, 1.5, 2.0, 4.0];
/// let n = data.len() as f64;
/// let rate = n / data.iter().sum::<f64>();
/// let objective = DataObjective::new(&exponential, &data).unwrap();
/// let e = objective.evaluate(&[rate.ln()]).unwrap();
/// assert!((e.value - n * (rate.ln() - 1.0)).abs() < 1e-14);
/// assert!(e.gradient[0].abs() < 1e-14);
/// assert!((e.hessian[(0, 0)] + n).abs() < 1e-13);
/// // The same body at f64, first- and second-order duals:
/// assert_eq!(exponential.value(&[0.0], &2.0), -2.0);
/// assert_eq!(exponential.value_gradient(&[0.0], &2.0), (-2.0, [-1.0]));
/// assert_eq!(exponential.value_gradient_hessian(&[0.0], &2.0).2[(0, 0)], -2.0);
/// assert!(DataObjective::new(&exponential, &[1.0, -1.0]).is_err());
/// ```
///
/// Gaussian with a known σ captured by value: the MLE of μ is the sample mean, the
/// information n/σ².
///
/// ```
/// use mle_core::{log_density, DataObjective, Objective};
///
/// let sigma = 2.0;
/// let gaussian = log_density! {
///     name: format!("Gaussian (σ = {sigma} known)"),
///     params: [Parameter::identity("mu")],
///     captures: { sigma: f64 = sigma },
///     |t, x: &f64| {
///         let z = (t[0] - *x) / sigma;
///         -(z * z) * 0.5 - sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
///     }
/// };
/// let data = [1.0, 2.0, 6.0];
/// let objective = DataObjective::new(&gaussian, &data).unwrap();
/// let e = objective.evaluate(&[3.0]).unwrap();
/// assert_eq!(e.gradient[0], 0.0);
/// assert_eq!(e.hessian[(0, 0)], -3.0 / (sigma * sigma));
/// assert_eq!(objective.model_name(), "Gaussian (σ = 2 known)");
/// ```
///
/// A named type in a module, with a tuple observation `(exposure, count)` and a field: a
/// Poisson rate per unit exposure, whose MLE is Σy / Σe.
///
/// ```
/// mod models {
///     use mle_core::log_density;
///     log_density! {
///         /// Poisson counts with exposure; `scale` multiplies every exposure.
///         #[derive(Clone, Copy, Debug)]
///         pub struct PoissonExposure { pub scale: f64 }
///         params: [Parameter::log_scale("rate")],
///         support: |&(e, y): &(f64, f64)| {
///             if e > 0.0 && y >= 0.0 { Ok(()) } else { Err(format!("exposure {e}, count {y}")) }
///         },
///         |t, &(exposure, y): &(f64, f64)| {
///             let log_mu = t[0] + (exposure * scale).ln();
///             log_mu * y - log_mu.exp()
///         }
///     }
/// }
///
/// use mle_core::{DataObjective, Objective};
/// let model = models::PoissonExposure { scale: 1.0 };
/// let data = [(1.0, 2.0), (2.0, 1.0), (3.0, 6.0)];
/// let objective = DataObjective::new(&model, &data).unwrap();
/// assert_eq!(objective.model_name(), "PoissonExposure");
/// let g = objective.evaluate(&[(9.0f64 / 6.0).ln()]).unwrap().gradient[0];
/// assert!(g.abs() < 1e-14);
/// ```
///
/// A capture that is not `Copy`, bound by reference, and the Jeffreys/Firth penalty from the
/// same body: for a Poisson mean the penalised estimate is (Σy + ½)/n.
///
/// ```
/// use mle_core::jeffreys::JeffreysObjective;
/// use mle_core::{log_density, DataObjective, Objective};
///
/// let log_factorial: Vec<f64> = vec![0.0, 0.0, 2f64.ln(), 6f64.ln()];
/// let poisson = log_density! {
///     name: "Poisson",
///     params: [Parameter::log_scale("mean")],
///     captures: { ref log_factorial: Vec<f64> = log_factorial },
///     support: |y: &usize| if *y < log_factorial.len() { Ok(()) } else { Err(format!("{y} too large")) },
///     |t, y: &usize| t[0] * *y as f64 - t[0].exp() - log_factorial[*y]
/// };
/// let data = [0, 0, 1, 3];
/// let objective = DataObjective::new(&poisson, &data).unwrap();
/// let firth = JeffreysObjective::new(&objective);
/// let g = firth.evaluate(&[(4.5f64 / 4.0).ln()]).unwrap().gradient[0];
/// assert!(g.abs() < 1e-14);
/// ```
///
/// The body is compiled as a function, so it cannot read locals (list them as captures):
///
/// ```compile_fail,E0434
/// use mle_core::log_density;
/// let sigma = 2.0;
/// let d = log_density! {
///     name: "Gaussian",
///     params: [Parameter::identity("mu")],
///     |t, x: &f64| -((t[0] - *x) / sigma).powi(2) * 0.5
/// };
/// ```
///
/// The observation's type is required (it becomes `LogDensity::Obs`):
///
/// ```compile_fail
/// use mle_core::log_density;
/// let d = log_density! {
///     name: "Gaussian",
///     params: [Parameter::identity("mu")],
///     |t, x| -(t[0] - *x).powi(2) * 0.5
/// };
/// ```
///
/// The parameters are generic duals, not `Dual2SVec64`: `t` is not annotated.
///
/// ```compile_fail
/// use mle_core::log_density;
/// use num_dual::Dual2SVec64;
/// let d = log_density! {
///     name: "Gaussian",
///     params: [Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5
/// };
/// ```
///
/// A capture bound by value must be `Copy`:
///
/// ```compile_fail
/// use mle_core::log_density;
/// let d = log_density! {
///     name: "Shifted",
///     params: [Parameter::identity("mu")],
///     captures: { shifts: Vec<f64> = vec![1.0] },
///     |t, x: &f64| -(t[0] - *x - shifts[0]).powi(2) * 0.5
/// };
/// ```
#[macro_export]
macro_rules! log_density {
    // Named unit struct.
    (
        $(#[$attr:meta])*
        $vis:vis struct $ty:ident ;
        $($rest:tt)*
    ) => {
        $crate::__log_density! { @named [$(#[$attr])*] [$vis] $ty unit [] $($rest)* }
    };
    // Named struct with fields (the captures).
    (
        $(#[$attr:meta])*
        $vis:vis struct $ty:ident { $($fields:tt)* }
        $($rest:tt)*
    ) => {
        $crate::__log_density! { @fields [$(#[$attr])*] [$vis] $ty [] { $($fields)* } $($rest)* }
    };
    // Expression.
    (name: $($rest:tt)*) => {
        $crate::__log_density! { @expr name: $($rest)* }
    };
    (params: $($rest:tt)*) => {
        ::core::compile_error! {
            "log_density!: name the model first: `name: \"Weibull\", params: [...], ...` \
             (or declare a type: `pub struct Weibull; params: [...], ...`)"
        }
    };
    ($($other:tt)*) => {
        ::core::compile_error! {
            "log_density!: expected `name: \"...\", params: [Parameter::..., ...], \
             [captures: { name: Type = value, ref name: Type = value },] \
             [support: |x: &Obs| -> Result<(), String>,] |t, x: &Obs| body` \
             or `pub struct Name { fields } [name: ...,] params: [...], [support: ...,] |t, x: &Obs| body`"
        }
    };
}

/// Implementation detail of [`log_density!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __log_density {
    // ---- Named struct: normalise the fields (`name: Type` by value, `ref name: Type` by reference).
    (@fields $attrs:tt $vis:tt $ty:ident [$($acc:tt)*] { } $($rest:tt)*) => {
        $crate::__log_density! { @named $attrs $vis $ty braced [$($acc)*] $($rest)* }
    };
    (@fields $attrs:tt $vis:tt $ty:ident [$($acc:tt)*]
        { $(#[$fattr:meta])* $fvis:vis ref $f:ident : $ft:ty $(, $($more:tt)*)? } $($rest:tt)*) => {
        $crate::__log_density! { @fields $attrs $vis $ty
            [$($acc)* { [$(#[$fattr])*] [$fvis] $f : $ft = capture_by_ref }] { $($($more)*)? } $($rest)* }
    };
    (@fields $attrs:tt $vis:tt $ty:ident [$($acc:tt)*]
        { $(#[$fattr:meta])* $fvis:vis $f:ident : $ft:ty $(, $($more:tt)*)? } $($rest:tt)*) => {
        $crate::__log_density! { @fields $attrs $vis $ty
            [$($acc)* { [$(#[$fattr])*] [$fvis] $f : $ft = capture_by_value }] { $($($more)*)? } $($rest)* }
    };
    (@fields $attrs:tt $vis:tt $ty:ident [$($acc:tt)*] { $($bad:tt)* } $($rest:tt)*) => {
        ::core::compile_error! {
            "log_density!: could not read the fields: write `name: Type` (bound by value in the \
             body, Type: Copy) or `ref name: Type` (bound by reference), separated by commas"
        }
    };

    // ---- Named struct: the sections.
    (@named $attrs:tt $vis:tt $ty:ident $shape:ident $fields:tt
        $(name: $name:expr_2021,)?
        params: [$($p:expr_2021),+ $(,)?],
        $(support: $support:expr_2021,)?
        | $($closure:tt)+
    ) => {
        $crate::__log_density! { @body
            { kind: [item], shape: $shape, attrs: $attrs, vis: $vis, ty: $ty, fields: $fields,
              name: [$crate::__log_density!(@name_or [$($name)?] $ty)], params: [$($p),+],
              support: [$($support)?] }
            | $($closure)+
        }
    };
    (@named $($rest:tt)*) => {
        ::core::compile_error! {
            "log_density!: after the struct, expected `[name: ...,] params: [Parameter::..., ...], \
             [support: |x: &Obs| ...,] |t, x: &Obs| body` (in this order)"
        }
    };

    // ---- Expression: the sections.
    (@expr
        name: $name:expr_2021,
        params: [$($p:expr_2021),+ $(,)?],
        $(captures: { $($caps:tt)* },)?
        $(support: $support:expr_2021,)?
        | $($closure:tt)+
    ) => {
        $crate::__log_density! { @captures [] [] { $($($caps)*)? }
            { shape: braced, attrs: [], vis: [], ty: __LogDensity,
              name: [$name], params: [$($p),+], support: [$($support)?] }
            | $($closure)+
        }
    };
    (@expr $($rest:tt)*) => {
        ::core::compile_error! {
            "log_density!: expected `name: \"...\", params: [Parameter::..., ...], \
             [captures: { name: Type = value, ref name: Type = value },] \
             [support: |x: &Obs| -> Result<(), String>,] |t, x: &Obs| body` (in this order)"
        }
    };

    // ---- Expression: normalise the captures into fields and initialisers.
    (@captures [$($acc:tt)*] [$($init:tt)*] { }
        { shape: $shape:ident, attrs: $attrs:tt, vis: $vis:tt, ty: $ty:ident,
          name: $name:tt, params: $params:tt, support: $support:tt }
        $($closure:tt)+
    ) => {
        $crate::__log_density! { @body
            { kind: [expr $($init)*], shape: $shape, attrs: $attrs, vis: $vis, ty: $ty,
              fields: [$($acc)*], name: $name, params: $params, support: $support }
            $($closure)+
        }
    };
    (@captures [$($acc:tt)*] [$($init:tt)*]
        { ref $f:ident : $ft:ty = $e:expr_2021 $(, $($more:tt)*)? } $($rest:tt)+) => {
        $crate::__log_density! { @captures
            [$($acc)* { [] [] $f : $ft = capture_by_ref }] [$($init)* { $f = $e }]
            { $($($more)*)? } $($rest)+ }
    };
    (@captures [$($acc:tt)*] [$($init:tt)*]
        { $f:ident : $ft:ty = $e:expr_2021 $(, $($more:tt)*)? } $($rest:tt)+) => {
        $crate::__log_density! { @captures
            [$($acc)* { [] [] $f : $ft = capture_by_value }] [$($init)* { $f = $e }]
            { $($($more)*)? } $($rest)+ }
    };
    (@captures $acc:tt $init:tt { $($bad:tt)* } $($rest:tt)+) => {
        ::core::compile_error! {
            "log_density!: could not read the captures: write `name: Type = value` (bound by \
             value in the body, Type: Copy) or `ref name: Type = value` (bound by reference), \
             separated by commas"
        }
    };

    // ---- The body's signature.
    (@body $ctx:tt | $t:ident , & $x:tt : & $obs:ty | $body:expr_2021 $(,)?) => {
        $crate::__log_density! { @emit $ctx $t [& $x] [$obs] $body }
    };
    (@body $ctx:tt | $t:ident , $x:tt : & $obs:ty | $body:expr_2021 $(,)?) => {
        $crate::__log_density! { @emit $ctx $t [$x] [$obs] $body }
    };
    (@body $ctx:tt | $t:ident : $($rest:tt)*) => {
        ::core::compile_error! {
            "log_density!: leave the parameters unannotated, `|t, x: &Obs| ...`: `t` is `&[D]` \
             for the generic dual number type `D` (the body is compiled at f64, first-, second- \
             and third-order duals)"
        }
    };
    (@body $ctx:tt | $t:ident , $x:tt | $($rest:tt)*) => {
        ::core::compile_error! {
            "log_density!: give the observation's type, `|t, x: &Obs| ...` (f64, a tuple, an \
             array or your own type): it becomes `LogDensity::Obs`"
        }
    };
    (@body $ctx:tt | $t:ident , $x:tt : $obs:ty | $($rest:tt)*) => {
        ::core::compile_error! {
            "log_density!: the observation is passed by reference: write `|t, x: &Obs| ...`"
        }
    };
    (@body $ctx:tt $($rest:tt)*) => {
        ::core::compile_error! {
            "log_density!: the last item must be the body, a closure `|t, x: &Obs| expression` \
             (no `move`, no return type)"
        }
    };

    // ---- Emission.
    (@emit { kind: [item], $($ctx:tt)* } $t:ident $x:tt $obs:tt $body:expr_2021) => {
        $crate::__log_density! { @items { $($ctx)* } $t $x $obs $body }
    };
    (@emit { kind: [expr $({ $f:ident = $e:expr_2021 })*], $($ctx:tt)* } $t:ident $x:tt $obs:tt $body:expr_2021) => {{
        $crate::__log_density! { @items { $($ctx)* } $t $x $obs $body }
        __LogDensity { $($f: $e),* }
    }};

    (@items
        { shape: $shape:ident, attrs: $attrs:tt, vis: [$($vis:tt)*], ty: $ty:ident,
          fields: [$({ [$($fattr:tt)*] [$($fvis:tt)*] $f:ident : $ft:ty = $mode:ident })*],
          name: [$name:expr_2021], params: [$($p:expr_2021),+], support: $support:tt }
        $t:ident [$($x:tt)+] [$obs:ty] $body:expr_2021
    ) => {
        $crate::__log_density! {
            @struct $shape $attrs [$($vis)*] $ty [$({ [$($fattr)*] [$($fvis)*] $f : $ft })*]
        }

        impl $crate::LogDensity<{ 0usize $(+ $crate::__log_density!(@one $p))+ }> for $ty {
            type Obs = $obs;

            fn name(&self) -> ::std::string::String {
                $( #[allow(unused_variables)] let $f = $crate::macros::$mode(&self.$f); )*
                ::core::convert::Into::into($name)
            }

            fn parameters(&self) -> ::std::vec::Vec<$crate::Parameter> {
                #[allow(unused_imports)]
                use $crate::Parameter;
                $( #[allow(unused_variables)] let $f = $crate::macros::$mode(&self.$f); )*
                ::std::vec![$($p),+]
            }

            // A braced body `{ expr }` is as natural here as in a closure. Always inlined into
            // the per-block loop (as a family's body is): out of line, every observation pays a
            // call returning a second-order dual through memory, and θ-only terms (e^{−log σ})
            // cannot be hoisted out of the loop.
            #[inline(always)]
            #[allow(unused_braces)]
            fn ln_density<D: $crate::num_dual::DualNum<f64> + ::core::marker::Copy>(
                &self,
                __theta: &[D],
                __x: &$obs,
            ) -> D {
                $( #[allow(unused_variables)] let $f = $crate::macros::$mode(&self.$f); )*
                let $t: &[D] = __theta;
                let $($x)+: &$obs = __x;
                $body
            }

            $crate::__log_density! { @support $support [$obs] [$({ $f $mode })*] }

            // Sufficient statistics when the body is a polynomial in data atoms (nothing
            // otherwise): see `atom_means` and `monomial_statistics`.
            $crate::__log_density_statistics! {
                [$crate]
                [$( #[allow(unused_variables)] let $f = $crate::macros::$mode(&self.$f); )*]
                [$t] [$($x)+] [$obs] [$body]
            }
        }
    };

    (@struct unit [$($attr:tt)*] [$($vis:tt)*] $ty:ident []) => {
        $($attr)* $($vis)* struct $ty;
    };
    (@struct braced [$($attr:tt)*] [$($vis:tt)*] $ty:ident
        [$({ [$($fattr:tt)*] [$($fvis:tt)*] $f:ident : $ft:ty })*]) => {
        $($attr)* $($vis)* struct $ty { $($($fattr)* $($fvis)* $f: $ft,)* }
    };

    (@support [] $obs:tt $fields:tt) => {};
    (@support [$support:expr_2021] [$obs:ty] [$({ $f:ident $mode:ident })*]) => {
        fn check_observation(&self, __x: &$obs) -> ::core::result::Result<(), ::std::string::String> {
            $( #[allow(unused_variables)] let $f = $crate::macros::$mode(&self.$f); )*
            $crate::macros::check_support::<$obs, _>($support, __x)
        }
    };

    (@name_or [] $ty:ident) => { ::core::stringify!($ty) };
    (@name_or [$name:expr_2021] $ty:ident) => { $name };

    (@one $p:expr_2021) => { 1usize };
}
