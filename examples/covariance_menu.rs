//! The covariance menu side by side on a misspecified model: a Poisson regression fitted to
//! overdispersed counts (warpbreaks: breaks ~ wool + tension). The model-based SEs are far
//! too small; the sandwich (and cluster-robust) SEs are the valid ones.
//!
//! `cargo run --release --example covariance_menu`

use mle::core::covariance::CovarianceType;
use mle::core::table::NumericTable;
use mle::prelude::*;

fn main() -> Result<(), MleError> {
    let t = NumericTable::parse(include_str!("../tests/reference/inference/poisson.csv"))?;
    let x = t.design_except(&["breaks", "id"])?;
    let y = t.column("breaks")?;
    let clusters: Vec<u64> = t.column("id")?.iter().map(|v| *v as u64).collect();
    let model = Regression::poisson(&x, &y)?;
    let fit = model.fit()?;
    let menu = [
        ("observed", CovarianceType::Observed),
        ("expected", CovarianceType::Expected),
        ("OPG", CovarianceType::Opg),
        ("HC0", CovarianceType::Hc0),
        ("HC1", CovarianceType::Hc1),
        ("cluster", CovarianceType::Cluster { clusters, hc1: true }),
    ];
    println!("{fit}");
    print!("{:<12}", "SE by");
    for (label, _) in &menu {
        print!("{label:>11}");
    }
    println!();
    let ses: Vec<DVector<f64>> = menu
        .iter()
        .map(|(_, kind)| fit.covariance(kind.clone()).map(|v| v.diagonal().map(f64::sqrt)))
        .collect::<Result<_, _>>()?;
    for (j, p) in fit.parameters().iter().enumerate() {
        print!("{:<12}", p.name);
        for se in &ses {
            print!("{:>11.5}", se[j]);
        }
        println!();
    }
    let pearson: f64 = {
        let eta = model
            .linear_objective()
            .linear_predictors(fit.estimates().as_slice())?;
        y.iter()
            .zip(eta.column(0).iter())
            .map(|(y, e)| (y - e.exp()).powi(2) / e.exp())
            .sum::<f64>()
            / (y.len() - x.ncols()) as f64
    };
    println!("\nPearson dispersion estimate {pearson:.2} (1 under the Poisson model): the model SEs understate the");
    println!(
        "uncertainty by about √{pearson:.2} = {:.2}×; the sandwich does not rely on the model being right.",
        pearson.sqrt()
    );
    Ok(())
}
