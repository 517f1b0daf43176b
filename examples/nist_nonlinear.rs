//! All 27 NIST StRD nonlinear regression problems from both starting points: mean functions
//! written once over dual numbers, Gaussian likelihood with unknown σ, Levenberg–Marquardt
//! (Fisher scoring with damping) polished by Newton. Prints the LRE table with timings.
//!
//! `cargo run --release --example nist_nonlinear`

#[path = "../tests/support/nist.rs"]
mod nist;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/nist");
    println!("{}", nist::table_header());
    let t0 = std::time::Instant::now();
    for name in nist::PROBLEMS {
        let problem = nist::parse(&dir.join(format!("{name}.dat")));
        for (label, start) in [("1", &problem.start1), ("2", &problem.start2)] {
            match nist::fit(&problem, start) {
                Ok(fit) => println!("{}", nist::table_row(name, label, &problem, &fit)),
                Err(e) => println!("{name:<10} {label:>5} failed: {e}"),
            }
        }
    }
    println!("total {:.1} ms", t0.elapsed().as_secs_f64() * 1e3);
    println!("LRE: −log10 relative error against NIST's certified values (11 digits); SDs are");
    println!("sqrt(diag(s²(JᵀJ)⁻¹)) = the expected information with s² = RSS/(n − p); the last column");
    println!("compares the observed-information SDs with them.");
}
