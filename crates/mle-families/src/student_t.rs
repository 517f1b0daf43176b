//! Student-t location–scale family, degrees of freedom fixed or estimated on the log scale.

use mle_core::special::ln_gamma;
use mle_core::{LogDensity, Parameter};
use nalgebra::SMatrix;
use num_dual::DualNum;

const LN_PI: f64 = 1.144_729_885_849_400_2;

fn t_log_density<D: DualNum<f64> + Copy>(mu: D, log_sigma: D, nu: D, y: f64) -> D {
    let z = (mu - y) * (-log_sigma).exp();
    let half = (nu + 1.0) * 0.5;
    ln_gamma(half) - ln_gamma(nu * 0.5) - (nu.ln() + LN_PI) * 0.5 - log_sigma - half * (z * z / nu).ln_1p()
}

/// Student-t with fixed degrees of freedom ν: parameters (μ, log σ).
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::StudentTFixedDf;
/// // t with ν = 1 is Cauchy: log density at 0 is −log π.
/// let v = StudentTFixedDf { df: 1.0 }.ln_density(&[0.0, 0.0], &0.0);
/// assert!((v + std::f64::consts::PI.ln()).abs() < 1e-14);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct StudentTFixedDf {
    /// Degrees of freedom ν > 0.
    pub df: f64,
}

impl LogDensity<2> for StudentTFixedDf {
    type Obs = f64;

    fn name(&self) -> String {
        format!("Student-t (ν = {} fixed)", self.df)
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::identity("mu"), Parameter::log_scale("sigma")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        t_log_density(theta[0], theta[1], D::from(self.df), *y)
    }

    /// I_μμ = (ν+1)/((ν+3)σ²), I_{log σ} = 2ν/(ν+3), no cross term.
    fn expected_information(&self, theta: &[f64; 2], _y: &f64) -> Option<SMatrix<f64, 2, 2>> {
        let nu = self.df;
        let inv_var = (-2.0 * theta[1]).exp();
        Some(SMatrix::<f64, 2, 2>::new(
            (nu + 1.0) / (nu + 3.0) * inv_var,
            0.0,
            0.0,
            2.0 * nu / (nu + 3.0),
        ))
    }
}

/// Student-t with ν estimated: parameters (μ, log σ, log ν).
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::{StudentT, StudentTFixedDf};
/// let a = StudentT.ln_density(&[0.3, 0.1, 2f64.ln()], &1.0);
/// let b = StudentTFixedDf { df: 2.0 }.ln_density(&[0.3, 0.1], &1.0);
/// assert!((a - b).abs() < 1e-14);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct StudentT;

impl LogDensity<3> for StudentT {
    type Obs = f64;

    fn name(&self) -> String {
        "Student-t (ν estimated)".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![
            Parameter::identity("mu"),
            Parameter::log_scale("sigma"),
            Parameter::log_scale("df"),
        ]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        t_log_density(theta[0], theta[1], theta[2].exp(), *y)
    }
}
