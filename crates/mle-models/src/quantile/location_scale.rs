//! Closed-form fits of the location–scale families Laplace and asymmetric Laplace
//! ([`mle_families::Laplace`], [`mle_families::AsymmetricLaplace`]) with standard errors that
//! are valid for them ([`LocationScaleCovariance`]): the densities live in `mle-families`, the
//! estimation here because the sparsity estimate uses the quantile solver.
//!
//! The location MLE is a τ-quantile of the sample and the scale MLE the mean check loss. The
//! log-density has a kink at μ, so ∂²ℓ/∂μ² = 0 almost everywhere: the observed information
//! says nothing about the precision of μ̂. When nτ is an integer k (for the Laplace: n even)
//! every point of [x₍ₖ₎, x₍ₖ₊₁₎] is an MLE of μ; the lower end is reported and the fit carries a
//! [`Diagnostic::NonUniqueEstimate`] with the interval.
//!
//! ```
//! use mle_families::{AsymmetricLaplace, Laplace};
//! use mle_models::LocationScaleFit;
//! let ald = AsymmetricLaplace::new(0.25).unwrap();
//! let fit = ald.fit_location_scale(&[4.0, 1.0, 3.0, 2.0, 8.0, 5.0, 7.0, 6.0]).unwrap();
//! assert_eq!(fit.natural_estimates()[0], 2.0); // x₍⌈8·0.25⌉₎ = x₍₂₎ (any of [2, 3] is an MLE)
//! assert!(fit.covariance_source().contains("expected (Fisher) information"));
//! assert_eq!(Laplace.fit_location_scale(&[3.0, 1.0, 2.0]).unwrap().natural_estimates()[0], 2.0);
//! ```

use mle_core::resampling::{check_replicates, par_map_indexed, replicate_covariance, replicate_seeds};
use mle_core::{Convergence, DataObjective, Diagnostic, Fit, MleError, Result};
use mle_families::asymmetric_laplace::{check_loss, lower_quantile, rank_is_exact};
use mle_families::{AsymmetricLaplace, Laplace};
use nalgebra::DMatrix;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::covariance::{overflow_error, panicked_note};
use super::rows::compensated_check_loss;
use super::sparsity::iid_sparsity;
use super::Bandwidth;

/// Standard errors for the closed-form location–scale fits (Laplace, asymmetric Laplace).
/// The observed information is not one of them: −∂²ℓ/∂μ² is zero almost everywhere.
///
/// ```
/// use mle_families::Laplace;
/// use mle_models::{LocationScaleCovariance, LocationScaleFit};
/// let data = [0.3, -1.2, 2.5, 0.8, -0.4, 1.9, 0.1, -2.2, 0.6, 1.1];
/// for c in [LocationScaleCovariance::ExpectedInformation,
///           LocationScaleCovariance::Bootstrap { replicates: 100, seed: 7 }] {
///     assert!(Laplace.fit_location_scale_with(&data, c).unwrap().std_errors().is_some());
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LocationScaleCovariance {
    /// Inverse expected (Fisher) information of the fitted model: Var(μ̂) = τ(1−τ)/(n f̂(μ̂)²)
    /// with the model density at its τ-quantile f̂(μ̂) = τ(1−τ)/σ̂ (for the Laplace 1/(2b̂)),
    /// Var(log σ̂) = 1/n, no covariance. Valid when the model holds. The default.
    #[default]
    ExpectedInformation,
    /// Nonparametric: Var(μ̂) = τ(1−τ) ŝ²/n with the sparsity ŝ = 1/f(q) estimated as
    /// `quantreg::summary.rq(rq(x ~ 1, tau), se = "iid")` (with this bandwidth rule);
    /// Var(σ̂) = var(ρ_τ(xᵢ − μ̂))/n and the Bahadur cross term. Valid without the model.
    Sparsity(Bandwidth),
    /// Nonparametric bootstrap of (μ̂, log σ̂), seeded (rand 0.9 `StdRng`, one seed per
    /// replicate from [`mle_core::resampling::replicate_seeds`]), reproducible whatever the
    /// thread count.
    Bootstrap {
        /// Number of replicates (at least 2).
        replicates: usize,
        /// Seed of the master generator.
        seed: u64,
    },
    /// Refused: the fit is returned without covariance and the label explains why.
    ObservedInformation,
}

/// The closed-form maximum-likelihood fit of a location–scale family whose location MLE is a
/// sample quantile: [`Laplace`] (the median, b̂ = mean |x − μ̂|) and [`AsymmetricLaplace`] (the
/// lower τ-quantile, σ̂ = mean check loss). Brought into scope by `use mle::prelude::*`.
///
/// ```
/// use mle_families::{AsymmetricLaplace, Laplace};
/// use mle_models::{LocationScaleCovariance, LocationScaleFit};
/// let fit = AsymmetricLaplace::new(0.5).unwrap().fit_location_scale(&[3.0, 1.0, 2.0]).unwrap();
/// let nat = fit.natural_estimates();
/// assert_eq!((nat[0], nat[1]), (2.0, 0.5 * 2.0 / 3.0));
/// let se = Laplace.fit_location_scale(&[2.0, -1.0, 0.5]).unwrap().std_errors().unwrap();
/// assert!(se[0] > 0.0);
/// let refused = Laplace.fit_location_scale_with(&[2.0, -1.0, 0.5], LocationScaleCovariance::ObservedInformation).unwrap();
/// assert!(refused.std_errors().is_none() && refused.covariance_source().contains("kink"));
/// ```
pub trait LocationScaleFit {
    /// Closed-form MLE with standard errors from the expected information
    /// ([`LocationScaleCovariance::ExpectedInformation`]). Errors: empty or non-finite data,
    /// a zero scale (all the check loss is zero).
    ///
    /// ```
    /// use mle_families::Laplace;
    /// use mle_models::LocationScaleFit;
    /// let fit = Laplace.fit_location_scale(&[2.0, -1.0, 0.5]).unwrap();
    /// let se = fit.std_errors().unwrap();
    /// let b = fit.natural_estimates()[1];
    /// assert!((se[0] - b / 3f64.sqrt()).abs() < 1e-15); // Var(μ̂) = b̂²/n
    /// assert!(Laplace.fit_location_scale(&[1.0, 1.0, 1.0]).is_err()); // b̂ = 0
    /// assert!(Laplace.fit_location_scale(&[]).is_err());
    /// ```
    fn fit_location_scale(&self, data: &[f64]) -> Result<Fit> {
        self.fit_location_scale_with(data, LocationScaleCovariance::ExpectedInformation)
    }

    /// Closed-form MLE with the chosen covariance
    /// ([`LocationScaleCovariance::ObservedInformation`] is refused: no covariance, with the
    /// reason as the label).
    ///
    /// ```
    /// use mle_families::{AsymmetricLaplace, Laplace};
    /// use mle_models::{Bandwidth, LocationScaleCovariance, LocationScaleFit};
    /// let data: Vec<f64> = (0..101).map(|i| ((i * 53) % 101) as f64 / 10.0).collect();
    /// let fit = Laplace.fit_location_scale_with(&data, LocationScaleCovariance::Sparsity(Bandwidth::HallSheather)).unwrap();
    /// assert!(fit.covariance_source().starts_with("nonparametric"));
    /// let ald = AsymmetricLaplace::new(0.3).unwrap();
    /// let fit = ald.fit_location_scale_with(&data, LocationScaleCovariance::ObservedInformation).unwrap();
    /// assert!(fit.std_errors().is_none()); // refused, with the reason as the label
    /// ```
    fn fit_location_scale_with(&self, data: &[f64], covariance: LocationScaleCovariance) -> Result<Fit>;
}

impl LocationScaleFit for AsymmetricLaplace {
    /// μ̂ = x₍ₖ₎, k = ⌈nτ⌉ (the lower τ-quantile, R's `quantile(type = 1)`; when nτ is an
    /// integer every point of [x₍ₖ₎, x₍ₖ₊₁₎] is an MLE, the lower end is reported and a
    /// [`Diagnostic::NonUniqueEstimate`] gives the interval), σ̂ = Σ ρ_τ(xᵢ − μ̂) / n.
    fn fit_location_scale_with(&self, data: &[f64], covariance: LocationScaleCovariance) -> Result<Fit> {
        let objective = DataObjective::new(self, data)?;
        let est = location_scale_estimate(data, self.tau(), &ScaleNaming::ald())?;
        let fit = Fit::at_estimate(
            &objective,
            &[est.location, est.scale.ln()],
            Convergence::closed_form(&format!(
                "μ̂ = x₍{}₎ (k = ⌈nτ⌉, lower τ-quantile), σ̂ = mean check loss",
                est.k
            )),
        )?;
        finish_location_scale(fit, data, self.tau(), &est, covariance, &ScaleNaming::ald())
    }
}

impl LocationScaleFit for Laplace {
    /// μ̂ = the lower median x₍⌈n/2⌉₎ (for even n every point between the two middle values is
    /// an MLE: the interval is reported as a [`Diagnostic::NonUniqueEstimate`]),
    /// b̂ = mean |x − μ̂|; Var(μ̂) = b̂²/n from the expected information (τ(1−τ)/(n f̂(μ̂)²) at
    /// τ = ½ with f̂(μ̂) = 1/(2b̂)), Var(log b̂) = 1/n.
    fn fit_location_scale_with(&self, data: &[f64], covariance: LocationScaleCovariance) -> Result<Fit> {
        let objective = DataObjective::new(self, data)?;
        let mut est = location_scale_estimate(data, 0.5, &ScaleNaming::laplace())?;
        let b = 2.0 * est.scale; // mean |x − μ̂| (exact: the check loss at ½ is half of it)
        let fit = Fit::at_estimate(
            &objective,
            &[est.location, b.ln()],
            Convergence::closed_form(&format!(
                "μ̂ = x₍{}₎ (lower median; any point between the two middle values is an MLE when n is \
                 even), b̂ = mean |x − μ̂|",
                est.k
            )),
        )?;
        est.scale = b;
        finish_location_scale(fit, data, 0.5, &est, covariance, &ScaleNaming::laplace())
    }
}

/// The closed-form location–scale estimate at level τ.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocationScaleEstimate {
    pub(crate) location: f64,
    pub(crate) scale: f64,
    pub(crate) k: usize,
    /// x₍ₖ₊₁₎ when it differs from x₍ₖ₎ and nτ = k: then every point of [x₍ₖ₎, x₍ₖ₊₁₎]
    /// minimises the check loss (the same σ̂ for all of them).
    pub(crate) upper: Option<f64>,
}

impl LocationScaleEstimate {
    /// The fit with a [`Diagnostic::NonUniqueEstimate`] when the location MLE is an interval.
    fn flag_interval(&self, fit: Fit) -> Fit {
        match self.upper {
            Some(upper) => fit.with_diagnostic(Diagnostic::NonUniqueEstimate {
                parameter: "mu".into(),
                lower: self.location,
                upper,
                reported: self.location,
            }),
            None => fit,
        }
    }
}

/// The upper end of the set of minimisers of Σ ρ_τ(xᵢ − q), x₍ₖ₊₁₎, when it is not the single
/// point x₍ₖ₎: nτ = k exactly (the slope k − nτ of the check loss is 0 between the two order
/// statistics) and x₍ₖ₊₁₎ > x₍ₖ₎.
fn upper_minimiser(data: &[f64], tau: f64, location: f64, k: usize) -> Option<f64> {
    let n = data.len();
    if k >= n || !rank_is_exact(n, tau, k) {
        return None;
    }
    if data.iter().filter(|&&x| x <= location).count() > k {
        return None; // x₍ₖ₊₁₎ = x₍ₖ₎: tied, unique
    }
    Some(
        data.iter()
            .copied()
            .filter(|&x| x > location)
            .fold(f64::INFINITY, f64::min),
    )
}

pub(crate) fn location_scale_estimate(
    data: &[f64],
    tau: f64,
    naming: &ScaleNaming,
) -> Result<LocationScaleEstimate> {
    let (location, k) = lower_quantile(data, tau)?;
    let residuals: Vec<f64> = data.iter().map(|x| x - location).collect();
    let scale = compensated_check_loss(&residuals, tau) / data.len() as f64;
    if !scale.is_finite() {
        return Err(overflow_error(
            naming.parameter,
            naming.factor * scale,
            data,
            "the mean check loss about the τ-quantile",
        ));
    }
    if scale <= 0.0 {
        return Err(MleError::InvalidParameter {
            name: "sigma".into(),
            value: scale,
            reason: "the check loss at the τ-quantile is zero (all observations equal it): σ̂ = 0 is \
                     on the boundary and ℓ is unbounded"
                .into(),
        });
    }
    Ok(LocationScaleEstimate {
        location,
        scale,
        k,
        upper: upper_minimiser(data, tau, location, k),
    })
}

/// How a location–scale family names its scale (σ for the ALD, b = 2σ for the Laplace).
pub(crate) struct ScaleNaming {
    pub(crate) family: &'static str,
    pub(crate) scale: &'static str,
    /// The working-scale parameter name.
    pub(crate) parameter: &'static str,
    /// natural scale = factor · σ (mean check loss)
    pub(crate) factor: f64,
}

impl ScaleNaming {
    pub(crate) fn ald() -> Self {
        ScaleNaming {
            family: "asymmetric Laplace",
            scale: "σ",
            parameter: "log_sigma",
            factor: 1.0,
        }
    }

    pub(crate) fn laplace() -> Self {
        ScaleNaming {
            family: "Laplace",
            scale: "b",
            parameter: "log_b",
            factor: 2.0,
        }
    }
}

/// Attaches the chosen covariance to a closed-form location–scale fit. Covariances of
/// (μ, log σ) equal those of (μ, log b) for b = factor·σ.
pub(crate) fn finish_location_scale(
    fit: Fit,
    data: &[f64],
    tau: f64,
    est: &LocationScaleEstimate,
    choice: LocationScaleCovariance,
    naming: &ScaleNaming,
) -> Result<Fit> {
    let fit = est.flag_interval(fit);
    let sigma = est.scale / naming.factor; // mean check loss
    let (label, cov) = match choice {
        LocationScaleCovariance::ObservedInformation => {
            return Ok(fit.without_covariance(format!(
                "the observed information is not available for the {} location — the log-density \
                 has a kink at μ, so −∂²ℓ/∂μ² = 0 almost everywhere and −∇²ℓ is singular; use the \
                 expected information, the sparsity estimate or the bootstrap",
                naming.family
            )))
        }
        LocationScaleCovariance::ExpectedInformation => {
            expected_information_covariance(data.len(), tau, sigma, naming)
        }
        LocationScaleCovariance::Sparsity(bandwidth) => {
            sparsity_covariance(data, tau, est.location, sigma, bandwidth, naming)?
        }
        LocationScaleCovariance::Bootstrap { replicates, seed } => {
            bootstrap_covariance(data, tau, est.k, replicates, seed, naming)?
        }
    };
    if cov.iter().any(|v| !v.is_finite()) {
        return Err(overflow_error(
            naming.parameter,
            est.scale,
            data,
            &format!("the covariance of (μ̂, log {}̂)", naming.scale),
        ));
    }
    fit.with_covariance(label, cov)
}

/// diag(τ(1−τ)/(n f̂²), 1/n) with f̂ = τ(1−τ)/σ̂ the model density at μ̂.
fn expected_information_covariance(
    n: usize,
    tau: f64,
    sigma: f64,
    naming: &ScaleNaming,
) -> (String, DMatrix<f64>) {
    let nf = n as f64;
    let s = naming.scale;
    let density = tau * (1.0 - tau) / sigma;
    let var_mu = tau * (1.0 - tau) / (nf * density * density);
    let cov = DMatrix::from_row_slice(2, 2, &[var_mu, 0.0, 0.0, 1.0 / nf]);
    let label = format!(
        "the inverse expected (Fisher) information of the fitted {}: Var(μ̂) = τ(1−τ)/(n f̂(μ̂)²) \
         with f̂(μ̂) = {density:.6} the model density at μ̂, Var(log {s}̂) = 1/n (the observed \
         information does not exist: the log-density has a kink at μ)",
        naming.family
    );
    (label, cov)
}

/// Var(μ̂) = τ(1−τ) ŝ²/n with the iid sparsity of `summary.rq`; Var(log σ̂) from the variance of
/// the check losses; the Bahadur cross term.
fn sparsity_covariance(
    data: &[f64],
    tau: f64,
    location: f64,
    sigma: f64,
    bandwidth: Bandwidth,
    naming: &ScaleNaming,
) -> Result<(String, DMatrix<f64>)> {
    let nf = data.len() as f64;
    let residuals: Vec<f64> = data.iter().map(|x| x - location).collect();
    let sp = iid_sparsity(&residuals, 1, tau, bandwidth)?;
    let var_mu = sp.sparsity * sp.sparsity * tau * (1.0 - tau) / nf;
    let (mut sum_sq, mut sum_cross) = (0.0, 0.0);
    for &r in &residuals {
        let c = check_loss(r, tau) - sigma;
        let psi = if r < 0.0 { tau - 1.0 } else { tau };
        sum_sq += c * c;
        sum_cross += psi * c;
    }
    let var_log = sum_sq / nf / nf / (sigma * sigma);
    let cross = sp.sparsity * sum_cross / nf / nf / sigma;
    let cov = DMatrix::from_row_slice(2, 2, &[var_mu, cross, cross, var_log]);
    let label = format!(
        "nonparametric: Var(μ̂) = τ(1−τ) ŝ²/n with sparsity ŝ = {:.6} (as quantreg summary.rq \
         se = \"iid\" on x ~ 1, {} bandwidth {:.6}); Var(log {}̂) from the variance of the check \
         losses",
        sp.sparsity,
        bandwidth.describe(),
        sp.bandwidth,
        naming.scale
    );
    Ok((label, cov))
}

/// Nonparametric bootstrap of (μ̂, log σ̂): the k-th order statistic and the mean check loss of
/// each resample; replicates with σ̂* = 0 are dropped.
fn bootstrap_covariance(
    data: &[f64],
    tau: f64,
    k: usize,
    replicates: usize,
    seed: u64,
    naming: &ScaleNaming,
) -> Result<(String, DMatrix<f64>)> {
    check_replicates(replicates)?;
    let n = data.len();
    let nf = n as f64;
    let seeds = replicate_seeds(seed, replicates);
    let draws = par_map_indexed(replicates, |b| {
        let mut rng = StdRng::seed_from_u64(seeds[b]);
        let mut sample: Vec<f64> = (0..n).map(|_| data[rng.random_range(0..n)]).collect();
        let (_, q, _) = sample.select_nth_unstable_by(k - 1, f64::total_cmp);
        let q = *q;
        let loss: Vec<f64> = sample.iter().map(|x| x - q).collect();
        let sig = compensated_check_loss(&loss, tau) / nf;
        (sig > 0.0).then(|| vec![q, sig.ln()])
    });
    let panicked = draws.iter().filter(|d| d.is_err()).count();
    let kept: Vec<Vec<f64>> = draws.into_iter().filter_map(|d| d.ok().flatten()).collect();
    if kept.len() < 2 {
        return Err(MleError::SingularInformation {
            detail: format!(
                "bootstrap: only {} of {replicates} replicates had σ̂* > 0{}",
                kept.len(),
                panicked_note(panicked)
            ),
        });
    }
    let cov = replicate_covariance(&kept)?;
    let dropped = replicates - kept.len() - panicked;
    let s = naming.scale;
    let label = format!(
        "nonparametric bootstrap: sample covariance of {} replicates (seed {seed}, rand 0.9 StdRng){}{}",
        kept.len(),
        if dropped > 0 {
            format!("; {dropped} with {s}̂* = 0 dropped")
        } else {
            String::new()
        },
        panicked_note(panicked)
    );
    Ok((label, cov))
}
