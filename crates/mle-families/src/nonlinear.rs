//! Nonlinear regression with Gaussian errors: y = f(x; β) + ε, ε ~ N(0, σ²), σ on the log
//! scale. The mean function is written once, generic over dual numbers; the likelihood, its
//! exact derivatives and the expected information JᵀJ/σ² follow from it.

use mle_core::density::Observation;
use mle_core::{LogDensity, Parameter};
use nalgebra::SMatrix;
use num_dual::{DualNum, DualSVec64};

const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// A regression mean function f(x; β), generic over the number type.
///
/// ```
/// use mle_families::nonlinear::MeanFunction;
/// use num_dual::DualNum;
/// /// y = b1·(1 − exp(−b2·x))
/// struct Saturation;
/// impl MeanFunction for Saturation {
///     type X = f64;
///     fn coefficient_names(&self) -> Vec<String> { vec!["b1".into(), "b2".into()] }
///     fn mean<D: DualNum<f64> + Copy>(&self, b: &[D], x: &f64) -> D {
///         b[0] * (-(b[1] * *x).exp() + 1.0)
///     }
/// }
/// assert_eq!(Saturation.mean(&[2.0, 0.0], &1.0), 0.0);
/// ```
pub trait MeanFunction: Sync {
    /// Covariates of one observation.
    type X: Observation + Sync;
    /// Names of the coefficients β.
    fn coefficient_names(&self) -> Vec<String>;
    /// f(x; β).
    fn mean<D: DualNum<f64> + Copy>(&self, beta: &[D], x: &Self::X) -> D;
}

/// The Gaussian likelihood of a nonlinear regression: parameters (β₁..β_{P−1}, log σ);
/// observations are `(y, x)` pairs.
///
/// ```
/// use mle_families::nonlinear::{MeanFunction, NonlinearGaussian};
/// use mle_core::{DataObjective, Objective};
/// use num_dual::DualNum;
/// struct Line;
/// impl MeanFunction for Line {
///     type X = f64;
///     fn coefficient_names(&self) -> Vec<String> { vec!["a".into(), "b".into()] }
///     fn mean<D: DualNum<f64> + Copy>(&self, b: &[D], x: &f64) -> D { b[0] + b[1] * *x }
/// }
/// let model = NonlinearGaussian::<_, 3>::new(Line);
/// let data = [(1.0, 0.0), (3.0, 1.0), (5.0, 2.0)];
/// let obj = DataObjective::new(&model, &data).unwrap();
/// assert_eq!(model.residual_sum_of_squares(&[1.0, 2.0], &data), 0.0);
/// assert_eq!(obj.dimension(), 3);
/// ```
#[derive(Debug, Clone)]
pub struct NonlinearGaussian<M, const P: usize> {
    mean: M,
}

impl<M: MeanFunction, const P: usize> NonlinearGaussian<M, P> {
    /// Wraps a mean function with `P − 1` coefficients (`P` counts log σ too).
    ///
    /// ```
    /// # use mle_families::nonlinear::{MeanFunction, NonlinearGaussian};
    /// # use num_dual::DualNum;
    /// # struct C;
    /// # impl MeanFunction for C { type X = f64; fn coefficient_names(&self) -> Vec<String> { vec!["c".into()] }
    /// #   fn mean<D: DualNum<f64> + Copy>(&self, b: &[D], _x: &f64) -> D { b[0] } }
    /// let m = NonlinearGaussian::<_, 2>::new(C);
    /// assert_eq!(m.mean_function().coefficient_names(), vec!["c"]);
    /// ```
    pub fn new(mean: M) -> Self {
        NonlinearGaussian { mean }
    }

    /// The mean function.
    ///
    /// ```
    /// # use mle_families::nonlinear::{MeanFunction, NonlinearGaussian};
    /// # use num_dual::DualNum;
    /// # struct C;
    /// # impl MeanFunction for C { type X = f64; fn coefficient_names(&self) -> Vec<String> { vec!["c".into()] }
    /// #   fn mean<D: DualNum<f64> + Copy>(&self, b: &[D], _x: &f64) -> D { b[0] } }
    /// assert_eq!(NonlinearGaussian::<_, 2>::new(C).mean_function().mean(&[2.0], &0.0), 2.0);
    /// ```
    pub fn mean_function(&self) -> &M {
        &self.mean
    }

    /// Σ (yᵢ − f(xᵢ; β))², with compensated summation.
    ///
    /// ```
    /// # use mle_families::nonlinear::{MeanFunction, NonlinearGaussian};
    /// # use num_dual::DualNum;
    /// # struct C;
    /// # impl MeanFunction for C { type X = f64; fn coefficient_names(&self) -> Vec<String> { vec!["c".into()] }
    /// #   fn mean<D: DualNum<f64> + Copy>(&self, b: &[D], _x: &f64) -> D { b[0] } }
    /// let m = NonlinearGaussian::<_, 2>::new(C);
    /// assert_eq!(m.residual_sum_of_squares(&[1.0], &[(0.0, 0.0), (2.0, 0.0)]), 2.0);
    /// ```
    pub fn residual_sum_of_squares(&self, beta: &[f64], data: &[(f64, M::X)]) -> f64 {
        let mut s = mle_core::summation::CompensatedSum::new(1);
        for (y, x) in data {
            let r = y - self.mean.mean(beta, x);
            s.add(&[r * r]);
        }
        s.total()[0]
    }
}

impl<M: MeanFunction, const P: usize> LogDensity<P> for NonlinearGaussian<M, P> {
    type Obs = (f64, M::X);

    fn name(&self) -> String {
        "nonlinear regression, Gaussian errors".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        let mut p: Vec<Parameter> = self
            .mean
            .coefficient_names()
            .into_iter()
            .map(Parameter::identity)
            .collect();
        p.push(Parameter::log_scale("sigma"));
        p
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], obs: &(f64, M::X)) -> D {
        let log_sigma = theta[P - 1];
        let z = (self.mean.mean(&theta[..P - 1], &obs.1) - obs.0) * (-log_sigma).exp();
        -(z * z * 0.5) - log_sigma - HALF_LN_2PI
    }

    /// JᵢᵀJᵢ/σ² for β (Jᵢ = ∂f(xᵢ; β)/∂β, exact) and 2 for log σ, zero cross terms.
    fn expected_information(&self, theta: &[f64; P], obs: &(f64, M::X)) -> Option<SMatrix<f64, P, P>> {
        let seeded: [DualSVec64<P>; P] = std::array::from_fn(|i| DualSVec64::from_re(theta[i]).derivative(i));
        let f = self.mean.mean(&seeded[..P - 1], &obs.1);
        let j = f.eps.unwrap_generic(nalgebra::Const::<P>, nalgebra::U1);
        let inv_var = (-2.0 * theta[P - 1]).exp();
        let mut info = j * j.transpose() * inv_var;
        for k in 0..P {
            info[(k, P - 1)] = 0.0;
            info[(P - 1, k)] = 0.0;
        }
        info[(P - 1, P - 1)] = 2.0;
        Some(info)
    }
}
