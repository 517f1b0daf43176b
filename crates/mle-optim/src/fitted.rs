//! The fitted model: the estimate with a handle on its model, and every inference verb
//! addressed by parameter name.

use std::fmt;
use std::ops::Deref;

use mle_core::covariance::{covariance, CovarianceType};
use mle_core::delta::{delta_method, DerivedQuantity};
use mle_core::hypothesis::{likelihood_ratio_test, score_test, wald_test, TestResult};
use mle_core::masked::MaskedObjective;
use mle_core::{Fit, MleError, Result};
use nalgebra::{DMatrix, DVector};
use num_dual::{Dual2SVec64, DualSVec64};
use rand::rngs::StdRng;

use crate::bootstrap::{parametric_bootstrap, BootstrapResult};
use crate::fit::FitOptions;
use crate::model::Model;
use crate::profile::{profile_interval, profile_interval_derived, ProfileInterval};

/// A parameter name with its interval (`None` where the interval does not apply).
pub type NamedInterval = (String, Option<(f64, f64)>);

/// A fitted model: the [`Fit`] (estimates, information, convergence, diagnostics — all its
/// accessors are reachable through `Deref`) together with the model it came from and the
/// options that fitted it.
///
/// ```
/// use mle_core::{ClosureDensity, Parameter};
/// use mle_core::covariance::CovarianceType;
/// use mle_optim::{DataModel, Model};
/// use num_dual::{Dual2SVec64, DualNum};
/// let expo = ClosureDensity::new(vec![Parameter::log_scale("rate")],
///     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x);
/// let data = [0.42, 1.87, 0.93, 3.15, 0.28, 2.44, 1.06, 0.71];
/// let fitted = DataModel::new(&expo, &data).unwrap().fit().unwrap();
/// // observed information of log λ is n: SE = 1/√8
/// assert!((fitted.std_errors().unwrap()[0] - 8f64.sqrt().recip()).abs() < 1e-12);
/// let robust = fitted.covariance(CovarianceType::Hc0).unwrap();
/// assert!(robust[(0, 0)] > 0.0);
/// let ci = fitted.profile("rate", 0.95).unwrap(); // by the natural name or "log_rate"
/// assert!((ci.lower.unwrap().exp() - 0.33663629258151007).abs() < 1e-9);
/// ```
#[derive(Clone)]
pub struct Fitted<M> {
    model: M,
    fit: Fit,
    options: FitOptions,
}

impl<M> Deref for Fitted<M> {
    type Target = Fit;

    fn deref(&self) -> &Fit {
        &self.fit
    }
}

impl<M: Model> Fitted<M> {
    /// Wraps a fit of `model` (made with `options`).
    pub fn new(model: M, fit: Fit, options: FitOptions) -> Self {
        Fitted { model, fit, options }
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The fit.
    pub fn fit(&self) -> &Fit {
        &self.fit
    }

    /// The owned fit (drops the handle on the model).
    pub fn into_fit(self) -> Fit {
        self.fit
    }

    /// The options that produced the fit.
    pub fn options(&self) -> &FitOptions {
        &self.options
    }

    /// The index of a parameter by its working-scale name (`log_sigma`, a coefficient
    /// name) or its natural-scale name (`sigma`).
    ///
    /// ```
    /// # use mle_core::{ClosureDensity, MleError, Parameter};
    /// # use mle_optim::{DataModel, Model};
    /// # use num_dual::{Dual2SVec64, DualNum};
    /// # let expo = ClosureDensity::new(vec![Parameter::log_scale("rate")],
    /// #     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x);
    /// let fitted = DataModel::new(&expo, &[1.0, 2.0]).unwrap().fit().unwrap();
    /// assert_eq!(fitted.index_of("log_rate").unwrap(), 0);
    /// assert!(matches!(fitted.index_of("shape"), Err(MleError::UnknownParameter { .. })));
    /// ```
    pub fn index_of(&self, name: &str) -> Result<usize> {
        let params = self.fit.parameters();
        params
            .iter()
            .position(|p| p.name == name)
            .or_else(|| params.iter().position(|p| p.natural_name == name))
            .ok_or_else(|| MleError::UnknownParameter {
                name: name.to_string(),
                available: params.iter().map(|p| p.name.clone()).collect(),
            })
    }

    /// The covariance of the working-scale estimates by the chosen estimator (observed or
    /// expected information, OPG, HC0, HC1, cluster-robust).
    pub fn covariance(&self, kind: CovarianceType) -> Result<DMatrix<f64>> {
        covariance(self.model.objective(), &self.fit, &kind)
    }

    /// The same fitted model with its standard errors, tests and intervals from `kind`.
    pub fn with_covariance(mut self, kind: CovarianceType) -> Result<Self> {
        self.fit = self.fit.with_covariance_type(self.model.objective(), &kind)?;
        Ok(self)
    }

    /// Wald intervals at `level` for every parameter (working scale), by name; `None` where
    /// Wald inference does not apply (boundary, no covariance).
    pub fn conf_int(&self, level: f64) -> Result<Vec<NamedInterval>> {
        let intervals = self.fit.confidence_intervals(level)?;
        Ok(self
            .fit
            .parameters()
            .iter()
            .map(|p| p.name.clone())
            .zip(intervals)
            .collect())
    }

    /// Profile-likelihood interval for one parameter (working scale), by name.
    pub fn profile(&self, name: &str, level: f64) -> Result<ProfileInterval> {
        let index = self.index_of(name)?;
        profile_interval(self.model.objective(), &self.fit, index, level, &self.options)
    }

    /// Profile-likelihood interval for a derived quantity g(θ) (working-scale θ).
    pub fn profile_derived<const P: usize>(
        &self,
        g: impl Fn(&[Dual2SVec64<P>]) -> Dual2SVec64<P> + Sync,
        level: f64,
    ) -> Result<ProfileInterval> {
        profile_interval_derived(self.model.objective(), &self.fit, g, level, &self.options)
    }

    /// Wald test of R θ = r.
    pub fn wald_test(&self, r: &DMatrix<f64>, rhs: &DVector<f64>) -> Result<TestResult> {
        wald_test(&self.fit, r, rhs)
    }

    /// Wald test that the named parameters are all zero.
    pub fn wald_test_zero(&self, names: &[&str]) -> Result<TestResult> {
        let p = self.fit.estimates().len();
        let mut r = DMatrix::zeros(names.len(), p);
        for (row, name) in names.iter().enumerate() {
            r[(row, self.index_of(name)?)] = 1.0;
        }
        wald_test(&self.fit, &r, &DVector::zeros(names.len()))
    }

    /// Likelihood-ratio test of a restricted (nested) fitted model against this one.
    pub fn lr_test<R>(&self, restricted: &Fitted<R>) -> Result<TestResult> {
        likelihood_ratio_test(&restricted.fit, &self.fit)
    }

    /// The restricted fit with the named parameters held at the given values (working
    /// scale), the rest re-estimated from this fit's estimate.
    pub fn restricted_fit(&self, fixed: &[(&str, f64)]) -> Result<(Vec<f64>, Fit)> {
        let objective = self.model.objective();
        let mut mask = vec![None; objective.dimension()];
        for (name, value) in fixed {
            mask[self.index_of(name)?] = Some(*value);
        }
        let masked = MaskedObjective::new(objective, mask)?;
        let start: Vec<f64> = masked.free().iter().map(|&j| self.fit.estimates()[j]).collect();
        let fit = self.options.fit(&masked, &start)?;
        Ok((masked.expand(fit.estimates().as_slice()), fit))
    }

    /// Rao score test of H₀: the named parameters equal the given values (working scale),
    /// evaluated at the restricted MLE.
    pub fn score_test(&self, fixed: &[(&str, f64)]) -> Result<TestResult> {
        let (theta, _) = self.restricted_fit(fixed)?;
        let restricted: Vec<usize> = fixed
            .iter()
            .map(|(n, _)| self.index_of(n))
            .collect::<Result<_>>()?;
        score_test(self.model.objective(), &theta, &restricted)
    }

    /// Likelihood-ratio test of H₀: the named parameters equal the given values.
    pub fn lr_test_fixed(&self, fixed: &[(&str, f64)]) -> Result<TestResult> {
        let (_, restricted) = self.restricted_fit(fixed)?;
        likelihood_ratio_test(&restricted, &self.fit)
    }

    /// Delta-method standard error and Wald interval of g(θ) (working-scale θ).
    pub fn delta_method<const P: usize>(
        &self,
        g: impl Fn(&[DualSVec64<P>]) -> DualSVec64<P>,
        level: f64,
    ) -> Result<DerivedQuantity> {
        delta_method(&self.fit, g, level)
    }

    /// Parametric bootstrap: `simulate(θ̂, rng)` draws a data set from the fitted model,
    /// `refit(data, θ̂)` fits it; seeded per replicate (reproducible for any thread count).
    pub fn bootstrap<Data: Send>(
        &self,
        simulate: impl Fn(&[f64], &mut StdRng) -> Data + Sync,
        refit: impl Fn(&Data, &[f64]) -> Result<Fit> + Sync,
        replicates: usize,
        seed: u64,
        level: f64,
    ) -> Result<BootstrapResult> {
        parametric_bootstrap(&self.fit, simulate, refit, replicates, seed, level)
    }

    /// The summary table (what `Display` prints).
    pub fn summary(&self) -> String {
        self.fit.to_string()
    }
}

impl<M> fmt::Display for Fitted<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fit.fmt(f)
    }
}

impl<M> fmt::Debug for Fitted<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fitted")
            .field("fit", &self.fit)
            .finish_non_exhaustive()
    }
}
