//! Median (least absolute deviations) regression on Brownlee's stack-loss data (R
//! `datasets::stackloss`): stack.loss ~ Air.Flow + Water.Temp + Acid.Conc.
//!
//! The LAD fit is the maximum-likelihood estimate of the location under Laplace errors (the
//! asymmetric Laplace at τ = ½, b = 2σ). It is computed exactly (a vertex: 4 observations are
//! interpolated) and its standard errors do not come from the observed information, which is
//! zero in β (the log-density has kinks), but from quantreg's `nid` and `iid` formulas or the
//! bootstrap. quantreg's numbers are printed alongside (tests/reference/quantile/).
//!
//! `cargo run --release --example median_regression`

use mle::core::Design;
use mle::models::QuantileAlgorithm;
use mle::prelude::*;

/// stack.loss, Air.Flow, Water.Temp, Acid.Conc. (21 operating days of a nitric-acid plant).
const STACKLOSS: [[f64; 4]; 21] = [
    [42., 80., 27., 89.],
    [37., 80., 27., 88.],
    [37., 75., 25., 90.],
    [28., 62., 24., 87.],
    [18., 62., 22., 87.],
    [18., 62., 23., 87.],
    [19., 62., 24., 93.],
    [20., 62., 24., 93.],
    [15., 58., 23., 87.],
    [14., 58., 18., 80.],
    [14., 58., 18., 89.],
    [13., 58., 17., 88.],
    [11., 58., 18., 82.],
    [12., 58., 19., 93.],
    [8., 50., 18., 89.],
    [7., 50., 18., 86.],
    [8., 50., 19., 72.],
    [8., 50., 19., 79.],
    [9., 50., 20., 80.],
    [15., 56., 20., 82.],
    [15., 70., 20., 91.],
];

fn main() -> Result<(), MleError> {
    let y: Vec<f64> = STACKLOSS.iter().map(|r| r[0]).collect();
    let column = |j: usize| STACKLOSS.iter().map(|r| r[j]).collect::<Vec<f64>>();
    let x = Design::from_columns(
        true,
        &[
            ("Air.Flow", column(1)),
            ("Water.Temp", column(2)),
            ("Acid.Conc.", column(3)),
        ],
    )?;

    let lad = QuantileRegression::median();
    let solution = lad.solve(&x, &y)?;
    println!(
        "LAD fit by the {:?} simplex: check loss {:.12} (quantreg rq(method = \"br\"): 21.040579710144932)",
        solution.algorithm, solution.objective
    );
    println!(
        "basic (interpolated) observations, 1-based: {:?}; solution may be nonunique: {}\n",
        solution.basis.iter().map(|i| i + 1).collect::<Vec<_>>(),
        solution.possibly_nonunique
    );

    // Default standard errors: the Hendricks–Koenker sandwich ("nid").
    let fit = lad.fit(&x, &y)?;
    println!("{fit}");
    println!(
        "quantreg summary(se = \"nid\"): 7.141627 0.126933 0.341793 0.060412; Laplace scale b̂ = 2σ̂ = {:.6}\n",
        2.0 * fit.natural_estimates()[4]
    );

    let iid = lad.with_std_errors(QuantileStdErrors::Iid).fit(&x, &y)?;
    let boot = lad
        .with_std_errors(QuantileStdErrors::Bootstrap {
            replicates: 1000,
            seed: 2024,
        })
        .fit(&x, &y)?;
    let ip = lad
        .with_algorithm(QuantileAlgorithm::FrischNewton)
        .solve(&x, &y)?;
    let (se_nid, se_iid, se_boot) = (
        fit.std_errors().unwrap_or_default(),
        iid.std_errors().unwrap_or_default(),
        boot.std_errors().unwrap_or_default(),
    );
    let quantreg_iid = [10.627040, 0.120473, 0.328767, 0.139622];
    println!(
        "{:<12} {:>12} {:>12} {:>12} {:>14} {:>12}",
        "term", "estimate", "se nid", "se iid", "(quantreg iid)", "se boot"
    );
    for (j, name) in x.names().iter().enumerate() {
        println!(
            "{:<12} {:>12.6} {:>12.6} {:>12.6} {:>14.6} {:>12.6}",
            name,
            fit.estimates()[j],
            se_nid[j],
            se_iid[j],
            quantreg_iid[j],
            se_boot[j]
        );
    }
    println!("\n{}\n{}", iid.covariance_source(), boot.covariance_source());
    println!(
        "\nInterior point + exact vertex step: check loss {:.12}, same vertex: {}",
        ip.objective,
        ip.coefficients.relative_eq(&solution.coefficients, 1e-12, 1e-10)
    );

    // The intercept-only case is the Laplace family: μ̂ = lower median, b̂ = mean |y − μ̂|.
    let laplace = Laplace.fit_location_scale(&y)?;
    println!("\nLaplace fit of stack.loss alone (closed form):\n{laplace}");
    Ok(())
}
