//! Linear regression = Gaussian MLE, by QR: mtcars mpg ~ wt + hp + qsec (R's built-in data).
//!
//! `cargo run --release --example linear_regression`

use mle::core::table::NumericTable;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let t = NumericTable::parse(include_str!("../tests/reference/regression/ols_data.csv"))?;
    let x = t.design_except(&["y"])?;
    let y = t.column("y")?;
    let fit = LinearRegression::new(&x, &y)?.fit()?;
    println!("{fit}");
    println!(
        "σ̂² (MLE) = {:.6}, s² (n − p) = {:.6}",
        fit.sigma_mle().powi(2),
        fit.sigma_unbiased().powi(2)
    );
    Ok(())
}
