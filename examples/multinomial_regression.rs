//! Multinomial logistic regression (softmax, baseline class 0 = "Low" satisfaction):
//! Sat ~ Infl + Type + Cont with frequency weights (MASS::housing).
//!
//! `cargo run --release --example multinomial_regression`

use mle::core::table::NumericTable;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let t = NumericTable::parse(include_str!("../tests/reference/regression/multinom_data.csv"))?;
    let x = t.design_except(&["y", "w"])?;
    let (y, w) = (t.column("y")?, t.column("w")?);
    let fit = Regression::<Categorical<2>, 2>::multinomial(&x, &y)?
        .weights(&w)?
        .fit()?;
    println!("classes: 0 = Low (baseline), 1 = Medium, 2 = High\n{fit}");
    Ok(())
}
