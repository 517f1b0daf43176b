//! NIST StRD linear regression (Norris, Pontius, NoInt1, NoInt2, Filip, Longley, Wampler1–5)
//! by QR, against the certified values (tests/reference/nist/, copied from
//! ../shared/reference/nist). LRE ≥ 12 on coefficients and certified standard deviations
//! (≥ 7 on Filip); prints the LRE table.

mod support;

use mle::prelude::*;

const DATASETS: [&str; 11] = [
    "Norris", "Pontius", "NoInt1", "NoInt2", "Filip", "Longley", "Wampler1", "Wampler2", "Wampler3",
    "Wampler4", "Wampler5",
];

struct LinearProblem {
    names: Vec<String>,
    certified: Vec<f64>,
    certified_sd: Vec<f64>,
    residual_sd: f64,
    y: Vec<f64>,
    x: Vec<Vec<f64>>,
}

fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace()
        .filter_map(|t| t.parse::<f64>().ok())
        .collect()
}

fn parse(name: &str) -> LinearProblem {
    let text = std::fs::read_to_string(support::reference_path(&format!("nist/{name}.dat")))
        .unwrap()
        .replace('\r', "");
    let lines: Vec<&str> = text.lines().collect();
    let data_line = lines[..12].iter().find(|l| l.contains("Data ")).unwrap();
    let range = numbers(&data_line.replace(['(', ')'], " ").replace("to", " "));
    let (from, to) = (range[0] as usize, range[1] as usize);
    let (mut names, mut certified, mut certified_sd, mut residual_sd) = (vec![], vec![], vec![], f64::NAN);
    for l in &lines[..from - 1] {
        let t = l.trim();
        if t.starts_with('B') && t.len() > 1 && t.as_bytes()[1].is_ascii_digit() {
            let mut parts = t.split_whitespace();
            names.push(parts.next().unwrap().to_string());
            let v: Vec<f64> = parts.filter_map(|p| p.parse().ok()).collect();
            certified.push(v[0]);
            certified_sd.push(v[1]);
        } else if t.starts_with("Standard Deviation")
            && l.contains("Standard Deviation ")
            && !numbers(t).is_empty()
        {
            residual_sd = numbers(t)[0];
        }
    }
    let rows: Vec<Vec<f64>> = lines[from - 1..to].iter().map(|l| numbers(l)).collect();
    let y = rows.iter().map(|r| r[0]).collect();
    let x = rows.iter().map(|r| r[1..].to_vec()).collect();
    LinearProblem {
        names,
        certified,
        certified_sd,
        residual_sd,
        y,
        x,
    }
}

fn lre(estimate: f64, certified: f64) -> f64 {
    let err = if certified == 0.0 {
        estimate.abs()
    } else {
        ((estimate - certified) / certified).abs()
    };
    if err == 0.0 {
        15.0
    } else {
        (-err.log10()).clamp(0.0, 15.0)
    }
}

#[test]
fn nist_linear_certified_values() {
    println!("{:<9} {:>8} {:>8} {:>9}", "dataset", "LRE β", "LRE sd", "LRE s");
    let mut failures = Vec::new();
    for name in DATASETS {
        let prob = parse(name);
        let n = prob.y.len();
        let intercept = prob.names[0] == "B0";
        let columns: Vec<(String, Vec<f64>)> = if prob.x[0].len() > 1 {
            (0..prob.x[0].len())
                .map(|j| (format!("x{}", j + 1), prob.x.iter().map(|r| r[j]).collect()))
                .collect()
        } else {
            // Polynomial in x: powers 1..=degree (B0 is the intercept when present).
            let degree = prob.names.len() - usize::from(intercept);
            (1..=degree)
                .map(|k| {
                    (
                        format!("x^{k}"),
                        prob.x.iter().map(|r| r[0].powi(k as i32)).collect(),
                    )
                })
                .collect()
        };
        let cols: Vec<(&str, Vec<f64>)> = columns.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
        let design = Design::from_columns(intercept, &cols).unwrap();
        assert_eq!(design.nrows(), n);
        let fit = LinearRegression::new(&design, &prob.y)
            .and_then(|m| m.fit())
            .unwrap();
        let est = fit.fit().estimates();
        let sd = fit.classical_std_errors().unwrap();
        let lre_b = (0..prob.names.len())
            .map(|i| lre(est[i], prob.certified[i]))
            .fold(15.0, f64::min);
        let lre_sd = (0..prob.names.len())
            .map(|i| lre(sd[i], prob.certified_sd[i]))
            .fold(15.0, f64::min);
        let lre_s = lre(fit.sigma_unbiased(), prob.residual_sd);
        println!("{name:<9} {lre_b:>8.2} {lre_sd:>8.2} {lre_s:>9.2}");
        let need = if name == "Filip" { 7.0 } else { 12.0 };
        if lre_b < need || lre_sd < need {
            failures.push(format!("{name}: LRE β {lre_b:.2}, sd {lre_sd:.2} (need {need})"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
