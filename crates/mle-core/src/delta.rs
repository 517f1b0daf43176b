//! The delta method for a derived quantity g(θ) written over dual numbers: g(θ̂) (the MLE of
//! g by invariance), its exact gradient, standard error and Wald interval.

use nalgebra::DVector;
use num_dual::DualSVec64;

use crate::error::{MleError, Result};
use crate::fit::Fit;
use crate::inference::normal_quantile;

/// g(θ̂) with its delta-method standard error and interval.
///
/// ```
/// use mle_core::delta::DerivedQuantity;
/// let d = DerivedQuantity { value: 2.0, gradient: nalgebra::dvector![1.0], std_error: 0.5, interval: (1.0, 3.0) };
/// assert_eq!(d.value, 2.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedQuantity {
    /// g(θ̂).
    pub value: f64,
    /// ∇g(θ̂), exact.
    pub gradient: DVector<f64>,
    /// √(∇gᵀ V ∇g).
    pub std_error: f64,
    /// Wald interval at the requested level.
    pub interval: (f64, f64),
}

/// Applies the delta method to `g`, a closure over static first-order duals with `P` = the
/// number of parameters of the fit (checked), at the fit.
///
/// ```
/// use mle_core::delta::delta_method;
/// use mle_core::{Convergence, Fit, Parameter};
/// use num_dual::{DualSVec64, DualNum};
/// # use mle_core::{ClosureDensity, DataObjective};
/// # use num_dual::Dual2SVec64;
/// // σ² from log σ: g(θ) = exp(2θ), se(g) = 2 exp(2θ̂) se(θ̂).
/// let d = ClosureDensity::new(vec![Parameter::log_scale("sigma")],
///     |t: &[Dual2SVec64<1>], x: &f64| -t[0] - (-t[0] * 2.0).exp() * (*x * *x * 0.5));
/// let data = [1.0, -1.0, 2.0, -2.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let theta = 0.5 * 2.5f64.ln();
/// let fit = Fit::at_estimate(&obj, &[theta], Convergence::closed_form("x")).unwrap();
/// let v = delta_method(&fit, |t: &[DualSVec64<1>]| (t[0] * 2.0).exp(), 0.95).unwrap();
/// assert!((v.value - 2.5).abs() < 1e-12);
/// assert!((v.std_error - 2.0 * 2.5 * fit.std_errors().unwrap()[0]).abs() < 1e-12);
/// ```
pub fn delta_method<const P: usize>(
    fit: &Fit,
    g: impl Fn(&[DualSVec64<P>]) -> DualSVec64<P>,
    level: f64,
) -> Result<DerivedQuantity> {
    let theta = fit.estimates();
    if theta.len() != P {
        return Err(MleError::ParameterCount {
            expected: theta.len(),
            got: P,
        });
    }
    let seeded: [DualSVec64<P>; P] = std::array::from_fn(|i| DualSVec64::from_re(theta[i]).derivative(i));
    let out = g(&seeded);
    let value = out.re;
    let gradient = DVector::from_column_slice(
        out.eps
            .unwrap_generic(nalgebra::Const::<P>, nalgebra::U1)
            .as_slice(),
    );
    let v = fit.covariance().ok_or_else(|| MleError::SingularInformation {
        detail: "the fit has no covariance".into(),
    })?;
    let std_error = gradient.dot(&(v * &gradient)).max(0.0).sqrt();
    let z = normal_quantile(level)?;
    if !value.is_finite() {
        return Err(MleError::InvalidParameter {
            name: "g(θ̂)".into(),
            value,
            reason: "the derived quantity is not finite at the estimate".into(),
        });
    }
    Ok(DerivedQuantity {
        value,
        gradient,
        std_error,
        interval: (value - z * std_error, value + z * std_error),
    })
}
