//! Smoothing as MAP: a tiny bigram model. Unsmoothed MLE gives probability 0 to every unseen
//! word pair (an estimate on the boundary); a Dirichlet prior (add-α) gives the familiar
//! (count + α)/(total + Vα), computed by the same optimiser with the prior added to ℓ.
//!
//! `cargo run --release --example smoothing`

use mle::core::penalty::{PenalizedObjective, Prior};
use mle::prelude::*;

const VOCABULARY: [&str; 7] = ["the", "cat", "sat", "on", "mat", "dog", "log"];

fn main() -> Result<(), MleError> {
    let corpus = "the cat sat on the mat the dog sat on the log the cat sat";
    let ids: Vec<usize> = corpus
        .split(' ')
        .map(|w| VOCABULARY.iter().position(|v| *v == w).unwrap_or(0))
        .collect();
    let alpha = 1.0; // add-one
    for previous in ["the", "sat"] {
        let p = VOCABULARY.iter().position(|v| *v == previous).unwrap_or(0);
        let next: Vec<f64> = ids
            .windows(2)
            .filter(|w| w[0] == p)
            .map(|w| w[1] as f64)
            .collect();
        let mle = Categorical::<6>.fit(&next)?;
        let objective = DataObjective::new(&Categorical::<6>, &next)?;
        let prior = Prior::Dirichlet {
            alphas: vec![alpha + 1.0; 7],
        };
        let map = FitOptions::newton().fit(&PenalizedObjective::new(&objective, &prior), &[0.0; 6])?;
        let probabilities = |logits: &[f64]| -> Vec<f64> {
            let z: f64 = 1.0 + logits.iter().map(|l| l.exp()).sum::<f64>();
            std::iter::once(1.0 / z)
                .chain(logits.iter().map(|l| l.exp() / z))
                .collect()
        };
        // The MLE n_k/N (with an unseen baseline class every logit is +∞, so read the
        // probabilities from the counts the fit is based on).
        let counts = Categorical::<6>.counts(&next, None);
        let p_mle: Vec<f64> = counts.iter().map(|c| c / next.len() as f64).collect();
        let p_map = probabilities(map.estimates().as_slice());
        println!("P(next | {previous}) from {} bigrams", next.len());
        println!(
            "{:<6} {:>6} {:>10} {:>12} {:>14}",
            "next", "count", "MLE", "add-one MAP", "(n+1)/(N+V)"
        );
        for (k, word) in VOCABULARY.iter().enumerate() {
            println!(
                "{word:<6} {:>6} {:>10.4} {:>12.4} {:>14.4}",
                counts[k],
                p_mle[k],
                p_map[k],
                (counts[k] + alpha) / (next.len() as f64 + 7.0 * alpha)
            );
        }
        println!(
            "MLE diagnostics: {}\n",
            mle.diagnostics()
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    Ok(())
}
