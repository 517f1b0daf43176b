//! Means and predictions of a formula fit: η = xᵀβ + offset, μ = g⁻¹(η) with standard
//! errors by the delta method (R's `predict(m, newdata, type, se.fit = TRUE)`), for the
//! fitted model and for a saved one.

use nalgebra::{DMatrix, DVector};

use mle_core::inference::normal_quantile;
use mle_core::Design;

use crate::error::{DataError, Result};
use crate::estimate::without_intercept;
use crate::family_name::Family;
use crate::formula_fit::{model_err, FormulaFit};
use crate::glm::Link;
use crate::spec::ModelSpec;
use crate::table::Table;

/// The scale of a prediction (`type = "link"` or `"response"` in R).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// The linear predictor η = xᵀβ + offset (survival: `type = "lp"`, the log-time
    /// location; zero-inflated: the count model's log μ; ordinal: xᵀβ, no cut-point).
    Link,
    /// The mean μ = g⁻¹(η) (survival: exp(η), R's `type = "response"`; zero-inflated: the
    /// mean (1 − π)μ of the mixture, pscl's `type = "response"`).
    Response,
    /// Zero-inflated fits only: the probability π = logistic(zᵀγ) of a structural zero
    /// (pscl's `type = "zero"`), its SE π(1 − π)√(zᵀV_γz), limits from the logit scale.
    Zero,
}

/// Predictions on new data, one per row kept (rows with a missing value are dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Row indices (0-based) of the new table that were predicted.
    pub rows: Vec<usize>,
    /// The predictions on the chosen scale.
    pub fit: Vec<f64>,
    /// √(xᵀVx) on the link scale; on the response scale times |dμ/dη| (delta method; for
    /// a zero-inflated mean the delta method over the count and zero coefficients).
    pub se_fit: Option<Vec<f64>>,
    /// Lower confidence limit (on the response scale: the link-scale limit transformed;
    /// none for a zero-inflated mean).
    pub lower: Option<Vec<f64>>,
    /// Upper confidence limit.
    pub upper: Option<Vec<f64>>,
}

/// The coefficients a prediction needs: family, link, all estimates (working scale) and
/// their covariance.
pub(crate) struct Coefficients<'a> {
    pub(crate) family: Family,
    pub(crate) link: &'a str,
    pub(crate) estimates: &'a [f64],
    pub(crate) covariance: Option<&'a DMatrix<f64>>,
}

/// The link of the mean predictor.
pub(crate) fn mean_link(family: Family, link: &str) -> Result<Link> {
    match family {
        Family::Multinomial => Err(DataError::NotSupported {
            what: "link or response predictions of a multinomial fit (predict_probabilities gives the \
                   class probabilities and the K − 1 linear predictors)"
                .into(),
        }),
        Family::Gaussian | Family::StudentT | Family::Quantile => Ok(Link::Identity),
        f if f.is_survival() => Ok(Link::Log),
        Family::Zip | Family::Zinb => Ok(Link::Log),
        _ => Link::from_name(link),
    }
}

pub(crate) fn eta_of(x: &Design, beta: &[f64], offset: Option<&[f64]>) -> Vec<f64> {
    let eta = x.matrix() * DVector::from_column_slice(beta);
    (0..x.nrows())
        .map(|i| eta[i] + offset.map_or(0.0, |o| o[i]))
        .collect()
}

fn quadratic_forms(g: &DMatrix<f64>, v: &DMatrix<f64>) -> Vec<f64> {
    let gv = g * v;
    (0..g.nrows())
        .map(|i| gv.row(i).dot(&g.row(i)).max(0.0).sqrt())
        .collect()
}

/// The mean and its predictions on designs `x` (and `z`, the zero model) with `offset`.
pub(crate) fn predict_on(
    c: &Coefficients<'_>,
    x: &Design,
    z: Option<&Design>,
    offset: Option<&[f64]>,
    scale: Scale,
    level: f64,
    rows: Vec<usize>,
) -> Result<Prediction> {
    if scale == Scale::Zero {
        return zero_probability(c, x, z.unwrap_or(x), level, rows);
    }
    let link = mean_link(c.family, c.link)?;
    let p = x.ncols();
    let eta = eta_of(x, &c.estimates[..p], offset);
    let v_beta = c.covariance.map(|v| v.view((0, 0), (p, p)).into_owned());
    let se_link = v_beta.as_ref().map(|v| quadratic_forms(x.matrix(), v));
    if scale == Scale::Response && c.family == Family::Ordinal {
        return Err(DataError::NotSupported {
            what: "response-scale predictions of an ordinal fit (class probabilities); Scale::Link gives xᵀβ"
                .into(),
        });
    }
    if scale == Scale::Response && matches!(c.family, Family::Zip | Family::Zinb) {
        return zero_inflated_mean(c, x, z.unwrap_or(x), &eta, rows);
    }
    let z_level = normal_quantile(level).map_err(model_err)?;
    let limits = |sign: f64| {
        se_link.as_ref().map(|s| {
            eta.iter()
                .zip(s)
                .map(|(e, s)| match scale {
                    Scale::Link => e + sign * z_level * s,
                    _ => link.inverse(e + sign * z_level * s),
                })
                .collect::<Vec<f64>>()
        })
    };
    let (mut lower, mut upper) = (limits(-1.0), limits(1.0));
    if scale == Scale::Response && link.decreasing() {
        // A decreasing link (inverse, 1/mu^2): the limits swap.
        std::mem::swap(&mut lower, &mut upper);
    }
    let (fit, se_fit) = match scale {
        Scale::Link => (eta, se_link),
        _ => (
            eta.iter().map(|&e| link.inverse(e)).collect(),
            se_link.map(|s| {
                s.iter()
                    .zip(&eta)
                    .map(|(s, &e)| s * link.mu_eta(e).abs())
                    .collect()
            }),
        ),
    };
    Ok(Prediction {
        rows,
        fit,
        se_fit,
        lower,
        upper,
    })
}

/// π = logistic(zᵀγ) of a zero-inflated fit with its delta-method SE.
fn zero_probability(
    c: &Coefficients<'_>,
    x: &Design,
    z: &Design,
    level: f64,
    rows: Vec<usize>,
) -> Result<Prediction> {
    if !matches!(c.family, Family::Zip | Family::Zinb) {
        return Err(DataError::NotSupported {
            what: format!(
                "zero-probability predictions of a {} fit (zip and zinb have them)",
                c.family
            ),
        });
    }
    let (p, q) = (x.ncols(), z.ncols());
    let zeta = eta_of(z, &c.estimates[p..p + q], None);
    let logistic = |e: f64| 1.0 / (1.0 + (-e).exp());
    let fit: Vec<f64> = zeta.iter().map(|&e| logistic(e)).collect();
    let se_logit = c
        .covariance
        .map(|v| quadratic_forms(z.matrix(), &v.view((p, p), (q, q)).into_owned()));
    let z_level = normal_quantile(level).map_err(model_err)?;
    let limit = |sign: f64| {
        se_logit.as_ref().map(|s| {
            zeta.iter()
                .zip(s)
                .map(|(e, s)| logistic(e + sign * z_level * s))
                .collect()
        })
    };
    Ok(Prediction {
        rows,
        se_fit: se_logit
            .as_ref()
            .map(|s| s.iter().zip(&fit).map(|(s, pi)| s * pi * (1.0 - pi)).collect()),
        lower: limit(-1.0),
        upper: limit(1.0),
        fit,
    })
}

/// E y = (1 − π)μ with μ = exp(η), π = logistic(zᵀγ); its SE by the delta method over (β, γ).
fn zero_inflated_mean(
    c: &Coefficients<'_>,
    x: &Design,
    z: &Design,
    eta: &[f64],
    rows: Vec<usize>,
) -> Result<Prediction> {
    let (p, q) = (x.ncols(), z.ncols());
    let zeta = eta_of(z, &c.estimates[p..p + q], None);
    let n = eta.len();
    let mut fit = Vec::with_capacity(n);
    let mut g = DMatrix::zeros(n, p + q);
    for i in 0..n {
        let (mu, pi) = (eta[i].exp(), 1.0 / (1.0 + (-zeta[i]).exp()));
        fit.push((1.0 - pi) * mu);
        for j in 0..p {
            g[(i, j)] = (1.0 - pi) * mu * x.matrix()[(i, j)];
        }
        for j in 0..q {
            g[(i, p + j)] = -mu * pi * (1.0 - pi) * z.matrix()[(i, j)];
        }
    }
    let se_fit = c
        .covariance
        .map(|v| quadratic_forms(&g, &v.view((0, 0), (p + q, p + q)).into_owned()));
    Ok(Prediction {
        rows,
        fit,
        se_fit,
        lower: None,
        upper: None,
    })
}

/// Predictions from a spec and coefficients on a new table.
pub(crate) fn predict_with(
    spec: &ModelSpec,
    c: &Coefficients<'_>,
    table: &Table,
    scale: Scale,
    level: f64,
) -> Result<Prediction> {
    if scale != Scale::Zero {
        mean_link(c.family, c.link)?;
    }
    let frame = spec.apply(table)?;
    let x = if c.family == Family::Ordinal {
        without_intercept(&frame.design)?
    } else {
        frame.design.clone()
    };
    predict_on(
        c,
        &x,
        frame.second_design.as_ref(),
        frame.offset.as_deref(),
        scale,
        level,
        frame.kept_rows.clone(),
    )
}

impl FormulaFit {
    pub(crate) fn coefficients_for_prediction(&self) -> Coefficients<'_> {
        Coefficients {
            family: self.family,
            link: &self.link,
            estimates: self.fit.estimates().as_slice(),
            covariance: self.fit.covariance(),
        }
    }

    /// The linear predictor η̂ of the rows used (survival: log-time location; zero-inflated:
    /// the count model's log μ; ordinal: xᵀβ).
    pub fn linear_predictor(&self) -> Result<Vec<f64>> {
        mean_link(self.family, &self.link)?;
        let p = self.frame.design.ncols();
        Ok(eta_of(
            &self.frame.design,
            &self.fit.estimates().as_slice()[..p],
            self.frame.offset.as_deref(),
        ))
    }

    /// Fitted means μ̂ (R's `fitted(m)`; survival: exp(η̂) as `predict(type = "response")`;
    /// zero-inflated: (1 − π̂)μ̂). Not defined for ordinal and multinomial fits (class
    /// probabilities).
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let t = Table::from_columns([("y", vec![1.0, 3.0, 2.0, 6.0].into()), ("g", vec!["a", "a", "b", "b"].into())]).unwrap();
    /// let m = FormulaFit::fit("y ~ g", &t, Family::Poisson, FormulaOptions::default()).unwrap();
    /// let f = m.fitted().unwrap();
    /// assert!((f[0] - 2.0).abs() < 1e-9 && (f[3] - 4.0).abs() < 1e-9);
    /// ```
    pub fn fitted(&self) -> Result<Vec<f64>> {
        let c = Coefficients {
            covariance: None,
            ..self.coefficients_for_prediction()
        };
        let p = predict_on(
            &c,
            &self.frame.design,
            self.frame.second_design.as_ref(),
            self.frame.offset.as_deref(),
            Scale::Response,
            0.95,
            Vec::new(),
        )?;
        Ok(p.fit)
    }

    /// The coefficients' covariance (the block of the chosen estimator for
    /// [`FormulaFit::coefficients`]).
    pub fn coefficient_covariance(&self) -> Option<DMatrix<f64>> {
        let p = self.n_coefficients();
        self.fit.covariance().map(|v| v.view((0, 0), (p, p)).into_owned())
    }

    /// Predictions for `table` (the spec re-applied: an unseen factor level is an error that
    /// names it), with standard errors and `level` confidence limits when the fit has a
    /// covariance.
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Scale, Table};
    /// let t = Table::from_columns([("y", vec![1.0, 3.0, 2.0, 6.0].into()), ("g", vec!["a", "a", "b", "b"].into())]).unwrap();
    /// let m = FormulaFit::fit("y ~ g", &t, Family::Poisson, FormulaOptions::default()).unwrap();
    /// let new = Table::from_columns([("g", vec!["b"].into())]).unwrap();
    /// let p = m.predict(&new, Scale::Response, 0.95).unwrap();
    /// assert!((p.fit[0] - 4.0).abs() < 1e-9);
    /// assert!((p.se_fit.unwrap()[0] - 2f64.sqrt()).abs() < 1e-6); // √(μ/n) with n = 2
    /// let bad = Table::from_columns([("g", vec!["c"].into())]).unwrap();
    /// assert!(m.predict(&bad, Scale::Link, 0.95).unwrap_err().to_string().contains("level `c`"));
    /// ```
    pub fn predict(&self, table: &Table, scale: Scale, level: f64) -> Result<Prediction> {
        predict_with(
            self.frame.spec(),
            &self.coefficients_for_prediction(),
            table,
            scale,
            level,
        )
    }
}

/// Class probabilities of an ordinal or multinomial fit on new data (`predict(polr, newdata,
/// type = "probs")`, `predict(multinom, newdata, type = "probs")`), or the count
/// probabilities of a zero-inflated fit (`predict(zeroinfl, type = "prob")`, levels the counts).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassProbabilities {
    /// Row indices (0-based) of the new table that were predicted.
    pub rows: Vec<usize>,
    /// The response levels, in order (the columns of `probabilities`).
    pub levels: Vec<String>,
    /// P(Y = level | x) for each predicted row: ordinal F(c_j − η) − F(c_{j−1} − η);
    /// multinomial softmax(0, η₁, …, η_{K−1}).
    pub probabilities: Vec<Vec<f64>>,
    /// The linear predictors of each row: ordinal [xᵀβ]; multinomial the K − 1 baseline
    /// logits ηₖ = xᵀβₖ + offset = log(P(k)/P(baseline)); zero-inflated [log μ, logit π].
    pub linear_predictors: Vec<Vec<f64>>,
    /// Multinomial (with a covariance): delta-method standard errors of `probabilities`,
    /// √(gᵀVg) with ∂P_j/∂β_k = P_j(1{j = k} − P_k)x; `None` for the other families.
    pub se_probabilities: Option<Vec<Vec<f64>>>,
    /// Multinomial (with a covariance): √(xᵀV_kk x) of each linear predictor.
    pub se_linear_predictors: Option<Vec<Vec<f64>>>,
}

/// Class probabilities from an ordinal spec and coefficients: estimates (β, τ) with the
/// cut-points c₁ = τ₁, c_j = c_{j−1} + exp(τ_j).
pub(crate) fn ordinal_probabilities(
    spec: &ModelSpec,
    c: &Coefficients<'_>,
    levels: Option<&[String]>,
    table: &Table,
) -> Result<ClassProbabilities> {
    let levels = match (c.family, levels) {
        (Family::Ordinal, Some(levels)) if levels.len() >= 2 && levels.len() <= c.estimates.len() + 1 => {
            levels
        }
        (f, _) => {
            return Err(DataError::NotSupported {
                what: format!("class probabilities of a {f} fit (an ordinal fit has them)"),
            })
        }
    };
    let k = levels.len();
    let p = c.estimates.len() + 1 - k;
    let mut cuts = Vec::with_capacity(k - 1);
    for (j, &t) in c.estimates[p..].iter().enumerate() {
        cuts.push(if j == 0 { t } else { cuts[j - 1] + t.exp() });
    }
    let link = Link::from_name(c.link)?;
    let frame = spec.apply(table)?;
    let x = without_intercept(&frame.design)?;
    if x.ncols() != p {
        return Err(DataError::InvalidSpec(format!(
            "{} design columns for {p} ordinal coefficients",
            x.ncols()
        )));
    }
    let eta = eta_of(&x, &c.estimates[..p], frame.offset.as_deref());
    let linear_predictors = eta.iter().map(|&e| vec![e]).collect();
    let probabilities = eta
        .iter()
        .map(|&e| {
            let cdf = |j: usize| match j {
                0 => 0.0,
                j if j == k => 1.0,
                j => link.inverse(cuts[j - 1] - e),
            };
            (1..=k).map(|j| cdf(j) - cdf(j - 1)).collect()
        })
        .collect();
    Ok(ClassProbabilities {
        rows: frame.kept_rows.clone(),
        levels: levels.to_vec(),
        probabilities,
        linear_predictors,
        se_probabilities: None,
        se_linear_predictors: None,
    })
}

impl FormulaFit {
    /// Class probabilities of an ordinal or multinomial fit on `table` (R's `predict(m,
    /// newdata, type = "probs")`) with the linear predictors; another family is a typed
    /// [`DataError::NotSupported`].
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let x: Vec<f64> = (0..30).map(|i| (i % 6) as f64).collect();
    /// let y: Vec<&str> = (0..30).map(|i| ["lo", "lo", "mid", "mid", "top", "top"][(i + i / 7) % 6]).collect();
    /// let t = Table::from_columns([("y", y.into()), ("x", x.into())]).unwrap();
    /// let m = FormulaFit::fit(r#"ordered(y, levels = c("lo", "mid", "top")) ~ x"#, &t, Family::Ordinal, FormulaOptions::default()).unwrap();
    /// let new = Table::from_columns([("x", vec![0.0, 5.0].into())]).unwrap();
    /// let p = m.predict_probabilities(&new).unwrap();
    /// assert_eq!(p.levels, ["lo", "mid", "top"]);
    /// assert!((p.probabilities[0].iter().sum::<f64>() - 1.0).abs() < 1e-12);
    /// assert!(p.probabilities[1][2] > p.probabilities[0][2]); // higher x, higher level
    /// ```
    ///
    /// A zip / zinb fit gives its count probabilities 0..=max(y) ([`FormulaFit::predict_counts`]).
    pub fn predict_probabilities(&self, table: &Table) -> Result<ClassProbabilities> {
        if matches!(self.family, Family::Zip | Family::Zinb) {
            return self.predict_counts(table, None);
        }
        crate::multinomial::class_probabilities(
            self.frame.spec(),
            &self.coefficients_for_prediction(),
            self.response_levels(),
            table,
        )
    }
}
