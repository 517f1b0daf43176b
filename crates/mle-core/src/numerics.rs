//! Numerically careful building blocks for log-densities, generic over dual numbers.

use num_dual::DualNum;

/// log σ(η) = −log(1 + e^{−η}), stable for any η (no overflow at |η| = 800).
///
/// ```
/// use mle_core::numerics::log_sigmoid;
/// assert!((log_sigmoid(0.0f64) + std::f64::consts::LN_2).abs() < 1e-15);
/// assert_eq!(log_sigmoid(-800.0f64), -800.0);
/// assert_eq!(log_sigmoid(800.0f64), 0.0);
/// ```
#[inline]
pub fn log_sigmoid<D: DualNum<f64> + Copy>(eta: D) -> D {
    if eta.re() >= 0.0 {
        -((-eta).exp().ln_1p())
    } else {
        eta - eta.exp().ln_1p()
    }
}

/// log(1 + e^{η}) (softplus), stable for any η.
///
/// ```
/// use mle_core::numerics::softplus;
/// assert_eq!(softplus(800.0f64), 800.0);
/// assert!((softplus(0.0f64) - std::f64::consts::LN_2).abs() < 1e-15);
/// ```
#[inline]
pub fn softplus<D: DualNum<f64> + Copy>(eta: D) -> D {
    -log_sigmoid(-eta)
}

/// log Σ exp(aᵢ), shifted by the largest real part so nothing overflows.
///
/// ```
/// use mle_core::numerics::log_sum_exp;
/// assert!((log_sum_exp(&[1000.0f64, 1000.0]) - (1000.0 + std::f64::consts::LN_2)).abs() < 1e-12);
/// ```
pub fn log_sum_exp<D: DualNum<f64> + Copy>(a: &[D]) -> D {
    let m = a.iter().map(|v| v.re()).fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return D::from(m);
    }
    let s = a.iter().fold(D::from(0.0), |acc, &v| acc + (v - m).exp());
    s.ln() + m
}
