//! Likelihood-ratio, score (Rao) and Wald tests between nested logistic models (MASS::birthwt):
//! dropping `age` and `lwt` by holding their coefficients at 0 (masked parameters).
//!
//! `cargo run --release --example nested_logistic`

use mle::core::comparison::ModelComparison;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let t = NumericTable::parse(include_str!("../tests/reference/inference/logistic.csv"))?;
    let x = t.design_except(&["low", "id"])?;
    let y = t.column("low")?;
    let model = Regression::logistic(&x, &y)?;
    let full = model.fit()?;
    // H₀: age and lwt do not matter — the restricted fit, then the three classical tests.
    let dropped = [("age", 0.0), ("lwt", 0.0)];
    let (_, small) = full.restricted_fit(&dropped)?;
    println!("{small}");
    println!("{}", full.lr_test_fixed(&dropped)?);
    println!("{}", full.score_test(&dropped)?);
    println!("{}", full.wald_test_zero(&["age", "lwt"])?);
    println!(
        "\n{}",
        ModelComparison::new(vec![("without age, lwt", &small), ("full", &full)])
    );
    Ok(())
}
