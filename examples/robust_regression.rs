//! Robust regression with Student-t errors on stackloss, degrees of freedom fixed (ν = 4) and
//! estimated (log ν), beside least squares. The t likelihood is not concave: several starts.
//!
//! `cargo run --release --example robust_regression`

use mle::core::table::NumericTable;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let t = NumericTable::parse(include_str!("../tests/reference/regression/student_t_data.csv"))?;
    let x = t.design_except(&["y"])?;
    let y = t.column("y")?;
    println!(
        "Least squares:\n{}",
        LinearRegression::new(&x, &y).and_then(|m| m.fit())?
    );
    println!(
        "Student-t errors, ν = 4:\n{}",
        Regression::student_t(&x, &y)
            .and_then(|m| m.fixed_df(4.0))
            .and_then(|m| m.fit())?
    );
    println!(
        "Student-t errors, ν estimated:\n{}",
        Regression::student_t(&x, &y).and_then(|m| m.fit())?
    );
    Ok(())
}
