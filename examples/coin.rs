//! The Bernoulli worked case: k = 7 heads in n = 20 tosses, and k = 0 of 10 (boundary).
//!
//! `cargo run --release --example coin`

use mle::prelude::*;

fn tosses(k: usize, n: usize) -> Vec<f64> {
    (0..n).map(|i| if i < k { 1.0 } else { 0.0 }).collect()
}

fn main() -> Result<(), MleError> {
    let data = tosses(7, 20);
    let closed = Bernoulli.fit(&data)?;
    println!("Closed form p̂ = k/n:\n{closed}");
    let p = closed.natural_estimates()[0];
    println!(
        "Textbook check: p̂ = 7/20 = {}, asymptotic variance p(1−p)/n = {:.6} (SE {:.6}), Fisher information per toss 1/(p(1−p)) = {:.6}\n",
        7.0 / 20.0,
        p * (1.0 - p) / 20.0,
        (p * (1.0 - p) / 20.0).sqrt(),
        1.0 / (p * (1.0 - p))
    );
    let objective = DataObjective::new(&Bernoulli, &data)?;
    println!(
        "Generic Newton on the logit scale:\n{}",
        FitOptions::newton().fit(&objective, &[0.0])?
    );
    println!(
        "k = 0 of 10: the MLE is on the boundary\n{}",
        Bernoulli.fit(&tosses(0, 10))?
    );
    Ok(())
}
