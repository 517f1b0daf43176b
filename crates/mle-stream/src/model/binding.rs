//! Binding a formula for streaming: on a Parquet source's row groups (with a level scan when
//! it has factors), on batches from elsewhere, or from an already bound spec.

use super::*;

impl StreamModel {
    /// Binds `formula` on every row group of `source`: when the formula has a factor, one
    /// scan pass (the formula's columns only) collects the levels of the kept rows, so the
    /// levels and their order are those of the in-memory fit on all rows.
    pub fn bind(
        formula: &str,
        source: &ParquetSource,
        family: StreamFamily,
        options: FrameOptions,
    ) -> Result<StreamModel> {
        let parsed = Formula::parse(formula).map_err(DataError::from)?;
        let columns = needed_columns(&parsed, source.column_names(), &options)?;
        // Without a factor anywhere, the first rows fix the spec; otherwise scan all rows.
        let first = source.fold_group(0, &columns, None, |acc: Option<ModelSpec>, batch| {
            if acc.is_some() {
                return Ok(acc);
            }
            match ModelSpec::bind(&parsed, &Table::from_batch(batch), options.clone()) {
                Ok((spec, _)) => Ok(Some(spec)),
                Err(_) => Ok(None),
            }
        })?;
        let (spec, scan_rows) = match first {
            Some(spec) if !has_factor(&spec) => (spec, None),
            _ => {
                let (spec, rows) = scan_levels(&parsed, source, &columns, options)?;
                (spec, Some(rows))
            }
        };
        StreamModel::assemble(spec, family, columns, scan_rows)
    }

    fn assemble(
        spec: ModelSpec,
        family: StreamFamily,
        columns: Vec<String>,
        scan_rows: Option<(u64, u64)>,
    ) -> Result<StreamModel> {
        if spec.second().is_some() {
            return Err(StreamError::NotSupported {
                what: "a `|` part in a streaming fit".into(),
            });
        }
        Ok(StreamModel {
            direct: Direct::of(&spec),
            spec,
            family,
            columns,
            scan_rows,
        })
    }

    /// The columns `formula` reads (response, variables, then the weights and offset of
    /// `options`) from data with the columns `available`: what a query engine projects. A
    /// column the formula names that is not available is an error naming it.
    ///
    /// ```
    /// use mle_data::FrameOptions;
    /// use mle_stream::StreamModel;
    /// let have = ["y", "x", "g", "w"].map(String::from);
    /// let cols = StreamModel::formula_columns("y ~ log(x) + g", &have, &FrameOptions::default().weights("w")).unwrap();
    /// assert_eq!(cols, ["y", "x", "g", "w"]);
    /// let e = StreamModel::formula_columns("y ~ nope", &have, &FrameOptions::default()).unwrap_err();
    /// assert!(e.to_string().contains("nope"));
    /// ```
    pub fn formula_columns(
        formula: &str,
        available: &[String],
        options: &FrameOptions,
    ) -> Result<Vec<String>> {
        let parsed = Formula::parse(formula).map_err(DataError::from)?;
        available_columns(&parsed, available, options)
    }

    /// Binds `formula` on the levels of all the rows of `batches` (the columns `available`
    /// name the data's columns, for `.` in the formula): one level scan over them, merged
    /// in order, so the spec is the one the in-memory fit binds on those rows at once. A
    /// query engine's driver binds on a few first rows, and when the model
    /// [`StreamModel::has_factors`], again on a scan of every row.
    ///
    /// ```
    /// use mle_data::{FrameOptions, Table};
    /// use mle_stream::{StreamFamily, StreamModel};
    /// let a = Table::from_columns([("y", vec![1.0, 0.0].into()), ("g", vec!["b", "b"].into())]).unwrap();
    /// let b = Table::from_columns([("y", vec![1.0].into()), ("g", vec!["a"].into())]).unwrap();
    /// let have = a.column_names();
    /// let batches = [a.into_batch(), b.into_batch()];
    /// let m = StreamModel::bind_batches("y ~ g", &have, batches, StreamFamily::Binomial, FrameOptions::default()).unwrap();
    /// assert_eq!(m.spec().column_names(), ["(Intercept)", "gb"]);
    /// assert!(m.has_factors());
    /// assert_eq!(m.scanned_rows(), Some((3, 0)));
    /// ```
    pub fn bind_batches(
        formula: &str,
        available: &[String],
        batches: impl IntoIterator<Item = RecordBatch>,
        family: StreamFamily,
        options: FrameOptions,
    ) -> Result<StreamModel> {
        let parsed = Formula::parse(formula).map_err(DataError::from)?;
        let columns = available_columns(&parsed, available, &options)?;
        let mut scan: Option<mle_data::LevelScan> = None;
        for batch in batches {
            let s = ModelSpec::scan(&parsed, &Table::from_batch(batch), &options)
                .map_err(|e| At::Batch.data_err(e))?;
            scan = Some(match scan {
                None => s,
                Some(a) => a.merge(s)?,
            });
        }
        let scan = scan.ok_or(DataError::NoRows { dropped: 0 })?;
        let rows = (scan.n_rows() as u64, (scan.n_rows() - scan.n_kept()) as u64);
        let spec = ModelSpec::from_scan(&parsed, available, scan, options)?;
        StreamModel::assemble(spec, family, columns, Some(rows))
    }

    /// A model from a spec bound elsewhere (the spec a driver bound and sent to the
    /// workers of a query engine, as JSON): the columns read are the spec's.
    ///
    /// ```
    /// use mle_data::{Formula, FrameOptions, ModelSpec, Table};
    /// use mle_stream::{StreamFamily, StreamModel};
    /// let t = Table::from_columns([("y", vec![1.0, 0.0, 1.0].into()), ("x", vec![0.5, 1.0, 2.0].into())]).unwrap();
    /// let (spec, _) = ModelSpec::bind(&Formula::parse("y ~ log(x)").unwrap(), &t, FrameOptions::default()).unwrap();
    /// let m = StreamModel::from_spec(spec, StreamFamily::Poisson).unwrap();
    /// assert_eq!(m.columns(), ["y", "x"]);
    /// assert!(!m.is_direct());
    /// ```
    pub fn from_spec(spec: ModelSpec, family: StreamFamily) -> Result<StreamModel> {
        let mut columns: Vec<String> = Vec::new();
        let mut add = |c: String| {
            if !columns.contains(&c) {
                columns.push(c);
            }
        };
        let response: Vec<&mle_data::formula::Expr> = match spec.response() {
            None => vec![],
            Some(mle_data::ResponseSpec::Numeric { expr } | mle_data::ResponseSpec::Factor { expr, .. }) => {
                vec![expr]
            }
            Some(mle_data::ResponseSpec::Binomial { successes, failures }) => vec![successes, failures],
            Some(mle_data::ResponseSpec::Surv { time, status, .. }) => vec![time, status],
        };
        response.iter().flat_map(|e| e.names()).for_each(&mut add);
        spec.variables()
            .iter()
            .flat_map(|v| v.expr.names())
            .for_each(&mut add);
        let o = spec.options();
        o.weights.iter().chain(&o.offset).cloned().for_each(&mut add);
        StreamModel::assemble(spec, family, columns, None)
    }

    /// Whether the spec has a factor (a variable or the response): its levels must come
    /// from a scan of every row.
    pub fn has_factors(&self) -> bool {
        has_factor(&self.spec)
    }
}

/// The spec bound on the levels of every row group (one pass over `columns`), with the
/// rows scanned and dropped.
fn scan_levels(
    parsed: &Formula,
    source: &ParquetSource,
    columns: &[String],
    options: FrameOptions,
) -> Result<(ModelSpec, (u64, u64))> {
    let scan = source.pass(
        0..source.row_groups().len(),
        "levels",
        |g| {
            source.fold_group(g, columns, None, |acc: Option<mle_data::LevelScan>, batch| {
                let s = ModelSpec::scan(parsed, &Table::from_batch(batch), &options)
                    .map_err(|e| data_err(source, g, e))?;
                Ok(Some(match acc {
                    None => s,
                    Some(a) => a.merge(s)?,
                }))
            })
        },
        |a, b| match (a, b) {
            (Some(a), Some(b)) => Ok(Some(a.merge(b)?)),
            (a, b) => Ok(a.or(b)),
        },
    )?;
    let scan = scan.flatten().ok_or(DataError::NoRows { dropped: 0 })?;
    let rows = (scan.n_rows() as u64, (scan.n_rows() - scan.n_kept()) as u64);
    Ok((
        ModelSpec::from_scan(parsed, source.column_names(), scan, options)?,
        rows,
    ))
}

/// Whether a spec has a factor (a variable or the response).
fn has_factor(s: &ModelSpec) -> bool {
    s.variables()
        .iter()
        .any(|v| matches!(v.kind, VariableKind::Factor { .. }))
        || matches!(s.response(), Some(mle_data::ResponseSpec::Factor { .. }))
}

/// The columns a parsed formula reads from data with the columns `available`: the
/// response's, the variables', then the weights and offset columns of `options`.
fn needed_columns(parsed: &Formula, available: &[String], options: &FrameOptions) -> Result<Vec<String>> {
    let terms = parsed
        .terms(&available.iter().map(String::as_str).collect::<Vec<_>>())
        .map_err(DataError::from)?;
    let mut columns: Vec<String> = Vec::new();
    let mut add = |c: String| {
        if !columns.contains(&c) {
            columns.push(c);
        }
    };
    parsed
        .response()
        .into_iter()
        .flat_map(|e| e.names())
        .for_each(&mut add);
    terms
        .variables()
        .iter()
        .flat_map(|e| e.names())
        .for_each(&mut add);
    options
        .weights
        .iter()
        .chain(&options.offset)
        .cloned()
        .for_each(&mut add);
    Ok(columns)
}

/// [`needed_columns`], each checked against `available`: a missing one is an error naming it.
fn available_columns(parsed: &Formula, available: &[String], options: &FrameOptions) -> Result<Vec<String>> {
    let columns = needed_columns(parsed, available, options)?;
    if let Some(missing) = columns.iter().find(|c| !available.contains(c)) {
        return Err(DataError::NoColumn {
            column: missing.clone(),
            context: "the table".into(),
            available: available.to_vec(),
        }
        .into());
    }
    Ok(columns)
}
