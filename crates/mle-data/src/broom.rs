//! broom-style answers as Arrow tables (`tidy`, `glance`, `augment`) and the JSON summary
//! of a formula fit ([`FitSummary`]).

use serde::{Deserialize, Serialize};

use crate::answers::ResidualType;
use crate::error::Result;
use crate::family_name::Family;
use crate::formula_fit::{model_err, FormulaFit};
use crate::table::Table;

/// One coefficient row of [`FitSummary`] (and of [`FormulaFit::tidy`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoefficientRow {
    /// The column name (`(Intercept)`, `age`, `raceother`, `age:smokeyes`).
    pub term: String,
    /// β̂ (exponentiated when asked).
    pub estimate: f64,
    /// Standard error of β̂ (never exponentiated), `None` without a covariance.
    pub std_error: Option<f64>,
    /// β̂ / SE.
    pub statistic: Option<f64>,
    /// Two-sided normal p-value.
    pub p_value: Option<f64>,
    /// Lower Wald limit (exponentiated when asked).
    pub conf_low: Option<f64>,
    /// Upper Wald limit.
    pub conf_high: Option<f64>,
}

/// A non-coefficient parameter (`sigma`, `df`, or a scale-model coefficient).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraRow {
    /// Name as R users know it (`sigma`: the MLE with divisor n; `df` of the Student-t).
    pub term: String,
    /// Estimate on the natural scale (for scale-model coefficients: the log-σ scale).
    pub estimate: f64,
    /// Its standard error (delta method for natural-scale values).
    pub std_error: Option<f64>,
}

/// The JSON shape of a fit (`mle fit --output json`); unavailable numbers are `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitSummary {
    /// Family name.
    pub family: String,
    /// The formula.
    pub formula: String,
    /// Observations used.
    pub n: usize,
    /// ℓ(θ̂).
    pub loglik: Option<f64>,
    /// AIC.
    pub aic: Option<f64>,
    /// BIC.
    pub bic: Option<f64>,
    /// Residual deviance (GLM families).
    pub deviance: Option<f64>,
    /// Null deviance (GLM families).
    pub null_deviance: Option<f64>,
    /// Residual degrees of freedom as R's `df.residual` ([`FormulaFit::df_residual`]; `null`
    /// for the multinomial); written as an integer when whole.
    #[serde(serialize_with = "whole_number")]
    pub df_residual: Option<f64>,
    /// Whether the optimiser reached a maximum.
    pub converged: bool,
    /// The coefficients.
    pub coefficients: Vec<CoefficientRow>,
    /// The other parameters.
    pub extra_parameters: Vec<ExtraRow>,
    /// Diagnostics (and the rows dropped for missing values).
    pub diagnostics: Vec<String>,
}

/// A whole number as a JSON integer (`175`, not `175.0`), anything else as a float.
fn whole_number<S: serde::Serializer>(x: &Option<f64>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match *x {
        Some(v) if v.fract() == 0.0 && v.abs() < 2f64.powi(53) => s.serialize_i64(v as i64),
        Some(v) if v.is_finite() => s.serialize_f64(v),
        _ => s.serialize_none(),
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The coefficient rows of the first `p` parameters of `fit` at confidence `level` (a
/// boundary estimate has no standard error, statistic or limits; non-finite numbers are
/// `None`): what [`FormulaFit::coefficient_rows`] and a streamed fit's summary print.
///
/// ```
/// use mle_core::{Design, Fit};
/// use mle_data::coefficient_rows;
/// use mle_models::Regression;
/// use mle_optim::Model;
/// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
/// let f = Regression::poisson(&x, &[1.0, 2.0, 2.0, 5.0]).unwrap().fit().unwrap();
/// let rows = coefficient_rows(f.fit(), 2, 0.95, false).unwrap();
/// assert_eq!(rows[1].term, "x");
/// assert_eq!(rows[1].statistic, Some(f.estimates()[1] / f.std_errors().unwrap()[1]));
/// ```
pub fn coefficient_rows(
    fit: &mle_core::Fit,
    p: usize,
    level: f64,
    exponentiate: bool,
) -> Result<Vec<CoefficientRow>> {
    let se = fit.std_errors();
    let ci = fit.confidence_intervals(level).map_err(model_err)?;
    let z = fit.z_values();
    let pv = fit.p_values();
    let tr = |x: f64| if exponentiate { x.exp() } else { x };
    Ok((0..p)
        .map(|i| {
            let ok = !fit.is_on_boundary(i);
            let pick =
                |v: &Option<nalgebra::DVector<f64>>| v.as_ref().filter(|_| ok).and_then(|v| finite(v[i]));
            CoefficientRow {
                term: fit.parameters()[i].name.clone(),
                estimate: tr(fit.estimates()[i]),
                std_error: pick(&se),
                statistic: pick(&z),
                p_value: pick(&pv),
                conf_low: ci[i].filter(|_| ok).map(|c| tr(c.0)),
                conf_high: ci[i].filter(|_| ok).map(|c| tr(c.1)),
            }
        })
        .collect())
}

/// The parameters of `fit` after its first `p` (the coefficients): `sigma` (Gaussian:
/// √(RSS/n), the MLE), `df` (Student-t), a scale model's coefficients (working scale) when
/// `scale_model`; a parameter estimated on the log scale as R names it (`log(theta)`,
/// `Log(scale)`, `log(shape)`, `log(dispersion)`) followed by its natural value (`theta`, ...;
/// delta-method SE).
///
/// ```
/// use mle_core::Design;
/// use mle_data::extra_rows;
/// use mle_models::Regression;
/// use mle_optim::Model;
/// let x = Design::intercept(4);
/// let f = Regression::heteroscedastic(&x, &x, &[1.0, 2.0, 4.0, 5.0]).unwrap().fit().unwrap();
/// let rows = extra_rows(f.fit(), 1, false);
/// assert_eq!(rows[0].term, "sigma");
/// assert!((rows[0].estimate - 2.5f64.sqrt()).abs() < 1e-9); // √(RSS/n) = √(10/4)
/// ```
pub fn extra_rows(fit: &mle_core::Fit, p: usize, scale_model: bool) -> Vec<ExtraRow> {
    let natural = fit.natural_estimates();
    let natural_se = fit.natural_std_errors();
    let se = fit.std_errors();
    let mut rows = Vec::new();
    for i in p..fit.parameters().len() {
        let param = &fit.parameters()[i];
        let boundary = fit.is_on_boundary(i);
        let working = ExtraRow {
            term: param.name.clone(),
            estimate: fit.estimates()[i],
            std_error: se.as_ref().filter(|_| !boundary).and_then(|s| finite(s[i])),
        };
        if scale_model {
            rows.push(working);
            continue;
        }
        let log_named = param.name.starts_with("log(") || param.name.starts_with("Log(");
        let term = match param.natural_name.split(':').next() {
            Some(n) if !log_named && n.contains("sigma") => "sigma".to_string(),
            Some(n) if !log_named && n.contains("df") => "df".to_string(),
            _ => param.natural_name.clone(),
        };
        if log_named {
            rows.push(working);
        }
        rows.push(ExtraRow {
            term,
            estimate: natural[i],
            std_error: natural_se
                .as_ref()
                .filter(|_| !boundary)
                .and_then(|s| finite(s[i])),
        });
    }
    rows
}

impl FormulaFit {
    /// The coefficient rows at confidence `level` ([`coefficient_rows`]).
    pub fn coefficient_rows(&self, level: f64, exponentiate: bool) -> Result<Vec<CoefficientRow>> {
        coefficient_rows(&self.fit, self.n_coefficients(), level, exponentiate)
    }

    /// The non-coefficient parameters ([`extra_rows`]); the cut-points `a|b` of an ordinal
    /// fit.
    pub fn extra_rows(&self) -> Vec<ExtraRow> {
        if let Some(cuts) = &self.cuts {
            return cuts
                .iter()
                .map(|c| ExtraRow {
                    term: c.name.clone(),
                    estimate: c.estimate,
                    std_error: c.std_error.and_then(finite),
                })
                .collect();
        }
        let scale_model = self.family == Family::Gaussian && self.frame.second_design.is_some();
        extra_rows(&self.fit, self.n_coefficients(), scale_model)
    }

    /// The summary as the CLI's JSON shape.
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let t = Table::from_columns([("y", vec![1.0, 2.1, 2.9, 4.2, 5.0].into()), ("x", vec![1.0, 2.0, 3.0, 4.0, 5.0].into())]).unwrap();
    /// let s = FormulaFit::fit("y ~ x", &t, Family::Gaussian, FormulaOptions::default()).unwrap().summary_json(0.95).unwrap();
    /// assert_eq!((s.extra_parameters[0].term.as_str(), s.df_residual), ("sigma", Some(3.0)));
    /// let rss: f64 = s.deviance.unwrap();
    /// assert!((s.extra_parameters[0].estimate - (rss / 5.0).sqrt()).abs() < 1e-12);
    /// ```
    pub fn summary_json(&self, level: f64) -> Result<FitSummary> {
        let fit = &self.fit;
        let glm = self.glm().is_some();
        let mut diagnostics: Vec<String> = fit.diagnostics().iter().map(|d| d.to_string()).collect();
        if self.n_dropped() > 0 {
            diagnostics.push(format!(
                "{} row(s) with missing values dropped (na.omit)",
                self.n_dropped()
            ));
        }
        if !fit.convergence().converged() {
            diagnostics.push(format!("not converged: {}", fit.convergence().reason()));
        }
        Ok(FitSummary {
            family: self.family.name().to_string(),
            formula: self.formula().to_string(),
            n: self.n_obs(),
            loglik: finite(fit.log_likelihood()),
            aic: finite(fit.aic()),
            bic: finite(fit.bic()),
            deviance: if glm { self.deviance().ok() } else { None },
            null_deviance: self.null_deviance(),
            df_residual: self.df_residual(),
            converged: fit.convergence().converged(),
            coefficients: self.coefficient_rows(level, false)?,
            extra_parameters: self.extra_rows(),
            diagnostics,
        })
    }

    /// broom's `tidy(m, conf.int = TRUE, conf.level = level, exponentiate)` as a table:
    /// term, estimate, std_error, statistic, p_value, conf_low, conf_high.
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let t = Table::from_columns([("y", vec![0.0, 1.0, 1.0, 0.0, 1.0].into()), ("x", vec![1.0, 2.0, 3.0, 4.0, 5.0].into())]).unwrap();
    /// let m = FormulaFit::fit("y ~ x", &t, Family::Binomial, FormulaOptions::default()).unwrap();
    /// let tidy = m.tidy(0.95, true).unwrap();
    /// assert_eq!(tidy.column_names(), ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]);
    /// assert_eq!(tidy.n_rows(), 2);
    /// ```
    pub fn tidy(&self, level: f64, exponentiate: bool) -> Result<Table> {
        let rows = self.coefficient_rows(level, exponentiate)?;
        let col = |f: fn(&CoefficientRow) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>().into();
        Table::from_columns([
            (
                "term",
                rows.iter().map(|r| r.term.clone()).collect::<Vec<_>>().into(),
            ),
            (
                "estimate",
                rows.iter().map(|r| r.estimate).collect::<Vec<_>>().into(),
            ),
            ("std_error", col(|r| r.std_error)),
            ("statistic", col(|r| r.statistic)),
            ("p_value", col(|r| r.p_value)),
            ("conf_low", col(|r| r.conf_low)),
            ("conf_high", col(|r| r.conf_high)),
        ])
    }

    /// broom's `glance`: one row of n, n_dropped, loglik, aic, bic, deviance, null_deviance,
    /// df_residual, converged (unavailable numbers are null).
    pub fn glance(&self) -> Result<Table> {
        let s = self.summary_json(0.95)?;
        Table::from_columns([
            ("n", vec![s.n as i64].into()),
            ("n_dropped", vec![self.n_dropped() as i64].into()),
            ("loglik", vec![s.loglik].into()),
            ("aic", vec![s.aic].into()),
            ("bic", vec![s.bic].into()),
            ("deviance", vec![s.deviance].into()),
            ("null_deviance", vec![s.null_deviance].into()),
            ("df_residual", vec![s.df_residual].into()),
            ("converged", vec![s.converged].into()),
        ])
    }

    /// broom's `augment`: per row used, its row in the table, the response, `.fitted`,
    /// `.resid` (response residual) and, for GLM families, `.pearson`, `.deviance` and `.hat`.
    pub fn augment(&self) -> Result<Table> {
        let rows: Vec<i64> = self.frame.kept_rows.iter().map(|&r| r as i64).collect();
        let mut columns: Vec<(&str, crate::table::Column)> = vec![
            (".row", rows.into()),
            (".response", self.data.y.clone().into()),
            (".fitted", self.fitted()?.into()),
            (".resid", self.residuals(ResidualType::Response)?.into()),
        ];
        if self.hat_values().is_ok() {
            columns.push((".pearson", self.residuals(ResidualType::Pearson)?.into()));
            columns.push((".deviance", self.residuals(ResidualType::Deviance)?.into()));
            columns.push((".hat", self.hat_values()?.into()));
        }
        Table::from_columns(columns)
    }
}

impl std::fmt::Display for FormulaFit {
    /// The formula, family and link, rows dropped, the [`mle_core::Fit`] summary, the
    /// cut-points of an ordinal fit and, for GLM families, the deviances.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Formula: {}   family: {}   link: {}",
            self.formula(),
            self.family,
            self.link
        )?;
        if self.n_dropped() > 0 {
            writeln!(
                f,
                "({} rows with missing values dropped, na.omit)",
                self.n_dropped()
            )?;
        }
        write!(f, "{}", self.fit)?;
        if let Some(cuts) = &self.cuts {
            writeln!(f, "Cut-points (natural scale, delta-method SEs):")?;
            for c in cuts {
                let se = c
                    .std_error
                    .map_or_else(|| "NA".to_string(), |s| format!("{s:.6}"));
                writeln!(f, "  {:<12} {:>12.6} {:>12}", c.name, c.estimate, se)?;
            }
        }
        if let (Ok(dev), Some(null)) = (self.deviance(), self.null_deviance()) {
            writeln!(
                f,
                "Residual deviance {dev:.7} on {} df; null deviance {null:.7} on {} df",
                self.glm_df_residual(),
                self.df_null()
            )?;
        } else if let Some(df) = self.df_residual() {
            writeln!(f, "Residual degrees of freedom: {df}")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for crate::answers::AnovaTable {
    /// R's layout of `anova(m, test = "Chisq")` (Wald F tests: `anova.rq`'s columns).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let w = self.terms.iter().map(String::len).max().unwrap_or(4).max(4);
        if self.test == crate::answers::AnovaTest::WaldF {
            writeln!(
                f,
                "Wald F tests (quantreg anova.rq, se = \"nid\"), terms added sequentially"
            )?;
            writeln!(
                f,
                "{:<w$} {:>3} {:>9} {:>13} {:>11}",
                "term", "Df", "Resid. Df", "F value", "Pr(>F)"
            )?;
            for i in 0..self.terms.len() {
                writeln!(
                    f,
                    "{:<w$} {:>3} {:>9} {:>13.7} {:>11.4e}",
                    self.terms[i], self.df[i], self.resid_df[i], self.statistic[i], self.p_value[i]
                )?;
            }
            return Ok(());
        }
        writeln!(
            f,
            "Analysis of deviance, terms added sequentially (likelihood-ratio tests)"
        )?;
        writeln!(
            f,
            "{:<w$} {:>3} {:>13} {:>9} {:>13} {:>11}",
            "term", "Df", "Deviance", "Resid. Df", "Resid. Dev", "Pr(>Chi)"
        )?;
        for i in 0..self.terms.len() {
            writeln!(
                f,
                "{:<w$} {:>3} {:>13.7} {:>9} {:>13.7} {:>11.4e}",
                self.terms[i],
                self.df[i],
                self.deviance[i],
                self.resid_df[i],
                self.resid_deviance[i],
                self.p_value[i]
            )?;
        }
        Ok(())
    }
}
