//! Profile-likelihood intervals beside Wald intervals in small samples, where Wald misleads:
//! a Bernoulli p with k = 3 of n = 15, and an exponential rate from 8 waiting times.
//!
//! `cargo run --release --example profile_vs_wald`

use mle::optim::profile::profile_interval;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let coin: Vec<f64> = (0..15).map(|i| if i < 3 { 1.0 } else { 0.0 }).collect();
    let fit = Bernoulli.fit(&coin)?;
    let objective = DataObjective::new(&Bernoulli, &coin)?;
    let ci = profile_interval(&objective, &fit, 0, 0.95, &FitOptions::newton())?;
    let p = |v: f64| 1.0 / (1.0 + (-v).exp());
    println!("Bernoulli, k = 3 of 15: p̂ = {:.4}", fit.natural_estimates()[0]);
    println!("  {ci}");
    let (lo, hi) = (
        ci.lower.unwrap_or(f64::NEG_INFINITY),
        ci.upper.unwrap_or(f64::INFINITY),
    );
    println!("  profile interval for p: [{:.4}, {:.4}]", p(lo), p(hi));
    let se = (0.2 * 0.8 / 15.0f64).sqrt();
    println!(
        "  Wald on the p scale:     [{:.4}, {:.4}]  (symmetric, ignores the skew near 0)\n",
        0.2 - 1.96 * se,
        0.2 + 1.96 * se
    );

    let waits = [0.42, 1.87, 0.93, 3.15, 0.28, 2.44, 1.06, 0.71];
    let expo = ClosureDensity::new(
        vec![Parameter::log_scale("rate")],
        |t: &[Dual2SVec64<1>], x: &f64| t[0] - t[0].exp() * *x,
    );
    let objective = DataObjective::new(&expo, &waits)?;
    let fit = FitOptions::newton().fit(&objective, &[0.0])?;
    let ci = profile_interval(&objective, &fit, 0, 0.95, &FitOptions::newton())?;
    let rate = fit.natural_estimates()[0];
    let se = fit.natural_std_errors().map(|s| s[0]).unwrap_or(f64::NAN);
    println!("Exponential rate from 8 waiting times: λ̂ = {rate:.4}");
    println!("  {ci}");
    println!(
        "  profile interval for λ: [{:.4}, {:.4}]",
        ci.lower.unwrap_or(f64::NAN).exp(),
        ci.upper.unwrap_or(f64::NAN).exp()
    );
    println!(
        "  Wald on the λ scale:     [{:.4}, {:.4}]",
        rate - 1.96 * se,
        rate + 1.96 * se
    );
    plot_profile(&objective, &fit, rate, se)?;
    println!("\nSigned root deviance r(λ) = sign(λ − λ̂)·√(2(ℓ̂ − ℓ(λ))), the profile in one column:");
    for k in 0..=12 {
        let lambda = 0.2 + 0.1 * k as f64;
        let l = objective.log_likelihood(&[lambda.ln()])?;
        let r = (lambda - rate).signum() * (2.0 * (fit.log_likelihood() - l)).max(0.0).sqrt();
        let bar = ((r + 3.0) * 8.0).round().clamp(0.0, 48.0) as usize;
        println!("  λ = {lambda:.1}  r = {r:>6.3}  {}*", " ".repeat(bar));
    }
    Ok(())
}

/// Writes target/profile_exponential.svg: the signed root deviance of the exponential rate
/// (curved) beside the Wald approximation (straight line), with the ±1.96 cut-offs.
fn plot_profile(objective: &dyn Objective, fit: &Fit, rate: f64, se: f64) -> Result<(), MleError> {
    use plotters::prelude::*;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/profile_exponential.svg");
    let draw = || -> Result<(), Box<dyn std::error::Error>> {
        let root = SVGBackend::new(&path, (720, 480)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Exponential rate: profile (signed root deviance) vs Wald",
                ("sans-serif", 20),
            )
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.15f64..2.0, -3.5f64..3.5)?;
        chart.configure_mesh().x_desc("rate λ").y_desc("r(λ)").draw()?;
        let points: Vec<(f64, f64)> = (0..=370)
            .map(|i| 0.15 + 0.005 * i as f64)
            .map(|lambda| {
                let l = objective
                    .log_likelihood(&[lambda.ln()])
                    .unwrap_or(f64::NEG_INFINITY);
                (
                    lambda,
                    (lambda - rate).signum() * (2.0 * (fit.log_likelihood() - l)).max(0.0).sqrt(),
                )
            })
            .collect();
        chart
            .draw_series(LineSeries::new(points, &BLUE))?
            .label("profile");
        chart
            .draw_series(LineSeries::new(
                [(0.15, (0.15 - rate) / se), (2.0, (2.0 - rate) / se)],
                &RED,
            ))?
            .label("Wald");
        for z in [-1.96, 1.96] {
            chart.draw_series(LineSeries::new([(0.15, z), (2.0, z)], &BLACK))?;
        }
        chart.configure_series_labels().border_style(BLACK).draw()?;
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| MleError::Optimiser(format!("plot: {e}")))?;
    println!("  profile plot written to {}", path.display());
    Ok(())
}
