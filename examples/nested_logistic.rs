//! Likelihood-ratio, score (Rao) and Wald tests between nested logistic models (MASS::birthwt):
//! dropping `age` and `lwt` by holding their coefficients at 0 (masked parameters).
//!
//! `cargo run --release --example nested_logistic`

use mle::core::comparison::ModelComparison;
use mle::core::hypothesis::{likelihood_ratio_test, score_test, wald_test};
use mle::core::masked::MaskedObjective;
use mle::core::table::NumericTable;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let t = NumericTable::parse(include_str!("../tests/reference/inference/logistic.csv"))?;
    let x = t.design_except(&["low", "id"])?;
    let y = t.column("low")?;
    let objective = RegressionInput::new(&x, &y).objective(&Logistic, [&x])?;
    let full = FitOptions::newton().fit(&objective, &vec![0.0; x.ncols()])?;
    let dropped: Vec<usize> = ["age", "lwt"]
        .iter()
        .filter_map(|d| x.names().iter().position(|n| n == d))
        .collect();
    let fixed = (0..x.ncols())
        .map(|j| if dropped.contains(&j) { Some(0.0) } else { None })
        .collect();
    let masked = MaskedObjective::new(&objective, fixed)?;
    let small = FitOptions::newton().fit(&masked, &vec![0.0; masked.dimension()])?;
    println!("{small}");
    println!("{}", likelihood_ratio_test(&small, &full)?);
    println!(
        "{}",
        score_test(&objective, &masked.expand(small.estimates().as_slice()), &dropped)?
    );
    let mut r = DMatrix::zeros(dropped.len(), x.ncols());
    for (row, &j) in dropped.iter().enumerate() {
        r[(row, j)] = 1.0;
    }
    println!("{}", wald_test(&full, &r, &DVector::zeros(dropped.len()))?);
    println!(
        "\n{}",
        ModelComparison::new(vec![("without age, lwt", &small), ("full", &full)])
    );
    Ok(())
}
