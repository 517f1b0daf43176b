//! Zero-inflated counts, as `pscl::zeroinfl`: with probability π a structural zero, otherwise
//! a Poisson or NB2 count; working parameters log μ (count), logit π (zero) and, for the
//! negative binomial, log θ.

use mle_core::numerics::{log_sigmoid, log_sum_exp};
use mle_core::{DensityKernel, LogDensity, Parameter};
use nalgebra::SMatrix;
use num_dual::DualNum;

use crate::{NegativeBinomial, Poisson};

fn check_count(y: &f64) -> Result<(), String> {
    if *y >= 0.0 && y.fract() == 0.0 {
        Ok(())
    } else {
        Err(format!("y = {y}, but a count must be a non-negative integer"))
    }
}

/// Mixes a count log-density with structural zeros: log(π + (1−π)p(0)) at 0,
/// log(1−π) + log p(y) above.
#[inline]
fn inflate<D: DualNum<f64> + Copy>(logit_pi: D, ln_count: D, y: f64) -> D {
    let ln_not_zero = log_sigmoid(-logit_pi);
    if y == 0.0 {
        log_sum_exp(&[log_sigmoid(logit_pi), ln_not_zero + ln_count])
    } else {
        ln_not_zero + ln_count
    }
}

/// Zero-inflated Poisson: parameters (log μ, logit π).
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::ZeroInflatedPoisson;
/// // π = ½, μ = 1: P(0) = ½ + ½e⁻¹, P(1) = ½e⁻¹.
/// let zip = ZeroInflatedPoisson;
/// assert!((zip.ln_density(&[0.0, 0.0], &0.0) - (0.5 + 0.5 * (-1f64).exp()).ln()).abs() < 1e-15);
/// assert!((zip.ln_density(&[0.0, 0.0], &1.0) - (0.5 * (-1f64).exp()).ln()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ZeroInflatedPoisson;

impl LogDensity<2> for ZeroInflatedPoisson {
    type Obs = f64;

    fn name(&self) -> String {
        "zero-inflated Poisson".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::log_scale("mu"), Parameter::logit_scale("zero")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        inflate(theta[1], Poisson.ln_density(&theta[..1], y), *y)
    }

    fn check_observation(&self, y: &f64) -> Result<(), String> {
        check_count(y)
    }

    /// The exact expected information of (log μ, logit π), in closed form: the Hessian of
    /// ln p(y) is the same for every y ≥ 1 (−μ and −π(1−π) on the diagonal, no cross term), so
    /// E[−∇² ln p(Y)] = P(0)·(−∇² ln p(0)) + P(Y ≥ 1)·(−∇² ln p(1)), with
    /// P(Y ≥ 1) = (1−π)(1−e^{−μ}) and both Hessians by the density's own exact duals.
    ///
    /// ```
    /// use mle_core::LogDensity;
    /// use mle_families::ZeroInflatedPoisson;
    /// // π → 0 leaves the Poisson: I(log μ) = μ, and the zero part carries no information.
    /// let i = ZeroInflatedPoisson.expected_information(&[2f64.ln(), -40.0], &0.0).unwrap();
    /// assert!((i[(0, 0)] - 2.0).abs() < 1e-12);
    /// ```
    fn expected_information(&self, theta: &[f64; 2], _y: &f64) -> Option<SMatrix<f64, 2, 2>> {
        let (ln_p0, _, h0) = DensityKernel::value_gradient_hessian(self, theta, &0.0);
        let (_, _, h1) = DensityKernel::value_gradient_hessian(self, theta, &1.0);
        let positive = not_zero(theta[1]) * -(-theta[0].exp()).exp_m1();
        Some(-(h0 * ln_p0.exp() + h1 * positive))
    }
}

/// 1 − π = σ(−logit π), without cancellation for π near 1.
fn not_zero(logit_pi: f64) -> f64 {
    1.0 / (1.0 + logit_pi.exp())
}

/// Zero-inflated NB2: parameters (log μ, logit π, log θ).
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::{NegativeBinomial, ZeroInflatedNegativeBinomial};
/// // π → 0 is the negative binomial itself.
/// let a = ZeroInflatedNegativeBinomial.ln_density(&[0.3, -40.0, 0.5], &2.0);
/// let b = NegativeBinomial.ln_density(&[0.3, 0.5], &2.0);
/// assert!((a - b).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ZeroInflatedNegativeBinomial;

impl LogDensity<3> for ZeroInflatedNegativeBinomial {
    type Obs = f64;

    fn name(&self) -> String {
        "zero-inflated negative binomial (NB2)".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![
            Parameter::log_scale("mu"),
            Parameter::logit_scale("zero"),
            Parameter::log_scale("theta"),
        ]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        inflate(
            theta[1],
            NegativeBinomial.ln_density(&[theta[0], theta[2]], y),
            *y,
        )
    }

    fn check_observation(&self, y: &f64) -> Result<(), String> {
        check_count(y)
    }

    /// The exact expected information of (log μ, logit π, log θ). For y ≥ 1,
    /// ln p(y) = ln(1−π) + ln NB(y), so the zero part has the constant curvature −π(1−π) and no
    /// cross term, and the count part is the NB's: summed over y ≥ 1 it is the NB's exact
    /// expected information ([`NegativeBinomial::expected_information`], an exact sum in log θ)
    /// less its y = 0 term. Hence, with p₀ = NB(0) and P(0) = π + (1−π)p₀,
    /// I = P(0)·(−∇² ln p(0)) + (1−π)·[I_NB − p₀·(−∇² ln NB(0))] + (1−π)(1−p₀)·π(1−π) e_π e_πᵀ.
    ///
    /// ```
    /// use mle_core::LogDensity;
    /// use mle_families::{NegativeBinomial, ZeroInflatedNegativeBinomial};
    /// // π → 0 leaves the negative binomial.
    /// let zinb = ZeroInflatedNegativeBinomial.expected_information(&[0.5, -40.0, 0.2], &0.0).unwrap();
    /// let nb = NegativeBinomial.expected_information(&[0.5, 0.2], &0.0).unwrap();
    /// assert!((zinb[(0, 0)] - nb[(0, 0)]).abs() < 1e-12 && (zinb[(2, 2)] - nb[(1, 1)]).abs() < 1e-12);
    /// ```
    fn expected_information(&self, theta: &[f64; 3], _y: &f64) -> Option<SMatrix<f64, 3, 3>> {
        let count = [theta[0], theta[2]];
        let (ln_p0, _, h0) = DensityKernel::value_gradient_hessian(self, theta, &0.0);
        let (ln_nb0, _, nb_h0) = DensityKernel::value_gradient_hessian(&NegativeBinomial, &count, &0.0);
        let nb_info = NegativeBinomial.expected_information(&count, &0.0)?;
        let (nb0, keep) = (ln_nb0.exp(), not_zero(theta[1]));
        let mut info = -h0 * ln_p0.exp();
        let index = [0, 2];
        for (a, &r) in index.iter().enumerate() {
            for (b, &c) in index.iter().enumerate() {
                info[(r, c)] += keep * (nb_info[(a, b)] + nb0 * nb_h0[(a, b)]);
            }
        }
        let pi = not_zero(-theta[1]);
        info[(1, 1)] += keep * -ln_nb0.exp_m1() * pi * keep;
        Some(info)
    }
}

#[cfg(test)]
mod expected_information_tests {
    use mle_core::{DensityKernel, LogDensity};
    use nalgebra::{SMatrix, SVector};

    use super::{ZeroInflatedNegativeBinomial, ZeroInflatedPoisson};

    /// The family's expected information at each θ against Σ_y p(y)·s(y)s(y)ᵀ by brute force
    /// over 0..=max (the information identity: a different formula from the Hessian form the
    /// families use), to `tolerance` relative; the brute force must cover the mass to 1e-13.
    /// Returns the informations for further checks.
    fn assert_information_identity<F: LogDensity<P, Obs = f64>, const P: usize>(
        family: &F,
        thetas: &[[f64; P]],
        max: u32,
        tolerance: f64,
    ) -> Vec<SMatrix<f64, P, P>> {
        thetas
            .iter()
            .map(|theta| {
                let info = family.expected_information(theta, &0.0).unwrap();
                let mut opg = SMatrix::<f64, P, P>::zeros();
                let mut mass = 0.0;
                for y in 0..=max {
                    let (v, g) = DensityKernel::value_gradient(family, theta, &f64::from(y));
                    let s = SVector::<f64, P>::from(g);
                    opg += s * s.transpose() * v.exp();
                    mass += v.exp();
                }
                assert!((mass - 1.0).abs() < 1e-13, "{theta:?}: mass {mass}");
                let scale = info.abs().max();
                assert!(
                    (info - opg).abs().max() < tolerance * scale,
                    "{theta:?}: {info} vs {opg}"
                );
                info
            })
            .collect()
    }

    #[test]
    fn zip_information_equals_the_expected_outer_product_of_scores() {
        let thetas = [[0.4, -0.3], [2.5, 1.2], [-1.0, -3.0], [0.0, 4.0]];
        assert_information_identity(&ZeroInflatedPoisson, &thetas, 400, 1e-12);
    }

    #[test]
    fn zinb_information_equals_the_expected_outer_product_of_scores() {
        // (log μ, logit π, log θ): small and large θ, small and large π.
        let thetas = [
            [0.4, -0.3, 0.5],
            [2.0, 1.0, -0.7],
            [-0.5, -2.0, 2.5],
            [1.5, 3.0, 0.0],
        ];
        for (theta, info) in thetas.iter().zip(assert_information_identity(
            &ZeroInflatedNegativeBinomial,
            &thetas,
            5000,
            1e-10,
        )) {
            assert!(
                info[(0, 1)].abs() > 1e-6,
                "{theta:?}: the zero and count parts interact at y = 0"
            );
        }
    }
}
