//! A row-major copy of the design (the solvers walk observations), input validation and the
//! small linear-algebra helpers of the quantile solvers.

use mle_core::inference::SymmetricInverse;
use mle_core::summation::sum_blocks;
use mle_core::{Design, MleError, Parameter, Result};
use mle_families::asymmetric_laplace::check_loss;
use nalgebra::DMatrix;

/// Checks a design / response pair (same length, non-empty, finite response, full column
/// rank) and returns the row-major copy. Rank: a one-pass screen on the equilibrated Gram
/// matrix accepts clearly full-rank designs; anything doubtful goes to
/// [`Design::check_rank`], whose verdict (and error message) is final.
pub(crate) fn validate(x: &Design, y: &[f64]) -> Result<Rows> {
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

/// Σ ρ_τ(rᵢ), compensated.
pub(crate) fn compensated_check_loss(residuals: &[f64], tau: f64) -> f64 {
    sum_blocks(residuals.len(), 1, |range, out| {
        out[0] += residuals[range].iter().map(|&r| check_loss(r, tau)).sum::<f64>();
    })[0]
}

pub(crate) fn check_loss_sum(rows: &Rows, y: &[f64], beta: &[f64], tau: f64) -> f64 {
    compensated_check_loss(&residuals(rows, y, beta), tau)
}

/// Row-major copy of a design: the solvers walk observations.
#[derive(Debug, Clone)]
pub(crate) struct Rows {
    pub(crate) data: Vec<f64>,
    pub(crate) n: usize,
    pub(crate) p: usize,
}

impl Rows {
    pub(crate) fn from_matrix(x: &DMatrix<f64>) -> Self {
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

    pub(crate) fn select(&self, idx: &[usize]) -> Rows {
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
    pub(crate) fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.p..(i + 1) * self.p]
    }
}

#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub(crate) fn residuals(rows: &Rows, y: &[f64], beta: &[f64]) -> Vec<f64> {
    y.iter()
        .enumerate()
        .map(|(i, &yi)| yi - dot(rows.row(i), beta))
        .collect()
}

/// Σ wᵢ xᵢ xᵢᵀ (w = 1 when `None`), compensated and deterministic.
pub(crate) fn gram(rows: &Rows, weights: Option<&[f64]>) -> DMatrix<f64> {
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

/// The inverse of a symmetric positive-definite matrix of the coefficients (`what` names it in
/// the error), by [`SymmetricInverse::of_positive_definite`]; when it is not positive definite
/// the error gives the flat direction as a combination of the coefficients `names`.
pub(crate) fn spd_inverse(m: &DMatrix<f64>, what: &str, names: &[String]) -> Result<DMatrix<f64>> {
    SymmetricInverse::of_positive_definite(m).map_err(|flat| {
        let parameters: Vec<Parameter> = names.iter().map(Parameter::identity).collect();
        let detail = if flat.eigenvalue.is_nan() {
            format!("{what} has non-finite entries, so this covariance cannot be formed")
        } else {
            format!(
                "{what} is not positive definite (smallest eigenvalue {:.3e}, direction {}), so this \
                 covariance cannot be formed",
                flat.eigenvalue,
                flat.describe(&parameters)
            )
        };
        MleError::SingularInformation { detail }
    })
}

pub(crate) fn compensated_sum(v: &[f64]) -> f64 {
    sum_blocks(v.len(), 1, |range, out| out[0] += v[range].iter().sum::<f64>())[0]
}

/// Seeded designs for the solvers' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::Rows;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// n rows: an intercept and p − 1 columns uniform on (−j, j) (integers 0..5 when
    /// `integer`); y = 1 + Σ ½ j xⱼ + skewed noise (rounded when `integer`: many ties).
    pub(crate) fn seeded(n: usize, p: usize, seed: u64, integer: bool) -> (Rows, Vec<f64>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut data = Vec::with_capacity(n * p);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let mut eta = 1.0;
            data.push(1.0);
            for j in 1..p {
                let v: f64 = if integer {
                    rng.random_range(0..6) as f64
                } else {
                    (2.0 * rng.random::<f64>() - 1.0) * j as f64
                };
                data.push(v);
                eta += 0.5 * j as f64 * v;
            }
            let u: f64 = rng.random();
            let e = (u / (1.0 - u)).ln() * (1.0 + u); // skewed logistic-like noise
            y.push(if integer { (eta + e).round() } else { eta + e });
        }
        (Rows { data, n, p }, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_major_copy_crosses_the_block_boundary() {
        let x = DMatrix::from_fn(600, 3, |i, j| (i * 3 + j) as f64);
        let rows = Rows::from_matrix(&x);
        for i in [0, 255, 256, 511, 599] {
            assert_eq!(
                rows.row(i),
                &[(3 * i) as f64, (3 * i + 1) as f64, (3 * i + 2) as f64]
            );
        }
        assert_eq!(rows.select(&[599, 0]).row(0), rows.row(599));
        let g = gram(&rows, None);
        let exact = x.tr_mul(&x);
        assert!((&g - &exact).amax() <= 1e-12 * exact.amax());
    }

    #[test]
    fn rank_screen_and_inverse_name_the_flat_direction() {
        let collinear = Rows::from_fn(5, 2, |_, j| if j == 0 { 1.0 } else { 2.0 });
        assert!(!clearly_full_rank(&collinear));
        let good = Rows::from_fn(5, 2, |i, j| if j == 0 { 1.0 } else { i as f64 });
        assert!(clearly_full_rank(&good));
        let names = ["a".to_string(), "b".to_string()];
        let e = spd_inverse(&gram(&collinear, None), "XᵀX", &names).unwrap_err();
        let MleError::SingularInformation { detail } = e else {
            panic!("{e}")
        };
        assert!(
            detail.contains("XᵀX") && detail.contains("·a") && detail.contains("·b"),
            "{detail}"
        );
        let inv = spd_inverse(&DMatrix::from_row_slice(2, 2, &[4.0, 0.0, 0.0, 2.0]), "M", &names).unwrap();
        assert_eq!(inv[(0, 0)], 0.25);
        let nan = spd_inverse(&DMatrix::from_element(2, 2, f64::NAN), "M", &names).unwrap_err();
        assert!(nan.to_string().contains("non-finite"));
    }

    #[test]
    fn check_loss_sums() {
        let rows = Rows::from_fn(3, 1, |_, _| 1.0);
        // residuals 1 − 2, 2 − 2, 4 − 2 at τ = ¼: ¾·1 + 0 + ¼·2.
        assert_eq!(check_loss_sum(&rows, &[1.0, 2.0, 4.0], &[2.0], 0.25), 1.25);
        assert_eq!(compensated_sum(&[0.5, 0.25, 2.0]), 2.75);
    }
}
