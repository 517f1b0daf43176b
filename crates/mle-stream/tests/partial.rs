//! Partial sums: the engine's own numbers, associative merges, Arrow round trips; the
//! streamed R factor on NIST Longley and Filip against the certified values.

use arrow_array::Array;
use mle_core::{Design, LinearPredictorObjective, Objective};
use mle_families::Bernoulli;
use mle_stream::kernel::{partial_sum, Rows};
use mle_stream::{Order, PartialSum, RFactor, Residuals};
use nalgebra::DMatrix;

fn data(n: usize) -> (DMatrix<f64>, Vec<f64>) {
    let x = DMatrix::from_fn(n, 3, |i, j| match j {
        0 => 1.0,
        1 => ((i * 37 % 101) as f64 / 50.0) - 1.0,
        _ => ((i * 53 % 89) as f64 / 30.0).sin(),
    });
    let y = (0..n).map(|i| f64::from((i * 7 % 5) < 2)).collect();
    (x, y)
}

#[test]
fn partial_sum_is_the_engines_evaluation() {
    let (x, y) = data(500);
    let theta = [0.2, -0.7, 0.4];
    let design = Design::new(x.clone(), ["(Intercept)", "a", "b"]).unwrap();
    let engine = LinearPredictorObjective::new(Bernoulli, [&design], &y).unwrap();
    let e = engine.evaluate(&theta).unwrap();
    let s = partial_sum(
        &Bernoulli,
        &Rows {
            designs: [&x],
            y: &y,
            offsets: [None],
            weights: None,
        },
        &theta,
        Order::Hessian,
    );
    assert!((s.loglik - e.value).abs() <= 1e-12 * e.value.abs());
    let h = s.hessian();
    for i in 0..3 {
        assert!((s.gradient[i] - e.gradient[i]).abs() <= 1e-12 * e.gradient.norm());
        for j in 0..3 {
            assert!((h[(i, j)] - e.hessian[(i, j)]).abs() <= 1e-12 * e.hessian.norm());
        }
    }
    assert_eq!((s.n, s.sum_w), (500, 500.0));
    let v = partial_sum(
        &Bernoulli,
        &Rows {
            designs: [&x],
            y: &y,
            offsets: [None],
            weights: None,
        },
        &theta,
        Order::Value,
    );
    assert_eq!(v.loglik.to_bits(), s.loglik.to_bits());
    assert!(v.gradient.is_empty() && v.hessian_upper.is_empty());
}

#[test]
fn merges_are_associative_and_round_trip_through_arrow() {
    let (x, y) = data(900);
    let theta = [0.1, 0.3, -0.2];
    let part = |r0: usize, m: usize| {
        let xs = x.rows(r0, m).into_owned();
        partial_sum(
            &Bernoulli,
            &Rows {
                designs: [&xs],
                y: &y[r0..r0 + m],
                offsets: [None],
                weights: None,
            },
            &theta,
            Order::Hessian,
        )
    };
    let (a, b, c) = (part(0, 300), part(300, 250), part(550, 350));
    let left = a.clone().merge(&b).unwrap().merge(&c).unwrap();
    let right = a.clone().merge(&b.clone().merge(&c).unwrap()).unwrap();
    let whole = part(0, 900);
    for (l, (r, w)) in left
        .gradient
        .iter()
        .zip(right.gradient.iter().zip(&whole.gradient))
    {
        assert!((l - r).abs() <= 1e-12 && (l - w).abs() <= 1e-12);
    }
    for (l, w) in left.hessian_upper.iter().zip(&whole.hessian_upper) {
        assert!((l - w).abs() <= 1e-10);
    }
    assert_eq!(left.n, 900);
    let arr = PartialSum::to_struct_array(&[a.clone(), b.clone(), c.clone()]).unwrap();
    assert_eq!(arr.len(), 3);
    assert_eq!(
        PartialSum::from_struct_array(&arr).unwrap(),
        vec![a.clone(), b, c]
    );
    let bad = a.merge(&PartialSum::zero(2, Order::Hessian)).unwrap_err();
    assert!(bad.to_string().contains("do not match"), "{bad}");
    let rf = RFactor::from_rows(&x, &y, None, None);
    let back =
        RFactor::from_struct_array(&RFactor::to_struct_array(std::slice::from_ref(&rf)).unwrap()).unwrap();
    assert_eq!(back, vec![rf]);
}

struct Nist {
    certified: Vec<f64>,
    certified_sd: Vec<f64>,
    y: Vec<f64>,
    x: DMatrix<f64>,
}

fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace()
        .filter_map(|t| t.parse::<f64>().ok())
        .collect()
}

/// Reads a NIST StRD linear data set (tests/reference/nist at the workspace root), as the
/// top-level NIST test does.
fn nist(name: &str) -> Nist {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../tests/reference/nist/{name}.dat"));
    let text = std::fs::read_to_string(&path).unwrap().replace('\r', "");
    let lines: Vec<&str> = text.lines().collect();
    let data_line = lines[..12].iter().find(|l| l.contains("Data ")).unwrap();
    let range = numbers(&data_line.replace(['(', ')'], " ").replace("to", " "));
    let (from, to) = (range[0] as usize, range[1] as usize);
    let (mut certified, mut certified_sd) = (vec![], vec![]);
    for l in &lines[..from - 1] {
        let t = l.trim();
        if t.starts_with('B') && t.len() > 1 && t.as_bytes()[1].is_ascii_digit() {
            let v = numbers(t);
            certified.push(v[0]);
            certified_sd.push(v[1]);
        }
    }
    let rows: Vec<Vec<f64>> = lines[from - 1..to].iter().map(|l| numbers(l)).collect();
    let p = certified.len();
    let x = if rows[0].len() > 2 {
        DMatrix::from_fn(rows.len(), p, |i, j| if j == 0 { 1.0 } else { rows[i][j] })
    } else {
        DMatrix::from_fn(rows.len(), p, |i, j| rows[i][1].powi(j as i32))
    };
    Nist {
        certified,
        certified_sd,
        y: rows.iter().map(|r| r[0]).collect(),
        x,
    }
}

fn lre(estimate: f64, certified: f64) -> f64 {
    let err = ((estimate - certified) / certified).abs();
    if err == 0.0 {
        15.0
    } else {
        (-err.log10()).clamp(0.0, 15.0)
    }
}

/// LRE (β, sd) of the factor merged from `parts` consecutive batches.
fn streamed_lre(prob: &Nist, parts: usize) -> (f64, f64) {
    let (n, p) = prob.x.shape();
    let size = n.div_ceil(parts);
    let mut merged = RFactor::zero(p);
    for r0 in (0..n).step_by(size) {
        let m = size.min(n - r0);
        let part = RFactor::from_rows(&prob.x.rows(r0, m).into_owned(), &prob.y[r0..r0 + m], None, None);
        merged = merged.merge(&part).unwrap();
    }
    assert_eq!(merged.n as usize, n);
    let (mut beta, _) = merged.solve().unwrap();
    let mut rss = f64::NAN;
    // Refinement passes over the same batches (the last one gives the RSS at β̂).
    for _ in 0..3 {
        let mut g = Residuals::zero(p);
        for r0 in (0..n).step_by(size) {
            let m = size.min(n - r0);
            let part = Residuals::from_rows(
                &prob.x.rows(r0, m).into_owned(),
                &prob.y[r0..r0 + m],
                None,
                None,
                beta.as_slice(),
            );
            g = g.merge(&part).unwrap();
        }
        beta = merged.refine(&beta, &g).unwrap();
        rss = g.rss();
    }
    let s2 = rss / (n - p) as f64;
    // (XᵀX)⁻¹ from R, refined once against XᵀX·C summed over the batches.
    let mut c = merged.unscaled_covariance().unwrap();
    let zeros = vec![0.0; n];
    let mut g = DMatrix::zeros(p, p);
    for k in 0..p {
        let minus: Vec<f64> = c.column(k).iter().map(|v| -v).collect();
        let mut sum = Residuals::zero(p);
        for r0 in (0..n).step_by(size) {
            let m = size.min(n - r0);
            let part =
                Residuals::from_rows(&prob.x.rows(r0, m).into_owned(), &zeros[..m], None, None, &minus);
            sum = sum.merge(&part).unwrap();
        }
        g.set_column(k, &nalgebra::DVector::from_vec(sum.value()));
    }
    c = merged.refine_inverse(&c, &g).unwrap();
    let lre_b = (0..p)
        .map(|i| lre(beta[i], prob.certified[i]))
        .fold(15.0, f64::min);
    let lre_sd = (0..p)
        .map(|i| lre((s2 * c[(i, i)]).sqrt(), prob.certified_sd[i]))
        .fold(15.0, f64::min);
    (lre_b, lre_sd)
}

#[test]
fn nist_longley_and_filip_streamed_in_batches() {
    for (name, need) in [("Longley", 12.0), ("Filip", 7.0)] {
        let prob = nist(name);
        for parts in [1, 3, 7] {
            let (b, sd) = streamed_lre(&prob, parts);
            println!("{name} in {parts} batches: LRE β {b:.2}, sd {sd:.2}");
            assert!(
                b >= need && sd >= need,
                "{name} in {parts} batches: LRE β {b:.2}, sd {sd:.2} (need {need})"
            );
        }
    }
}
