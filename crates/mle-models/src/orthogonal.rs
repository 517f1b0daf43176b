//! Ill-conditioned designs: the fit repeated on the QR-orthogonalised design.
//!
//! A full-rank but nearly collinear design (b = 2a + 10⁻⁹·u) has condition number κ ≈ 10⁹;
//! the Hessian XᵀWX squares it to ≈ 10¹⁸, beyond double precision, so Newton on β stalls
//! short of the maximum (and its information looks singular). R's `glm` never forms XᵀWX: its
//! IRLS solves each step by QR. The same cure here: with X·D = QR (columns equilibrated by
//! D), the model in γ = R·D⁻¹·β has the design Q, whose Hessian QᵀWQ is as well conditioned as
//! the weights W. The fit is repeated in γ only when the fit on β failed, did not converge or
//! has a singular information, and a design is ill-conditioned (κ above
//! [`ILL_CONDITIONED`]); it is kept when it reaches a higher (or equal) ℓ. The estimate and
//! covariance are mapped back exactly: β = A·γ, Cov(β) = A·Cov(γ)·Aᵀ with A = D·R⁻¹ per design.

use std::borrow::Cow;

use mle_core::{Design, Diagnostic, Fit, Objective, Result};
use mle_optim::FitOptions;
use nalgebra::{DMatrix, DVector};

use crate::regression::{Regression, RegressionFamily};

/// Condition number (of the column-equilibrated design's R factor) above which a failed fit is
/// repeated on the orthogonalised design: κ² = 10¹⁰ is where the Hessian's round-off starts
/// to reach the Newton step.
pub(crate) const ILL_CONDITIONED: f64 = 1e5;

/// One design's orthogonalisation: Z = Q (n × p, orthonormal columns) and the map A = D·R⁻¹
/// (p × p) with β = A·γ.
struct Orthogonalised {
    z: Design,
    to_beta: DMatrix<f64>,
}

impl Orthogonalised {
    /// `Some` when the design's equilibrated R factor has condition number above
    /// [`ILL_CONDITIONED`] (from its singular values).
    fn of_ill_conditioned(x: &Design) -> Option<Self> {
        let mut scaled = x.matrix().clone();
        let mut scale = Vec::with_capacity(x.ncols());
        for mut c in scaled.column_iter_mut() {
            let amax = c.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let s = if amax > 0.0 && amax.is_finite() {
                1.0 / amax
            } else {
                1.0
            };
            c *= s;
            scale.push(s);
        }
        let qr = scaled.qr();
        let r = qr.r();
        let sv = r.singular_values();
        let (lo, hi) = sv
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        if !(lo > 0.0 && hi / lo > ILL_CONDITIONED) {
            return None;
        }
        let r_inv = r.solve_upper_triangular(&DMatrix::identity(r.nrows(), r.ncols()))?;
        let to_beta = DMatrix::from_diagonal(&DVector::from_vec(scale)) * r_inv;
        let z = Design::new(qr.q(), x.names().iter().cloned()).ok()?;
        Some(Orthogonalised { z, to_beta })
    }
}

/// Whether a fit is worth repeating on the orthogonalised design: it failed, did not converge,
/// or its information is not positive definite — and it is not a separated (extended-real)
/// fit, whose infinite coefficients are not a conditioning problem.
fn unsatisfactory(fit: &Result<Fit>) -> bool {
    match fit {
        Err(_) => true,
        Ok(f) => {
            let separated = f.diagnostics().iter().any(|d| {
                matches!(
                    d,
                    Diagnostic::Separation { .. } | Diagnostic::SeparationInconclusive { .. }
                )
            });
            let singular = f
                .diagnostics()
                .iter()
                .any(|d| matches!(d, Diagnostic::InformationNotPositiveDefinite { .. }));
            !separated && (singular || !f.convergence().converged())
        }
    }
}

/// Repeats an unsatisfactory fit of `regression` on its orthogonalised designs (only the
/// ill-conditioned ones are replaced) by the family's own recipe, and returns the better fit in
/// the original coefficients. A satisfactory fit, or one on well-conditioned designs, is
/// returned unchanged (no extra work beyond the condition check).
pub(crate) fn refit_if_ill_conditioned<F: RegressionFamily<K>, const K: usize>(
    regression: &Regression<'_, F, K>,
    options: &FitOptions,
    fit: Result<Fit>,
) -> Result<Fit> {
    if !unsatisfactory(&fit) {
        return fit;
    }
    let objective = regression.linear_objective();
    let designs = objective.designs();
    let parts: Vec<Option<Orthogonalised>> = designs
        .iter()
        .map(|x| Orthogonalised::of_ill_conditioned(x))
        .collect();
    if parts.iter().all(Option::is_none) {
        return fit;
    }
    let Ok(refit) = refit_orthogonal(regression, options, &parts) else {
        return fit;
    };
    match &fit {
        Ok(f) if f.log_likelihood() > refit.log_likelihood() && f.convergence().converged() => fit,
        _ => Ok(refit),
    }
}

/// The fit in γ, mapped back to β = A·γ with Cov(β) = A·Cov(γ)·Aᵀ.
fn refit_orthogonal<F: RegressionFamily<K>, const K: usize>(
    regression: &Regression<'_, F, K>,
    options: &FitOptions,
    parts: &[Option<Orthogonalised>],
) -> Result<Fit> {
    let objective = regression.linear_objective();
    let originals = objective.designs();
    let designs: [Cow<'_, Design>; K] = std::array::from_fn(|k| match &parts[k] {
        Some(o) => Cow::Borrowed(&o.z),
        None => Cow::Borrowed(originals[k]),
    });
    let mut model = Regression::with_designs(regression.family().clone(), designs, regression.response())?;
    for k in 0..K {
        if let Some(offset) = objective.offset(k) {
            model = model.offset_on(k, offset)?;
        }
    }
    if let Some(w) = objective.weights() {
        model = model.weights(w)?;
    }
    let gamma_fit = regression.family().regression_estimate(&model, options)?;
    // A = blockdiag(A_k), identity blocks for the designs left as they were (a scalar
    // predictor's intercept-only design counts as one parameter either way).
    let dim = objective.dimension();
    let mut a = DMatrix::<f64>::identity(dim, dim);
    let mut at = 0;
    for (k, x) in originals.iter().enumerate() {
        let width = x.ncols();
        if let Some(o) = &parts[k] {
            a.view_mut((at, at), (width, width)).copy_from(&o.to_beta);
        }
        at += width;
    }
    if at != dim {
        return Err(mle_core::MleError::DimensionMismatch {
            what: "coefficients of the orthogonalised refit".into(),
            expected: dim,
            got: at,
        });
    }
    let beta = &a * gamma_fit.estimates();
    let mut convergence = gamma_fit.convergence().clone();
    convergence.notes.push(
        "fitted on the QR-orthogonalised design (the design is ill-conditioned: XᵀWX would square its \
         condition number)"
            .into(),
    );
    let fit = Fit::at_estimate(objective, beta.as_slice(), convergence)?;
    match gamma_fit.covariance() {
        Some(cov) => fit.with_covariance(
            "the inverse observed information, computed on the QR-orthogonalised design",
            &a * cov * a.transpose(),
        ),
        None => Ok(fit),
    }
}

#[cfg(test)]
mod tests {
    use mle_core::Design;
    use mle_optim::Model;

    use crate::Regression;

    #[test]
    fn near_collinear_poisson_matches_the_exact_reparametrisation() {
        // a = k/8 and d = 2⁻³⁰·u are exact binary fractions, so b = 2a + d is exact and the
        // model in (1, a, b) is exactly the model in (1, a, 2³⁰·d) with β_b = e·2³⁰,
        // β_a = c − 2β_b: the well-conditioned fit gives the answer in closed form.
        let n = 40;
        let a: Vec<f64> = (0..n).map(|k| (k % 13) as f64 / 8.0).collect();
        let u: Vec<f64> = (0..n).map(|k| ((k * 7) % 5) as f64 - 2.0).collect();
        let d: Vec<f64> = u.iter().map(|v| v * 2f64.powi(-30)).collect();
        let b: Vec<f64> = (0..n).map(|i| 2.0 * a[i] + d[i]).collect();
        let y: Vec<f64> = (0..n).map(|k| ((k * 5 + 3) % 7) as f64).collect();
        let x = Design::from_columns(true, &[("a", a.clone()), ("b", b)]).unwrap();
        let fit = Regression::poisson(&x, &y).unwrap().fit().unwrap();
        assert!(fit.convergence().converged(), "{fit}");
        let well = Design::from_columns(true, &[("a", a), ("u", u)]).unwrap();
        let reference = Regression::poisson(&well, &y).unwrap().fit().unwrap();
        let (g, s) = (reference.estimates(), reference.std_errors().unwrap());
        let scale = 2f64.powi(30);
        let beta_b = g[2] * scale;
        let expected = [g[0], g[1] - 2.0 * beta_b, beta_b];
        for (j, want) in expected.iter().enumerate() {
            let got = fit.estimates()[j];
            // κ(X)·ε ≈ 1e-6 is the accuracy any method has on this design (d is 2⁻³⁰ of b:
            // the QR's b − λa loses those bits), 10× that as the tolerance.
            assert!(
                (got - want).abs() <= 1e-5 * want.abs().max(1.0),
                "{j}: {got} vs {want}"
            );
        }
        let se_b = fit.std_errors().unwrap()[2];
        assert!((se_b / (s[2] * scale) - 1.0).abs() < 1e-5, "{se_b}");
        assert!((fit.log_likelihood() - reference.log_likelihood()).abs() < 1e-8);
    }
}
