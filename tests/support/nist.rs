//! NIST StRD nonlinear regression: the `.dat` parser, the 27 mean functions written once over
//! dual numbers, and a runner that fits one problem from one start with the engine.
//! Used by tests/nist_nonlinear.rs and examples/nist_nonlinear.rs.
#![allow(dead_code, clippy::upper_case_acronyms)]

use std::f64::consts::PI;
use std::path::Path;

use mle::families::nonlinear::{MeanFunction, NonlinearGaussian};
use mle::prelude::*;

/// One NIST nonlinear problem.
pub struct NistProblem {
    pub name: String,
    pub start1: Vec<f64>,
    pub start2: Vec<f64>,
    pub certified: Vec<f64>,
    pub certified_sd: Vec<f64>,
    pub rss: f64,
    pub residual_sd: f64,
    pub data: Vec<(f64, [f64; 2])>,
}

/// The 27 nonlinear problems, easiest first (NIST's order within difficulty levels).
pub const PROBLEMS: [&str; 27] = [
    "Misra1a", "Chwirut2", "Chwirut1", "Lanczos3", "Gauss1", "Gauss2", "DanWood", "Misra1b", "Kirby2",
    "Hahn1", "Nelson", "MGH17", "Lanczos1", "Lanczos2", "Gauss3", "Misra1c", "Misra1d", "Roszman1", "ENSO",
    "MGH09", "Thurber", "BoxBOD", "Rat42", "MGH10", "Eckerle4", "Rat43", "Bennett5",
];

fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace()
        .filter_map(|t| t.parse::<f64>().ok())
        .collect()
}

/// "(lines A to B)" → (A, B).
fn line_range(header: &str, label: &str) -> (usize, usize) {
    let line = header
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no {label}"));
    let inside = line.split('(').nth(1).expect("range");
    let n = numbers(&inside.replace("to", " ").replace(')', " ").replace("lines", " "));
    (n[0] as usize, n[1] as usize)
}

/// Parses a NIST StRD nonlinear `.dat` file (CRLF, fixed line layout).
pub fn parse(path: &Path) -> NistProblem {
    let raw = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = raw.replace('\r', "");
    let lines: Vec<&str> = text.lines().collect();
    let header = lines[..12].join("\n");
    let (data_from, data_to) = line_range(&header, "Data ");
    let name = path.file_stem().unwrap().to_string_lossy().to_string();
    let (mut start1, mut start2, mut certified, mut certified_sd) = (vec![], vec![], vec![], vec![]);
    let (mut rss, mut residual_sd) = (f64::NAN, f64::NAN);
    for l in &lines[..data_from - 1] {
        let t = l.trim();
        if t.starts_with('b') && t.contains('=') {
            let v = numbers(t.split('=').nth(1).unwrap());
            assert_eq!(v.len(), 4, "{name}: parameter line {t}");
            start1.push(v[0]);
            start2.push(v[1]);
            certified.push(v[2]);
            certified_sd.push(v[3]);
        } else if let Some(r) = t.strip_prefix("Residual Sum of Squares:") {
            rss = numbers(r)[0];
        } else if let Some(r) = t.strip_prefix("Residual Standard Deviation:") {
            residual_sd = numbers(r)[0];
        }
    }
    let data = lines[data_from - 1..data_to]
        .iter()
        .map(|l| {
            let v = numbers(l);
            let y = if name == "Nelson" { v[0].ln() } else { v[0] }; // Nelson: log[y] = f(x)
            (y, [v[1], v.get(2).copied().unwrap_or(0.0)])
        })
        .collect();
    NistProblem {
        name,
        start1,
        start2,
        certified,
        certified_sd,
        rss,
        residual_sd,
        data,
    }
}

/// Defines one `MeanFunction` type per NIST model (the formula from its file, over dual
/// numbers) and the dispatcher `fit` that runs a problem with its const parameter count.
macro_rules! nist_models {
    ($( $name:ident, $k:literal, |$b:ident, $x:ident| $body:expr_2021; )*) => {
        $(
            #[allow(non_camel_case_types)]
            pub struct $name;
            impl MeanFunction for $name {
                type X = [f64; 2];
                fn coefficient_names(&self) -> Vec<String> { (1..=$k).map(|i| format!("b{i}")).collect() }
                #[inline]
                fn mean<D: DualNum<f64> + Copy>(&self, $b: &[D], xs: &[f64; 2]) -> D {
                    let $x = xs;
                    $body
                }
            }
        )*
        /// Fits problem `name` from `start` (β only; log σ starts at its conditional MLE).
        pub fn fit(problem: &NistProblem, start: &[f64]) -> Result<NistFit, MleError> {
            match problem.name.as_str() {
                $( stringify!($name) => run::<$name, { $k + 1 }>($name, problem, start), )*
                other => panic!("unknown NIST problem {other}"),
            }
        }
    };
}

fn e<D: DualNum<f64> + Copy>(v: D) -> D {
    v.exp()
}

nist_models! {
    Misra1a, 2, |b, x| b[0] * (-e(-(b[1] * x[0])) + 1.0);
    Chwirut2, 3, |b, x| e(-(b[0] * x[0])) / (b[1] + b[2] * x[0]);
    Chwirut1, 3, |b, x| e(-(b[0] * x[0])) / (b[1] + b[2] * x[0]);
    Lanczos3, 6, |b, x| b[0] * e(-(b[1] * x[0])) + b[2] * e(-(b[3] * x[0])) + b[4] * e(-(b[5] * x[0]));
    Lanczos1, 6, |b, x| b[0] * e(-(b[1] * x[0])) + b[2] * e(-(b[3] * x[0])) + b[4] * e(-(b[5] * x[0]));
    Lanczos2, 6, |b, x| b[0] * e(-(b[1] * x[0])) + b[2] * e(-(b[3] * x[0])) + b[4] * e(-(b[5] * x[0]));
    Gauss1, 8, |b, x| b[0] * e(-(b[1] * x[0])) + b[2] * e(-((b[3] - x[0]).powi(2) / b[4].powi(2)))
        + b[5] * e(-((b[6] - x[0]).powi(2) / b[7].powi(2)));
    Gauss2, 8, |b, x| b[0] * e(-(b[1] * x[0])) + b[2] * e(-((b[3] - x[0]).powi(2) / b[4].powi(2)))
        + b[5] * e(-((b[6] - x[0]).powi(2) / b[7].powi(2)));
    Gauss3, 8, |b, x| b[0] * e(-(b[1] * x[0])) + b[2] * e(-((b[3] - x[0]).powi(2) / b[4].powi(2)))
        + b[5] * e(-((b[6] - x[0]).powi(2) / b[7].powi(2)));
    DanWood, 2, |b, x| b[0] * e(b[1] * x[0].ln());
    Misra1b, 2, |b, x| b[0] * (-(b[1] * (x[0] / 2.0) + 1.0).powi(-2) + 1.0);
    Kirby2, 5, |b, x| (b[0] + b[1] * x[0] + b[2] * (x[0] * x[0])) / (b[3] * x[0] + b[4] * (x[0] * x[0]) + 1.0);
    Hahn1, 7, |b, x| (b[0] + b[1] * x[0] + b[2] * x[0].powi(2) + b[3] * x[0].powi(3))
        / (b[4] * x[0] + b[5] * x[0].powi(2) + b[6] * x[0].powi(3) + 1.0);
    Nelson, 3, |b, x| b[0] - b[1] * x[0] * e(-(b[2] * x[1]));
    MGH17, 5, |b, x| b[0] + b[1] * e(-(b[3] * x[0])) + b[2] * e(-(b[4] * x[0]));
    Misra1c, 2, |b, x| b[0] * (-(b[1] * (2.0 * x[0]) + 1.0).powf(-0.5) + 1.0);
    Misra1d, 2, |b, x| b[0] * b[1] * x[0] * (b[1] * x[0] + 1.0).recip();
    Roszman1, 4, |b, x| b[0] - b[1] * x[0] - (b[2] / (-b[3] + x[0])).atan() / PI;
    ENSO, 9, |b, x| {
        let w = 2.0 * PI * x[0];
        b[0] + b[1] * (w / 12.0).cos() + b[2] * (w / 12.0).sin()
            + b[4] * (b[3].recip() * w).cos() + b[5] * (b[3].recip() * w).sin()
            + b[7] * (b[6].recip() * w).cos() + b[8] * (b[6].recip() * w).sin()
    };
    MGH09, 4, |b, x| b[0] * (b[1] * x[0] + x[0] * x[0]) / (b[2] * x[0] + b[3] + x[0] * x[0]);
    Thurber, 7, |b, x| (b[0] + b[1] * x[0] + b[2] * x[0].powi(2) + b[3] * x[0].powi(3))
        / (b[4] * x[0] + b[5] * x[0].powi(2) + b[6] * x[0].powi(3) + 1.0);
    BoxBOD, 2, |b, x| b[0] * (-e(-(b[1] * x[0])) + 1.0);
    Rat42, 3, |b, x| b[0] / (e(b[1] - b[2] * x[0]) + 1.0);
    MGH10, 3, |b, x| b[0] * e(b[1] / (b[2] + x[0]));
    Eckerle4, 3, |b, x| (b[0] / b[1]) * e(-(((b[2] - x[0]) / b[1]).powi(2) * 0.5));
    Rat43, 4, |b, x| b[0] / (e(b[1] - b[2] * x[0]) + 1.0).powd(b[3].recip());
    Bennett5, 3, |b, x| b[0] * e((b[1] + x[0]).ln() * (-b[2].recip()));
}

/// The engine's answer for one problem from one start.
pub struct NistFit {
    pub estimates: Vec<f64>,
    /// sqrt(diag(s²(JᵀJ)⁻¹)), s² = RSS/(n − p): the expected information JᵀJ/σ̂² with the
    /// degrees-of-freedom-corrected σ².
    pub sd_expected: Vec<f64>,
    /// The same from the observed information (−∇²ℓ), with the same σ² correction.
    pub sd_observed: Vec<f64>,
    pub rss: f64,
    pub iterations: u64,
    pub converged: bool,
    pub seconds: f64,
}

fn run<M: MeanFunction<X = [f64; 2]>, const P: usize>(
    mean: M,
    problem: &NistProblem,
    start: &[f64],
) -> Result<NistFit, MleError> {
    let t0 = std::time::Instant::now();
    let model = NonlinearGaussian::<M, P>::new(mean);
    let data = &problem.data;
    let n = data.len() as f64;
    let p = (P - 1) as f64;
    let rss0 = model.residual_sum_of_squares(start, data);
    let log_sigma0 = if rss0.is_finite() && rss0 > 0.0 {
        0.5 * (rss0 / n).ln()
    } else {
        0.0
    };
    let mut theta0 = start.to_vec();
    theta0.push(log_sigma0);
    let objective = DataObjective::new(&model, data)?;
    let fit = FitOptions::levenberg_marquardt().fit(&objective, &theta0)?;
    let beta: Vec<f64> = fit.estimates().iter().take(P - 1).copied().collect();
    let rss = model.residual_sum_of_squares(&beta, data);
    // σ̂² (MLE, divisor n) → s² (divisor n − p): covariances scale by n/(n − p).
    let df_factor = n / (n - p);
    let expected = objective
        .expected_information(fit.estimates().as_slice())
        .expect("closed form")?;
    let with_expected = fit
        .clone()
        .with_information(InformationKind::Expected, expected)?;
    let sd = |f: &Fit| -> Vec<f64> {
        match f.covariance() {
            Some(c) => (0..P - 1).map(|i| (c[(i, i)] * df_factor).sqrt()).collect(),
            None => vec![f64::NAN; P - 1],
        }
    };
    Ok(NistFit {
        sd_expected: sd(&with_expected),
        sd_observed: sd(&fit),
        estimates: beta,
        rss,
        iterations: fit.convergence().iterations,
        converged: fit.convergence().converged(),
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// Log relative error, capped at the 11 certified digits; log absolute error when the
/// certified value is 0.
pub fn lre(estimate: f64, certified: f64) -> f64 {
    let err = if certified == 0.0 {
        estimate.abs()
    } else {
        ((estimate - certified) / certified).abs()
    };
    if !err.is_finite() {
        return 0.0;
    }
    if err == 0.0 {
        return 11.0;
    }
    (-err.log10()).clamp(0.0, 11.0)
}

/// Minimum LREs of estimates, SDs and RSS for one fit.
pub fn min_lres(problem: &NistProblem, fit: &NistFit) -> (f64, f64, f64) {
    let est = fit
        .estimates
        .iter()
        .zip(&problem.certified)
        .map(|(e, c)| lre(*e, *c))
        .fold(11.0, f64::min);
    let sd = fit
        .sd_expected
        .iter()
        .zip(&problem.certified_sd)
        .map(|(e, c)| lre(*e, *c))
        .fold(11.0, f64::min);
    (est, sd, lre(fit.rss, problem.rss))
}

/// Header of the LRE table printed by the test and the example.
pub fn table_header() -> String {
    format!(
        "{:<10} {:>5} {:>7} {:>7} {:>7} {:>6} {:>9} {:>14}",
        "problem", "start", "LRE β", "LRE sd", "LRE RSS", "iters", "ms", "max|sdO/sdE−1|"
    )
}

/// One row of the LRE table: min LREs, iterations, time and the largest relative difference
/// between observed- and expected-information SDs.
pub fn table_row(name: &str, label: &str, problem: &NistProblem, fit: &NistFit) -> String {
    let (est, sd, rss) = min_lres(problem, fit);
    let ratio = fit
        .sd_observed
        .iter()
        .zip(&fit.sd_expected)
        .map(|(o, e)| (o / e - 1.0).abs())
        .fold(0.0, f64::max);
    format!(
        "{name:<10} {label:>5} {est:>7.2} {sd:>7.2} {rss:>7.2} {:>6} {:>9.2} {:>14.2e}",
        fit.iterations,
        fit.seconds * 1e3,
        ratio
    )
}
