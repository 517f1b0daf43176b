//! Multinomial logistic regression: categorical response with K + 1 classes, class 0 the
//! baseline, softmax link; log-sum-exp everywhere.

use mle_core::numerics::log_sum_exp;
use mle_core::predictor::PredictorDensity;
use mle_core::{Design, Diagnostic, Fit, Result, Transform};
use mle_optim::FitOptions;
use nalgebra::SMatrix;
use num_dual::DualNum;

use crate::regression::RegressionInput;
use crate::separation::detect_separation;

/// Categorical response y ∈ {0, …, K} with log P(y = c) = η_c − log(1 + Σ_k e^{η_k}), η₀ = 0.
/// The K linear predictors share one design; parameters are named `class<c>:<column>`.
///
/// ```
/// use mle_core::Design;
/// use mle_models::MultinomialLogit;
/// let x = Design::intercept(4);
/// let y = [0.0, 1.0, 2.0, 2.0];
/// let fit = MultinomialLogit::<2>.fit(&x, &y).unwrap();
/// // intercepts are log(n_c / n_0)
/// assert!((fit.estimates()[1] - 2f64.ln()).abs() < 1e-10);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct MultinomialLogit<const K: usize>;

const CLASS_NAMES: [&str; 9] = [
    "class1", "class2", "class3", "class4", "class5", "class6", "class7", "class8", "class9",
];

impl<const K: usize> PredictorDensity<K> for MultinomialLogit<K> {
    fn name(&self) -> String {
        format!(
            "multinomial logistic regression ({} classes, baseline class 0)",
            K + 1
        )
    }

    fn predictors(&self) -> [(&'static str, Transform); K] {
        std::array::from_fn(|k| {
            (
                CLASS_NAMES.get(k).copied().unwrap_or("class"),
                Transform::Identity,
            )
        })
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: f64) -> D {
        let mut all = [D::from(0.0); 16];
        let m = (K + 1).min(16);
        all[1..m].copy_from_slice(&eta[..m - 1]);
        let lse = log_sum_exp(&all[..m]);
        let c = y as usize;
        if c == 0 {
            -lse
        } else {
            eta[c - 1] - lse
        }
    }

    fn check_response(&self, y: f64) -> std::result::Result<(), String> {
        if y >= 0.0 && y.fract() == 0.0 && y <= K as f64 {
            Ok(())
        } else {
            Err(format!("y = {y}, but the class must be an integer code 0..={K}"))
        }
    }

    /// diag(p) − ppᵀ over the non-baseline classes.
    fn expected_information(&self, eta: &[f64; K]) -> Option<SMatrix<f64, K, K>> {
        let m = eta.iter().fold(0.0f64, |a, &b| a.max(b));
        let denom: f64 = (-m).exp() + eta.iter().map(|e| (e - m).exp()).sum::<f64>();
        let p: [f64; K] = std::array::from_fn(|k| (eta[k] - m).exp() / denom);
        Some(SMatrix::from_fn(|r, c| {
            if r == c {
                p[r] - p[r] * p[c]
            } else {
                -p[r] * p[c]
            }
        }))
    }
}

impl<const K: usize> MultinomialLogit<K> {
    /// Fits by Newton from zero (K ≤ 15 non-baseline classes).
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::MultinomialLogit;
    /// let x = Design::intercept(2);
    /// assert!(matches!(MultinomialLogit::<1>.fit(&x, &[0.0, 2.0]), Err(MleError::OutsideSupport { .. })));
    /// ```
    pub fn fit(&self, x: &Design, y: &[f64]) -> Result<Fit> {
        self.fit_with(RegressionInput::new(x, y), &FitOptions::newton())
    }

    /// Fits with case (frequency) weights and options; offsets are not used.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::{regression::RegressionInput, MultinomialLogit};
    /// use mle_optim::FitOptions;
    /// let x = Design::intercept(3);
    /// let y = [0.0, 1.0, 2.0];
    /// let w = [1.0, 2.0, 4.0];
    /// let fit = MultinomialLogit::<2>.fit_with(RegressionInput::new(&x, &y).weights(&w), &FitOptions::newton()).unwrap();
    /// assert!((fit.estimates()[1] - 4f64.ln()).abs() < 1e-10);
    /// ```
    pub fn fit_with(&self, input: RegressionInput<'_>, options: &FitOptions) -> Result<Fit> {
        if K == 0 || K > 15 {
            return Err(mle_core::MleError::UnsupportedClassCount {
                classes: K + 1,
                min: 2,
                max: 16,
            });
        }
        let x = input.design();
        let objective = input.objective(self, [x; K])?;
        let separated = self.separation(input)?;
        if separated.is_empty() {
            return options.fit(&objective, &vec![0.0; K * x.ncols()]);
        }
        // Separation: the MLE of the named coefficients is infinite. Report the iterate after
        // a bounded run, flagged, without standard errors (they would be meaningless).
        let fit = options
            .clone()
            .max_iterations(50)
            .require_convergence(false)
            .fit(&objective, &vec![0.0; K * x.ncols()])?;
        Ok(fit
            .without_covariance("separation: the MLE is infinite, no standard errors")
            .with_diagnostic(Diagnostic::Separation {
                coefficients: separated,
                complete: false,
            }))
    }

    /// Class-versus-baseline separation (the binary LP on the rows of class 0 and class c,
    /// positive weights only), before any optimisation; returns `class<c>:<column>` names of
    /// the coefficients whose MLE is infinite.
    fn separation(&self, input: RegressionInput<'_>) -> Result<Vec<String>> {
        let x = input.design();
        if x.nrows() * x.ncols() > 2_000_000 {
            return Ok(Vec::new());
        }
        let y = input.response();
        let w = input.weight_values();
        let mut names = Vec::new();
        for c in 1..=K {
            let rows: Vec<usize> = (0..y.len())
                .filter(|&i| (y[i] == 0.0 || y[i] == c as f64) && w.is_none_or(|w| w[i] > 0.0))
                .collect();
            if rows.is_empty() {
                continue;
            }
            let sub = Design::new(
                nalgebra::DMatrix::from_fn(rows.len(), x.ncols(), |r, j| x.matrix()[(rows[r], j)]),
                x.names().iter().cloned(),
            )?;
            let yc: Vec<f64> = rows
                .iter()
                .map(|&i| if y[i] == c as f64 { 1.0 } else { 0.0 })
                .collect();
            let sep = detect_separation(&sub, &yc)?;
            names.extend(
                sep.infinite
                    .iter()
                    .map(|n| format!("{}:{n}", CLASS_NAMES.get(c - 1).copied().unwrap_or("class"))),
            );
        }
        Ok(names)
    }
}
