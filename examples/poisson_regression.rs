//! Poisson regression with an exposure offset: Claims ~ District + Group + Age +
//! offset(log(Holders)) (MASS::Insurance, treatment contrasts).
//!
//! `cargo run --release --example poisson_regression`

use mle::core::table::NumericTable;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let t = NumericTable::parse(include_str!("../tests/reference/regression/poisson_data.csv"))?;
    let x = t.design_except(&["y", "offset"])?;
    let (y, log_holders) = (t.column("y")?, t.column("offset")?);
    let fit = Regression::poisson(&x, &y)
        .and_then(|m| m.offset(&log_holders))
        .and_then(|m| m.fit_with(&FitOptions::newton()))?;
    println!("{fit}");
    println!(
        "rate ratios: {}",
        fit.estimates()
            .iter()
            .skip(1)
            .map(|b| format!("{:.3}", b.exp()))
            .collect::<Vec<_>>()
            .join(" ")
    );
    Ok(())
}
