//! The asymmetric Laplace distribution ALD(μ, σ; τ), σ on the log scale, τ ∈ (0, 1) fixed:
//! f(y) = τ(1−τ)/σ · exp(−ρ_τ(y − μ)/σ), ρ_τ(u) = u (τ − 1{u < 0}).
//!
//! Its location MLE is a τ-quantile of the sample and its scale MLE the mean check loss, in
//! closed form. The log-density has a kink at y = μ, so ∂²ℓ/∂μ² = 0 almost everywhere: the
//! observed information says nothing about the precision of μ̂. Standard errors come instead
//! from the expected (Fisher) information, a nonparametric sparsity estimate or the bootstrap
//! ([`LocationScaleCovariance`]); the fit's covariance label says which.
//!
//! ```
//! use mle_models::AsymmetricLaplace;
//! let ald = AsymmetricLaplace::new(0.25).unwrap();
//! let fit = ald.fit(&[4.0, 1.0, 3.0, 2.0, 8.0, 5.0, 7.0, 6.0]).unwrap();
//! assert_eq!(fit.natural_estimates()[0], 2.0); // x₍⌈8·0.25⌉₎ = x₍₂₎
//! assert!(fit.covariance_source().contains("expected (Fisher) information"));
//! ```

use mle_core::predictor::PredictorDensity;
use mle_core::{Convergence, DataObjective, Fit, LogDensity, MleError, Parameter, Result, Transform};
use nalgebra::{DMatrix, SMatrix};
use num_dual::DualNum;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::quantile::{
    check_tau, compensated_check_loss, iid_sparsity, parallel_map, replicate_seeds, Bandwidth,
};

/// The check (quantile) loss ρ_τ(u) = u (τ − 1{u < 0}).
///
/// ```
/// use mle_models::asymmetric_laplace::check_loss;
/// assert_eq!(check_loss(2.0, 0.25), 0.5);
/// assert_eq!(check_loss(-2.0, 0.25), 1.5);
/// ```
#[inline]
pub fn check_loss(u: f64, tau: f64) -> f64 {
    if u < 0.0 {
        u * (tau - 1.0)
    } else {
        u * tau
    }
}

/// ρ_τ(u) over dual numbers (the derivative is taken on the side of u's real part; at exactly
/// 0 it is τ).
///
/// ```
/// use mle_models::asymmetric_laplace::check_loss_dual;
/// assert_eq!(check_loss_dual(-2.0f64, 0.25), 1.5);
/// ```
#[inline]
pub fn check_loss_dual<D: DualNum<f64> + Copy>(u: D, tau: f64) -> D {
    if u.re() < 0.0 {
        u * (tau - 1.0)
    } else {
        u * tau
    }
}

/// log f of the asymmetric Laplace at y, generic over dual numbers.
#[inline]
pub(crate) fn ald_ln_density<D: DualNum<f64> + Copy>(tau: f64, mu: D, log_sigma: D, y: f64) -> D {
    let u = -(mu - y);
    -(check_loss_dual(u, tau) * (-log_sigma).exp()) - log_sigma + (tau.ln() + (-tau).ln_1p())
}

/// The asymmetric Laplace family ALD(μ, σ; τ) with parameters (μ, log σ), τ fixed.
///
/// ```
/// use mle_core::LogDensity;
/// use mle_models::AsymmetricLaplace;
/// let ald = AsymmetricLaplace::new(0.5).unwrap();
/// // τ = 0.5: f(y) = 1/(4σ) exp(−|y − μ|/(2σ)), the Laplace with b = 2σ.
/// let v = LogDensity::<2>::ln_density(&ald, &[0.0, 0.0], &2.0);
/// assert!((v - (0.25f64.ln() - 1.0)).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AsymmetricLaplace {
    tau: f64,
}

impl AsymmetricLaplace {
    /// The family at quantile level `tau` ∈ (0, 1) (`TauOutOfRange` otherwise).
    ///
    /// ```
    /// use mle_core::MleError;
    /// use mle_models::AsymmetricLaplace;
    /// assert!(matches!(AsymmetricLaplace::new(0.0), Err(MleError::TauOutOfRange { .. })));
    /// assert!(AsymmetricLaplace::new(f64::NAN).is_err());
    /// ```
    pub fn new(tau: f64) -> Result<Self> {
        check_tau(tau)?;
        Ok(AsymmetricLaplace { tau })
    }

    /// The quantile level τ.
    ///
    /// ```
    /// assert_eq!(mle_models::AsymmetricLaplace::new(0.9).unwrap().tau(), 0.9);
    /// ```
    pub fn tau(&self) -> f64 {
        self.tau
    }

    /// Closed-form MLE with standard errors from the expected information
    /// ([`LocationScaleCovariance::ExpectedInformation`]): μ̂ = x₍ₖ₎, k = ⌈nτ⌉ (the lower
    /// τ-quantile, R's `quantile(type = 1)`; when nτ is an integer every point of
    /// [x₍ₖ₎, x₍ₖ₊₁₎] is an MLE and the lower end is reported), σ̂ = Σ ρ_τ(xᵢ − μ̂) / n.
    /// Errors: empty or non-finite data, σ̂ = 0 (all the check loss is zero).
    ///
    /// ```
    /// use mle_models::AsymmetricLaplace;
    /// let fit = AsymmetricLaplace::new(0.5).unwrap().fit(&[3.0, 1.0, 2.0]).unwrap();
    /// let nat = fit.natural_estimates();
    /// assert_eq!((nat[0], nat[1]), (2.0, 0.5 * 2.0 / 3.0));
    /// assert!(AsymmetricLaplace::new(0.5).unwrap().fit(&[]).is_err());
    /// ```
    pub fn fit(&self, data: &[f64]) -> Result<Fit> {
        self.fit_with(data, LocationScaleCovariance::ExpectedInformation)
    }

    /// Closed-form MLE with the chosen covariance.
    ///
    /// ```
    /// use mle_models::{AsymmetricLaplace, LocationScaleCovariance};
    /// let ald = AsymmetricLaplace::new(0.3).unwrap();
    /// let data: Vec<f64> = (0..40).map(|i| ((i * 37) % 41) as f64).collect();
    /// let fit = ald.fit_with(&data, LocationScaleCovariance::ObservedInformation).unwrap();
    /// assert!(fit.std_errors().is_none()); // refused, with the reason as the label
    /// assert!(fit.covariance_source().contains("kink"));
    /// ```
    pub fn fit_with(&self, data: &[f64], covariance: LocationScaleCovariance) -> Result<Fit> {
        let objective = DataObjective::new(self, data)?;
        let est = location_scale_estimate(data, self.tau)?;
        let fit = Fit::at_estimate(
            &objective,
            &[est.location, est.scale.ln()],
            Convergence::closed_form(&format!(
                "μ̂ = x₍{}₎ (k = ⌈nτ⌉, lower τ-quantile), σ̂ = mean check loss",
                est.k
            )),
        )?;
        finish_location_scale(fit, data, self.tau, &est, covariance, &ScaleNaming::ald())
    }
}

impl LogDensity<2> for AsymmetricLaplace {
    type Obs = f64;

    fn name(&self) -> String {
        format!("asymmetric Laplace (τ = {})", self.tau)
    }

    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::identity("mu"), Parameter::log_scale("sigma")]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], x: &f64) -> D {
        ald_ln_density(self.tau, theta[0], theta[1], *x)
    }

    /// Per observation: diag(τ(1−τ)/σ², 1) in (μ, log σ).
    fn expected_information(&self, theta: &[f64; 2], _x: &f64) -> Option<SMatrix<f64, 2, 2>> {
        let a = self.tau * (1.0 - self.tau) * (-2.0 * theta[1]).exp();
        Some(SMatrix::<f64, 2, 2>::new(a, 0.0, 0.0, 1.0))
    }
}

impl PredictorDensity<2> for AsymmetricLaplace {
    fn name(&self) -> String {
        format!("asymmetric Laplace (τ = {})", self.tau)
    }

    fn predictors(&self) -> [(&'static str, Transform); 2] {
        [("mu", Transform::Identity), ("log_sigma", Transform::Log)]
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, eta: &[D], y: f64) -> D {
        ald_ln_density(self.tau, eta[0], eta[1], y)
    }

    fn expected_information(&self, eta: &[f64; 2]) -> Option<SMatrix<f64, 2, 2>> {
        let a = self.tau * (1.0 - self.tau) * (-2.0 * eta[1]).exp();
        Some(SMatrix::<f64, 2, 2>::new(a, 0.0, 0.0, 1.0))
    }
}

/// Standard errors for the closed-form location–scale fits (Laplace, asymmetric Laplace).
/// The observed information is not one of them: −∂²ℓ/∂μ² is zero almost everywhere.
///
/// ```
/// use mle_models::{Laplace, LocationScaleCovariance};
/// let data = [0.3, -1.2, 2.5, 0.8, -0.4, 1.9, 0.1, -2.2, 0.6, 1.1];
/// for c in [LocationScaleCovariance::ExpectedInformation,
///           LocationScaleCovariance::Bootstrap { replicates: 100, seed: 7 }] {
///     assert!(Laplace.fit_with(&data, c).unwrap().std_errors().is_some());
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
    /// Nonparametric bootstrap of (μ̂, log σ̂), seeded (rand 0.9 `StdRng`), reproducible.
    Bootstrap {
        /// Number of replicates (at least 2).
        replicates: usize,
        /// Seed of the master generator.
        seed: u64,
    },
    /// Refused: the fit is returned without covariance and the label explains why.
    ObservedInformation,
}

/// The closed-form location–scale estimate at level τ.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocationScaleEstimate {
    pub(crate) location: f64,
    pub(crate) scale: f64,
    pub(crate) k: usize,
}

/// k = ⌈nτ⌉, with a relative fuzz of 4ε as R's `quantile(type = 1)` so that an nτ which is an
/// integer up to rounding counts as one; clamped to 1..=n.
pub(crate) fn lower_quantile_rank(n: usize, tau: f64) -> usize {
    let nt = n as f64 * tau;
    let k = (nt - 4.0 * f64::EPSILON * nt.max(1.0)).ceil();
    (k.max(1.0) as usize).min(n)
}

/// The lower τ-quantile of a sample, x₍ₖ₎ with k = ⌈nτ⌉ (R `quantile(x, τ, type = 1)`), and k.
/// It minimises Σ ρ_τ(xᵢ − q); when nτ is an integer so does every point of [x₍ₖ₎, x₍ₖ₊₁₎].
///
/// ```
/// use mle_models::asymmetric_laplace::lower_quantile;
/// assert_eq!(lower_quantile(&[5.0, 1.0, 4.0, 2.0], 0.5).unwrap(), (2.0, 2)); // lower median
/// assert_eq!(lower_quantile(&[5.0, 1.0, 4.0, 2.0], 0.51).unwrap(), (4.0, 3));
/// assert!(lower_quantile(&[], 0.5).is_err());
/// assert!(lower_quantile(&[1.0, f64::NAN], 0.5).is_err());
/// ```
pub fn lower_quantile(data: &[f64], tau: f64) -> Result<(f64, usize)> {
    check_tau(tau)?;
    if data.is_empty() {
        return Err(MleError::EmptyData);
    }
    if let Some(index) = data.iter().position(|v| !v.is_finite()) {
        return Err(MleError::NonFiniteObservation { index });
    }
    let k = lower_quantile_rank(data.len(), tau);
    let mut copy = data.to_vec();
    let (_, q, _) = copy.select_nth_unstable_by(k - 1, f64::total_cmp);
    Ok((*q, k))
}

pub(crate) fn location_scale_estimate(data: &[f64], tau: f64) -> Result<LocationScaleEstimate> {
    let (location, k) = lower_quantile(data, tau)?;
    let residuals: Vec<f64> = data.iter().map(|x| x - location).collect();
    let scale = compensated_check_loss(&residuals, tau) / data.len() as f64;
    if scale.is_nan() || scale <= 0.0 {
        return Err(MleError::InvalidParameter {
            name: "sigma".into(),
            value: scale,
            reason: "the check loss at the τ-quantile is zero (all observations equal it): σ̂ = 0 is \
                     on the boundary and ℓ is unbounded"
                .into(),
        });
    }
    Ok(LocationScaleEstimate { location, scale, k })
}

/// How a location–scale family names its scale (σ for the ALD, b = 2σ for the Laplace).
pub(crate) struct ScaleNaming {
    pub(crate) family: &'static str,
    pub(crate) scale: &'static str,
    /// natural scale = factor · σ (mean check loss)
    pub(crate) factor: f64,
}

impl ScaleNaming {
    pub(crate) fn ald() -> Self {
        ScaleNaming {
            family: "asymmetric Laplace",
            scale: "σ",
            factor: 1.0,
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
    let n = data.len();
    let nf = n as f64;
    let sigma = est.scale / naming.factor; // mean check loss
    let s = naming.scale;
    match choice {
        LocationScaleCovariance::ObservedInformation => Ok(fit.without_covariance(format!(
            "the observed information is not available for the {} location — the log-density \
             has a kink at μ, so −∂²ℓ/∂μ² = 0 almost everywhere and −∇²ℓ is singular; use the expected \
             information, the sparsity estimate or the bootstrap",
            naming.family
        ))),
        LocationScaleCovariance::ExpectedInformation => {
            let density = tau * (1.0 - tau) / sigma;
            let var_mu = tau * (1.0 - tau) / (nf * density * density);
            let cov = DMatrix::from_row_slice(2, 2, &[var_mu, 0.0, 0.0, 1.0 / nf]);
            fit.with_covariance(
                format!(
                    "the inverse expected (Fisher) information of the fitted {}: Var(μ̂) = τ(1−τ)/(n f̂(μ̂)²) \
                     with f̂(μ̂) = {density:.6} the model density at μ̂, Var(log {s}̂) = 1/n (the observed \
                     information does not exist: the log-density has a kink at μ)",
                    naming.family
                ),
                cov,
            )
        }
        LocationScaleCovariance::Sparsity(bandwidth) => {
            let residuals: Vec<f64> = data.iter().map(|x| x - est.location).collect();
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
            fit.with_covariance(
                format!(
                    "nonparametric: Var(μ̂) = τ(1−τ) ŝ²/n with sparsity ŝ = {:.6} (as quantreg summary.rq \
                     se = \"iid\" on x ~ 1, {} bandwidth {:.6}); Var(log {s}̂) from the variance of the check \
                     losses",
                    sp.sparsity,
                    match bandwidth {
                        Bandwidth::HallSheather => "Hall–Sheather",
                        Bandwidth::Bofinger => "Bofinger",
                    },
                    sp.bandwidth
                ),
                cov,
            )
        }
        LocationScaleCovariance::Bootstrap { replicates, seed } => {
            if replicates < 2 {
                return Err(MleError::TooFewReplicates {
                    replicates,
                    minimum: 2,
                });
            }
            let seeds = replicate_seeds(seed, replicates);
            let k = est.k;
            let draws = parallel_map(replicates, |b| {
                let mut rng = StdRng::seed_from_u64(seeds[b]);
                let mut sample: Vec<f64> = (0..n).map(|_| data[rng.random_range(0..n)]).collect();
                let (_, q, _) = sample.select_nth_unstable_by(k - 1, f64::total_cmp);
                let q = *q;
                let loss: Vec<f64> = sample.iter().map(|x| x - q).collect();
                let sig = compensated_check_loss(&loss, tau) / nf;
                (sig > 0.0).then(|| [q, sig.ln()])
            });
            let kept: Vec<[f64; 2]> = draws.into_iter().flatten().collect();
            if kept.len() < 2 {
                return Err(MleError::SingularInformation {
                    detail: format!(
                        "bootstrap: only {} of {replicates} replicates had σ̂* > 0",
                        kept.len()
                    ),
                });
            }
            let b = kept.len() as f64;
            let m0 = kept.iter().map(|d| d[0]).sum::<f64>() / b;
            let m1 = kept.iter().map(|d| d[1]).sum::<f64>() / b;
            let c = |i: usize, j: usize, mi: f64, mj: f64| {
                kept.iter().map(|d| (d[i] - mi) * (d[j] - mj)).sum::<f64>() / (b - 1.0)
            };
            let cov = DMatrix::from_row_slice(
                2,
                2,
                &[c(0, 0, m0, m0), c(0, 1, m0, m1), c(1, 0, m1, m0), c(1, 1, m1, m1)],
            );
            let dropped = replicates - kept.len();
            fit.with_covariance(
                format!(
                    "nonparametric bootstrap: sample covariance of {} replicates (seed {seed}, rand 0.9 StdRng){}",
                    kept.len(),
                    if dropped > 0 { format!("; {dropped} with {s}̂* = 0 dropped") } else { String::new() }
                ),
                cov,
            )
        }
    }
}
