//! What every regression needs besides its family: response, design, offset, case weights.

use mle_core::predictor::PredictorDensity;
use mle_core::{Design, LinearPredictorObjective, Result};

/// Response and mean design of a regression, with an optional offset on the first linear
/// predictor and optional case weights.
///
/// ```
/// use mle_core::Design;
/// use mle_models::regression::RegressionInput;
/// let x = Design::intercept(2);
/// let off = [0.0, 1.0];
/// let input = RegressionInput::new(&x, &[1.0, 2.0]).offset(&off);
/// assert_eq!(input.response(), &[1.0, 2.0]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RegressionInput<'a> {
    design: &'a Design,
    y: &'a [f64],
    offset: Option<&'a [f64]>,
    weights: Option<&'a [f64]>,
}

impl<'a> RegressionInput<'a> {
    /// Response `y` with design `x` for the first (mean) predictor.
    ///
    /// ```
    /// let x = mle_core::Design::intercept(1);
    /// let i = mle_models::regression::RegressionInput::new(&x, &[3.0]);
    /// assert_eq!(i.design().ncols(), 1);
    /// ```
    pub fn new(x: &'a Design, y: &'a [f64]) -> Self {
        RegressionInput {
            design: x,
            y,
            offset: None,
            weights: None,
        }
    }

    /// An offset added to the first linear predictor (e.g. log exposure).
    ///
    /// ```
    /// let x = mle_core::Design::intercept(1);
    /// let i = mle_models::regression::RegressionInput::new(&x, &[3.0]).offset(&[0.5]);
    /// assert_eq!(i.offset_values(), Some(&[0.5][..]));
    /// ```
    pub fn offset(mut self, offset: &'a [f64]) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Case weights.
    ///
    /// ```
    /// let x = mle_core::Design::intercept(1);
    /// let i = mle_models::regression::RegressionInput::new(&x, &[3.0]).weights(&[2.0]);
    /// assert_eq!(i.weight_values(), Some(&[2.0][..]));
    /// ```
    pub fn weights(mut self, weights: &'a [f64]) -> Self {
        self.weights = Some(weights);
        self
    }

    /// The design of the first predictor.
    ///
    /// ```
    /// let x = mle_core::Design::intercept(1);
    /// assert_eq!(mle_models::regression::RegressionInput::new(&x, &[3.0]).design().nrows(), 1);
    /// ```
    pub fn design(&self) -> &'a Design {
        self.design
    }

    /// The response.
    ///
    /// ```
    /// let x = mle_core::Design::intercept(1);
    /// assert_eq!(mle_models::regression::RegressionInput::new(&x, &[3.0]).response(), &[3.0]);
    /// ```
    pub fn response(&self) -> &'a [f64] {
        self.y
    }

    /// The offset, if any.
    ///
    /// ```
    /// let x = mle_core::Design::intercept(1);
    /// assert!(mle_models::regression::RegressionInput::new(&x, &[3.0]).offset_values().is_none());
    /// ```
    pub fn offset_values(&self) -> Option<&'a [f64]> {
        self.offset
    }

    /// The weights, if any.
    ///
    /// ```
    /// let x = mle_core::Design::intercept(1);
    /// assert!(mle_models::regression::RegressionInput::new(&x, &[3.0]).weight_values().is_none());
    /// ```
    pub fn weight_values(&self) -> Option<&'a [f64]> {
        self.weights
    }

    /// The objective of `family` with the given designs (the first one is this input's).
    ///
    /// ```
    /// use mle_core::{Design, Objective};
    /// use mle_models::{regression::RegressionInput, Logistic};
    /// let x = Design::intercept(2);
    /// let y = [0.0, 1.0];
    /// let input = RegressionInput::new(&x, &y);
    /// let obj = input.objective(&Logistic, [&x]).unwrap();
    /// assert_eq!(obj.dimension(), 1);
    /// ```
    pub fn objective<F: PredictorDensity<K>, const K: usize>(
        &self,
        family: &'a F,
        designs: [&'a Design; K],
    ) -> Result<LinearPredictorObjective<'a, F, K>> {
        let mut obj = LinearPredictorObjective::new(family, designs, self.y)?;
        if let Some(off) = self.offset {
            obj = obj.with_offset(0, off)?;
        }
        if let Some(w) = self.weights {
            obj = obj.with_weights(w)?;
        }
        Ok(obj)
    }
}

/// A cheap least-squares fit used only for starting values (Cholesky of the weighted Gram
/// matrix; accuracy is irrelevant for a start, speed is not): (β, log σ̂).
///
/// ```
/// use mle_core::Design;
/// use mle_models::regression::{least_squares_start, RegressionInput};
/// let x = Design::from_columns(true, &[("x", vec![0.0, 1.0, 2.0, 3.0])]).unwrap();
/// let y = [1.0, 3.0, 5.0, 7.5];
/// let (beta, _) = least_squares_start(RegressionInput::new(&x, &y));
/// assert!((beta[1] - 2.15).abs() < 1e-9);
/// ```
pub fn least_squares_start(input: RegressionInput<'_>) -> (Vec<f64>, f64) {
    let x = input.design().matrix();
    let (n, p) = (x.nrows(), x.ncols());
    let w: Vec<f64> = (0..n).map(|i| input.weights.map_or(1.0, |w| w[i])).collect();
    let target = nalgebra::DVector::from_fn(n, |i, _| input.y[i] - input.offset.map_or(0.0, |o| o[i]));
    let mut wx = x.clone();
    for (i, wi) in w.iter().enumerate() {
        let mut row = wx.row_mut(i);
        row *= *wi;
    }
    let gram = wx.tr_mul(x) + nalgebra::DMatrix::identity(p, p) * 1e-12;
    let rhs = wx.tr_mul(&target);
    let beta = gram
        .cholesky()
        .map(|c| c.solve(&rhs))
        .unwrap_or_else(|| nalgebra::DVector::zeros(p));
    let resid = &target - x * &beta;
    let total_w: f64 = w.iter().sum::<f64>().max(1e-300);
    let var = resid.iter().zip(&w).map(|(r, wi)| wi * r * r).sum::<f64>() / total_w;
    let log_sigma = if var > 0.0 && var.is_finite() {
        0.5 * var.ln()
    } else {
        0.0
    };
    let beta = beta
        .iter()
        .map(|b| if b.is_finite() { *b } else { 0.0 })
        .collect();
    (beta, log_sigma)
}
