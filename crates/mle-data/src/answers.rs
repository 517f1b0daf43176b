//! After the fit: residuals, deviances, dispersion and hat values — R's `residuals.glm`,
//! `deviance`, `summary.glm`'s dispersion, `hatvalues` (predictions: `predict.rs`; tests by
//! term: `anova.rs`).

use nalgebra::DMatrix;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::gamma::ln_gamma;

use mle_core::Design;

use crate::error::{DataError, Result};
use crate::estimate::refit;
use crate::family_name::Family;
use crate::formula_fit::{model_err, FormulaFit};
use crate::glm::{Glm, Link, Variance};
use crate::predict::eta_of;

/// The kind of residual (`residuals(m, type = ...)`).
///
/// Defined for the GLM families (gaussian, binomial, poisson, negative-binomial, gamma,
/// inverse-gaussian: all four, as R's `residuals.glm`); zero-inflated fits have response
/// and pearson residuals (pscl's); survival fits response (time − exp(η̂)), deviance and
/// working residuals as `residuals.survreg`;
/// quantile fits response residuals; Student-t response and pearson (y − μ̂)/(σ̂√(ν̂/(ν̂ − 2))),
/// the residual over the model's SD of y (ν̂ > 2; ν̂ ≤ 2 has no variance: a typed error; hett
/// and heavy, the R packages for t regression, are not installed here to compare with, so this
/// is the definition (y − μ̂)/√Var(y) of `residuals.glm`'s pearson type); the
/// heteroscedastic Gaussian (`y ~ x | z`) response and pearson
/// (y − μ̂)/σ̂ᵢ; multinomial fits a matrix
/// ([`FormulaFit::class_residuals`]); others are a typed [`DataError::NotSupported`].
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

/// The test of an [`AnovaTable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnovaTest {
    /// Likelihood-ratio tests (`anova(m, test = "Chisq")`, `lmtest::lrtest`): the statistic
    /// is the deviance drop over the dispersion, referred to χ²_df.
    LikelihoodRatio,
    /// Wald F tests (`quantreg::anova.rq`, `test = "Wald"`): F = b̂ᵀV⁻¹b̂ / df over the term's
    /// coefficients in the larger model, on (df, resid_df) degrees of freedom; no deviances.
    WaldF,
}

/// A sequential analysis of deviance (`anova(m, test = "Chisq")`), or of Wald tests for a
/// quantile fit: one row per term.
#[derive(Debug, Clone, PartialEq)]
pub struct AnovaTable {
    /// The test.
    pub test: AnovaTest,
    /// Term labels, in model order (zero-inflated fits: the count terms, then the zero
    /// model's as `zero_<term>`).
    pub terms: Vec<String>,
    /// Coefficients the term adds.
    pub df: Vec<usize>,
    /// Deviance explained by the term (drop in residual deviance; families with a shape or
    /// scale: 2Δℓ); NaN for Wald tests.
    pub deviance: Vec<f64>,
    /// Residual degrees of freedom after the term (Wald: the F test's denominator n − p).
    pub resid_df: Vec<usize>,
    /// Residual deviance after the term (−2ℓ for the families with a shape or scale); NaN
    /// for Wald tests.
    pub resid_deviance: Vec<f64>,
    /// The test statistic: deviance / dispersion (χ²), or the Wald F.
    pub statistic: Vec<f64>,
    /// P(χ²_df > statistic), or P(F_{df, resid_df} > F).
    pub p_value: Vec<f64>,
}

/// Single-term deletions (`drop1(m, test = "Chisq")`), respecting marginality.
#[derive(Debug, Clone, PartialEq)]
pub struct Drop1Table {
    /// Terms that can be dropped (not contained in a higher-order term).
    pub terms: Vec<String>,
    /// Coefficients dropped.
    pub df: Vec<usize>,
    /// Residual deviance without the term (families with a shape or scale: −2ℓ).
    pub deviance: Vec<f64>,
    /// AIC without the term.
    pub aic: Vec<f64>,
    /// Likelihood-ratio statistic: the deviance increase (binomial, Poisson),
    /// n·log(RSS₀/RSS₁) (Gaussian, σ profiled), as R's `drop1`; 2(ℓ₁ − ℓ₀) of the refitted
    /// models for the families with a shape or scale.
    pub lrt: Vec<f64>,
    /// P(χ²_df > lrt).
    pub p_value: Vec<f64>,
}

impl FormulaFit {
    /// The GLM mean model of the fit, if its family is one.
    pub(crate) fn glm(&self) -> Option<Glm> {
        let p = self.frame.design.ncols();
        let variance = match self.family {
            Family::Gaussian if self.frame.second_design.is_none() => Variance::Gaussian,
            Family::Binomial => Variance::Binomial,
            Family::Poisson => Variance::Poisson,
            Family::NegativeBinomial => {
                let theta = self.fit.estimates()[p].exp();
                if theta.is_finite() {
                    Variance::NegativeBinomial(theta)
                } else {
                    Variance::Poisson
                }
            }
            Family::Gamma => Variance::Gamma,
            Family::InverseGaussian => Variance::InverseGaussian,
            _ => return None,
        };
        let link = match self.family {
            Family::Gaussian => Link::Identity,
            _ => Link::from_name(&self.link).ok()?,
        };
        Some(Glm { link, variance })
    }

    fn not_defined(&self, what: &str) -> DataError {
        DataError::NotSupported {
            what: format!(
                "{what} for the {} family{} (defined for gaussian, binomial, poisson, negative-binomial, \
                 gamma, inverse-gaussian)",
                self.family,
                if self.family == Family::Gaussian && self.frame.second_design.is_some() {
                    " with a `|` part"
                } else {
                    ""
                }
            ),
        }
    }

    fn require_glm(&self, what: &str) -> Result<Glm> {
        self.glm().ok_or_else(|| self.not_defined(what))
    }

    /// The GLM prior weight of row i (binomial with trials: trials × case weight).
    fn weight(&self, i: usize) -> f64 {
        self.data.prior_weights.as_ref().map_or(1.0, |w| w[i])
    }

    fn case_weight(&self, i: usize) -> f64 {
        self.data.weights.as_ref().map_or(1.0, |w| w[i])
    }

    /// Residuals of the rows used (R's `residuals(m, type)`; see [`ResidualType`] for the
    /// families each is defined for).
    pub fn residuals(&self, kind: ResidualType) -> Result<Vec<f64>> {
        let y = &self.data.y;
        match self.family {
            Family::Zip | Family::Zinb => return self.zero_inflated_residuals(kind),
            f if f.is_survival() => return self.survival_residuals(kind),
            Family::StudentT | Family::Quantile | Family::Gaussian if kind == ResidualType::Response => {
                let mu = self.fitted()?;
                return Ok(y.iter().zip(&mu).map(|(y, m)| y - m).collect());
            }
            Family::Gaussian if kind == ResidualType::Pearson && self.frame.second_design.is_some() => {
                return self.heteroscedastic_pearson();
            }
            Family::StudentT if kind == ResidualType::Pearson => return self.student_t_pearson(),
            Family::Multinomial => {
                return Err(DataError::NotSupported {
                    what: "a residual vector of a multinomial fit (class_residuals gives the matrix \
                           indicator − probability, as residuals(multinom))"
                        .into(),
                })
            }
            _ => {}
        }
        let glm = self.require_glm(&format!("{kind:?} residuals").to_lowercase())?;
        let mu = self.fitted()?;
        let eta = self.linear_predictor()?;
        Ok((0..mu.len())
            .map(|i| {
                let (y, m, w) = (y[i], mu[i], self.weight(i));
                match kind {
                    ResidualType::Response => y - m,
                    ResidualType::Pearson => (y - m) * w.sqrt() / glm.variance(m).sqrt(),
                    ResidualType::Deviance => {
                        (y - m).signum() * (w * glm.unit_deviance(y, m)).max(0.0).sqrt()
                    }
                    ResidualType::Working => (y - m) / glm.mu_eta(eta[i]),
                }
            })
            .collect())
    }

    /// (y − μ̂)/σ̂ᵢ with log σ̂ᵢ = zᵢᵀγ̂ (heteroscedastic Gaussian).
    fn heteroscedastic_pearson(&self) -> Result<Vec<f64>> {
        let z = self
            .frame
            .second_design
            .as_ref()
            .ok_or_else(|| self.not_defined("pearson residuals"))?;
        let p = self.frame.design.ncols();
        let est = self.fit.estimates().as_slice();
        let log_sigma = eta_of(z, &est[p..p + z.ncols()], None);
        let mu = self.fitted()?;
        Ok((0..mu.len())
            .map(|i| (self.data.y[i] - mu[i]) / log_sigma[i].exp())
            .collect())
    }

    /// (y − μ̂)/√Var(y) with Var(y) = σ̂²ν̂/(ν̂ − 2), the Student-t variance; ν̂ ≤ 2 (infinite
    /// variance) is a typed [`DataError::NotSupported`] naming ν̂.
    fn student_t_pearson(&self) -> Result<Vec<f64>> {
        let p = self.frame.design.ncols();
        let est = self.fit.estimates().as_slice();
        let (sigma, nu) = (est[p].exp(), est[p + 1].exp());
        if nu.is_nan() || nu <= 2.0 {
            return Err(DataError::NotSupported {
                what: format!(
                    "pearson residuals of a Student-t fit with df = {nu} ≤ 2 (the variance σ²ν/(ν − 2) \
                     is infinite; response residuals are defined)"
                ),
            });
        }
        let sd = sigma * (nu / (nu - 2.0)).sqrt();
        let mu = self.fitted()?;
        Ok(self.data.y.iter().zip(&mu).map(|(y, m)| (y - m) / sd).collect())
    }

    /// pscl's residuals: response √w(y − μ̂), pearson that over √V with
    /// V = μ̂(1 + (π̂ + 1/θ̂)μ_count) (1/θ = 0 for the Poisson).
    fn zero_inflated_residuals(&self, kind: ResidualType) -> Result<Vec<f64>> {
        if !matches!(kind, ResidualType::Response | ResidualType::Pearson) {
            return Err(DataError::NotSupported {
                what: format!(
                    "{} residuals for the {} family (pscl defines response and pearson)",
                    format!("{kind:?}").to_lowercase(),
                    self.family
                ),
            });
        }
        let mean = self.fitted()?;
        let eta = self.linear_predictor()?;
        let p = self.frame.design.ncols();
        let z = self.frame.second_design.as_ref().unwrap_or(&self.frame.design);
        let est = self.fit.estimates().as_slice();
        let zeta = eta_of(z, &est[p..p + z.ncols()], None);
        let inv_theta = match self.family {
            Family::Zinb => (-est[p + z.ncols()]).exp(),
            _ => 0.0,
        };
        Ok((0..mean.len())
            .map(|i| {
                let r = self.case_weight(i).sqrt() * (self.data.y[i] - mean[i]);
                if kind == ResidualType::Response {
                    return r;
                }
                let pi = 1.0 / (1.0 + (-zeta[i]).exp());
                r / (mean[i] * (1.0 + (pi + inv_theta) * eta[i].exp())).sqrt()
            })
            .collect())
    }

    fn deviance_of(&self, glm: Glm, mu: &[f64]) -> f64 {
        (0..mu.len())
            .map(|i| self.weight(i) * glm.unit_deviance(self.data.y[i], mu[i]))
            .sum()
    }

    /// The residual deviance Σ wᵢ d(yᵢ, μ̂ᵢ) of a GLM family (Gaussian: the weighted residual
    /// sum of squares; negative binomial: at θ̂, as `glm.nb`).
    pub fn deviance(&self) -> Result<f64> {
        let glm = self.require_glm("the deviance")?;
        Ok(self.deviance_of(glm, &self.fitted()?))
    }

    /// The deviance of the null model (intercept only if the formula has one, else η = offset;
    /// negative binomial at θ̂ held fixed, as `glm.nb`).
    pub fn null_deviance(&self) -> Option<f64> {
        self.null_deviance
    }

    pub(crate) fn compute_null_deviance(&self) -> Result<Option<f64>> {
        let Some(glm) = self.glm() else { return Ok(None) };
        let intercept = self.frame.spec().main().intercept;
        if let Variance::NegativeBinomial(theta) = glm.variance {
            // glm.nb's null model holds θ̂ fixed.
            return Ok(self
                .negative_binomial_null_means(theta, intercept)
                .map(|mu| self.deviance_of(glm, &mu)));
        }
        let cols: Vec<usize> = if intercept { vec![0] } else { vec![] };
        let mu = self.submodel_mu(glm, &cols)?;
        Ok(Some(self.deviance_of(glm, &mu)))
    }

    /// Means of the NB2 null model at fixed θ: μ = exp(a + offset) with a solving
    /// Σ wθ(y − μ)/(θ + μ) = 0 by Newton (concave in a), or exp(offset) without an intercept.
    fn negative_binomial_null_means(&self, theta: f64, intercept: bool) -> Option<Vec<f64>> {
        let n = self.n_obs();
        let offset: Vec<f64> = (0..n)
            .map(|i| self.data.offset.as_ref().map_or(0.0, |o| o[i]))
            .collect();
        if !intercept {
            return Some(offset.iter().map(|o| o.exp()).collect());
        }
        let (mut sy, mut se) = (0.0, 0.0);
        for (i, o) in offset.iter().enumerate() {
            sy += self.weight(i) * self.data.y[i];
            se += self.weight(i) * o.exp();
        }
        let mut a = (sy / se).ln();
        for _ in 0..200 {
            if !a.is_finite() {
                return None;
            }
            let (mut score, mut info) = (0.0, 0.0);
            for (i, o) in offset.iter().enumerate() {
                let (w, y, mu) = (self.weight(i), self.data.y[i], (a + o).exp());
                score += w * theta * (y - mu) / (theta + mu);
                info += w * theta * mu * (theta + y) / (theta + mu).powi(2);
            }
            let step = score / info;
            a += step;
            if step.abs() <= 1e-14 * (1.0 + a.abs()) {
                return Some(offset.iter().map(|o| (a + o).exp()).collect());
            }
        }
        None
    }

    /// The fit of the sub-model on the main design's columns `cols` (same offset and weights).
    pub(crate) fn submodel(&self, cols: &[usize]) -> Result<(Design, mle_core::Fit)> {
        let x = sub_design(&self.frame.design, cols)?;
        // A heteroscedastic Gaussian keeps its scale model log σ = Zγ whole.
        let z = match self.family {
            Family::Gaussian => self.frame.second_design.as_ref(),
            _ => None,
        };
        let fit = refit(self.family, &self.link, &x, z, &self.data)?;
        Ok((x, fit))
    }

    /// Means of the sub-model on the main design's columns `cols` (same offset and weights).
    fn submodel_mu(&self, glm: Glm, cols: &[usize]) -> Result<Vec<f64>> {
        let offset = self.data.offset.as_deref();
        let eta = if cols.is_empty() {
            (0..self.n_obs()).map(|i| offset.map_or(0.0, |o| o[i])).collect()
        } else {
            let (x, fit) = self.submodel(cols)?;
            eta_of(&x, &fit.estimates().as_slice()[..x.ncols()], offset)
        };
        Ok(eta.into_iter().map(|e| glm.link_inverse(e)).collect())
    }

    pub(crate) fn n_used(&self) -> usize {
        (0..self.n_obs()).filter(|&i| self.weight(i) > 0.0).count()
    }

    /// Residual degrees of freedom as R's `df.residual` reports them for the model (rows with
    /// positive weight n; `None` where R has none):
    ///
    /// * GLM families (gaussian, binomial, poisson, gamma, inverse-gaussian) and the negative
    ///   binomial: n − p, p the mean coefficients (`glm.nb` does not count θ; gamma and
    ///   inverse Gaussian: their ML shape is not counted, as `glm`);
    /// * zip / zinb: n − (count + zero coefficients + θ for zinb), as `pscl::zeroinfl`;
    /// * survival AFT: n − (coefficients + `Log(scale)`; none for the exponential), as `survreg`;
    /// * ordinal: Σ w − (coefficients + cut-points), as `MASS::polr` (the case-weight sum);
    /// * quantile: n − p, `summary.rq`'s `rdf` (an `rq` object has no `df.residual`);
    /// * Student-t and the heteroscedastic Gaussian `y ~ x | z` (no R function to follow):
    ///   n − all estimated parameters (β, log σ and log ν; β and γ), as `zeroinfl`/`survreg`
    ///   count their extra parameters;
    /// * multinomial: `None` (`df.residual(multinom)` is `NULL`; its `edf` is the parameter count).
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let t = Table::from_columns([("y", vec![1.0, 3.0, 2.0, 6.0, 4.0].into()), ("x", vec![1.0, 2.0, 3.0, 4.0, 5.0].into())]).unwrap();
    /// let m = FormulaFit::fit("y ~ x", &t, Family::Poisson, FormulaOptions::default()).unwrap();
    /// assert_eq!(m.df_residual(), Some(3.0));
    /// ```
    pub fn df_residual(&self) -> Option<f64> {
        let n = self.n_used() as f64;
        let all = self.fit.parameters().len() as f64;
        Some(match self.family {
            Family::Multinomial => return None,
            Family::Ordinal => (0..self.n_obs()).map(|i| self.case_weight(i)).sum::<f64>() - all,
            Family::Zip | Family::Zinb | Family::StudentT => n - all,
            Family::Gaussian if self.frame.second_design.is_some() => n - all,
            f if f.is_survival() => n - all,
            _ => self.glm_df_residual(),
        })
    }

    /// n − p (rows with positive weight; p the mean coefficients): the GLM families' and the
    /// divisor of their dispersion.
    pub(crate) fn glm_df_residual(&self) -> f64 {
        self.n_used().saturating_sub(self.frame.design.ncols()) as f64
    }

    /// Degrees of freedom of the null model.
    pub fn df_null(&self) -> usize {
        self.n_used() - usize::from(self.frame.spec().main().intercept)
    }

    /// The dispersion as `summary.glm` reports it: Σ wᵢrᵢ²/(n − p) for the Gaussian (RSS)
    /// and for gamma and inverse Gaussian (Pearson residuals), 1 for binomial, Poisson and
    /// negative binomial, `None` for the other families.
    pub fn dispersion(&self) -> Option<f64> {
        match self.glm()?.variance {
            Variance::Gaussian => Some(self.deviance().ok()? / self.glm_df_residual()),
            Variance::Gamma | Variance::InverseGaussian => {
                let r = self.residuals(ResidualType::Pearson).ok()?;
                Some(r.iter().map(|r| r * r).sum::<f64>() / self.glm_df_residual())
            }
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

    /// −2ℓ of a sub-model's means plus 2 × its parameter count (the Gaussian counts σ̂), for
    /// the families whose tests use deviances.
    pub(crate) fn aic_of(&self, glm: Glm, mu: &[f64], n_coef: usize) -> f64 {
        let ll = match glm.variance {
            Variance::Gaussian => {
                let n = self.n_used() as f64;
                let dev = self.deviance_of(glm, mu);
                let log_w: f64 = (0..mu.len())
                    .filter(|&i| self.weight(i) > 0.0)
                    .map(|i| self.weight(i).ln())
                    .sum();
                -0.5 * (n * ((2.0 * std::f64::consts::PI * dev / n).ln() + 1.0) - log_w)
            }
            Variance::Binomial => (0..mu.len())
                .map(|i| match &self.data.pairs {
                    None => {
                        let y = self.data.y[i];
                        self.weight(i) * (y * mu[i].ln() + (1.0 - y) * (1.0 - mu[i]).ln())
                    }
                    Some(pairs) => {
                        let (s, n) = pairs[i];
                        let choose = ln_gamma(n + 1.0) - ln_gamma(s + 1.0) - ln_gamma(n - s + 1.0);
                        let tail = |k: f64, p: f64| if k == 0.0 { 0.0 } else { k * p.ln() };
                        self.case_weight(i) * (choose + tail(s, mu[i]) + tail(n - s, 1.0 - mu[i]))
                    }
                })
                .sum(),
            _ => (0..mu.len())
                .map(|i| {
                    let y = self.data.y[i];
                    self.weight(i) * (y * mu[i].ln() - mu[i] - ln_gamma(y + 1.0))
                })
                .sum(),
        };
        let k = n_coef + usize::from(glm.variance == Variance::Gaussian);
        -2.0 * ll + 2.0 * k as f64
    }

    pub(crate) fn deviance_for_tests(&self, glm: Glm, cols: &[usize]) -> Result<(f64, Vec<f64>)> {
        let mu = self.submodel_mu(glm, cols)?;
        Ok((self.deviance_of(glm, &mu), mu))
    }
}

/// The columns of `x` listed in `cols`, as a design.
pub(crate) fn sub_design(x: &Design, cols: &[usize]) -> Result<Design> {
    let m = DMatrix::from_fn(x.nrows(), cols.len(), |i, j| x.matrix()[(i, cols[j])]);
    Design::new(m, cols.iter().map(|&j| x.names()[j].clone())).map_err(model_err)
}

pub(crate) fn chi2_upper(x: f64, df: usize) -> f64 {
    if df == 0 || x.is_nan() {
        return f64::NAN;
    }
    ChiSquared::new(df as f64).map_or(f64::NAN, |c| c.sf(x.max(0.0)))
}
