//! Separation in binary regression: when a hyperplane separates the 0s from the 1s (or does
//! so up to ties), some maximum-likelihood coefficients are infinite. Detected exactly and
//! before any optimisation by the linear program of Konis (2007), as R's detectseparation:
//! maximise 1ᵀX̄b subject to X̄b ≥ 0, −1 ≤ b_j ≤ 1, with X̄ = diag(2y − 1)X. A positive
//! optimum means separation; coefficients with |b_j| > 1e-3 are infinite, with the sign of
//! b_j.

use microlp::{ComparisonOp, OptimizationDirection, Problem};
use mle_core::{Design, MleError, Result};
use nalgebra::DVector;

/// The verdict of the separation LP.
///
/// ```
/// use mle_core::Design;
/// use mle_models::separation::detect_separation;
/// let x = Design::from_columns(true, &[("x", (1..=10).map(f64::from).collect())]).unwrap();
/// let y: Vec<f64> = (1..=10).map(|i| if i > 5 { 1.0 } else { 0.0 }).collect();
/// let s = detect_separation(&x, &y).unwrap();
/// assert!(s.separated && s.complete);
/// assert_eq!(s.infinite, vec!["(Intercept)".to_string(), "x".to_string()]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Separation {
    /// Whether the data are (quasi-)separated: some ML coefficients are infinite.
    pub separated: bool,
    /// Complete separation (every observation strictly on its side).
    pub complete: bool,
    /// Names of the coefficients whose MLE is ±∞.
    pub infinite: Vec<String>,
    /// The direction of recession b (ℓ increases without bound along it).
    pub direction: DVector<f64>,
    /// Rows lying on the separating hyperplane (X̄ᵢb = 0): they determine the finite
    /// coefficients.
    pub on_hyperplane: Vec<usize>,
}

impl std::fmt::Display for Separation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.separated {
            return write!(f, "no separation: the MLE is finite");
        }
        write!(
            f,
            "{} separation: the MLE of {} is infinite (direction of recession {})",
            if self.complete {
                "complete"
            } else {
                "quasi-complete"
            },
            self.infinite
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
            self.direction
                .iter()
                .map(|v| format!("{v:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Runs the separation LP for a 0/1 response.
///
/// ```
/// use mle_core::Design;
/// use mle_models::separation::detect_separation;
/// let x = Design::from_columns(true, &[("x", vec![1.0, 2.0, 3.0, 4.0])]).unwrap();
/// let s = detect_separation(&x, &[0.0, 1.0, 0.0, 1.0]).unwrap();
/// assert!(!s.separated);
/// ```
pub fn detect_separation(x: &Design, y: &[f64]) -> Result<Separation> {
    let (n, p) = (x.nrows(), x.ncols());
    if y.len() != n {
        return Err(MleError::DimensionMismatch {
            what: "response".into(),
            expected: n,
            got: y.len(),
        });
    }
    if let Some(index) = y.iter().position(|v| *v != 0.0 && *v != 1.0) {
        return Err(MleError::OutsideSupport {
            index,
            family: "binary regression".into(),
            reason: format!("y = {} is not 0 or 1", y[index]),
        });
    }
    let m = x.matrix();
    let sign: Vec<f64> = y.iter().map(|v| if *v == 1.0 { 1.0 } else { -1.0 }).collect();
    let mut lp = Problem::new(OptimizationDirection::Maximize);
    let vars: Vec<_> = (0..p)
        .map(|j| {
            let colsum: f64 = (0..n).map(|i| sign[i] * m[(i, j)]).sum();
            lp.add_var(colsum, (-1.0, 1.0))
        })
        .collect();
    for i in 0..n {
        let row: Vec<(microlp::Variable, f64)> = (0..p).map(|j| (vars[j], sign[i] * m[(i, j)])).collect();
        lp.add_constraint(row.as_slice(), ComparisonOp::Ge, 0.0);
    }
    let outcome = lp
        .solve()
        .map_err(|e| MleError::Optimiser(format!("separation LP: {e}")))?;
    let solution = match outcome {
        microlp::SolveOutcome::Solution(s) => s,
        microlp::SolveOutcome::Interrupted(_) => {
            return Err(MleError::Optimiser("separation LP interrupted".into()))
        }
    };
    let direction = DVector::from_iterator(p, vars.iter().map(|v| solution[*v]));
    let scale = m.amax().max(1.0);
    let separated = solution.objective() > 1e-9 * scale;
    let margins: Vec<f64> = (0..n)
        .map(|i| (0..p).map(|j| sign[i] * m[(i, j)] * direction[j]).sum())
        .collect();
    let infinite = if separated {
        x.names()
            .iter()
            .zip(direction.iter())
            .filter(|(_, b)| b.abs() > 1e-3)
            .map(|(n, _)| n.clone())
            .collect()
    } else {
        Vec::new()
    };
    let tol = 1e-9 * scale;
    // Complete separation: a direction with every margin strictly positive, i.e.
    // max t s.t. X̄b ≥ t, −1 ≤ b ≤ 1, t ≤ 1 has t > 0.
    let complete = separated && {
        let mut lp = Problem::new(OptimizationDirection::Maximize);
        let vars: Vec<_> = (0..p).map(|_| lp.add_var(0.0, (-1.0, 1.0))).collect();
        let t = lp.add_var(1.0, (f64::NEG_INFINITY, 1.0));
        for i in 0..n {
            let mut row: Vec<(microlp::Variable, f64)> =
                (0..p).map(|j| (vars[j], sign[i] * m[(i, j)])).collect();
            row.push((t, -1.0));
            lp.add_constraint(row.as_slice(), ComparisonOp::Ge, 0.0);
        }
        match lp.solve() {
            Ok(microlp::SolveOutcome::Solution(s)) => s.objective() > tol,
            _ => false,
        }
    };
    Ok(Separation {
        separated,
        complete,
        infinite,
        on_hyperplane: (0..n).filter(|&i| margins[i].abs() <= tol).collect(),
        direction,
    })
}
