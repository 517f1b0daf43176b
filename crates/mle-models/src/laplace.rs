//! The Laplace (double exponential) distribution, parameters (μ, log b):
//! f(x) = 1/(2b) · exp(−|x − μ|/b).
//!
//! The MLE is closed form: μ̂ = a sample median, b̂ = mean absolute deviation about μ̂. For odd
//! n the median is unique; for even n every point of [x₍ₙ/₂₎, x₍ₙ/₂₊₁₎] maximises the
//! likelihood and **the lower median x₍ₙ/₂₎ is reported** (b̂ is the same for every point of
//! that interval). The log-density has a kink at μ, so the observed information is singular
//! (∂²ℓ/∂μ² = 0 almost everywhere) and is not used for standard errors; see
//! [`LocationScaleCovariance`]. For the same reason the generic Newton / BFGS optimisers
//! cannot fit it (they stop with a typed error): use [`Laplace::fit`].
//!
//! The Laplace is the asymmetric Laplace at τ = 0.5 with b = 2σ
//! ([`crate::AsymmetricLaplace`]); median (LAD) regression is
//! [`crate::quantile::QuantileRegression::median`].
//!
//! ```
//! use mle_models::Laplace;
//! let fit = Laplace.fit(&[1.0, 4.0, 2.0, 8.0]).unwrap();
//! let nat = fit.natural_estimates();
//! assert_eq!(nat[0], 2.0); // lower median of 1, 2, 4, 8
//! assert_eq!(nat[1], (1.0 + 0.0 + 2.0 + 6.0) / 4.0);
//! ```

use mle_core::{Convergence, DataObjective, Fit, LogDensity, Parameter, Result};
use nalgebra::SMatrix;
use num_dual::DualNum;

use crate::asymmetric_laplace::{
    finish_location_scale, location_scale_estimate, LocationScaleCovariance, ScaleNaming,
};

const LN_2: f64 = std::f64::consts::LN_2;

/// The Laplace family, parameters (μ, log b): log f = −log 2 − log b − |x − μ|/b.
///
/// ```
/// use mle_core::LogDensity;
/// use mle_models::Laplace;
/// let v = LogDensity::<2>::ln_density(&Laplace, &[1.0, 0.0], &3.0);
/// assert!((v - (-(2f64.ln()) - 2.0)).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Laplace;

#[inline]
fn laplace_ln_density<D: DualNum<f64> + Copy>(mu: D, log_b: D, x: f64) -> D {
    let u = -(mu - x);
    let abs = if u.re() < 0.0 { -u } else { u };
    -(abs * (-log_b).exp()) - log_b - LN_2
}

impl LogDensity<2> for Laplace {
    type Obs = f64;

    fn name(&self) -> String {
        "Laplace".into()
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::identity("mu"), Parameter::log_scale("b")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], x: &f64) -> D {
        laplace_ln_density(theta[0], theta[1], *x)
    }

    /// Per observation: diag(1/b², 1) in (μ, log b).
    fn expected_information(&self, theta: &[f64; 2], _x: &f64) -> Option<SMatrix<f64, 2, 2>> {
        Some(SMatrix::<f64, 2, 2>::new((-2.0 * theta[1]).exp(), 0.0, 0.0, 1.0))
    }
}

impl Laplace {
    /// Closed-form MLE, standard errors from the expected information (Var(μ̂) = b̂²/n, which
    /// is τ(1−τ)/(n f̂(μ̂)²) at τ = ½ with f̂(μ̂) = 1/(2b̂); Var(log b̂) = 1/n). μ̂ is the lower
    /// median. Errors: empty or non-finite data, b̂ = 0.
    ///
    /// ```
    /// use mle_models::Laplace;
    /// let fit = Laplace.fit(&[2.0, -1.0, 0.5]).unwrap();
    /// let se = fit.std_errors().unwrap();
    /// let b = fit.natural_estimates()[1];
    /// assert!((se[0] - b / 3f64.sqrt()).abs() < 1e-15);
    /// assert!(Laplace.fit(&[1.0, 1.0, 1.0]).is_err()); // b̂ = 0
    /// ```
    pub fn fit(&self, data: &[f64]) -> Result<Fit> {
        self.fit_with(data, LocationScaleCovariance::ExpectedInformation)
    }

    /// Closed-form MLE with the chosen covariance
    /// ([`LocationScaleCovariance::ObservedInformation`] is refused: no covariance, with the
    /// reason as the label).
    ///
    /// ```
    /// use mle_models::{Bandwidth, Laplace, LocationScaleCovariance};
    /// let data: Vec<f64> = (0..101).map(|i| ((i * 53) % 101) as f64 / 10.0).collect();
    /// let fit = Laplace.fit_with(&data, LocationScaleCovariance::Sparsity(Bandwidth::HallSheather)).unwrap();
    /// assert!(fit.covariance_source().starts_with("nonparametric"));
    /// ```
    pub fn fit_with(&self, data: &[f64], covariance: LocationScaleCovariance) -> Result<Fit> {
        let objective = DataObjective::new(self, data)?;
        let mut est = location_scale_estimate(data, 0.5)?;
        let b = 2.0 * est.scale; // mean |x − μ̂| (exact: the check loss at ½ is half of it)
        let fit = Fit::at_estimate(
            &objective,
            &[est.location, b.ln()],
            Convergence::closed_form(&format!(
                "μ̂ = x₍{}₎ (lower median; any point between the two middle values is an MLE when n is \
                 even), b̂ = mean |x − μ̂|",
                est.k
            )),
        )?;
        est.scale = b;
        let naming = ScaleNaming {
            family: "Laplace",
            scale: "b",
            factor: 2.0,
        };
        finish_location_scale(fit, data, 0.5, &est, covariance, &naming)
    }
}
