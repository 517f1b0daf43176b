//! The rank of a streamed design, checked from its merged Gram matrix XᵀWX (the first
//! pass's −∇²ℓ, or RᵀR of the streamed R factor): the columns are scaled to unit norm,
//! then a Cholesky in column order skips each column whose residual norm (its distance
//! to the span of the earlier independent columns, relative to its own norm) is below
//! 1e-7 — the round-off limit of a Gram matrix, as `Design::check_rank` does for large
//! designs and R's `lm.fit` (tol = 1e-7). W > 0 on every row, so rank(XᵀWX) = rank(X).

use mle_core::MleError;
use nalgebra::{DMatrix, DVector};

/// Residual norm (relative, unit-norm columns) below which a column is dependent.
const TOLERANCE: f64 = 1e-7;

/// `Ok` when the p × p Gram matrix `gram` of the columns `names` has full rank; otherwise
/// [`MleError::RankDeficient`] naming every column that depends linearly on earlier ones,
/// with the relation of the first, e.g. "`x3` = 2.000·`x1` + -0.500·`x2`".
///
/// ```
/// use mle_stream::check_gram_rank;
/// use nalgebra::DMatrix;
/// // Columns a = (1, 2, 3), b = 2a: XᵀX.
/// let g = DMatrix::from_row_slice(2, 2, &[14.0, 28.0, 28.0, 56.0]);
/// let names = ["a".to_string(), "b".to_string()];
/// match check_gram_rank(&g, &names) {
///     Err(mle_core::MleError::RankDeficient { columns, relation }) => {
///         assert_eq!(columns, vec!["b".to_string()]);
///         assert!(relation.contains("2.000·`a`"), "{relation}");
///     }
///     other => panic!("{other:?}"),
/// }
/// let full = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
/// assert!(check_gram_rank(&full, &names).is_ok());
/// ```
pub fn check_gram_rank(gram: &DMatrix<f64>, names: &[String]) -> mle_core::Result<()> {
    let p = gram.ncols().min(names.len());
    let scale: Vec<f64> = (0..p)
        .map(|j| {
            let d = gram[(j, j)];
            if d.is_finite() && d > 0.0 {
                d.sqrt()
            } else {
                0.0
            }
        })
        .collect();
    let c = |i: usize, j: usize| gram[(i, j)] / (scale[i] * scale[j]);
    // Row-wise Cholesky factor of the independent columns: l[(j, k)] for k independent.
    let mut l = DMatrix::<f64>::zeros(p, p);
    let (mut independent, mut dependent) = (Vec::new(), Vec::new());
    for j in 0..p {
        if scale[j] == 0.0 {
            dependent.push(j);
            continue;
        }
        for (a, &k) in independent.iter().enumerate() {
            let s: f64 = independent[..a].iter().map(|&m| l[(j, m)] * l[(k, m)]).sum();
            l[(j, k)] = (c(j, k) - s) / l[(k, k)];
        }
        let residual = 1.0 - independent.iter().map(|&k| l[(j, k)].powi(2)).sum::<f64>();
        if residual.is_nan() || residual.max(0.0).sqrt() < TOLERANCE {
            dependent.push(j);
        } else {
            l[(j, j)] = residual.sqrt();
            independent.push(j);
        }
    }
    let Some(&first) = dependent.first() else {
        return Ok(());
    };
    let before: Vec<usize> = independent.iter().copied().filter(|&i| i < first).collect();
    Err(MleError::RankDeficient {
        columns: dependent.iter().map(|&j| names[j].clone()).collect(),
        relation: relation(first, &before, &l, &scale, names),
    })
}

/// Column `j` through the independent columns `before` it: the unit-norm coefficients
/// solve Lᵀc = L_{j,·} (back substitution on the factor), rescaled to the raw columns.
fn relation(j: usize, before: &[usize], l: &DMatrix<f64>, scale: &[f64], names: &[String]) -> String {
    if scale[j] == 0.0 {
        return format!("`{}` is identically zero", names[j]);
    }
    if before.is_empty() {
        return format!("`{}` is not identified", names[j]);
    }
    let m = before.len();
    let mut coef = DVector::from_iterator(m, before.iter().map(|&k| l[(j, k)]));
    for a in (0..m).rev() {
        let s: f64 = (a + 1..m).map(|b| l[(before[b], before[a])] * coef[b]).sum();
        coef[a] = (coef[a] - s) / l[(before[a], before[a])];
    }
    let terms: Vec<String> = before
        .iter()
        .zip(coef.iter())
        .filter(|(_, c)| c.abs() > 1e-10)
        .map(|(&i, c)| format!("{:.3}·`{}`", c * scale[j] / scale[i], names[i]))
        .collect();
    format!(
        "`{}` = {}",
        names[j],
        if terms.is_empty() {
            "0".into()
        } else {
            terms.join(" + ")
        }
    )
}
