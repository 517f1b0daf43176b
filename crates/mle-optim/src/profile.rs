//! Profile-likelihood confidence intervals: the set of values t of one parameter with
//! 2(ℓ̂ − ℓ_p(t)) ≤ χ²₁(level), ℓ_p(t) = max ℓ over the other parameters with θ_j = t. Each
//! profile point is a Newton fit of the masked objective, warm-started from the previous one;
//! the end points are found by bracketing and safeguarded regula falsi (Illinois).

use mle_core::masked::MaskedObjective;
use mle_core::penalty::{ClosurePenalty, PenalizedObjective};
use mle_core::{Fit, MleError, Objective, Result};
use num_dual::Dual2SVec64;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::fit::FitOptions;

/// A profile-likelihood interval for one parameter, beside the Wald interval.
///
/// ```
/// use mle_optim::profile::ProfileInterval;
/// let p = ProfileInterval { parameter: "b".into(), estimate: 1.0, lower: Some(0.5), upper: Some(2.0),
///     wald: Some((0.2, 1.8)), improved_optimum: None };
/// assert_eq!(p.asymmetry(), Some(2.0)); // (upper − est) / (est − lower)
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileInterval {
    /// Parameter name (working scale).
    pub parameter: String,
    /// θ̂_j.
    pub estimate: f64,
    /// Lower end (`None`: the profile never reaches the critical value: unbounded).
    pub lower: Option<f64>,
    /// Upper end (`None`: unbounded).
    pub upper: Option<f64>,
    /// The Wald interval at the same level, when the fit has standard errors.
    pub wald: Option<(f64, f64)>,
    /// If profiling found a higher likelihood than the fit, ℓ there (the interval was then
    /// recomputed from the better optimum).
    pub improved_optimum: Option<f64>,
}

impl ProfileInterval {
    /// (upper − θ̂)/(θ̂ − lower): 1 for a symmetric interval; far from 1 means Wald misleads.
    ///
    /// ```
    /// use mle_optim::profile::ProfileInterval;
    /// let p = ProfileInterval { parameter: "b".into(), estimate: 0.0, lower: Some(-1.0), upper: None, wald: None, improved_optimum: None };
    /// assert_eq!(p.asymmetry(), None);
    /// ```
    pub fn asymmetry(&self) -> Option<f64> {
        Some((self.upper? - self.estimate) / (self.estimate - self.lower?))
    }
}

impl std::fmt::Display for ProfileInterval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: Option<f64>| v.map_or("unbounded".to_string(), |v| format!("{v:.6}"));
        write!(
            f,
            "{:<16} {:>12.6}  profile [{}, {}]",
            self.parameter,
            self.estimate,
            show(self.lower),
            show(self.upper)
        )?;
        if let Some((lo, hi)) = self.wald {
            write!(f, "  Wald [{lo:.6}, {hi:.6}]")?;
        }
        if let Some(a) = self.asymmetry() {
            write!(f, "  asymmetry {a:.3}")?;
        }
        if let Some(l) = self.improved_optimum {
            write!(f, "  (profiling found a higher ℓ = {l:.6}: refitted)")?;
        }
        Ok(())
    }
}

/// Profile-likelihood interval for parameter `index` of a fit of `objective`.
///
/// ```
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::{profile::profile_interval, FitOptions};
/// use num_dual::{Dual2SVec64, DualNum};
/// // Exponential rate on the log scale, n = 8: the exact LR interval.
/// let d = ClosureDensity::new(vec![Parameter::log_scale("rate")],
///     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x);
/// let data = [0.42, 1.87, 0.93, 3.15, 0.28, 2.44, 1.06, 0.71];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let fit = FitOptions::newton().fit(&obj, &[0.0]).unwrap();
/// let ci = profile_interval(&obj, &fit, 0, 0.95, &FitOptions::newton()).unwrap();
/// assert!((ci.lower.unwrap().exp() - 0.33663629258151007).abs() < 1e-9);
/// ```
pub fn profile_interval(
    objective: &dyn Objective,
    fit: &Fit,
    index: usize,
    level: f64,
    options: &FitOptions,
) -> Result<ProfileInterval> {
    let p = fit.estimates().len();
    if index >= p {
        return Err(MleError::ParameterIndexOutOfRange { index, count: p });
    }
    let crit = likelihood_ratio_critical(level)?;
    let mut best = fit.clone();
    let mut improved = None;
    for _attempt in 0..3 {
        match profile_from(objective, &best, index, crit, options)? {
            Profiled::Done(lower, upper) => {
                let wald = best.confidence_intervals(level)?.get(index).copied().flatten();
                return Ok(ProfileInterval {
                    parameter: best.parameters()[index].name.clone(),
                    estimate: best.estimates()[index],
                    lower,
                    upper,
                    wald,
                    improved_optimum: improved,
                });
            }
            Profiled::Better(theta) => {
                let refit = options.fit(objective, &theta)?;
                improved = Some(refit.log_likelihood());
                best = refit;
            }
        }
    }
    Err(MleError::NoConvergence {
        reason: "profiling kept finding higher likelihoods than the fit".into(),
        iterations: 3,
        gradient_norm: best.gradient().norm(),
        last: best.estimates().iter().copied().collect(),
    })
}

enum Profiled {
    Done(Option<f64>, Option<f64>),
    Better(Vec<f64>),
}

/// The profile at `t`: (2(ℓ̂ − ℓ_p(t)), full parameter vector at the profile optimum).
fn profile_point(
    objective: &dyn Objective,
    index: usize,
    t: f64,
    warm: &[f64],
    options: &FitOptions,
    l_hat: f64,
) -> Result<(f64, Vec<f64>)> {
    let p = warm.len();
    let mut fixed = vec![None; p];
    fixed[index] = Some(t);
    let masked = MaskedObjective::new(objective, fixed)?;
    if p == 1 {
        let v = objective.log_likelihood(&[t])?;
        return Ok((2.0 * (l_hat - v), vec![t]));
    }
    let start: Vec<f64> = (0..p).filter(|&i| i != index).map(|i| warm[i]).collect();
    let f = options.fit(&masked, &start)?;
    let full = masked.expand(f.estimates().as_slice());
    Ok((2.0 * (l_hat - f.log_likelihood()), full))
}

type Point<'f> = dyn Fn(f64, &[f64]) -> Result<(f64, Vec<f64>)> + 'f;

fn profile_from(
    objective: &dyn Objective,
    fit: &Fit,
    index: usize,
    crit: f64,
    options: &FitOptions,
) -> Result<Profiled> {
    let mut theta_hat: Vec<f64> = fit.estimates().iter().copied().collect();
    let l_hat = fit.log_likelihood();
    // An estimate on the boundary (working value ±∞, e.g. logit p̂ = −∞ for k = 0): walk in
    // from ±40 on the working scale; the outer end stays open (`None`). This is the
    // likelihood-ratio interval offered where Wald does not apply.
    for v in theta_hat.iter_mut() {
        if !v.is_finite() {
            *v = v.signum() * 40.0;
        }
    }
    let est = theta_hat[index];
    let fallback = if fit.estimates()[index].is_finite() {
        0.1 * est.abs().max(1.0)
    } else {
        1.0
    };
    let step0 = fit
        .std_errors()
        .map(|s| s[index])
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(fallback);
    let point = |t: f64, warm: &[f64]| profile_point(objective, index, t, warm, options, l_hat);
    walk(&point, est, step0, &theta_hat, crit)
}

/// Brackets and solves d(t) = crit on both sides of `est`; `point(t, warm)` returns the
/// deviance 2(ℓ̂ − ℓ_p(t)) and the full parameter vector at the profile optimum.
fn walk(point: &Point<'_>, est: f64, step0: f64, theta_hat: &[f64], crit: f64) -> Result<Profiled> {
    let mut ends = [None, None];
    for (side, sign) in [(0, -1.0), (1, 1.0)] {
        let (mut t_in, mut d_in, mut warm_in) = (est, 0.0, theta_hat.to_vec());
        let mut step = step0;
        let mut bracket = None;
        for _ in 0..60 {
            let t = t_in + sign * step;
            let (d, full) = match point(t, &warm_in) {
                Ok(v) => v,
                Err(MleError::NonFiniteLogLikelihood { .. }) => break,
                Err(e) => return Err(e),
            };
            if d < -1e-6 {
                return Ok(Profiled::Better(full));
            }
            if d >= crit {
                bracket = Some((t, d));
                break;
            }
            (t_in, d_in, warm_in) = (t, d, full);
            step *= 1.6;
        }
        let Some((mut t_out, d_out)) = bracket else {
            continue;
        };
        // Illinois regula falsi on d(t) − crit between t_in (below) and t_out (above).
        let (mut f_in, mut f_out) = (d_in - crit, d_out - crit);
        let mut last_side = 0;
        for _ in 0..100 {
            let t = t_in - f_in * (t_out - t_in) / (f_out - f_in);
            let (d, full) = point(t, &warm_in)?;
            if d < -1e-6 {
                return Ok(Profiled::Better(full));
            }
            let f = d - crit;
            if f.abs() <= 1e-10 || (t_out - t_in).abs() <= 1e-12 * t.abs().max(1.0) {
                t_in = t;
                break;
            }
            if f < 0.0 {
                (t_in, f_in, warm_in) = (t, f, full);
                if last_side == -1 {
                    f_out *= 0.5;
                }
                last_side = -1;
            } else {
                (t_out, f_out) = (t, f);
                if last_side == 1 {
                    f_in *= 0.5;
                }
                last_side = 1;
            }
        }
        ends[side] = Some(t_in);
    }
    Ok(Profiled::Done(ends[0], ends[1]))
}

/// Profile-likelihood interval for a smooth derived quantity g(θ) (a closure over
/// second-order duals with `P` = the number of parameters): the values c with
/// 2(ℓ̂ − max{ℓ(θ) : g(θ) = c}) ≤ χ²₁(level). Each constrained maximum is found by an
/// augmented Lagrangian whose terms have exact derivatives; the interval's `estimate` is
/// g(θ̂) (invariance) and `wald` the delta-method interval.
///
/// ```
/// use mle_core::{ClosureDensity, DataObjective, Parameter};
/// use mle_optim::{profile::{profile_interval, profile_interval_derived}, FitOptions};
/// use num_dual::{Dual2SVec64, DualNum};
/// // The rate λ = exp(θ) of an exponential: the derived-quantity profile equals the
/// // parameter profile mapped through exp (profile intervals are invariant).
/// let d = ClosureDensity::new(vec![Parameter::log_scale("rate")],
///     |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x);
/// let data = [0.42, 1.87, 0.93, 3.15, 0.28, 2.44, 1.06, 0.71];
/// let obj = DataObjective::new(&d, &data).unwrap();
/// let fit = FitOptions::newton().fit(&obj, &[0.0]).unwrap();
/// let direct = profile_interval(&obj, &fit, 0, 0.95, &FitOptions::newton()).unwrap();
/// let derived = profile_interval_derived(&obj, &fit, |t: &[Dual2SVec64<1>]| t[0].exp(), 0.95, &FitOptions::newton()).unwrap();
/// assert!((derived.lower.unwrap() - direct.lower.unwrap().exp()).abs() < 1e-8);
/// ```
pub fn profile_interval_derived<const P: usize>(
    objective: &dyn Objective,
    fit: &Fit,
    g: impl Fn(&[Dual2SVec64<P>]) -> Dual2SVec64<P> + Sync,
    level: f64,
    options: &FitOptions,
) -> Result<ProfileInterval> {
    if fit.estimates().len() != P || objective.dimension() != P {
        return Err(MleError::ParameterCount {
            expected: fit.estimates().len(),
            got: P,
        });
    }
    let crit = likelihood_ratio_critical(level)?;
    let value_of = |theta: &[f64]| -> f64 {
        let t: [Dual2SVec64<P>; P] = std::array::from_fn(|i| Dual2SVec64::from_re(theta[i]));
        g(&t).re
    };
    let theta_hat: Vec<f64> = fit.estimates().iter().copied().collect();
    let est = value_of(&theta_hat);
    let gradient = {
        let t: [Dual2SVec64<P>; P] =
            std::array::from_fn(|i| Dual2SVec64::from_re(theta_hat[i]).derivative(i));
        let r = g(&t);
        nalgebra::DVector::from_column_slice(
            r.v1.unwrap_generic(nalgebra::U1, nalgebra::Const::<P>).as_slice(),
        )
    };
    let se = fit
        .covariance()
        .map(|v| gradient.dot(&(v * &gradient)).max(0.0).sqrt())
        .filter(|s| *s > 0.0 && s.is_finite());
    let step0 = se.unwrap_or(0.1 * est.abs().max(1.0));
    let l_hat = fit.log_likelihood();
    let point = |c: f64, warm: &[f64]| -> Result<(f64, Vec<f64>)> {
        let mut theta = warm.to_vec();
        let mut lambda = 0.0;
        let mut mu = 100.0 / (step0 * step0);
        let mut last_violation = f64::INFINITY;
        for _ in 0..40 {
            let (lam, m) = (lambda, mu);
            let penalty = ClosurePenalty::new("constraint g(θ) = c", |t: &[Dual2SVec64<P>]| {
                let v = g(t) - c;
                v * lam - v * v * (0.5 * m)
            });
            let constrained = PenalizedObjective::new(objective, &penalty);
            let f = options.fit(&constrained, &theta)?;
            theta = f.estimates().iter().copied().collect();
            let violation = value_of(&theta) - c;
            if violation.abs() <= 1e-11 * c.abs().max(1.0) {
                break;
            }
            lambda -= mu * violation;
            if violation.abs() > 0.25 * last_violation {
                mu *= 10.0;
            }
            last_violation = violation.abs();
        }
        let l = objective.log_likelihood(&theta)?;
        Ok((2.0 * (l_hat - l), theta))
    };
    match walk(&point, est, step0, &theta_hat, crit)? {
        Profiled::Done(lower, upper) => {
            let z = mle_core::inference::normal_quantile(level)?;
            Ok(ProfileInterval {
                parameter: "g(θ)".into(),
                estimate: est,
                lower,
                upper,
                wald: se.map(|s| (est - z * s, est + z * s)),
                improved_optimum: None,
            })
        }
        Profiled::Better(theta) => Err(MleError::NoConvergence {
            reason: format!("profiling g(θ) found a higher likelihood at {theta:?}: refit from there first"),
            iterations: 0,
            gradient_norm: f64::NAN,
            last: theta,
        }),
    }
}

/// The χ²₁ quantile at `level`: the drop 2(ℓ̂ − ℓ) that bounds a likelihood-ratio interval.
fn likelihood_ratio_critical(level: f64) -> Result<f64> {
    let level = mle_core::inference::check_level(level)?;
    Ok(ChiSquared::new(1.0)
        .map_err(|e| MleError::Optimiser(e.to_string()))?
        .inverse_cdf(level))
}
