//! The regression model: a family's K working-scale parameters as linear predictors, one
//! design each, with offsets and case weights — built and checked once, fitted by
//! [`Model::fit`].

use std::borrow::Cow;

use mle_core::predictor::CoefficientNames;
use mle_core::{Design, Fit, LinearPredictorObjective, LogDensity, Objective, Parameter, Result};
use mle_optim::{FitOptions, Model};

/// How a family is estimated as a regression: starting values and, where the family needs
/// it, its own estimation recipe (separation check, several starts). The defaults start at
/// zero and run the safeguarded Newton; a user family opts in with an empty impl.
///
/// ```
/// use mle_core::{Design, LogDensity, Parameter};
/// use mle_models::{Regression, RegressionFamily};
/// use mle_optim::Model;
/// use num_dual::DualNum;
/// /// Exponential response with log rate η (a family not built in).
/// #[derive(Clone)]
/// struct Exponential;
/// impl LogDensity<1> for Exponential {
///     type Obs = f64;
///     fn name(&self) -> String { "exponential".into() }
///     fn parameters(&self) -> Vec<Parameter> { vec![Parameter::log_scale("rate")] }
///     fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: &f64) -> D { eta[0] - eta[0].exp() * *y }
/// }
/// impl RegressionFamily<1> for Exponential {}
/// let x = Design::intercept(4);
/// let y = [1.0, 2.0, 3.0, 2.0];
/// let fitted = Regression::new(Exponential, [&x], &y).unwrap().fit().unwrap();
/// assert!((fitted.estimates()[0] + 2f64.ln()).abs() < 1e-12); // log(1 / mean)
/// ```
pub trait RegressionFamily<const K: usize>: LogDensity<K> + Clone {
    /// Name of the regression in summaries.
    fn regression_name(&self) -> String {
        format!("{} regression", self.name())
    }

    /// Starting values (working scale); default zeros.
    fn regression_start(&self, regression: &Regression<'_, Self, K>) -> Vec<f64> {
        vec![0.0; regression.objective().dimension()]
    }

    /// The estimate; default: the model's options from [`RegressionFamily::regression_start`].
    fn regression_estimate(&self, regression: &Regression<'_, Self, K>, options: &FitOptions) -> Result<Fit> {
        options.fit(regression.objective(), &regression.start_values())
    }
}

/// A regression model: family `F` with K linear predictors.
///
/// Built-in recipes: [`Regression::logistic`], [`Regression::poisson`],
/// [`Regression::multinomial`], [`Regression::heteroscedastic`], [`Regression::student_t`]
/// (and [`Regression::fixed_df`]); least squares by QR is [`crate::LinearRegression`].
pub struct Regression<'a, F: LogDensity<K>, const K: usize> {
    objective: LinearPredictorObjective<'a, F, K>,
    start: Option<Vec<f64>>,
}

impl<F: RegressionFamily<K>, const K: usize> Clone for Regression<'_, F, K> {
    fn clone(&self) -> Self {
        Regression {
            objective: self.objective.clone(),
            start: self.start.clone(),
        }
    }
}

impl<'a, F: RegressionFamily<K>, const K: usize> Regression<'a, F, K> {
    /// `family` with one design per predictor and the response (each observation checked:
    /// finite, in the support — the error names the row; each design: full column rank —
    /// the error names the dependent columns).
    pub fn new(family: F, designs: [&'a Design; K], y: &'a [F::Obs]) -> Result<Self> {
        Ok(Self::from_objective(LinearPredictorObjective::new(
            family, designs, y,
        )?))
    }

    /// With designs that may be owned (e.g. an intercept-only scale design made here).
    pub fn with_designs(family: F, designs: [Cow<'a, Design>; K], y: &'a [F::Obs]) -> Result<Self> {
        let predictors = family.parameters();
        let objective = LinearPredictorObjective::with_predictors(
            family,
            designs,
            y,
            predictors,
            CoefficientNames::FirstUnprefixed,
        )?;
        Ok(Self::from_objective(objective))
    }

    /// Wraps a checked objective.
    pub fn from_objective(objective: LinearPredictorObjective<'a, F, K>) -> Self {
        let name = objective.family().regression_name();
        Regression {
            objective: objective.named(name),
            start: None,
        }
    }

    /// An offset added to the first linear predictor (e.g. log exposure).
    pub fn offset(self, offset: impl Into<Cow<'a, [f64]>>) -> Result<Self> {
        self.offset_on(0, offset)
    }

    /// An offset added to linear predictor `k`.
    pub fn offset_on(mut self, k: usize, offset: impl Into<Cow<'a, [f64]>>) -> Result<Self> {
        self.objective = self.objective.with_offset(k, offset)?;
        Ok(self)
    }

    /// Case weights (finite, non-negative; zero drops the row).
    pub fn weights(mut self, weights: impl Into<Cow<'a, [f64]>>) -> Result<Self> {
        self.objective = self.objective.with_weights(weights)?;
        Ok(self)
    }

    /// The optimiser's starting point (working scale) instead of the family's own.
    pub fn start(mut self, start: &[f64]) -> Self {
        self.start = Some(start.to_vec());
        self
    }

    /// The starting point the fit uses.
    pub fn start_values(&self) -> Vec<f64> {
        self.start
            .clone()
            .unwrap_or_else(|| self.objective.family().regression_start(self))
    }

    /// The checked objective (designs, response, offsets, weights).
    pub fn linear_objective(&self) -> &LinearPredictorObjective<'a, F, K> {
        &self.objective
    }

    /// The family.
    pub fn family(&self) -> &F {
        self.objective.family()
    }

    /// The response.
    pub fn response(&self) -> &'a [F::Obs] {
        self.objective.response()
    }

    /// The design of predictor `k`.
    pub fn design(&self, k: usize) -> &Design {
        self.objective.designs()[k]
    }

    /// The parameters (working scale) of the regression.
    pub fn parameters(&self) -> Vec<Parameter> {
        self.objective.parameters()
    }
}

impl<F: RegressionFamily<K>, const K: usize> Model for Regression<'_, F, K> {
    fn objective(&self) -> &dyn Objective {
        &self.objective
    }

    fn start(&self) -> Vec<f64> {
        self.start_values()
    }

    fn estimate(&self, options: &FitOptions) -> Result<Fit> {
        if self.start.is_some() {
            return options.fit(&self.objective, &self.start_values());
        }
        let fit = self.objective.family().regression_estimate(self, options);
        crate::orthogonal::refit_if_ill_conditioned(self, options, fit)
    }
}

/// A cheap least-squares fit used only for starting values (Cholesky of the weighted Gram
/// matrix; accuracy is irrelevant for a start, speed is not): (β, log σ̂) of the response
/// `y` on the first design, after its offset.
///
/// ```
/// use mle_core::Design;
/// use mle_models::regression::least_squares_start;
/// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
/// let y = [1.0, 3.0, 5.0, 7.5];
/// let (beta, _) = least_squares_start(&x, &y, None, None);
/// assert!((beta[1] - 2.15).abs() < 1e-9);
/// ```
pub fn least_squares_start(
    x: &Design,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
) -> (Vec<f64>, f64) {
    let x = x.matrix();
    let (n, p) = (x.nrows(), x.ncols());
    let w: Vec<f64> = (0..n).map(|i| weights.map_or(1.0, |w| w[i])).collect();
    let target = nalgebra::DVector::from_fn(n, |i, _| y[i] - offset.map_or(0.0, |o| o[i]));
    let mut wx = x.clone();
    for (i, wi) in w.iter().enumerate() {
        let mut row = wx.row_mut(i);
        row *= *wi;
    }
    let gram = wx.tr_mul(x) + nalgebra::DMatrix::identity(p, p) * 1e-12;
    let rhs = wx.tr_mul(&target);
    let beta = gram
        .cholesky()
        .map(|c| c.solve(&rhs))
        .unwrap_or_else(|| nalgebra::DVector::zeros(p));
    let resid = &target - x * &beta;
    let total_w: f64 = w.iter().sum::<f64>().max(1e-300);
    let var = resid.iter().zip(&w).map(|(r, wi)| wi * r * r).sum::<f64>() / total_w;
    let log_sigma = if var > 0.0 && var.is_finite() {
        0.5 * var.ln()
    } else {
        0.0
    };
    let beta = beta
        .iter()
        .map(|b| if b.is_finite() { *b } else { 0.0 })
        .collect();
    (beta, log_sigma)
}

/// [`least_squares_start`] for a regression on a response of numbers.
pub(crate) fn regression_least_squares<F: RegressionFamily<K, Obs = f64>, const K: usize>(
    regression: &Regression<'_, F, K>,
) -> (Vec<f64>, f64) {
    let objective = regression.linear_objective();
    least_squares_start(
        regression.design(0),
        regression.response(),
        objective.offset(0),
        objective.weights(),
    )
}
