//! Likelihood-ratio tests by term: `anova` (sequential) and `drop1` (single-term deletions).
//!
//! For gaussian, binomial and Poisson the statistics are deviance differences, as R's
//! `anova.glm` / `drop1.glm`. For the families with an estimated shape or scale
//! (negative binomial, gamma, inverse Gaussian, the survival and ordinal families, Student-t
//! with its df and scale, the heteroscedastic Gaussian with its scale model `| z` kept whole,
//! the multinomial with K − 1 coefficients per column)
//! every sub-model is refitted by maximum likelihood — its shape re-estimated — and the
//! statistics are 2(ℓ₁ − ℓ₀), as R's `anova(m0, m1)` on `glm.nb`, `survreg` or `polr` fits;
//! the "deviance" columns then hold −2ℓ. Quantile (Wald F) and zero-inflated (both parts)
//! tests are in `anova_more.rs`.

use crate::answers::{chi2_upper, AnovaTable, AnovaTest, Drop1Table};
use crate::error::{DataError, Result};
use crate::family_name::Family;
use crate::formula_fit::FormulaFit;
use crate::glm::Variance;

/// −2ℓ and the parameter count of a refitted sub-model.
pub(crate) struct Refit {
    pub(crate) minus_two_ll: f64,
    pub(crate) n_parameters: usize,
}

/// The terms `drop1` may drop: those not contained in a higher-order term (marginality).
pub(crate) fn droppable(terms: &[crate::spec::TermSpec]) -> Vec<usize> {
    (0..terms.len())
        .filter(|&t| {
            let vars: Vec<usize> = terms[t].variables.iter().map(|v| v.0).collect();
            !terms.iter().enumerate().any(|(u, other)| {
                u != t
                    && other.variables.len() > vars.len()
                    && vars.iter().all(|v| other.variables.iter().any(|o| o.0 == *v))
            })
        })
        .collect()
}

impl AnovaTable {
    pub(crate) fn empty(test: AnovaTest) -> AnovaTable {
        AnovaTable {
            test,
            terms: Vec::new(),
            df: Vec::new(),
            deviance: Vec::new(),
            resid_df: Vec::new(),
            resid_deviance: Vec::new(),
            statistic: Vec::new(),
            p_value: Vec::new(),
        }
    }
}

impl Drop1Table {
    pub(crate) fn empty() -> Drop1Table {
        Drop1Table {
            terms: Vec::new(),
            df: Vec::new(),
            deviance: Vec::new(),
            aic: Vec::new(),
            lrt: Vec::new(),
            p_value: Vec::new(),
        }
    }
}

impl FormulaFit {
    fn lr_supported(&self, what: &str) -> Result<()> {
        match self.family {
            Family::Quantile => Err(DataError::NotSupported {
                what: format!(
                    "{what} for the quantile family (no likelihood; anova gives quantreg's Wald F tests)"
                ),
            }),
            _ => Ok(()),
        }
    }

    /// Coefficients per design column: K − 1 for a multinomial fit of K classes, else 1.
    fn per_column(&self) -> usize {
        match self.family {
            Family::Multinomial => self.data.classes.saturating_sub(1).max(1),
            _ => 1,
        }
    }

    /// Whether the tests are deviance differences (gaussian, binomial, Poisson).
    fn deviance_tests(&self) -> bool {
        self.glm().is_some_and(|g| g.deviance_tests())
    }

    /// −2ℓ of the sub-model on the main design's columns `cols`, refitted.
    fn refit_lr(&self, cols: &[usize]) -> Result<Refit> {
        if cols.len() == self.frame.design.ncols() {
            return Ok(Refit {
                minus_two_ll: -2.0 * self.fit.log_likelihood(),
                n_parameters: self.fit.parameters().len(),
            });
        }
        if cols.is_empty() {
            return self.empty_model();
        }
        let (_, fit) = self.submodel(cols)?;
        Ok(Refit {
            minus_two_ll: -2.0 * fit.log_likelihood(),
            n_parameters: fit.parameters().len(),
        })
    }

    /// The model without mean coefficients: for an ordinal fit (without offset) the
    /// cut-points alone, ℓ = Σ n_j log(n_j / n) (weighted counts).
    fn empty_model(&self) -> Result<Refit> {
        if self.family != Family::Ordinal || self.data.offset.is_some() {
            return Err(DataError::NotSupported {
                what: format!(
                    "likelihood-ratio tests against a {} model without coefficients",
                    self.family
                ),
            });
        }
        let mut counts = vec![0.0; self.data.classes];
        for (i, &y) in self.data.y.iter().enumerate() {
            counts[y as usize - 1] += self.data.weights.as_ref().map_or(1.0, |w| w[i]);
        }
        let total: f64 = counts.iter().sum();
        let ll: f64 = counts
            .iter()
            .filter(|&&c| c > 0.0)
            .map(|&c| c * (c / total).ln())
            .sum();
        Ok(Refit {
            minus_two_ll: -2.0 * ll,
            n_parameters: self.data.classes - 1,
        })
    }

    fn dispersion_for_tests(&self) -> Result<f64> {
        match self.glm().map(|g| g.variance) {
            Some(Variance::Gaussian) => Ok(self.deviance()? / self.glm_df_residual()),
            _ => Ok(1.0),
        }
    }

    /// Residual deviance (deviance families) or −2ℓ of the sub-model on `cols`.
    fn criterion(&self, cols: &[usize]) -> Result<f64> {
        match self.glm().filter(|g| g.deviance_tests()) {
            Some(_) if cols.len() == self.frame.design.ncols() => self.deviance(),
            Some(glm) => Ok(self.deviance_for_tests(glm, cols)?.0),
            None => Ok(self.refit_lr(cols)?.minus_two_ll),
        }
    }

    /// Sequential likelihood-ratio tests by term (R's `anova(m, test = "Chisq")`; for the
    /// Gaussian, deviance drops are scaled by the full model's dispersion, as R does; for the
    /// families with a shape or scale, 2Δℓ of refitted nested models — module docs).
    ///
    /// A quantile fit gives `quantreg::anova.rq`'s Wald F tests and a zero-inflated fit the LR
    /// tests of its count terms then its zero terms (`anova_more.rs`).
    pub fn anova(&self) -> Result<AnovaTable> {
        match self.family {
            Family::Quantile => return self.quantile_anova(),
            Family::Zip | Family::Zinb => return self.zero_inflated_anova(),
            _ => {}
        }
        let assign = &self.frame.assign;
        let labels = &self.frame.term_labels;
        let disp = self.dispersion_for_tests()?;
        let n_used = self.n_used();
        let base: Vec<usize> = (0..assign.len()).filter(|&j| assign[j] == 0).collect();
        let mut previous = self.criterion(&base)?;
        let mut previous_cols = base.len();
        let mut table = AnovaTable::empty(AnovaTest::LikelihoodRatio);
        for (t, label) in labels.iter().enumerate() {
            let cols: Vec<usize> = (0..assign.len()).filter(|&j| assign[j] <= t + 1).collect();
            let dev = self.criterion(&cols)?;
            let df = (cols.len() - previous_cols) * self.per_column();
            table.terms.push(label.clone());
            table.df.push(df);
            table.deviance.push(previous - dev);
            table.resid_df.push(n_used.saturating_sub(cols.len()));
            table.resid_deviance.push(dev);
            table.statistic.push((previous - dev) / disp);
            table.p_value.push(chi2_upper((previous - dev) / disp, df));
            previous = dev;
            previous_cols = cols.len();
        }
        Ok(table)
    }

    /// Single-term deletions with likelihood-ratio tests (R's `drop1(m, test = "Chisq")`):
    /// only terms not contained in a higher-order term are dropped.
    /// A zero-inflated fit drops each term of either part, the other part kept whole.
    pub fn drop1(&self) -> Result<Drop1Table> {
        self.lr_supported("drop1")?;
        if matches!(self.family, Family::Zip | Family::Zinb) {
            return self.zero_inflated_drop1();
        }
        let terms = &self.frame.spec().main().terms;
        let assign = &self.frame.assign;
        let disp = self.dispersion_for_tests()?;
        let deviance_tests = self.deviance_tests();
        let full = self.criterion(&(0..assign.len()).collect::<Vec<_>>())?;
        let mut table = Drop1Table::empty();
        for t in droppable(terms) {
            let term = &terms[t];
            let cols: Vec<usize> = (0..assign.len()).filter(|&j| assign[j] != t + 1).collect();
            let df = (assign.len() - cols.len()) * self.per_column();
            let (dev, aic, lrt) = match self.glm().filter(|_| deviance_tests) {
                Some(glm) => {
                    let (dev, mu) = self.deviance_for_tests(glm, &cols)?;
                    // R's drop1.glm: for the Gaussian the likelihood ratio n·log(RSS₀/RSS₁)
                    // with σ profiled; otherwise the deviance increase over the dispersion.
                    let lrt = match glm.variance {
                        Variance::Gaussian => self.n_used() as f64 * (dev / full).ln(),
                        _ => (dev - full) / disp,
                    };
                    (dev, self.aic_of(glm, &mu, cols.len()), lrt)
                }
                None => {
                    let sub = self.refit_lr(&cols)?;
                    let aic = sub.minus_two_ll + 2.0 * sub.n_parameters as f64;
                    (sub.minus_two_ll, aic, sub.minus_two_ll - full)
                }
            };
            table.terms.push(term.label.clone());
            table.df.push(df);
            table.deviance.push(dev);
            table.aic.push(aic);
            table.lrt.push(lrt);
            table.p_value.push(chi2_upper(lrt, df));
        }
        Ok(table)
    }
}
