//! P(Y = k) of a zero-inflated count fit on new data, as `predict(zeroinfl, newdata,
//! type = "prob")`: π 1{k = 0} + (1 − π) f(k; μ), f the Poisson or NB2 (θ) probability, for
//! k over the training response's range 0..=max(y) or a range given.

use std::ops::RangeInclusive;

use statrs::function::gamma::ln_gamma;

use crate::error::{DataError, Result};
use crate::family_name::Family;
use crate::formula_fit::FormulaFit;
use crate::predict::{eta_of, ClassProbabilities, Coefficients};
use crate::spec::ModelSpec;
use crate::table::Table;

/// log f(k; μ) of the count model: Poisson (`theta = None`) or NB2 with size θ.
fn log_pmf(k: f64, mu: f64, theta: Option<f64>) -> f64 {
    match theta {
        None => k * mu.ln() - mu - ln_gamma(k + 1.0),
        Some(th) => {
            ln_gamma(k + th) - ln_gamma(th) - ln_gamma(k + 1.0)
                + th * (th / (th + mu)).ln()
                + if k == 0.0 { 0.0 } else { k * (mu / (th + mu)).ln() }
        }
    }
}

/// pscl's `type = "prob"` from a zero-inflated spec and coefficients (β, γ, and log θ for
/// the zinb), one row per kept row of `table`, one column per count in `at`; the linear
/// predictors are [log μ, logit π].
pub(crate) fn count_probabilities(
    spec: &ModelSpec,
    c: &Coefficients<'_>,
    at: RangeInclusive<u64>,
    table: &Table,
) -> Result<ClassProbabilities> {
    if !matches!(c.family, Family::Zip | Family::Zinb) {
        return Err(DataError::NotSupported {
            what: format!(
                "count probabilities of a {} fit (zip and zinb have them)",
                c.family
            ),
        });
    }
    let frame = spec.apply(table)?;
    let x = &frame.design;
    let z = frame.second_design.as_ref().unwrap_or(x);
    let (p, q) = (x.ncols(), z.ncols());
    let needed = p + q + usize::from(c.family == Family::Zinb);
    if c.estimates.len() < needed {
        return Err(DataError::InvalidSpec(format!(
            "{} estimates for a {} model with {p} count and {q} zero columns",
            c.estimates.len(),
            c.family
        )));
    }
    let eta = eta_of(x, &c.estimates[..p], frame.offset.as_deref());
    let zeta = eta_of(z, &c.estimates[p..p + q], None);
    let theta = (c.family == Family::Zinb).then(|| c.estimates[p + q].exp());
    let probabilities = eta
        .iter()
        .zip(&zeta)
        .map(|(&e, &g)| {
            let (mu, pi) = (e.exp(), 1.0 / (1.0 + (-g).exp()));
            at.clone()
                .map(|k| {
                    let count = (1.0 - pi) * log_pmf(k as f64, mu, theta).exp();
                    if k == 0 {
                        pi + count
                    } else {
                        count
                    }
                })
                .collect()
        })
        .collect();
    Ok(ClassProbabilities {
        rows: frame.kept_rows.clone(),
        levels: at.map(|k| k.to_string()).collect(),
        probabilities,
        linear_predictors: eta.iter().zip(&zeta).map(|(&e, &g)| vec![e, g]).collect(),
        se_probabilities: None,
        se_linear_predictors: None,
    })
}

impl FormulaFit {
    /// The largest count of the response of a zip / zinb fit (pscl's default `at = 0:max(y)`).
    pub(crate) fn max_count(&self) -> Option<u64> {
        matches!(self.family, Family::Zip | Family::Zinb)
            .then(|| self.data.y.iter().copied().fold(0.0, f64::max) as u64)
    }

    /// P(Y = k | x) of a zero-inflated fit on `table` for k in `at` (default 0..=max(y) of the
    /// training response), as `predict(zeroinfl, newdata, type = "prob", at)`; levels are the
    /// counts. Another family is a typed [`DataError::NotSupported`].
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let y: Vec<f64> = (0..40).map(|i| if i % 3 == 0 { 0.0 } else { (i % 5) as f64 }).collect();
    /// let x: Vec<f64> = (0..40).map(|i| (i % 4) as f64 / 4.0).collect();
    /// let t = Table::from_columns([("y", y.into()), ("x", x.into())]).unwrap();
    /// let m = FormulaFit::fit("y ~ x | 1", &t, Family::Zip, FormulaOptions::default()).unwrap();
    /// let p = m.predict_counts(&t, None).unwrap();
    /// assert_eq!(p.levels, ["0", "1", "2", "3", "4"]);
    /// let wide = m.predict_counts(&t, Some(0..=60)).unwrap();
    /// assert!((wide.probabilities[0].iter().sum::<f64>() - 1.0).abs() < 1e-12);
    /// ```
    pub fn predict_counts(
        &self,
        table: &Table,
        at: Option<RangeInclusive<u64>>,
    ) -> Result<ClassProbabilities> {
        let at = match (at, self.max_count()) {
            (Some(at), _) => at,
            (None, Some(max)) => 0..=max,
            (None, None) => 0..=0,
        };
        count_probabilities(self.frame.spec(), &self.coefficients_for_prediction(), at, table)
    }
}
