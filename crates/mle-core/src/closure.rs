//! Closures as log-densities.
//!
//! A Rust closure cannot be generic over the number type, so a closure density is written
//! against the static second-order dual `Dual2SVec64<P>`; the engine evaluates values,
//! gradients and Hessians with the same closure (seeded duals: leaving derivative parts empty
//! was measured slower, not faster). Every pass therefore pays for the Hessian, and the
//! Jeffreys/Firth penalty needs a second, third-order copy of the body
//! ([`JeffreysObjective::with_closure`](crate::jeffreys::JeffreysObjective::with_closure)).
//!
//! The fast path is [`log_density!`](crate::log_density): the same closure-like body becomes
//! a type implementing the generic [`LogDensity`](crate::LogDensity), compiled at `f64`,
//! first-, second- and third-order duals (as fast as a hand-written impl; see
//! `benches/closure_macro.rs`). `ClosureDensity` remains for what a type cannot hold: a
//! density assembled at run time (a closure chosen or composed by the program, a boxed
//! `dyn Fn`), one that borrows local data (captures references rather than owned values),
//! or one that captures values whose type cannot be named (other closures, `impl Trait`).

use std::marker::PhantomData;

use nalgebra::{Const, SMatrix, U1};
use num_dual::{Derivative, Dual2SVec64};

use crate::density::{seed_second, unpack_second, DensityKernel, Observation};
use crate::transform::Parameter;

/// A user closure `|θ: &[Dual2SVec64<P>], x: &Obs| -> Dual2SVec64<P>` as a log-density.
///
/// ```
/// use mle_core::{ClosureDensity, DensityKernel, Parameter};
/// use num_dual::{Dual2SVec64, DualNum};
///
/// // Exponential with rate exp(θ₀), a density that is not built in.
/// let expo = ClosureDensity::new(
///     vec![Parameter::log_scale("rate")],
///     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x,
/// );
/// let (v, g, h) = expo.value_gradient_hessian(&[0.0], &2.0);
/// assert_eq!((v, g[0], h[(0, 0)]), (-2.0, -1.0, -2.0));
/// ```
///
/// # Panics
///
/// A panic inside the closure is not caught: the objective sums observations in parallel
/// with rayon, which propagates the panic to the caller of the evaluation (a fit, a profile,
/// a bootstrap). Return NaN or −∞ for parameter values where the density is undefined
/// instead. `mle_optim::multistart::multistart` catches a panicking start and counts it as a
/// failed one.
pub struct ClosureDensity<F, Obs, const P: usize> {
    parameters: Vec<Parameter>,
    closure: F,
    name: String,
    support: Option<SupportCheck<Obs>>,
    _obs: PhantomData<fn(&Obs)>,
}

type SupportCheck<Obs> = Box<dyn Fn(&Obs) -> Result<(), String> + Send + Sync>;

impl<F, Obs, const P: usize> ClosureDensity<F, Obs, P>
where
    F: Fn(&[Dual2SVec64<P>], &Obs) -> Dual2SVec64<P> + Sync,
    Obs: Observation + Sync,
{
    /// Wraps `closure`; `parameters` must have `P` entries (a mismatch is reported when the
    /// objective is built).
    ///
    /// ```
    /// use mle_core::{ClosureDensity, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// assert_eq!(d.parameters().len(), 1);
    /// ```
    pub fn new(parameters: Vec<Parameter>, closure: F) -> Self {
        ClosureDensity {
            parameters,
            closure,
            name: "closure".to_string(),
            support: None,
            _obs: PhantomData,
        }
    }

    /// Names the model (shown in summaries and errors).
    ///
    /// ```
    /// use mle_core::{ClosureDensity, DensityKernel, Parameter};
    /// use num_dual::Dual2SVec64;
    /// let d = ClosureDensity::new(vec![Parameter::identity("a")],
    ///     |t: &[Dual2SVec64<1>], _x: &f64| t[0]).with_name("Flat");
    /// assert_eq!(d.kernel_name(), "Flat");
    /// ```
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Adds a support check run on every observation before fitting.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, DensityKernel, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::log_scale("rate")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x)
    ///     .with_support(|x: &f64| if *x >= 0.0 { Ok(()) } else { Err("negative".into()) });
    /// assert!(d.kernel_check_observation(&-1.0).is_err());
    /// ```
    pub fn with_support(
        mut self,
        check: impl Fn(&Obs) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.support = Some(Box::new(check));
        self
    }

    /// The parameters given at construction.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, Parameter};
    /// use num_dual::Dual2SVec64;
    /// let d = ClosureDensity::new(vec![Parameter::identity("a")],
    ///     |t: &[Dual2SVec64<1>], _x: &f64| t[0]);
    /// assert_eq!(d.parameters()[0].name, "a");
    /// ```
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }
}

impl<F, Obs, const P: usize> ClosureDensity<F, Obs, P>
where
    F: Fn(&[Dual2SVec64<P>], &Obs) -> Dual2SVec64<P> + Sync,
    Obs: Observation + Sync,
{
    #[inline]
    fn block_sum(&self, t: &[Dual2SVec64<P>; P], xs: &[Obs], weights: Option<&[f64]>) -> Dual2SVec64<P> {
        let mut total = Dual2SVec64::from_re(0.0);
        match weights {
            None => {
                for x in xs {
                    total += (self.closure)(t, x);
                }
            }
            Some(w) => {
                for (x, &wi) in xs.iter().zip(w) {
                    if wi != 0.0 {
                        total += (self.closure)(t, x) * wi;
                    }
                }
            }
        }
        total
    }
}

impl<F, Obs, const P: usize> DensityKernel<P> for ClosureDensity<F, Obs, P>
where
    F: Fn(&[Dual2SVec64<P>], &Obs) -> Dual2SVec64<P> + Sync,
    Obs: Observation + Sync,
{
    type Obs = Obs;

    fn kernel_name(&self) -> String {
        self.name.clone()
    }

    fn kernel_parameters(&self) -> Vec<Parameter> {
        self.parameters.clone()
    }

    #[inline]
    fn value(&self, theta: &[f64; P], x: &Obs) -> f64 {
        (self.closure)(&seed_second(theta), x).re
    }

    #[inline]
    fn value_gradient(&self, theta: &[f64; P], x: &Obs) -> (f64, [f64; P]) {
        // First derivatives only: seed v1, leave the Hessian part empty.
        let t: [Dual2SVec64<P>; P] = std::array::from_fn(|i| {
            let mut d = Dual2SVec64::from_re(theta[i]);
            d.v1 = Derivative::derivative_generic(U1, Const::<P>, i);
            d
        });
        let r = (self.closure)(&t, x);
        (r.re, r.v1.unwrap_generic(U1, Const::<P>).transpose().into())
    }

    #[inline]
    fn value_gradient_hessian(&self, theta: &[f64; P], x: &Obs) -> (f64, [f64; P], SMatrix<f64, P, P>) {
        unpack_second((self.closure)(&seed_second(theta), x))
    }

    fn block_value(&self, theta: &[f64; P], xs: &[Obs], weights: Option<&[f64]>) -> f64 {
        // Seeded duals: measured faster than empty derivative parts (`None` branches).
        self.block_sum(&seed_second(theta), xs, weights).re
    }

    fn block_value_gradient(&self, theta: &[f64; P], xs: &[Obs], weights: Option<&[f64]>) -> (f64, [f64; P]) {
        let t: [Dual2SVec64<P>; P] = std::array::from_fn(|i| {
            let mut d = Dual2SVec64::from_re(theta[i]);
            d.v1 = Derivative::derivative_generic(U1, Const::<P>, i);
            d
        });
        let r = self.block_sum(&t, xs, weights);
        (r.re, r.v1.unwrap_generic(U1, Const::<P>).transpose().into())
    }

    fn block_value_gradient_hessian(
        &self,
        theta: &[f64; P],
        xs: &[Obs],
        weights: Option<&[f64]>,
    ) -> (f64, [f64; P], SMatrix<f64, P, P>) {
        unpack_second(self.block_sum(&seed_second(theta), xs, weights))
    }

    fn kernel_check_observation(&self, x: &Obs) -> Result<(), String> {
        match &self.support {
            Some(check) => check(x),
            None => Ok(()),
        }
    }

    fn kernel_expected_information(&self, _theta: &[f64; P], _x: &Obs) -> Option<SMatrix<f64, P, P>> {
        None
    }
}
