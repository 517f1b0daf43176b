//! A non-concave likelihood: two-component Gaussian mixture on Old Faithful eruption
//! durations (R's faithful$eruptions), on the logit/log working scale, fitted from 40 seeded
//! random starts in parallel; the distinct local optima are listed with their ℓ (R
//! reference: ℓ = −276.3600405, p = 0.348, μ = 2.019 / 4.273, σ = 0.236 / 0.437).
//!
//! `cargo run --release --example mixture`

use mle::core::table::NumericTable;
use mle::optim::multistart::{multistart, random_starts};
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let x = NumericTable::parse(include_str!("../tests/reference/failure/faithful_eruptions.csv"))?
        .column("eruptions")?;
    let mixture = ClosureDensity::new(
        vec![
            Parameter::logit_scale("p"),
            Parameter::identity("mu1"),
            Parameter::identity("mu2"),
            Parameter::log_scale("sigma1"),
            Parameter::log_scale("sigma2"),
        ],
        |t: &[Dual2SVec64<5>], x: &f64| {
            let comp = |mu: Dual2SVec64<5>, log_s: Dual2SVec64<5>| {
                let z = (mu - *x) * (-log_s).exp();
                -(z * z * 0.5) - log_s - 0.918_938_533_204_672_8
            };
            log_sum_exp(&[
                log_sigmoid(t[0]) + comp(t[1], t[3]),
                log_sigmoid(-t[0]) + comp(t[2], t[4]),
            ])
        },
    )
    .with_name("two-component Gaussian mixture");
    let objective = DataObjective::new(&mixture, &x)?;
    let starts = random_starts(&[0.0, 2.5, 4.0, -1.0, -1.0], &[1.0; 5], 40, 2024)?;
    let result = multistart(&objective, &starts, &FitOptions::newton())?;
    println!("{result}");
    println!(
        "Best optimum (components may be labelled either way):\n{}",
        result.best
    );
    Ok(())
}
