//! The Gaussian worked case: μ̂ = mean, σ̂² with divisor n (not n − 1), σ on the log scale,
//! natural-scale σ and σ² by invariance with delta-method standard errors.
//!
//! `cargo run --release --example gaussian`

use mle::families::gaussian::GaussianSufficientStatistics;
use mle::prelude::*;

/// Newcomb's 1882 measurements of the passage time of light (deviations, R `MASS::newcomb`),
/// without the two famous outliers (−44, −2).
const NEWCOMB: [f64; 64] = [
    28., 26., 33., 24., 34., 29., 37., 27., 16., 40., 29., 22., 24., 21., 25., 30., 23., 29., 31., 19., 24.,
    20., 36., 32., 36., 28., 25., 21., 28., 29., 37., 25., 28., 26., 30., 32., 36., 26., 30., 22., 36., 23.,
    27., 27., 28., 27., 31., 27., 26., 33., 26., 32., 32., 24., 39., 28., 24., 25., 32., 25., 29., 27., 28.,
    29.,
];

fn main() -> Result<(), MleError> {
    let fit = Gaussian.fit(&NEWCOMB)?;
    println!("Closed form from one pass of sufficient statistics:\n{fit}");
    let s = GaussianSufficientStatistics::from_data(&NEWCOMB, None)?;
    println!(
        "σ̂² (MLE, divisor n) = {:.6};  Bessel-corrected s² (divisor n − 1, a different estimator) = {:.6}",
        s.variance_mle(),
        s.variance_unbiased()
    );
    let log_sigma = fit.estimates()[1];
    let se_log_sigma = fit.std_errors().map(|s| s[1]).unwrap_or(f64::NAN);
    // Invariance: σ̂² = exp(2 log σ̂); delta method: se(σ²) = |2 exp(2 log σ)| se(log σ).
    println!(
        "σ̂² by invariance = {:.6}, SE by the delta method = {:.6}\n",
        (2.0 * log_sigma).exp(),
        2.0 * (2.0 * log_sigma).exp() * se_log_sigma
    );
    let objective = DataObjective::new(&Gaussian, &NEWCOMB)?;
    println!(
        "Generic Newton from (0, 0):\n{}",
        FitOptions::newton().fit(&objective, &[0.0, 0.0])?
    );
    println!(
        "BFGS from (0, 0):\n{}",
        FitOptions::bfgs().fit(&objective, &[0.0, 0.0])?
    );
    Ok(())
}
