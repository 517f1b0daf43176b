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

mod covariance;
mod interior_point;
mod location_scale;
mod objective;
mod rows;
mod simplex;
mod sparsity;
mod vertex;

pub use location_scale::{LocationScaleCovariance, LocationScaleFit};
pub use objective::QuantileRegressionObjective;
pub use sparsity::Bandwidth;

use mle_core::fit::{ConvergenceStatus, EstimationMethod};
use mle_core::{Convergence, Design, Fit, MleError, Objective, Result};
use mle_families::AsymmetricLaplace;
use mle_optim::{FitOptions, Fitted, Model};
use nalgebra::{DMatrix, DVector};

use covariance::check_scale;
use interior_point::interior_point_vertex;
use rows::{validate, Rows};
use simplex::barrodale_roberts;
use vertex::{solution_from_vertex, Vertex};

/// Largest design size n·p for which [`QuantileAlgorithm::Auto`] uses the Barrodale–Roberts
/// simplex (quantreg's default `br`, whose vertex it reproduces even for non-unique problems);
/// larger problems use the interior point with an exact vertex step (n = 2000, p = 10:
/// ≈ 15 ms against ≈ 3 ms).
///
/// ```
/// assert_eq!(mle_models::quantile::AUTO_SIMPLEX_MAX_CELLS, 20_000);
/// ```
pub const AUTO_SIMPLEX_MAX_CELLS: usize = 20_000;

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
        AsymmetricLaplace::new(tau)?;
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
        self.covariance_rows(&rows, y, solution, x.names())
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
    pub fn fit<'a>(&self, x: &'a Design, y: &'a [f64]) -> Result<Fitted<QuantileModel<'a>>> {
        self.model(x, y)?.fit()
    }

    /// The checked model (τ, the lengths, finite response, full-rank design), to fit once or
    /// with other options.
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::QuantileRegression;
    /// let x = Design::intercept(3);
    /// assert!(matches!(QuantileRegression::median().model(&x, &[1.0, 2.0]),
    ///     Err(MleError::DimensionMismatch { .. })));
    /// ```
    pub fn model<'a>(&self, x: &'a Design, y: &'a [f64]) -> Result<QuantileModel<'a>> {
        let (objective, rows) = QuantileRegressionObjective::checked(self.tau, x, y)?;
        Ok(QuantileModel {
            spec: *self,
            x,
            y,
            objective,
            rows,
        })
    }
}

/// A quantile regression bound to its data: τ, algorithm and standard-error choice from the
/// [`QuantileRegression`] builder. Its estimate is the exact LP vertex (not the optimiser),
/// its covariance the chosen quantreg-style estimator; the observed-information choices of
/// the covariance menu do not apply (ℓ has no curvature in β) and return typed errors.
#[derive(Debug, Clone)]
pub struct QuantileModel<'a> {
    spec: QuantileRegression,
    x: &'a Design,
    y: &'a [f64],
    objective: QuantileRegressionObjective<'a>,
    rows: Rows,
}

impl QuantileModel<'_> {
    /// The builder this model was made with.
    pub fn spec(&self) -> &QuantileRegression {
        &self.spec
    }

    fn exact_fit(&self) -> Result<Fit> {
        let (spec, x, y, rows, objective) = (&self.spec, self.x, self.y, &self.rows, &self.objective);
        let vertex = exact_solve(rows, y, spec.tau, spec.algorithm)?;
        let solution = solution_from_vertex(rows, y, spec.tau, x.names().to_vec(), vertex);
        let sigma = solution.sigma();
        check_scale(sigma, y)?;
        let mut theta: Vec<f64> = solution.coefficients.iter().copied().collect();
        theta.push(sigma.ln());
        let convergence = vertex_convergence(&solution);
        let covariance = spec.covariance_rows(rows, y, &solution, x.names())?;
        Fit::at_estimate(objective, &theta, convergence)?.with_covariance(covariance.label, covariance.matrix)
    }
}

impl Model for QuantileModel<'_> {
    fn objective(&self) -> &dyn Objective {
        &self.objective
    }

    /// The exact LP solution (the options are unused).
    fn estimate(&self, _options: &FitOptions) -> Result<Fit> {
        self.exact_fit()
    }
}

/// How the LP stopped, as a convergence record.
fn vertex_convergence(solution: &QuantileSolution) -> Convergence {
    Convergence::new(
        match solution.algorithm {
            QuantileAlgorithm::FrischNewton => EstimationMethod::FrischNewtonInteriorPoint,
            _ => EstimationMethod::BarrodaleRobertsSimplex,
        },
        ConvergenceStatus::ExactVertex {
            interpolated: solution.basis.len(),
            possibly_nonunique: solution.possibly_nonunique,
        },
        (solution.interior_point_iterations + solution.simplex_pivots) as u64,
    )
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
