//! Robust regression with Student-t errors: location Xβ, log scale, and degrees of freedom
//! fixed or estimated on the log scale. Not concave: fitted by the safeguarded Newton from
//! several starts.

use mle_core::predictor::PredictorDensity;
use mle_core::special::ln_gamma;
use mle_core::{Design, Fit, MleError, Objective, Result, Transform};
use mle_optim::FitOptions;
use nalgebra::SMatrix;
use num_dual::DualNum;

use crate::regression::RegressionInput;

const LN_PI: f64 = 1.144_729_885_849_400_2;

fn t_log_density<D: DualNum<f64> + Copy>(mu: D, log_sigma: D, nu: D, y: f64) -> D {
    let z = (mu - y) * (-log_sigma).exp();
    let half = (nu + 1.0) * 0.5;
    ln_gamma(half) - ln_gamma(nu * 0.5) - (nu.ln() + LN_PI) * 0.5 - log_sigma - half * (z * z / nu).ln_1p()
}

/// Student-t errors with fixed degrees of freedom ν: predictors (location, log σ).
///
/// ```
/// use mle_core::predictor::PredictorDensity;
/// use mle_models::StudentTFixedDf;
/// // t with ν = 1 is Cauchy: log density at 0 is −log π.
/// let v = StudentTFixedDf { df: 1.0 }.ln_density(&[0.0, 0.0], 0.0);
/// assert!((v + std::f64::consts::PI.ln()).abs() < 1e-14);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct StudentTFixedDf {
    /// Degrees of freedom ν > 0.
    pub df: f64,
}

impl PredictorDensity<2> for StudentTFixedDf {
    fn name(&self) -> String {
        format!("robust regression, Student-t errors (ν = {} fixed)", self.df)
    }

    fn predictors(&self) -> [(&'static str, Transform); 2] {
        [("location", Transform::Identity), ("log_sigma", Transform::Log)]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: f64) -> D {
        t_log_density(eta[0], eta[1], D::from(self.df), y)
    }

    /// I_μμ = (ν+1)/((ν+3)σ²), I_{log σ} = 2ν/(ν+3), no cross term.
    fn expected_information(&self, eta: &[f64; 2]) -> Option<SMatrix<f64, 2, 2>> {
        let nu = self.df;
        let inv_var = (-2.0 * eta[1]).exp();
        Some(SMatrix::<f64, 2, 2>::new(
            (nu + 1.0) / (nu + 3.0) * inv_var,
            0.0,
            0.0,
            2.0 * nu / (nu + 3.0),
        ))
    }
}

/// Student-t errors with ν estimated: predictors (location, log σ, log ν).
///
/// ```
/// use mle_core::predictor::PredictorDensity;
/// use mle_models::{StudentT, StudentTFixedDf};
/// let a = StudentT.ln_density(&[0.3, 0.1, 2f64.ln()], 1.0);
/// let b = StudentTFixedDf { df: 2.0 }.ln_density(&[0.3, 0.1], 1.0);
/// assert!((a - b).abs() < 1e-14);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct StudentT;

impl PredictorDensity<3> for StudentT {
    fn name(&self) -> String {
        "robust regression, Student-t errors (ν estimated)".into()
    }

    fn predictors(&self) -> [(&'static str, Transform); 3] {
        [
            ("location", Transform::Identity),
            ("log_sigma", Transform::Log),
            ("log_df", Transform::Log),
        ]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: f64) -> D {
        t_log_density(eta[0], eta[1], eta[2].exp(), y)
    }
}

/// Starting points for the t fits: the least-squares fit, and robust variants.
fn starts(input: &RegressionInput<'_>) -> Result<Vec<Vec<f64>>> {
    let p = input.design().ncols();
    let (beta, log_sigma) = crate::regression::least_squares_start(*input);
    Ok(vec![
        [beta.clone(), vec![log_sigma]].concat(),
        [beta.clone(), vec![log_sigma - 1.0]].concat(),
        [vec![0.0; p], vec![log_sigma]].concat(),
    ])
}

fn best_of(objective: &dyn Objective, starts: Vec<Vec<f64>>, options: &FitOptions) -> Result<Fit> {
    let mut best: Option<Fit> = None;
    let mut last_error = None;
    for s in starts {
        match options.fit(objective, &s) {
            Ok(f) => {
                if best
                    .as_ref()
                    .is_none_or(|b| f.log_likelihood() > b.log_likelihood() + 1e-9)
                {
                    best = Some(f);
                }
            }
            Err(e) => last_error = Some(e),
        }
    }
    best.ok_or_else(|| last_error.unwrap_or(MleError::Optimiser("no start converged".into())))
}

impl StudentTFixedDf {
    /// Fits from several starts (least squares, a shrunk scale, zero slopes) and keeps the
    /// highest log-likelihood.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::StudentTFixedDf;
    /// let x = Design::from_columns(true, &[("x", vec![1.0, 2.0, 3.0, 4.0, 5.0])]).unwrap();
    /// let fit = StudentTFixedDf { df: 4.0 }.fit(&x, &[1.1, 1.9, 3.2, 3.9, 15.0]).unwrap();
    /// assert!(fit.convergence().converged());
    /// ```
    pub fn fit(&self, x: &Design, y: &[f64]) -> Result<Fit> {
        self.fit_with(RegressionInput::new(x, y), &FitOptions::newton())
    }

    /// Fits with offsets/weights/options (multi-start as in [`StudentTFixedDf::fit`]).
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::{regression::RegressionInput, StudentTFixedDf};
    /// use mle_optim::FitOptions;
    /// let x = Design::intercept(4);
    /// let y = [1.0, 2.0, 3.0, 10.0];
    /// let f = StudentTFixedDf { df: 3.0 }.fit_with(RegressionInput::new(&x, &y), &FitOptions::newton()).unwrap();
    /// assert!(f.estimates()[0] < 4.0); // the outlier is down-weighted
    /// ```
    pub fn fit_with(&self, input: RegressionInput<'_>, options: &FitOptions) -> Result<Fit> {
        if !(self.df > 0.0 && self.df.is_finite()) {
            return Err(MleError::DegreesOfFreedomNotPositive { df: self.df });
        }
        let z = Design::intercept(input.design().nrows());
        let objective = input.objective(self, [input.design(), &z])?;
        best_of(&objective, starts(&input)?, options)
    }
}

impl StudentT {
    /// Fits (β, log σ, log ν) from several starts (ν = 1, 4, 30 around the least-squares fit).
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::StudentT;
    /// let x = Design::from_columns(true, &[("x", (0..30).map(|i| i as f64).collect())]).unwrap();
    /// let y: Vec<f64> = (0..30).map(|i| 2.0 + 0.5 * i as f64 + [0.3, -0.2, 0.1, -0.4, 5.0][i % 5]).collect();
    /// let fit = StudentT.fit(&x, &y).unwrap();
    /// assert!(fit.convergence().converged());
    /// ```
    pub fn fit(&self, x: &Design, y: &[f64]) -> Result<Fit> {
        self.fit_with(RegressionInput::new(x, y), &FitOptions::newton())
    }

    /// Fits with offsets/weights/options.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::{regression::RegressionInput, StudentT};
    /// use mle_optim::FitOptions;
    /// let x = Design::intercept(6);
    /// let y = [1.0, 2.0, 1.5, 2.5, 1.8, 9.0];
    /// let f = StudentT.fit_with(RegressionInput::new(&x, &y), &FitOptions::newton()).unwrap();
    /// assert_eq!(f.parameters().len(), 3);
    /// ```
    pub fn fit_with(&self, input: RegressionInput<'_>, options: &FitOptions) -> Result<Fit> {
        let z = Design::intercept(input.design().nrows());
        let objective = input.objective(self, [input.design(), &z, &z])?;
        let mut all = Vec::new();
        for s in starts(&input)? {
            for log_df in [0.0, 4f64.ln(), 30f64.ln()] {
                let mut t = s.clone();
                t.push(log_df);
                all.push(t);
            }
        }
        best_of(&objective, all, options)
    }
}
