//! Negative binomial (NB2) regression, as `MASS::glm.nb`: log μ = Xβ (+ offset), θ estimated
//! jointly on the log scale. Started from the Poisson fit and a moment estimate of θ;
//! the Poisson limit (θ̂ = ∞) is reported as a boundary estimate, not as a huge θ with a
//! tiny standard error.

use std::borrow::Cow;

use mle_core::{Convergence, Design, Diagnostic, Fit, MleError, Objective, Result};
use mle_families::{NegativeBinomial, Poisson};
use mle_optim::{FitOptions, Model};
use nalgebra::DMatrix;

use crate::regression::{Regression, RegressionFamily};

/// log θ̂ above this (θ̂ > 7·10¹⁰) is treated as the Poisson limit.
pub const POISSON_LIMIT_LOG_THETA: f64 = 25.0;

impl<'a> Regression<'a, NegativeBinomial, 2> {
    /// NB2 regression (log link) of counts `y` on `x`: parameters (β, `log_theta`), θ
    /// reported on its natural scale as `theta`. Standard errors default to the exact inverse
    /// observed information of (β, log θ); glm.nb's convention is
    /// [`Regression::glm_nb_covariance`].
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("x", (0..40).map(|i| (i % 8) as f64 / 8.0).collect())]).unwrap();
    /// let y: Vec<f64> = (0..40).map(|i| [0.0, 3.0, 1.0, 9.0, 2.0, 0.0, 14.0, 4.0][i % 8] + (i % 3) as f64).collect();
    /// let fitted = Regression::negative_binomial(&x, &y).unwrap().fit().unwrap();
    /// assert!(fitted.convergence().converged());
    /// assert_eq!(fitted.parameters()[2].natural_name, "theta");
    /// assert!(matches!(Regression::negative_binomial(&x, &vec![0.5; 40]),
    ///     Err(MleError::OutsideSupport { index: 0, .. })));
    /// ```
    pub fn negative_binomial(x: &'a Design, y: &'a [f64]) -> Result<Self> {
        Regression::with_designs(
            NegativeBinomial,
            [Cow::Borrowed(x), Cow::Owned(Design::intercept(x.nrows()))],
            y,
        )
    }

    /// The covariance `MASS::glm.nb` reports (working scale: β, log θ): the β block is the
    /// inverse expected information at θ̂ held fixed, (XᵀWX)⁻¹ with W = wμθ/(μ+θ) (what
    /// `summary(glm.nb(..))` prints), log θ's variance is the inverse observed information
    /// of log θ at β̂ held fixed, and the cross terms are zero. R prints θ's standard error
    /// on the natural scale: θ̂·√var(log θ̂) (`fit$SE.theta`, from `MASS::theta.ml`), which is
    /// `Fit::natural_std_errors` after installing this covariance with `Fit::with_covariance`.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("x", (0..40).map(|i| (i % 8) as f64 / 8.0).collect())]).unwrap();
    /// let y: Vec<f64> = (0..40).map(|i| [0.0, 3.0, 1.0, 9.0, 2.0, 0.0, 14.0, 4.0][i % 8] + (i % 3) as f64).collect();
    /// let fitted = Regression::negative_binomial(&x, &y).unwrap().fit().unwrap();
    /// let v = fitted.model().glm_nb_covariance(fitted.estimates().as_slice()).unwrap();
    /// assert_eq!(v[(0, 2)], 0.0);
    /// let as_r = fitted.fit().clone().with_covariance("glm.nb convention", v).unwrap();
    /// assert!(as_r.natural_std_errors().unwrap()[2] > 0.0); // SE(θ̂) as R prints it
    /// ```
    pub fn glm_nb_covariance(&self, estimates: &[f64]) -> Result<DMatrix<f64>> {
        let objective = self.linear_objective();
        let eta = objective.linear_predictors(estimates)?;
        let (x, y, w) = (self.design(0), self.response(), objective.weights());
        let p = x.ncols();
        let size = eta[(0, 1)].exp();
        let mut weighted = x.matrix().clone();
        for i in 0..y.len() {
            let mu = eta[(i, 0)].exp();
            let wi = w.map_or(1.0, |w| w[i]) * mu * size / (mu + size);
            weighted.row_mut(i).scale_mut(wi);
        }
        let info_beta = x.matrix().tr_mul(&weighted);
        let inv_beta =
            mle_core::inference::SymmetricInverse::of_positive_definite(&info_beta).map_err(|flat| {
                MleError::SingularInformation {
                    detail: format!("X'WX at θ̂: smallest eigenvalue {:.3e}", flat.eigenvalue),
                }
            })?;
        let h_tau = -objective.evaluate(estimates)?.hessian[(p, p)];
        if h_tau.is_nan() || h_tau <= 0.0 {
            return Err(MleError::SingularInformation {
                detail: format!("the observed information of log θ at fixed β is {h_tau:.3e}"),
            });
        }
        let mut v = DMatrix::zeros(p + 1, p + 1);
        v.view_mut((0, 0), (p, p)).copy_from(&inv_beta);
        v[(p, p)] = 1.0 / h_tau;
        Ok(v)
    }

    /// The Poisson regression on the same design, response, offset and weights (the start,
    /// and the θ = ∞ limit).
    fn poisson_counterpart(&self) -> Result<Regression<'_, Poisson, 1>> {
        let objective = self.linear_objective();
        let mut poisson = Regression::new(Poisson, [self.design(0)], self.response())?;
        if let Some(o) = objective.offset(0) {
            poisson = poisson.offset(o)?;
        }
        if let Some(w) = objective.weights() {
            poisson = poisson.weights(w)?;
        }
        Ok(poisson)
    }
}

/// (Σ wᵢ[(yᵢ − μᵢ)² − yᵢ], Σ wᵢμᵢ²) at the Poisson fit: the first is twice the score in
/// α = 1/θ at α = 0 (not positive: the likelihood is maximised at the Poisson limit); their
/// ratio Σμ²/Σ[(y−μ)² − y] is the moment estimate of θ. Both are sums, so partial sums over
/// parts of the data add (a streaming fit's pass).
///
/// ```
/// use mle_models::negative_binomial::overdispersion;
/// // y = (0, 4) around μ = (2, 2): Σ[(y−μ)² − y] = (4 − 0) + (4 − 4) = 4, Σμ² = 8.
/// assert_eq!(overdispersion(&[0.0, 4.0], &[2.0, 2.0], None), (4.0, 8.0));
/// ```
pub fn overdispersion(y: &[f64], mu: &[f64], weights: Option<&[f64]>) -> (f64, f64) {
    let (mut excess, mut mu2) = (0.0, 0.0);
    for i in 0..y.len() {
        let wi = weights.map_or(1.0, |w| w[i]);
        excess += wi * ((y[i] - mu[i]).powi(2) - y[i]);
        mu2 += wi * mu[i] * mu[i];
    }
    (excess, mu2)
}

/// The θ = ∞ fit of an NB objective (parameters β, log θ): the Poisson fit's β, log θ = +∞,
/// the Poisson ℓ, no standard errors (a boundary diagnostic for `theta` comes with it),
/// `reason` in the convergence notes.
///
/// ```
/// use mle_core::Design;
/// use mle_models::{negative_binomial::poisson_limit, Regression};
/// use mle_optim::Model;
/// let x = Design::intercept(3);
/// let y = [1.0, 2.0, 3.0];
/// let poisson = Regression::poisson(&x, &y).unwrap().fit().unwrap();
/// let nb = Regression::negative_binomial(&x, &y).unwrap();
/// let f = poisson_limit(nb.linear_objective(), poisson.fit(), "under-dispersed").unwrap();
/// assert_eq!(f.estimates()[1], f64::INFINITY);
/// assert!((f.estimates()[0] - 2f64.ln()).abs() < 1e-12); // log ȳ
/// ```
pub fn poisson_limit(objective: &dyn Objective, poisson: &Fit, reason: &str) -> Result<Fit> {
    let mut estimate: Vec<f64> = poisson.estimates().iter().copied().collect();
    estimate.push(f64::INFINITY);
    let mut convergence: Convergence = poisson.convergence().clone();
    convergence
        .notes
        .push(format!("{reason}; β from the Poisson fit"));
    Fit::on_boundary(
        &objective.model_name(),
        objective.parameters(),
        &estimate,
        poisson.log_likelihood(),
        objective.n_obs(),
        convergence,
    )
    .map(|f| {
        f.with_diagnostic(Diagnostic::ReducedModel {
            condition: "θ̂ = ∞ (no over-dispersion)".into(),
            reduces_to: "the Poisson regression (the Poisson limit of the negative binomial)".into(),
        })
        .without_covariance("θ̂ = ∞ (the Poisson limit): no NB standard errors; Regression::poisson gives β's")
    })
}

impl RegressionFamily<2> for NegativeBinomial {
    fn regression_name(&self) -> String {
        "negative binomial regression (NB2, log link)".into()
    }

    /// The Poisson fit's β and the moment estimate θ₀ = Σμ²/Σ[(y−μ)² − y] (θ₀ = 1 when the
    /// Poisson fit fails or the data are not over-dispersed).
    fn regression_start(&self, regression: &Regression<'_, Self, 2>) -> Vec<f64> {
        let p = regression.design(0).ncols();
        let poisson = regression
            .poisson_counterpart()
            .and_then(|m| m.estimate(&FitOptions::newton()));
        match poisson {
            Ok(fit) => {
                let mut start: Vec<f64> = fit.estimates().iter().copied().collect();
                let mu = poisson_means(regression, &start);
                let (excess, mu2) = overdispersion(
                    regression.response(),
                    &mu,
                    regression.linear_objective().weights(),
                );
                start.push(if excess > 0.0 { (mu2 / excess).ln() } else { 0.0 });
                start
            }
            Err(_) => vec![0.0; p + 1],
        }
    }

    /// Poisson fit first; not over-dispersed there (Σ[(y−μ̂)² − y] ≤ 0) → the Poisson limit;
    /// otherwise the joint Newton on (β, log θ) from the Poisson β and the moment θ₀, and a
    /// θ̂ beyond 7·10¹⁰ is also reported as the limit.
    fn regression_estimate(&self, regression: &Regression<'_, Self, 2>, options: &FitOptions) -> Result<Fit> {
        let objective = regression.linear_objective();
        let poisson = regression.poisson_counterpart()?.estimate(options)?;
        let beta: Vec<f64> = poisson.estimates().iter().copied().collect();
        let mu = poisson_means(regression, &beta);
        let (excess, mu2) = overdispersion(regression.response(), &mu, objective.weights());
        if excess.is_nan() || excess <= 0.0 {
            return poisson_limit(
                objective,
                &poisson,
                "no over-dispersion at the Poisson fit (Σ[(y−μ̂)² − y] ≤ 0): θ̂ = ∞",
            );
        }
        let mut start = beta;
        start.push((mu2 / excess).ln());
        let fit = options.fit(objective, &start)?;
        if fit.estimates()[start.len() - 1] > POISSON_LIMIT_LOG_THETA {
            return poisson_limit(objective, &poisson, "θ̂ diverges (log θ̂ > 25): θ̂ = ∞");
        }
        Ok(fit)
    }
}

/// μᵢ = exp(xᵢβ + offsetᵢ).
fn poisson_means(regression: &Regression<'_, NegativeBinomial, 2>, beta: &[f64]) -> Vec<f64> {
    let x = regression.design(0).matrix();
    let offset = regression.linear_objective().offset(0);
    let eta = x * nalgebra::DVectorView::from_slice(beta, beta.len());
    eta.iter()
        .enumerate()
        .map(|(i, e)| (e + offset.map_or(0.0, |o| o[i])).exp())
        .collect()
}
