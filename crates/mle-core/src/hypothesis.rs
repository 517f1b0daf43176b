//! Wald, likelihood-ratio and score (Rao) tests with χ² p-values from `statrs`.

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::error::{MleError, Result};
use crate::fit::Fit;
use crate::inference::SymmetricInverse;
use crate::objective::Objective;

/// A χ² test result.
///
/// ```
/// use mle_core::hypothesis::TestResult;
/// let t = TestResult::chi_squared("Wald", 3.841458820694124, 1).unwrap();
/// assert!((t.p_value - 0.05).abs() < 1e-10);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// Which test.
    pub test: String,
    /// The statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// P(χ²_df ≥ statistic).
    pub p_value: f64,
}

impl TestResult {
    /// Builds the result with its χ² p-value.
    ///
    /// ```
    /// assert!(mle_core::hypothesis::TestResult::chi_squared("x", 1.0, 0).is_err());
    /// ```
    pub fn chi_squared(test: &str, statistic: f64, df: usize) -> Result<Self> {
        if df == 0 {
            return Err(MleError::NoRestrictions { df });
        }
        let chi = ChiSquared::new(df as f64).map_err(|_| MleError::NoRestrictions { df })?;
        Ok(TestResult {
            test: test.into(),
            statistic,
            df,
            p_value: chi.sf(statistic.max(0.0)),
        })
    }
}

impl std::fmt::Display for TestResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} test: χ² = {:.6}, df = {}, p = {:.6}",
            self.test, self.statistic, self.df, self.p_value
        )
    }
}

/// Wald test of the linear hypothesis Rθ = r using the fit's covariance.
///
/// ```
/// use mle_core::hypothesis::wald_test;
/// use mle_core::{ClosureDensity, Convergence, DataObjective, Fit, Parameter};
/// use nalgebra::{dmatrix, dvector};
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 3.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let fit = Fit::at_estimate(&obj, &[2.0], Convergence::closed_form("mean")).unwrap();
/// let t = wald_test(&fit, &dmatrix![1.0], &dvector![0.0]).unwrap();
/// assert!((t.statistic - 8.0).abs() < 1e-12); // (2 − 0)² / (1/2)
/// ```
pub fn wald_test(fit: &Fit, r: &DMatrix<f64>, rhs: &DVector<f64>) -> Result<TestResult> {
    let p = fit.estimates().len();
    if r.ncols() != p || r.nrows() != rhs.len() {
        return Err(MleError::DimensionMismatch {
            what: "restriction matrix R (q × p) and r (q)".into(),
            expected: p,
            got: r.ncols(),
        });
    }
    let v = fit.covariance().ok_or_else(|| MleError::SingularInformation {
        detail: "the fit has no covariance".into(),
    })?;
    let diff = r * fit.estimates() - rhs;
    let middle = r * v * r.transpose();
    let inv = SymmetricInverse::of_positive_definite(&middle).map_err(|_| MleError::SingularInformation {
        detail: "R V Rᵀ is singular: restrictions are redundant".into(),
    })?;
    TestResult::chi_squared("Wald", diff.dot(&(inv * &diff)), r.nrows())
}

/// Likelihood-ratio test of a restricted fit (fewer free parameters) against the full fit.
///
/// ```
/// use mle_core::hypothesis::likelihood_ratio_test;
/// use mle_core::{Convergence, Fit, Parameter};
/// let full = Fit::on_boundary("m", vec![Parameter::identity("a"), Parameter::identity("b")], &[f64::INFINITY, 0.0], -10.0, 5, Convergence::closed_form("x"));
/// let small = Fit::on_boundary("m", vec![Parameter::identity("a")], &[f64::INFINITY], -12.0, 5, Convergence::closed_form("x"));
/// let t = likelihood_ratio_test(&small, &full).unwrap();
/// assert_eq!((t.statistic, t.df), (4.0, 1));
/// ```
pub fn likelihood_ratio_test(restricted: &Fit, full: &Fit) -> Result<TestResult> {
    let (kr, kf) = (restricted.parameters().len(), full.parameters().len());
    if kr >= kf {
        return Err(MleError::NotNested {
            restricted: kr,
            full: kf,
        });
    }
    TestResult::chi_squared(
        "likelihood-ratio",
        2.0 * (full.log_likelihood() - restricted.log_likelihood()),
        kf - kr,
    )
}

/// Score (Rao) test from the restricted estimate alone: with θ̃ the full parameter vector at
/// the restricted MLE and `restricted` the indices held fixed, S = gᵀ I⁻¹ g with g = ∇ℓ(θ̃)
/// and I the expected information at θ̃ (observed when the model has none), df = number of
/// restrictions.
///
/// ```
/// use mle_core::hypothesis::score_test;
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use num_dual::{Dual2SVec64, DualNum};
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [1.0, 3.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let t = score_test(&obj, &[0.0], &[0]).unwrap();
/// assert!((t.statistic - 8.0).abs() < 1e-12); // g = 4, I = 2
/// ```
pub fn score_test(
    objective: &dyn Objective,
    restricted_theta: &[f64],
    restricted: &[usize],
) -> Result<TestResult> {
    let (_, g) = objective.value_gradient(restricted_theta)?;
    let info = match objective.expected_information(restricted_theta) {
        Some(i) => i?,
        None => -objective.evaluate(restricted_theta)?.hessian,
    };
    let inv = SymmetricInverse::of_positive_definite(&info).map_err(|_| MleError::SingularInformation {
        detail: "information at the restricted estimate".into(),
    })?;
    TestResult::chi_squared("score (Rao)", g.dot(&(inv * &g)), restricted.len())
}
