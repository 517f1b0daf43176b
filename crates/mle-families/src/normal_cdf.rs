//! log Φ(x), the standard normal log-CDF, over dual numbers (probit links, log-normal
//! survival), accurate in both tails.

use libm::erfc;
use num_dual::DualNum;

use mle_core::special::lift;

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// log Φ(x) at a real x: `erfc` for x ≥ −30 (log1p form above 0), the asymptotic series
/// below.
fn ln_phi_cdf(x: f64) -> f64 {
    if x > 0.0 {
        (-0.5 * erfc(x * std::f64::consts::FRAC_1_SQRT_2)).ln_1p()
    } else if x >= -30.0 {
        (0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)).ln()
    } else {
        let z = 1.0 / (x * x);
        let series = 1.0 - z * (1.0 - z * (3.0 - z * (15.0 - z * 105.0)));
        -0.5 * x * x - LN_SQRT_2PI - (-x).ln() + series.ln()
    }
}

/// log Φ(x) for a dual `x`, with exact derivatives up to third order: f′ = φ/Φ,
/// f″ = −f′(x + f′), f‴ = −f″(x + f′) − f′(1 + f″).
///
/// ```
/// use mle_families::normal_cdf::ln_normal_cdf;
/// use num_dual::{Dual64, DualNum};
/// let v = ln_normal_cdf(Dual64::from_re(0.0).derivative());
/// assert!((v.re + std::f64::consts::LN_2).abs() < 1e-15);
/// assert!((v.eps - (2.0 / std::f64::consts::PI).sqrt()).abs() < 1e-15); // φ(0)/Φ(0)
/// // Far tail: log Φ(−40) ≈ −x²/2 − log(−x) − ½ log 2π.
/// assert!((ln_normal_cdf(-40.0f64) + 800.0 + 40f64.ln() + 0.9189385332046728 + 1.0 / 1600.0).abs() < 2e-6);
/// ```
pub fn ln_normal_cdf<D: DualNum<f64> + Copy>(x: D) -> D {
    let r = x.re();
    let f0 = ln_phi_cdf(r);
    let f1 = (-0.5 * r * r - LN_SQRT_2PI - f0).exp();
    let f2 = -f1 * (r + f1);
    let f3 = -f2 * (r + f1) - f1 * (1.0 + f2);
    lift(x, [f0, f1, f2, f3])
}
