//! Poisson regression, log link, with an exposure offset.

use mle_core::predictor::PredictorDensity;
use mle_core::{Design, Fit, Result, Transform};
use mle_optim::FitOptions;
use nalgebra::SMatrix;
use num_dual::DualNum;
use statrs::function::gamma::ln_gamma;

use crate::regression::RegressionInput;

/// Poisson with log link: log p(y | η) = yη − e^η − log y!.
///
/// ```
/// use mle_core::Design;
/// use mle_models::Poisson;
/// let x = Design::intercept(3);
/// let fit = Poisson.fit(&x, &[1.0, 2.0, 3.0]).unwrap();
/// assert!((fit.estimates()[0] - 2f64.ln()).abs() < 1e-12); // log of the mean
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Poisson;

impl PredictorDensity<1> for Poisson {
    fn name(&self) -> String {
        "Poisson regression (log link)".into()
    }

    fn predictors(&self) -> [(&'static str, Transform); 1] {
        [("log_rate", Transform::Log)]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: f64) -> D {
        eta[0] * y - eta[0].exp() - ln_gamma(y + 1.0)
    }

    fn check_response(&self, y: f64) -> std::result::Result<(), String> {
        if y >= 0.0 && y.fract() == 0.0 {
            Ok(())
        } else {
            Err(format!(
                "y = {y}, but a Poisson count must be a non-negative integer"
            ))
        }
    }

    fn expected_information(&self, eta: &[f64; 1]) -> Option<SMatrix<f64, 1, 1>> {
        Some(SMatrix::<f64, 1, 1>::new(eta[0].exp()))
    }
}

impl Poisson {
    /// Fits by Newton from the intercept-only start (log of the mean count).
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::Poisson;
    /// let x = Design::intercept(2);
    /// assert!(matches!(Poisson.fit(&x, &[1.0, -1.0]), Err(MleError::OutsideSupport { index: 1, .. })));
    /// ```
    pub fn fit(&self, x: &Design, y: &[f64]) -> Result<Fit> {
        self.fit_with(RegressionInput::new(x, y), &FitOptions::newton())
    }

    /// Fits with an exposure offset (log exposure), case weights and options.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::{regression::RegressionInput, Poisson};
    /// use mle_optim::FitOptions;
    /// let x = Design::intercept(2);
    /// let y = [2.0, 6.0];
    /// let log_exposure = [0.0, 1f64.ln() + 2f64.ln()]; // exposures 1 and 2
    /// let fit = Poisson.fit_with(RegressionInput::new(&x, &y).offset(&log_exposure), &FitOptions::newton()).unwrap();
    /// assert!((fit.estimates()[0].exp() - 8.0 / 3.0).abs() < 1e-10); // total count / total exposure
    /// ```
    pub fn fit_with(&self, input: RegressionInput<'_>, options: &FitOptions) -> Result<Fit> {
        let objective = input.objective(self, [input.design()])?;
        let y = input.response();
        let w = input.weight_values();
        let (mut total, mut weight) = (0.0, 0.0);
        for (i, v) in y.iter().enumerate() {
            let wi = w.map_or(1.0, |w| w[i]);
            total += wi * v;
            weight += wi;
        }
        let mut start = vec![0.0; input.design().ncols()];
        if let Some(j) = input.design().names().iter().position(|n| n == "(Intercept)") {
            let mean_offset = input
                .offset_values()
                .map_or(0.0, |o| o.iter().sum::<f64>() / o.len() as f64);
            start[j] = (total / weight).max(1e-8).ln() - mean_offset;
        }
        options.fit(&objective, &start)
    }
}
