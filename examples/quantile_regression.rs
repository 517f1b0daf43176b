//! Quantile regression of household food expenditure on income (Engel's data, R
//! `quantreg::engel`, n = 235) at several quantile levels: the table of coefficients by τ
//! with Hendricks–Koenker ("nid") standard errors, as in Koenker's textbook, then the full
//! summary at τ = 0.9 with iid standard errors, and the closed-form asymmetric Laplace fit of
//! income alone.
//!
//! Every fit is an exact vertex of the check-loss LP (quantreg `rq(method = "br")`
//! agrees to ~1e-15; see tests/quantile_regression.rs).
//!
//! `cargo run --release --example quantile_regression`

use mle::core::Design;
use mle::prelude::*;

/// foodexp, (Intercept), income: quantreg::engel as written by tests/reference/quantile/engel.R.
const ENGEL_CSV: &str = include_str!("../tests/reference/quantile/engel.csv");

fn engel() -> Result<(Vec<f64>, Vec<f64>), MleError> {
    let mut food = Vec::new();
    let mut income = Vec::new();
    for (line_no, line) in ENGEL_CSV.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let parse = |k: usize| -> Result<f64, MleError> {
            fields
                .get(k)
                .and_then(|s| s.trim().parse().ok())
                .ok_or(MleError::InvalidDesign {
                    reason: format!("engel.csv line {}: cannot read field {k}", line_no + 1),
                })
        };
        food.push(parse(0)?);
        income.push(parse(2)?);
    }
    Ok((food, income))
}

fn main() -> Result<(), MleError> {
    let (food, income) = engel()?;
    let x = Design::from_columns(true, &[("income", income.clone())])?;

    let taus = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];
    println!(
        "Engel food expenditure ~ income, n = {}: coefficients by τ (nid standard errors)",
        food.len()
    );
    println!(
        "{:>5} {:>12} {:>10} {:>10} {:>10} {:>10} {:>12} {:>8}",
        "τ", "(Intercept)", "se", "income", "se", "σ̂", "check loss", "method"
    );
    for &tau in &taus {
        let q = QuantileRegression::new(tau)?;
        let fit = q.fit(&x, &food)?;
        let se = fit.std_errors().unwrap_or_default();
        let est = fit.estimates();
        let sigma = fit.natural_estimates()[2];
        println!(
            "{:>5} {:>12.4} {:>10.4} {:>10.5} {:>10.5} {:>10.4} {:>12.4} {:>8}",
            tau,
            est[0],
            se[0],
            est[1],
            se[1],
            sigma,
            sigma * food.len() as f64,
            if fit.convergence().method == mle::core::EstimationMethod::BarrodaleRobertsSimplex {
                "simplex"
            } else {
                "IP+vertex"
            }
        );
    }
    println!("(quantreg, τ = 0.5: 81.4822 (19.2507), 0.56018 (0.02828))\n");

    let fit = QuantileRegression::new(0.9)?
        .with_std_errors(QuantileStdErrors::Iid)
        .fit(&x, &food)?;
    println!("τ = 0.9 with iid standard errors:\n{fit}");

    let ald = AsymmetricLaplace::new(0.9)?;
    let marginal = ald.fit_location_scale_with(
        &income,
        LocationScaleCovariance::Bootstrap {
            replicates: 500,
            seed: 1,
        },
    )?;
    println!("Closed-form asymmetric Laplace (τ = 0.9) fit of income alone:\n{marginal}");
    Ok(())
}
