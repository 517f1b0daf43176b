//! Quantile regression and median (LAD) regression, solved exactly, with standard errors that
//! are valid for them.
//!
//! The τ-th regression quantile minimises the check loss Σᵢ ρ_τ(yᵢ − xᵢᵀβ),
//! ρ_τ(u) = u (τ − 1{u < 0}); it is the maximum-likelihood estimate of β under the asymmetric
//! Laplace model ALD(xᵢᵀβ, σ; τ) ([`AsymmetricLaplace`]), whose scale MLE is then
//! σ̂ = (check loss at β̂) / n. τ = 0.5 is median (least absolute deviations) regression.
//!
//! **Exact solutions.** The check-loss objective is piecewise linear: its minimum is attained
//! at a vertex where p observations are interpolated, and its Hessian is zero almost
//! everywhere, so Newton-type methods and observed-information standard errors do not apply.
//! Two exact algorithms are provided ([`QuantileAlgorithm`]):
//!
//! * the Barrodale–Roberts simplex (the algorithm of `quantreg::rq(method = "br")`, Koenker &
//!   d'Orey, AS 229), which follows the same pivoting rules so that even a non-unique problem
//!   ends at the same vertex as quantreg;
//! * a Frisch–Newton (primal–dual, Mehrotra predictor–corrector) interior-point method, as in
//!   `quantreg::rq(method = "fn")`, **finished by an exact vertex step**: the p observations
//!   with the smallest residuals are interpolated, and simplex pivots are taken until the
//!   optimality condition holds: the dual values of the basic observations,
//!   d = −X_B⁻ᵀ Σ_{i∉B} ψ_τ(rᵢ) xᵢ, all lie in [τ − 1, τ] (0 is in the subdifferential).
//!   At a degenerate vertex (more than p zero residuals: ties, integer data) the pivots are
//!   re-run on a tiny deterministic perturbation of y and the resulting basis is certified on
//!   the original data; the simplex above is the last resort.
//!
//! [`QuantileAlgorithm::Auto`] uses the simplex up to n·p = [`AUTO_SIMPLEX_MAX_CELLS`] and the
//! interior point beyond; for large n the interior point first solves a reduced problem
//! (Portnoy–Koenker preprocessing, as `rq(method = "pfn")`), and the vertex step on the full
//! data certifies the result (n = 10⁵, p = 10 takes a few tens of milliseconds).
//!
//! **Standard errors** ([`QuantileStdErrors`]) follow `quantreg::summary.rq`: `iid`
//! (sparsity from the residual quantiles, Hall–Sheather bandwidth), `nid` (the
//! Hendricks–Koenker sandwich with local densities from fits at τ ± h), or the xy-pairs
//! bootstrap (seeded, reproducible). The covariance label of the [`Fit`] says which.
//!
//! ```
//! use mle_core::Design;
//! use mle_models::quantile::{QuantileRegression, QuantileStdErrors};
//! let x = Design::from_columns(true, &[("x", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])]).unwrap();
//! let y = [1.2, 1.9, 3.4, 3.9, 5.1, 6.3, 6.8, 8.4];
//! let solution = QuantileRegression::median().solve(&x, &y).unwrap();
//! assert_eq!(solution.basis.len(), 2); // a vertex: two observations interpolated
//! let fit = QuantileRegression::median()
//!     .with_std_errors(QuantileStdErrors::Bootstrap { replicates: 50, seed: 1 })
//!     .fit(&x, &y)
//!     .unwrap();
//! assert!(fit.covariance_source().contains("bootstrap"));
//! ```

use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use mle_core::objective::check_parameters;
use mle_core::predictor::PredictorDensity;
use mle_core::summation::{sum_blocks, CompensatedSum, BLOCK};
use mle_core::{
    Convergence, ConvergenceStatus, Design, EstimationMethod, Evaluation, Fit, MleError, Objective,
    Parameter, Result,
};
use nalgebra::{Const, DMatrix, DVector, U1};
use num_dual::Dual2SVec64;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use crate::asymmetric_laplace::{check_loss, AsymmetricLaplace};

/// Largest design size n·p for which [`QuantileAlgorithm::Auto`] uses the Barrodale–Roberts
/// simplex (quantreg's default `br`, whose vertex it reproduces even for non-unique problems);
/// larger problems use the interior point with an exact vertex step (n = 2000, p = 10:
/// ≈ 15 ms against ≈ 3 ms).
///
/// ```
/// assert_eq!(mle_models::quantile::AUTO_SIMPLEX_MAX_CELLS, 20_000);
/// ```
pub const AUTO_SIMPLEX_MAX_CELLS: usize = 20_000;

/// `sqrt(.Machine$double.eps)`: residuals below this are "exact zeros" in `summary.rq`.
const ZERO_RESIDUAL: f64 = 1.490_116_119_384_765_6e-8;

/// Checks that τ is in (0, 1).
pub(crate) fn check_tau(tau: f64) -> Result<()> {
    if tau > 0.0 && tau < 1.0 {
        Ok(())
    } else {
        Err(MleError::TauOutOfRange { tau })
    }
}

/// Which exact algorithm solves the quantile-regression linear programme.
///
/// ```
/// use mle_core::Design;
/// use mle_models::quantile::{QuantileAlgorithm, QuantileRegression};
/// let x = Design::from_columns(true, &[("x", vec![1.0, 2.0, 3.0, 4.0, 5.0])]).unwrap();
/// let y = [1.0, 2.5, 2.0, 4.5, 5.0];
/// let br = QuantileRegression::median().with_algorithm(QuantileAlgorithm::BarrodaleRoberts);
/// let ip = QuantileRegression::median().with_algorithm(QuantileAlgorithm::FrischNewton);
/// let (a, b) = (br.solve(&x, &y).unwrap(), ip.solve(&x, &y).unwrap());
/// assert!((a.objective - b.objective).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuantileAlgorithm {
    /// Barrodale–Roberts up to n·p = [`AUTO_SIMPLEX_MAX_CELLS`], Frisch–Newton beyond.
    #[default]
    Auto,
    /// The Barrodale–Roberts simplex with quantreg's pivoting rules (exact; quadratic-ish in
    /// n, so for small and moderate n).
    BarrodaleRoberts,
    /// Frisch–Newton interior point, then simplex pivots from the nearest vertex until the
    /// optimality condition holds (exact; fast for large n).
    FrischNewton,
}

/// Bandwidth rule for the sparsity (1/density) estimates, as `quantreg::bandwidth.rq`.
///
/// ```
/// use mle_models::quantile::Bandwidth;
/// // quantreg: bandwidth.rq(0.5, 235, hs = TRUE)
/// assert!((Bandwidth::HallSheather.value(0.5, 235) - 0.15743933142023736).abs() < 1e-14);
/// assert!(Bandwidth::Bofinger.value(0.5, 235) > 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bandwidth {
    /// Hall & Sheather (1988), the default of `summary.rq` (`hs = TRUE`):
    /// h = n^(−1/3) z_{0.975}^(2/3) (1.5 φ(Φ⁻¹(τ))² / (2 Φ⁻¹(τ)² + 1))^(1/3).
    #[default]
    HallSheather,
    /// Bofinger (1975) (`hs = FALSE`): h = n^(−1/5) (4.5 φ(Φ⁻¹(τ))⁴ / (2 Φ⁻¹(τ)² + 1)²)^(1/5).
    Bofinger,
}

impl Bandwidth {
    /// The bandwidth for quantile level `tau` and `n` observations.
    ///
    /// ```
    /// use mle_models::quantile::Bandwidth;
    /// let h = Bandwidth::HallSheather.value(0.25, 235);
    /// assert!((h - 0.10904011295465676).abs() < 1e-14);
    /// ```
    pub fn value(self, tau: f64, n: usize) -> f64 {
        let normal = Normal::standard();
        let x0 = normal.inverse_cdf(tau);
        let f0 = normal.pdf(x0);
        let n = n as f64;
        match self {
            Bandwidth::HallSheather => {
                n.powf(-1.0 / 3.0)
                    * normal.inverse_cdf(1.0 - 0.05 / 2.0).powf(2.0 / 3.0)
                    * ((1.5 * (f0 * f0)) / (2.0 * (x0 * x0) + 1.0)).powf(1.0 / 3.0)
            }
            Bandwidth::Bofinger => {
                n.powf(-1.0 / 5.0)
                    * ((4.5 * f0.powf(4.0)) / (2.0 * (x0 * x0) + 1.0).powf(2.0)).powf(1.0 / 5.0)
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Bandwidth::HallSheather => "Hall–Sheather",
            Bandwidth::Bofinger => "Bofinger",
        }
    }
}

/// How the covariance of a quantile-regression fit is estimated. None of them uses the
/// observed information, which does not exist here (the Hessian is zero almost everywhere).
///
/// ```
/// use mle_models::quantile::QuantileStdErrors;
/// assert_eq!(QuantileStdErrors::default(), QuantileStdErrors::Nid);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuantileStdErrors {
    /// i.i.d. errors: cov = ŝ² τ(1−τ) (XᵀX)⁻¹ with the sparsity ŝ = 1/f(F⁻¹(τ)) estimated as in
    /// `summary.rq(se = "iid")`: the slope of a median regression of the sorted residuals
    /// nearest zero on their ranks.
    Iid,
    /// Hendricks–Koenker sandwich (`summary.rq(se = "nid")`): τ(1−τ) (XᵀFX)⁻¹ XᵀX (XᵀFX)⁻¹ with
    /// local densities fᵢ = 2h / xᵢᵀ(β̂(τ+h) − β̂(τ−h)) (negative ones set to 0). Valid when the
    /// error density varies with x. The default.
    #[default]
    Nid,
    /// xy-pairs bootstrap: rows resampled with replacement, the exact fit repeated;
    /// covariance = sample covariance of the replicates. Reproducible for a given seed
    /// (rand 0.9 `StdRng`; replicate b uses its own generator seeded from the master one, so
    /// the result does not depend on the thread count).
    Bootstrap {
        /// Number of bootstrap replicates (at least 2).
        replicates: usize,
        /// Seed of the master random-number generator.
        seed: u64,
    },
}

/// The exact solution of one quantile-regression problem.
///
/// ```
/// use mle_core::Design;
/// use mle_models::quantile::QuantileRegression;
/// let x = Design::intercept(5);
/// let s = QuantileRegression::new(0.2).unwrap().solve(&x, &[3.0, 1.0, 4.0, 1.5, 5.0]).unwrap();
/// assert_eq!(s.coefficients[0], 1.0); // the lower 0.2-quantile: ⌈5 · 0.2⌉ = 1st order statistic
/// assert_eq!(s.residuals[1], 0.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileSolution {
    /// The quantile level τ.
    pub tau: f64,
    /// Coefficient names (the design's column names).
    pub names: Vec<String>,
    /// β̂, solved exactly from the p interpolated observations.
    pub coefficients: DVector<f64>,
    /// The minimised check loss Σ ρ_τ(yᵢ − xᵢᵀβ̂).
    pub objective: f64,
    /// Residuals yᵢ − xᵢᵀβ̂ (exactly zero for the basic observations).
    pub residuals: Vec<f64>,
    /// The p basic (interpolated) observations, zero-based row indices.
    pub basis: Vec<usize>,
    /// The algorithm that produced the vertex (never `Auto`).
    pub algorithm: QuantileAlgorithm,
    /// Interior-point iterations (0 for the simplex).
    pub interior_point_iterations: usize,
    /// Simplex pivots (Barrodale–Roberts, or vertex-finishing pivots after the interior point).
    pub simplex_pivots: usize,
    /// A dual value of a basic observation lies on the boundary of [τ − 1, τ]: other points
    /// of an optimal face may have the same check loss (quantreg: "Solution may be
    /// nonunique").
    pub possibly_nonunique: bool,
}

impl QuantileSolution {
    /// Number of observations.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::quantile::QuantileRegression;
    /// let s = QuantileRegression::median().solve(&Design::intercept(3), &[1.0, 2.0, 4.0]).unwrap();
    /// assert_eq!(s.n_obs(), 3);
    /// ```
    pub fn n_obs(&self) -> usize {
        self.residuals.len()
    }

    /// The asymmetric-Laplace scale MLE σ̂ = (check loss) / n.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::quantile::QuantileRegression;
    /// let s = QuantileRegression::median().solve(&Design::intercept(3), &[1.0, 2.0, 4.0]).unwrap();
    /// assert_eq!(s.sigma(), 0.5 * (1.0 + 2.0) / 3.0);
    /// ```
    pub fn sigma(&self) -> f64 {
        self.objective / self.residuals.len() as f64
    }
}

/// A covariance estimate for (β, log σ) of a quantile-regression fit, with how it was made.
///
/// ```
/// use mle_core::Design;
/// use mle_models::quantile::{QuantileRegression, QuantileStdErrors};
/// let x = Design::from_columns(true, &[("x", (0..40).map(|i| i as f64).collect())]).unwrap();
/// let y: Vec<f64> = (0..40).map(|i| i as f64 + ((i * 7) % 5) as f64).collect();
/// let q = QuantileRegression::median().with_std_errors(QuantileStdErrors::Iid);
/// let s = q.solve(&x, &y).unwrap();
/// let c = q.covariance(&x, &y, &s).unwrap();
/// assert_eq!(c.matrix.nrows(), 3);
/// assert!(c.sparsity.unwrap() > 0.0 && c.label.contains("iid"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileCovariance {
    /// (p + 1) × (p + 1) covariance of (β̂, log σ̂).
    pub matrix: DMatrix<f64>,
    /// How it was obtained (used as the covariance label of the [`Fit`]).
    pub label: String,
    /// The sparsity estimate ŝ (iid).
    pub sparsity: Option<f64>,
    /// The bandwidth used (iid, nid), after halving for nid if τ ± h left (0, 1).
    pub bandwidth: Option<f64>,
    /// Number of non-positive local density estimates set to zero (nid; quantreg warns).
    pub nonpositive_densities: usize,
    /// Bootstrap replicates used (replicates whose resampled design was singular are dropped).
    pub replicates_used: Option<usize>,
}

impl QuantileCovariance {
    /// Standard errors √diag of the covariance, for (β, log σ).
    ///
    /// ```
    /// use mle_models::quantile::QuantileCovariance;
    /// use nalgebra::dmatrix;
    /// let c = QuantileCovariance { matrix: dmatrix![4.0, 0.0; 0.0, 9.0], label: "x".into(),
    ///     sparsity: None, bandwidth: None, nonpositive_densities: 0, replicates_used: None };
    /// assert_eq!(c.std_errors().as_slice(), &[2.0, 3.0]);
    /// ```
    pub fn std_errors(&self) -> DVector<f64> {
        self.matrix.diagonal().map(f64::sqrt)
    }
}

/// Quantile regression at level τ: exact fit, asymmetric-Laplace scale, standard errors.
///
/// ```
/// use mle_core::Design;
/// use mle_models::quantile::{QuantileRegression, QuantileStdErrors};
/// let x = Design::from_columns(true, &[("x", (1..=30).map(f64::from).collect())]).unwrap();
/// let y: Vec<f64> = (1..=30).map(|i| 2.0 + 0.5 * f64::from(i) + f64::from((i * 13) % 7) - 3.0).collect();
/// let fit = QuantileRegression::new(0.75).unwrap().with_std_errors(QuantileStdErrors::Iid).fit(&x, &y).unwrap();
/// assert_eq!(fit.parameters()[1].name, "x");
/// assert_eq!(fit.parameters()[2].natural_name, "sigma");
/// assert!(fit.covariance_source().starts_with("iid"));
/// println!("{fit}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantileRegression {
    tau: f64,
    algorithm: QuantileAlgorithm,
    std_errors: QuantileStdErrors,
    bandwidth: Bandwidth,
}

impl QuantileRegression {
    /// Quantile regression at level `tau` ∈ (0, 1) (a `TauOutOfRange` error otherwise).
    ///
    /// ```
    /// use mle_core::MleError;
    /// use mle_models::quantile::QuantileRegression;
    /// assert!(QuantileRegression::new(0.9).is_ok());
    /// assert!(matches!(QuantileRegression::new(1.0), Err(MleError::TauOutOfRange { .. })));
    /// ```
    pub fn new(tau: f64) -> Result<Self> {
        check_tau(tau)?;
        Ok(QuantileRegression {
            tau,
            algorithm: QuantileAlgorithm::Auto,
            std_errors: QuantileStdErrors::Nid,
            bandwidth: Bandwidth::HallSheather,
        })
    }

    /// Median (least absolute deviations) regression, τ = 0.5.
    ///
    /// ```
    /// assert_eq!(mle_models::quantile::QuantileRegression::median().tau(), 0.5);
    /// ```
    pub fn median() -> Self {
        QuantileRegression {
            tau: 0.5,
            algorithm: QuantileAlgorithm::Auto,
            std_errors: QuantileStdErrors::Nid,
            bandwidth: Bandwidth::HallSheather,
        }
    }

    /// The quantile level τ.
    ///
    /// ```
    /// assert_eq!(mle_models::quantile::QuantileRegression::new(0.1).unwrap().tau(), 0.1);
    /// ```
    pub fn tau(&self) -> f64 {
        self.tau
    }

    /// Chooses the exact algorithm (default [`QuantileAlgorithm::Auto`]).
    ///
    /// ```
    /// use mle_models::quantile::{QuantileAlgorithm, QuantileRegression};
    /// let q = QuantileRegression::median().with_algorithm(QuantileAlgorithm::FrischNewton);
    /// assert_eq!(q.algorithm(), QuantileAlgorithm::FrischNewton);
    /// ```
    pub fn with_algorithm(mut self, algorithm: QuantileAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The algorithm setting.
    ///
    /// ```
    /// use mle_models::quantile::{QuantileAlgorithm, QuantileRegression};
    /// assert_eq!(QuantileRegression::median().algorithm(), QuantileAlgorithm::Auto);
    /// ```
    pub fn algorithm(&self) -> QuantileAlgorithm {
        self.algorithm
    }

    /// Chooses the standard errors (default [`QuantileStdErrors::Nid`]).
    ///
    /// ```
    /// use mle_models::quantile::{QuantileRegression, QuantileStdErrors};
    /// let q = QuantileRegression::median().with_std_errors(QuantileStdErrors::Iid);
    /// assert_eq!(q.std_errors(), QuantileStdErrors::Iid);
    /// ```
    pub fn with_std_errors(mut self, std_errors: QuantileStdErrors) -> Self {
        self.std_errors = std_errors;
        self
    }

    /// The standard-error setting.
    ///
    /// ```
    /// use mle_models::quantile::{QuantileRegression, QuantileStdErrors};
    /// assert_eq!(QuantileRegression::median().std_errors(), QuantileStdErrors::Nid);
    /// ```
    pub fn std_errors(&self) -> QuantileStdErrors {
        self.std_errors
    }

    /// Chooses the bandwidth rule of the iid / nid sparsity estimates (default Hall–Sheather).
    ///
    /// ```
    /// use mle_models::quantile::{Bandwidth, QuantileRegression};
    /// let q = QuantileRegression::median().with_bandwidth(Bandwidth::Bofinger);
    /// assert_eq!(q.bandwidth(), Bandwidth::Bofinger);
    /// ```
    pub fn with_bandwidth(mut self, bandwidth: Bandwidth) -> Self {
        self.bandwidth = bandwidth;
        self
    }

    /// The bandwidth rule.
    ///
    /// ```
    /// use mle_models::quantile::{Bandwidth, QuantileRegression};
    /// assert_eq!(QuantileRegression::median().bandwidth(), Bandwidth::HallSheather);
    /// ```
    pub fn bandwidth(&self) -> Bandwidth {
        self.bandwidth
    }

    /// Solves for β̂ exactly (no standard errors). Checks the input: lengths, finite response,
    /// full column rank (typed errors, never a panic).
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::quantile::QuantileRegression;
    /// let x = Design::from_columns(true, &[("a", vec![1.0, 2.0, 3.0]), ("b", vec![2.0, 4.0, 6.0])]).unwrap();
    /// let e = QuantileRegression::median().solve(&x, &[1.0, 2.0, 3.0]).unwrap_err();
    /// assert!(matches!(e, MleError::RankDeficient { .. }));
    /// ```
    pub fn solve(&self, x: &Design, y: &[f64]) -> Result<QuantileSolution> {
        let rows = validate(x, y)?;
        let vertex = exact_solve(&rows, y, self.tau, self.algorithm)?;
        Ok(solution_from_vertex(
            &rows,
            y,
            self.tau,
            x.names().to_vec(),
            vertex,
        ))
    }

    /// The covariance of (β̂, log σ̂) at a solution, by the configured method.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::quantile::QuantileRegression;
    /// let x = Design::from_columns(true, &[("x", (0..60).map(|i| i as f64).collect())]).unwrap();
    /// let y: Vec<f64> = (0..60).map(|i| 1.0 + i as f64 * (1.0 + ((i * 31) % 11) as f64 / 20.0)).collect();
    /// let q = QuantileRegression::new(0.5).unwrap();
    /// let s = q.solve(&x, &y).unwrap();
    /// let c = q.covariance(&x, &y, &s).unwrap();
    /// assert!(c.label.starts_with("nid"));
    /// ```
    pub fn covariance(
        &self,
        x: &Design,
        y: &[f64],
        solution: &QuantileSolution,
    ) -> Result<QuantileCovariance> {
        let rows = validate(x, y)?;
        if solution.coefficients.len() != x.ncols() || solution.residuals.len() != y.len() {
            return Err(MleError::DimensionMismatch {
                what: "quantile solution and design".into(),
                expected: x.ncols(),
                got: solution.coefficients.len(),
            });
        }
        self.covariance_rows(&rows, y, solution)
    }

    fn covariance_rows(
        &self,
        rows: &Rows,
        y: &[f64],
        solution: &QuantileSolution,
    ) -> Result<QuantileCovariance> {
        let (n, p) = (rows.n, rows.p);
        let tau = self.tau;
        let sigma = solution.sigma();
        if sigma.is_nan() || sigma <= 0.0 {
            return Err(zero_scale_error(sigma));
        }
        match self.std_errors {
            QuantileStdErrors::Iid => {
                let sp = iid_sparsity(&solution.residuals, p, tau, self.bandwidth)?;
                let xtx_inv = spd_inverse(&gram(rows, None), "XᵀX")?;
                let cov_beta = &xtx_inv * (sp.sparsity * sp.sparsity * tau * (1.0 - tau));
                // Bahadur: β̂ − β ≈ ŝ (XᵀX)⁻¹ Σ xᵢ ψᵢ.
                let bahadur = &xtx_inv * sp.sparsity;
                let matrix = with_scale_block(rows, &solution.residuals, tau, sigma, &cov_beta, &bahadur);
                Ok(QuantileCovariance {
                    matrix,
                    label: format!(
                        "iid: ŝ² τ(1−τ) (XᵀX)⁻¹ with sparsity ŝ = {:.6} (quantreg summary.rq se = \"iid\"; \
                         {} bandwidth {:.6}, {} residuals after {} exact zeros); log σ from the variance \
                         of the check losses (n = {n})",
                        sp.sparsity,
                        self.bandwidth.describe(),
                        sp.bandwidth,
                        sp.h + 1,
                        sp.pz
                    ),
                    sparsity: Some(sp.sparsity),
                    bandwidth: Some(sp.bandwidth),
                    nonpositive_densities: 0,
                    replicates_used: None,
                })
            }
            QuantileStdErrors::Nid => {
                let mut h = self.bandwidth.value(tau, n);
                while tau - h < 0.0 || tau + h > 1.0 {
                    h /= 2.0;
                }
                let hi = exact_solve(rows, y, tau + h, self.algorithm)?;
                let lo = exact_solve(rows, y, tau - h, self.algorithm)?;
                let diff: Vec<f64> = hi.beta.iter().zip(&lo.beta).map(|(a, b)| a - b).collect();
                let mut nonpositive = 0;
                let f: Vec<f64> = (0..n)
                    .map(|i| {
                        let dyhat = dot(rows.row(i), &diff);
                        if dyhat <= 0.0 {
                            nonpositive += 1;
                        }
                        (2.0 * h / (dyhat - ZERO_RESIDUAL)).max(0.0)
                    })
                    .collect();
                if f.iter().any(|v| !v.is_finite()) {
                    return Err(MleError::SingularInformation {
                        detail: "nid: a fitted quantile difference xᵢᵀ(β̂(τ+h) − β̂(τ−h)) equals the offset \
                                 √ε exactly, so a local density is infinite; use se = iid or the bootstrap"
                            .into(),
                    });
                }
                let xfx_inv = spd_inverse(&gram(rows, Some(&f)), "XᵀFX (local densities)")?;
                let xtx = gram(rows, None);
                let cov_beta = &xfx_inv * &xtx * &xfx_inv * (tau * (1.0 - tau));
                let matrix = with_scale_block(rows, &solution.residuals, tau, sigma, &cov_beta, &xfx_inv);
                Ok(QuantileCovariance {
                    matrix,
                    label: format!(
                        "nid: Hendricks–Koenker sandwich τ(1−τ) (XᵀFX)⁻¹ XᵀX (XᵀFX)⁻¹, fᵢ = 2h / xᵢᵀ(β̂(τ+h) − β̂(τ−h)) \
                         with {} bandwidth h = {h:.6} (quantreg summary.rq se = \"nid\"){}; log σ from the \
                         variance of the check losses (n = {n})",
                        self.bandwidth.describe(),
                        if nonpositive > 0 {
                            format!("; {nonpositive} non-positive fᵢ set to 0")
                        } else {
                            String::new()
                        }
                    ),
                    sparsity: None,
                    bandwidth: Some(h),
                    nonpositive_densities: nonpositive,
                    replicates_used: None,
                })
            }
            QuantileStdErrors::Bootstrap { replicates, seed } => {
                if replicates < 2 {
                    return Err(MleError::TooFewReplicates {
                        replicates,
                        minimum: 2,
                    });
                }
                let seeds = replicate_seeds(seed, replicates);
                let draws = parallel_map(replicates, |b| {
                    let mut rng = StdRng::seed_from_u64(seeds[b]);
                    let idx: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
                    let sub = rows.select(&idx);
                    let ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
                    let v = exact_solve(&sub, &ys, tau, self.algorithm).ok()?;
                    let obj = check_loss_sum(&sub, &ys, &v.beta, tau);
                    let s = obj / n as f64;
                    if s.is_nan() || s <= 0.0 {
                        return None;
                    }
                    let mut theta = v.beta;
                    theta.push(s.ln());
                    Some(theta)
                });
                let kept: Vec<Vec<f64>> = draws.into_iter().flatten().collect();
                if kept.len() < 2 {
                    return Err(MleError::SingularInformation {
                        detail: format!(
                            "bootstrap: only {} of {replicates} resampled designs had full rank and σ̂* > 0",
                            kept.len()
                        ),
                    });
                }
                let matrix = sample_covariance(&kept, p + 1);
                let dropped = replicates - kept.len();
                Ok(QuantileCovariance {
                    matrix,
                    label: format!(
                        "xy-pairs bootstrap: sample covariance of {} replicates (seed {seed}, rand 0.9 StdRng){}",
                        kept.len(),
                        if dropped > 0 {
                            format!("; {dropped} replicates with a singular resampled design or σ̂* = 0 dropped")
                        } else {
                            String::new()
                        }
                    ),
                    sparsity: None,
                    bandwidth: None,
                    nonpositive_densities: 0,
                    replicates_used: Some(kept.len()),
                })
            }
        }
    }

    /// Exact fit of the asymmetric-Laplace quantile regression: β̂ (exact vertex), log σ̂ with
    /// σ̂ = check loss / n, ℓ and its (one-sided) derivatives at θ̂ from the dual-number
    /// density, and the covariance from the configured method (never the observed
    /// information, which is singular here). Errors: lengths, non-finite values, rank
    /// deficiency, σ̂ = 0 (the fit interpolates every observation).
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::quantile::QuantileRegression;
    /// let x = Design::from_columns(true, &[("x", (0..50).map(|i| i as f64).collect())]).unwrap();
    /// let y: Vec<f64> = (0..50).map(|i| 3.0 + 0.2 * i as f64 + ((i * 17) % 9) as f64 * 0.3).collect();
    /// let fit = QuantileRegression::new(0.25).unwrap().fit(&x, &y).unwrap();
    /// assert_eq!(fit.n_obs(), 50);
    /// assert!(fit.std_errors().is_some());
    /// ```
    pub fn fit(&self, x: &Design, y: &[f64]) -> Result<Fit> {
        let (objective, rows) = QuantileRegressionObjective::checked(self.tau, x, y)?;
        let vertex = exact_solve(&rows, y, self.tau, self.algorithm)?;
        let solution = solution_from_vertex(&rows, y, self.tau, x.names().to_vec(), vertex);
        let sigma = solution.sigma();
        if sigma.is_nan() || sigma <= 0.0 {
            return Err(zero_scale_error(sigma));
        }
        let mut theta: Vec<f64> = solution.coefficients.iter().copied().collect();
        theta.push(sigma.ln());
        let convergence = Convergence::new(
            match solution.algorithm {
                QuantileAlgorithm::FrischNewton => EstimationMethod::FrischNewtonInteriorPoint,
                _ => EstimationMethod::BarrodaleRobertsSimplex,
            },
            ConvergenceStatus::ExactVertex {
                interpolated: solution.basis.len(),
                possibly_nonunique: solution.possibly_nonunique,
            },
            (solution.interior_point_iterations + solution.simplex_pivots) as u64,
        );
        let covariance = self.covariance_rows(&rows, y, &solution)?;
        Fit::at_estimate(&objective, &theta, convergence)?
            .with_covariance(covariance.label, covariance.matrix)
    }
}

fn zero_scale_error(sigma: f64) -> MleError {
    MleError::InvalidParameter {
        name: "sigma".into(),
        value: sigma,
        reason: "the check loss is zero at β̂ (every observation is interpolated): σ̂ = 0 is on the \
                 boundary and the asymmetric-Laplace likelihood is unbounded"
            .into(),
    }
}

/// Checks a design / response pair (same length, non-empty, finite response, full column
/// rank) and returns the row-major copy. Rank: a one-pass screen on the equilibrated Gram
/// matrix accepts clearly full-rank designs; anything doubtful goes to
/// [`Design::check_rank`], whose verdict (and error message) is final.
fn validate(x: &Design, y: &[f64]) -> Result<Rows> {
    if y.is_empty() {
        return Err(MleError::EmptyData);
    }
    if y.len() != x.nrows() {
        return Err(MleError::DimensionMismatch {
            what: "response length vs design rows".into(),
            expected: x.nrows(),
            got: y.len(),
        });
    }
    if let Some(index) = y.iter().position(|v| !v.is_finite()) {
        return Err(MleError::NonFiniteObservation { index });
    }
    if x.ncols() == 0 {
        return Err(MleError::InvalidDesign {
            reason: "the design has no columns (an intercept-only model is Design::intercept(n))".into(),
        });
    }
    let rows = Rows::from_matrix(x.matrix());
    if !clearly_full_rank(&rows) {
        x.check_rank(1e-13)?;
    }
    Ok(rows)
}

/// Cholesky of the correlation-scaled Gram matrix with every pivot ≥ 1e-8 (column residual
/// norms ≥ 1e-4 relative: far from the 1e-13 of the exact check).
fn clearly_full_rank(rows: &Rows) -> bool {
    if rows.n < rows.p {
        return false;
    }
    let g = gram(rows, None);
    let d: Vec<f64> = g
        .diagonal()
        .iter()
        .map(|v| if *v > 0.0 { 1.0 / v.sqrt() } else { 0.0 })
        .collect();
    if d.iter().any(|v| *v == 0.0 || !v.is_finite()) {
        return false;
    }
    let scaled = DMatrix::from_fn(rows.p, rows.p, |a, b| g[(a, b)] * d[a] * d[b]);
    match scaled.cholesky() {
        Some(c) => c.l().diagonal().iter().all(|v| v * v >= 1e-8),
        None => false,
    }
}

fn solution_from_vertex(rows: &Rows, y: &[f64], tau: f64, names: Vec<String>, v: Vertex) -> QuantileSolution {
    let mut residuals = residuals(rows, y, &v.beta);
    for &b in &v.basis {
        residuals[b] = 0.0;
    }
    let objective = compensated_check_loss(&residuals, tau);
    QuantileSolution {
        tau,
        names,
        coefficients: DVector::from_vec(v.beta),
        objective,
        residuals,
        basis: v.basis,
        algorithm: v.algorithm,
        interior_point_iterations: v.ipm_iterations,
        simplex_pivots: v.pivots,
        possibly_nonunique: v.nonunique,
    }
}

/// Σ ρ_τ(rᵢ), compensated.
pub(crate) fn compensated_check_loss(residuals: &[f64], tau: f64) -> f64 {
    sum_blocks(residuals.len(), 1, |range, out| {
        out[0] += residuals[range].iter().map(|&r| check_loss(r, tau)).sum::<f64>();
    })[0]
}

fn check_loss_sum(rows: &Rows, y: &[f64], beta: &[f64], tau: f64) -> f64 {
    compensated_check_loss(&residuals(rows, y, beta), tau)
}

/// Covariance of (β, log σ): `cov_beta` for β; for σ̂ = mean ρᵢ, Var(σ̂) ≈ var(ρᵢ)/n and, from
/// the Bahadur representation β̂ − β ≈ B Σ xᵢ ψᵢ, Cov(β̂, σ̂) ≈ B Σ xᵢ ψᵢ (ρᵢ − σ̂) / n; both
/// divided by σ̂ (σ̂²) for log σ.
fn with_scale_block(
    rows: &Rows,
    residuals: &[f64],
    tau: f64,
    sigma: f64,
    cov_beta: &DMatrix<f64>,
    bahadur: &DMatrix<f64>,
) -> DMatrix<f64> {
    let (n, p) = (rows.n, rows.p);
    let sums = sum_blocks(n, p + 1, |range, out| {
        for i in range {
            let r = residuals[i];
            let rho = check_loss(r, tau);
            let psi = if r < 0.0 { tau - 1.0 } else { tau };
            let c = rho - sigma;
            out[p] += c * c;
            let w = psi * c;
            for (o, &x) in out[..p].iter_mut().zip(rows.row(i)) {
                *o += w * x;
            }
        }
    });
    let nf = n as f64;
    let var_log_sigma = sums[p] / nf / nf / (sigma * sigma);
    let cross = bahadur * DVector::from_column_slice(&sums[..p]) / (nf * sigma);
    let mut m = DMatrix::zeros(p + 1, p + 1);
    m.view_mut((0, 0), (p, p)).copy_from(cov_beta);
    for j in 0..p {
        m[(j, p)] = cross[j];
        m[(p, j)] = cross[j];
    }
    m[(p, p)] = var_log_sigma;
    m
}

fn sample_covariance(draws: &[Vec<f64>], k: usize) -> DMatrix<f64> {
    let b = draws.len() as f64;
    let mean: Vec<f64> = (0..k)
        .map(|j| draws.iter().map(|d| d[j]).sum::<f64>() / b)
        .collect();
    DMatrix::from_fn(k, k, |r, c| {
        draws
            .iter()
            .map(|d| (d[r] - mean[r]) * (d[c] - mean[c]))
            .sum::<f64>()
            / (b - 1.0)
    })
}

/// Per-replicate seeds drawn from a master generator (thread-count independent).
pub(crate) fn replicate_seeds(seed: u64, count: usize) -> Vec<u64> {
    let mut master = StdRng::seed_from_u64(seed);
    (0..count).map(|_| master.random::<u64>()).collect()
}

/// Runs `f(0..count)` on scoped threads; results in index order, whatever the thread count.
pub(crate) fn parallel_map<T: Send>(count: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(count);
    if threads <= 1 {
        return (0..count).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut pairs: Vec<(usize, T)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut local = Vec::new();
                    loop {
                        let i = next.fetch_add(1, AtomicOrdering::Relaxed);
                        if i >= count {
                            break;
                        }
                        local.push((i, f(i)));
                    }
                    local
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    pairs.sort_by_key(|(i, _)| *i);
    pairs.into_iter().map(|(_, v)| v).collect()
}

// ---------------------------------------------------------------------------------------------
// Sparsity (iid) as quantreg's summary.rq.
// ---------------------------------------------------------------------------------------------

/// The `iid` sparsity estimate of `summary.rq`.
pub(crate) struct IidSparsity {
    pub(crate) sparsity: f64,
    pub(crate) bandwidth: f64,
    pub(crate) h: usize,
    pub(crate) pz: usize,
}

/// quantreg `summary.rq(se = "iid")`: pz = #{|rᵢ| < √ε}; h = max(p + 1, ⌈n·bw⌉); the residuals
/// with |r|-ranks pz+1 … pz+h+1 (stable order), sorted, are regressed (median, Barrodale–Roberts)
/// on their ranks / (n − p); the slope is the sparsity.
pub(crate) fn iid_sparsity(
    residuals: &[f64],
    p: usize,
    tau: f64,
    bandwidth: Bandwidth,
) -> Result<IidSparsity> {
    let n = residuals.len();
    let bw = bandwidth.value(tau, n);
    let pz = residuals.iter().filter(|r| r.abs() < ZERO_RESIDUAL).count();
    let h = (p + 1).max((n as f64 * bw).ceil() as usize);
    let last = pz + h + 1; // 1-based position of the last residual used
    if last > n || n <= p {
        return Err(MleError::TooFewResidualsForSparsity {
            needed: h + 1,
            zeros: pz,
            n,
        });
    }
    let mut order: Vec<usize> = (0..n).collect();
    let by_abs = |a: &usize, b: &usize| residuals[*a].abs().total_cmp(&residuals[*b].abs()).then(a.cmp(b));
    if last < n {
        order.select_nth_unstable_by(last, by_abs);
    }
    order[..last].sort_by(by_abs);
    let mut selected: Vec<f64> = order[pz..last].iter().map(|&i| residuals[i]).collect();
    selected.sort_by(f64::total_cmp);
    let denom = (n - p) as f64;
    let design = Rows::from_fn(selected.len(), 2, |i, j| {
        if j == 0 {
            1.0
        } else {
            (pz + 1 + i) as f64 / denom
        }
    });
    let v = barrodale_roberts(&design, &selected, 0.5)?;
    Ok(IidSparsity {
        sparsity: v.beta[1],
        bandwidth: bw,
        h,
        pz,
    })
}

// ---------------------------------------------------------------------------------------------
// Linear algebra helpers on a row-major copy of the design.
// ---------------------------------------------------------------------------------------------

/// Row-major copy of a design: the solvers walk observations.
#[derive(Debug, Clone)]
pub(crate) struct Rows {
    data: Vec<f64>,
    n: usize,
    p: usize,
}

impl Rows {
    fn from_matrix(x: &DMatrix<f64>) -> Self {
        let (n, p) = x.shape();
        let mut data = vec![0.0; n * p];
        let src = x.as_slice();
        // Blocks of rows: the destination block stays in cache while the columns are read.
        const ROWS: usize = 256;
        for start in (0..n).step_by(ROWS) {
            let end = (start + ROWS).min(n);
            for j in 0..p {
                for (k, &v) in src[j * n + start..j * n + end].iter().enumerate() {
                    data[(start + k) * p + j] = v;
                }
            }
        }
        Rows { data, n, p }
    }

    pub(crate) fn from_fn(n: usize, p: usize, f: impl Fn(usize, usize) -> f64) -> Self {
        let mut data = Vec::with_capacity(n * p);
        for i in 0..n {
            for j in 0..p {
                data.push(f(i, j));
            }
        }
        Rows { data, n, p }
    }

    fn select(&self, idx: &[usize]) -> Rows {
        let mut data = Vec::with_capacity(idx.len() * self.p);
        for &i in idx {
            data.extend_from_slice(self.row(i));
        }
        Rows {
            data,
            n: idx.len(),
            p: self.p,
        }
    }

    #[inline]
    fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.p..(i + 1) * self.p]
    }
}

#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn residuals(rows: &Rows, y: &[f64], beta: &[f64]) -> Vec<f64> {
    y.iter()
        .enumerate()
        .map(|(i, &yi)| yi - dot(rows.row(i), beta))
        .collect()
}

/// Σ wᵢ xᵢ xᵢᵀ (w = 1 when `None`), compensated and deterministic.
fn gram(rows: &Rows, weights: Option<&[f64]>) -> DMatrix<f64> {
    let p = rows.p;
    let tri = p * (p + 1) / 2;
    let s = sum_blocks(rows.n, tri, |range, out| {
        for i in range {
            let w = weights.map_or(1.0, |w| w[i]);
            accumulate_outer(out, rows.row(i), w);
        }
    });
    unpack_symmetric(&s, p)
}

#[inline]
fn accumulate_outer(out: &mut [f64], x: &[f64], w: f64) {
    let mut k = 0;
    for (a, &xa) in x.iter().enumerate() {
        let wa = w * xa;
        for (o, &xb) in out[k..k + x.len() - a].iter_mut().zip(&x[a..]) {
            *o += wa * xb;
        }
        k += x.len() - a;
    }
}

fn unpack_symmetric(s: &[f64], p: usize) -> DMatrix<f64> {
    let mut m = DMatrix::zeros(p, p);
    let mut k = 0;
    for a in 0..p {
        for b in a..p {
            m[(a, b)] = s[k];
            m[(b, a)] = s[k];
            k += 1;
        }
    }
    m
}

fn spd_inverse(m: &DMatrix<f64>, what: &str) -> Result<DMatrix<f64>> {
    let inv = m.clone().cholesky().map(|c| c.inverse());
    match inv {
        Some(inv) if inv.iter().all(|v| v.is_finite()) => Ok(inv),
        _ => Err(MleError::SingularInformation {
            detail: format!("{what} is not positive definite, so this covariance cannot be formed"),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Exact solvers.
// ---------------------------------------------------------------------------------------------

/// A vertex of the quantile-regression LP.
#[derive(Debug, Clone)]
pub(crate) struct Vertex {
    pub(crate) beta: Vec<f64>,
    pub(crate) basis: Vec<usize>,
    algorithm: QuantileAlgorithm,
    ipm_iterations: usize,
    pivots: usize,
    nonunique: bool,
}

pub(crate) fn exact_solve(rows: &Rows, y: &[f64], tau: f64, algorithm: QuantileAlgorithm) -> Result<Vertex> {
    match algorithm {
        QuantileAlgorithm::BarrodaleRoberts => barrodale_roberts(rows, y, tau),
        QuantileAlgorithm::FrischNewton => interior_point_vertex(rows, y, tau),
        QuantileAlgorithm::Auto => {
            if rows.n * rows.p <= AUTO_SIMPLEX_MAX_CELLS {
                barrodale_roberts(rows, y, tau)
            } else {
                interior_point_vertex(rows, y, tau)
            }
        }
    }
}

fn singular_basis() -> MleError {
    MleError::SingularInformation {
        detail: "the basic observations of the quantile-regression vertex are linearly dependent \
                 (the design is numerically rank deficient)"
            .into(),
    }
}

/// Solves X_B β = y_B for the basis rows; `None` if X_B is singular.
fn solve_basis(rows: &Rows, y: &[f64], basis: &[usize]) -> Option<(DVector<f64>, DMatrix<f64>)> {
    let p = rows.p;
    let xb = DMatrix::from_fn(p, p, |a, j| rows.row(basis[a])[j]);
    let yb = DVector::from_fn(p, |a, _| y[basis[a]]);
    let lu = xb.lu();
    let beta = lu.solve(&yb)?;
    let inv = lu.try_inverse()?;
    (beta.iter().all(|v| v.is_finite()) && inv.iter().all(|v| v.is_finite())).then_some((beta, inv))
}

/// The Barrodale–Roberts simplex for the check-loss LP, with the pivoting rules of
/// Koenker & d'Orey (AS 229) as used by `quantreg::rq.fit.br` (condensed tableau; stage 1
/// brings the coefficients into the basis, stage 2 exchanges observations; the ratio test
/// passes through breakpoints while the marginal cost stays positive). Follows the same
/// choices, so non-unique problems end at quantreg's vertex. β is then re-solved from the p
/// basic observations.
pub(crate) fn barrodale_roberts(rows: &Rows, y: &[f64], tau: f64) -> Result<Vertex> {
    let (m, p) = (rows.n, rows.p);
    let w = p + 1; // p tableau columns, then the right-hand side
    let toler = f64::EPSILON.powf(2.0 / 3.0);
    let mut t = vec![0.0; m * w];
    let mut row_label: Vec<i64> = Vec::with_capacity(m);
    for i in 0..m {
        let r = &mut t[i * w..(i + 1) * w];
        r[..p].copy_from_slice(rows.row(i));
        r[p] = y[i];
        let mut label = (p + i + 1) as i64;
        if y[i] < 0.0 {
            r.iter_mut().for_each(|v| *v = -*v);
            label = -label;
        }
        row_label.push(label);
    }
    let mut col_label: Vec<i64> = (1..=p as i64).collect();
    // Marginal costs (twice the rate of decrease of the check loss along each column).
    let mut cost = vec![0.0; p];
    for (j, c) in cost.iter_mut().enumerate() {
        let (mut m2, mut m3) = (0.0, 0.0);
        for (i, &label) in row_label.iter().enumerate() {
            let aux = t[i * w + j];
            let s = if label > 0 { 1.0 } else { -1.0 };
            m2 += aux * (1.0 - s);
            m3 += aux * s;
        }
        let m3 = 2.0 * m3;
        *c = m2 + m3 * tau;
    }
    let (mut kr, mut kl, mut kount) = (0usize, 0usize, 0usize);
    let mut stage1 = true;
    let mut candidates = RatioList::default();
    let max_steps = 100 * (m + p) + 10_000;
    let mut steps = 0usize;
    'outer: loop {
        steps += 1;
        if steps > max_steps {
            return Err(MleError::NoConvergence {
                reason: "Barrodale–Roberts simplex: pivot limit reached (cycling?)".into(),
                iterations: steps as u64,
                gradient_norm: f64::NAN,
                last: Vec::new(),
            });
        }
        let entering;
        if stage1 {
            if kount + kr == p {
                stage1 = false;
                continue;
            }
            let mut max = -1.0;
            let mut inn = usize::MAX;
            for j in kr..p {
                if col_label[j].unsigned_abs() as usize <= p {
                    let d = cost[j].abs();
                    if d > max {
                        max = d;
                        inn = j;
                    }
                }
            }
            if inn == usize::MAX {
                return Err(singular_basis());
            }
            if cost[inn] < 0.0 {
                negate_column(&mut t, w, inn, &mut cost, &mut col_label);
            }
            entering = inn;
        } else {
            let mut max = f64::MIN;
            let mut inn = usize::MAX;
            for (j, &c) in cost.iter().enumerate().skip(kr) {
                let mut d = c;
                if d < 0.0 {
                    if d > -2.0 {
                        continue;
                    }
                    d = -d - 2.0;
                }
                if d > max {
                    max = d;
                    inn = j;
                }
            }
            if inn == usize::MAX || max <= toler {
                break 'outer;
            }
            if cost[inn] <= 0.0 {
                negate_column(&mut t, w, inn, &mut cost, &mut col_label);
                cost[inn] -= 2.0;
            }
            entering = inn;
        }
        // Ratio test over the observation rows, passing through breakpoints.
        candidates.clear();
        for i in kl..m {
            let d = t[i * w + entering];
            if d > toler {
                candidates.push(t[i * w + p] / d, i);
            }
        }
        loop {
            let Some(out) = candidates.pop_min() else {
                if stage1 {
                    // Linearly dependent column: set it aside.
                    swap_columns(&mut t, w, kr, entering, &mut cost, &mut col_label);
                    kr += 1;
                    continue 'outer;
                }
                return Err(MleError::NoConvergence {
                    reason: "Barrodale–Roberts simplex: premature end (possible conditioning problem in x)"
                        .into(),
                    iterations: steps as u64,
                    gradient_norm: f64::NAN,
                    last: Vec::new(),
                });
            };
            let pivot = t[out * w + entering];
            if cost[entering] - pivot - pivot <= toler {
                pivot_tableau(&mut t, w, m, out, entering, kr, &mut cost);
                std::mem::swap(&mut row_label[out], &mut col_label[entering]);
                kount += 1;
                if stage1 {
                    kl += 1;
                    let target = kount - 1;
                    if target != out {
                        for j in kr..w {
                            t.swap(out * w + j, target * w + j);
                        }
                        row_label.swap(out, target);
                    }
                }
                continue 'outer;
            }
            // Pass through: this residual changes sign, the marginal cost drops by 2·pivot.
            for j in kr..w {
                let d = t[out * w + j];
                if j < p {
                    cost[j] = cost[j] - d - d;
                }
                t[out * w + j] = -d;
            }
            row_label[out] = -row_label[out];
        }
    }
    let nonunique = kr == 0
        && cost.iter().any(|c| {
            let d = c.abs();
            d <= toler || 2.0 - d <= toler
        });
    let mut beta = vec![0.0; p];
    for i in 0..kl {
        let k = row_label[i].unsigned_abs() as usize;
        if (1..=p).contains(&k) {
            beta[k - 1] = t[i * w + p] * row_label[i].signum() as f64;
        }
    }
    let basis: Vec<usize> = (kr..p)
        .filter_map(|j| {
            let l = col_label[j].unsigned_abs() as usize;
            (l > p).then(|| l - p - 1)
        })
        .collect();
    if basis.len() != p {
        // A column was set aside as linearly dependent (quantreg would have stopped with
        // "Singular design matrix" before starting).
        return Err(singular_basis());
    }
    if let Some((b, _)) = solve_basis(rows, y, &basis) {
        beta = b.iter().copied().collect();
    }
    Ok(Vertex {
        beta,
        basis,
        algorithm: QuantileAlgorithm::BarrodaleRoberts,
        ipm_iterations: 0,
        pivots: kount,
        nonunique,
    })
}

/// The ratio-test list of AS 229: candidates in row order; each extraction takes the smallest
/// ratio (strict `<`: the first position among equal ratios) and moves the last entry into the
/// hole. The first few extractions scan the list; after that a value-sorted index with the
/// same positional bookkeeping gives identical choices in O(log k) amortised per extraction
/// (a long pass-through no longer costs O(k²)).
#[derive(Default)]
struct RatioList {
    values: Vec<f64>,
    rows: Vec<usize>,
    /// Element ids by current position.
    order: Vec<usize>,
    /// Current position of each element id (sorted mode).
    pos: Vec<usize>,
    removed: Vec<bool>,
    sorted: Vec<usize>,
    next: usize,
    scans: usize,
}

impl RatioList {
    const LINEAR_SCANS: usize = 8;

    fn clear(&mut self) {
        self.values.clear();
        self.rows.clear();
        self.order.clear();
        self.sorted.clear();
        self.next = 0;
        self.scans = 0;
    }

    fn push(&mut self, value: f64, row: usize) {
        self.order.push(self.values.len());
        self.values.push(value);
        self.rows.push(row);
    }

    fn remove_at(&mut self, j: usize) -> usize {
        let id = self.order.swap_remove(j);
        if !self.sorted.is_empty() {
            if j < self.order.len() {
                self.pos[self.order[j]] = j;
            }
            self.removed[id] = true;
        }
        id
    }

    fn pop_min(&mut self) -> Option<usize> {
        if self.order.is_empty() {
            return None;
        }
        if self.sorted.is_empty() && (self.scans < Self::LINEAR_SCANS || self.order.len() <= 64) {
            self.scans += 1;
            let (mut j, mut min) = (0, f64::MAX);
            for (k, &id) in self.order.iter().enumerate() {
                if self.values[id] < min {
                    min = self.values[id];
                    j = k;
                }
            }
            let id = self.remove_at(j);
            return Some(self.rows[id]);
        }
        if self.sorted.is_empty() {
            let total = self.values.len();
            self.pos = vec![usize::MAX; total];
            self.removed = vec![true; total];
            for (k, &id) in self.order.iter().enumerate() {
                self.pos[id] = k;
                self.removed[id] = false;
            }
            self.sorted = self.order.clone();
            let values = &self.values;
            self.sorted
                .sort_unstable_by(|a, b| values[*a].total_cmp(&values[*b]));
            self.next = 0;
        }
        while self.removed[self.sorted[self.next]] {
            self.next += 1;
        }
        let v = self.values[self.sorted[self.next]];
        let mut best = self.sorted[self.next];
        for &id in self.sorted[self.next..]
            .iter()
            .take_while(|&&id| self.values[id] == v)
        {
            if !self.removed[id] && self.pos[id] < self.pos[best] {
                best = id;
            }
        }
        let id = self.remove_at(self.pos[best]);
        Some(self.rows[id])
    }
}

fn negate_column(t: &mut [f64], w: usize, j: usize, cost: &mut [f64], col_label: &mut [i64]) {
    for row in t.chunks_exact_mut(w) {
        row[j] = -row[j];
    }
    cost[j] = -cost[j];
    col_label[j] = -col_label[j];
}

fn swap_columns(t: &mut [f64], w: usize, a: usize, b: usize, cost: &mut [f64], col_label: &mut [i64]) {
    if a == b {
        return;
    }
    for row in t.chunks_exact_mut(w) {
        row.swap(a, b);
    }
    cost.swap(a, b);
    col_label.swap(a, b);
}

/// Pivot of the condensed tableau on (out, entering) over columns kr.. (incl. the rhs).
fn pivot_tableau(
    t: &mut [f64],
    w: usize,
    m: usize,
    out: usize,
    entering: usize,
    kr: usize,
    cost: &mut [f64],
) {
    let p = w - 1;
    let pivot = t[out * w + entering];
    let mut prow = t[out * w..(out + 1) * w].to_vec();
    for (j, v) in prow.iter_mut().enumerate().skip(kr) {
        if j != entering {
            *v /= pivot;
        }
    }
    for i in 0..m {
        if i == out {
            continue;
        }
        let row = &mut t[i * w..(i + 1) * w];
        let d = row[entering];
        if d != 0.0 {
            for (j, (v, &pv)) in row.iter_mut().zip(&prow).enumerate().skip(kr) {
                if j != entering {
                    *v -= d * pv;
                }
            }
            row[entering] = -d / pivot;
        }
    }
    let d = cost[entering];
    for (j, c) in cost.iter_mut().enumerate().take(p).skip(kr) {
        if j != entering {
            *c -= d * prow[j];
        }
    }
    cost[entering] = -d / pivot;
    prow[entering] = 1.0 / pivot;
    t[out * w..(out + 1) * w].copy_from_slice(&prow);
}

/// Frisch–Newton interior point, then the exact vertex step. For large n (when
/// m = ((p + 1) n)^(2/3) ≤ n/4) with the preprocessing of Portnoy & Koenker (1997), as
/// `quantreg::rq.fit.pfn`: fit a subsample of m observations, keep the ≈ 0.8 m observations
/// nearest that fit (in units of their leverage), replace those above / below by one
/// pseudo-observation each (sums of their rows and responses), solve the reduced problem and
/// check the signs of the globbed residuals (fixing up a few, or doubling m). The check loss
/// of the reduced problem is below the full one everywhere and equal at its solution when the
/// signs hold, so that solution is optimal; the vertex step on the full data verifies it
/// (and pivots if needed), so exactness never rests on the heuristic.
fn interior_point_vertex(rows: &Rows, y: &[f64], tau: f64) -> Result<Vertex> {
    let (n, p) = (rows.n, rows.p);
    let m = (((p + 1) * n) as f64).powf(2.0 / 3.0).round() as usize;
    if 4 * m <= n {
        if let Ok(v) = preprocessed_vertex(rows, y, tau, m) {
            return Ok(v);
        }
    }
    let (beta, iterations) = frisch_newton(rows, y, tau)?;
    let basis = choose_basis(rows, &residuals(rows, y, &beta))?;
    let mut v = vertex_from_basis(rows, y, tau, basis)?;
    v.ipm_iterations += iterations;
    Ok(v)
}

fn preprocessed_vertex(rows: &Rows, y: &[f64], tau: f64, mut m: usize) -> Result<Vertex> {
    const MAX_BAD_FIXUPS: usize = 3;
    let (n, p) = (rows.n, rows.p);
    let mut rng = StdRng::seed_from_u64(0x5155_414e_5452_4547);
    let mut iterations = 0;
    loop {
        if 2 * m >= n {
            return Err(singular_basis()); // not worth it: the caller solves directly
        }
        let mut sample = rand::seq::index::sample(&mut rng, n, m).into_vec();
        sample.sort_unstable();
        let sub = rows.select(&sample);
        let ys: Vec<f64> = sample.iter().map(|&i| y[i]).collect();
        let (b0, it) = frisch_newton(&sub, &ys, tau)?;
        iterations += it;
        // band_i = ‖L⁻¹ xᵢ‖ with XₛᵀXₛ = L Lᵀ: the scale of xᵢᵀ(β̂ₛ − β).
        let l = gram(&sub, None).cholesky().ok_or_else(singular_basis)?.l();
        let linv = l
            .solve_lower_triangular(&DMatrix::identity(p, p))
            .ok_or_else(singular_basis)?;
        let mut band = vec![0.0; n];
        let mut ratio = vec![0.0; n];
        let mut r = residuals(rows, y, &b0);
        for i in 0..n {
            let x = rows.row(i);
            let mut ss = 0.0;
            for a in 0..p {
                let v: f64 = (0..=a).map(|j| linv[(a, j)] * x[j]).sum();
                ss += v * v;
            }
            band[i] = ss.sqrt();
            ratio[i] = r[i] / band[i].max(1e-6);
        }
        let big_m = 0.8 * m as f64;
        let nf = n as f64;
        let lo_q = (1.0 / nf).max(tau - big_m / (2.0 * nf));
        let hi_q = (tau + big_m / (2.0 * nf)).min((nf - 1.0) / nf);
        let kth = |q: f64, v: &mut [f64]| -> f64 {
            let k = ((q * nf).ceil() as usize).clamp(1, n) - 1;
            *v.select_nth_unstable_by(k, f64::total_cmp).1
        };
        let kappa_lo = kth(lo_q, &mut ratio.clone());
        let kappa_hi = kth(hi_q, &mut ratio);
        // −1: globbed below, +1: globbed above, 0: kept.
        let mut side: Vec<i8> = (0..n)
            .map(|i| {
                if r[i] < band[i] * kappa_lo {
                    -1
                } else if r[i] > band[i] * kappa_hi {
                    1
                } else {
                    0
                }
            })
            .collect();
        let mut bad_fixups = 0;
        loop {
            let kept: Vec<usize> = (0..n).filter(|&i| side[i] == 0).collect();
            let mut reduced = rows.select(&kept);
            let mut yr: Vec<f64> = kept.iter().map(|&i| y[i]).collect();
            for glob in [-1i8, 1] {
                let mut gx = vec![0.0; p];
                let mut gy = 0.0;
                let mut any = false;
                for i in (0..n).filter(|&i| side[i] == glob) {
                    any = true;
                    for (g, &xj) in gx.iter_mut().zip(rows.row(i)) {
                        *g += xj;
                    }
                    gy += y[i];
                }
                if any {
                    reduced.data.extend_from_slice(&gx);
                    reduced.n += 1;
                    yr.push(gy);
                }
            }
            let (br, it) = frisch_newton(&reduced, &yr, tau)?;
            iterations += it;
            let basis_r = choose_basis(&reduced, &residuals(&reduced, &yr, &br))?;
            let v = vertex_from_basis(&reduced, &yr, tau, basis_r)?;
            r = residuals(rows, y, &v.beta);
            let bad: Vec<usize> = (0..n)
                .filter(|&i| (side[i] == 1 && r[i] < 0.0) || (side[i] == -1 && r[i] > 0.0))
                .collect();
            if bad.is_empty() {
                // Map the basis back; a basic pseudo-observation (unlikely) → nearest vertex.
                let basis: Vec<usize> = v
                    .basis
                    .iter()
                    .filter(|&&b| b < kept.len())
                    .map(|&b| kept[b])
                    .collect();
                let basis = if basis.len() == p {
                    basis
                } else {
                    choose_basis(rows, &r)?
                };
                let mut full = vertex_from_basis(rows, y, tau, basis)?;
                full.ipm_iterations = iterations;
                full.pivots += v.pivots;
                return Ok(full);
            }
            if bad.len() as f64 > 0.1 * big_m || bad_fixups >= MAX_BAD_FIXUPS {
                m *= 2;
                break;
            }
            for i in bad {
                side[i] = 0;
            }
            bad_fixups += 1;
        }
    }
}

/// The primal–dual interior point of Portnoy & Koenker (1997) on the dual LP
/// max yᵀa s.t. Xᵀa = (1 − τ) Xᵀ1, 0 ≤ a ≤ 1 (written as min cᵀx, c = −y), Mehrotra
/// predictor–corrector, step factor 0.99995. Returns β = −(dual variables) and the number
/// of iterations. Stops at a relative duality gap of 1e-10 (the vertex step makes it exact).
fn frisch_newton(rows: &Rows, y: &[f64], tau: f64) -> Result<(Vec<f64>, usize)> {
    const MAX_ITERATIONS: usize = 100;
    const STEP: f64 = 0.99995;
    const GAP_TOLERANCE: f64 = 1e-10;
    let (n, p) = (rows.n, rows.p);
    let tri = p * (p + 1) / 2;
    // Column-major copy for the matrix–vector products X·v and Xᵀv.
    let xcol = DMatrix::from_fn(n, p, |i, j| rows.data[i * p + j]);
    // Least-squares start.
    let sums = sum_blocks(n, tri, |range, out| {
        for i in range {
            accumulate_outer(out, rows.row(i), 1.0);
        }
    });
    let xtx = unpack_symmetric(&sums, p);
    let yv = DVector::from_column_slice(y);
    let xty = xcol.tr_mul(&yv);
    let colsum = xcol.row_sum_tr();
    let beta_ls = xtx.cholesky().ok_or_else(singular_basis)?.solve(&xty);
    let b: Vec<f64> = colsum.iter().map(|c| (1.0 - tau) * c).collect();
    let mut yd: DVector<f64> = -beta_ls;
    let mut xv = vec![1.0 - tau; n];
    let mut sv = vec![tau; n];
    let mut zv = vec![0.0; n];
    let mut wv = vec![0.0; n];
    let mut xdy = &xcol * &yd;
    for i in 0..n {
        let mut r = -y[i] - xdy[i];
        if r == 0.0 {
            r = 0.001;
        }
        zv[i] = r.max(0.0);
        wv[i] = zv[i] - r;
    }
    let sum_y: f64 = compensated_sum(y);
    let mut q = vec![0.0; n];
    let mut r = vec![0.0; n];
    let mut xinv = vec![0.0; n];
    let mut sinv = vec![0.0; n];
    let mut dx = vec![0.0; n];
    let mut dz = vec![0.0; n];
    let mut dw = vec![0.0; n];
    let mut v1 = vec![0.0; n];
    let mut v2 = vec![0.0; n];
    let mut t = DVector::zeros(n);
    let mut iterations = 0;
    let nf = n as f64;
    let (mut yx, mut sum_w) = (0.0, 0.0);
    for i in 0..n {
        yx -= y[i] * xv[i];
        sum_w += wv[i];
    }
    for _ in 0..MAX_ITERATIONS {
        // Convergence test on the duality gap, relative to the check loss.
        let by = dot(&b, yd.as_slice());
        let gap = yx - by + sum_w;
        let check_loss_estimate = sum_w - by - (1.0 - tau) * sum_y;
        let magnitude = yx.abs() + by.abs() + sum_w.abs();
        if !gap.is_finite() || gap <= GAP_TOLERANCE * check_loss_estimate.abs() || gap <= 1e-14 * magnitude {
            break;
        }
        iterations += 1;
        for i in 0..n {
            xinv[i] = 1.0 / xv[i];
            sinv[i] = 1.0 / sv[i];
            q[i] = 1.0 / (zv[i] * xinv[i] + wv[i] * sinv[i]);
            r[i] = zv[i] - wv[i];
            t[i] = q[i] * r[i];
        }
        let m = sum_blocks(n, tri, |range, out| {
            for i in range {
                accumulate_outer(out, rows.row(i), q[i]);
            }
        });
        let Some(chol) = unpack_symmetric(&m, p).cholesky() else {
            break;
        };
        let dy = chol.solve(&xcol.tr_mul(&t));
        xcol.mul_to(&dy, &mut xdy);
        // Affine-scaling (predictor) direction.
        let (mut bp, mut bd) = (f64::INFINITY, f64::INFINITY);
        for i in 0..n {
            let dxi = q[i] * (xdy[i] - r[i]);
            let dzi = -zv[i] * (dxi * xinv[i] + 1.0);
            let dwi = -wv[i] * (1.0 - dxi * sinv[i]);
            dx[i] = dxi;
            dz[i] = dzi;
            dw[i] = dwi;
            bound(&mut bp, xv[i], dxi);
            bound(&mut bp, sv[i], -dxi);
            bound(&mut bd, zv[i], dzi);
            bound(&mut bd, wv[i], dwi);
        }
        let (mut fp, mut fd) = (bp, bd);
        let mut dy = dy;
        if fp.min(fd) < 1.0 {
            // Mehrotra corrector.
            let (mut mu0, mut g) = (0.0, 0.0);
            for i in 0..n {
                mu0 += zv[i] * xv[i] + wv[i] * sv[i];
                g +=
                    (zv[i] + fd * dz[i]) * (xv[i] + fp * dx[i]) + (wv[i] + fd * dw[i]) * (sv[i] - fp * dx[i]);
            }
            let mu = mu0 * (g / mu0).powi(3) / (2.0 * nf);
            for i in 0..n {
                v1[i] = mu - xv[i] * zv[i] - dx[i] * dz[i];
                v2[i] = mu - sv[i] * wv[i] + dx[i] * dw[i]; // ds·dw = −dx·dw
                t[i] = -q[i] * (v1[i] * xinv[i] - v2[i] * sinv[i]);
            }
            dy = chol.solve(&xcol.tr_mul(&t));
            xcol.mul_to(&dy, &mut xdy);
            bp = f64::INFINITY;
            bd = f64::INFINITY;
            for i in 0..n {
                let dxi = q[i] * (xdy[i] + v1[i] * xinv[i] - v2[i] * sinv[i]);
                let dzi = (v1[i] - zv[i] * dxi) * xinv[i];
                let dwi = (v2[i] + wv[i] * dxi) * sinv[i];
                dx[i] = dxi;
                dz[i] = dzi;
                dw[i] = dwi;
                bound(&mut bp, xv[i], dxi);
                bound(&mut bp, sv[i], -dxi);
                bound(&mut bd, zv[i], dzi);
                bound(&mut bd, wv[i], dwi);
            }
            fp = bp;
            fd = bd;
        }
        let fp = (STEP * fp).min(1.0);
        let fd = (STEP * fd).min(1.0);
        if !(fp > 0.0 && fd > 0.0) || dy.iter().any(|v| !v.is_finite()) {
            break;
        }
        yx = 0.0;
        sum_w = 0.0;
        for i in 0..n {
            xv[i] += fp * dx[i];
            sv[i] -= fp * dx[i];
            zv[i] += fd * dz[i];
            wv[i] += fd * dw[i];
            yx -= y[i] * xv[i];
            sum_w += wv[i];
        }
        yd.axpy(fd, &dy, 1.0);
    }
    Ok((yd.iter().map(|v| -v).collect(), iterations))
}

#[inline]
fn bound(current: &mut f64, v: f64, dv: f64) {
    if dv < 0.0 {
        let s = -v / dv;
        if s < *current {
            *current = s;
        }
    }
}

fn compensated_sum(v: &[f64]) -> f64 {
    sum_blocks(v.len(), 1, |range, out| out[0] += v[range].iter().sum::<f64>())[0]
}

/// The p observations with the smallest |residual| whose rows are linearly independent
/// (greedy, modified Gram–Schmidt).
fn choose_basis(rows: &Rows, r: &[f64]) -> Result<Vec<usize>> {
    let (n, p) = (rows.n, rows.p);
    let by_abs = |a: &usize, b: &usize| r[*a].abs().total_cmp(&r[*b].abs()).then(a.cmp(b));
    let mut order: Vec<usize> = (0..n).collect();
    let first = n.min(4 * p + 16);
    if first < n {
        order.select_nth_unstable_by(first, by_abs);
    }
    order[..first].sort_by(by_abs);
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(p);
    let mut basis = Vec::with_capacity(p);
    let mut sorted_all = first == n;
    let mut pos = 0;
    while basis.len() < p {
        if pos == first && !sorted_all {
            order[first..].sort_by(by_abs);
            sorted_all = true;
        }
        if pos >= n {
            return Err(singular_basis());
        }
        let i = order[pos];
        pos += 1;
        let x = rows.row(i);
        let norm0 = x.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm0 == 0.0 {
            continue;
        }
        let mut v = x.to_vec();
        for e in &q {
            let c = dot(e, &v);
            for (vj, ej) in v.iter_mut().zip(e) {
                *vj -= c * ej;
            }
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm > 1e-9 * norm0 {
            v.iter_mut().for_each(|a| *a /= norm);
            q.push(v);
            basis.push(i);
        }
    }
    Ok(basis)
}

/// Base tolerance on the dual values d ∈ [τ − 1, τ]; a round-off allowance proportional to
/// Σ|xᵢ| (propagated through X_B⁻ᵀ) is added for large n.
const DUAL_TOLERANCE: f64 = 1e-10;

/// How a run of vertex pivots ended.
enum PolishEnd {
    Optimal(Vertex),
    /// No decrease of the check loss for many pivots (a degenerate vertex) or the budget is
    /// spent: the current basis.
    Stalled(Vec<usize>, usize),
}

/// From a basis near the optimum (the p observations with the smallest residuals at a point
/// near it) to the optimal vertex: simplex pivots until every dual value of the basic
/// observations lies in [τ − 1, τ]. At a degenerate vertex (more than p zero residuals, e.g.
/// integer data) the pivots can stall; the basis is then re-optimised on a tiny deterministic
/// perturbation of y (nondegenerate), and the optimality of the resulting basis is certified
/// on the original data (zero residuals take the sign they have under the perturbation —
/// any value in [τ − 1, τ] is a subgradient there). If that fails, the Barrodale–Roberts
/// simplex solves the problem from scratch (up to n·p = 10⁶; beyond, a `NoConvergence`
/// error rather than hours of pivoting).
fn vertex_from_basis(rows: &Rows, y: &[f64], tau: f64, basis: Vec<usize>) -> Result<Vertex> {
    let budget = 1000 + 10 * rows.p + rows.n;
    let (basis, used) = match polish_from(rows, y, None, tau, basis, budget, true)? {
        PolishEnd::Optimal(v) => return Ok(v),
        PolishEnd::Stalled(basis, used) => (basis, used),
    };
    let (beta, _) = solve_basis(rows, y, &basis).ok_or_else(singular_basis)?;
    let r = residuals(rows, y, beta.as_slice());
    let scale = r.iter().map(|v| v.abs()).sum::<f64>() / r.len() as f64;
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let perturbed: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(i, &v)| v + 1e-7 * scale * hash_uniform(i as u64))
        .collect();
    let (basis, used2) = match polish_from(rows, &perturbed, None, tau, basis, budget, false)? {
        PolishEnd::Optimal(v) => (v.basis, v.pivots),
        PolishEnd::Stalled(basis, used) => (basis, used),
    };
    match polish_from(rows, y, Some(&perturbed), tau, basis, 0, false)? {
        PolishEnd::Optimal(mut v) => {
            v.pivots += used + used2;
            Ok(v)
        }
        PolishEnd::Stalled(..) if rows.n * rows.p > 50 * AUTO_SIMPLEX_MAX_CELLS => {
            Err(MleError::NoConvergence {
                reason:
                    "the vertex step could not certify an optimal vertex (degenerate problem at the limit \
                     of double precision); the Barrodale–Roberts simplex would be too slow at this size"
                        .into(),
                iterations: (used + used2) as u64,
                gradient_norm: f64::NAN,
                last: Vec::new(),
            })
        }
        PolishEnd::Stalled(..) => barrodale_roberts(rows, y, tau).map(|mut v| {
            v.algorithm = QuantileAlgorithm::BarrodaleRoberts;
            v
        }),
    }
}

/// A deterministic value in (−1, 1) from an index (SplitMix64).
fn hash_uniform(i: u64) -> f64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    2.0 * ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64 - 1.0
}

/// Simplex pivots from `basis` (steepest violated dual value leaves; the entering
/// observation is the breakpoint where the directional derivative turns non-negative, found
/// by a weighted selection in O(n)). `signs_from`: residuals that are zero up to round-off
/// take their sign from this response instead (a certificate for a degenerate vertex).
/// `detect_stall`: give up after a few pivots that do not decrease the check loss (only
/// possible at a degenerate vertex; off for the perturbed, nondegenerate problem, whose
/// decreases can be tiny).
fn polish_from(
    rows: &Rows,
    y: &[f64],
    signs_from: Option<&[f64]>,
    tau: f64,
    mut basis: Vec<usize>,
    budget: usize,
    detect_stall: bool,
) -> Result<PolishEnd> {
    let (n, p) = (rows.n, rows.p);
    let mut is_basic = vec![false; n];
    let mut r = vec![0.0; n];
    let mut g = vec![0.0; n];
    let mut candidates: Vec<(f64, f64, usize)> = Vec::new();
    // A nondegenerate pivot strictly decreases the check loss: a few that do not mean a
    // degenerate vertex.
    let stall_limit = 4;
    let (mut best, mut stall) = (f64::INFINITY, 0usize);
    let mut pivots = 0;
    let abs_sums = DVector::from_vec(sum_blocks(n, p, |range, out| {
        for i in range {
            for (o, &xj) in out.iter_mut().zip(rows.row(i)) {
                *o += xj.abs();
            }
        }
    }));
    loop {
        let (beta, inv) = solve_basis(rows, y, &basis).ok_or_else(singular_basis)?;
        is_basic.iter_mut().for_each(|b| *b = false);
        for &b in &basis {
            is_basic[b] = true;
        }
        for (i, ri) in r.iter_mut().enumerate() {
            *ri = if is_basic[i] {
                0.0
            } else {
                y[i] - dot(rows.row(i), beta.as_slice())
            };
        }
        if let Some(yp) = signs_from {
            // Residuals that vanish up to round-off: the sign under the perturbation.
            let (bp, _) = solve_basis(rows, yp, &basis).ok_or_else(singular_basis)?;
            let scale = r.iter().map(|v| v.abs()).fold(0.0, f64::max);
            for (i, ri) in r.iter_mut().enumerate() {
                if !is_basic[i] && ri.abs() <= 1e-12 * scale {
                    let rp = yp[i] - dot(rows.row(i), bp.as_slice());
                    *ri = if rp < 0.0 { -f64::MIN_POSITIVE } else { 0.0 };
                }
            }
        }
        let a = sum_blocks(n, p, |range, out| {
            for i in range {
                if !is_basic[i] {
                    let psi = if r[i] < 0.0 { tau - 1.0 } else { tau };
                    for (o, &xj) in out.iter_mut().zip(rows.row(i)) {
                        *o += psi * xj;
                    }
                }
            }
        });
        let d = -(inv.transpose() * DVector::from_vec(a));
        let allowance = inv.abs().transpose() * &abs_sums * 1e-14;
        let mut worst = 0.0;
        let mut leaving = None;
        for (k, &dk) in d.iter().enumerate() {
            let violation = (dk - tau).max((tau - 1.0) - dk) - DUAL_TOLERANCE - allowance[k];
            if violation > worst {
                worst = violation;
                leaving = Some(k);
            }
        }
        let Some(k) = leaving else {
            let nonunique = d.iter().zip(allowance.iter()).any(|(&dk, &extra)| {
                let tol = DUAL_TOLERANCE + extra;
                (dk - tau).abs() <= tol || (dk - (tau - 1.0)).abs() <= tol
            });
            return Ok(PolishEnd::Optimal(Vertex {
                beta: beta.iter().copied().collect(),
                basis,
                algorithm: QuantileAlgorithm::FrischNewton,
                ipm_iterations: 0,
                pivots,
                nonunique,
            }));
        };
        let objective: f64 = r.iter().map(|&v| check_loss(v, tau)).sum();
        if objective < best - 1e-13 * best.abs() {
            best = objective;
            stall = 0;
        } else {
            stall += 1;
        }
        if pivots >= budget || (detect_stall && stall > stall_limit) {
            return Ok(PolishEnd::Stalled(basis, pivots));
        }
        // d_k > τ: free residual k upwards (δ = −X_B⁻¹e_k), slope τ − d_k;
        // d_k < τ − 1: downwards (δ = X_B⁻¹e_k), slope d_k + 1 − τ.
        let up = d[k] > tau;
        let sign = if up { -1.0 } else { 1.0 };
        let delta: Vec<f64> = (0..p).map(|j| sign * inv[(j, k)]).collect();
        let slope = if up { tau - d[k] } else { d[k] + 1.0 - tau };
        let mut gmax = 0.0f64;
        for (i, gi) in g.iter_mut().enumerate() {
            *gi = if is_basic[i] {
                0.0
            } else {
                dot(rows.row(i), &delta)
            };
            gmax = gmax.max(gi.abs());
        }
        let gtol = 1e-13 * gmax;
        candidates.clear();
        for (i, (&gi, &ri)) in g.iter().zip(&r).enumerate() {
            if is_basic[i] || gi.abs() <= gtol {
                continue;
            }
            if (ri >= 0.0 && gi > 0.0) || (ri < 0.0 && gi < 0.0) {
                candidates.push(((ri / gi).max(0.0), gi.abs(), i));
            }
        }
        let Some(pos) = weighted_select(&mut candidates, -slope) else {
            return Err(singular_basis());
        };
        basis[k] = candidates[pos].2;
        pivots += 1;
    }
}

/// Position (after partial reordering) of the smallest breakpoint t* with
/// Σ_{t ≤ t*} weight ≥ `need` (ties broken by observation index), in expected O(len).
fn weighted_select(c: &mut [(f64, f64, usize)], mut need: f64) -> Option<usize> {
    let cmp = |a: &(f64, f64, usize), b: &(f64, f64, usize)| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2));
    let (mut lo, mut hi) = (0usize, c.len());
    while lo < hi {
        let mid = (hi - lo) / 2;
        c[lo..hi].select_nth_unstable_by(mid, cmp);
        let piv = lo + mid;
        let left: f64 = c[lo..piv].iter().map(|e| e.1).sum();
        if left >= need {
            hi = piv;
        } else if left + c[piv].1 >= need {
            return Some(piv);
        } else {
            need -= left + c[piv].1;
            lo = piv + 1;
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// The log-likelihood of the asymmetric-Laplace regression, from the dual-number density.
// ---------------------------------------------------------------------------------------------

/// ℓ(β, log σ) = Σᵢ log f_ALD(yᵢ | xᵢᵀβ, σ; τ) of a quantile regression, an [`Objective`] whose
/// derivatives come from the asymmetric-Laplace density written once over dual numbers.
/// ∂²ℓ/∂β∂βᵀ is zero almost everywhere: use it for ℓ, AIC/BIC and profile evaluations, not
/// for Newton steps or observed-information standard errors.
///
/// ```
/// use mle_core::{Design, Objective};
/// use mle_models::quantile::QuantileRegressionObjective;
/// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0])]).unwrap();
/// let y = [0.0, 2.0, 2.0];
/// let obj = QuantileRegressionObjective::new(0.5, &x, &y).unwrap();
/// let e = obj.evaluate(&[0.0, 1.0, 0.0]).unwrap(); // residuals 0, 1, 0; σ = 1
/// assert!((e.value - (3.0 * 0.25f64.ln() - 0.5)).abs() < 1e-14);
/// assert_eq!(e.hessian[(1, 1)], 0.0); // no curvature in β
/// ```
#[derive(Debug, Clone)]
pub struct QuantileRegressionObjective<'a> {
    family: AsymmetricLaplace,
    x: &'a Design,
    y: &'a [f64],
    parameters: Vec<Parameter>,
}

impl<'a> QuantileRegressionObjective<'a> {
    /// Checks τ, the lengths, the response (finite) and the design (full column rank).
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::quantile::QuantileRegressionObjective;
    /// let x = Design::intercept(2);
    /// assert!(matches!(QuantileRegressionObjective::new(0.5, &x, &[1.0, f64::NAN]),
    ///     Err(MleError::NonFiniteObservation { index: 1 })));
    /// ```
    pub fn new(tau: f64, x: &'a Design, y: &'a [f64]) -> Result<Self> {
        Self::checked(tau, x, y).map(|(objective, _)| objective)
    }

    /// The objective and the checked row-major copy of the design.
    fn checked(tau: f64, x: &'a Design, y: &'a [f64]) -> Result<(Self, Rows)> {
        let family = AsymmetricLaplace::new(tau)?;
        let rows = validate(x, y)?;
        let mut parameters: Vec<Parameter> = x.names().iter().map(Parameter::identity).collect();
        parameters.push(Parameter::log_scale("sigma"));
        Ok((
            QuantileRegressionObjective {
                family,
                x,
                y,
                parameters,
            },
            rows,
        ))
    }

    /// The check loss Σ ρ_τ(yᵢ − xᵢᵀβ) at β.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::quantile::QuantileRegressionObjective;
    /// let x = Design::intercept(3);
    /// let y = [1.0, 2.0, 4.0];
    /// let obj = QuantileRegressionObjective::new(0.25, &x, &y).unwrap();
    /// assert_eq!(obj.check_loss(&[2.0]).unwrap(), 0.75 * 1.0 + 0.25 * 2.0);
    /// ```
    pub fn check_loss(&self, beta: &[f64]) -> Result<f64> {
        let p = self.x.ncols();
        if beta.len() != p {
            return Err(MleError::ParameterCount {
                expected: p,
                got: beta.len(),
            });
        }
        let eta = self.x.matrix() * DVector::from_column_slice(beta);
        let r: Vec<f64> = self.y.iter().zip(eta.iter()).map(|(y, e)| y - e).collect();
        Ok(compensated_check_loss(&r, self.family.tau()))
    }

    fn eta(&self, theta: &[f64]) -> Result<DVector<f64>> {
        check_parameters(&self.parameters, theta)?;
        let p = self.x.ncols();
        Ok(self.x.matrix() * DVector::from_column_slice(&theta[..p]))
    }

    #[inline]
    fn value_at(&self, eta: f64, log_sigma: f64, y: f64) -> f64 {
        PredictorDensity::<2>::ln_density(&self.family, &[eta, log_sigma], y)
    }
}

impl Objective for QuantileRegressionObjective<'_> {
    fn model_name(&self) -> String {
        format!(
            "quantile regression, asymmetric Laplace (τ = {})",
            self.family.tau()
        )
    }

    fn parameters(&self) -> Vec<Parameter> {
        self.parameters.clone()
    }

    fn n_obs(&self) -> usize {
        self.y.len()
    }

    fn log_likelihood(&self, theta: &[f64]) -> Result<f64> {
        let eta = self.eta(theta)?;
        let ls = theta[self.x.ncols()];
        let mut total = CompensatedSum::new(1);
        for (ys, es) in self.y.chunks(BLOCK).zip(eta.as_slice().chunks(BLOCK)) {
            let block: f64 = ys.iter().zip(es).map(|(&y, &e)| self.value_at(e, ls, y)).sum();
            total.add(&[block]);
        }
        Ok(total.total()[0])
    }

    fn value_gradient(&self, theta: &[f64]) -> Result<(f64, DVector<f64>)> {
        let e = self.evaluate(theta)?;
        Ok((e.value, e.gradient))
    }

    fn evaluate(&self, theta: &[f64]) -> Result<Evaluation> {
        let eta = self.eta(theta)?;
        let p = self.x.ncols();
        let n = self.y.len();
        let ls = theta[p];
        let mut g_mu = DVector::zeros(n);
        let mut h_mumu = DVector::zeros(n);
        let mut h_musigma = DVector::zeros(n);
        let mut total = CompensatedSum::new(3);
        let mut block = [0.0; 3];
        for i in 0..n {
            let arg = [
                Dual2SVec64::<2>::from_re(eta[i]).derivative(0),
                Dual2SVec64::<2>::from_re(ls).derivative(1),
            ];
            let d = PredictorDensity::<2>::ln_density(&self.family, &arg, self.y[i]);
            let g = d.v1.unwrap_generic(U1, Const::<2>);
            let h = d.v2.unwrap_generic(Const::<2>, Const::<2>);
            block[0] += d.re;
            block[1] += g[1];
            block[2] += h[(1, 1)];
            g_mu[i] = g[0];
            h_mumu[i] = h[(0, 0)];
            h_musigma[i] = h[(0, 1)];
            if (i + 1) % BLOCK == 0 || i + 1 == n {
                total.add(&block);
                block = [0.0; 3];
            }
        }
        let t = total.total();
        let xm = self.x.matrix();
        let mut gradient = DVector::zeros(p + 1);
        gradient.rows_mut(0, p).copy_from(&xm.tr_mul(&g_mu));
        gradient[p] = t[1];
        let mut scaled = xm.clone();
        for mut col in scaled.column_iter_mut() {
            col.component_mul_assign(&h_mumu);
        }
        let mut hessian = DMatrix::zeros(p + 1, p + 1);
        hessian.view_mut((0, 0), (p, p)).copy_from(&xm.tr_mul(&scaled));
        let cross = xm.tr_mul(&h_musigma);
        for j in 0..p {
            hessian[(j, p)] = cross[j];
            hessian[(p, j)] = cross[j];
        }
        hessian[(p, p)] = t[2];
        Ok(Evaluation {
            value: t[0],
            gradient,
            hessian,
        })
    }

    fn scores(&self, theta: &[f64]) -> Result<DMatrix<f64>> {
        let eta = self.eta(theta)?;
        let p = self.x.ncols();
        let ls = theta[p];
        let xm = self.x.matrix();
        let mut s = DMatrix::zeros(self.y.len(), p + 1);
        for (i, &y) in self.y.iter().enumerate() {
            let arg = [
                num_dual::DualSVec64::<2>::from_re(eta[i]).derivative(0),
                num_dual::DualSVec64::<2>::from_re(ls).derivative(1),
            ];
            let d = PredictorDensity::<2>::ln_density(&self.family, &arg, y);
            let g = d.eps.unwrap_generic(Const::<2>, U1);
            for j in 0..p {
                s[(i, j)] = g[0] * xm[(i, j)];
            }
            s[(i, p)] = g[1];
        }
        Ok(s)
    }

    /// Σᵢ E[−∇²log f]: τ(1−τ)/σ² XᵀX for β, n for log σ, no cross term.
    fn expected_information(&self, theta: &[f64]) -> Option<Result<DMatrix<f64>>> {
        if let Err(e) = check_parameters(&self.parameters, theta) {
            return Some(Err(e));
        }
        let p = self.x.ncols();
        let tau = self.family.tau();
        let scale = tau * (1.0 - tau) * (-2.0 * theta[p]).exp();
        let xtx = self.x.matrix().tr_mul(self.x.matrix());
        let mut info = DMatrix::zeros(p + 1, p + 1);
        info.view_mut((0, 0), (p, p)).copy_from(&(xtx * scale));
        info[(p, p)] = self.y.len() as f64;
        Some(Ok(info))
    }

    fn locate_non_finite(&self, theta: &[f64]) -> Option<(usize, f64)> {
        let eta = self.eta(theta).ok()?;
        let ls = theta[self.x.ncols()];
        self.y
            .iter()
            .zip(eta.iter())
            .enumerate()
            .find_map(|(i, (&y, &e))| {
                let v = self.value_at(e, ls, y);
                (!v.is_finite()).then_some((i, v))
            })
    }
}
