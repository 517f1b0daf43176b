//! Fitting a [`Family`] on designs and the response data of a formula fit: the dispatch
//! from a family name (and link) to the `mle_models` recipe, with the parameter names R
//! prints (`log(theta)`, `Log(scale)`, `x` / `zero_x`, cut-points `a|b`).

use std::borrow::Cow;

use mle_core::covariance::CovarianceType;
use mle_core::{CoefficientNames, Design, Fit, LinearPredictorObjective, LogDensity, MleError, Parameter};
use mle_families::{
    Aft, AftDistribution, BinomialLink, Categorical, Gamma, InverseGaussian, MeanLink, NegativeBinomial,
    Ordinal, ZeroInflatedNegativeBinomial, ZeroInflatedPoisson,
};
use mle_models::{CutPoint, LinearRegression, QuantileRegression, Regression, RegressionFamily};
use mle_optim::Model;

use crate::error::{DataError, Result};
use crate::family_name::Family;

/// The response and case data a family is fitted on (everything but the designs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FitData {
    /// The response as numbers: the value, 0/1, the proportion s/n (binomial with
    /// trials), the time (`Surv`), or the class code (0-based multinomial, 1-based ordinal).
    pub(crate) y: Vec<f64>,
    /// `(successes, trials)` of a binomial with trials or a non-logit binary fit,
    /// `(time, status)` of a survival fit.
    pub(crate) pairs: Option<Vec<(f64, f64)>>,
    /// Case weights of the fit.
    pub(crate) weights: Option<Vec<f64>>,
    /// GLM prior weights (binomial: trials × case weight), as R's `prior.weights`.
    pub(crate) prior_weights: Option<Vec<f64>>,
    /// The offset.
    pub(crate) offset: Option<Vec<f64>>,
    /// Number of classes of a factor response (multinomial, ordinal).
    pub(crate) classes: usize,
}

/// A fit and, for an ordinal model, its cut-points.
pub(crate) struct Estimated {
    pub(crate) fit: Fit,
    pub(crate) cuts: Option<Vec<CutPoint>>,
}

impl From<Fit> for Estimated {
    fn from(fit: Fit) -> Self {
        Estimated { fit, cuts: None }
    }
}

pub(crate) fn model_err(e: MleError) -> DataError {
    DataError::Model(e)
}

/// The fitted model with the chosen covariance, as an owned [`Fit`].
fn finish<M: Model + Clone>(model: M, covariance: &Option<CovarianceType>) -> Result<Fit> {
    let fitted = model.fit().map_err(model_err)?;
    match covariance {
        None => Ok(fitted.into_fit()),
        Some(kind) => Ok(fitted
            .with_covariance(kind.clone())
            .map_err(model_err)?
            .into_fit()),
    }
}

/// A regression with the offset and case weights of `data`, fitted.
fn with_data<F: RegressionFamily<K>, const K: usize>(
    r: mle_core::Result<Regression<'_, F, K>>,
    data: &FitData,
    covariance: &Option<CovarianceType>,
) -> Result<Fit> {
    let mut r = r.map_err(model_err)?;
    if let Some(o) = &data.offset {
        r = r.offset(o.as_slice()).map_err(model_err)?;
    }
    if let Some(w) = &data.weights {
        r = r.weights(w.as_slice()).map_err(model_err)?;
    }
    finish(r, covariance)
}

/// The family's parameters with the scalar parameter `k` renamed as R prints it.
fn renamed<F: LogDensity<K>, const K: usize>(family: &F, names: &[(usize, &str)]) -> Vec<Parameter> {
    let mut ps = family.parameters();
    for &(k, name) in names {
        ps[k].name = name.to_string();
    }
    ps
}

/// A regression whose first design is `x` and the others intercept-only, named as R.
fn scalar_regression<'a, F: RegressionFamily<K>, const K: usize>(
    family: F,
    x: &'a Design,
    y: &'a [F::Obs],
    names: &[(usize, &str)],
) -> mle_core::Result<Regression<'a, F, K>> {
    let mut designs: [Cow<'a, Design>; K] = std::array::from_fn(|_| Cow::Owned(Design::intercept(x.nrows())));
    designs[0] = Cow::Borrowed(x);
    let predictors = renamed(&family, names);
    LinearPredictorObjective::with_predictors(
        family,
        designs,
        y,
        predictors,
        CoefficientNames::FirstUnprefixed,
    )
    .map(Regression::from_objective)
}

fn pairs(data: &FitData, family: Family) -> Result<&[(f64, f64)]> {
    data.pairs.as_deref().ok_or_else(|| DataError::NotSupported {
        what: format!("the {family} family without its two-column response"),
    })
}

fn mean_link(link: &str) -> Result<MeanLink> {
    MeanLink::from_name(link).map_err(model_err)
}

fn binomial_link(link: &str) -> Result<BinomialLink> {
    BinomialLink::from_name(link).map_err(model_err)
}

/// Fits `family` with `link` on the mean design `x` (and `z` after `|`).
pub(crate) fn estimate(
    family: Family,
    link: &str,
    x: &Design,
    z: Option<&Design>,
    data: &FitData,
    covariance: &Option<CovarianceType>,
    tau: f64,
) -> Result<Estimated> {
    if z.is_some() && !matches!(family, Family::Gaussian | Family::Zip | Family::Zinb) {
        return Err(DataError::NotSupported {
            what: format!(
                "a `|` part for the {family} family (gaussian models log σ = Zγ; zip and zinb the zero model)"
            ),
        });
    }
    let y = data.y.as_slice();
    Ok(match family {
        Family::Gaussian => gaussian(x, z, data, covariance)?.into(),
        Family::Binomial => match &data.pairs {
            None => with_data(Regression::logistic(x, y), data, covariance)?.into(),
            Some(p) => with_data(Regression::binomial(binomial_link(link)?, x, p), data, covariance)?.into(),
        },
        Family::Poisson => with_data(Regression::poisson(x, y), data, covariance)?.into(),
        Family::StudentT => with_data(Regression::student_t(x, y), data, covariance)?.into(),
        Family::NegativeBinomial => {
            let r = scalar_regression(NegativeBinomial, x, y, &[(1, "log(theta)")]);
            with_data(r, data, covariance)?.into()
        }
        Family::Gamma => {
            let r = scalar_regression(
                Gamma {
                    link: mean_link(link)?,
                },
                x,
                y,
                &[(1, "log(shape)")],
            );
            with_data(r, data, covariance)?.into()
        }
        Family::InverseGaussian => {
            let family = InverseGaussian {
                link: mean_link(link)?,
            };
            let r = scalar_regression(family, x, y, &[(1, "log(dispersion)")]);
            with_data(r, data, covariance)?.into()
        }
        Family::Weibull | Family::Lognormal | Family::Loglogistic => {
            let distribution = match family {
                Family::Weibull => AftDistribution::Weibull,
                Family::Lognormal => AftDistribution::LogNormal,
                _ => AftDistribution::LogLogistic,
            };
            let r = scalar_regression(
                Aft { distribution },
                x,
                pairs(data, family)?,
                &[(1, "Log(scale)")],
            );
            with_data(r, data, covariance)?.into()
        }
        Family::Exponential => {
            with_data(Regression::exponential(x, pairs(data, family)?), data, covariance)?.into()
        }
        Family::Zip | Family::Zinb => zero_inflated(family, x, z.unwrap_or(x), data, covariance)?.into(),
        Family::Multinomial => multinomial(x, data, covariance)?.into(),
        Family::Ordinal => ordinal(binomial_link(link)?, x, data, covariance)?,
        Family::Quantile => quantile(x, data, covariance, tau)?.into(),
    })
}

/// The fit with `MASS::glm.nb`'s covariance (`--cov glm-nb`; negative binomial only).
pub(crate) fn glm_nb_covariance(family: Family, x: &Design, data: &FitData, fit: Fit) -> Result<Fit> {
    if family != Family::NegativeBinomial {
        return Err(DataError::NotSupported {
            what: format!("the glm-nb covariance for the {family} family (negative-binomial only)"),
        });
    }
    let mut r = scalar_regression(NegativeBinomial, x, &data.y, &[(1, "log(theta)")]).map_err(model_err)?;
    if let Some(o) = &data.offset {
        r = r.offset(o.as_slice()).map_err(model_err)?;
    }
    if let Some(w) = &data.weights {
        r = r.weights(w.as_slice()).map_err(model_err)?;
    }
    let v = r
        .glm_nb_covariance(fit.estimates().as_slice())
        .map_err(model_err)?;
    fit.with_covariance("glm.nb convention", v).map_err(model_err)
}

fn gaussian(
    x: &Design,
    z: Option<&Design>,
    data: &FitData,
    covariance: &Option<CovarianceType>,
) -> Result<Fit> {
    let y = data.y.as_slice();
    match z {
        None => {
            let mut m = LinearRegression::new(x, y).map_err(model_err)?;
            if let Some(o) = &data.offset {
                m = m.offset(o).map_err(model_err)?;
            }
            if let Some(w) = &data.weights {
                m = m.weights(w).map_err(model_err)?;
            }
            finish(m, covariance)
        }
        Some(z) => with_data(Regression::heteroscedastic(x, z, y), data, covariance),
    }
}

/// The zero model's predictor: named so that an intercept-only zero design reads
/// `zero_(Intercept)`.
fn zero_predictor(z: &Design) -> Parameter {
    if z.is_intercept_only() {
        Parameter::identity("zero_(Intercept)")
    } else {
        Parameter::identity("zero")
    }
}

/// `pscl::zeroinfl`: count model (log) on `x`, coefficients named as `model.matrix` does; zero model
/// (logit) on `z`, `zero_<column>`; and for the NB `log(theta)`.
fn zero_inflated(
    family: Family,
    x: &Design,
    z: &Design,
    data: &FitData,
    covariance: &Option<CovarianceType>,
) -> Result<Fit> {
    let y = data.y.as_slice();
    let underscore = CoefficientNames::FirstUnprefixedUnderscore;
    if family == Family::Zip {
        let predictors = vec![Parameter::identity("count"), zero_predictor(z)];
        let designs = [Cow::Borrowed(x), Cow::Borrowed(z)];
        let objective = LinearPredictorObjective::with_predictors(
            ZeroInflatedPoisson,
            designs,
            y,
            predictors,
            underscore,
        );
        return with_data(objective.map(Regression::from_objective), data, covariance);
    }
    let mut theta = Parameter::log_scale("theta");
    theta.name = "log(theta)".into();
    let predictors = vec![Parameter::identity("count"), zero_predictor(z), theta];
    let designs = [
        Cow::Borrowed(x),
        Cow::Borrowed(z),
        Cow::Owned(Design::intercept(x.nrows())),
    ];
    let objective = LinearPredictorObjective::with_predictors(
        ZeroInflatedNegativeBinomial,
        designs,
        y,
        predictors,
        underscore,
    );
    with_data(objective.map(Regression::from_objective), data, covariance)
}

/// `nnet::multinom`; an offset is added to every non-baseline linear predictor (VGAM's vector
/// offset, nnet's matrix offset `cbind(0, o, …, o)`).
fn multinomial(x: &Design, data: &FitData, covariance: &Option<CovarianceType>) -> Result<Fit> {
    fn each<const K: usize>(x: &Design, data: &FitData, covariance: &Option<CovarianceType>) -> Result<Fit> {
        let mut r = Regression::<Categorical<K>, K>::multinomial(x, &data.y).map_err(model_err)?;
        if let Some(o) = &data.offset {
            for k in 0..K {
                r = r.offset_on(k, o.as_slice()).map_err(model_err)?;
            }
        }
        if let Some(w) = &data.weights {
            r = r.weights(w.as_slice()).map_err(model_err)?;
        }
        finish(r, covariance)
    }
    macro_rules! dispatch {
        ($($n:literal)*) => {
            match data.classes.saturating_sub(1) {
                $($n => each::<$n>(x, data, covariance),)*
                k => Err(DataError::NotSupported {
                    what: format!("a multinomial response with {} classes (2 to 16 are supported)", k + 1),
                }),
            }
        };
    }
    dispatch!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
}

/// The design without its `(Intercept)` column (an ordinal model's cut-points are its
/// intercepts, as `MASS::polr` drops it).
pub(crate) fn without_intercept(x: &Design) -> Result<Design> {
    let keep: Vec<usize> = (0..x.ncols())
        .filter(|&j| x.names()[j] != "(Intercept)")
        .collect();
    if keep.len() == x.ncols() {
        return Ok(x.clone());
    }
    let m = nalgebra::DMatrix::from_fn(x.nrows(), keep.len(), |i, j| x.matrix()[(i, keep[j])]);
    Design::new(m, keep.iter().map(|&j| x.names()[j].clone())).map_err(model_err)
}

/// `MASS::polr` with K = 2..12 levels chosen at run time; `x` has no intercept.
fn ordinal(
    link: BinomialLink,
    x: &Design,
    data: &FitData,
    covariance: &Option<CovarianceType>,
) -> Result<Estimated> {
    macro_rules! dispatch {
        ($($k:literal)*) => {
            match data.classes {
                $($k => {
                    let mut model = Regression::<Ordinal<$k>, $k>::ordinal(link, x, &data.y).map_err(model_err)?;
                    if let Some(o) = &data.offset {
                        model = model.offset(o.as_slice()).map_err(model_err)?;
                    }
                    if let Some(w) = &data.weights {
                        model = model.weights(w.as_slice()).map_err(model_err)?;
                    }
                    let fit = finish(model.clone(), covariance)?;
                    let cuts = model.cut_points(&fit).map_err(model_err)?;
                    Ok(Estimated { fit, cuts: Some(cuts) })
                })*
                k => Err(DataError::NotSupported {
                    what: format!("an ordinal response with {k} levels (2 to 12 are supported)"),
                }),
            }
        };
    }
    dispatch!(2 3 4 5 6 7 8 9 10 11 12)
}

fn quantile(x: &Design, data: &FitData, covariance: &Option<CovarianceType>, tau: f64) -> Result<Fit> {
    if data.weights.is_some() || covariance.is_some() {
        return Err(DataError::NotSupported {
            what: "weights or a --cov choice in quantile regression (its covariance is \
                   the sparsity (nid) estimate)"
                .into(),
        });
    }
    let target: Vec<f64> = match &data.offset {
        Some(o) => data.y.iter().zip(o).map(|(a, b)| a - b).collect(),
        None => data.y.clone(),
    };
    QuantileRegression::new(tau)
        .map_err(model_err)?
        .fit(x, &target)
        .map(mle_optim::Fitted::into_fit)
        .map_err(model_err)
}

/// Refits the family on a sub-design (anova, drop1, the null model), without a
/// covariance choice; a fit that did not converge is a typed error.
pub(crate) fn refit(
    family: Family,
    link: &str,
    x: &Design,
    z: Option<&Design>,
    data: &FitData,
) -> Result<Fit> {
    let fit = if family == Family::Gaussian && z.is_none() {
        let mut m = LinearRegression::new(x, &data.y).map_err(model_err)?;
        if let Some(o) = &data.offset {
            m = m.offset(o).map_err(model_err)?;
        }
        if let Some(w) = &data.weights {
            m = m.weights(w).map_err(model_err)?;
        }
        m.estimate(&Default::default()).map_err(model_err)?
    } else {
        estimate(family, link, x, z, data, &None, 0.5)?.fit
    };
    if !fit.convergence().converged() {
        return Err(model_err(MleError::NoConvergence {
            reason: format!(
                "the fit of the sub-model on {:?} did not converge: {}",
                x.names(),
                fit.convergence().reason()
            ),
            iterations: fit.convergence().iterations,
            gradient_norm: fit.gradient().norm(),
            last: fit.estimates().iter().copied().collect(),
        }));
    }
    Ok(fit)
}
