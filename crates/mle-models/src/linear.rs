//! Linear regression as the Gaussian MLE, computed by QR (never the normal equations), and
//! the heteroscedastic Gaussian with mean Xβ and log σ = Zγ.

use mle_core::predictor::PredictorDensity;
use mle_core::{Convergence, Design, Fit, LinearPredictorObjective, MleError, Objective, Result, Transform};
use mle_optim::FitOptions;
use nalgebra::{DMatrix, DVector, SMatrix};
use num_dual::DualNum;

use crate::regression::RegressionInput;

const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// Gaussian response with mean η₁ and log σ = η₂ (both linear predictors).
///
/// ```
/// use mle_core::predictor::PredictorDensity;
/// use mle_models::HeteroscedasticGaussian;
/// let v = HeteroscedasticGaussian.ln_density(&[0.0, 0.0], 0.0);
/// assert!((v + 0.5 * (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct HeteroscedasticGaussian;

impl PredictorDensity<2> for HeteroscedasticGaussian {
    fn name(&self) -> String {
        "Gaussian regression (mean Xβ, log σ = Zγ)".into()
    }

    fn predictors(&self) -> [(&'static str, Transform); 2] {
        [("mean", Transform::Identity), ("log_sigma", Transform::Log)]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: f64) -> D {
        let z = (eta[0] - y) * (-eta[1]).exp();
        -(z * z * 0.5) - eta[1] - HALF_LN_2PI
    }

    /// diag(e^{−2η₂}, 2).
    fn expected_information(&self, eta: &[f64; 2]) -> Option<SMatrix<f64, 2, 2>> {
        Some(SMatrix::<f64, 2, 2>::new((-2.0 * eta[1]).exp(), 0.0, 0.0, 2.0))
    }
}

impl HeteroscedasticGaussian {
    /// Fits mean Xβ and log σ = Zγ jointly (full Gaussian NLL) by Newton, started from least
    /// squares with constant log σ.
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::HeteroscedasticGaussian;
    /// let x = Design::from_columns(true, &[("x", (1..=20).map(f64::from).collect())]).unwrap();
    /// let y: Vec<f64> = (1..=20).map(|i| 1.0 + 2.0 * i as f64 + if i % 2 == 0 { 0.1 * i as f64 } else { -0.1 * i as f64 }).collect();
    /// let fit = HeteroscedasticGaussian.fit(&x, &x, &y).unwrap();
    /// assert!(fit.estimates()[3] > 0.0); // σ grows with x
    /// ```
    pub fn fit(&self, x: &Design, z: &Design, y: &[f64]) -> Result<Fit> {
        self.fit_with(RegressionInput::new(x, y), z, &FitOptions::newton())
    }

    /// Fits with offsets/case weights on the mean, and options.
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::{regression::RegressionInput, HeteroscedasticGaussian};
    /// use mle_optim::FitOptions;
    /// let x = Design::intercept(3);
    /// let z = Design::intercept(2);
    /// let y = [1.0, 2.0, 4.0];
    /// assert!(matches!(HeteroscedasticGaussian.fit_with(RegressionInput::new(&x, &y), &z, &FitOptions::newton()),
    ///     Err(MleError::DimensionMismatch { .. })));
    /// ```
    pub fn fit_with(&self, input: RegressionInput<'_>, z: &Design, options: &FitOptions) -> Result<Fit> {
        let objective = input.objective(self, [input.design(), z])?;
        let (mut start, log_sigma) = crate::regression::least_squares_start(input);
        let mut gamma = vec![0.0; z.ncols()];
        if let Some(j) = z.names().iter().position(|n| n == "(Intercept)") {
            gamma[j] = log_sigma;
        }
        start.extend(gamma);
        options.fit(&objective, &start)
    }
}

/// Ordinary (or weighted) least squares as the Gaussian MLE.
///
/// ```
/// use mle_core::Design;
/// use mle_models::LinearRegression;
/// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
/// let fit = LinearRegression.fit(&x, &[1.0, 3.1, 4.9, 7.0]).unwrap();
/// assert!((fit.fit().estimates()[1] - 1.98).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct LinearRegression;

/// A linear-regression fit: the MLE [`Fit`] (β, log σ) with covariance σ̂²(XᵀWX)⁻¹ from the
/// QR factor, plus the classical quantities of `lm`.
#[derive(Debug, Clone)]
pub struct LinearRegressionFit {
    fit: Fit,
    rss: f64,
    n: usize,
    p: usize,
    classical_covariance: DMatrix<f64>,
}

impl LinearRegressionFit {
    /// The maximum-likelihood fit (parameters β and log σ).
    ///
    /// ```
    /// # use mle_core::Design;
    /// # use mle_models::LinearRegression;
    /// # let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0])]).unwrap();
    /// let f = LinearRegression.fit(&x, &[0.0, 1.0, 2.5]).unwrap();
    /// assert_eq!(f.fit().parameters().last().unwrap().name, "log_sigma");
    /// ```
    pub fn fit(&self) -> &Fit {
        &self.fit
    }

    /// Residual sum of squares Σ wᵢ rᵢ².
    ///
    /// ```
    /// # use mle_core::Design;
    /// # use mle_models::LinearRegression;
    /// # let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0])]).unwrap();
    /// let f = LinearRegression.fit(&x, &[0.0, 1.0, 2.0]).unwrap();
    /// assert!(f.rss() < 1e-25);
    /// ```
    pub fn rss(&self) -> f64 {
        self.rss
    }

    /// σ̂ with divisor n (the MLE).
    ///
    /// ```
    /// # use mle_core::Design;
    /// # use mle_models::LinearRegression;
    /// let x = Design::intercept(2);
    /// let f = LinearRegression.fit(&x, &[0.0, 2.0]).unwrap();
    /// assert_eq!(f.sigma_mle(), 1.0);
    /// ```
    pub fn sigma_mle(&self) -> f64 {
        (self.rss / self.n as f64).sqrt()
    }

    /// s with divisor n − p (the classical estimate).
    ///
    /// ```
    /// # use mle_core::Design;
    /// # use mle_models::LinearRegression;
    /// let x = Design::intercept(2);
    /// let f = LinearRegression.fit(&x, &[0.0, 2.0]).unwrap();
    /// assert!((f.sigma_unbiased() - 2f64.sqrt()).abs() < 1e-15);
    /// ```
    pub fn sigma_unbiased(&self) -> f64 {
        (self.rss / (self.n - self.p) as f64).sqrt()
    }

    /// Classical covariance s²(XᵀWX)⁻¹ of β (what `summary(lm)` reports).
    ///
    /// ```
    /// # use mle_core::Design;
    /// # use mle_models::LinearRegression;
    /// let x = Design::intercept(2);
    /// let f = LinearRegression.fit(&x, &[0.0, 2.0]).unwrap();
    /// assert!((f.classical_covariance()[(0, 0)] - 1.0).abs() < 1e-15);
    /// ```
    pub fn classical_covariance(&self) -> &DMatrix<f64> {
        &self.classical_covariance
    }

    /// Classical standard errors s·√diag((XᵀWX)⁻¹).
    ///
    /// ```
    /// # use mle_core::Design;
    /// # use mle_models::LinearRegression;
    /// let x = Design::intercept(2);
    /// let f = LinearRegression.fit(&x, &[0.0, 2.0]).unwrap();
    /// assert!((f.classical_std_errors()[0] - 1.0).abs() < 1e-15);
    /// ```
    pub fn classical_std_errors(&self) -> DVector<f64> {
        self.classical_covariance.diagonal().map(f64::sqrt)
    }
}

impl std::fmt::Display for LinearRegressionFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.fit)?;
        writeln!(
            f,
            "RSS = {:.6e}; σ̂ (MLE, divisor n) = {:.6e}; s (divisor n − p = {}) = {:.6e}",
            self.rss,
            self.sigma_mle(),
            self.n - self.p,
            self.sigma_unbiased()
        )?;
        let se = self.classical_std_errors();
        write!(f, "classical SEs (s²(XᵀX)⁻¹, as summary(lm)):")?;
        for (p, s) in self.fit.parameters().iter().zip(se.iter()) {
            write!(f, " {} {:.6e};", p.name, s)?;
        }
        writeln!(f)
    }
}

impl LinearRegression {
    /// Least squares by Householder QR of the column-equilibrated design, one step of
    /// iterative refinement, σ̂² = RSS/n.
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::LinearRegression;
    /// let x = Design::from_columns(true, &[("a", vec![1.0, 2.0, 3.0]), ("b", vec![2.0, 4.0, 6.0])]).unwrap();
    /// assert!(matches!(LinearRegression.fit(&x, &[1.0, 2.0, 3.0]), Err(MleError::RankDeficient { .. })));
    /// ```
    pub fn fit(&self, x: &Design, y: &[f64]) -> Result<LinearRegressionFit> {
        self.fit_with(RegressionInput::new(x, y))
    }

    /// With an offset on the mean and precision weights (as R `lm(weights=)`: Var εᵢ =
    /// σ²/wᵢ; zero weights drop the row).
    ///
    /// ```
    /// use mle_core::Design;
    /// use mle_models::{regression::RegressionInput, LinearRegression};
    /// let x = Design::intercept(3);
    /// let y = [1.0, 2.0, 9.0];
    /// let w = [1.0, 1.0, 0.0];
    /// let f = LinearRegression.fit_with(RegressionInput::new(&x, &y).weights(&w)).unwrap();
    /// assert!((f.fit().estimates()[0] - 1.5).abs() < 1e-15);
    /// ```
    pub fn fit_with(&self, input: RegressionInput<'_>) -> Result<LinearRegressionFit> {
        let x = input.design();
        let y = input.response();
        let (n_rows, p) = (x.nrows(), x.ncols());
        if y.len() != n_rows {
            return Err(MleError::DimensionMismatch {
                what: "response".into(),
                expected: n_rows,
                got: y.len(),
            });
        }
        let weights = input.weight_values();
        if let Some(w) = weights {
            if w.len() != n_rows {
                return Err(MleError::DimensionMismatch {
                    what: "weights".into(),
                    expected: n_rows,
                    got: w.len(),
                });
            }
            if let Some((index, &value)) = w.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v >= 0.0))
            {
                return Err(MleError::InvalidWeight { index, value });
            }
        }
        if let Some(index) = y.iter().position(|v| !v.is_finite()) {
            return Err(MleError::NonFiniteObservation { index });
        }
        let offset = input.offset_values();
        // The Gaussian objective with log σᵢ = log σ − ½ log wᵢ: built first, so its checks
        // (finite response, full column rank naming dependent columns) guard the QR below.
        let z = Design::intercept(n_rows);
        let log_sigma_offset: Vec<f64> = (0..n_rows)
            .map(|i| weights.map_or(0.0, |w| if w[i] > 0.0 { -0.5 * w[i].ln() } else { 0.0 }))
            .collect();
        let case_weights: Vec<f64> = (0..n_rows)
            .map(|i| weights.map_or(1.0, |w| if w[i] > 0.0 { 1.0 } else { 0.0 }))
            .collect();
        let mut objective = LinearPredictorObjective::new(&HeteroscedasticGaussian, [x, &z], y)?
            .with_offset(1, &log_sigma_offset)?;
        if let Some(o) = offset {
            objective = objective.with_offset(0, o)?;
        }
        if weights.is_some() {
            objective = objective.with_weights(&case_weights)?;
        }
        let rows: Vec<usize> = (0..n_rows)
            .filter(|&i| weights.is_none_or(|w| w[i] > 0.0))
            .collect();
        let n = rows.len();
        if n <= p {
            return Err(MleError::DimensionMismatch {
                what: "observations (must exceed the coefficients)".into(),
                expected: p + 1,
                got: n,
            });
        }
        let sqrt_w: Vec<f64> = rows
            .iter()
            .map(|&i| weights.map_or(1.0, |w| w[i].sqrt()))
            .collect();
        let target = DVector::from_iterator(
            n,
            rows.iter()
                .zip(&sqrt_w)
                .map(|(&i, s)| s * (y[i] - offset.map_or(0.0, |o| o[i]))),
        );
        let mut xw = DMatrix::from_fn(n, p, |r, c| sqrt_w[r] * x.matrix()[(rows[r], c)]);
        // Column scaling by powers of two (exact in floating point).
        let norms: Vec<f64> = xw.column_iter().map(|c| c.norm().log2().round().exp2()).collect();
        for (j, mut c) in xw.column_iter_mut().enumerate() {
            c /= norms[j];
        }
        let qr = xw.clone().qr();
        let r = qr.r();
        let b_scaled = refined_least_squares(&xw, &target, &qr, &r)?;
        let beta = DVector::from_iterator(p, b_scaled.iter().zip(&norms).map(|(b, s)| b / s));
        let resid = residual_extended(&xw, &target, &b_scaled);
        let rss = resid.iter().map(|v| v * v).sum::<f64>();
        if rss.is_nan() {
            return Err(MleError::SingularInformation {
                detail: "least-squares residuals are not finite".into(),
            });
        }
        let sigma2 = rss / n as f64;
        // (XᵀWX)⁻¹ = D R⁻¹ R⁻ᵀ D with D the column scaling.
        let r_inv = r
            .solve_upper_triangular(&DMatrix::identity(p, p))
            .ok_or_else(|| MleError::SingularInformation {
                detail: "R is singular".into(),
            })?;
        let xtx_inv_scaled = &r_inv * r_inv.transpose();
        let xtx_inv = DMatrix::from_fn(p, p, |a, b| xtx_inv_scaled[(a, b)] / (norms[a] * norms[b]));

        let mut theta: Vec<f64> = beta.iter().copied().collect();
        theta.push(0.5 * sigma2.ln());
        let s2 = rss / (n - p) as f64;
        if rss == 0.0 {
            // An exact fit (e.g. NIST Wampler1): β is exact, σ̂ = 0 is on the boundary and ℓ is
            // unbounded; the fit says so instead of failing.
            let fit = Fit::on_boundary(
                &objective.model_name(),
                objective.parameters(),
                &theta,
                f64::INFINITY,
                n,
                Convergence::closed_form("least squares by Householder QR (exact fit, RSS = 0)"),
            );
            return Ok(LinearRegressionFit {
                fit,
                rss,
                n,
                p,
                classical_covariance: xtx_inv * s2,
            });
        }
        let mut covariance = DMatrix::zeros(p + 1, p + 1);
        covariance
            .view_mut((0, 0), (p, p))
            .copy_from(&(&xtx_inv * sigma2));
        covariance[(p, p)] = 1.0 / (2.0 * n as f64);
        let fit = Fit::at_estimate(
            &objective,
            &theta,
            Convergence::closed_form("least squares by Householder QR"),
        )?
        .with_covariance(
            "σ̂²(XᵀWX)⁻¹ from the QR factor (= inverse observed information)",
            covariance,
        )?;
        debug_assert_eq!(objective.n_obs(), n);
        Ok(LinearRegressionFit {
            fit,
            rss,
            n,
            p,
            classical_covariance: xtx_inv * s2,
        })
    }
}

/// Error-free transformations for double-double accumulation.
#[inline]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// Σ products accumulated in double-double (Ogita–Rump–Oishi `Dot2`).
fn dot2(terms: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (mut s, mut c) = (0.0, 0.0);
    for (a, b) in terms {
        let p = a * b;
        let pe = a.mul_add(b, -p);
        let (t, e) = two_sum(s, p);
        s = t;
        c += e + pe;
    }
    s + c
}

/// y − A x with each entry computed in double-double.
fn residual_extended(a: &DMatrix<f64>, y: &DVector<f64>, x: &DVector<f64>) -> DVector<f64> {
    DVector::from_fn(a.nrows(), |i, _| {
        dot2(std::iter::once((y[i], 1.0)).chain((0..a.ncols()).map(|j| (a[(i, j)], -x[j]))))
    })
}

/// Least squares min ‖y − A x‖ by Householder QR with Björck's iterative refinement of the
/// augmented system (residuals in double-double): the large-residual term cond(A)²·ε of
/// plain QR is removed, which NIST Wampler4/5 need for 12+ digits.
fn refined_least_squares(
    a: &DMatrix<f64>,
    y: &DVector<f64>,
    qr: &nalgebra::linalg::QR<f64, nalgebra::Dyn, nalgebra::Dyn>,
    r_factor: &DMatrix<f64>,
) -> Result<DVector<f64>> {
    let p = a.ncols();
    let singular = || MleError::SingularInformation {
        detail: "R of the QR factorisation is singular".into(),
    };
    let mut qty = y.clone();
    qr.q_tr_mul(&mut qty);
    let mut x = r_factor
        .solve_upper_triangular(&qty.rows(0, p).into_owned())
        .ok_or_else(singular)?;
    let mut r = residual_extended(a, y, &x);
    for _ in 0..3 {
        // f = y − r − A x, g = −Aᵀ r, both in double-double.
        let f = DVector::from_fn(a.nrows(), |i, _| {
            dot2(
                [(y[i], 1.0), (r[i], -1.0)]
                    .into_iter()
                    .chain((0..p).map(|j| (a[(i, j)], -x[j]))),
            )
        });
        let g = DVector::from_fn(p, |j, _| -dot2((0..a.nrows()).map(|i| (a[(i, j)], r[i]))));
        // h = R⁻ᵀ g;  d = Qᵀ f;  δx = R⁻¹(d₁ − h);  δr = f − A δx.
        let h = r_factor
            .transpose()
            .solve_lower_triangular(&g)
            .ok_or_else(singular)?;
        let mut d = f.clone();
        qr.q_tr_mul(&mut d);
        let dx = r_factor
            .solve_upper_triangular(&(d.rows(0, p) - &h))
            .ok_or_else(singular)?;
        let dr = &f - a * &dx;
        x += &dx;
        r += &dr;
        if dx.amax() <= 1e-17 * x.amax() {
            break;
        }
    }
    Ok(x)
}
