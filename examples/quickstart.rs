//! Fits several models on embedded data and prints their summaries.
//!
//! `cargo run --release --example quickstart`

use mle::core::table::NumericTable;
use mle::prelude::*;

/// Lieblein & Zelen (1956): millions of revolutions to failure of 23 ball bearings.
const BALL_BEARINGS: [f64; 23] = [
    17.88, 28.92, 33.00, 41.52, 42.12, 45.60, 48.48, 51.84, 51.96, 54.12, 55.56, 67.80, 68.64, 68.64, 68.88,
    84.12, 93.12, 98.64, 105.12, 105.84, 127.92, 128.04, 173.40,
];

fn main() -> Result<(), MleError> {
    // 1. A coin: 7 heads in 20 tosses (closed form p̂ = k/n), and 0 heads in 10 (boundary).
    let tosses: Vec<f64> = (0..20).map(|i| if i < 7 { 1.0 } else { 0.0 }).collect();
    println!("{}", Bernoulli.fit(&tosses)?);
    println!("{}", Bernoulli.fit(&[0.0; 10])?);

    // 2. Gaussian on the log failure times: closed form, and the same by generic Newton.
    let log_times: Vec<f64> = BALL_BEARINGS.iter().map(|x| x.ln()).collect();
    println!("{}", Gaussian.fit(&log_times)?);
    let objective = DataObjective::new(&Gaussian, &log_times)?;
    println!("{}", FitOptions::newton().fit(&objective, &[0.0, 0.0])?);

    // 3. A density that is not built in, written as a closure: Weibull(shape k, scale λ),
    //    both on the log scale; exact gradient and Hessian come from the dual numbers.
    let weibull = ClosureDensity::new(
        vec![Parameter::log_scale("shape"), Parameter::log_scale("scale")],
        |t: &[Dual2SVec64<2>], x: &f64| {
            let (log_k, log_lambda) = (t[0], t[1]);
            let z = (log_lambda - x.ln()) * -1.0; // log(x/λ)
            log_k - log_lambda + z * (log_k.exp() - 1.0) - (z * log_k.exp()).exp()
        },
    )
    .with_name("Weibull (closure)")
    .with_support(|x: &f64| {
        if *x > 0.0 {
            Ok(())
        } else {
            Err(format!("{x} is not positive"))
        }
    });
    let objective = DataObjective::new(&weibull, &BALL_BEARINGS)?;
    let fit = FitOptions::newton().fit(&objective, &[0.0, 4.0])?;
    println!("{fit}");

    // 4. Logistic regression on linear predictors (MASS::birthwt): exact X'WX Newton = IRLS.
    let t = NumericTable::parse(include_str!("../tests/reference/regression/logistic_data.csv"))?;
    let (x, y) = (t.design_except(&["y"])?, t.column("y")?);
    println!("{}", Regression::logistic(&x, &y)?.fit()?);

    // 5. Linear regression by QR, and robust regression with Student-t errors (stackloss).
    let t = NumericTable::parse(include_str!("../tests/reference/regression/student_t_data.csv"))?;
    let (x, y) = (t.design_except(&["y"])?, t.column("y")?);
    println!("{}", LinearRegression::new(&x, &y).and_then(|m| m.fit())?);
    println!("{}", Regression::student_t(&x, &y).and_then(|m| m.fit())?);
    Ok(())
}
