//! Tests by term for the two families whose `anova` is not one likelihood chain over the
//! main design: quantile regression (`quantreg::anova.rq`'s Wald F tests) and the
//! zero-inflated counts (likelihood-ratio tests by term of either part, as
//! `lmtest::lrtest` on nested `pscl::zeroinfl` refits).

use mle_core::{Design, Fit};
use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ContinuousCDF, FisherSnedecor};

use crate::anova::{droppable, Refit};
use crate::answers::{chi2_upper, sub_design, AnovaTable, AnovaTest, Drop1Table};
use crate::error::{DataError, Result};
use crate::estimate::{estimate, refit};
use crate::family_name::Family;
use crate::formula_fit::FormulaFit;
use crate::spec::TermSpec;

/// Columns whose term index (`assign`) is at most `t`.
fn up_to(assign: &[usize], t: usize) -> Vec<usize> {
    (0..assign.len()).filter(|&j| assign[j] <= t).collect()
}

/// Columns whose term index is not `t`.
fn without(assign: &[usize], t: usize) -> Vec<usize> {
    (0..assign.len()).filter(|&j| assign[j] != t).collect()
}

/// F = b̂ᵀV⁻¹b̂ / k over the coefficients `tested` of `fit` (V its covariance block).
fn wald_f(fit: &Fit, tested: &[usize], term: &str) -> Result<f64> {
    let v = fit.covariance().ok_or_else(|| DataError::NotSupported {
        what: format!("a Wald test of `{term}` without a covariance of the quantile fit"),
    })?;
    let k = tested.len();
    let b = DVector::from_fn(k, |i, _| fit.estimates()[tested[i]]);
    let vhh = DMatrix::from_fn(k, k, |i, j| v[(tested[i], tested[j])]);
    let chol = vhh.cholesky().ok_or_else(|| DataError::NotSupported {
        what: format!(
            "a Wald test of `{term}`: the nid covariance of its coefficients is not positive definite"
        ),
    })?;
    Ok(b.dot(&chol.solve(&b)) / k as f64)
}

impl FormulaFit {
    /// `quantreg::anova.rq(m0, m1)` (test = "Wald", se = "nid", both its defaults) between
    /// successive nested fits by term: each larger model refitted at the same τ, its nid
    /// covariance (the fit's own, `summary.rq(se = "nid")`) giving F = b̂ᵀV⁻¹b̂ / df over the
    /// term's coefficients on (df, n − p) degrees of freedom.
    pub(crate) fn quantile_anova(&self) -> Result<AnovaTable> {
        let assign = &self.frame.assign;
        let n = self.n_obs();
        let mut table = AnovaTable::empty(AnovaTest::WaldF);
        for (t, label) in self.frame.term_labels.iter().enumerate() {
            let cols = up_to(assign, t + 1);
            let tested: Vec<usize> = (0..cols.len()).filter(|&i| assign[cols[i]] == t + 1).collect();
            if tested.is_empty() {
                continue;
            }
            let f = if cols.len() == assign.len() {
                wald_f(&self.fit, &tested, label)?
            } else {
                let x = sub_design(&self.frame.design, &cols)?;
                let sub = estimate(
                    Family::Quantile,
                    &self.link,
                    &x,
                    None,
                    &self.data,
                    &None,
                    self.options.tau,
                )?;
                wald_f(&sub.fit, &tested, label)?
            };
            let ddf = n.saturating_sub(cols.len());
            let p = FisherSnedecor::new(tested.len() as f64, ddf as f64).map_or(f64::NAN, |d| d.sf(f));
            table.terms.push(label.clone());
            table.df.push(tested.len());
            table.deviance.push(f64::NAN);
            table.resid_df.push(ddf);
            table.resid_deviance.push(f64::NAN);
            table.statistic.push(f);
            table.p_value.push(p);
        }
        Ok(table)
    }

    /// The zero model's design, `assign`, labels and terms (the count model's without `|`,
    /// as `zeroinfl(y ~ x)`).
    fn zero_part(&self) -> (&Design, &[usize], &[String], &[TermSpec]) {
        match (&self.frame.second_design, self.frame.spec().second()) {
            (Some(z), Some(part)) => (
                z,
                &self.frame.second_assign,
                &self.frame.second_term_labels,
                &part.terms,
            ),
            _ => (
                &self.frame.design,
                &self.frame.assign,
                &self.frame.term_labels,
                &self.frame.spec().main().terms,
            ),
        }
    }

    /// −2ℓ and the parameter count of the zero-inflated model on count columns `xc` and zero
    /// columns `zc`, refitted (the fit itself when both are whole).
    fn zero_inflated_refit(&self, xc: &[usize], zc: &[usize]) -> Result<Refit> {
        let (z, ..) = self.zero_part();
        if xc.len() == self.frame.design.ncols() && zc.len() == z.ncols() {
            return Ok(Refit {
                minus_two_ll: -2.0 * self.fit.log_likelihood(),
                n_parameters: self.fit.parameters().len(),
            });
        }
        if xc.is_empty() || zc.is_empty() {
            return Err(DataError::NotSupported {
                what: format!(
                    "likelihood-ratio tests of a {} model against one with no {} coefficient (the \
                     nested models need an intercept in each part)",
                    self.family,
                    if xc.is_empty() { "count" } else { "zero" }
                ),
            });
        }
        let x = sub_design(&self.frame.design, xc)?;
        let zs = sub_design(z, zc)?;
        let fit = refit(self.family, &self.link, &x, Some(&zs), &self.data)?;
        Ok(Refit {
            minus_two_ll: -2.0 * fit.log_likelihood(),
            n_parameters: fit.parameters().len(),
        })
    }

    /// The nested chain from both intercepts: count terms added one by one (zero model
    /// intercept-only), then the zero terms (`zero_<term>`) with the whole count model; each
    /// row 2Δℓ of successive refits on the parameters added.
    pub(crate) fn zero_inflated_anova(&self) -> Result<AnovaTable> {
        let (_, zassign, zlabels, _) = self.zero_part();
        let assign = &self.frame.assign;
        let all_x: Vec<usize> = (0..assign.len()).collect();
        let z0 = up_to(zassign, 0);
        let mut steps: Vec<(String, Vec<usize>, Vec<usize>)> = Vec::new();
        for (t, label) in self.frame.term_labels.iter().enumerate() {
            steps.push((label.clone(), up_to(assign, t + 1), z0.clone()));
        }
        for (t, label) in zlabels.iter().enumerate() {
            steps.push((format!("zero_{label}"), all_x.clone(), up_to(zassign, t + 1)));
        }
        let mut previous = self.zero_inflated_refit(&up_to(assign, 0), &z0)?;
        let mut table = AnovaTable::empty(AnovaTest::LikelihoodRatio);
        for (label, xc, zc) in steps {
            let next = self.zero_inflated_refit(&xc, &zc)?;
            let df = next.n_parameters.saturating_sub(previous.n_parameters);
            let lrt = previous.minus_two_ll - next.minus_two_ll;
            table.terms.push(label);
            table.df.push(df);
            table.deviance.push(lrt);
            table
                .resid_df
                .push(self.n_used().saturating_sub(next.n_parameters));
            table.resid_deviance.push(next.minus_two_ll);
            table.statistic.push(lrt);
            table.p_value.push(chi2_upper(lrt, df));
            previous = next;
        }
        Ok(table)
    }

    /// Each term of either part dropped (marginality within the part), the other part whole:
    /// −2ℓ, AIC and 2Δℓ of the refit.
    pub(crate) fn zero_inflated_drop1(&self) -> Result<Drop1Table> {
        let (z, zassign, _, zterms) = self.zero_part();
        let assign = &self.frame.assign;
        let all_x: Vec<usize> = (0..assign.len()).collect();
        let all_z: Vec<usize> = (0..z.ncols()).collect();
        let full = -2.0 * self.fit.log_likelihood();
        let k_full = self.fit.parameters().len();
        let mut drops: Vec<(String, Vec<usize>, Vec<usize>)> = Vec::new();
        let terms = &self.frame.spec().main().terms;
        for t in droppable(terms) {
            drops.push((terms[t].label.clone(), without(assign, t + 1), all_z.clone()));
        }
        for t in droppable(zterms) {
            let label = format!("zero_{}", zterms[t].label);
            drops.push((label, all_x.clone(), without(zassign, t + 1)));
        }
        let mut table = Drop1Table::empty();
        for (label, xc, zc) in drops {
            let sub = self.zero_inflated_refit(&xc, &zc)?;
            let df = k_full.saturating_sub(sub.n_parameters);
            let lrt = sub.minus_two_ll - full;
            table.terms.push(label);
            table.df.push(df);
            table.deviance.push(sub.minus_two_ll);
            table.aic.push(sub.minus_two_ll + 2.0 * sub.n_parameters as f64);
            table.lrt.push(lrt);
            table.p_value.push(chi2_upper(lrt, df));
        }
        Ok(table)
    }
}
