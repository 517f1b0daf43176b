//! Bernoulli(p), p = σ(θ) with θ the logit (working scale).

use mle_core::density::ClosedForm;
use mle_core::numerics::log_sigmoid;
use mle_core::transform::{log_sigmoid_and_pair, sigmoid};
use mle_core::{LogDensity, Parameter};
use nalgebra::SMatrix;
use num_dual::DualNum;

/// The Bernoulli family on 0/1 observations (`f64`, exactly 0.0 or 1.0), parameterised by the
/// logit of p. log p(y | θ) = y·log σ(θ) + (1−y)·log σ(−θ), computed stably.
///
/// ```
/// use mle_core::{density::ClosedForm, LogDensity};
/// use mle_families::Bernoulli;
/// let data = [1.0, 0.0, 1.0, 1.0];
/// let Some(ClosedForm::Interior { theta, .. }) = Bernoulli.closed_form(&data, None) else { panic!() };
/// assert!((theta[0] - 3f64.ln()).abs() < 1e-15); // logit(3/4)
/// assert!(matches!(Bernoulli.closed_form(&[0.0; 5], None), Some(ClosedForm::Boundary { .. })));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Bernoulli;

impl LogDensity<1> for Bernoulli {
    type Obs = f64;

    fn name(&self) -> String {
        "Bernoulli".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::logit_scale("p")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        if *y == 1.0 {
            log_sigmoid(theta[0])
        } else {
            log_sigmoid(-theta[0])
        }
    }

    /// In closed form (what the duals of `ln_density` give, without them): with s = ±θ
    /// (+ for y = 1), ℓ = log σ(s), ∂ℓ/∂θ = ±σ(−s), ∂²ℓ/∂θ² = −σ(s)σ(−s), all from one
    /// e^{−|s|} (no overflow at any θ).
    ///
    /// ```
    /// use mle_core::{DensityKernel, LogDensity};
    /// use mle_families::Bernoulli;
    /// // θ = 0: ℓ = −ln 2, gradient y − ½, curvature −¼.
    /// let (v, g, h) = Bernoulli.ln_density_derivatives(&[0.0], &1.0);
    /// assert_eq!((v, g[0], h[(0, 0)]), (-std::f64::consts::LN_2, 0.5, -0.25));
    /// ```
    #[inline]
    fn ln_density_derivatives(&self, theta: &[f64; 1], y: &f64) -> (f64, [f64; 1], SMatrix<f64, 1, 1>) {
        let (sign, s) = if *y == 1.0 {
            (1.0, theta[0])
        } else {
            (-1.0, -theta[0])
        };
        let (value, sig_s, sig_neg_s) = log_sigmoid_and_pair(s);
        (
            value,
            [sign * sig_neg_s],
            SMatrix::<f64, 1, 1>::new(-sig_s * sig_neg_s),
        )
    }

    fn check_observation(&self, y: &f64) -> std::result::Result<(), String> {
        if *y == 0.0 || *y == 1.0 {
            Ok(())
        } else {
            Err(format!("y = {y}, but a Bernoulli observation must be 0 or 1"))
        }
    }

    /// I(θ) = p(1−p) per observation on the logit scale (= 1/(p(1−p)) on the p scale).
    fn expected_information(&self, theta: &[f64; 1], _y: &f64) -> Option<SMatrix<f64, 1, 1>> {
        let p = sigmoid(theta[0]);
        Some(SMatrix::<f64, 1, 1>::new(p * (1.0 - p)))
    }

    /// p̂ = Σwᵢyᵢ / Σwᵢ. With k = 0 or k = n the estimate is on the boundary (p̂ = 0 or 1,
    /// ℓ = 0): no Wald standard error.
    fn closed_form(&self, data: &[f64], weights: Option<&[f64]>) -> Option<ClosedForm> {
        let (k, n) = match weights {
            Some(w) => data
                .iter()
                .zip(w)
                .fold((0.0, 0.0), |(k, n), (y, w)| (k + w * y, n + w)),
            None => (data.iter().sum::<f64>(), data.len() as f64),
        };
        let formula = "p̂ = k/n".to_string();
        if k == 0.0 || k == n {
            let theta = if k == 0.0 {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            return Some(ClosedForm::Boundary {
                theta: vec![theta],
                log_likelihood: 0.0,
                formula,
            });
        }
        let p = k / n;
        Some(ClosedForm::Interior {
            theta: vec![(p / (1.0 - p)).ln()],
            formula,
        })
    }
}

#[cfg(test)]
mod closed_form_derivative_tests {
    use mle_core::LogDensity;

    use super::Bernoulli;

    #[test]
    fn closed_form_derivatives_equal_the_duals() {
        for y in [0.0, 1.0] {
            for t in [
                -800.0, -40.0, -20.5, -3.0, -1e-9, 0.0, 1e-9, 0.7, 19.9, 37.0, 745.0, 800.0,
            ] {
                let (v, g, h) = Bernoulli.ln_density_derivatives(&[t], &y);
                let d = num_dual::Dual2::<f64, f64>::from_re(t).derivative();
                let dual = Bernoulli.ln_density(&[d], &y);
                let close = |a: f64, b: f64| a == b || (a - b).abs() <= 4.0 * f64::EPSILON * b.abs();
                assert!(close(v, dual.re), "y {y} θ {t}: {v} vs {}", dual.re);
                assert!(close(g[0], dual.v1), "y {y} θ {t}: {} vs {}", g[0], dual.v1);
                assert!(
                    close(h[(0, 0)], dual.v2),
                    "y {y} θ {t}: {} vs {}",
                    h[(0, 0)],
                    dual.v2
                );
            }
        }
    }
}
