//! Covariance of (β̂, log σ̂) at a quantile-regression solution: iid (sparsity), nid
//! (Hendricks–Koenker sandwich), xy-pairs bootstrap; the log σ block from the Bahadur
//! representation.

use mle_core::resampling::{check_replicates, par_map_indexed, replicate_covariance, replicate_seeds};
use mle_core::summation::sum_blocks;
use mle_core::{MleError, Result};
use mle_families::asymmetric_laplace::check_loss;
use nalgebra::{DMatrix, DVector};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::rows::{check_loss_sum, gram, spd_inverse, Rows};
use super::sparsity::{iid_sparsity, nid_densities};
use super::{exact_solve, QuantileCovariance, QuantileRegression, QuantileSolution, QuantileStdErrors};

impl QuantileRegression {
    /// The covariance by the configured method; `names` are the coefficient names (for the
    /// direction reported when a matrix is not positive definite).
    pub(crate) fn covariance_rows(
        &self,
        rows: &Rows,
        y: &[f64],
        solution: &QuantileSolution,
        names: &[String],
    ) -> Result<QuantileCovariance> {
        let sigma = solution.sigma();
        check_scale(sigma, y)?;
        let covariance = match self.std_errors {
            QuantileStdErrors::Iid => self.iid_covariance(rows, solution, names),
            QuantileStdErrors::Nid => self.nid_covariance(rows, y, solution, names),
            QuantileStdErrors::Bootstrap { replicates, seed } => {
                self.bootstrap_covariance(rows, y, replicates, seed)
            }
        }?;
        if covariance.matrix.iter().any(|v| !v.is_finite()) {
            return Err(overflow_error(
                "log_sigma",
                sigma,
                y,
                &format!(
                    "the {} covariance of (β̂, log σ̂)",
                    covariance.label.split(':').next().unwrap_or("")
                ),
            ));
        }
        Ok(covariance)
    }

    /// `summary.rq(se = "iid")`: ŝ² τ(1−τ) (XᵀX)⁻¹.
    fn iid_covariance(
        &self,
        rows: &Rows,
        solution: &QuantileSolution,
        names: &[String],
    ) -> Result<QuantileCovariance> {
        let (tau, n, sigma) = (self.tau, rows.n, solution.sigma());
        let sp = iid_sparsity(&solution.residuals, rows.p, tau, self.bandwidth)?;
        let xtx_inv = spd_inverse(&gram(rows, None), "XᵀX", names)?;
        let cov_beta = &xtx_inv * (sp.sparsity * sp.sparsity * tau * (1.0 - tau));
        // Bahadur: β̂ − β ≈ ŝ (XᵀX)⁻¹ Σ xᵢ ψᵢ.
        let bahadur = &xtx_inv * sp.sparsity;
        let matrix = with_scale_block(rows, &solution.residuals, tau, sigma, &cov_beta, &bahadur);
        Ok(QuantileCovariance {
            matrix,
            label: format!(
                "iid: ŝ² τ(1−τ) (XᵀX)⁻¹ with sparsity ŝ = {:.6} (quantreg summary.rq se = \"iid\"; \
                 {} bandwidth {:.6}, {} residuals after {} exact zeros); log σ from the variance \
                 of the check losses (n = {n})",
                sp.sparsity,
                self.bandwidth.describe(),
                sp.bandwidth,
                sp.h + 1,
                sp.pz
            ),
            sparsity: Some(sp.sparsity),
            bandwidth: Some(sp.bandwidth),
            nonpositive_densities: 0,
            replicates_used: None,
        })
    }

    /// `summary.rq(se = "nid")`: τ(1−τ) (XᵀFX)⁻¹ XᵀX (XᵀFX)⁻¹ with local densities F.
    fn nid_covariance(
        &self,
        rows: &Rows,
        y: &[f64],
        solution: &QuantileSolution,
        names: &[String],
    ) -> Result<QuantileCovariance> {
        let (tau, n, sigma) = (self.tau, rows.n, solution.sigma());
        let nid = nid_densities(rows, tau, self.bandwidth, |t| {
            exact_solve(rows, y, t, self.algorithm).map(|v| v.beta)
        })?;
        let xfx_inv = spd_inverse(&gram(rows, Some(&nid.densities)), "XᵀFX (local densities)", names)?;
        let xtx = gram(rows, None);
        let cov_beta = &xfx_inv * &xtx * &xfx_inv * (tau * (1.0 - tau));
        let matrix = with_scale_block(rows, &solution.residuals, tau, sigma, &cov_beta, &xfx_inv);
        let (h, nonpositive) = (nid.bandwidth, nid.nonpositive);
        Ok(QuantileCovariance {
            matrix,
            label: format!(
                "nid: Hendricks–Koenker sandwich τ(1−τ) (XᵀFX)⁻¹ XᵀX (XᵀFX)⁻¹, fᵢ = 2h / xᵢᵀ(β̂(τ+h) − β̂(τ−h)) \
                 with {} bandwidth h = {h:.6} (quantreg summary.rq se = \"nid\"){}; log σ from the \
                 variance of the check losses (n = {n})",
                self.bandwidth.describe(),
                if nonpositive > 0 {
                    format!("; {nonpositive} non-positive fᵢ set to 0")
                } else {
                    String::new()
                }
            ),
            sparsity: None,
            bandwidth: Some(h),
            nonpositive_densities: nonpositive,
            replicates_used: None,
        })
    }

    /// xy-pairs bootstrap: rows resampled with replacement (replicate b from its own seed,
    /// [`mle_core::resampling`]), the exact fit repeated, the sample covariance of (β̂*, log σ̂*).
    fn bootstrap_covariance(
        &self,
        rows: &Rows,
        y: &[f64],
        replicates: usize,
        seed: u64,
    ) -> Result<QuantileCovariance> {
        check_replicates(replicates)?;
        let (tau, n) = (self.tau, rows.n);
        let seeds = replicate_seeds(seed, replicates);
        let draws = par_map_indexed(replicates, |b| {
            let mut rng = StdRng::seed_from_u64(seeds[b]);
            let idx: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            let sub = rows.select(&idx);
            let ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
            let v = exact_solve(&sub, &ys, tau, self.algorithm).ok()?;
            let obj = check_loss_sum(&sub, &ys, &v.beta, tau);
            let s = obj / n as f64;
            if s.is_nan() || s <= 0.0 {
                return None;
            }
            let mut theta = v.beta;
            theta.push(s.ln());
            Some(theta)
        });
        let panicked = draws.iter().filter(|d| d.is_err()).count();
        let kept: Vec<Vec<f64>> = draws.into_iter().filter_map(|d| d.ok().flatten()).collect();
        if kept.len() < 2 {
            return Err(MleError::SingularInformation {
                detail: format!(
                    "bootstrap: only {} of {replicates} resampled designs had full rank and σ̂* > 0{}",
                    kept.len(),
                    panicked_note(panicked)
                ),
            });
        }
        let matrix = replicate_covariance(&kept)?;
        let dropped = replicates - kept.len() - panicked;
        Ok(QuantileCovariance {
            matrix,
            label: format!(
                "xy-pairs bootstrap: sample covariance of {} replicates (seed {seed}, rand 0.9 StdRng){}{}",
                kept.len(),
                if dropped > 0 {
                    format!("; {dropped} replicates with a singular resampled design or σ̂* = 0 dropped")
                } else {
                    String::new()
                },
                panicked_note(panicked)
            ),
            sparsity: None,
            bandwidth: None,
            nonpositive_densities: 0,
            replicates_used: Some(kept.len()),
        })
    }
}

/// "; k replicates panicked" (a bug, reported rather than hidden), or nothing.
pub(crate) fn panicked_note(panicked: usize) -> String {
    if panicked > 0 {
        format!("; {panicked} replicates panicked and were dropped")
    } else {
        String::new()
    }
}

/// σ̂ must be finite and positive: 0 means every observation is interpolated (the likelihood
/// is unbounded), NaN or ∞ that the check loss overflowed.
pub(crate) fn check_scale(sigma: f64, y: &[f64]) -> Result<()> {
    if sigma.is_finite() && sigma > 0.0 {
        return Ok(());
    }
    if sigma == 0.0 {
        return Err(MleError::InvalidParameter {
            name: "sigma".into(),
            value: sigma,
            reason: "the check loss is zero at β̂ (every observation is interpolated): σ̂ = 0 is on the \
                     boundary and the asymmetric-Laplace likelihood is unbounded"
                .into(),
        });
    }
    Err(overflow_error(
        "log_sigma",
        sigma,
        y,
        "the check loss Σ ρ_τ(yᵢ − xᵢᵀβ̂)",
    ))
}

/// The response is so large that `what` overflows double precision: a typed error on the log
/// scale `parameter` (log σ̂ itself is representable), naming the size of the data and the
/// power of ten to divide them by.
pub(crate) fn overflow_error(parameter: &str, scale: f64, data: &[f64], what: &str) -> MleError {
    let largest = data.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let power = largest.log10().floor().max(0.0) as i32;
    MleError::InvalidParameter {
        name: parameter.into(),
        value: scale.ln(),
        reason: format!(
            "{what} overflows double precision: the data are too large (max |yᵢ| = {largest:.3e}), so \
             the scale and its variance (squares of the residuals) are not representable; rescale them \
             (e.g. divide by 1e{power}: the location and scale estimates scale with them) and refit"
        ),
    }
}

/// Covariance of (β, log σ): `cov_beta` for β; for σ̂ = mean ρᵢ, Var(σ̂) ≈ var(ρᵢ)/n and, from
/// the Bahadur representation β̂ − β ≈ B Σ xᵢ ψᵢ, Cov(β̂, σ̂) ≈ B Σ xᵢ ψᵢ (ρᵢ − σ̂) / n; both
/// divided by σ̂ (σ̂²) for log σ.
fn with_scale_block(
    rows: &Rows,
    residuals: &[f64],
    tau: f64,
    sigma: f64,
    cov_beta: &DMatrix<f64>,
    bahadur: &DMatrix<f64>,
) -> DMatrix<f64> {
    let (n, p) = (rows.n, rows.p);
    let sums = sum_blocks(n, p + 1, |range, out| {
        for i in range {
            let r = residuals[i];
            let rho = check_loss(r, tau);
            let psi = if r < 0.0 { tau - 1.0 } else { tau };
            let c = rho - sigma;
            out[p] += c * c;
            let w = psi * c;
            for (o, &x) in out[..p].iter_mut().zip(rows.row(i)) {
                *o += w * x;
            }
        }
    });
    let nf = n as f64;
    let var_log_sigma = sums[p] / nf / nf / (sigma * sigma);
    let cross = bahadur * DVector::from_column_slice(&sums[..p]) / (nf * sigma);
    let mut m = DMatrix::zeros(p + 1, p + 1);
    m.view_mut((0, 0), (p, p)).copy_from(cov_beta);
    for j in 0..p {
        m[(j, p)] = cross[j];
        m[(p, j)] = cross[j];
    }
    m[(p, p)] = var_log_sigma;
    m
}
