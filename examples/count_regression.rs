//! Count regressions from a formula on R's data sets (written by `data/families.R`):
//! the negative binomial on MASS::quine (as `MASS::glm.nb`, with glm.nb's and the expected-
//! information standard errors), and zero-inflated Poisson / negative binomial on
//! pscl::bioChemists (as `pscl::zeroinfl(art ~ . | .)`).
//!
//! `cargo run --release --example count_regression`

use mle_data::{CovarianceChoice, Family, FormulaFit, FormulaOptions, Table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let quine = Table::read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/quine.csv"))?;
    let formula = "Days ~ Eth + Sex + Age + Lrn";
    let nb = FormulaFit::fit(
        formula,
        &quine,
        Family::NegativeBinomial,
        FormulaOptions::default(),
    )?;
    assert!(nb.estimate().convergence().converged());
    println!("{nb}");
    // The other conventions: glm.nb's (what summary(glm.nb) prints) and the expected information.
    for choice in [CovarianceChoice::GlmNb, CovarianceChoice::Expected] {
        let options = FormulaOptions::default().covariance(choice.clone());
        let m = FormulaFit::fit(formula, &quine, Family::NegativeBinomial, options)?;
        let theta = m
            .extra_rows()
            .into_iter()
            .find(|r| r.term == "theta")
            .expect("theta");
        println!(
            "--cov {choice}: θ = {:.4} (SE {:.4})",
            theta.estimate,
            theta.std_error.unwrap_or(f64::NAN)
        );
    }

    let bio = Table::read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/biochemists.csv"))?;
    let formula = "art ~ fem + mar + kid5 + phd + ment | ment";
    for family in [Family::Zip, Family::Zinb] {
        let m = FormulaFit::fit(formula, &bio, family, FormulaOptions::default())?;
        assert!(m.estimate().convergence().converged());
        println!("\n{m}");
    }
    Ok(())
}
