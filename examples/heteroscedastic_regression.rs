//! Heteroscedastic Gaussian: mean = Xβ and log σ = Zγ fitted jointly (full Gaussian NLL) on
//! R's cars data (stopping distance ~ speed, log σ ~ speed).
//!
//! `cargo run --release --example heteroscedastic_regression`

use mle::core::table::NumericTable;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let tx = NumericTable::parse(include_str!("../tests/reference/regression/hetero_X.csv"))?;
    let tz = NumericTable::parse(include_str!("../tests/reference/regression/hetero_Z.csv"))?;
    let x = tx.design_except(&["y"])?;
    let z = tz.design_except(&[])?;
    let y = tx.column("y")?;
    println!(
        "Constant σ (least squares):\n{}",
        LinearRegression::new(&x, &y).and_then(|m| m.fit())?
    );
    let fit = Regression::heteroscedastic(&x, &z, &y).and_then(|m| m.fit())?;
    println!("log σ = γ₀ + γ₁·speed:\n{fit}");
    Ok(())
}
