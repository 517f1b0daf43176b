//! Sparsity (1/density) estimates as quantreg's `summary.rq`: the bandwidth rules and the
//! `iid` estimate from the residual quantiles.

use mle_core::{MleError, Result};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

use super::rows::{dot, Rows};
use super::simplex::barrodale_roberts;

/// `sqrt(.Machine$double.eps)`: residuals below this are "exact zeros" in `summary.rq`.
pub(crate) const ZERO_RESIDUAL: f64 = 1.490_116_119_384_765_6e-8;

/// Bandwidth rule for the sparsity (1/density) estimates, as `quantreg::bandwidth.rq`.
///
/// ```
/// use mle_models::quantile::Bandwidth;
/// // quantreg: bandwidth.rq(0.5, 235, hs = TRUE)
/// assert!((Bandwidth::HallSheather.value(0.5, 235) - 0.15743933142023736).abs() < 1e-14);
/// assert!(Bandwidth::Bofinger.value(0.5, 235) > 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bandwidth {
    /// Hall & Sheather (1988), the default of `summary.rq` (`hs = TRUE`):
    /// h = n^(−1/3) z_{0.975}^(2/3) (1.5 φ(Φ⁻¹(τ))² / (2 Φ⁻¹(τ)² + 1))^(1/3).
    #[default]
    HallSheather,
    /// Bofinger (1975) (`hs = FALSE`): h = n^(−1/5) (4.5 φ(Φ⁻¹(τ))⁴ / (2 Φ⁻¹(τ)² + 1)²)^(1/5).
    Bofinger,
}

impl Bandwidth {
    /// The bandwidth for quantile level `tau` and `n` observations.
    ///
    /// ```
    /// use mle_models::quantile::Bandwidth;
    /// let h = Bandwidth::HallSheather.value(0.25, 235);
    /// assert!((h - 0.10904011295465676).abs() < 1e-14);
    /// ```
    pub fn value(self, tau: f64, n: usize) -> f64 {
        let normal = Normal::standard();
        let x0 = normal.inverse_cdf(tau);
        let f0 = normal.pdf(x0);
        let n = n as f64;
        match self {
            Bandwidth::HallSheather => {
                n.powf(-1.0 / 3.0)
                    * normal.inverse_cdf(1.0 - 0.05 / 2.0).powf(2.0 / 3.0)
                    * ((1.5 * (f0 * f0)) / (2.0 * (x0 * x0) + 1.0)).powf(1.0 / 3.0)
            }
            Bandwidth::Bofinger => {
                n.powf(-1.0 / 5.0)
                    * ((4.5 * f0.powf(4.0)) / (2.0 * (x0 * x0) + 1.0).powf(2.0)).powf(1.0 / 5.0)
            }
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Bandwidth::HallSheather => "Hall–Sheather",
            Bandwidth::Bofinger => "Bofinger",
        }
    }
}

/// The `iid` sparsity estimate of `summary.rq`.
pub(crate) struct IidSparsity {
    pub(crate) sparsity: f64,
    pub(crate) bandwidth: f64,
    pub(crate) h: usize,
    pub(crate) pz: usize,
}

/// quantreg `summary.rq(se = "iid")`: pz = #{|rᵢ| < √ε}; h = max(p + 1, ⌈n·bw⌉); the residuals
/// with |r|-ranks pz+1 … pz+h+1 (stable order), sorted, are regressed (median, Barrodale–Roberts)
/// on their ranks / (n − p); the slope is the sparsity.
pub(crate) fn iid_sparsity(
    residuals: &[f64],
    p: usize,
    tau: f64,
    bandwidth: Bandwidth,
) -> Result<IidSparsity> {
    let n = residuals.len();
    let bw = bandwidth.value(tau, n);
    let pz = residuals.iter().filter(|r| r.abs() < ZERO_RESIDUAL).count();
    let h = (p + 1).max((n as f64 * bw).ceil() as usize);
    let last = pz + h + 1; // 1-based position of the last residual used
    if last > n || n <= p {
        return Err(MleError::TooFewResidualsForSparsity {
            needed: h + 1,
            zeros: pz,
            n,
        });
    }
    let mut order: Vec<usize> = (0..n).collect();
    let by_abs = |a: &usize, b: &usize| residuals[*a].abs().total_cmp(&residuals[*b].abs()).then(a.cmp(b));
    if last < n {
        order.select_nth_unstable_by(last, by_abs);
    }
    order[..last].sort_by(by_abs);
    let mut selected: Vec<f64> = order[pz..last].iter().map(|&i| residuals[i]).collect();
    selected.sort_by(f64::total_cmp);
    let denom = (n - p) as f64;
    let design = Rows::from_fn(selected.len(), 2, |i, j| {
        if j == 0 {
            1.0
        } else {
            (pz + 1 + i) as f64 / denom
        }
    });
    let v = barrodale_roberts(&design, &selected, 0.5)?;
    Ok(IidSparsity {
        sparsity: v.beta[1],
        bandwidth: bw,
        h,
        pz,
    })
}

/// The local densities of the `nid` sandwich, with the bandwidth used.
pub(crate) struct NidDensities {
    /// fᵢ = 2h / (xᵢᵀ(β̂(τ+h) − β̂(τ−h)) − √ε), negative ones set to 0.
    pub(crate) densities: Vec<f64>,
    /// h, halved until τ ± h lies in [0, 1].
    pub(crate) bandwidth: f64,
    /// Number of non-positive fitted quantile differences (quantreg warns).
    pub(crate) nonpositive: usize,
}

/// quantreg `summary.rq(se = "nid")`: the fits at τ ± h (by `solve`, which returns β̂(t)) and
/// the local density of each observation from the difference of the fitted quantiles.
pub(crate) fn nid_densities(
    rows: &Rows,
    tau: f64,
    bandwidth: Bandwidth,
    solve: impl Fn(f64) -> Result<Vec<f64>>,
) -> Result<NidDensities> {
    let mut h = bandwidth.value(tau, rows.n);
    while tau - h < 0.0 || tau + h > 1.0 {
        h /= 2.0;
    }
    let hi = solve(tau + h)?;
    let lo = solve(tau - h)?;
    let diff: Vec<f64> = hi.iter().zip(&lo).map(|(a, b)| a - b).collect();
    let mut nonpositive = 0;
    let densities: Vec<f64> = (0..rows.n)
        .map(|i| {
            let dyhat = dot(rows.row(i), &diff);
            if dyhat <= 0.0 {
                nonpositive += 1;
            }
            (2.0 * h / (dyhat - ZERO_RESIDUAL)).max(0.0)
        })
        .collect();
    if densities.iter().any(|v| !v.is_finite()) {
        return Err(MleError::SingularInformation {
            detail: "nid: a fitted quantile difference xᵢᵀ(β̂(τ+h) − β̂(τ−h)) equals the offset \
                     √ε exactly, so a local density is infinite; use se = iid or the bootstrap"
                .into(),
        });
    }
    Ok(NidDensities {
        densities,
        bandwidth: h,
        nonpositive,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residuals_linear_in_their_rank_give_the_slope() {
        // rᵢ = c (i − 50.5): no exact zero; the selected residuals are equally spaced by c and
        // regressed on ranks / (n − p), spaced 1/(n − 1): the sparsity is c (n − 1) exactly.
        let c = 0.01;
        let r: Vec<f64> = (0..101).map(|i| c * (i as f64 - 50.5)).collect();
        let sp = iid_sparsity(&r, 1, 0.5, Bandwidth::HallSheather).unwrap();
        assert_eq!(sp.pz, 0);
        assert!((sp.sparsity - c * 100.0).abs() < 1e-12, "{}", sp.sparsity);
        assert_eq!(sp.bandwidth, Bandwidth::HallSheather.value(0.5, 101));
        // Exact zeros (|r| < √ε) are skipped.
        let mut z = r.clone();
        z.push(0.0);
        assert_eq!(iid_sparsity(&z, 1, 0.5, Bandwidth::HallSheather).unwrap().pz, 1);
    }

    #[test]
    fn too_few_residuals_is_an_error() {
        assert!(matches!(
            iid_sparsity(&[0.1, -0.2, 0.3], 2, 0.5, Bandwidth::HallSheather),
            Err(MleError::TooFewResidualsForSparsity { .. })
        ));
    }

    #[test]
    fn bandwidths_shrink_with_n_and_are_symmetric_in_tau() {
        for b in [Bandwidth::HallSheather, Bandwidth::Bofinger] {
            assert!(b.value(0.5, 1000) < b.value(0.5, 100));
            assert!((b.value(0.2, 500) - b.value(0.8, 500)).abs() < 1e-15);
        }
        // Hall–Sheather ∝ n^(−1/3), Bofinger ∝ n^(−1/5).
        let hs = Bandwidth::HallSheather.value(0.3, 1000) / Bandwidth::HallSheather.value(0.3, 8000);
        assert!((hs - 2.0).abs() < 1e-12);
        let bo = Bandwidth::Bofinger.value(0.3, 1000) / Bandwidth::Bofinger.value(0.3, 32_000);
        assert!((bo - 2.0).abs() < 1e-12);
    }

    #[test]
    fn nid_densities_invert_the_quantile_slope() {
        // Intercept only, fitted quantile q(t) = 3 + 4t: dq/dt = 4, so f = 1/4 (up to the √ε
        // offset); a decreasing q gives non-positive differences, set to 0 and counted.
        let rows = Rows::from_fn(10, 1, |_, _| 1.0);
        let d = nid_densities(&rows, 0.5, Bandwidth::HallSheather, |t| Ok(vec![3.0 + 4.0 * t])).unwrap();
        let h = d.bandwidth;
        assert_eq!(h, Bandwidth::HallSheather.value(0.5, 10));
        for f in &d.densities {
            assert!((f - 2.0 * h / (8.0 * h - ZERO_RESIDUAL)).abs() < 1e-15 && (f - 0.25).abs() < 1e-6);
        }
        assert_eq!(d.nonpositive, 0);
        let d = nid_densities(&rows, 0.5, Bandwidth::HallSheather, |t| Ok(vec![-t])).unwrap();
        assert_eq!(d.nonpositive, 10);
        assert!(d.densities.iter().all(|f| *f == 0.0));
        // τ ± h must stay in [0, 1]: h is halved until it does.
        let d = nid_densities(&rows, 0.01, Bandwidth::HallSheather, |t| Ok(vec![t])).unwrap();
        assert!(d.bandwidth <= 0.01);
    }
}
