//! Inverse Gaussian regression, as R's `glm(family = inverse.gaussian(link))` with the
//! dispersion by maximum likelihood: μ = g⁻¹(Xβ + offset), log φ an intercept-only predictor.

use std::borrow::Cow;

use mle_core::{Design, Result};
use mle_families::{InverseGaussian, MeanLink};

use crate::gamma::{mean_start, weighted_mean};
use crate::regression::{Regression, RegressionFamily};

impl<'a> Regression<'a, InverseGaussian, 2> {
    /// Inverse Gaussian regression of positive `y` on `x` with mean link `link` (`Log` or
    /// `InverseSquare`, R's `log`, `1/mu^2`): parameters (β, `log_dispersion`), φ reported
    /// as `dispersion`. φ̂ is the ML estimate mean((y − μ̂)²/(μ̂²y)), not R's Pearson one.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_families::MeanLink;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0])]).unwrap();
    /// let y = [1.1, 1.9, 3.2, 3.5, 6.4, 7.0];
    /// let fitted = Regression::inverse_gaussian(MeanLink::Log, &x, &y).unwrap().fit().unwrap();
    /// assert!(fitted.convergence().converged());
    /// assert_eq!(fitted.parameters()[2].natural_name, "dispersion");
    /// ```
    pub fn inverse_gaussian(link: MeanLink, x: &'a Design, y: &'a [f64]) -> Result<Self> {
        Regression::with_designs(
            InverseGaussian { link },
            [Cow::Borrowed(x), Cow::Owned(Design::intercept(x.nrows()))],
            y,
        )
    }
}

impl RegressionFamily<2> for InverseGaussian {
    fn regression_name(&self) -> String {
        format!("inverse Gaussian regression ({} link)", self.link.name())
    }

    /// glm-style β (least squares of g(y)) and φ₀ = mean((y − μ)²/(μ²y)).
    fn regression_start(&self, regression: &Regression<'_, Self, 2>) -> Vec<f64> {
        let (mut start, mu) = mean_start(regression, self.link);
        let phi = weighted_mean(
            regression.response(),
            &mu,
            regression.linear_objective().weights(),
            |y, m| (y - m).powi(2) / (m * m * y),
        );
        start.push(if phi > 0.0 && phi.is_finite() {
            phi.ln()
        } else {
            0.0
        });
        start
    }
}
