//! Poisson regression: the Poisson family with its log rate as the linear predictor, with an
//! exposure offset. Zeros that a hyperplane separates (an all-zero response, a factor level
//! whose counts are all 0) make some coefficients −∞: detected by LP and reported as the
//! extended-real MLE, as for logistic regression.

use mle_core::special::ln_gamma;
use mle_core::{Design, Fit, Result};
use mle_families::Poisson;
use mle_optim::FitOptions;

use crate::regression::{Regression, RegressionFamily};
use crate::separation::{
    detect_count_separation, extended_real_start, limit_design, separated_result, Separation,
    SEPARATION_LP_LIMIT,
};

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
    /// Separation of the zeros (a direction of recession, [`detect_count_separation`]) is
    /// checked by LP before optimising when some count is 0 and the design is small enough
    /// for the dense simplex; larger designs are checked when the fit shows its sign (a log
    /// rate below −30 on some row).
    fn regression_estimate(&self, regression: &Regression<'_, Self, 1>, options: &FitOptions) -> Result<Fit> {
        let objective = regression.linear_objective();
        let x = regression.design(0);
        let (y, w) = (regression.response(), objective.weights());
        if !(0..y.len()).any(|i| y[i] == 0.0 && w.is_none_or(|w| w[i] != 0.0)) {
            // Without zeros Xd = 0 on every row, so d = 0 (full rank): the MLE is finite.
            return options.fit(objective, &regression.start_values());
        }
        let small = x.nrows() * x.ncols() <= SEPARATION_LP_LIMIT;
        if small && let Some(fit) = separated_fit(regression, options)? {
            return Ok(fit);
        }
        let fit = options.fit(objective, &regression.start_values());
        if !small {
            let suspicious = match &fit {
                Ok(f) => objective
                    .linear_predictors(f.estimates().as_slice())?
                    .iter()
                    .any(|e| *e < -30.0),
                Err(_) => true,
            };
            if suspicious && let Some(sep) = separated_fit(regression, options)? {
                return Ok(sep);
            }
        }
        fit
    }
}

/// When the zeros are separated: the MLE in the extended reals — the infinite coefficients
/// at −∞/+∞ along the direction of recession (the rates of the rows off the hyperplane tend
/// to 0, their contribution to ℓ to 0), the finite ones fitted on the rows on the hyperplane
/// (offsets and weights kept) — flagged with a `Separation` diagnostic, without standard
/// errors.
fn separated_fit(regression: &Regression<'_, Poisson, 1>, options: &FitOptions) -> Result<Option<Fit>> {
    let x = regression.design(0);
    let y = regression.response();
    let objective = regression.linear_objective();
    let sep = detect_count_separation(x, y, objective.weights())?;
    if !sep.separated {
        return Ok(None);
    }
    // Finite coefficients not determined by the rows on the hyperplane (none left) are 0.
    let (finite, infinite, mut estimates) = extended_real_start(x, &sep);
    let mut infinite_names = sep.infinite.clone();
    let mut log_likelihood = 0.0;
    let rows = &sep.on_hyperplane;
    if !rows.is_empty() {
        let (sub, cols) = limit_design(x, rows, &finite, &infinite)?;
        let sub_y: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
        if sub.ncols() == 0 {
            // xᵢ = 0 on every row left: η is the offset there, ℓ is fixed.
            let (o, w) = (objective.offset(0), objective.weights());
            log_likelihood = rows
                .iter()
                .map(|&i| {
                    let eta = o.map_or(0.0, |o| o[i]);
                    w.map_or(1.0, |w| w[i]) * (y[i] * eta - eta.exp() - ln_gamma(y[i] + 1.0))
                })
                .sum();
            return Ok(Some(boundary_fit(
                regression,
                &sep,
                &estimates,
                log_likelihood,
                infinite_names,
            )?));
        }
        let mut sub_model = Regression::poisson(&sub, &sub_y)?;
        if let Some(o) = objective.offset(0) {
            sub_model = sub_model.offset(rows.iter().map(|&i| o[i]).collect::<Vec<f64>>())?;
        }
        if let Some(w) = objective.weights() {
            sub_model = sub_model.weights(rows.iter().map(|&i| w[i]).collect::<Vec<f64>>())?;
        }
        let sub_fit = Poisson.regression_estimate(&sub_model, options)?;
        for (k, &j) in cols.iter().enumerate() {
            if finite.contains(&j) {
                estimates[j] = sub_fit.estimates()[k];
                if estimates[j].is_infinite() {
                    infinite_names.push(x.names()[j].clone());
                }
            }
        }
        log_likelihood = sub_fit.log_likelihood();
    }
    Ok(Some(boundary_fit(
        regression,
        &sep,
        &estimates,
        log_likelihood,
        infinite_names,
    )?))
}

fn boundary_fit(
    regression: &Regression<'_, Poisson, 1>,
    sep: &Separation,
    estimates: &[f64],
    log_likelihood: f64,
    infinite_names: Vec<String>,
) -> Result<Fit> {
    let objective = regression.linear_objective();
    let x = regression.design(0);
    separated_result(
        objective,
        estimates,
        log_likelihood,
        x.nrows(),
        "separation of the zero counts detected by linear programming: the MLE is infinite",
        sep,
        infinite_names,
    )
}
