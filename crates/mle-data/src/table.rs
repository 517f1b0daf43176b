//! [`Table`]: an Arrow record batch with CSV and Parquet input and output.

use std::fs::File;
use std::io::{BufReader, BufWriter, Seek};
use std::path::Path;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{ArrowError, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::{DataError, Result};

/// A table: one Arrow [`RecordBatch`] (batches read from a file are concatenated).
///
/// ```
/// use mle_data::Table;
/// let t = Table::from_columns([
///     ("x", vec![1.0, 2.0, 3.0].into()),
///     ("g", vec!["a", "b", "a"].into()),
///     ("w", vec![Some(1.5), None, Some(2.0)].into()),
/// ])
/// .unwrap();
/// assert_eq!(t.column_names(), ["x", "g", "w"]);
/// assert_eq!(t.n_rows(), 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    batch: RecordBatch,
}

/// One column for [`Table::from_columns`]; convert from `Vec`s of `f64`, `i64`, `bool`,
/// `&str`/`String` (each optionally `Option<_>` for missing values) or any Arrow array.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Column {
    /// Float64.
    Float(Vec<Option<f64>>),
    /// Int64.
    Int(Vec<Option<i64>>),
    /// Boolean.
    Bool(Vec<Option<bool>>),
    /// Utf8.
    Str(Vec<Option<String>>),
    /// Any Arrow array (e.g. a dictionary array).
    Array(ArrayRef),
}

macro_rules! column_from {
    ($t:ty, $variant:ident, $conv:expr_2021) => {
        impl From<Vec<$t>> for Column {
            fn from(v: Vec<$t>) -> Self {
                Column::$variant(v.into_iter().map($conv).collect())
            }
        }
    };
}
column_from!(f64, Float, Some);
column_from!(Option<f64>, Float, |x| x);
column_from!(i64, Int, Some);
column_from!(Option<i64>, Int, |x| x);
column_from!(bool, Bool, Some);
column_from!(Option<bool>, Bool, |x| x);
column_from!(&str, Str, |s| Some(s.to_string()));
column_from!(Option<&str>, Str, |s| s.map(str::to_string));
column_from!(String, Str, Some);
column_from!(Option<String>, Str, |x| x);

impl From<ArrayRef> for Column {
    fn from(a: ArrayRef) -> Self {
        Column::Array(a)
    }
}

impl Column {
    fn into_array(self) -> ArrayRef {
        match self {
            Column::Float(v) => Arc::new(Float64Array::from(v)),
            Column::Int(v) => Arc::new(Int64Array::from(v)),
            Column::Bool(v) => Arc::new(BooleanArray::from(v)),
            Column::Str(v) => Arc::new(StringArray::from(v)),
            Column::Array(a) => a,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DataError + '_ {
    move |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn arrow_err(path: &Path) -> impl FnOnce(ArrowError) -> DataError + '_ {
    move |source| DataError::Arrow {
        context: path.display().to_string(),
        source,
    }
}

fn parquet_err(path: &Path) -> impl FnOnce(parquet::errors::ParquetError) -> DataError + '_ {
    move |source| DataError::Parquet {
        path: path.to_path_buf(),
        source,
    }
}

/// Missing values in CSV files: `NA` (as R writes them) and empty fields.
fn null_regex() -> regex::Regex {
    // A literal pattern: it always compiles.
    regex::Regex::new("^(NA)?$").unwrap_or_else(|_| unreachable!())
}

impl Table {
    /// A table of one record batch.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{ArrayRef, Float64Array, RecordBatch};
    /// let x: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0]));
    /// let t = mle_data::Table::from_batch(RecordBatch::try_from_iter([("x", x)]).unwrap());
    /// assert_eq!((t.n_rows(), t.column_names()), (2, vec!["x".to_string()]));
    /// ```
    pub fn from_batch(batch: RecordBatch) -> Table {
        Table { batch }
    }

    /// Concatenates batches that share `schema`.
    pub fn from_batches(schema: SchemaRef, batches: &[RecordBatch]) -> Result<Table> {
        let batch =
            arrow_select::concat::concat_batches(&schema, batches).map_err(|source| DataError::Arrow {
                context: "concatenating record batches".into(),
                source,
            })?;
        Ok(Table { batch })
    }

    /// Builds a table from named columns (all of one length).
    ///
    /// ```
    /// let e = mle_data::Table::from_columns([("a", vec![1.0].into()), ("b", vec![1.0, 2.0].into())]);
    /// assert!(e.unwrap_err().to_string().contains("`b` has 2 rows, expected 1"));
    /// ```
    pub fn from_columns<S: Into<String>>(columns: impl IntoIterator<Item = (S, Column)>) -> Result<Table> {
        let mut fields = Vec::new();
        let mut arrays = Vec::new();
        for (name, col) in columns {
            let name = name.into();
            let array = col.into_array();
            if let Some(first) = arrays.first().map(|a: &ArrayRef| a.len()) {
                if array.len() != first {
                    return Err(DataError::LengthMismatch {
                        column: name,
                        expected: first,
                        got: array.len(),
                    });
                }
            }
            fields.push(Field::new(name, array.data_type().clone(), true));
            arrays.push(array);
        }
        let schema = Arc::new(Schema::new(fields));
        if arrays.is_empty() {
            return Ok(Table {
                batch: RecordBatch::new_empty(schema),
            });
        }
        let batch = RecordBatch::try_new(schema, arrays).map_err(|source| DataError::Arrow {
            context: "Table::from_columns".into(),
            source,
        })?;
        Ok(Table { batch })
    }

    /// Reads a `.csv` or `.parquet` (`.pq`) file, by extension (case-insensitive).
    ///
    /// ```
    /// let e = mle_data::Table::read("data.xlsx").unwrap_err();
    /// assert!(e.to_string().contains("data.xlsx: unknown table format"));
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<Table> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Table::read_csv(path),
            Some("parquet" | "pq") => Table::read_parquet(path, None),
            _ => Err(DataError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    /// Reads a CSV file with a header line, inferring each column's type from all rows
    /// (integer, float, boolean `TRUE`/`false`..., dates, else string; strings stay
    /// strings). `NA` and empty fields are missing values.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join("mle-data-doc-read-csv");
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("t.csv");
    /// std::fs::write(&path, "y,g,x\n1.5,a,1\nNA,,2\n3,b,NA\n").unwrap();
    /// let t = mle_data::Table::read_csv(&path).unwrap();
    /// assert_eq!(t.column_names(), ["y", "g", "x"]);
    /// assert_eq!(t.n_rows(), 3);
    /// assert_eq!(t.column("g").unwrap().null_count(), 1);
    /// ```
    pub fn read_csv(path: impl AsRef<Path>) -> Result<Table> {
        let path = path.as_ref();
        let mut file = File::open(path).map_err(io_err(path))?;
        let format = arrow_csv::reader::Format::default()
            .with_header(true)
            .with_null_regex(null_regex());
        let (schema, _) = format
            .infer_schema(BufReader::new(&mut file), None)
            .map_err(arrow_err(path))?;
        file.rewind().map_err(io_err(path))?;
        let schema = Arc::new(schema);
        let reader = arrow_csv::ReaderBuilder::new(schema.clone())
            .with_format(format)
            .build(BufReader::new(file))
            .map_err(arrow_err(path))?;
        let batches = reader
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(arrow_err(path))?;
        Table::from_batches(schema, &batches).map_err(|e| match e {
            DataError::Arrow { source, .. } => arrow_err(path)(source),
            e => e,
        })
    }

    /// Reads a Parquet file (Snappy, Zstd or uncompressed), all columns or only the named
    /// ones (`projection`, in the order given; only those columns are decoded).
    ///
    /// ```
    /// use mle_data::Table;
    /// let path = std::env::temp_dir().join("mle-data-doc-read-parquet.parquet");
    /// let t = Table::from_columns([("a", vec![1.0, 2.0].into()), ("b", vec!["x", "y"].into())]).unwrap();
    /// t.write_parquet(&path).unwrap();
    /// let back = Table::read_parquet(&path, Some(&["b"])).unwrap();
    /// assert_eq!(back.column_names(), ["b"]);
    /// assert!(Table::read_parquet(&path, Some(&["zz"])).unwrap_err().to_string().contains("`zz`"));
    /// ```
    pub fn read_parquet(path: impl AsRef<Path>, projection: Option<&[&str]>) -> Result<Table> {
        let path = path.as_ref();
        let file = File::open(path).map_err(io_err(path))?;
        let mut builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_err(path))?;
        let mut reorder = None;
        if let Some(names) = projection {
            let schema = builder.schema().clone();
            let mut roots = Vec::with_capacity(names.len());
            for name in names {
                let i = schema.index_of(name).map_err(|_| DataError::NoColumn {
                    column: name.to_string(),
                    context: path.display().to_string(),
                    available: schema.fields().iter().map(|f| f.name().clone()).collect(),
                })?;
                if !roots.contains(&i) {
                    roots.push(i);
                }
            }
            // The reader returns projected columns in file order; put them in the order asked.
            let mut sorted = roots.clone();
            sorted.sort_unstable();
            reorder = Some(
                roots
                    .iter()
                    .filter_map(|r| sorted.iter().position(|s| s == r))
                    .collect::<Vec<_>>(),
            );
            let mask = ProjectionMask::roots(builder.parquet_schema(), sorted);
            builder = builder.with_projection(mask);
        }
        let reader = builder.build().map_err(parquet_err(path))?;
        let schema = arrow_array::RecordBatchReader::schema(&reader);
        let batches = reader
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(arrow_err(path))?;
        let table = Table::from_batches(schema, &batches).map_err(|e| match e {
            DataError::Arrow { source, .. } => arrow_err(path)(source),
            e => e,
        })?;
        match reorder {
            Some(order) => Ok(Table {
                batch: table.batch.project(&order).map_err(arrow_err(path))?,
            }),
            None => Ok(table),
        }
    }

    /// Writes a CSV file with a header; missing values as `NA` (as R's `write.csv`).
    ///
    /// ```
    /// use mle_data::Table;
    /// let path = std::env::temp_dir().join("mle-data-doc-write.csv");
    /// let t = Table::from_columns([("a", vec![Some(1.5), None].into()), ("s", vec!["x", "y"].into())]).unwrap();
    /// t.write_csv(&path).unwrap();
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,s\n1.5,x\nNA,y\n");
    /// assert_eq!(Table::read(&path).unwrap(), t);
    /// ```
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let file = File::create(path).map_err(io_err(path))?;
        let mut writer = arrow_csv::WriterBuilder::new()
            .with_header(true)
            .with_null("NA".to_string())
            .build(BufWriter::new(file));
        writer.write(&self.batch).map_err(arrow_err(path))?;
        let mut inner = writer.into_inner();
        std::io::Write::flush(&mut inner).map_err(io_err(path))
    }

    /// Writes a Parquet file (Snappy-compressed).
    ///
    /// ```
    /// use mle_data::Table;
    /// let path = std::env::temp_dir().join("mle-data-doc-write.parquet");
    /// let t = Table::from_columns([("a", vec![Some(1i64), None].into())]).unwrap();
    /// t.write_parquet(&path).unwrap();
    /// assert_eq!(Table::read(&path).unwrap(), t);
    /// ```
    pub fn write_parquet(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let file = File::create(path).map_err(io_err(path))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let mut writer =
            ArrowWriter::try_new(file, self.batch.schema(), Some(props)).map_err(parquet_err(path))?;
        writer.write(&self.batch).map_err(parquet_err(path))?;
        writer.close().map_err(parquet_err(path))?;
        Ok(())
    }

    /// Column names, in order.
    pub fn column_names(&self) -> Vec<String> {
        self.batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// Number of columns.
    pub fn n_columns(&self) -> usize {
        self.batch.num_columns()
    }

    /// The column of that name (the first, if several share it).
    pub fn column(&self, name: &str) -> Option<&ArrayRef> {
        self.batch
            .schema_ref()
            .index_of(name)
            .ok()
            .map(|i| self.batch.column(i))
    }

    /// The schema.
    pub fn schema(&self) -> SchemaRef {
        self.batch.schema()
    }

    /// The record batch.
    pub fn batch(&self) -> &RecordBatch {
        &self.batch
    }

    /// The record batch, by value.
    pub fn into_batch(self) -> RecordBatch {
        self.batch
    }

    /// The column of that name, an error if it is absent or not unique.
    pub(crate) fn lookup(&self, name: &str) -> Result<&ArrayRef> {
        let schema = self.batch.schema_ref();
        let mut hits = schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name() == name);
        match (hits.next(), hits.next()) {
            (Some((i, _)), None) => Ok(self.batch.column(i)),
            (Some(_), Some(_)) => Err(DataError::DuplicateColumn {
                column: name.to_string(),
            }),
            (None, _) => Err(DataError::NoColumn {
                column: name.to_string(),
                context: "the table".into(),
                available: self.column_names(),
            }),
        }
    }
}
