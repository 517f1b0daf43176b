//! Binomial regression with trials and a choice of link, as R's
//! `glm(cbind(s, n − s) ~ …, family = binomial(link))`: logit, probit, cloglog.

use mle_core::{Design, Result};
use mle_families::{Binomial, BinomialLink};

use crate::regression::{least_squares_start, Regression, RegressionFamily};

impl<'a> Regression<'a, Binomial, 1> {
    /// Binomial regression of `(successes, trials)` on `x` with link `link`. For 0/1
    /// responses build the observations with [`Binomial::binary_trials`]. Standard errors
    /// default to the exact inverse observed information; `CovarianceType::Expected` gives
    /// the Fisher information R's `summary.glm` uses (the same for the logit link).
    ///
    /// ```
    /// use mle_core::{covariance::CovarianceType, Design, MleError};
    /// use mle_families::BinomialLink;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("dose", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
    /// let y = [(1.0, 10.0), (3.0, 10.0), (6.0, 10.0), (8.0, 10.0)];
    /// let fitted = Regression::binomial(BinomialLink::Probit, &x, &y).unwrap().fit().unwrap();
    /// assert!(fitted.convergence().converged() && fitted.estimates()[1] > 0.0);
    /// assert!(fitted.covariance(CovarianceType::Expected).is_ok());
    /// assert!(matches!(Regression::binomial(BinomialLink::Logit, &x, &[(1.0, 10.0), (11.0, 10.0), (0.0, 1.0), (1.0, 1.0)]),
    ///     Err(MleError::OutsideSupport { index: 1, .. })));
    /// ```
    pub fn binomial(link: BinomialLink, x: &'a Design, y: &'a [(f64, f64)]) -> Result<Self> {
        Regression::new(Binomial { link }, [x], y)
    }
}

impl RegressionFamily<1> for Binomial {
    fn regression_name(&self) -> String {
        format!("binomial regression ({} link)", self.link.name())
    }

    /// glm's start: η₀ = g((s + ½)/(n + 1)), then least squares of η₀ − offset on X,
    /// weighted by case weight × trials.
    fn regression_start(&self, regression: &Regression<'_, Self, 1>) -> Vec<f64> {
        let objective = regression.linear_objective();
        let y = regression.response();
        let eta0: Vec<f64> = y
            .iter()
            .map(|&(s, n)| self.link.link((s + 0.5) / (n + 1.0)))
            .collect();
        let w: Vec<f64> = y
            .iter()
            .enumerate()
            .map(|(i, &(_, n))| objective.weights().map_or(1.0, |w| w[i]) * n.max(1e-8))
            .collect();
        least_squares_start(regression.design(0), &eta0, objective.offset(0), Some(&w)).0
    }
}
