//! Poisson regression: the Poisson family with its log rate as the linear predictor, with an
//! exposure offset.

use mle_core::{Design, Result};
use mle_families::Poisson;

use crate::regression::{Regression, RegressionFamily};

impl<'a> Regression<'a, Poisson, 1> {
    /// Poisson regression (log link) of counts `y` on `x`; add log exposure with
    /// [`Regression::offset`].
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::intercept(2);
    /// let y = [2.0, 6.0];
    /// let log_exposure = [0.0, 2f64.ln()]; // exposures 1 and 2
    /// let fitted = Regression::poisson(&x, &y).unwrap().offset(&log_exposure[..]).unwrap().fit().unwrap();
    /// assert!((fitted.estimates()[0].exp() - 8.0 / 3.0).abs() < 1e-10); // total count / total exposure
    /// assert!(matches!(Regression::poisson(&x, &[1.0, -1.0]), Err(MleError::OutsideSupport { index: 1, .. })));
    /// ```
    pub fn poisson(x: &'a Design, y: &'a [f64]) -> Result<Self> {
        Regression::new(Poisson, [x], y)
    }
}

impl RegressionFamily<1> for Poisson {
    fn regression_name(&self) -> String {
        "Poisson regression (log link)".into()
    }

    /// The intercept-only start: log of the (weighted) mean count, less the mean offset.
    fn regression_start(&self, regression: &Regression<'_, Self, 1>) -> Vec<f64> {
        let objective = regression.linear_objective();
        let (y, w) = (regression.response(), objective.weights());
        let (mut total, mut weight) = (0.0, 0.0);
        for (i, v) in y.iter().enumerate() {
            let wi = w.map_or(1.0, |w| w[i]);
            total += wi * v;
            weight += wi;
        }
        let x = regression.design(0);
        let mut start = vec![0.0; x.ncols()];
        if let Some(j) = x.names().iter().position(|n| n == "(Intercept)") {
            let mean_offset = objective
                .offset(0)
                .map_or(0.0, |o| o.iter().sum::<f64>() / o.len() as f64);
            start[j] = (total / weight).max(1e-8).ln() - mean_offset;
        }
        start
    }
}
