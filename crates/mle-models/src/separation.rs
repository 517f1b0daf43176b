//! Separation in binary regression: when a hyperplane separates the 0s from the 1s (or does
//! so up to ties), some maximum-likelihood coefficients are infinite. Detected exactly and
//! before any optimisation by the linear program of Konis (2007), as R's detectseparation:
//! maximise 1ᵀX̄b subject to X̄b ≥ 0, −1 ≤ b_j ≤ 1, with X̄ = diag(2y − 1)X (columns scaled
//! by powers of two to unit maximum magnitude). A margin X̄ᵢb above [`MARGIN_TOLERANCE`] means
//! separation; coefficients with |b_j| > 1e-3 (scaled) are infinite, with the sign of b_j.
//! [`detect_count_separation`] is the same LP for Poisson counts (zeros against a hyperplane).

use microlp::{ComparisonOp, OptimizationDirection, Problem};
use mle_core::{Design, MleError, Result};
use nalgebra::{DMatrix, DVector};

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
/// The LP runs on columns scaled by powers of two to unit maximum magnitude; a margin counts
/// as positive only beyond [`MARGIN_TOLERANCE`] (well above the LP's feasibility tolerance,
/// 1e-7), so a near-collinear but full-rank design, whose "separating" directions have
/// margins at the LP's round-off, is not reported as separated.
///
/// ```
/// use mle_core::Design;
/// use mle_models::separation::detect_separation;
/// let x = Design::from_columns(true, &[("x", vec![1.0, 2.0, 3.0, 4.0])]).unwrap();
/// let s = detect_separation(&x, &[0.0, 1.0, 0.0, 1.0]).unwrap();
/// assert!(!s.separated);
/// ```
pub fn detect_separation(x: &Design, y: &[f64]) -> Result<Separation> {
    let n = x.nrows();
    check_response_length(x, y)?;
    if let Some(index) = y.iter().position(|v| *v != 0.0 && *v != 1.0) {
        return Err(MleError::OutsideSupport {
            index,
            family: "binary regression".into(),
            reason: format!("y = {} is not 0 or 1", y[index]),
        });
    }
    let sign: Vec<f64> = y.iter().map(|v| if *v == 1.0 { 1.0 } else { -1.0 }).collect();
    recession(x, &sign, &vec![false; n])
}

/// The count-model analogue of [`detect_separation`] (Poisson, log link): the MLE is
/// infinite when a direction d has Xd ≤ 0 on every row and Xd < 0 only on rows with y = 0
/// (ℓ then increases along d; Correia, Guimarães & Zylkin 2019 call it separation too). The
/// LP maximises −Σ_{y=0} xᵢd subject to Xd ≤ 0 on the zeros, Xd = 0 on the positive counts,
/// −1 ≤ d ≤ 1. Rows with `weights` 0 are left out; offsets do not matter. `complete` means
/// every used row is strictly on its side (ℓ tends to its supremum 0 only then).
///
/// ```
/// use mle_core::Design;
/// use mle_models::separation::detect_count_separation;
/// let x = Design::from_columns(true, &[("b", vec![0.0, 0.0, 1.0, 1.0])]).unwrap();
/// let s = detect_count_separation(&x, &[2.0, 3.0, 0.0, 0.0], None).unwrap();
/// assert!(s.separated && !s.complete);
/// assert_eq!(s.infinite, vec!["b".to_string()]);
/// assert!(s.direction[1] < 0.0); // β_b = −∞
/// assert_eq!(s.on_hyperplane, vec![0, 1]);
/// ```
pub fn detect_count_separation(x: &Design, y: &[f64], weights: Option<&[f64]>) -> Result<Separation> {
    check_response_length(x, y)?;
    if let Some(index) = y.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(MleError::OutsideSupport {
            index,
            family: "count regression".into(),
            reason: format!("y = {} is not a non-negative count", y[index]),
        });
    }
    let used: Vec<usize> = (0..y.len())
        .filter(|&i| weights.is_none_or(|w| w[i] != 0.0))
        .collect();
    let sign = vec![-1.0; used.len()];
    let equality: Vec<bool> = used.iter().map(|&i| y[i] > 0.0).collect();
    recession_on_rows(x, &used, &sign, &equality)
}

/// Separation in a binomial regression with trials, for any link onto (0, 1) (logit,
/// probit, cloglog): the MLE is infinite when a direction d has xᵢd ≥ 0 on the rows with
/// every trial a success, xᵢd ≤ 0 on the rows with none, xᵢd = 0 on the rows with a
/// proportion strictly inside (0, 1), and some xᵢd ≠ 0 — the LP of
/// [`detect_separation`] with the interior rows as equalities. Rows with 0 trials or
/// `weights` 0 are left out. `y` holds (successes, trials).
///
/// ```
/// use mle_core::Design;
/// use mle_models::separation::detect_binomial_separation;
/// // Group B: every trial a success (5 of 5, 4 of 4): β_B = +∞; group A is interior.
/// let x = Design::from_columns(true, &[("B", vec![0.0, 0.0, 1.0, 1.0])]).unwrap();
/// let s = detect_binomial_separation(&x, &[(2.0, 5.0), (3.0, 5.0), (5.0, 5.0), (4.0, 4.0)], None).unwrap();
/// assert!(s.separated && !s.complete);
/// assert_eq!(s.infinite, vec!["B".to_string()]);
/// assert_eq!(s.on_hyperplane, vec![0, 1]);
/// let t = detect_binomial_separation(&x, &[(2.0, 5.0), (3.0, 5.0), (4.0, 5.0), (4.0, 4.0)], None).unwrap();
/// assert!(!t.separated);
/// ```
pub fn detect_binomial_separation(
    x: &Design,
    y: &[(f64, f64)],
    weights: Option<&[f64]>,
) -> Result<Separation> {
    if y.len() != x.nrows() {
        return Err(MleError::DimensionMismatch {
            what: "response".into(),
            expected: x.nrows(),
            got: y.len(),
        });
    }
    if let Some(index) = y.iter().position(|&(s, n)| !(n >= 0.0 && (0.0..=n).contains(&s))) {
        return Err(MleError::OutsideSupport {
            index,
            family: "binomial regression".into(),
            reason: format!("successes = {}, trials = {}", y[index].0, y[index].1),
        });
    }
    let used: Vec<usize> = (0..y.len())
        .filter(|&i| y[i].1 > 0.0 && weights.is_none_or(|w| w[i] != 0.0))
        .collect();
    let sign: Vec<f64> = used
        .iter()
        .map(|&i| if y[i].0 == y[i].1 { 1.0 } else { -1.0 })
        .collect();
    let equality: Vec<bool> = used.iter().map(|&i| y[i].0 > 0.0 && y[i].0 < y[i].1).collect();
    recession_on_rows(x, &used, &sign, &equality)
}

/// [`recession`] on the rows `used` of `x`, with the rows on the hyperplane given as
/// indices into `x`.
fn recession_on_rows(x: &Design, used: &[usize], sign: &[f64], equality: &[bool]) -> Result<Separation> {
    if used.len() == x.nrows() {
        return recession(x, sign, equality);
    }
    let sub = Design::new(
        DMatrix::from_fn(used.len(), x.ncols(), |r, j| x.matrix()[(used[r], j)]),
        x.names().iter().cloned(),
    )?;
    let mut s = recession(&sub, sign, equality)?;
    s.on_hyperplane = s.on_hyperplane.iter().map(|&r| used[r]).collect();
    Ok(s)
}

/// A margin xᵢd (columns scaled to unit maximum magnitude, |d| ≤ 1) counts as positive only
/// above this: the LP meets its constraints within 1e-7, so margins at that level are its
/// round-off, not a separating hyperplane.
pub const MARGIN_TOLERANCE: f64 = 1e-6;

/// Designs up to this many entries (n·p) are checked for separation (or recession) by LP
/// before fitting; larger ones only when the fit shows its sign. One limit for the logistic
/// and count models.
pub(crate) const SEPARATION_LP_LIMIT: usize = 2_000_000;

fn check_response_length(x: &Design, y: &[f64]) -> Result<()> {
    if y.len() != x.nrows() {
        return Err(MleError::DimensionMismatch {
            what: "response".into(),
            expected: x.nrows(),
            got: y.len(),
        });
    }
    Ok(())
}

/// The recession LP shared by the binary and count checks: rows X̄ = diag(sign)·X·D (D the
/// power-of-two column scaling); maximise Σ X̄ᵢb over the inequality rows subject to
/// X̄ᵢb ≥ 0 there, X̄ᵢb = 0 on the `equality` rows, −1 ≤ b ≤ 1.
fn recession(x: &Design, sign: &[f64], equality: &[bool]) -> Result<Separation> {
    let (n, p) = (x.nrows(), x.ncols());
    let scale: Vec<f64> = x
        .matrix()
        .column_iter()
        .map(|c| {
            let amax = c.amax();
            if amax > 0.0 {
                2f64.powi(-(amax.log2().ceil() as i32).clamp(-1022, 1023))
            } else {
                1.0
            }
        })
        .collect();
    let m = DMatrix::from_fn(n, p, |i, j| sign[i] * x.matrix()[(i, j)] * scale[j]);
    let b = solve_recession_lp(&m, equality, false)?;
    let margins: Vec<f64> = (0..n).map(|i| m.row(i).transpose().dot(&b)).collect();
    let positive = |i: usize| !equality[i] && margins[i] > MARGIN_TOLERANCE;
    let separated = (0..n).any(positive) && is_recession_direction(x, sign, equality, &b, &scale);
    let direction = DVector::from_iterator(p, b.iter().zip(&scale).map(|(b, s)| b * s));
    let infinite = if separated {
        x.names()
            .iter()
            .zip(b.iter())
            .filter(|(_, b)| b.abs() > 1e-3)
            .map(|(n, _)| n.clone())
            .collect()
    } else {
        Vec::new()
    };
    // Complete separation: a direction with every margin strictly positive, i.e.
    // max t s.t. X̄b ≥ t, −1 ≤ b ≤ 1, t ≤ 1 has t > 0.
    let complete = separated
        && !equality.iter().any(|e| *e)
        && solve_recession_lp(&m, equality, true).is_ok_and(|t| t[p] > MARGIN_TOLERANCE);
    Ok(Separation {
        separated,
        complete,
        infinite,
        on_hyperplane: (0..n).filter(|&i| separated && !positive(i)).collect(),
        direction: if separated { direction } else { DVector::zeros(p) },
    })
}

/// Whether the LP's direction `b` (in the scaled columns) is a direction of recession in the
/// original units: every margin sign·xᵢ·d ≥ 0 (= 0 on the `equality` rows) relative to
/// ‖xᵢ‖‖d‖. The column scaling can shrink ordinary rows below the LP's feasibility
/// tolerance when one entry is extreme (one x = 1e150: every other row's margin is then
/// ~1e-150 in the scaled units, of either sign); such a direction fails here.
fn is_recession_direction(
    x: &Design,
    sign: &[f64],
    equality: &[bool],
    b: &DVector<f64>,
    scale: &[f64],
) -> bool {
    let d: Vec<f64> = b.iter().zip(scale).map(|(b, s)| b * s).collect();
    let d_max = d.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if d_max == 0.0 {
        return false;
    }
    // Scaled by the largest |d_j| (a power of two would do) so ‖d‖ cannot overflow.
    let du: Vec<f64> = d.iter().map(|v| v / d_max).collect();
    let d_norm = du.iter().map(|v| v * v).sum::<f64>().sqrt();
    let m = x.matrix();
    (0..x.nrows()).all(|i| {
        let row_max = (0..x.ncols()).fold(0.0f64, |a, j| a.max(m[(i, j)].abs()));
        if row_max == 0.0 {
            return true;
        }
        let (mut dot, mut norm2) = (0.0, 0.0);
        for j in 0..x.ncols() {
            let v = m[(i, j)] / row_max;
            dot += v * du[j];
            norm2 += v * v;
        }
        let r = sign[i] * dot / (norm2.sqrt() * d_norm);
        if equality[i] {
            r.abs() <= MARGIN_TOLERANCE
        } else {
            r >= -MARGIN_TOLERANCE
        }
    })
}

/// Solves the recession LP on the scaled rows `m`; with `margin`, maximises the smallest
/// margin t (an extra variable, last in the result) instead of their sum.
fn solve_recession_lp(m: &DMatrix<f64>, equality: &[bool], margin: bool) -> Result<DVector<f64>> {
    let (n, p) = (m.nrows(), m.ncols());
    let mut lp = Problem::new(OptimizationDirection::Maximize);
    let vars: Vec<_> = (0..p)
        .map(|j| {
            let cost = if margin {
                0.0
            } else {
                (0..n).filter(|&i| !equality[i]).map(|i| m[(i, j)]).sum()
            };
            lp.add_var(cost, (-1.0, 1.0))
        })
        .collect();
    let t = margin.then(|| lp.add_var(1.0, (f64::NEG_INFINITY, 1.0)));
    for i in 0..n {
        let mut row: Vec<(microlp::Variable, f64)> = (0..p).map(|j| (vars[j], m[(i, j)])).collect();
        if let Some(t) = t {
            row.push((t, -1.0));
        }
        let op = if equality[i] {
            ComparisonOp::Eq
        } else {
            ComparisonOp::Ge
        };
        lp.add_constraint(row.as_slice(), op, 0.0);
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
    let mut out: Vec<f64> = vars.iter().map(|v| solution[*v]).collect();
    if let Some(t) = t {
        out.push(solution[t]);
    }
    Ok(DVector::from_vec(out))
}

/// The extended-real starting point of a separated fit: ±∞ (the sign of the direction of
/// recession) on the coefficients `sep` names infinite, 0 on the others until the fit on
/// the hyperplane rows sets them; with the finite and infinite column indices.
pub(crate) fn extended_real_start(x: &Design, sep: &Separation) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
    let p = x.ncols();
    let (finite, infinite): (Vec<usize>, Vec<usize>) =
        (0..p).partition(|&j| !sep.infinite.contains(&x.names()[j]));
    let estimates = (0..p)
        .map(|j| match sep.direction[j] {
            _ if finite.contains(&j) => 0.0,
            d if d > 0.0 => f64::INFINITY,
            _ => f64::NEG_INFINITY,
        })
        .collect();
    (finite, infinite, estimates)
}

/// The fit reported under separation: the extended-real `estimates` with the supremum
/// `log_likelihood`, no standard errors, a `Separation` diagnostic naming `coefficients`.
pub(crate) fn separated_result(
    objective: &dyn mle_core::Objective,
    estimates: &[f64],
    log_likelihood: f64,
    n_obs: usize,
    cause: &str,
    sep: &Separation,
    coefficients: Vec<String>,
) -> Result<mle_core::Fit> {
    Ok(mle_core::Fit::on_boundary(
        &objective.model_name(),
        objective.parameters(),
        estimates,
        log_likelihood,
        n_obs,
        mle_core::Convergence::closed_form(cause),
    )?
    .without_covariance(format!("{sep}: no standard errors"))
    .with_diagnostic(mle_core::Diagnostic::Separation {
        coefficients,
        complete: Some(sep.complete),
    }))
}

/// The rows and columns of the limit problem after separation: the rows on the hyperplane
/// (`rows`) with the finite columns, plus — where those do not span the rows' column space —
/// the fewest infinite columns (in order) that do, so that the fit of this sub-design attains
/// the supremum of ℓ on those rows. Returns the sub-design and its columns (indices into
/// `x`); the coefficients of the added infinite columns are not reported (they are ±∞ along
/// the direction of recession).
pub(crate) fn limit_design(
    x: &Design,
    rows: &[usize],
    finite: &[usize],
    infinite: &[usize],
) -> Result<(Design, Vec<usize>)> {
    let build = |cols: &[usize]| {
        Design::new(
            DMatrix::from_fn(rows.len(), cols.len(), |r, c| x.matrix()[(rows[r], cols[c])]),
            cols.iter().map(|&j| x.names()[j].clone()),
        )
    };
    let mut cols = finite.to_vec();
    for &j in infinite {
        let mut candidate = cols.clone();
        candidate.push(j);
        candidate.sort_unstable();
        if build(&candidate)?.check_rank(1e-13).is_ok() {
            cols = candidate;
        }
    }
    Ok((build(&cols)?, cols))
}

/// Complete separation of a multinomial logit with classes 0..=`k` (class 0 the baseline):
/// whether some coefficients B = (b₁, …, b_k), b₀ = 0, put every row of class c strictly on
/// its side against every other class c′ — xᵢ(b_c − b_c′) > 0 — so that ℓ tends to 0. The
/// LP (Kesler's construction) maximises the smallest such margin t under −1 ≤ B ≤ 1; rows
/// with `weights` 0 are left out. Class-versus-baseline complete separation does not imply
/// it (two non-baseline classes may overlap).
///
/// ```
/// use mle_core::Design;
/// use mle_models::separation::detect_multiclass_complete;
/// let x = Design::from_columns(true, &[("x", (1..=6).map(f64::from).collect())]).unwrap();
/// assert!(detect_multiclass_complete(&x, &[0.0, 0.0, 1.0, 1.0, 2.0, 2.0], 2, None).unwrap());
/// assert!(!detect_multiclass_complete(&x, &[0.0, 0.0, 1.0, 2.0, 1.0, 2.0], 2, None).unwrap());
/// ```
pub fn detect_multiclass_complete(x: &Design, y: &[f64], k: usize, weights: Option<&[f64]>) -> Result<bool> {
    check_response_length(x, y)?;
    let p = x.ncols();
    let rows: Vec<usize> = (0..y.len())
        .filter(|&i| weights.is_none_or(|w| w[i] != 0.0))
        .collect();
    if let Some(&index) = rows
        .iter()
        .find(|&&i| !(y[i] >= 0.0 && y[i] <= k as f64 && y[i].fract() == 0.0))
    {
        return Err(MleError::OutsideSupport {
            index,
            family: "multinomial regression".into(),
            reason: format!("y = {} is not a class code in 0..={k}", y[index]),
        });
    }
    let scale: Vec<f64> = x
        .matrix()
        .column_iter()
        .map(|c| {
            let amax = c.amax();
            if amax > 0.0 {
                2f64.powi(-(amax.log2().ceil() as i32).clamp(-1022, 1023))
            } else {
                1.0
            }
        })
        .collect();
    let mut m = DMatrix::zeros(rows.len() * k, p * k);
    for (r, &i) in rows.iter().enumerate() {
        let c = y[i] as usize;
        let others = (0..=k).filter(|&o| o != c);
        for (s, o) in others.enumerate() {
            for j in 0..p {
                let v = x.matrix()[(i, j)] * scale[j];
                if c > 0 {
                    m[(r * k + s, (c - 1) * p + j)] += v;
                }
                if o > 0 {
                    m[(r * k + s, (o - 1) * p + j)] -= v;
                }
            }
        }
    }
    let b = solve_recession_lp(&m, &vec![false; m.nrows()], true)?;
    Ok(b[p * k] > MARGIN_TOLERANCE)
}
