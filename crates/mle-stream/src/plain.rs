//! [`PlainGroup`]: the DOUBLE columns of one row group decoded straight from their PLAIN
//! data pages into the caller's buffers.
//!
//! parquet-rs's Arrow reader zero-fills a values buffer, decodes into it, and hands it over as
//! an Arrow array, which the direct path then copies into the design: three passes over every
//! value. A PLAIN page of a required DOUBLE column *is* its values, little-endian, so here the
//! page bytes (decompressed by parquet's own page reader) are copied once, into the design.
//! Used only where that is exactly what the page holds — required (non-nullable) DOUBLE
//! columns whose chunks list no dictionary encoding — anything else takes the Arrow reader.

use std::fs::File;
use std::sync::Arc;

use bytes::Bytes;
use parquet::basic::{Encoding, Type as PhysicalType};
use parquet::column::page::{Page, PageReader};
use parquet::errors::ParquetError;
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::reader::ChunkReader;
use parquet::file::serialized_reader::SerializedPageReader;

use crate::error::{Result, StreamError};
use crate::mapped::MappedChunks;
use crate::source::ParquetSource;

/// One column's page reader and the values of its current page not yet read.
struct PlainColumn {
    pages: Box<dyn PageReader>,
    /// The rest of the current page (8 bytes per value).
    current: Bytes,
}

/// The requested columns of one row group, read a batch of rows at a time: every column is
/// read once per batch ([`PlainGroup::append`]), in any order.
pub(crate) struct PlainGroup<'a> {
    source: &'a ParquetSource,
    group: usize,
    columns: Vec<PlainColumn>,
    remaining: usize,
    batch: usize,
}

impl<'a> PlainGroup<'a> {
    /// The reader of row group `g`'s `columns`, or `None` when one of them is not a required
    /// DOUBLE column with PLAIN pages only (or is not a top-level column).
    pub(crate) fn open(
        source: &'a ParquetSource,
        g: usize,
        columns: &[String],
    ) -> Result<Option<PlainGroup<'a>>> {
        let group = source.row_groups()[g];
        let path = source.path(&group);
        let meta = source.reader_metadata(&group);
        let schema = meta.parquet_schema();
        let row_group = meta.metadata().row_group(group.index);
        let mut leaves = Vec::with_capacity(columns.len());
        for name in columns {
            let leaf = (0..schema.num_columns()).find(|&l| {
                let c = schema.column(l);
                c.path().parts().len() == 1 && c.path().parts()[0] == *name
            });
            let Some(leaf) = leaf else { return Ok(None) };
            if !plain_double(row_group.column(leaf)) {
                return Ok(None);
            }
            leaves.push(leaf);
        }
        let rows = usize::try_from(row_group.num_rows()).unwrap_or(0);
        let io = |source| StreamError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let parquet_err = |source| StreamError::Parquet {
            path: path.to_path_buf(),
            row_group: Some(group.index),
            source,
        };
        let page_reader =
            |reader: &dyn Fn(&ColumnChunkMetaData) -> parquet::errors::Result<Box<dyn PageReader>>,
             leaf: usize| reader(row_group.column(leaf)).map_err(parquet_err);
        let columns = if source.memory_mapped() {
            let mapped = Arc::new(MappedChunks::map(path, &file, row_group, group.index, &leaves)?);
            leaves
                .iter()
                .map(|&l| page_reader(&|c| pages(mapped.clone(), c, rows), l))
                .collect::<Result<Vec<_>>>()?
        } else {
            let file = Arc::new(file);
            leaves
                .iter()
                .map(|&l| page_reader(&|c| pages(file.clone(), c, rows), l))
                .collect::<Result<Vec<_>>>()?
        };
        Ok(Some(PlainGroup {
            source,
            group: g,
            columns: columns
                .into_iter()
                .map(|pages| PlainColumn {
                    pages,
                    current: Bytes::new(),
                })
                .collect(),
            remaining: rows,
            batch: source.batch_size(),
        }))
    }

    /// The number of rows of the next batch (`None` when the row group is done).
    pub(crate) fn next_rows(&mut self) -> Option<usize> {
        let m = self.batch.min(self.remaining);
        self.remaining -= m;
        (m > 0).then_some(m)
    }

    /// Appends the next `m` values of column `c` (its index in the requested columns) to
    /// `out`.
    pub(crate) fn append(&mut self, c: usize, m: usize, out: &mut Vec<f64>) -> Result<()> {
        let mut left = m;
        out.reserve(m);
        while left > 0 {
            if self.columns[c].current.is_empty() {
                let page = self.columns[c].pages.get_next_page().map_err(|e| self.error(e))?;
                self.columns[c].current = match page {
                    Some(page) => plain_values(page).map_err(|e| self.error(e))?,
                    None => return Err(self.error(ParquetError::EOF("fewer values than rows".into()))),
                };
                continue;
            }
            let current = &mut self.columns[c].current;
            let take = left.min(current.len() / 8);
            out.extend(
                current[..take * 8]
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])),
            );
            *current = current.slice(take * 8..);
            left -= take;
        }
        Ok(())
    }

    fn error(&self, source: ParquetError) -> StreamError {
        let group = self.source.row_groups()[self.group];
        StreamError::Parquet {
            path: self.source.path(&group).to_path_buf(),
            row_group: Some(group.index),
            source,
        }
    }
}

/// Whether a column chunk is a required, unrepeated DOUBLE column without dictionary pages
/// (BIT_PACKED may be listed for the levels by old writers: allowed).
#[allow(deprecated)]
fn plain_double(column: &ColumnChunkMetaData) -> bool {
    let d = column.column_descr();
    d.physical_type() == PhysicalType::DOUBLE
        && d.max_def_level() == 0
        && d.max_rep_level() == 0
        && column.dictionary_page_offset().is_none()
        && column
            .encodings()
            .all(|e| matches!(e, Encoding::PLAIN | Encoding::RLE | Encoding::BIT_PACKED))
}

/// The page reader of one column chunk.
fn pages<R: ChunkReader + 'static>(
    reader: Arc<R>,
    column: &ColumnChunkMetaData,
    rows: usize,
) -> parquet::errors::Result<Box<dyn PageReader>> {
    Ok(Box::new(SerializedPageReader::new(reader, column, rows, None)?))
}

/// The values of a PLAIN data page of a required DOUBLE column (its whole buffer: no levels).
fn plain_values(page: Page) -> parquet::errors::Result<Bytes> {
    let (buf, num_values, encoding) = match page {
        Page::DataPage {
            buf,
            num_values,
            encoding,
            ..
        } => (buf, num_values, encoding),
        Page::DataPageV2 {
            buf,
            num_values,
            encoding,
            def_levels_byte_len,
            rep_levels_byte_len,
            ..
        } => {
            let levels = (def_levels_byte_len as usize).saturating_add(rep_levels_byte_len as usize);
            if levels > buf.len() {
                return Err(ParquetError::General("data page shorter than its levels".into()));
            }
            (buf.slice(levels..), num_values, encoding)
        }
        Page::DictionaryPage { .. } => {
            return Err(ParquetError::General(
                "dictionary page in a column chunk that lists no dictionary encoding".into(),
            ));
        }
    };
    if encoding != Encoding::PLAIN {
        return Err(ParquetError::General(format!(
            "{encoding} data page in a column chunk that lists PLAIN only"
        )));
    }
    if buf.len() != num_values as usize * 8 {
        return Err(ParquetError::General(format!(
            "PLAIN DOUBLE page of {num_values} values holds {} bytes",
            buf.len()
        )));
    }
    Ok(buf)
}
