//! After the fit: fitted values, predictions with standard errors, residuals, deviances,
//! hat values, `anova` and `drop1` — R's `predict.glm`, `residuals.glm`, `anova.glm`.

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::gamma::ln_gamma;

use mle_core::inference::normal_quantile;
use mle_core::Design;

use crate::error::{DataError, Result};
use crate::family_name::Family;
use crate::formula_fit::{model_err, refit_glm, FormulaFit};
use crate::spec::ModelSpec;
use crate::table::Table;

/// The scale of a prediction (`type = "link"` or `"response"` in R).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// The linear predictor η = xᵀβ + offset.
    Link,
    /// The mean μ = g⁻¹(η).
    Response,
}

/// The kind of residual (`residuals(m, type = ...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResidualType {
    /// y − μ.
    Response,
    /// (y − μ)√w / √V(μ).
    Pearson,
    /// sign(y − μ)√dᵢ with dᵢ the unit deviance times the weight.
    Deviance,
    /// (y − μ) / (dμ/dη).
    Working,
}

/// Predictions on new data, one per row kept (rows with a missing value are dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Row indices (0-based) of the new table that were predicted.
    pub rows: Vec<usize>,
    /// The predictions on the chosen scale.
    pub fit: Vec<f64>,
    /// √(xᵀVx) on the link scale; on the response scale times |dμ/dη| (delta method).
    pub se_fit: Option<Vec<f64>>,
    /// Lower confidence limit (on the response scale: the link-scale limit transformed).
    pub lower: Option<Vec<f64>>,
    /// Upper confidence limit.
    pub upper: Option<Vec<f64>>,
}

/// A sequential analysis of deviance (`anova(m, test = "Chisq")`): one row per term.
#[derive(Debug, Clone, PartialEq)]
pub struct AnovaTable {
    /// Term labels, in model order.
    pub terms: Vec<String>,
    /// Coefficients the term adds.
    pub df: Vec<usize>,
    /// Deviance explained by the term (drop in residual deviance).
    pub deviance: Vec<f64>,
    /// Residual degrees of freedom after the term.
    pub resid_df: Vec<usize>,
    /// Residual deviance after the term.
    pub resid_deviance: Vec<f64>,
    /// P(χ²_df > deviance / dispersion).
    pub p_value: Vec<f64>,
}

/// Single-term deletions (`drop1(m, test = "Chisq")`), respecting marginality.
#[derive(Debug, Clone, PartialEq)]
pub struct Drop1Table {
    /// Terms that can be dropped (not contained in a higher-order term).
    pub terms: Vec<String>,
    /// Coefficients dropped.
    pub df: Vec<usize>,
    /// Residual deviance without the term.
    pub deviance: Vec<f64>,
    /// AIC without the term.
    pub aic: Vec<f64>,
    /// Likelihood-ratio statistic: the deviance increase (binomial, Poisson) or
    /// n·log(RSS₀/RSS₁) (Gaussian, σ profiled), as R's `drop1`.
    pub lrt: Vec<f64>,
    /// P(χ²_df > lrt).
    pub p_value: Vec<f64>,
}

/// The GLM quantities of the mean (link, variance, unit deviance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Glm {
    Gaussian,
    Binomial,
    Poisson,
}

impl Glm {
    fn link_inverse(self, eta: f64) -> f64 {
        match self {
            Glm::Gaussian => eta,
            Glm::Binomial => 1.0 / (1.0 + (-eta).exp()),
            Glm::Poisson => eta.exp(),
        }
    }

    fn mu_eta(self, eta: f64) -> f64 {
        match self {
            Glm::Gaussian => 1.0,
            Glm::Binomial => {
                let p = self.link_inverse(eta);
                p * (1.0 - p)
            }
            Glm::Poisson => eta.exp(),
        }
    }

    fn variance(self, mu: f64) -> f64 {
        match self {
            Glm::Gaussian => 1.0,
            Glm::Binomial => mu * (1.0 - mu),
            Glm::Poisson => mu,
        }
    }

    /// Unit deviance (without the weight).
    fn unit_deviance(self, y: f64, mu: f64) -> f64 {
        let ylog = |a: f64, b: f64| if a == 0.0 { 0.0 } else { a * (a / b).ln() };
        match self {
            Glm::Gaussian => (y - mu) * (y - mu),
            Glm::Binomial => 2.0 * (ylog(y, mu) + ylog(1.0 - y, 1.0 - mu)),
            Glm::Poisson => 2.0 * (ylog(y, mu) - (y - mu)),
        }
    }
}

fn chi2_upper(x: f64, df: usize) -> f64 {
    if df == 0 || x.is_nan() {
        return f64::NAN;
    }
    ChiSquared::new(df as f64).map_or(f64::NAN, |c| c.sf(x.max(0.0)))
}

/// The columns of `x` listed in `cols`, as a design.
fn sub_design(x: &Design, cols: &[usize]) -> Result<Design> {
    let m = DMatrix::from_fn(x.nrows(), cols.len(), |i, j| x.matrix()[(i, cols[j])]);
    Design::new(m, cols.iter().map(|&j| x.names()[j].clone())).map_err(model_err)
}

/// The mean's link inverse and derivative, for the families with a single mean predictor.
fn mean_link(family: Family) -> Result<Glm> {
    match family {
        Family::Multinomial => Err(DataError::NotSupported {
            what: "predictions of a multinomial fit".into(),
        }),
        Family::Binomial => Ok(Glm::Binomial),
        Family::Poisson => Ok(Glm::Poisson),
        _ => Ok(Glm::Gaussian),
    }
}

fn eta_of(x: &Design, beta: &[f64], offset: Option<&[f64]>) -> Vec<f64> {
    let eta = x.matrix() * DVector::from_column_slice(beta);
    (0..x.nrows())
        .map(|i| eta[i] + offset.map_or(0.0, |o| o[i]))
        .collect()
}

/// Predictions of the mean from a spec, coefficients β and their covariance V: η = xᵀβ +
/// offset, SE √(xᵀVx), limits η ± z·SE (transformed on the response scale).
pub(crate) fn predict_with(
    spec: &ModelSpec,
    family: Family,
    beta: &[f64],
    covariance: Option<&DMatrix<f64>>,
    table: &Table,
    scale: Scale,
    level: f64,
) -> Result<Prediction> {
    let link = mean_link(family)?;
    let frame = spec.apply(table)?;
    let x = frame.design.matrix();
    let eta = eta_of(&frame.design, beta, frame.offset.as_deref());
    let se_link: Option<Vec<f64>> = covariance.map(|v| {
        let xv = x * v;
        (0..eta.len())
            .map(|i| xv.row(i).dot(&x.row(i)).max(0.0).sqrt())
            .collect()
    });
    let z = normal_quantile(level).map_err(model_err)?;
    let limits = |sign: f64| {
        se_link.as_ref().map(|s| {
            eta.iter()
                .zip(s)
                .map(|(e, s)| match scale {
                    Scale::Link => e + sign * z * s,
                    Scale::Response => link.link_inverse(e + sign * z * s),
                })
                .collect::<Vec<f64>>()
        })
    };
    let (lower, upper) = (limits(-1.0), limits(1.0));
    let (fit, se_fit) = match scale {
        Scale::Link => (eta.clone(), se_link),
        Scale::Response => (
            eta.iter().map(|&e| link.link_inverse(e)).collect(),
            se_link.map(|s| {
                s.iter()
                    .zip(&eta)
                    .map(|(s, &e)| s * link.mu_eta(e).abs())
                    .collect()
            }),
        ),
    };
    Ok(Prediction {
        rows: frame.kept_rows.clone(),
        fit,
        se_fit,
        lower,
        upper,
    })
}

impl FormulaFit {
    fn glm(&self) -> Option<Glm> {
        match self.family {
            Family::Gaussian if self.frame.second_design.is_none() => Some(Glm::Gaussian),
            Family::Binomial => Some(Glm::Binomial),
            Family::Poisson => Some(Glm::Poisson),
            _ => None,
        }
    }

    fn require_glm(&self, what: &str) -> Result<Glm> {
        self.glm().ok_or_else(|| DataError::NotSupported {
            what: format!(
                "{what} for the {} family{} (gaussian, binomial and poisson have it)",
                self.family,
                if self.frame.second_design.is_some() {
                    " with a `|` part"
                } else {
                    ""
                }
            ),
        })
    }

    fn mean_link(&self) -> Result<Glm> {
        mean_link(self.family)
    }

    fn weight(&self, i: usize) -> f64 {
        self.frame.weights.as_ref().map_or(1.0, |w| w[i])
    }

    /// The linear predictor η̂ of the rows used.
    pub fn linear_predictor(&self) -> Result<Vec<f64>> {
        self.mean_link()?;
        let p = self.frame.design.ncols();
        Ok(eta_of(
            &self.frame.design,
            &self.fit.estimates().as_slice()[..p],
            self.frame.offset.as_deref(),
        ))
    }

    /// Fitted means μ̂ (R's `fitted(m)`).
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let t = Table::from_columns([("y", vec![1.0, 3.0, 2.0, 6.0].into()), ("g", vec!["a", "a", "b", "b"].into())]).unwrap();
    /// let m = FormulaFit::fit("y ~ g", &t, Family::Poisson, FormulaOptions::default()).unwrap();
    /// let f = m.fitted().unwrap();
    /// assert!((f[0] - 2.0).abs() < 1e-9 && (f[3] - 4.0).abs() < 1e-9);
    /// ```
    pub fn fitted(&self) -> Result<Vec<f64>> {
        let link = self.mean_link()?;
        Ok(self
            .linear_predictor()?
            .into_iter()
            .map(|e| link.link_inverse(e))
            .collect())
    }

    /// The coefficients' covariance (the mean block of the chosen estimator).
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
        let p = self.frame.design.ncols();
        predict_with(
            self.frame.spec(),
            self.family,
            &self.fit.estimates().as_slice()[..p],
            self.coefficient_covariance().as_ref(),
            table,
            scale,
            level,
        )
    }

    /// Residuals of the rows used (R's `residuals(m, type)`); pearson, deviance and working
    /// residuals need a GLM family.
    pub fn residuals(&self, kind: ResidualType) -> Result<Vec<f64>> {
        let mu = self.fitted()?;
        if kind == ResidualType::Response {
            return Ok(self.y.iter().zip(&mu).map(|(y, m)| y - m).collect());
        }
        let glm = self.require_glm("pearson, deviance and working residuals")?;
        let eta = self.linear_predictor()?;
        Ok((0..mu.len())
            .map(|i| {
                let (y, m, w) = (self.y[i], mu[i], self.weight(i));
                match kind {
                    ResidualType::Pearson => (y - m) * w.sqrt() / glm.variance(m).sqrt(),
                    ResidualType::Deviance => {
                        (y - m).signum() * (w * glm.unit_deviance(y, m)).max(0.0).sqrt()
                    }
                    _ => (y - m) / glm.mu_eta(eta[i]),
                }
            })
            .collect())
    }

    fn deviance_of(&self, glm: Glm, mu: &[f64]) -> f64 {
        (0..mu.len())
            .map(|i| self.weight(i) * glm.unit_deviance(self.y[i], mu[i]))
            .sum()
    }

    /// The residual deviance (Gaussian: the weighted residual sum of squares).
    pub fn deviance(&self) -> Result<f64> {
        let glm = self.require_glm("the deviance")?;
        Ok(self.deviance_of(glm, &self.fitted()?))
    }

    /// The deviance of the null model (intercept only if the formula has one, else η = offset).
    pub fn null_deviance(&self) -> Option<f64> {
        self.null_deviance
    }

    pub(crate) fn compute_null_deviance(&self) -> Result<Option<f64>> {
        let Some(glm) = self.glm() else { return Ok(None) };
        let cols: Vec<usize> = if self.frame.spec().main().intercept {
            vec![0]
        } else {
            vec![]
        };
        let mu = self.submodel_mu(glm, &cols)?;
        Ok(Some(self.deviance_of(glm, &mu)))
    }

    /// Means of the sub-model on the main design's columns `cols` (same offset and weights).
    fn submodel_mu(&self, glm: Glm, cols: &[usize]) -> Result<Vec<f64>> {
        let offset = self.frame.offset.as_deref();
        let eta = if cols.is_empty() {
            (0..self.n_obs()).map(|i| offset.map_or(0.0, |o| o[i])).collect()
        } else {
            let x = sub_design(&self.frame.design, cols)?;
            let beta = refit_glm(self.family, &x, &self.y, offset, self.frame.weights.as_deref())?;
            eta_of(&x, &beta, offset)
        };
        Ok(eta.into_iter().map(|e| glm.link_inverse(e)).collect())
    }

    fn n_used(&self) -> usize {
        (0..self.n_obs()).filter(|&i| self.weight(i) > 0.0).count()
    }

    /// Residual degrees of freedom n − p (rows with positive weight).
    pub fn df_residual(&self) -> usize {
        self.n_used().saturating_sub(self.frame.design.ncols())
    }

    /// Degrees of freedom of the null model.
    pub fn df_null(&self) -> usize {
        self.n_used() - usize::from(self.frame.spec().main().intercept)
    }

    /// The dispersion as `summary.glm` reports it: Σ wᵢrᵢ²/(n − p) for the Gaussian, 1 for
    /// binomial and Poisson, `None` for the other families.
    pub fn dispersion(&self) -> Option<f64> {
        match self.glm()? {
            Glm::Gaussian => Some(self.deviance().ok()? / self.df_residual() as f64),
            _ => Some(1.0),
        }
    }

    /// Hat values: the diagonal of W^½X(XᵀWX)⁻¹XᵀW^½ with the GLM working weights at β̂.
    pub fn hat_values(&self) -> Result<Vec<f64>> {
        let glm = self.require_glm("hat values")?;
        let eta = self.linear_predictor()?;
        let x = self.frame.design.matrix();
        let w: Vec<f64> = (0..eta.len())
            .map(|i| {
                let m = glm.link_inverse(eta[i]);
                self.weight(i) * glm.mu_eta(eta[i]).powi(2) / glm.variance(m)
            })
            .collect();
        // hᵢ = ‖row i of Q‖² with W^½X = QR (Householder: no squared condition number).
        let mut wx = x.clone();
        for (i, wi) in w.iter().enumerate() {
            let mut row = wx.row_mut(i);
            row *= wi.sqrt();
        }
        let q = wx.qr().q();
        Ok((0..eta.len()).map(|i| q.row(i).norm_squared()).collect())
    }

    /// −2ℓ of a sub-model's means plus 2 × its parameter count (the Gaussian counts σ̂).
    fn aic_of(&self, glm: Glm, mu: &[f64], n_coef: usize) -> f64 {
        let ll = match glm {
            Glm::Gaussian => {
                let n = self.n_used() as f64;
                let dev = self.deviance_of(glm, mu);
                let log_w: f64 = (0..mu.len())
                    .filter(|&i| self.weight(i) > 0.0)
                    .map(|i| self.weight(i).ln())
                    .sum();
                -0.5 * (n * ((2.0 * std::f64::consts::PI * dev / n).ln() + 1.0) - log_w)
            }
            Glm::Binomial => (0..mu.len())
                .map(|i| {
                    let y = self.y[i];
                    self.weight(i) * (y * mu[i].ln() + (1.0 - y) * (1.0 - mu[i]).ln())
                })
                .sum(),
            Glm::Poisson => (0..mu.len())
                .map(|i| {
                    let y = self.y[i];
                    self.weight(i) * (y * mu[i].ln() - mu[i] - ln_gamma(y + 1.0))
                })
                .sum(),
        };
        let k = n_coef + usize::from(glm == Glm::Gaussian);
        -2.0 * ll + 2.0 * k as f64
    }

    fn dispersion_for_tests(&self, glm: Glm) -> Result<f64> {
        match glm {
            Glm::Gaussian => Ok(self.deviance()? / self.df_residual() as f64),
            _ => Ok(1.0),
        }
    }

    /// Sequential likelihood-ratio tests by term (R's `anova(m, test = "Chisq")`; for the
    /// Gaussian, deviance drops are scaled by the full model's dispersion, as R does).
    pub fn anova(&self) -> Result<AnovaTable> {
        let glm = self.require_glm("anova")?;
        let assign = &self.frame.assign;
        let labels = &self.frame.term_labels;
        let disp = self.dispersion_for_tests(glm)?;
        let n_used = self.n_used();
        let base: Vec<usize> = (0..assign.len()).filter(|&j| assign[j] == 0).collect();
        let mut previous = self.deviance_of(glm, &self.submodel_mu(glm, &base)?);
        let mut previous_cols = base.len();
        let mut table = AnovaTable {
            terms: Vec::new(),
            df: Vec::new(),
            deviance: Vec::new(),
            resid_df: Vec::new(),
            resid_deviance: Vec::new(),
            p_value: Vec::new(),
        };
        for (t, label) in labels.iter().enumerate() {
            let cols: Vec<usize> = (0..assign.len()).filter(|&j| assign[j] <= t + 1).collect();
            let dev = if t + 1 == labels.len() {
                self.deviance()?
            } else {
                self.deviance_of(glm, &self.submodel_mu(glm, &cols)?)
            };
            let df = cols.len() - previous_cols;
            table.terms.push(label.clone());
            table.df.push(df);
            table.deviance.push(previous - dev);
            table.resid_df.push(n_used - cols.len());
            table.resid_deviance.push(dev);
            table.p_value.push(chi2_upper((previous - dev) / disp, df));
            previous = dev;
            previous_cols = cols.len();
        }
        Ok(table)
    }

    /// Single-term deletions with likelihood-ratio tests (R's `drop1(m, test = "Chisq")`):
    /// only terms not contained in a higher-order term are dropped.
    pub fn drop1(&self) -> Result<Drop1Table> {
        let glm = self.require_glm("drop1")?;
        let terms = &self.frame.spec().main().terms;
        let assign = &self.frame.assign;
        let disp = self.dispersion_for_tests(glm)?;
        let full = self.deviance()?;
        let mut table = Drop1Table {
            terms: Vec::new(),
            df: Vec::new(),
            deviance: Vec::new(),
            aic: Vec::new(),
            lrt: Vec::new(),
            p_value: Vec::new(),
        };
        for (t, term) in terms.iter().enumerate() {
            let vars: Vec<usize> = term.variables.iter().map(|v| v.0).collect();
            let contained = terms.iter().enumerate().any(|(u, other)| {
                u != t
                    && other.variables.len() > vars.len()
                    && vars.iter().all(|v| other.variables.iter().any(|o| o.0 == *v))
            });
            if contained {
                continue;
            }
            let cols: Vec<usize> = (0..assign.len()).filter(|&j| assign[j] != t + 1).collect();
            let mu = self.submodel_mu(glm, &cols)?;
            let dev = self.deviance_of(glm, &mu);
            let df = assign.len() - cols.len();
            // R's drop1.glm: for the Gaussian the likelihood ratio n·log(RSS₀/RSS₁) with σ
            // profiled; otherwise the deviance increase over the dispersion.
            let lrt = match glm {
                Glm::Gaussian => self.n_used() as f64 * (dev / full).ln(),
                _ => (dev - full) / disp,
            };
            table.terms.push(term.label.clone());
            table.df.push(df);
            table.deviance.push(dev);
            table.aic.push(self.aic_of(glm, &mu, cols.len()));
            table.lrt.push(lrt);
            table.p_value.push(chi2_upper(lrt, df));
        }
        Ok(table)
    }
}
