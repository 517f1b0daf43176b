//! The streaming tests' generator and comparison (crates/mle-stream/tests/common, included),
//! plus the table written as several Parquet files.
#![allow(dead_code)]

#[path = "../../../mle-stream/tests/common/mod.rs"]
mod stream;

pub use stream::*;

use mle_data::Table;

/// The table as `files` Parquet files of row groups of `group_rows` rows in a fresh directory.
pub fn parquet_dir(name: &str, table: &Table, files: usize, group_rows: usize) -> std::path::PathBuf {
    let dir = temp_dir(name);
    let batch = table.batch();
    let per = batch.num_rows().div_ceil(files);
    for f in 0..files {
        let start = f * per;
        let len = per.min(batch.num_rows() - start);
        write(
            &batch.slice(start, len),
            &dir.join(format!("part-{f}.parquet")),
            group_rows,
        );
    }
    dir
}
