//! Accelerated-failure-time regressions of right-censored times, as `survival::survreg`,
//! on survival::lung (written by `data/families.R`; status 1 = censored, 2 = death; the row
//! with a missing ph.ecog is dropped): Weibull, exponential, log-normal and log-logistic.
//!
//! `cargo run --release --example survival_regression`

use mle_data::{Family, FormulaFit, FormulaOptions, Table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lung = Table::read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/lung.csv"))?;
    let formula = "Surv(time, status) ~ age + sex + ph.ecog";
    for family in [
        Family::Weibull,
        Family::Exponential,
        Family::Lognormal,
        Family::Loglogistic,
    ] {
        let m = FormulaFit::fit(formula, &lung, family, FormulaOptions::default())?;
        assert!(m.estimate().convergence().converged());
        assert_eq!(m.n_obs(), 227);
        let scale = m.extra_rows().into_iter().find(|r| r.term == "Log(scale)");
        println!(
            "{:<12} ℓ = {:>10.4}  coefficients {:?}  Log(scale) {}",
            family.name(),
            m.estimate().log_likelihood(),
            m.coefficients()
                .iter()
                .map(|b| format!("{b:.4}"))
                .collect::<Vec<_>>(),
            scale.map_or("(fixed at 0)".to_string(), |s| format!("{:.4}", s.estimate)),
        );
    }
    Ok(())
}
