//! Small inference helpers shared by every fit: normal quantiles and p-values (from `statrs`)
//! and inversion of an information matrix that reports *why* it fails.

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::error::{MleError, Result};
use crate::transform::Parameter;

/// z₁₋α/₂ for a two-sided interval of coverage `level` (e.g. 1.959964 for 0.95).
///
/// ```
/// let z = mle_core::inference::normal_quantile(0.95).unwrap();
/// assert!((z - 1.959963984540054).abs() < 1e-12);
/// assert!(mle_core::inference::normal_quantile(1.5).is_err());
/// ```
pub fn normal_quantile(level: f64) -> Result<f64> {
    let level = check_level(level)?;
    Ok(Normal::standard().inverse_cdf(0.5 + level / 2.0))
}

/// Checks a confidence level: it must lie strictly between 0 and 1 (NaN is refused); returns
/// it. The one check behind every interval (Wald, profile, bootstrap).
///
/// ```
/// use mle_core::{inference::check_level, MleError};
/// assert_eq!(check_level(0.95).unwrap(), 0.95);
/// for bad in [0.0, 1.0, 95.0, -0.5, f64::NAN] {
///     assert!(matches!(check_level(bad), Err(MleError::LevelOutOfRange { .. })));
/// }
/// ```
pub fn check_level(level: f64) -> Result<f64> {
    if level > 0.0 && level < 1.0 {
        Ok(level)
    } else {
        Err(MleError::LevelOutOfRange { level })
    }
}

/// Two-sided p-value 2·P(Z > |z|) of a standard normal statistic.
///
/// ```
/// let p = mle_core::inference::two_sided_normal_p(1.959963984540054);
/// assert!((p - 0.05).abs() < 1e-10);
/// ```
pub fn two_sided_normal_p(z: f64) -> f64 {
    2.0 * Normal::standard().sf(z.abs())
}

/// The direction in which an information matrix is flat or negative: its smallest eigenvalue
/// and the eigenvector.
///
/// ```
/// use mle_core::inference::SymmetricInverse;
/// use nalgebra::dmatrix;
/// let err = SymmetricInverse::of_positive_definite(&dmatrix![1.0, 1.0; 1.0, 1.0]).unwrap_err();
/// assert!(err.eigenvalue.abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FlatDirection {
    /// Smallest eigenvalue.
    pub eigenvalue: f64,
    /// Unit eigenvector.
    pub vector: DVector<f64>,
}

impl FlatDirection {
    /// The eigenvector as a parameter combination, e.g. `"0.707·a − 0.707·b"` (components
    /// below 5% of the largest are left out).
    ///
    /// ```
    /// use mle_core::{inference::FlatDirection, Parameter};
    /// use nalgebra::dvector;
    /// let d = FlatDirection { eigenvalue: 0.0, vector: dvector![1.0, -0.5] };
    /// let ps = [Parameter::identity("a"), Parameter::identity("b")];
    /// assert_eq!(d.describe(&ps), "1.000·a − 0.500·b");
    /// ```
    pub fn describe(&self, parameters: &[Parameter]) -> String {
        let max = self.vector.amax();
        let sign = if self
            .vector
            .iter()
            .find(|v| v.abs() == max)
            .is_some_and(|v| *v < 0.0)
        {
            -1.0
        } else {
            1.0
        };
        let mut out = String::new();
        for (p, &v) in parameters.iter().zip(self.vector.iter()) {
            let v = v * sign;
            if v.abs() < 0.05 * max {
                continue;
            }
            if out.is_empty() {
                out.push_str(&format!("{v:.3}·{}", p.name));
            } else if v < 0.0 {
                out.push_str(&format!(" − {:.3}·{}", -v, p.name));
            } else {
                out.push_str(&format!(" + {v:.3}·{}", p.name));
            }
        }
        out
    }
}

/// Inversion of a symmetric information matrix.
///
/// ```
/// use mle_core::inference::SymmetricInverse;
/// use nalgebra::dmatrix;
/// let inv = SymmetricInverse::of_positive_definite(&dmatrix![4.0, 0.0; 0.0, 2.0]).unwrap();
/// assert_eq!(inv[(0, 0)], 0.25);
/// ```
pub struct SymmetricInverse;

impl SymmetricInverse {
    /// The inverse by Cholesky when the matrix is positive definite (and all entries finite);
    /// otherwise the direction that fails.
    ///
    /// ```
    /// use mle_core::inference::SymmetricInverse;
    /// use nalgebra::dmatrix;
    /// assert!(SymmetricInverse::of_positive_definite(&dmatrix![-1.0]).is_err());
    /// ```
    pub fn of_positive_definite(m: &DMatrix<f64>) -> std::result::Result<DMatrix<f64>, FlatDirection> {
        let k = m.nrows();
        if !m.iter().all(|v| v.is_finite()) {
            return Err(FlatDirection {
                eigenvalue: f64::NAN,
                vector: DVector::zeros(k),
            });
        }
        let sym = (m + m.transpose()) * 0.5;
        // Judge definiteness and conditioning on the correlation-scaled matrix D^-½ M D^-½, so
        // that badly scaled but well-determined parameters (NIST Nelson: b2 ≈ 6e-9) pass.
        let diag = sym.diagonal();
        if diag.iter().any(|d| d.is_nan() || *d <= 0.0) {
            let (imin, &min) = diag
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .unwrap_or((0, &f64::NAN));
            let mut vector = DVector::zeros(k);
            vector[imin] = 1.0;
            return Err(FlatDirection {
                eigenvalue: min,
                vector,
            });
        }
        let scale = diag.map(|d| 1.0 / d.sqrt());
        let scaled = DMatrix::from_fn(k, k, |r, c| sym[(r, c)] * scale[r] * scale[c]);
        // The eigenvalue test below, settled without the eigen-decomposition when the
        // Cholesky inverse bounds the condition number (λmax ≤ tr = k, λmin ≥ 1/tr M⁻¹) below
        // 1e12, a hundred times inside its 1e-14: the same inverse, bit for bit.
        if let Some(ch) = scaled.clone().cholesky() {
            let inv = ch.inverse();
            let bound = k as f64 * inv.trace();
            if bound.is_finite() && bound < 1e12 {
                return Ok(DMatrix::from_fn(k, k, |r, c| inv[(r, c)] * scale[r] * scale[c]));
            }
        }
        let eig = scaled.clone().symmetric_eigen();
        let (imin, &min) = eig
            .eigenvalues
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .unwrap_or((0, &f64::NAN));
        if min > 1e-14 * eig.eigenvalues.amax()
            && let Some(ch) = scaled.cholesky()
        {
            let inv = ch.inverse();
            return Ok(DMatrix::from_fn(k, k, |r, c| inv[(r, c)] * scale[r] * scale[c]));
        }
        // Report the flat direction in the original parameters (unscaled, normalised).
        let v = eig.eigenvectors.column(imin).component_mul(&scale);
        let norm = v.norm();
        Err(FlatDirection {
            eigenvalue: min * diag.max(),
            vector: if norm > 0.0 { v / norm } else { v },
        })
    }
}
