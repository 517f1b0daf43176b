//! The families' options from the command line against the R numbers of
//! crates/mle-data/tests/reference/families (make_reference.R there): `--levels` for an
//! ordinal response of strings (MASS::polr on housing's Sat, Low < Medium < High) with the
//! fit → save → predict round trip keeping the order, `--cov expected` for the negative
//! binomial, zip and zinb (the exact expected information; summed over y in R), and a zero-inflated fit
//! at π̂ = 0 reported with its diagnostic.

mod common;

use common::{assert_coefficients_match, assert_cut_points_match, extra, family_data, fit_json, r_case, run};

const SAT: &str = "Sat ~ Infl + Type + Cont";

#[test]
fn ordinal_with_levels_matches_polr_and_the_saved_model_keeps_the_order() {
    let data = family_data("housing_sat.csv");
    let fit = [
        "fit",
        "--data",
        &data,
        "--formula",
        SAT,
        "--family",
        "ordinal",
        "--weights",
        "Freq",
        "--levels",
        "Low,Medium,High",
    ];
    let v = fit_json(&fit[1..]);
    assert_coefficients_match(&v, "housing_sat_polr_logit");
    assert_cut_points_match(&v, "housing_sat_polr_logit", &["Low|Medium", "Medium|High"]);
    let dir = std::env::temp_dir().join(format!("mle-cli-levels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("polr.json").display().to_string();
    run(&[&fit[..], &["--save", &model]].concat()).unwrap();
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(
        saved["response_levels"],
        serde_json::json!(["Low", "Medium", "High"])
    );
    let csv = run(&["predict", "--model", &model, "--data", &data, "--type", "probs"]).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "row,\"Low\",\"Medium\",\"High\"");
    let r = r_case("housing_sat_polr_logit");
    let want = r["probabilities"].as_array().unwrap();
    assert_eq!(lines.len() - 1, want.len());
    for (line, want) in lines[1..].iter().zip(want) {
        let f: Vec<f64> = line.split(',').skip(1).map(|x| x.parse().unwrap()).collect();
        for j in 0..3 {
            assert!((f[j] - want[j].as_f64().unwrap()).abs() < 1e-8, "{line}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ordinal_of_strings_without_levels_says_how_to_give_them() {
    let data = family_data("housing_sat.csv");
    let e = run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        SAT,
        "--family",
        "ordinal",
        "--weights",
        "Freq",
    ])
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("--levels High,Low,Medium") && e.contains("ordered(Sat, levels"),
        "{e}"
    );
}

#[test]
fn cov_expected_matches_the_expected_information_in_r() {
    // Negative binomial: summed over y in R; zip/zinb: Σᵢ Σ_y P(y) s sᵀ in R.
    for (case, file, family, tolerance) in [
        ("quine_negbin", "quine.csv", "negative-binomial", 1e-8),
        ("biochemists_zip", "biochemists.csv", "zip", 1e-7),
        ("biochemists_zinb", "biochemists.csv", "zinb", 1e-7),
    ] {
        let r = r_case(case);
        let data = family_data(file);
        let formula = r["formula"].as_str().unwrap();
        let v = fit_json(&[
            "--data",
            &data,
            "--formula",
            formula,
            "--family",
            family,
            "--cov",
            "expected",
        ]);
        let want = r["expected"]["std_errors"].as_array().unwrap();
        let coefs = v["coefficients"].as_array().unwrap();
        let has_theta = family != "zip";
        assert_eq!(coefs.len() + usize::from(has_theta), want.len(), "{case}");
        for (c, w) in coefs.iter().zip(want) {
            let (got, w) = (c["std_error"].as_f64().unwrap(), w.as_f64().unwrap());
            assert!(
                (got - w).abs() < tolerance * w,
                "{case} {}: {got} vs {w}",
                c["term"]
            );
        }
        if has_theta {
            let se = extra(&v, "log(theta)")["std_error"].as_f64().unwrap();
            let w = want[coefs.len()].as_f64().unwrap();
            assert!((se - w).abs() < tolerance * w, "{case} log(theta): {se} vs {w}");
        }
    }
}

#[test]
fn zip_at_no_zero_inflation_reports_the_poisson_fit_and_says_so() {
    let data = family_data("poisson_boundary.csv");
    let v = fit_json(&["--data", &data, "--formula", "y ~ x | 1", "--family", "zip"]);
    let r = r_case("poisson_boundary_zip");
    for j in 0..2 {
        let (got, want) = (
            v["coefficients"][j]["estimate"].as_f64().unwrap(),
            r["coefficients"][j].as_f64().unwrap(),
        );
        assert!((got - want).abs() < 1e-8 * want.abs(), "{got} vs {want}");
    }
    let diagnostics = v["diagnostics"].to_string();
    assert!(
        diagnostics.contains("zero-inflation probability at 0"),
        "{diagnostics}"
    );
    assert!(
        v["coefficients"][0]["std_error"].is_null(),
        "{}",
        v["coefficients"]
    );
}
