//! The per-observation log-density, written once and evaluated at any number type.

use nalgebra::{Const, SMatrix, U1};
use num_dual::{Derivative, Dual2SVec64, DualNum, DualSVec64};

use crate::transform::Parameter;

/// What an observation must tell the engine about itself: whether its numbers are finite.
///
/// Implemented for `f64`, integers, `bool`, arrays, tuples, `Vec<f64>` and slices-of-numbers
/// wrappers; implement it for your own record types.
///
/// ```
/// use mle_core::Observation;
/// assert!(1.5f64.is_finite_observation());
/// assert!(!f64::NAN.is_finite_observation());
/// assert!(![1.0, f64::INFINITY].is_finite_observation());
/// ```
pub trait Observation {
    /// `true` when no component is NaN or infinite.
    fn is_finite_observation(&self) -> bool;
}

impl Observation for f64 {
    fn is_finite_observation(&self) -> bool {
        self.is_finite()
    }
}
impl Observation for f32 {
    fn is_finite_observation(&self) -> bool {
        self.is_finite()
    }
}
macro_rules! always_finite {
    ($($t:ty),*) => {$(
        impl Observation for $t {
            fn is_finite_observation(&self) -> bool { true }
        }
    )*};
}
always_finite!(bool, u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl<T: Observation, const N: usize> Observation for [T; N] {
    fn is_finite_observation(&self) -> bool {
        self.iter().all(Observation::is_finite_observation)
    }
}
impl<T: Observation> Observation for Vec<T> {
    fn is_finite_observation(&self) -> bool {
        self.iter().all(Observation::is_finite_observation)
    }
}
impl<A: Observation, B: Observation> Observation for (A, B) {
    fn is_finite_observation(&self) -> bool {
        self.0.is_finite_observation() && self.1.is_finite_observation()
    }
}
impl<A: Observation, B: Observation, C: Observation> Observation for (A, B, C) {
    fn is_finite_observation(&self) -> bool {
        self.0.is_finite_observation() && self.1.is_finite_observation() && self.2.is_finite_observation()
    }
}

/// A family of distributions with `P` parameters (known at compile time): the log-density of
/// one observation, written **once**, generic over the number type.
///
/// The engine evaluates the same body at `f64` (values), first-order duals (gradients,
/// per-observation scores) and second-order duals (Hessians), all with static sizes, so the
/// derivatives are exact and no finite differences are used.
///
/// ```
/// use mle_core::{LogDensity, Parameter};
/// use num_dual::DualNum;
///
/// /// Exponential distribution with rate λ = exp(θ₀).
/// struct Exponential;
/// impl LogDensity<1> for Exponential {
///     type Obs = f64;
///     fn name(&self) -> String { "Exponential".into() }
///     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::log_scale("rate")] }
///     fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], x: &f64) -> D {
///         theta[0] - theta[0].exp() * *x
///     }
///     fn check_observation(&self, x: &f64) -> Result<(), String> {
///         if *x >= 0.0 { Ok(()) } else { Err(format!("{x} is negative")) }
///     }
/// }
/// assert_eq!(Exponential.ln_density(&[0.0], &2.0), -2.0);
/// ```
pub trait LogDensity<const P: usize>: Sync {
    /// One observation.
    type Obs: Observation + Sync;

    /// Name of the family, used in messages and summaries.
    fn name(&self) -> String;

    /// The `P` parameters on the working scale, with their transforms to the natural scale.
    fn parameters(&self) -> Vec<Parameter>;

    /// log p(x | θ) for one observation, θ on the working scale.
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], x: &Self::Obs) -> D;

    /// Σᵢ wᵢ log p(xᵢ | θ) over a block of observations (at most a few hundred), as one number
    /// of type `D` — so its derivative parts are the block's gradient and Hessian.
    ///
    /// The default sums [`LogDensity::ln_density`]; a family may override it to hoist work
    /// that depends on θ only (e.g. exp(−log σ)) out of the loop. An override must be the same
    /// function (tests compare the two). Zero weights drop their observation entirely.
    fn ln_density_block<D: DualNum<f64> + Copy>(
        &self,
        theta: &[D],
        xs: &[Self::Obs],
        weights: Option<&[f64]>,
    ) -> D {
        let mut total = D::from(0.0);
        match weights {
            None => {
                for x in xs {
                    total += self.ln_density(theta, x);
                }
            }
            Some(w) => {
                for (x, &wi) in xs.iter().zip(w) {
                    if wi != 0.0 {
                        total += self.ln_density(theta, x) * wi;
                    }
                }
            }
        }
        total
    }

    /// A fixed-size summary of a whole weighted sample from which Σᵢ wᵢ log p(xᵢ | θ) is
    /// exact at every θ (as Distributions.jl's `suffstats`), or `None` (the default): the
    /// i.i.d. objective then computes it once, and every evaluation of ℓ, ∇ℓ and ∇²ℓ costs
    /// O(1) instead of a pass. Rows of zero weight must be left out. A family that returns
    /// `Some` implements [`LogDensity::ln_likelihood_from_statistics`] (tests compare it
    /// with the per-observation sum).
    ///
    /// ```
    /// use mle_core::LogDensity;
    /// # use mle_core::Parameter; use num_dual::DualNum;
    /// # struct Unit;
    /// # impl LogDensity<1> for Unit {
    /// #     type Obs = f64;
    /// #     fn name(&self) -> String { "Unit".into() }
    /// #     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("a")] }
    /// #     fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &f64) -> D { t[0] * *x }
    /// # }
    /// assert!(Unit.sufficient_statistics(&[1.0, 2.0], None).is_none());
    /// ```
    fn sufficient_statistics(
        &self,
        _data: &[Self::Obs],
        _weights: Option<&[f64]>,
    ) -> Option<SufficientStatistics> {
        None
    }

    /// Σᵢ wᵢ log p(xᵢ | θ) from the statistics of [`LogDensity::sufficient_statistics`], at
    /// any number type. Called only when that returned `Some`; the default (for families
    /// without statistics) is NaN.
    fn ln_likelihood_from_statistics<D: DualNum<f64> + Copy>(
        &self,
        _theta: &[D],
        _statistics: &SufficientStatistics,
    ) -> D {
        D::from(f64::NAN)
    }

    /// log p(x | θ), its gradient and its Hessian at a point θ of `f64`s — by the exact
    /// second-order duals of [`LogDensity::ln_density`] unless the family overrides it with
    /// the same derivatives in closed form (cheaper in the per-row loop of a regression,
    /// where the duals add nothing the family cannot write down). An override must agree
    /// with the duals (tests compare the two).
    ///
    /// ```
    /// use mle_core::{LogDensity, Parameter};
    /// use num_dual::DualNum;
    /// struct Square;
    /// impl LogDensity<1> for Square {
    ///     type Obs = f64;
    ///     fn name(&self) -> String { "square".into() }
    ///     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("t")] }
    ///     fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &f64) -> D { t[0] * t[0] * *x }
    /// }
    /// let (v, g, h) = Square.ln_density_derivatives(&[3.0], &2.0);
    /// assert_eq!((v, g[0], h[(0, 0)]), (18.0, 12.0, 4.0));
    /// ```
    #[inline(always)]
    fn ln_density_derivatives(&self, theta: &[f64; P], x: &Self::Obs) -> (f64, [f64; P], SMatrix<f64, P, P>) {
        unpack_second(self.ln_density(&seed_second(theta), x))
    }

    /// Whether `x` lies in the support of the family (checked once for every observation
    /// before any fit). The message says what is wrong.
    fn check_observation(&self, _x: &Self::Obs) -> Result<(), String> {
        Ok(())
    }

    /// Expected (Fisher) information of observation `x` at θ, in closed form, when the family
    /// has one: E[−∇²log p(X | θ)] over the response, holding covariates in `x` fixed (for
    /// an i.i.d. family it does not depend on `x`).
    fn expected_information(&self, _theta: &[f64; P], _x: &Self::Obs) -> Option<SMatrix<f64, P, P>> {
        None
    }

    /// The i.i.d. MLE in closed form (sufficient statistics), when the family has one; the
    /// i.i.d. model then uses it instead of the optimiser, with the same result type. `None`
    /// (the default) means "use the optimiser".
    fn closed_form(&self, _data: &[Self::Obs], _weights: Option<&[f64]>) -> Option<ClosedForm> {
        None
    }
}

/// A fixed-size summary of a weighted sample (up to sixteen numbers, their meaning the
/// family's: e.g. Σw, the mean and Σw(x − x̄)² for the Gaussian) from which the family's
/// log-likelihood is exact; see [`LogDensity::sufficient_statistics`].
///
/// ```
/// use mle_core::density::SufficientStatistics;
/// let s = SufficientStatistics::from_slice(&[3.0, 2.0, 2.0]);
/// assert_eq!(s.values[0], 3.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SufficientStatistics {
    /// The statistics (unused slots zero).
    pub values: [f64; SufficientStatistics::CAPACITY],
}

impl SufficientStatistics {
    /// How many numbers a summary holds.
    pub const CAPACITY: usize = 16;

    /// The statistics `values`, the remaining slots zero (at most [`Self::CAPACITY`]).
    ///
    /// ```
    /// use mle_core::density::SufficientStatistics;
    /// let s = SufficientStatistics::from_slice(&[3.0, 2.0]);
    /// assert_eq!(&s.values[..3], &[3.0, 2.0, 0.0]);
    /// ```
    pub fn from_slice(values: &[f64]) -> Self {
        let mut out = [0.0; Self::CAPACITY];
        out[..values.len()].copy_from_slice(values);
        SufficientStatistics { values: out }
    }
}

/// A closed-form i.i.d. estimate (working scale), or why there is none.
///
/// ```
/// use mle_core::density::ClosedForm;
/// let c = ClosedForm::Interior { theta: vec![0.5], formula: "mean".into() };
/// assert!(matches!(c, ClosedForm::Interior { .. }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ClosedForm {
    /// θ̂ inside the parameter space: the fit evaluates ℓ, ∇ℓ, ∇²ℓ there.
    Interior {
        /// θ̂ on the working scale.
        theta: Vec<f64>,
        /// The formula, shown as the convergence reason.
        formula: String,
    },
    /// θ̂ on the edge of the parameter space (±∞ on the working scale): Wald inference is
    /// suppressed.
    Boundary {
        /// θ̂ on the working scale (infinite components at the boundary).
        theta: Vec<f64>,
        /// The supremum of ℓ.
        log_likelihood: f64,
        /// The formula.
        formula: String,
    },
    /// The MLE does not exist for these data (e.g. σ̂ = 0 with ℓ unbounded).
    Undefined(crate::error::MleError),
}

/// The per-observation log-density at the three number types the engine needs.
///
/// Every [`LogDensity`] is one (blanket implementation); a closure written against
/// second-order duals is one through [`crate::ClosureDensity`]. The objective only needs
/// this trait.
///
/// ```
/// use mle_core::{DensityKernel, LogDensity, Parameter};
/// use num_dual::DualNum;
/// struct Unit;
/// impl LogDensity<1> for Unit {
///     type Obs = f64;
///     fn name(&self) -> String { "Unit".into() }
///     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::identity("a")] }
///     fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &f64) -> D { t[0] * t[0] * *x }
/// }
/// let (v, g, h) = Unit.value_gradient_hessian(&[3.0], &2.0);
/// assert_eq!((v, g[0], h[(0, 0)]), (18.0, 12.0, 4.0));
/// ```
pub trait DensityKernel<const P: usize>: Sync {
    /// One observation.
    type Obs: Observation + Sync;

    /// Name of the family.
    fn kernel_name(&self) -> String;

    /// The parameters on the working scale.
    fn kernel_parameters(&self) -> Vec<Parameter>;

    /// log p(x | θ).
    fn value(&self, theta: &[f64; P], x: &Self::Obs) -> f64;

    /// log p(x | θ) and its gradient.
    fn value_gradient(&self, theta: &[f64; P], x: &Self::Obs) -> (f64, [f64; P]);

    /// log p(x | θ), its gradient and its Hessian.
    fn value_gradient_hessian(&self, theta: &[f64; P], x: &Self::Obs) -> (f64, [f64; P], SMatrix<f64, P, P>);

    /// Σ wᵢ log p(xᵢ | θ) over a block.
    fn block_value(&self, theta: &[f64; P], xs: &[Self::Obs], weights: Option<&[f64]>) -> f64;

    /// Block sum of log-densities and of their gradients.
    fn block_value_gradient(
        &self,
        theta: &[f64; P],
        xs: &[Self::Obs],
        weights: Option<&[f64]>,
    ) -> (f64, [f64; P]);

    /// Block sum of log-densities, gradients and Hessians.
    fn block_value_gradient_hessian(
        &self,
        theta: &[f64; P],
        xs: &[Self::Obs],
        weights: Option<&[f64]>,
    ) -> (f64, [f64; P], SMatrix<f64, P, P>);

    /// Support check for one observation.
    fn kernel_check_observation(&self, x: &Self::Obs) -> Result<(), String>;

    /// Closed-form expected information of observation `x`, if known.
    fn kernel_expected_information(&self, theta: &[f64; P], x: &Self::Obs) -> Option<SMatrix<f64, P, P>>;

    /// The sample's sufficient statistics, if the family has them.
    fn kernel_statistics(
        &self,
        _data: &[Self::Obs],
        _weights: Option<&[f64]>,
    ) -> Option<SufficientStatistics> {
        None
    }

    /// ℓ from the statistics (NaN for a kernel without them).
    fn statistics_value(&self, _theta: &[f64; P], _statistics: &SufficientStatistics) -> f64 {
        f64::NAN
    }

    /// ℓ and ∇ℓ from the statistics (NaN for a kernel without them).
    fn statistics_value_gradient(
        &self,
        _theta: &[f64; P],
        _statistics: &SufficientStatistics,
    ) -> (f64, [f64; P]) {
        (f64::NAN, [f64::NAN; P])
    }

    /// ℓ, ∇ℓ and ∇²ℓ from the statistics (NaN for a kernel without them).
    fn statistics_value_gradient_hessian(
        &self,
        _theta: &[f64; P],
        _statistics: &SufficientStatistics,
    ) -> (f64, [f64; P], SMatrix<f64, P, P>) {
        (f64::NAN, [f64::NAN; P], SMatrix::repeat(f64::NAN))
    }

    /// Closed-form i.i.d. MLE, if the family has one.
    fn kernel_closed_form(&self, _data: &[Self::Obs], _weights: Option<&[f64]>) -> Option<ClosedForm> {
        None
    }
}

/// Seeds first-order duals: θᵢ with unit derivative in direction i.
pub(crate) fn seed_first<const P: usize>(theta: &[f64; P]) -> [DualSVec64<P>; P] {
    std::array::from_fn(|i| DualSVec64::<P>::from_re(theta[i]).derivative(i))
}

/// Seeds second-order duals: θᵢ with unit first derivative in direction i and an explicit
/// zero second derivative.
///
/// The zero is stored rather than left absent: num-dual keeps an absent derivative as an
/// `Option` whose payload is uninitialised, and the optimised code computes on that payload
/// before discarding it; stack garbage read as tiny (subnormal) doubles then costs a
/// microcode assist per operation (a `log_density!` Gaussian ran 2.7× slower for it).
pub(crate) fn seed_second<const P: usize>(theta: &[f64; P]) -> [Dual2SVec64<P>; P] {
    std::array::from_fn(|i| {
        let mut d = Dual2SVec64::<P>::from_re(theta[i]).derivative(i);
        d.v2 = Derivative::some(SMatrix::<f64, P, P>::zeros());
        d
    })
}

/// Reads value and gradient out of a first-order dual.
pub(crate) fn unpack_first<const P: usize>(d: DualSVec64<P>) -> (f64, [f64; P]) {
    let eps = d.eps.unwrap_generic(Const::<P>, U1);
    (d.re, eps.into())
}

/// Reads value, gradient and Hessian out of a second-order dual.
pub(crate) fn unpack_second<const P: usize>(d: Dual2SVec64<P>) -> (f64, [f64; P], SMatrix<f64, P, P>) {
    let g = d.v1.unwrap_generic(U1, Const::<P>);
    let h = d.v2.unwrap_generic(Const::<P>, Const::<P>);
    (d.re, g.transpose().into(), h)
}

impl<T: LogDensity<P>, const P: usize> DensityKernel<P> for T {
    type Obs = T::Obs;

    fn kernel_name(&self) -> String {
        self.name()
    }

    fn kernel_parameters(&self) -> Vec<Parameter> {
        self.parameters()
    }

    #[inline]
    fn value(&self, theta: &[f64; P], x: &Self::Obs) -> f64 {
        self.ln_density(theta, x)
    }

    #[inline]
    fn value_gradient(&self, theta: &[f64; P], x: &Self::Obs) -> (f64, [f64; P]) {
        unpack_first(self.ln_density(&seed_first(theta), x))
    }

    #[inline]
    fn value_gradient_hessian(&self, theta: &[f64; P], x: &Self::Obs) -> (f64, [f64; P], SMatrix<f64, P, P>) {
        self.ln_density_derivatives(theta, x)
    }

    #[inline]
    fn block_value(&self, theta: &[f64; P], xs: &[Self::Obs], weights: Option<&[f64]>) -> f64 {
        self.ln_density_block(theta, xs, weights)
    }

    #[inline]
    fn block_value_gradient(
        &self,
        theta: &[f64; P],
        xs: &[Self::Obs],
        weights: Option<&[f64]>,
    ) -> (f64, [f64; P]) {
        unpack_first(self.ln_density_block(&seed_first(theta), xs, weights))
    }

    #[inline]
    fn block_value_gradient_hessian(
        &self,
        theta: &[f64; P],
        xs: &[Self::Obs],
        weights: Option<&[f64]>,
    ) -> (f64, [f64; P], SMatrix<f64, P, P>) {
        unpack_second(self.ln_density_block(&seed_second(theta), xs, weights))
    }

    fn kernel_check_observation(&self, x: &Self::Obs) -> Result<(), String> {
        self.check_observation(x)
    }

    fn kernel_expected_information(&self, theta: &[f64; P], x: &Self::Obs) -> Option<SMatrix<f64, P, P>> {
        self.expected_information(theta, x)
    }

    fn kernel_closed_form(&self, data: &[Self::Obs], weights: Option<&[f64]>) -> Option<ClosedForm> {
        self.closed_form(data, weights)
    }

    fn kernel_statistics(&self, data: &[Self::Obs], weights: Option<&[f64]>) -> Option<SufficientStatistics> {
        self.sufficient_statistics(data, weights)
    }

    #[inline]
    fn statistics_value(&self, theta: &[f64; P], statistics: &SufficientStatistics) -> f64 {
        self.ln_likelihood_from_statistics(theta, statistics)
    }

    #[inline]
    fn statistics_value_gradient(
        &self,
        theta: &[f64; P],
        statistics: &SufficientStatistics,
    ) -> (f64, [f64; P]) {
        unpack_first(self.ln_likelihood_from_statistics(&seed_first(theta), statistics))
    }

    #[inline]
    fn statistics_value_gradient_hessian(
        &self,
        theta: &[f64; P],
        statistics: &SufficientStatistics,
    ) -> (f64, [f64; P], SMatrix<f64, P, P>) {
        unpack_second(self.ln_likelihood_from_statistics(&seed_second(theta), statistics))
    }
}
