//! Proportional-odds (cumulative logit) and cumulative probit regression, as `MASS::polr`,
//! on MASS::housing (written by `data/families.R`): satisfaction Low < Medium < High is a
//! string column, so its order is given in the formula (alphabetically it would be
//! High < Low < Medium; an ordinal fit never guesses it).
//!
//! `cargo run --release --example ordinal_regression`

use mle_data::{Family, FormulaFit, FormulaOptions, Table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let housing = Table::read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/housing.csv"))?;
    let formula = r#"ordered(Sat, levels = c("Low", "Medium", "High")) ~ Infl + Type + Cont"#;
    for link in ["logit", "probit"] {
        let options = FormulaOptions::default().weights("Freq").link(link);
        let m = FormulaFit::fit(formula, &housing, Family::Ordinal, options)?;
        assert!(m.estimate().convergence().converged());
        println!("{m}");
        let cuts: Vec<String> = m
            .cut_points()
            .unwrap_or_default()
            .iter()
            .map(|c| format!("{} = {:.4}", c.name, c.estimate))
            .collect();
        assert_eq!(cuts.len(), 2);
        println!("cut-points ({link}): {}", cuts.join(", "));
        let p = m.predict_probabilities(&housing)?;
        println!(
            "P(Low, Medium, High) in the first row: {:.4?}\n",
            p.probabilities[0]
        );
    }
    // Without the order the fit is refused, with a message saying how to give it.
    let e = FormulaFit::fit("Sat ~ Infl", &housing, Family::Ordinal, FormulaOptions::default()).unwrap_err();
    println!("without levels: {e}");
    Ok(())
}
