//! Newton directions: d = M⁻¹∇ℓ for a curvature M made positive definite when it is not, and
//! the Cholesky solve at a static size for up to 4 parameters.

use nalgebra::{DMatrix, DVector, SMatrix, SVector};

/// d = −M⁻¹g with M the curvature made positive definite: Cholesky when it works, otherwise
/// eigenvalues |λᵢ| floored at 1e-12·max|λ|. Returns the direction and whether M was modified.
///
/// ```
/// use nalgebra::{dmatrix, dvector};
/// let (d, modified) = mle_optim::newton::descent_direction(&dmatrix![-1.0, 0.0; 0.0, 2.0], &dvector![1.0, 1.0]);
/// assert!(modified);
/// assert!(dvector![1.0, 1.0].dot(&d) < 0.0);
/// ```
pub fn descent_direction(curvature: &DMatrix<f64>, gradient: &DVector<f64>) -> (DVector<f64>, bool) {
    if let Some(ch) = curvature.clone().cholesky() {
        let d = -ch.solve(gradient);
        if d.iter().all(|v| v.is_finite()) {
            return (d, false);
        }
    }
    let sym = (curvature + curvature.transpose()) * 0.5;
    let eig = sym.symmetric_eigen();
    let max = eig.eigenvalues.amax();
    let floor = if max > 0.0 && max.is_finite() {
        max * 1e-12
    } else {
        1.0
    };
    let vt_g = eig.eigenvectors.transpose() * gradient;
    let scaled = DVector::from_iterator(
        vt_g.len(),
        vt_g.iter()
            .zip(eig.eigenvalues.iter())
            .map(|(c, l)| -c / l.abs().max(floor)),
    );
    (&eig.eigenvectors * scaled, true)
}

/// Solves −∇²ℓ·d = ∇ℓ (`d` holds ∇ℓ on entry) by Cholesky at the static size `K`, the lower
/// triangle of the factor L written into `factor`; `false` when −∇²ℓ is not positive
/// definite (then `d` and `factor` are left as they were).
pub(crate) fn cholesky_solve<const K: usize>(
    hessian: &DMatrix<f64>,
    factor: &mut DMatrix<f64>,
    d: &mut DVector<f64>,
) -> bool {
    let Some(ch) = SMatrix::<f64, K, K>::from_fn(|r, c| -hessian[(r, c)]).cholesky() else {
        return false;
    };
    let mut v = SVector::<f64, K>::from_fn(|i, _| d[i]);
    ch.solve_mut(&mut v);
    let l = ch.l_dirty();
    for c in 0..K {
        for r in c..K {
            factor[(r, c)] = l[(r, c)];
        }
    }
    for i in 0..K {
        d[i] = v[i];
    }
    true
}

/// [`descent_direction`] for the gradient ∇ℓ of ℓ rather than that of −ℓ: d = M⁻¹∇ℓ, the same
/// bits as `descent_direction(M, −∇ℓ)` (negation commutes with every rounding of the
/// substitutions), with M taken by value so the Cholesky path copies nothing. `again` gives
/// M back for the eigen-decomposition when Cholesky fails.
pub(crate) fn newton_direction(
    curvature: DMatrix<f64>,
    gradient_ll: &DVector<f64>,
    again: impl FnOnce() -> DMatrix<f64>,
) -> DVector<f64> {
    if let Some(ch) = curvature.cholesky() {
        let d = ch.solve(gradient_ll);
        if d.iter().all(|v| v.is_finite()) {
            return d;
        }
    }
    descent_direction(&again(), &-gradient_ll).0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The static-size factorisation gives the dynamic one's bits, factor and direction.
    #[test]
    fn static_cholesky_matches_the_dynamic_one() {
        fn check<const K: usize>() {
            // −∇²ℓ = AAᵀ + I with an irregular A; ∇ℓ irregular too.
            let a = DMatrix::from_fn(K, K, |r, c| ((r * 7 + c * 3) % 5) as f64 * 0.37 - 0.6);
            let h = -(&a * a.transpose() + DMatrix::identity(K, K));
            let g = DVector::from_fn(K, |i, _| (i as f64 * 1.3).sin() + 0.2);
            let dynamic = (-&h).cholesky().unwrap();
            let mut factor = DMatrix::zeros(K, K);
            let mut d = g.clone();
            assert!(cholesky_solve::<K>(&h, &mut factor, &mut d));
            assert_eq!(d, dynamic.solve(&g), "K = {K}");
            assert_eq!(factor.lower_triangle(), dynamic.l(), "K = {K}");
        }
        check::<1>();
        check::<2>();
        check::<3>();
        check::<4>();
        // Not positive definite: refused, the buffers untouched.
        let mut factor = DMatrix::zeros(2, 2);
        let mut d = DVector::from_element(2, 1.0);
        assert!(!cholesky_solve::<2>(
            &DMatrix::identity(2, 2),
            &mut factor,
            &mut d
        ));
        assert_eq!((factor, d), (DMatrix::zeros(2, 2), DVector::from_element(2, 1.0)));
    }
}
