//! Ordinal regression by a cumulative link, as `MASS::polr`: logit P(Y ≤ j) = c_j − xβ
//! (proportional odds) or its probit / cloglog versions; the cut-points are ordered by
//! construction (first cut free, then log increments) and reported with delta-method
//! standard errors by [`Regression::cut_points`].

use std::borrow::Cow;

use mle_core::predictor::CoefficientNames;
use mle_core::{Design, Fit, LinearPredictorObjective, LogDensity, MleError, Result};
use mle_families::{BinomialLink, Ordinal};
use mle_optim::Model;

use crate::regression::{Regression, RegressionFamily};

/// Cut-points on their natural scale, by name, with delta-method standard errors.
#[derive(Debug, Clone, PartialEq)]
pub struct CutPoint {
    /// `j|j+1`.
    pub name: String,
    /// c_j.
    pub estimate: f64,
    /// Its standard error (None without a covariance).
    pub std_error: Option<f64>,
}

impl<'a, const K: usize> Regression<'a, Ordinal<K>, K> {
    /// Cumulative-link regression of levels `y` (1..=K) on `x` (no intercept column: the
    /// cut-points play its role). Every level must occur (else its cut-point is not
    /// identified: the error names the level).
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_families::BinomialLink;
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(false, &[("x", (0..30).map(|i| (i % 6) as f64).collect())]).unwrap();
    /// let y: Vec<f64> = (0..30).map(|i| [1.0, 1.0, 2.0, 2.0, 3.0, 3.0][(i + i / 7) % 6]).collect();
    /// let model = Regression::<_, 3>::ordinal(BinomialLink::Logit, &x, &y).unwrap();
    /// let fitted = model.fit().unwrap();
    /// let cuts = model.cut_points(&fitted).unwrap();
    /// assert_eq!(cuts[1].name, "2|3");
    /// assert!(cuts[0].estimate < cuts[1].estimate);
    /// assert!(matches!(Regression::<_, 3>::ordinal(BinomialLink::Logit, &x, &vec![1.0; 30]),
    ///     Err(MleError::MissingLevel { .. })));
    /// ```
    pub fn ordinal(link: BinomialLink, x: &'a Design, y: &'a [f64]) -> Result<Self> {
        if K < 2 {
            return Err(MleError::UnsupportedClassCount {
                classes: K,
                min: 2,
                max: 12,
            });
        }
        if x.names().iter().any(|n| n == "(Intercept)") {
            return Err(MleError::InvalidDesign {
                reason: "an ordinal regression has no (Intercept) column: the cut-points are its intercepts"
                    .into(),
            });
        }
        let family = Ordinal::<K> { link };
        let mut designs: [Cow<'a, Design>; K] =
            std::array::from_fn(|_| Cow::Owned(Design::intercept(x.nrows())));
        designs[0] = Cow::Borrowed(x);
        let objective = LinearPredictorObjective::with_predictors(
            family,
            designs,
            y,
            family.parameters(),
            CoefficientNames::FirstUnprefixed,
        )?;
        for level in 1..=K {
            if !y.contains(&(level as f64)) {
                return Err(MleError::MissingLevel { level, levels: K });
            }
        }
        Ok(Regression::from_objective(objective))
    }

    /// The cut-points c₁ < … < c_{K−1} at `fit` (from this model), with standard errors by
    /// the delta method from the fit's covariance (∂c_j/∂τ₁ = 1, ∂c_j/∂τ_i = e^{τ_i}, i ≤ j).
    pub fn cut_points(&self, fit: &Fit) -> Result<Vec<CutPoint>> {
        let family = *self.family();
        let p = self.design(0).ncols();
        let theta = fit.estimates();
        if theta.len() != p + K - 1 {
            return Err(MleError::ParameterCount {
                expected: p + K - 1,
                got: theta.len(),
            });
        }
        let tau: Vec<f64> = theta.iter().skip(p).copied().collect();
        let cuts = family.cut_points(&tau);
        let names = family.cut_names();
        let cov = fit.covariance();
        Ok((0..K - 1)
            .map(|j| {
                let grad: Vec<f64> = (0..K - 1)
                    .map(|i| match i {
                        0 => 1.0,
                        i if i <= j => tau[i].exp(),
                        _ => 0.0,
                    })
                    .collect();
                let std_error = cov.map(|v| {
                    let mut s = 0.0;
                    for a in 0..K - 1 {
                        for b in 0..K - 1 {
                            s += grad[a] * v[(p + a, p + b)] * grad[b];
                        }
                    }
                    s.sqrt()
                });
                CutPoint {
                    name: names[j].clone(),
                    estimate: cuts[j],
                    std_error,
                }
            })
            .collect())
    }
}

impl<const K: usize> RegressionFamily<K> for Ordinal<K> {
    fn regression_name(&self) -> String {
        format!(
            "ordinal regression, {K} levels ({} cumulative link)",
            self.link.name()
        )
    }

    /// β = 0 and the cut-points at F⁻¹ of the (weighted) cumulative level proportions.
    fn regression_start(&self, regression: &Regression<'_, Self, K>) -> Vec<f64> {
        let (y, w) = (regression.response(), regression.linear_objective().weights());
        let mut counts = vec![0.0; K];
        for (i, &v) in y.iter().enumerate() {
            counts[v as usize - 1] += w.map_or(1.0, |w| w[i]);
        }
        let total: f64 = counts.iter().sum();
        let mut cum = 0.0;
        let cuts: Vec<f64> = counts[..K - 1]
            .iter()
            .map(|c| {
                cum += c;
                self.link.link((cum / total).clamp(1e-6, 1.0 - 1e-6))
            })
            .collect();
        let mut start = vec![0.0; regression.design(0).ncols()];
        start.extend(
            self.working_cuts(&cuts)
                .iter()
                .map(|t| if t.is_finite() { *t } else { -10.0 }),
        );
        start
    }
}

/// Fits an ordinal regression whose number of levels is known only at run time (2..=12),
/// dispatching to `Regression::<Ordinal<K>, K>`; returns the fit and its cut-points.
///
/// ```
/// use mle_core::Design;
/// use mle_families::BinomialLink;
/// use mle_models::ordinal::fit_ordinal;
/// let x = Design::from_columns(false, &[("x", (0..40).map(|i| (i % 8) as f64).collect())]).unwrap();
/// let y: Vec<f64> = (0..40).map(|i| (1 + (i % 8 + i / 9) / 3).min(4) as f64).collect();
/// let (fit, cuts) = fit_ordinal(BinomialLink::Probit, &x, &y, 4).unwrap();
/// assert_eq!(cuts.len(), 3);
/// assert!(fit.convergence().converged());
/// assert!(fit_ordinal(BinomialLink::Probit, &x, &y, 40).is_err());
/// ```
pub fn fit_ordinal(link: BinomialLink, x: &Design, y: &[f64], levels: usize) -> Result<(Fit, Vec<CutPoint>)> {
    macro_rules! dispatch {
        ($($k:literal),*) => {
            match levels {
                $($k => {
                    let model = Regression::<Ordinal<$k>, $k>::ordinal(link, x, y)?;
                    let fitted = model.fit()?;
                    let cuts = model.cut_points(&fitted)?;
                    Ok((fitted.into_fit(), cuts))
                })*
                other => Err(MleError::UnsupportedClassCount {
                    classes: other,
                    min: 2,
                    max: 12,
                }),
            }
        };
    }
    dispatch!(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
}
