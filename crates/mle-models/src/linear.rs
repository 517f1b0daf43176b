//! Linear regression as the Gaussian MLE, computed by QR (never the normal equations), and
//! the heteroscedastic Gaussian regression with mean Xβ and log σ = Zγ — both the
//! [`Gaussian`] family with its (μ, log σ) as linear predictors.

use std::borrow::Cow;

use mle_core::{Convergence, Design, Fit, MleError, Objective, Result};
use mle_families::Gaussian;
use mle_optim::{FitOptions, Fitted, Model};
use nalgebra::{DMatrix, DVector};

use crate::regression::{regression_least_squares, Regression, RegressionFamily};

impl<'a> Regression<'a, Gaussian, 2> {
    /// Gaussian regression with mean Xβ and log σ = Zγ, fitted jointly (full Gaussian NLL)
    /// by Newton from least squares with constant log σ. Coefficients of the mean are named
    /// by `x`'s columns, those of log σ as `log_sigma:<column>`.
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use mle_models::Regression;
    /// use mle_optim::Model;
    /// let x = Design::from_columns(true, &[("x", (1..=20).map(f64::from).collect())]).unwrap();
    /// let y: Vec<f64> = (1..=20).map(|i| 1.0 + 2.0 * i as f64 + if i % 2 == 0 { 0.1 * i as f64 } else { -0.1 * i as f64 }).collect();
    /// let fitted = Regression::heteroscedastic(&x, &x, &y).unwrap().fit().unwrap();
    /// assert!(fitted.estimates()[3] > 0.0); // σ grows with x
    /// let short = Design::intercept(2);
    /// assert!(matches!(Regression::heteroscedastic(&x, &short, &y), Err(MleError::DimensionMismatch { .. })));
    /// ```
    pub fn heteroscedastic(x: &'a Design, z: &'a Design, y: &'a [f64]) -> Result<Self> {
        Regression::new(Gaussian, [x, z], y)
    }
}

impl RegressionFamily<2> for Gaussian {
    fn regression_name(&self) -> String {
        "Gaussian regression (mean Xβ, log σ = Zγ)".into()
    }

    /// Least squares for β, constant log σ̂ on the scale design's intercept.
    fn regression_start(&self, regression: &Regression<'_, Self, 2>) -> Vec<f64> {
        let (mut start, log_sigma) = regression_least_squares(regression);
        let z = regression.design(1);
        let mut gamma = vec![0.0; z.ncols()];
        if let Some(j) = z.names().iter().position(|n| n == "(Intercept)") {
            gamma[j] = log_sigma;
        }
        start.extend(gamma);
        start
    }
}

/// Ordinary (or weighted) least squares as the Gaussian MLE: Householder QR of the
/// column-equilibrated design, Björck refinement, σ̂² = RSS/n. Precision weights as R
/// `lm(weights=)` (Var εᵢ = σ²/wᵢ; zero weights drop the row), an offset on the mean.
///
/// ```
/// use mle_core::{Design, MleError};
/// use mle_models::{LeastSquares, LinearRegression};
/// use mle_optim::Model;
/// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
/// let fitted = LinearRegression::new(&x, &[1.0, 3.1, 4.9, 7.0]).unwrap().fit().unwrap();
/// assert!((fitted.estimates()[1] - 1.98).abs() < 1e-12);
/// assert_eq!(fitted.parameters().last().unwrap().name, "log_sigma");
/// let z = Design::intercept(3);
/// let w = LinearRegression::new(&z, &[1.0, 2.0, 9.0]).unwrap().weights(&[1.0, 1.0, 0.0]).unwrap();
/// let f = w.fit().unwrap();
/// assert!((f.estimates()[0] - 1.5).abs() < 1e-15);
/// assert!((f.sigma_unbiased() - 0.5f64.sqrt()).abs() < 1e-15);
/// let dep = Design::from_columns(true, &[("a", vec![1.0, 2.0, 3.0]), ("b", vec![2.0, 4.0, 6.0])]).unwrap();
/// assert!(matches!(LinearRegression::new(&dep, &[1.0, 2.0, 3.0]), Err(MleError::RankDeficient { .. })));
/// ```
#[derive(Clone)]
pub struct LinearRegression<'a> {
    x: &'a Design,
    y: &'a [f64],
    offset: Option<&'a [f64]>,
    weights: Option<&'a [f64]>,
    regression: Regression<'a, Gaussian, 2>,
}

impl<'a> LinearRegression<'a> {
    /// Least squares of `y` on `x` (checked: finite, full column rank naming the dependent
    /// columns).
    pub fn new(x: &'a Design, y: &'a [f64]) -> Result<Self> {
        Self::build(x, y, None, None)
    }

    /// An offset on the mean.
    pub fn offset(self, offset: &'a [f64]) -> Result<Self> {
        Self::build(self.x, self.y, Some(offset), self.weights)
    }

    /// Precision weights (finite, non-negative).
    pub fn weights(self, weights: &'a [f64]) -> Result<Self> {
        Self::build(self.x, self.y, self.offset, Some(weights))
    }

    /// The Gaussian objective with log σᵢ = log σ − ½ log wᵢ: built first, so its checks
    /// (finite response, full column rank naming dependent columns) guard the QR.
    fn build(
        x: &'a Design,
        y: &'a [f64],
        offset: Option<&'a [f64]>,
        weights: Option<&'a [f64]>,
    ) -> Result<Self> {
        let n_rows = x.nrows();
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
        let mut regression = Regression::with_designs(
            Gaussian,
            [Cow::Borrowed(x), Cow::Owned(Design::intercept(n_rows))],
            y,
        )?;
        if let Some(w) = weights {
            let log_sigma_offset: Vec<f64> = w
                .iter()
                .map(|&wi| if wi > 0.0 { -0.5 * wi.ln() } else { 0.0 })
                .collect();
            let case_weights: Vec<f64> = w.iter().map(|&wi| if wi > 0.0 { 1.0 } else { 0.0 }).collect();
            regression = regression.offset_on(1, log_sigma_offset)?.weights(case_weights)?;
        }
        if let Some(o) = offset {
            regression = regression.offset(o)?;
        }
        let n = weights.map_or(n_rows, |w| w.iter().filter(|&&v| v > 0.0).count());
        if n <= x.ncols() {
            return Err(MleError::DimensionMismatch {
                what: "observations (must exceed the coefficients)".into(),
                expected: x.ncols() + 1,
                got: n,
            });
        }
        Ok(LinearRegression {
            x,
            y,
            offset,
            weights,
            regression,
        })
    }

    fn least_squares(&self) -> Result<Fit> {
        let (x, y, offset, weights) = (self.x, self.y, self.offset, self.weights);
        let objective = self.regression.linear_objective();
        let (n_rows, p) = (x.nrows(), x.ncols());
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
        // An exact fit to working precision: residuals at the round-off of the least
        // squares (‖r‖ ≤ max(n, p)·ε·‖y‖), e.g. a constant response, not only RSS = 0.
        let exact = rss.sqrt() <= n.max(p) as f64 * f64::EPSILON * target.norm();
        let sigma2 = if exact { 0.0 } else { rss / n as f64 };
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
        if exact {
            // An exact fit (e.g. NIST Wampler1, or a constant response): β is exact, σ̂ = 0 is
            // on the boundary and ℓ is unbounded; the fit says so instead of failing.
            let fit = Fit::on_boundary(
                &objective.model_name(),
                objective.parameters(),
                &theta,
                f64::INFINITY,
                n,
                Convergence::closed_form(
                    "least squares by Householder QR (exact fit, RSS = 0 to working precision: \
                     ‖residuals‖ ≤ n·ε·‖y‖)",
                ),
            )?;
            return Ok(fit);
        }
        let mut covariance = DMatrix::zeros(p + 1, p + 1);
        covariance
            .view_mut((0, 0), (p, p))
            .copy_from(&(&xtx_inv * sigma2));
        covariance[(p, p)] = 1.0 / (2.0 * n as f64);
        Fit::at_estimate(
            objective,
            &theta,
            Convergence::closed_form("least squares by Householder QR"),
        )?
        .with_covariance(
            "σ̂²(XᵀWX)⁻¹ from the QR factor (= inverse observed information)",
            covariance,
        )
    }
}

impl Model for LinearRegression<'_> {
    fn objective(&self) -> &dyn Objective {
        self.regression.linear_objective()
    }

    fn start(&self) -> Vec<f64> {
        self.regression.start_values()
    }

    /// The QR solution (no iterations; the options are unused).
    fn estimate(&self, _options: &FitOptions) -> Result<Fit> {
        self.least_squares()
    }
}

/// The classical quantities of `lm` on a fitted linear regression.
pub trait LeastSquares {
    /// Residual sum of squares Σ wᵢ rᵢ² (= n σ̂²).
    fn rss(&self) -> f64;
    /// Observations with positive weight.
    fn n_used(&self) -> usize;
    /// σ̂ with divisor n (the MLE).
    fn sigma_mle(&self) -> f64 {
        (self.rss() / self.n_used() as f64).sqrt()
    }
    /// s with divisor n − p (the classical estimate).
    fn sigma_unbiased(&self) -> f64;
    /// Classical covariance s²(XᵀWX)⁻¹ of β (what `summary(lm)` reports).
    fn classical_covariance(&self) -> Result<DMatrix<f64>>;
    /// Classical standard errors s·√diag((XᵀWX)⁻¹).
    fn classical_std_errors(&self) -> Result<DVector<f64>> {
        Ok(self.classical_covariance()?.diagonal().map(f64::sqrt))
    }
}

impl LeastSquares for Fitted<LinearRegression<'_>> {
    fn rss(&self) -> f64 {
        let sigma = self.estimates()[self.estimates().len() - 1].exp();
        self.n_used() as f64 * sigma * sigma
    }

    fn n_used(&self) -> usize {
        self.n_obs()
    }

    fn sigma_unbiased(&self) -> f64 {
        let p = self.model().x.ncols();
        (self.rss() / (self.n_used() - p) as f64).sqrt()
    }

    /// s²/σ̂² times the β block of the QR covariance σ̂²(XᵀWX)⁻¹ (recomputed from the model, so
    /// a covariance estimator chosen on the fit does not change it; σ̂ = 0, the exact fit:
    /// s²(XᵀWX)⁻¹ = 0 as well).
    fn classical_covariance(&self) -> Result<DMatrix<f64>> {
        let p = self.model().x.ncols();
        let (n, s2) = (self.n_used() as f64, self.sigma_unbiased().powi(2));
        match self.model().least_squares()?.covariance() {
            Some(v) => Ok(v.view((0, 0), (p, p)) * (n / (n - p as f64))),
            None if s2 == 0.0 => Ok(DMatrix::zeros(p, p)),
            None => Err(MleError::SingularInformation {
                detail: "the fit has no covariance".into(),
            }),
        }
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
