//! Separation diagnosed before the optimiser burns iterations, beside R glm's silent
//! "fitted probabilities numerically 0 or 1": complete (x = 1..10, y = x > 5.5) and
//! quasi-complete separation (endometrial cancer data, NV), then the Firth fit.
//!
//! `cargo run --release --example separation`

use mle::core::table::NumericTable;
use mle::models::separation::detect_separation;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    for (name, csv, response) in [
        (
            "complete separation",
            include_str!("../tests/reference/failure/sep_complete.csv"),
            "y",
        ),
        (
            "quasi-complete separation (endometrial)",
            include_str!("../tests/reference/failure/sep_endometrial.csv"),
            "HG",
        ),
    ] {
        let t = NumericTable::parse(csv)?;
        let x = t.design_except(&[response])?;
        let y = t.column(response)?;
        println!("== {name}\n{}", detect_separation(&x, &y)?);
        println!("{}", Regression::logistic(&x, &y).and_then(|m| m.fit())?);
        let model = Regression::logistic(&x, &y)?;
        let inner = model.linear_objective();
        let firth = JeffreysObjective::regression(inner)?;
        let fit = FitOptions::newton().fit(&firth, &vec![0.0; x.ncols()])?;
        let fit = Fit::at_estimate(inner, fit.estimates().as_slice(), fit.convergence().clone())?;
        println!("Firth (Jeffreys-prior) estimates, SEs from I(β)⁻¹ at the estimate (as logistf):\n{fit}");
    }
    Ok(())
}
