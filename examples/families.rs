//! The families R users reach for, each fitted as a regression on small made-up data:
//! negative binomial (with glm.nb's covariance convention), binomial with trials under three
//! links, gamma and inverse Gaussian, and right-censored survival (Weibull, exponential).
//!
//! `cargo run --release --example families`

use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let n = 60;
    let dose: Vec<f64> = (0..n).map(|i| (i % 10) as f64 / 10.0).collect();
    let x = Design::from_columns(true, &[("dose", dose.clone())])?;

    // Negative binomial: over-dispersed counts.
    let counts: Vec<f64> = (0..n)
        .map(|i| ((1.0 + 1.5 * dose[i]).exp() * [0.2, 1.7, 0.6, 2.4, 0.9, 0.1][i % 6]).round())
        .collect();
    let nb = Regression::negative_binomial(&x, &counts)?.fit()?;
    println!("{nb}");
    let glm_nb = nb.model().glm_nb_covariance(nb.estimates().as_slice())?;
    let as_r = nb.fit().clone().with_covariance("glm.nb's convention", glm_nb)?;
    println!(
        "SEs as MASS::glm.nb prints them: {:?}\n",
        as_r.natural_std_errors().map(|s| s.as_slice().to_vec())
    );

    // Binomial with trials, three links.
    let trials: Vec<(f64, f64)> = (0..n)
        .map(|i| ((20.0 * (0.1 + 0.7 * dose[i])).round().min(20.0), 20.0))
        .collect();
    for link in [BinomialLink::Logit, BinomialLink::Probit, BinomialLink::Cloglog] {
        let fit = Regression::binomial(link, &x, &trials)?.fit()?;
        println!(
            "binomial {}: β = {:?}, ℓ = {:.4}",
            link.name(),
            fit.estimates().as_slice(),
            fit.log_likelihood()
        );
    }

    // Gamma (log link, ML shape) and inverse Gaussian (1/μ² link, ML dispersion).
    let positive: Vec<f64> = (0..n)
        .map(|i| (0.5 + dose[i]).exp() * [0.6, 1.3, 0.9, 1.8, 0.7, 1.1][i % 6])
        .collect();
    let gamma = Regression::gamma(MeanLink::Log, &x, &positive)?.fit()?;
    println!("\n{gamma}");
    let ig = Regression::inverse_gaussian(MeanLink::InverseSquare, &x, &positive)?.fit()?;
    println!("{ig}");

    // Right-censored survival: every fifth time censored.
    let times: Vec<(f64, f64)> = (0..n)
        .map(|i| (positive[i] * 10.0, if i % 5 == 4 { 0.0 } else { 1.0 }))
        .collect();
    let weibull = Regression::weibull(&x, &times)?.fit()?;
    println!("{weibull}");
    let exponential = Regression::exponential(&x, &times)?.fit()?;
    println!("exponential AFT: β = {:?}", exponential.estimates().as_slice());
    Ok(())
}
