//! Design matrices with column names, checked once: finite entries, full column rank.

use nalgebra::DMatrix;

use crate::error::{MleError, Result};

/// A design matrix (n × p, `nalgebra`, column-major) with a name for every column.
///
/// ```
/// use mle_core::Design;
/// use nalgebra::dmatrix;
/// let x = Design::new(dmatrix![1.0, 0.5; 1.0, 1.5; 1.0, 3.0], ["(Intercept)", "dose"]).unwrap();
/// assert_eq!((x.nrows(), x.ncols()), (3, 2));
/// assert_eq!(x.names()[1], "dose");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    matrix: DMatrix<f64>,
    names: Vec<String>,
    /// max |x_ij| of each column (from the finiteness scan of [`Design::new`]).
    column_max_abs: Vec<f64>,
}

impl Design {
    /// [`column_scale`] of every column, in parallel over columns.
    fn column_norms(&self) -> Vec<(f64, f64)> {
        use rayon::prelude::*;
        (0..self.ncols())
            .into_par_iter()
            .map(|j| column_scale(self.matrix.column(j).as_slice(), self.column_max_abs[j]))
            .collect()
    }

    /// Residual norms (relative) of each column after projection on the earlier ones, from
    /// the correlation-scaled Gram matrix, computed in row chunks in parallel. `scales` are
    /// the exact power-of-two column scales (so the Gram matrix cannot overflow); the norms
    /// of the scaled columns are the square roots of its diagonal. With them, XᵀX itself
    /// when it was formed in place (every column maximum well inside the exponent range).
    fn gram_residual_norms(&self, scales: &[f64]) -> (nalgebra::DVector<f64>, Option<DMatrix<f64>>) {
        use rayon::prelude::*;
        let (n, p) = (self.nrows(), self.ncols());
        let chunk = crate::predictor::ROW_CHUNK;
        // Power-of-two scales commute with rounding: with every column maximum well inside
        // the exponent range, XᵀX in place (no copy), scaled afterwards, has the same bits as
        // the Gram matrix of the scaled columns.
        let safe = |a: f64| a == 0.0 || (a > 2f64.powi(-300) && a < 2f64.powi(300));
        let in_place = self.column_max_abs.iter().all(|&a| safe(a));
        let parts: Vec<DMatrix<f64>> = (0..n.div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                let (r0, m) = (c * chunk, chunk.min(n - c * chunk));
                let mut g = DMatrix::zeros(p, p);
                if in_place {
                    let rows = self.matrix.rows(r0, m);
                    crate::gram::add_symmetric_cross_product_rows(&mut g, &self.matrix, r0, m, &rows);
                } else {
                    let mut rows = self.matrix.rows(r0, m).clone_owned();
                    for (j, mut col) in rows.column_iter_mut().enumerate() {
                        col *= scales[j];
                    }
                    crate::gram::add_symmetric_cross_product_rows(&mut g, &rows, 0, m, &rows);
                }
                g
            })
            .collect();
        let mut g = DMatrix::zeros(p, p);
        for part in &parts {
            g += part;
        }
        let unscaled = in_place.then(|| g.clone());
        if in_place {
            for c in 0..p {
                for r in 0..p {
                    g[(r, c)] *= scales[r] * scales[c];
                }
            }
        }
        let scale: Vec<f64> = (0..p)
            .map(|j| {
                if g[(j, j)] > 0.0 {
                    1.0 / g[(j, j)].sqrt()
                } else {
                    0.0
                }
            })
            .collect();
        let g = DMatrix::from_fn(p, p, |r, c| g[(r, c)] * scale[r] * scale[c]);
        let mut l = DMatrix::<f64>::zeros(p, p);
        let mut out = nalgebra::DVector::zeros(p);
        for j in 0..p {
            let mut d = g[(j, j)];
            for k in 0..j {
                d -= l[(j, k)] * l[(j, k)];
            }
            if d <= 1e-14 {
                continue; // dependent: leaves L's column j zero
            }
            let r = d.sqrt();
            out[j] = r;
            l[(j, j)] = r;
            for i in j + 1..p {
                let mut v = g[(i, j)];
                for k in 0..j {
                    v -= l[(i, k)] * l[(j, k)];
                }
                l[(i, j)] = v / r;
            }
        }
        (out, unscaled)
    }

    /// Checks that there is one name per column and that every entry is finite (the error
    /// names the row and column).
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// use nalgebra::dmatrix;
    /// let e = Design::new(dmatrix![1.0, f64::NAN], ["a", "b"]).unwrap_err();
    /// assert!(e.to_string().contains("row 0") && e.to_string().contains("`b`"));
    /// ```
    pub fn new<S: Into<String>>(matrix: DMatrix<f64>, names: impl IntoIterator<Item = S>) -> Result<Self> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.len() != matrix.ncols() {
            return Err(MleError::DimensionMismatch {
                what: "column names of the design".into(),
                expected: matrix.ncols(),
                got: names.len(),
            });
        }
        if matrix.nrows() == 0 {
            return Err(MleError::EmptyData);
        }
        let mut column_max_abs = Vec::with_capacity(matrix.ncols());
        for (j, col) in matrix.column_iter().enumerate() {
            let Some(amax) = finite_max_abs(col.as_slice()) else {
                let i = col.iter().position(|v| !v.is_finite()).unwrap_or(0);
                return Err(MleError::InvalidDesign {
                    reason: format!("entry at row {i}, column `{}` is {}", names[j], col[i]),
                });
            };
            column_max_abs.push(amax);
        }
        Ok(Design {
            matrix,
            names,
            column_max_abs,
        })
    }

    /// An intercept-only design (a column of ones named "(Intercept)").
    ///
    /// ```
    /// let z = mle_core::Design::intercept(4);
    /// assert_eq!(z.matrix().sum(), 4.0);
    /// ```
    pub fn intercept(n: usize) -> Self {
        Design {
            matrix: DMatrix::from_element(n, 1, 1.0),
            names: vec!["(Intercept)".into()],
            column_max_abs: vec![if n == 0 { 0.0 } else { 1.0 }],
        }
    }

    /// Builds a design from named columns, with an intercept column first if asked.
    ///
    /// ```
    /// let x = mle_core::Design::from_columns(true, &[("x", vec![1.0, 2.0])]).unwrap();
    /// assert_eq!(x.names(), ["(Intercept)", "x"]);
    /// ```
    pub fn from_columns(intercept: bool, columns: &[(&str, Vec<f64>)]) -> Result<Self> {
        let n = columns.first().map(|c| c.1.len()).unwrap_or(0);
        let mut names = Vec::new();
        let mut data = Vec::new();
        if intercept {
            names.push("(Intercept)".to_string());
            data.extend(std::iter::repeat_n(1.0, n));
        }
        for (name, col) in columns {
            if col.len() != n {
                return Err(MleError::DimensionMismatch {
                    what: format!("column `{name}`"),
                    expected: n,
                    got: col.len(),
                });
            }
            names.push(name.to_string());
            data.extend_from_slice(col);
        }
        Design::new(DMatrix::from_vec(n, names.len(), data), names)
    }

    /// The matrix.
    ///
    /// ```
    /// assert_eq!(mle_core::Design::intercept(2).matrix().nrows(), 2);
    /// ```
    pub fn matrix(&self) -> &DMatrix<f64> {
        &self.matrix
    }

    /// Column names.
    ///
    /// ```
    /// assert_eq!(mle_core::Design::intercept(2).names(), ["(Intercept)"]);
    /// ```
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The largest |x_ij| of each column (kept from the check of [`Design::new`]): bounds
    /// |xᵢ·β| ≤ Σⱼ max|x_j|·|βⱼ| for every row without a pass over the data.
    ///
    /// ```
    /// let x = mle_core::Design::from_columns(true, &[("x", vec![-3.0, 2.0])]).unwrap();
    /// assert_eq!(x.column_max_abs(), [1.0, 3.0]);
    /// ```
    pub fn column_max_abs(&self) -> &[f64] {
        &self.column_max_abs
    }

    /// Number of rows.
    ///
    /// ```
    /// assert_eq!(mle_core::Design::intercept(5).nrows(), 5);
    /// ```
    pub fn nrows(&self) -> usize {
        self.matrix.nrows()
    }

    /// Number of columns.
    ///
    /// ```
    /// assert_eq!(mle_core::Design::intercept(5).ncols(), 1);
    /// ```
    pub fn ncols(&self) -> usize {
        self.matrix.ncols()
    }

    /// Whether the design is a single intercept column.
    ///
    /// ```
    /// assert!(mle_core::Design::intercept(3).is_intercept_only());
    /// ```
    pub fn is_intercept_only(&self) -> bool {
        self.ncols() == 1 && self.matrix.iter().all(|v| *v == 1.0)
    }

    /// Checks full column rank. Columns are taken in order; a column whose residual after
    /// projection on the earlier independent columns is below `tolerance` relative to the
    /// largest (in norm, columns scaled to unit norm), the tolerance raised to max(n, p)·ε
    /// (the round-off of the QR, as LAPACK and R's `qr`), is reported with the linear
    /// relation, e.g. "`wt2` = 2·`wt` + 0·…". Uses Householder QR of the column-equilibrated
    /// design (norms taken without overflow, so |x| up to f64::MAX is fine), so it neither
    /// squares the condition number nor flags ill-conditioned but full-rank designs like
    /// NIST Filip at the default 1e-13. A tolerance that is NaN, negative or infinite is an
    /// [`MleError::ToleranceNotPositive`].
    ///
    /// ```
    /// use mle_core::{Design, MleError};
    /// let x = Design::from_columns(true, &[("a", vec![1.0, 2.0, 3.0]), ("b", vec![2.0, 4.0, 6.0])]).unwrap();
    /// match x.check_rank(1e-13) {
    ///     Err(MleError::RankDeficient { columns, relation }) => {
    ///         assert_eq!(columns, vec!["b".to_string()]);
    ///         assert!(relation.contains("2.000·`a`"), "{relation}");
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn check_rank(&self, tolerance: f64) -> Result<()> {
        self.check_rank_keeping_gram(tolerance).map(|_| ())
    }

    /// [`Design::check_rank`], handing back XᵀX when the check formed it (large designs,
    /// n·p² above 5·10⁷, whose check is a pass of the Gram matrix; `None` for the QR path),
    /// so a fit can use it instead of forming it again.
    ///
    /// ```
    /// let x = mle_core::Design::from_columns(true, &[("x", vec![1.0, 2.0, 4.0])]).unwrap();
    /// assert_eq!(x.check_rank_keeping_gram(1e-13).unwrap(), None); // small: the QR path
    /// ```
    pub fn check_rank_keeping_gram(&self, tolerance: f64) -> Result<Option<DMatrix<f64>>> {
        if !(tolerance.is_finite() && tolerance >= 0.0) {
            return Err(MleError::ToleranceNotPositive {
                name: "rank tolerance",
                value: tolerance,
            });
        }
        let (n, p) = (self.nrows(), self.ncols());
        if n < p {
            return Err(MleError::RankDeficient {
                columns: self.names[n..].to_vec(),
                relation: format!("{p} columns but only {n} rows"),
            });
        }
        // Equilibrate columns (norms computed without overflow), then Householder QR in
        // column order (no pivoting): column j is dependent when |R_jj| is negligible against
        // the largest |R_kk| — relative to `tolerance`, raised to max(n, p)·ε as LAPACK and
        // R's `qr` do, since the round-off of a QR grows with the number of rows.
        // Power-of-two column scales from the kept maxima (exact; 0 for a zero column).
        let scales: Vec<f64> = self
            .column_max_abs
            .iter()
            .map(|&a| if a == 0.0 { 0.0 } else { power_of_two_scale(a) })
            .collect();
        let relative = tolerance.max(n.max(p) as f64 * f64::EPSILON);
        // The column norms: needed by the QR path, and by the relation of a dependent column.
        let mut norms = None;
        let mut gram = None;
        let diag = if n * p * p <= 50_000_000 {
            // Householder QR by row blocks in parallel (TSQR): the R of the whole matrix.
            let unit = norms.insert(self.column_norms());
            crate::tsqr::tall_skinny_r(&self.matrix, |j, c| scale_to_unit(c, unit[j]))
                .diagonal()
                .map(f64::abs)
        } else {
            // Large designs: the Gram matrix (one pass of gemm) and a Cholesky in column
            // order. Its round-off limits the test to ~1e-7 relative in norm, so the
            // tolerance is raised to that (as R's lm.fit default tol = 1e-7).
            let (residuals, xtx) = self.gram_residual_norms(&scales);
            gram = xtx;
            residuals.map(|r| if r < 1e-7 { 0.0 } else { r })
        };
        let largest = diag.iter().fold(0.0f64, |m, v| m.max(*v));
        let threshold = relative * largest;
        let mut dependent = Vec::new();
        let mut independent = Vec::new();
        for j in 0..p {
            if scales[j] == 0.0 || diag[j].is_nan() || diag[j] <= threshold {
                dependent.push(j);
            } else {
                independent.push(j);
            }
        }
        if dependent.is_empty() {
            return Ok(gram);
        }
        // Express the first dependent column through the independent ones before it.
        let j = dependent[0];
        let before: Vec<usize> = independent.iter().copied().filter(|&i| i < j).collect();
        let norms = norms.unwrap_or_else(|| self.column_norms());
        let relation = self.relation(j, &before, &norms);
        Err(MleError::RankDeficient {
            columns: dependent.iter().map(|&j| self.names[j].clone()).collect(),
            relation,
        })
    }

    /// The linear relation of dependent column `j` to the independent columns `before` it
    /// (solved on unit-norm columns, so it neither overflows nor underflows).
    fn relation(&self, j: usize, before: &[usize], norms: &[(f64, f64)]) -> String {
        let n = self.nrows();
        if norms[j].0 == 0.0 {
            format!("`{}` is identically zero", self.names[j])
        } else if before.is_empty() {
            format!("`{}` is not identified", self.names[j])
        } else {
            // On unit-norm columns (no overflow): b/‖b‖ = Σ c_s,i a_i/‖a_i‖, so the raw
            // coefficient of a_i is c_s,i·‖b‖/‖a_i‖ (‖·‖ = u/s from `column_scale`).
            let mut a = DMatrix::from_fn(n, before.len(), |r, c| self.matrix[(r, before[c])]);
            for (k, mut c) in a.column_iter_mut().enumerate() {
                scale_to_unit(c.as_mut_slice(), norms[before[k]]);
            }
            let mut b = self.matrix.column(j).into_owned();
            scale_to_unit(b.as_mut_slice(), norms[j]);
            let coef = a
                .svd(true, true)
                .solve(&b, 1e-12)
                .unwrap_or_else(|_| nalgebra::DVector::zeros(before.len()));
            // Terms negligible on the unit-norm scale are left out.
            let terms: Vec<String> = before
                .iter()
                .zip(coef.iter())
                .filter(|(_, c)| c.abs() > 1e-10)
                .map(|(&i, c)| {
                    let raw = c * (norms[j].1 / norms[i].1) * (norms[i].0 / norms[j].0);
                    format!("{raw:.3}·`{}`", self.names[i])
                })
                .collect();
            format!(
                "`{}` = {}",
                self.names[j],
                if terms.is_empty() {
                    "0".into()
                } else {
                    terms.join(" + ")
                }
            )
        }
    }
}

/// The scale of a column without overflow or underflow: (s, u) with s a power of two taken
/// from its largest magnitude (exact) and u = ‖s·c‖ ∈ [1, 2√n), so ‖c‖ = u / s; (0, 0) for a
/// zero column.
fn column_scale(c: &[f64], amax: f64) -> (f64, f64) {
    if amax == 0.0 {
        return (0.0, 0.0);
    }
    let s = power_of_two_scale(amax);
    // Eight partial sums: independent chains the compiler can keep in vector registers.
    let mut acc = [0.0f64; LANES];
    let chunks = c.chunks_exact(LANES);
    let tail: f64 = chunks.remainder().iter().map(|v| (v * s) * (v * s)).sum();
    for chunk in chunks {
        for (a, v) in acc.iter_mut().zip(chunk) {
            *a += (v * s) * (v * s);
        }
    }
    (s, (acc.iter().sum::<f64>() + tail).sqrt())
}

/// Lanes of the unrolled column reductions.
const LANES: usize = 8;

/// max |cᵢ|, or `None` when an entry is not finite; in lanes (no `f64::max` chain, whose
/// NaN rule keeps the loop scalar).
fn finite_max_abs(c: &[f64]) -> Option<f64> {
    let mut acc = [0.0f64; LANES];
    let mut nan = false;
    let chunks = c.chunks_exact(LANES);
    for v in chunks.remainder() {
        acc[0] = if v.abs() > acc[0] { v.abs() } else { acc[0] };
        nan |= v.is_nan();
    }
    for chunk in chunks {
        for (a, v) in acc.iter_mut().zip(chunk) {
            let m = v.abs();
            *a = if m > *a { m } else { *a };
            nan |= v.is_nan();
        }
    }
    let amax = acc.iter().fold(0.0f64, |m, v| m.max(*v));
    (amax.is_finite() && !nan).then_some(amax)
}

/// 2^−k with 2^k ≤ `amax` < 2^(k+1), so that `amax`·2^−k ∈ [1, 2) (k clamped to the
/// exponent range, so the factor itself is finite and exact).
fn power_of_two_scale(amax: f64) -> f64 {
    let k = (amax.log2().floor() as i32).clamp(-1022, 1023);
    2f64.powi(-k)
}

/// Scales a column to unit norm given its [`column_scale`] (a power of two, then the rest,
/// so neither step overflows or flushes to zero).
fn scale_to_unit(c: &mut [f64], (s, u): (f64, f64)) {
    if s == 0.0 {
        return;
    }
    for v in c.iter_mut() {
        *v = (*v * s) / u;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A design past the QR size limit (n·p² > 5·10⁷: the Gram path), column 7 optionally
    /// 2·column 1 + column 2, and column 3 optionally scaled by `huge`.
    fn large(dependent: bool, huge: f64) -> Design {
        let (n, p) = (130_000, 20);
        let mut s: u64 = 11;
        let mut m = DMatrix::from_fn(n, p, |_, _| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64) / (1u64 << 53) as f64 - 0.5
        });
        if dependent {
            for i in 0..n {
                m[(i, 7)] = 2.0 * m[(i, 1)] + m[(i, 2)];
            }
        }
        for i in 0..n {
            m[(i, 3)] *= huge;
        }
        Design::new(m, (0..p).map(|j| format!("x{j}"))).unwrap()
    }

    #[test]
    fn the_gram_path_finds_a_dependent_column_in_place_and_on_scaled_copies() {
        for huge in [1.0, 1e200] {
            assert!(large(false, huge).check_rank(1e-13).is_ok(), "scale {huge}");
            match large(true, huge).check_rank(1e-13) {
                Err(MleError::RankDeficient { columns, relation }) => {
                    assert_eq!(columns, ["x7"], "scale {huge}");
                    assert!(
                        relation.contains("2.000·`x1`") && relation.contains("1.000·`x2`"),
                        "{relation}"
                    );
                }
                other => panic!("scale {huge}: {other:?}"),
            }
        }
    }
}
