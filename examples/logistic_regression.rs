//! Logistic regression (Newton = IRLS): low birth weight ~ age + lwt + smoke + ht + ui
//! (MASS::birthwt).
//!
//! `cargo run --release --example logistic_regression`

use mle::core::table::NumericTable;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let t = NumericTable::parse(include_str!("../tests/reference/regression/logistic_data.csv"))?;
    let x = t.design_except(&["y"])?;
    let y = t.column("y")?;
    let fit = Regression::logistic(&x, &y)?.fit()?;
    println!("{fit}");
    // Odds ratios: exp(β) by invariance, with intervals from the transformed Wald interval.
    for ((p, b), ci) in fit
        .parameters()
        .iter()
        .zip(fit.estimates().iter())
        .zip(fit.confidence_intervals(0.95)?)
    {
        if let Some((lo, hi)) = ci {
            println!(
                "odds ratio {:<12} {:>9.4}  [{:.4}, {:.4}]",
                p.name,
                b.exp(),
                lo.exp(),
                hi.exp()
            );
        }
    }
    Ok(())
}
