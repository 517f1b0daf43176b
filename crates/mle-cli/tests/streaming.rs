//! `mle fit --streaming`: the same coefficients as the in-memory fit on a Parquet copy of
//! birthwt (string factors, missing values), and typed errors.

use std::path::{Path, PathBuf};

use mle_data::{Family, FormulaFit, FormulaOptions, Table};

const FORMULA: &str = "low ~ age + log(lwt) + race + smoke + ht + ui + age:smoke";

fn run(args: &[&str]) -> Result<String, mle_cli::CliError> {
    let mut out = Vec::new();
    mle_cli::run(std::iter::once("mle").chain(args.iter().copied()), &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

fn parquet_copy() -> (PathBuf, Table) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let table = Table::read_csv(root.join("data/birthwt.csv")).unwrap();
    let path = std::env::temp_dir().join(format!("mle-cli-streaming-{}.parquet", std::process::id()));
    table.write_parquet(&path).unwrap();
    (path, table)
}

#[test]
fn streaming_fit_equals_the_in_memory_fit() {
    let (path, table) = parquet_copy();
    let data = path.display().to_string();
    for family in ["binomial", "gaussian"] {
        let formula = if family == "binomial" {
            FORMULA
        } else {
            "bwt ~ age + lwt + race * smoke"
        };
        let out = run(&[
            "fit",
            "--data",
            &data,
            "--formula",
            formula,
            "--family",
            family,
            "--streaming",
            "--output",
            "json",
        ])
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let fam: Family = family.parse().unwrap();
        let memory = FormulaFit::fit(formula, &table, fam, FormulaOptions::default()).unwrap();
        let est: Vec<f64> = v["estimates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(est.len(), memory.estimate().estimates().len());
        for (a, b) in est.iter().zip(memory.estimate().estimates().iter()) {
            assert!((a - b).abs() <= 1e-10 * b.abs(), "{family}: {a} vs {b}");
        }
        assert_eq!(v["terms"][1], "age");
        assert_eq!(v["dropped"], memory.n_dropped());
        assert!(v["passes"].as_u64().unwrap() >= 2);
        assert_eq!(v["converged"], true);
    }
    let table_out = run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        FORMULA,
        "--family",
        "binomial",
        "--streaming",
    ])
    .unwrap();
    assert!(
        table_out.contains("passes") && table_out.contains("racewhite"),
        "{table_out}"
    );
    let e = run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        FORMULA,
        "--family",
        "student-t",
        "--streaming",
    ])
    .unwrap_err();
    assert!(e.to_string().contains("student-t"), "{e}");
    let e = run(&[
        "fit",
        "--data",
        &data,
        "--formula",
        "low ~ nope",
        "--family",
        "binomial",
        "--streaming",
    ])
    .unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    // A dependent column (I(age + lwt) = age + lwt): named with its relation, for both the
    // Newton path (first Hessian pass) and least squares (the streamed R factor).
    for family in ["binomial", "gaussian"] {
        let response = if family == "binomial" { "low" } else { "bwt" };
        let formula = format!("{response} ~ age + lwt + I(age + lwt)");
        let e = run(&[
            "fit",
            "--data",
            &data,
            "--formula",
            &formula,
            "--family",
            family,
            "--streaming",
        ])
        .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("rank deficient")
                && text.contains("I(age + lwt)")
                && text.contains("1.000·`age`")
                && text.contains("1.000·`lwt`"),
            "{family}: {text}"
        );
    }
    let _ = std::fs::remove_file(&path);
}
