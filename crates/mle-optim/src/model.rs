//! Models: data bound to a likelihood, checked once, fitted by one set of verbs.
//!
//! A [`Model`] owns (or borrows) everything its objective needs; [`Model::fit`] and
//! [`Model::fit_with`] return a [`Fitted`] that keeps the model, so covariance choices,
//! profiles and tests need nothing rebuilt. [`DataModel`] is the i.i.d. model of any
//! [`DensityKernel`] (a [`mle_core::LogDensity`] type, the `log_density!` macro's types, or a
//! [`mle_core::ClosureDensity`]); it uses the family's closed form when it has one.

use mle_core::density::ClosedForm;
use mle_core::{Convergence, DataObjective, DensityKernel, Fit, MleError, Objective, Result};

use crate::fit::FitOptions;
use crate::fitted::Fitted;

/// A model: an objective (ℓ, ∇ℓ, ∇²ℓ, per-observation scores) over checked data, with the
/// way it is estimated.
///
/// Implementors provide [`Model::objective`]; the defaults start at zero and run
/// [`FitOptions::newton`]. Models with closed forms or their own solvers override
/// [`Model::estimate`]. Models are cheap to clone (they hold references to their data or
/// small owned values): the fitted model keeps a clone.
///
/// ```
/// use mle_core::{LogDensity, Parameter};
/// use mle_optim::{DataModel, Model};
/// use num_dual::DualNum;
/// let x = [0.42, 1.87, 0.93, 3.15, 0.28, 2.44, 1.06, 0.71];
/// struct Exponential;
/// impl LogDensity<1> for Exponential {
///     type Obs = f64;
///     fn name(&self) -> String { "Exponential".into() }
///     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::log_scale("rate")] }
///     fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &f64) -> D { t[0] - t[0].exp() * *x }
/// }
/// let model = DataModel::new(&Exponential, &x).unwrap();
/// let fitted = model.fit().unwrap();
/// let mean = x.iter().sum::<f64>() / 8.0;
/// assert!((fitted.natural_estimates()[0] - 1.0 / mean).abs() < 1e-12);
/// let ci = fitted.profile("rate", 0.95).unwrap();
/// assert!(ci.lower.unwrap() < fitted.estimates()[0]);
/// ```
pub trait Model: Sync {
    /// The log-likelihood of the model's data.
    fn objective(&self) -> &dyn Objective;

    /// Starting values on the working scale (default: zeros).
    fn start(&self) -> Vec<f64> {
        vec![0.0; self.objective().dimension()]
    }

    /// The options [`Model::fit`] uses (default: safeguarded Newton).
    fn default_options(&self) -> FitOptions {
        FitOptions::newton()
    }

    /// The estimate: a closed form where the model has one, else the optimiser from
    /// [`Model::start`].
    fn estimate(&self, options: &FitOptions) -> Result<Fit> {
        options.fit(self.objective(), &self.start())
    }

    /// Fits with the model's default options.
    fn fit(&self) -> Result<Fitted<Self>>
    where
        Self: Sized + Clone,
    {
        self.fit_with(&self.default_options())
    }

    /// Fits with `options`; the fitted model keeps a clone of the model and the options
    /// (re-used by profiles and restricted fits).
    fn fit_with(&self, options: &FitOptions) -> Result<Fitted<Self>>
    where
        Self: Sized + Clone,
    {
        let fit = self.estimate(options)?;
        Ok(Fitted::new(self.clone(), fit, options.clone()))
    }
}

/// The i.i.d. model: one density, observations, optional case weights and start.
///
/// ```
/// use mle_core::{ClosureDensity, Parameter};
/// use mle_optim::{DataModel, Model};
/// use num_dual::{Dual2SVec64, DualNum};
/// // Normal mean with σ = 1: the weighted MLE is the weighted mean.
/// let normal = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let model = DataModel::new(&normal, &[1.0, 5.0]).unwrap().weights(&[3.0, 1.0]).unwrap();
/// assert!((model.fit().unwrap().estimates()[0] - 2.0).abs() < 1e-12);
/// ```
pub struct DataModel<'a, K: DensityKernel<P>, const P: usize> {
    objective: DataObjective<'a, K, P>,
    start: Option<Vec<f64>>,
}

impl<K: DensityKernel<P>, const P: usize> Clone for DataModel<'_, K, P> {
    fn clone(&self) -> Self {
        DataModel {
            objective: self.objective.clone(),
            start: self.start.clone(),
        }
    }
}

impl<'a, K: DensityKernel<P>, const P: usize> DataModel<'a, K, P> {
    /// Binds `density` to `data`, checking every observation (finite, in the support; the
    /// error names the row).
    ///
    /// ```
    /// use mle_core::{ClosureDensity, MleError, Parameter};
    /// use mle_optim::DataModel;
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let expo = ClosureDensity::new(vec![Parameter::log_scale("rate")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x)
    ///     .with_support(|x: &f64| if *x >= 0.0 { Ok(()) } else { Err("negative".into()) });
    /// assert!(matches!(DataModel::new(&expo, &[1.0, -2.0]),
    ///     Err(MleError::OutsideSupport { index: 1, .. })));
    /// ```
    pub fn new(density: &'a K, data: &'a [K::Obs]) -> Result<Self> {
        Ok(DataModel {
            objective: DataObjective::new(density, data)?,
            start: None,
        })
    }

    /// Case weights (finite, non-negative, one per observation).
    ///
    pub fn weights(mut self, weights: &'a [f64]) -> Result<Self> {
        self.objective = self.objective.with_weights(weights)?;
        Ok(self)
    }

    /// The optimiser's starting point (working scale); ignored when a closed form exists.
    ///
    /// ```
    /// use mle_core::{ClosureDensity, MleError, Parameter};
    /// use mle_optim::{DataModel, Model};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let expo = ClosureDensity::new(vec![Parameter::log_scale("rate")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x);
    /// let m = DataModel::new(&expo, &[1.0, 5.0]).unwrap().start(&[0.0, 1.0]);
    /// assert!(matches!(m.fit(), Err(MleError::ParameterCount { expected: 1, got: 2 })));
    /// ```
    pub fn start(mut self, start: &[f64]) -> Self {
        self.start = Some(start.to_vec());
        self
    }

    /// The data objective.
    pub fn data_objective(&self) -> &DataObjective<'a, K, P> {
        &self.objective
    }

    fn closed_form_fit(&self, closed: ClosedForm) -> Result<Fit> {
        let objective = &self.objective;
        match closed {
            ClosedForm::Interior { theta, formula } => {
                Fit::at_estimate(objective, &theta, Convergence::closed_form(&formula))
            }
            ClosedForm::Boundary {
                theta,
                log_likelihood,
                formula,
            } => Fit::on_boundary(
                &objective.model_name(),
                objective.parameters(),
                &theta,
                log_likelihood,
                objective.n_obs(),
                Convergence::closed_form(&formula),
            ),
            ClosedForm::Undefined(error) => Err(error),
        }
    }
}

impl<K: DensityKernel<P>, const P: usize> Model for DataModel<'_, K, P> {
    fn objective(&self) -> &dyn Objective {
        &self.objective
    }

    fn start(&self) -> Vec<f64> {
        self.start.clone().unwrap_or_else(|| vec![0.0; P])
    }

    fn estimate(&self, options: &FitOptions) -> Result<Fit> {
        let start = Model::start(self);
        if start.len() != P {
            return Err(MleError::ParameterCount {
                expected: P,
                got: start.len(),
            });
        }
        let kernel = self.objective.kernel();
        match kernel.kernel_closed_form(self.objective.data(), self.objective.weights()) {
            Some(closed) => self.closed_form_fit(closed),
            None => options.fit(&self.objective, &start),
        }
    }
}

/// `density.fit(&data)`: the i.i.d. fit of any density, in one call.
///
/// ```
/// use mle_core::{ClosureDensity, Parameter};
/// use mle_optim::FitData;
/// use num_dual::{Dual2SVec64, DualNum};
/// let expo = ClosureDensity::new(vec![Parameter::log_scale("rate")],
///     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x);
/// let fitted = expo.fit(&[1.0, 3.0]).unwrap();
/// assert!((fitted.natural_estimates()[0] - 0.5).abs() < 1e-12); // 1 / mean
/// ```
pub trait FitData<const P: usize>: DensityKernel<P> + Sized {
    /// Fits the i.i.d. model of `data` with the default options.
    fn fit<'a>(&'a self, data: &'a [Self::Obs]) -> Result<Fitted<DataModel<'a, Self, P>>> {
        DataModel::new(self, data)?.fit()
    }
}

impl<K: DensityKernel<P>, const P: usize> FitData<P> for K {}
