//! The asymmetric Laplace distribution ALD(μ, σ; τ), σ on the log scale, τ ∈ (0, 1) fixed:
//! f(y) = τ(1−τ)/σ · exp(−ρ_τ(y − μ)/σ), ρ_τ(u) = u (τ − 1{u < 0}).
//!
//! Its location MLE is a τ-quantile of the sample ([`lower_quantile`]) and its scale MLE the
//! mean check loss, in closed form. The log-density has a kink at y = μ, so ∂²ℓ/∂μ² = 0
//! almost everywhere: the observed information says nothing about the precision of μ̂. The
//! closed-form fit with standard errors that are valid here (expected information, sparsity,
//! bootstrap) lives above the quantile solver, in `mle_models::LocationScaleFit`; quantile
//! regression (the ALD with μ = xᵀβ) is `mle_models::QuantileRegression`.
//!
//! ```
//! use mle_core::LogDensity;
//! use mle_families::AsymmetricLaplace;
//! let ald = AsymmetricLaplace::new(0.25).unwrap();
//! // log f(y) = log τ(1−τ) − log σ − ρ_τ(y − μ)/σ; at μ = 0, σ = 1, y = 2: ρ = 0.5.
//! let v = LogDensity::<2>::ln_density(&ald, &[0.0, 0.0], &2.0);
//! assert!((v - ((0.25f64 * 0.75).ln() - 0.5)).abs() < 1e-15);
//! ```

use mle_core::{LogDensity, MleError, Parameter, Result};
use nalgebra::SMatrix;
use num_dual::DualNum;

/// The check (quantile) loss ρ_τ(u) = u (τ − 1{u < 0}).
///
/// ```
/// use mle_families::asymmetric_laplace::check_loss;
/// assert_eq!(check_loss(2.0, 0.25), 0.5);
/// assert_eq!(check_loss(-2.0, 0.25), 1.5);
/// ```
#[inline]
pub fn check_loss(u: f64, tau: f64) -> f64 {
    if u < 0.0 {
        u * (tau - 1.0)
    } else {
        u * tau
    }
}

/// ρ_τ(u) over dual numbers (the derivative is taken on the side of u's real part; at exactly
/// 0 it is τ).
///
/// ```
/// use mle_families::asymmetric_laplace::check_loss_dual;
/// assert_eq!(check_loss_dual(-2.0f64, 0.25), 1.5);
/// ```
#[inline]
pub fn check_loss_dual<D: DualNum<f64> + Copy>(u: D, tau: f64) -> D {
    if u.re() < 0.0 {
        u * (tau - 1.0)
    } else {
        u * tau
    }
}

/// Checks that the quantile level τ is in (0, 1).
pub(crate) fn check_tau(tau: f64) -> Result<()> {
    if tau > 0.0 && tau < 1.0 {
        Ok(())
    } else {
        Err(MleError::TauOutOfRange { tau })
    }
}

/// log f of the asymmetric Laplace at y, generic over dual numbers.
#[inline]
fn ald_ln_density<D: DualNum<f64> + Copy>(tau: f64, mu: D, log_sigma: D, y: f64) -> D {
    let u = -(mu - y);
    -(check_loss_dual(u, tau) * (-log_sigma).exp()) - log_sigma + (tau.ln() + (-tau).ln_1p())
}

/// The asymmetric Laplace family ALD(μ, σ; τ) with parameters (μ, log σ), τ fixed.
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::AsymmetricLaplace;
/// let ald = AsymmetricLaplace::new(0.5).unwrap();
/// // τ = 0.5: f(y) = 1/(4σ) exp(−|y − μ|/(2σ)), the Laplace with b = 2σ.
/// let v = LogDensity::<2>::ln_density(&ald, &[0.0, 0.0], &2.0);
/// assert!((v - (0.25f64.ln() - 1.0)).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AsymmetricLaplace {
    tau: f64,
}

impl AsymmetricLaplace {
    /// The family at quantile level `tau` ∈ (0, 1) (`TauOutOfRange` otherwise).
    ///
    /// ```
    /// use mle_core::MleError;
    /// use mle_families::AsymmetricLaplace;
    /// assert!(matches!(AsymmetricLaplace::new(0.0), Err(MleError::TauOutOfRange { .. })));
    /// assert!(AsymmetricLaplace::new(f64::NAN).is_err());
    /// ```
    pub fn new(tau: f64) -> Result<Self> {
        check_tau(tau)?;
        Ok(AsymmetricLaplace { tau })
    }

    /// The quantile level τ.
    ///
    /// ```
    /// assert_eq!(mle_families::AsymmetricLaplace::new(0.9).unwrap().tau(), 0.9);
    /// ```
    pub fn tau(&self) -> f64 {
        self.tau
    }
}

impl LogDensity<2> for AsymmetricLaplace {
    type Obs = f64;

    fn name(&self) -> String {
        format!("asymmetric Laplace (τ = {})", self.tau)
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::identity("mu"), Parameter::log_scale("sigma")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], x: &f64) -> D {
        ald_ln_density(self.tau, theta[0], theta[1], *x)
    }

    /// Per observation: diag(τ(1−τ)/σ², 1) in (μ, log σ).
    fn expected_information(&self, theta: &[f64; 2], _x: &f64) -> Option<SMatrix<f64, 2, 2>> {
        let a = self.tau * (1.0 - self.tau) * (-2.0 * theta[1]).exp();
        Some(SMatrix::<f64, 2, 2>::new(a, 0.0, 0.0, 1.0))
    }
}

/// k = ⌈nτ⌉, with a relative fuzz of 4ε as R's `quantile(type = 1)` so that an nτ which is an
/// integer up to rounding counts as one; clamped to 1..=n.
///
/// ```
/// use mle_families::asymmetric_laplace::lower_quantile_rank;
/// assert_eq!(lower_quantile_rank(10, 0.3), 3); // 10 · 0.3 = 3.0000000000000004
/// assert_eq!(lower_quantile_rank(10, 0.31), 4);
/// ```
pub fn lower_quantile_rank(n: usize, tau: f64) -> usize {
    let nt = n as f64 * tau;
    let k = (nt - 4.0 * f64::EPSILON * nt.max(1.0)).ceil();
    (k.max(1.0) as usize).min(n)
}

/// Whether nτ is the integer k (up to the fuzz of [`lower_quantile_rank`]): then every point
/// of [x₍ₖ₎, x₍ₖ₊₁₎] minimises Σ ρ_τ(xᵢ − q), not only the lower τ-quantile x₍ₖ₎.
///
/// ```
/// use mle_families::asymmetric_laplace::rank_is_exact;
/// assert!(rank_is_exact(10, 0.3, 3));
/// assert!(!rank_is_exact(10, 0.31, 4));
/// ```
pub fn rank_is_exact(n: usize, tau: f64, k: usize) -> bool {
    let nt = n as f64 * tau;
    (nt - k as f64).abs() <= 4.0 * f64::EPSILON * nt.max(1.0)
}

/// The lower τ-quantile of a sample, x₍ₖ₎ with k = ⌈nτ⌉ (R `quantile(x, τ, type = 1)`), and k.
/// It minimises Σ ρ_τ(xᵢ − q); when nτ is an integer so does every point of [x₍ₖ₎, x₍ₖ₊₁₎].
///
/// ```
/// use mle_families::asymmetric_laplace::lower_quantile;
/// assert_eq!(lower_quantile(&[5.0, 1.0, 4.0, 2.0], 0.5).unwrap(), (2.0, 2)); // lower median
/// assert_eq!(lower_quantile(&[5.0, 1.0, 4.0, 2.0], 0.51).unwrap(), (4.0, 3));
/// assert!(lower_quantile(&[], 0.5).is_err());
/// assert!(lower_quantile(&[1.0, f64::NAN], 0.5).is_err());
/// ```
pub fn lower_quantile(data: &[f64], tau: f64) -> Result<(f64, usize)> {
    check_tau(tau)?;
    if data.is_empty() {
        return Err(MleError::EmptyData);
    }
    if let Some(index) = data.iter().position(|v| !v.is_finite()) {
        return Err(MleError::NonFiniteObservation { index });
    }
    let k = lower_quantile_rank(data.len(), tau);
    let mut copy = data.to_vec();
    let (_, q, _) = copy.select_nth_unstable_by(k - 1, f64::total_cmp);
    Ok((*q, k))
}
