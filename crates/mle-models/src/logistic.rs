//! Logistic regression: Bernoulli response, logit link. Newton on the exact Hessian is
//! IRLS here (canonical link: observed = expected information).

use mle_core::numerics::log_sigmoid;
use mle_core::predictor::PredictorDensity;
use mle_core::transform::sigmoid;
use mle_core::{Convergence, Design, Diagnostic, Fit, Objective, Parameter, Result, Transform};
use mle_optim::FitOptions;
use nalgebra::DMatrix;
use nalgebra::SMatrix;
use num_dual::DualNum;

use crate::regression::RegressionInput;
use crate::separation::detect_separation;

/// Designs up to this many entries (n·p) are checked for separation by LP before fitting.
const SEPARATION_LP_LIMIT: usize = 2_000_000;

/// Bernoulli with logit link: log p(y | η) = y·log σ(η) + (1 − y)·log σ(−η), stable for any
/// η (no overflow at |η| = 800).
///
/// ```
/// use mle_core::{Design, Objective};
/// use mle_models::Logistic;
/// let x = Design::from_columns(true, &[("dose", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
/// let y = [0.0, 1.0, 0.0, 1.0];
/// let fit = Logistic.fit(&x, &y).unwrap();
/// assert!(fit.convergence().converged());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Logistic;

impl PredictorDensity<1> for Logistic {
    fn name(&self) -> String {
        "logistic regression (Bernoulli, logit link)".into()
    }

    fn predictors(&self) -> [(&'static str, Transform); 1] {
        [("logit_p", Transform::Logit)]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: f64) -> D {
        if y == 1.0 {
            log_sigmoid(eta[0])
        } else {
            log_sigmoid(-eta[0])
        }
    }

    fn check_response(&self, y: f64) -> std::result::Result<(), String> {
        if y == 0.0 || y == 1.0 {
            Ok(())
        } else {
            Err(format!("y = {y}, but logistic regression needs y ∈ {{0, 1}}"))
        }
    }

    fn expected_information(&self, eta: &[f64; 1]) -> Option<SMatrix<f64, 1, 1>> {
        let p = sigmoid(eta[0]);
        Some(SMatrix::<f64, 1, 1>::new(p * (1.0 - p)))
    }
}

impl Logistic {
    /// Fits by safeguarded Newton (= IRLS) from β = 0.
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::Logistic;
    /// let x = Design::intercept(2);
    /// assert!(matches!(Logistic.fit(&x, &[0.0, 2.0]), Err(MleError::OutsideSupport { index: 1, .. })));
    /// ```
    pub fn fit(&self, x: &Design, y: &[f64]) -> Result<Fit> {
        self.fit_with(RegressionInput::new(x, y), &FitOptions::newton())
    }

    /// Fits with offsets, case weights and optimiser options.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::{regression::RegressionInput, Logistic};
    /// use mle_optim::FitOptions;
    /// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
    /// let y = [0.0, 1.0, 0.0, 1.0];
    /// let w = [1.0, 2.0, 1.0, 1.0];
    /// let fit = Logistic.fit_with(RegressionInput::new(&x, &y).weights(&w), &FitOptions::newton()).unwrap();
    /// assert_eq!(fit.n_obs(), 4);
    /// ```
    pub fn fit_with(&self, input: RegressionInput<'_>, options: &FitOptions) -> Result<Fit> {
        let objective = input.objective(self, [input.design()])?;
        let x = input.design();
        // Separation is checked exactly (LP) before optimising, for designs small enough
        // for the dense simplex; larger designs are checked when the fit shows its sign
        // (fitted probabilities at 0 or 1).
        if x.nrows() * x.ncols() <= SEPARATION_LP_LIMIT {
            if let Some(fit) = self.separated_fit(input, options)? {
                return Ok(fit);
            }
        }
        let start = vec![0.0; objective.dimension()];
        let fit = options.fit(&objective, &start);
        if x.nrows() * x.ncols() > SEPARATION_LP_LIMIT {
            let suspicious = match &fit {
                Ok(f) => objective
                    .linear_predictors(f.estimates().as_slice())?
                    .iter()
                    .any(|e| e.abs() > 30.0),
                Err(_) => true,
            };
            if suspicious {
                if let Some(sep) = self.separated_fit(input, options)? {
                    return Ok(sep);
                }
            }
        }
        fit
    }

    /// When the data are separated: the MLE in the extended reals — the infinite coefficients
    /// at ±∞ along the direction of recession, the finite ones fitted on the rows on the
    /// separating hyperplane (their limit) — flagged with a `Separation` diagnostic.
    fn separated_fit(&self, input: RegressionInput<'_>, options: &FitOptions) -> Result<Option<Fit>> {
        let x = input.design();
        let y = input.response();
        if input.offset_values().is_some() || input.weight_values().is_some() {
            return Ok(None); // the LP here is for unweighted data without offsets
        }
        let sep = detect_separation(x, y)?;
        if !sep.separated {
            return Ok(None);
        }
        let p = x.ncols();
        let finite: Vec<usize> = (0..p)
            .filter(|&j| !sep.infinite.contains(&x.names()[j]))
            .collect();
        let mut estimates: Vec<f64> = (0..p)
            .map(|j| {
                if sep.direction[j] > 0.0 {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        let mut log_likelihood = 0.0;
        if !finite.is_empty() && !sep.on_hyperplane.is_empty() {
            let rows = &sep.on_hyperplane;
            let sub = Design::new(
                DMatrix::from_fn(rows.len(), finite.len(), |r, c| x.matrix()[(rows[r], finite[c])]),
                finite.iter().map(|&j| x.names()[j].clone()),
            )?;
            let sub_y: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
            let sub_fit = self.fit_with(RegressionInput::new(&sub, &sub_y), options)?;
            for (k, &j) in finite.iter().enumerate() {
                estimates[j] = sub_fit.estimates()[k];
            }
            log_likelihood = sub_fit.log_likelihood();
        } else {
            for &j in &finite {
                estimates[j] = 0.0;
            }
        }
        let params = (0..p)
            .map(|j| Parameter::identity(x.names()[j].clone()))
            .collect();
        let fit = Fit::on_boundary(
            &self.name(),
            params,
            &estimates,
            log_likelihood,
            x.nrows(),
            Convergence::closed_form("separation detected by linear programming: the MLE is infinite"),
        )
        .without_covariance(format!("{sep}: no standard errors"))
        .with_diagnostic(Diagnostic::Separation {
            coefficients: sep.infinite.clone(),
            complete: sep.complete,
        });
        Ok(Some(fit))
    }
}
