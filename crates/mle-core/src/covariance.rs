//! The covariance menu: observed or expected information, OPG (BHHH), sandwich HC0/HC1 and
//! cluster-robust, all from exact derivatives and exact per-observation scores.

use nalgebra::DMatrix;

use crate::error::{MleError, Result};
use crate::fit::Fit;
use crate::inference::SymmetricInverse;
use crate::objective::Objective;

/// Which covariance estimator.
///
/// ```
/// use mle_core::covariance::CovarianceType;
/// assert_eq!(CovarianceType::Hc1.to_string(), "sandwich HC1 = n/(n−p)·H⁻¹JH⁻¹");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum CovarianceType {
    /// (−∇²ℓ)⁻¹ at θ̂.
    Observed,
    /// I(θ̂)⁻¹ from the model's closed-form expected information.
    Expected,
    /// (Σ sᵢsᵢᵀ)⁻¹: outer product of the exact per-observation scores (BHHH).
    Opg,
    /// H⁻¹JH⁻¹ with H = −∇²ℓ, J = Σ sᵢsᵢᵀ (HC0, White / Huber).
    Hc0,
    /// n/(n−p)·HC0.
    Hc1,
    /// Cluster-robust H⁻¹(Σ_g S_g S_gᵀ)H⁻¹ with S_g the score sum of cluster g, times
    /// G/(G−1) and, with `hc1`, (n−1)/(n−p) (R `sandwich::vcovCL` type HC0 / HC1; statsmodels
    /// `cov_type='cluster'` equals the HC1 form).
    Cluster {
        /// Cluster label of each observation.
        clusters: Vec<u64>,
        /// Apply the (n−1)/(n−p) factor as well.
        hc1: bool,
    },
}

impl std::fmt::Display for CovarianceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CovarianceType::Observed => write!(f, "the inverse observed information (−∇²ℓ at θ̂)"),
            CovarianceType::Expected => write!(f, "the inverse expected (Fisher) information at θ̂"),
            CovarianceType::Opg => write!(f, "the inverse outer product of scores (OPG/BHHH)"),
            CovarianceType::Hc0 => write!(f, "sandwich HC0 = H⁻¹JH⁻¹"),
            CovarianceType::Hc1 => write!(f, "sandwich HC1 = n/(n−p)·H⁻¹JH⁻¹"),
            CovarianceType::Cluster { clusters, hc1 } => {
                f.write_str(&cluster_description(distinct(clusters), *hc1))
            }
        }
    }
}

/// What [`CovarianceType::Cluster`] is, with G clusters (its `Display`).
///
/// ```
/// assert_eq!(mle_core::covariance::cluster_description(4, false), "cluster-robust sandwich (4 clusters, G/(G−1))");
/// ```
pub fn cluster_description(clusters: usize, hc1: bool) -> String {
    if hc1 {
        format!("cluster-robust sandwich ({clusters} clusters, G/(G−1)·(n−1)/(n−p))")
    } else {
        format!("cluster-robust sandwich ({clusters} clusters, G/(G−1))")
    }
}

/// The small-sample factor of the cluster-robust sandwich: G/(G−1), times (n−1)/(n−p) with
/// `hc1` (R `sandwich::vcovCL` types HC0 / HC1).
///
/// ```
/// assert_eq!(mle_core::covariance::cluster_factor(2, 11.0, 1, true), 2.0);
/// ```
pub fn cluster_factor(clusters: usize, n: f64, p: usize, hc1: bool) -> f64 {
    let g = clusters as f64;
    let f = g / (g - 1.0);
    if hc1 {
        f * (n - 1.0) / (n - p as f64)
    } else {
        f
    }
}

/// The HC1 factor n/(n−p).
///
/// ```
/// assert_eq!(mle_core::covariance::hc1_factor(10.0, 2), 1.25);
/// ```
pub fn hc1_factor(n: f64, p: usize) -> f64 {
    n / (n - p as f64)
}

fn distinct(labels: &[u64]) -> usize {
    let mut v = labels.to_vec();
    v.sort_unstable();
    v.dedup();
    v.len()
}

fn invert(m: &DMatrix<f64>, what: &str, fit: &Fit) -> Result<DMatrix<f64>> {
    SymmetricInverse::of_positive_definite(m).map_err(|flat| MleError::SingularInformation {
        detail: format!(
            "{what}: smallest eigenvalue {:.3e} in direction {}",
            flat.eigenvalue,
            flat.describe(fit.parameters())
        ),
    })
}

/// The covariance of θ̂ (working scale) by the chosen estimator, evaluated with `objective`
/// (the one the fit came from).
///
/// ```
/// use mle_core::covariance::{covariance, CovarianceType};
/// use mle_core::{ClosureDensity, Convergence, DataObjective, Fit, Parameter};
/// use num_dual::{Dual2SVec64, DualNum};
/// // Normal mean with σ = 1 fixed, data with variance 4: model SE² = 1/n, sandwich = 4/n.
/// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
/// let data = [-2.0, 2.0, -2.0, 2.0];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let fit = Fit::at_estimate(&obj, &[0.0], Convergence::closed_form("mean")).unwrap();
/// let hc0 = covariance(&obj, &fit, &CovarianceType::Hc0).unwrap();
/// assert!((hc0[(0, 0)] - 1.0).abs() < 1e-12);
/// ```
pub fn covariance(objective: &dyn Objective, fit: &Fit, kind: &CovarianceType) -> Result<DMatrix<f64>> {
    let theta = fit.estimates().as_slice();
    let p = theta.len();
    if objective.dimension() != p {
        return Err(MleError::ParameterCount {
            expected: objective.dimension(),
            got: p,
        });
    }
    let n = objective.n_obs() as f64;
    let observed = || -> Result<DMatrix<f64>> {
        let e = objective.evaluate(theta)?;
        invert(&(-e.hessian), "observed information", fit)
    };
    let meat = |scores: &DMatrix<f64>| scores.tr_mul(scores);
    match kind {
        CovarianceType::Observed => observed(),
        CovarianceType::Expected => {
            let info =
                objective
                    .expected_information(theta)
                    .ok_or_else(|| MleError::NoExpectedInformation {
                        model: objective.model_name(),
                    })??;
            invert(&info, "expected information", fit)
        }
        CovarianceType::Opg => invert(&meat(&objective.scores(theta)?), "outer product of scores", fit),
        CovarianceType::Hc0 | CovarianceType::Hc1 => {
            let bread = observed()?;
            let j = meat(&objective.scores(theta)?);
            let mut v = &bread * j * &bread;
            if *kind == CovarianceType::Hc1 {
                v *= hc1_factor(n, p);
            }
            Ok(v)
        }
        CovarianceType::Cluster { clusters, hc1 } => {
            let scores = objective.scores(theta)?;
            if clusters.len() != scores.nrows() {
                return Err(MleError::DimensionMismatch {
                    what: "cluster labels".into(),
                    expected: scores.nrows(),
                    got: clusters.len(),
                });
            }
            let mut labels: Vec<u64> = clusters.clone();
            labels.sort_unstable();
            labels.dedup();
            if labels.len() < 2 {
                return Err(MleError::TooFewClusters {
                    clusters: labels.len(),
                    minimum: 2,
                });
            }
            let mut sums = DMatrix::zeros(labels.len(), p);
            for (i, c) in clusters.iter().enumerate() {
                let gi = labels.binary_search(c).unwrap_or(0);
                let mut target = sums.row_mut(gi);
                target += scores.row(i);
            }
            let bread = observed()?;
            Ok(&bread * meat(&sums) * &bread * cluster_factor(labels.len(), n, p, *hc1))
        }
    }
}

impl Fit {
    /// The same fit with its covariance (and so SEs, z, p, intervals) from another estimator.
    ///
    /// ```
    /// use mle_core::covariance::CovarianceType;
    /// use mle_core::{ClosureDensity, Convergence, DataObjective, Fit, Parameter};
    /// use num_dual::{Dual2SVec64, DualNum};
    /// let d = ClosureDensity::new(vec![Parameter::identity("mu")],
    ///     |t: &[Dual2SVec64<1>], x: &f64| -(t[0] - *x).powi(2) * 0.5);
    /// let data = [-2.0, 2.0, -2.0, 2.0];
    /// let obj = DataObjective::new(&d, &data).unwrap();
    /// let fit = Fit::at_estimate(&obj, &[0.0], Convergence::closed_form("mean")).unwrap()
    ///     .with_covariance_type(&obj, &CovarianceType::Hc0).unwrap();
    /// assert!((fit.std_errors().unwrap()[0] - 1.0).abs() < 1e-12);
    /// assert!(fit.covariance_source().contains("HC0"));
    /// ```
    pub fn with_covariance_type(self, objective: &dyn Objective, kind: &CovarianceType) -> Result<Fit> {
        let v = covariance(objective, &self, kind)?;
        self.with_covariance(kind.to_string(), v)
    }
}
