//! Robust regression with Student-t errors: location Xβ, log scale, and degrees of freedom
//! fixed or estimated on the log scale. Not concave: fitted by the safeguarded Newton from
//! several starts.

use std::borrow::Cow;

use mle_core::{Design, Fit, MleError, Objective, Result};
use mle_families::{StudentT, StudentTFixedDf};
use mle_optim::FitOptions;

use crate::regression::{regression_least_squares, Regression, RegressionFamily};

impl<'a> Regression<'a, StudentT, 3> {
    /// Regression with Student-t errors, ν estimated: parameters (β, log σ, log ν); fitted
    /// from several starts (ν = 1, 4, 30 around the least-squares fit). Fix ν with
    /// [`Regression::fixed_df`].
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("x", (0..30).map(|i| i as f64).collect())]).unwrap();
    /// let y: Vec<f64> = (0..30).map(|i| 2.0 + 0.5 * i as f64 + [0.3, -0.2, 0.1, -0.4, 5.0][i % 5]).collect();
    /// let fitted = Regression::student_t(&x, &y).unwrap().fit().unwrap();
    /// assert!(fitted.convergence().converged());
    /// assert_eq!(fitted.parameters()[3].natural_name, "df");
    /// ```
    pub fn student_t(x: &'a Design, y: &'a [f64]) -> Result<Self> {
        let n = x.nrows();
        Regression::with_designs(
            StudentT,
            [
                Cow::Borrowed(x),
                Cow::Owned(Design::intercept(n)),
                Cow::Owned(Design::intercept(n)),
            ],
            y,
        )
    }

    /// The same regression with ν fixed (ν > 0): parameters (β, log σ).
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::intercept(4);
    /// let y = [1.0, 2.0, 3.0, 10.0];
    /// let fitted = Regression::student_t(&x, &y).unwrap().fixed_df(3.0).unwrap().fit().unwrap();
    /// assert!(fitted.estimates()[0] < 4.0); // the outlier is down-weighted
    /// assert!(Regression::student_t(&x, &y).unwrap().fixed_df(-1.0).is_err());
    /// ```
    pub fn fixed_df(self, df: f64) -> Result<Regression<'a, StudentTFixedDf, 2>> {
        if !(df > 0.0 && df.is_finite()) {
            return Err(MleError::DegreesOfFreedomNotPositive { df });
        }
        let objective = self.linear_objective();
        let designs = objective.designs();
        let mut fixed = Regression::with_designs(
            StudentTFixedDf { df },
            [Cow::Owned(designs[0].clone()), Cow::Owned(designs[1].clone())],
            self.response(),
        )?;
        if let Some(o) = objective.offset(0) {
            fixed = fixed.offset(o.to_vec())?;
        }
        if let Some(w) = objective.weights() {
            fixed = fixed.weights(w.to_vec())?;
        }
        Ok(fixed)
    }
}

/// Starting points for the t fits: the least-squares fit, and robust variants.
fn starts<F: RegressionFamily<K, Obs = f64>, const K: usize>(
    regression: &Regression<'_, F, K>,
) -> Vec<Vec<f64>> {
    let p = regression.design(0).ncols();
    let (beta, log_sigma) = regression_least_squares(regression);
    vec![
        [beta.clone(), vec![log_sigma]].concat(),
        [beta.clone(), vec![log_sigma - 1.0]].concat(),
        [vec![0.0; p], vec![log_sigma]].concat(),
    ]
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

impl RegressionFamily<2> for StudentTFixedDf {
    fn regression_name(&self) -> String {
        format!("robust regression, Student-t errors (ν = {} fixed)", self.df)
    }

    fn regression_start(&self, regression: &Regression<'_, Self, 2>) -> Vec<f64> {
        starts(regression).swap_remove(0)
    }

    /// Several starts (least squares, a shrunk scale, zero slopes); the highest ℓ is kept.
    fn regression_estimate(&self, regression: &Regression<'_, Self, 2>, options: &FitOptions) -> Result<Fit> {
        best_of(regression.linear_objective(), starts(regression), options)
    }
}

impl RegressionFamily<3> for StudentT {
    fn regression_name(&self) -> String {
        "robust regression, Student-t errors (ν estimated)".into()
    }

    fn regression_start(&self, regression: &Regression<'_, Self, 3>) -> Vec<f64> {
        let mut s = starts(regression).swap_remove(0);
        s.push(4f64.ln());
        s
    }

    /// The three starts of the fixed-ν fit, each with ν = 1, 4, 30; the highest ℓ is kept.
    fn regression_estimate(&self, regression: &Regression<'_, Self, 3>, options: &FitOptions) -> Result<Fit> {
        let mut all = Vec::new();
        for s in starts(regression) {
            for log_df in [0.0, 4f64.ln(), 30f64.ln()] {
                let mut t = s.clone();
                t.push(log_df);
                all.push(t);
            }
        }
        best_of(regression.linear_objective(), all, options)
    }
}
