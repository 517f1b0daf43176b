//! Tables: CSV inference and missing values, Parquet projection and codecs, round trips,
//! errors that name the file or column.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, DictionaryArray};
use arrow_schema::DataType;
use mle_data::{DataError, Table};

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/formula")
        .join(name)
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mle-data-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn csv_inference_and_missing_values() {
    let t = Table::read_csv(reference("made_up.csv")).unwrap();
    assert_eq!(
        t.column_names(),
        ["y", "x", "g", "my var", "flag", "n", "s", "dose"]
    );
    assert_eq!(t.n_rows(), 12);
    let ty = |c: &str| t.column(c).unwrap().data_type().clone();
    assert_eq!(ty("y"), DataType::Float64);
    assert_eq!(ty("g"), DataType::Utf8);
    assert_eq!(ty("my var"), DataType::Int64);
    assert_eq!(ty("flag"), DataType::Boolean);
    assert_eq!(ty("s"), DataType::Int64);
    // `NA` and the empty field of `g` are both missing; NA in numbers and booleans too.
    assert_eq!(t.column("g").unwrap().null_count(), 2);
    assert_eq!(t.column("y").unwrap().null_count(), 2);
    assert_eq!(t.column("flag").unwrap().null_count(), 1);
    assert_eq!(t.column("s").unwrap().null_count(), 1);
    let w = Table::read_csv(reference("warpbreaks.csv")).unwrap();
    assert_eq!(w.column("tension").unwrap().data_type(), &DataType::Utf8);
    assert_eq!(w.column("breaks").unwrap().data_type(), &DataType::Int64);
}

#[test]
fn csv_and_parquet_round_trips() {
    let t = Table::read(reference("made_up.csv")).unwrap();
    let csv = tmp("round.csv");
    t.write_csv(&csv).unwrap();
    assert_eq!(Table::read(&csv).unwrap(), t);
    let pq = tmp("round.parquet");
    t.write_parquet(&pq).unwrap();
    assert_eq!(Table::read(&pq).unwrap(), t);
    // Projection: only the named columns, in the order asked.
    let p = Table::read_parquet(&pq, Some(&["s", "g"])).unwrap();
    assert_eq!(p.column_names(), ["s", "g"]);
    assert_eq!(p.column("g").unwrap(), t.column("g").unwrap());
    assert_eq!(p.n_rows(), 12);
}

#[test]
fn zstd_and_uncompressed_parquet_files_are_read() {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::WriterProperties;
    let t = Table::read(reference("mtcars.csv")).unwrap();
    for (name, compression) in [
        ("zstd.parquet", Compression::ZSTD(ZstdLevel::try_new(3).unwrap())),
        ("plain.parquet", Compression::UNCOMPRESSED),
    ] {
        let path = tmp(name);
        let props = WriterProperties::builder().set_compression(compression).build();
        let file = std::fs::File::create(&path).unwrap();
        let mut w = ArrowWriter::try_new(file, t.schema(), Some(props)).unwrap();
        w.write(t.batch()).unwrap();
        w.close().unwrap();
        assert_eq!(Table::read_parquet(&path, None).unwrap(), t, "{name}");
    }
}

#[test]
fn dictionary_columns_survive_parquet() {
    let dict: DictionaryArray<arrow_array::types::Int32Type> = vec![Some("lo"), Some("hi"), None, Some("lo")]
        .into_iter()
        .collect();
    let t = Table::from_columns([
        ("f", (Arc::new(dict) as ArrayRef).into()),
        ("x", vec![1.0, 2.0, 3.0, 4.0].into()),
    ])
    .unwrap();
    let path = tmp("dict.parquet");
    t.write_parquet(&path).unwrap();
    let back = Table::read(&path).unwrap();
    assert!(matches!(
        back.column("f").unwrap().data_type(),
        DataType::Dictionary(..)
    ));
    assert_eq!(back, t);
}

#[test]
fn errors_name_the_file_or_column() {
    let missing = tmp("does-not-exist.csv");
    let e = Table::read(&missing).unwrap_err();
    assert!(matches!(e, DataError::Io { .. }));
    assert!(e.to_string().contains("does-not-exist.csv"), "{e}");
    let e = Table::read(tmp("table.xlsx")).unwrap_err();
    assert!(matches!(e, DataError::UnknownFormat { .. }), "{e}");
    let pq = tmp("proj.parquet");
    Table::read(reference("warpbreaks.csv"))
        .unwrap()
        .write_parquet(&pq)
        .unwrap();
    let e = Table::read_parquet(&pq, Some(&["wool", "nope"])).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("`nope`") && msg.contains("proj.parquet") && msg.contains("tension"),
        "{msg}"
    );
    // Not a Parquet file.
    let e = Table::read_parquet(reference("mtcars.csv"), None).unwrap_err();
    assert!(e.to_string().contains("mtcars.csv"), "{e}");
    // A ragged CSV.
    let bad = tmp("ragged.csv");
    std::fs::write(&bad, "a,b\n1,2\n3\n").unwrap();
    let e = Table::read_csv(&bad).unwrap_err();
    assert!(e.to_string().contains("ragged.csv"), "{e}");
}

#[test]
fn from_columns_and_accessors() {
    let t = Table::from_columns([
        ("i", vec![1i64, 2].into()),
        ("f", vec![Some(0.5), None].into()),
        ("s", vec![Some("a"), None].into()),
        ("b", vec![true, false].into()),
    ])
    .unwrap();
    assert_eq!((t.n_rows(), t.n_columns()), (2, 4));
    assert!(t.column("zz").is_none());
    let empty = Table::from_columns(Vec::<(&str, mle_data::Column)>::new()).unwrap();
    assert_eq!((empty.n_rows(), empty.n_columns()), (0, 0));
    let b = Table::from_batch(t.batch().clone());
    assert_eq!(b, t);
    assert_eq!(b.into_batch().num_rows(), 2);
}
