//! Gamma regression, as R's `glm(family = Gamma(link))` with the shape by maximum
//! likelihood (`MASS::gamma.shape`): μ = g⁻¹(Xβ + offset), log ν an intercept-only
//! predictor, estimated jointly.

use std::borrow::Cow;

use mle_core::{Design, Result};
use mle_families::{Gamma, MeanLink};

use crate::regression::{least_squares_start, Regression, RegressionFamily};

impl<'a> Regression<'a, Gamma, 2> {
    /// Gamma regression of positive `y` on `x` with mean link `link` (`Log` or `Inverse`,
    /// R's names `log`, `inverse`): parameters (β, `log_shape`), the shape reported as
    /// `shape`. β is glm's; ν̂ is `MASS::gamma.shape`'s; the standard errors are the exact
    /// inverse observed information (β and log ν are orthogonal at the MLE) and
    /// `CovarianceType::Expected` is the Fisher information with the ML shape.
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_families::MeanLink;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0])]).unwrap();
    /// let y = [1.1, 1.9, 3.2, 3.5, 6.4, 7.0];
    /// let fitted = Regression::gamma(MeanLink::Log, &x, &y).unwrap().fit().unwrap();
    /// assert!(fitted.convergence().converged() && fitted.estimates()[1] > 0.0);
    /// assert_eq!(fitted.parameters()[2].natural_name, "shape");
    /// assert!(matches!(Regression::gamma(MeanLink::Log, &x, &[1.0, 0.0, 1.0, 1.0, 1.0, 1.0]),
    ///     Err(MleError::OutsideSupport { index: 1, .. })));
    /// ```
    pub fn gamma(link: MeanLink, x: &'a Design, y: &'a [f64]) -> Result<Self> {
        Regression::with_designs(
            Gamma { link },
            [Cow::Borrowed(x), Cow::Owned(Design::intercept(x.nrows()))],
            y,
        )
    }
}

/// glm-style starting β and fitted means: least squares of g(y) − offset on X (weighted by
/// the case weights); for an inverse link whose fitted η is not positive everywhere, the
/// intercept-only start g(ȳ).
pub(crate) fn mean_start<F: RegressionFamily<2, Obs = f64>>(
    regression: &Regression<'_, F, 2>,
    link: MeanLink,
) -> (Vec<f64>, Vec<f64>) {
    let objective = regression.linear_objective();
    let (x, y, w, offset) = (
        regression.design(0),
        regression.response(),
        objective.weights(),
        objective.offset(0),
    );
    let target: Vec<f64> = y.iter().map(|&v| link.link(v)).collect();
    let (beta, _) = least_squares_start(x, &target, offset, w);
    let eta: Vec<f64> = (0..y.len())
        .map(|i| {
            (0..x.ncols()).map(|j| x.matrix()[(i, j)] * beta[j]).sum::<f64>() + offset.map_or(0.0, |o| o[i])
        })
        .collect();
    if link == MeanLink::Log || eta.iter().all(|&e| e > 0.0) {
        let mu = eta.iter().map(|&e| link.mean(e)).collect();
        return (beta, mu);
    }
    let total: f64 = (0..y.len()).map(|i| w.map_or(1.0, |w| w[i])).sum();
    let mean = (0..y.len()).map(|i| w.map_or(1.0, |w| w[i]) * y[i]).sum::<f64>() / total;
    let mut beta = vec![0.0; x.ncols()];
    if let Some(j) = x.names().iter().position(|n| n == "(Intercept)") {
        beta[j] = link.link(mean);
    }
    (beta, vec![mean; y.len()])
}

/// Weighted mean of f(yᵢ, μᵢ).
pub(crate) fn weighted_mean(y: &[f64], mu: &[f64], w: Option<&[f64]>, f: impl Fn(f64, f64) -> f64) -> f64 {
    let (mut s, mut t) = (0.0, 0.0);
    for i in 0..y.len() {
        let wi = w.map_or(1.0, |w| w[i]);
        s += wi * f(y[i], mu[i]);
        t += wi;
    }
    s / t
}

impl RegressionFamily<2> for Gamma {
    fn regression_name(&self) -> String {
        format!("gamma regression ({} link)", self.link.name())
    }

    /// glm-style β (least squares of g(y)) and the moment shape ν₀ = 1/mean(((y − μ)/μ)²).
    fn regression_start(&self, regression: &Regression<'_, Self, 2>) -> Vec<f64> {
        let (mut start, mu) = mean_start(regression, self.link);
        let cv2 = weighted_mean(
            regression.response(),
            &mu,
            regression.linear_objective().weights(),
            |y, m| ((y - m) / m).powi(2),
        );
        start.push(if cv2 > 0.0 && cv2.is_finite() {
            -cv2.ln()
        } else {
            0.0
        });
        start
    }
}
