//! Special functions lifted to dual numbers: the value and derivatives at the real part come
//! from `statrs` (log-gamma, digamma) and from the polygamma series here (trigamma,
//! tetragamma), and are propagated exactly by a Taylor expansion in the dual part.

use num_dual::DualNum;
use statrs::function::gamma;

/// f(x) for a dual `x`, given f and its first three derivatives at the real part: exact up to
/// the dual type's order (third-order and nested duals included).
///
/// ```
/// use mle_core::special::lift;
/// use num_dual::{Dual64, DualNum};
/// let x = Dual64::from_re(2.0).derivative();
/// let y = lift(x, [4.0, 4.0, 2.0, 0.0]); // x² at 2
/// assert_eq!((y.re, y.eps), (4.0, 4.0));
/// ```
pub fn lift<D: DualNum<f64> + Copy>(x: D, derivatives: [f64; 4]) -> D {
    let d = x - x.re();
    let mut r = d * derivatives[1] + derivatives[0];
    if D::NDERIV >= 2 {
        let d2 = d * d;
        r += d2 * (derivatives[2] * 0.5);
        if D::NDERIV >= 3 {
            r += d2 * d * (derivatives[3] / 6.0);
        }
    }
    r
}

/// Trigamma ψ′(x) for x > 0 (recurrence to x ≥ 20, then the asymptotic series; ~1e-15).
///
/// ```
/// // ψ′(1) = π²/6
/// let v = mle_core::special::trigamma(1.0);
/// assert!((v - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-14);
/// ```
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 20.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    acc + 1.0 / x
        + x2 * (0.5
            + (1.0 / x)
                * (1.0 / 6.0 + x2 * (-1.0 / 30.0 + x2 * (1.0 / 42.0 + x2 * (-1.0 / 30.0 + x2 * 5.0 / 66.0)))))
}

/// Tetragamma ψ″(x) for x > 0.
///
/// ```
/// // ψ″(1) = −2ζ(3)
/// let v = mle_core::special::tetragamma(1.0);
/// assert!((v + 2.0 * 1.2020569031595942).abs() < 1e-13);
/// ```
pub fn tetragamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 20.0 {
        acc -= 2.0 / (x * x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    acc - x2
        - x2 / x
        - x2 * x2 * (0.5 + x2 * (-1.0 / 6.0 + x2 * (1.0 / 6.0 + x2 * (-3.0 / 10.0 + x2 * 5.0 / 6.0))))
}

/// log Γ(x) for a dual `x` with positive real part.
///
/// ```
/// use mle_core::special::ln_gamma;
/// use num_dual::{Dual64, DualNum};
/// let y = ln_gamma(Dual64::from_re(3.0).derivative());
/// assert!((y.re - 2f64.ln()).abs() < 1e-14);
/// assert!((y.eps - (1.5 - 0.5772156649015329)).abs() < 1e-13); // ψ(3) = 1 + 1/2 − γ
/// ```
pub fn ln_gamma<D: DualNum<f64> + Copy>(x: D) -> D {
    let r = x.re();
    let d3 = if D::NDERIV >= 3 { tetragamma(r) } else { 0.0 };
    let d2 = if D::NDERIV >= 2 { trigamma(r) } else { 0.0 };
    let d1 = if D::NDERIV >= 1 { gamma::digamma(r) } else { 0.0 };
    lift(x, [gamma::ln_gamma(r), d1, d2, d3])
}

/// Digamma ψ(x) for a dual `x` with positive real part.
///
/// ```
/// use mle_core::special::digamma;
/// use num_dual::{Dual64, DualNum};
/// let y = digamma(Dual64::from_re(1.0).derivative());
/// assert!((y.eps - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-14);
/// ```
pub fn digamma<D: DualNum<f64> + Copy>(x: D) -> D {
    let r = x.re();
    let d2 = if D::NDERIV >= 2 { tetragamma(r) } else { 0.0 };
    let d1 = if D::NDERIV >= 1 { trigamma(r) } else { 0.0 };
    lift(x, [gamma::digamma(r), d1, d2, 0.0])
}
