//! Model comparison over several fits of the same data: ℓ, k, AIC, AICc, BIC, ΔAIC and
//! Akaike weights.

use crate::fit::Fit;

/// A comparison table; `Display` prints it sorted by AIC.
///
/// ```
/// use mle_core::comparison::ModelComparison;
/// use mle_core::{Convergence, Fit, Parameter};
/// let a = Fit::on_boundary("a", vec![Parameter::identity("x")], &[f64::INFINITY], -10.0, 20, Convergence::closed_form("x")).unwrap();
/// let b = Fit::on_boundary("b", vec![Parameter::identity("x"), Parameter::identity("y")], &[0.0, f64::INFINITY], -9.9, 20, Convergence::closed_form("x")).unwrap();
/// let table = ModelComparison::new(vec![("one", &a), ("two", &b)]);
/// assert_eq!(table.rows()[0].name, "one"); // lower AIC first
/// assert!((table.rows()[0].aicc - (20.0 + 2.0 + 4.0 / 18.0)).abs() < 1e-12);
/// ```
#[derive(Debug, Clone)]
pub struct ModelComparison {
    rows: Vec<ComparisonRow>,
}

/// One model in a [`ModelComparison`].
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Label.
    pub name: String,
    /// ℓ(θ̂).
    pub log_likelihood: f64,
    /// Number of parameters.
    pub k: usize,
    /// Number of observations.
    pub n: usize,
    /// AIC = −2ℓ + 2k.
    pub aic: f64,
    /// AICc = AIC + 2k(k+1)/(n−k−1).
    pub aicc: f64,
    /// BIC = −2ℓ + k ln n.
    pub bic: f64,
    /// AIC − min AIC.
    pub delta_aic: f64,
    /// Akaike weight exp(−ΔAIC/2) / Σ.
    pub weight: f64,
}

impl ModelComparison {
    /// Builds the table (sorted by AIC).
    ///
    /// ```
    /// let t = mle_core::comparison::ModelComparison::new(vec![]);
    /// assert!(t.rows().is_empty());
    /// ```
    pub fn new(fits: Vec<(&str, &Fit)>) -> Self {
        let mut rows: Vec<ComparisonRow> = fits
            .into_iter()
            .map(|(name, f)| {
                let k = f.parameters().len();
                let n = f.n_obs();
                let aic = f.aic();
                let aicc = if n > k + 1 {
                    aic + 2.0 * (k * (k + 1)) as f64 / (n - k - 1) as f64
                } else {
                    f64::INFINITY
                };
                ComparisonRow {
                    name: name.into(),
                    log_likelihood: f.log_likelihood(),
                    k,
                    n,
                    aic,
                    aicc,
                    bic: f.bic(),
                    delta_aic: 0.0,
                    weight: 0.0,
                }
            })
            .collect();
        rows.sort_by(|a, b| a.aic.total_cmp(&b.aic));
        if let Some(min) = rows.first().map(|r| r.aic) {
            let total: f64 = rows.iter().map(|r| (-(r.aic - min) / 2.0).exp()).sum();
            for r in &mut rows {
                r.delta_aic = r.aic - min;
                r.weight = (-(r.delta_aic) / 2.0).exp() / total;
            }
        }
        ModelComparison { rows }
    }

    /// The rows, best AIC first.
    ///
    /// ```
    /// assert_eq!(mle_core::comparison::ModelComparison::new(vec![]).rows().len(), 0);
    /// ```
    pub fn rows(&self) -> &[ComparisonRow] {
        &self.rows
    }
}

impl std::fmt::Display for ModelComparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{:<24} {:>12} {:>3} {:>11} {:>11} {:>11} {:>8} {:>7}",
            "model", "logLik", "k", "AIC", "AICc", "BIC", "ΔAIC", "weight"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<24} {:>12.4} {:>3} {:>11.4} {:>11.4} {:>11.4} {:>8.3} {:>7.4}",
                r.name, r.log_likelihood, r.k, r.aic, r.aicc, r.bic, r.delta_aic, r.weight
            )?;
        }
        Ok(())
    }
}
