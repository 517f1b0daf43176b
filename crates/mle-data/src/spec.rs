//! [`ModelSpec`]: a formula bound to training data — variable kinds, factor levels, terms,
//! columns — re-applied unchanged to new data.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::encode::{self, Encoded};
use crate::error::{DataError, Result};
use crate::eval::{self, CatSource, Evaluated, Values};
use crate::formula::ast::{Expr, ExprKind};
use crate::formula::Formula;
use crate::frame::{FrameOptions, ModelFrame, NaAction};
use crate::response::{build_response, eval_response, response_form, RespValues, ResponseSpec};
use crate::table::Table;
use crate::terms::Terms;

use crate::scan::LevelScan;

/// How a factor enters a term (R's `attr(terms, "factors")`: 1 or 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Coding {
    /// Treatment contrasts: one column per level but the first (the baseline).
    Contrasts,
    /// Full indicator coding: one column per level.
    Full,
}

/// The kind of a variable, fixed by the training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum VariableKind {
    /// A number per row.
    Numeric,
    /// A factor.
    Factor {
        /// Levels in order; the first is the baseline of treatment contrasts.
        levels: Vec<String>,
        /// For `factor()` of a numeric column, the value of each level.
        numeric_levels: Option<Vec<f64>>,
    },
}

/// A variable of the model: `x`, `log(x)`, `factor(cyl)`, `offset(log(n))`, ...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    /// Its label as R prints it.
    pub label: String,
    /// Its expression.
    pub expr: Expr,
    /// Numeric or factor (with levels).
    pub kind: VariableKind,
}

/// One term of a part: its label, its variables with their coding, its design columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermSpec {
    /// Label, e.g. `woolB:tension` → `wool:tension`.
    pub label: String,
    /// (variable index, coding), variables in order of first appearance.
    pub variables: Vec<(usize, Coding)>,
    /// The term's columns in the design.
    pub columns: Range<usize>,
}

/// One right-hand part (the main one, or the one after `|`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartSpec {
    /// Whether the design starts with `(Intercept)`.
    pub intercept: bool,
    /// Terms in model order.
    pub terms: Vec<TermSpec>,
    /// Design column names, as R's `colnames(model.matrix(...))`.
    pub column_names: Vec<String>,
    /// Term index of each column (0 = intercept), as R's `assign`.
    pub assign: Vec<usize>,
}

impl PartSpec {
    /// Term labels in model order.
    pub fn term_labels(&self) -> Vec<String> {
        self.terms.iter().map(|t| t.label.clone()).collect()
    }
}

/// A formula bound to training data: everything needed to encode other data the same way.
/// Serializable (e.g. to JSON with `serde_json`) to keep with a fitted model.
///
/// ```
/// use mle_data::{Formula, FrameOptions, ModelSpec, Table};
/// let train = Table::from_columns([
///     ("y", vec![1.0, 2.0, 3.0, 4.0].into()),
///     ("g", vec!["b", "a", "c", "a"].into()),
/// ])
/// .unwrap();
/// let f = Formula::parse("y ~ g").unwrap();
/// let (spec, frame) = ModelSpec::bind(&f, &train, FrameOptions::default()).unwrap();
/// assert_eq!(spec.column_names(), ["(Intercept)", "gb", "gc"]);
/// let new = Table::from_columns([("g", vec!["c", "a"].into())]).unwrap();
/// let nf = spec.apply(&new).unwrap();
/// assert!(nf.response.is_none());
/// assert_eq!(nf.design.matrix().row(0).iter().copied().collect::<Vec<_>>(), [1.0, 0.0, 1.0]);
/// let bad = Table::from_columns([("g", vec!["d"].into())]).unwrap();
/// assert!(spec.apply(&bad).unwrap_err().to_string().contains("level `d`"));
/// # let _ = frame;
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    formula: String,
    variables: Vec<Variable>,
    response: Option<ResponseSpec>,
    parts: Vec<PartSpec>,
    offsets: Vec<usize>,
    options: FrameOptions,
}

fn eval_term_variable(table: &Table, e: &Expr) -> Result<Evaluated> {
    match &e.kind {
        ExprKind::Call { name, args } if name == "offset" && args.len() == 1 => Ok(Evaluated {
            values: Values::Num {
                values: eval::eval_numeric(table, &args[0], &format!("inside `{}`", e.label()))?,
                integer: false,
            },
            explicit_factor: false,
            given_levels: None,
        }),
        _ => eval::eval_variable(table, e),
    }
}

/// The label naming a variable in errors: a plain column by its name.
pub(crate) fn column_label(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        _ => e.label(),
    }
}

/// Everything checked for missing values, each with the label to report.
struct MissingCheck<'a> {
    sources: Vec<(String, MissingSource<'a>)>,
}

enum MissingSource<'a> {
    Values(&'a Values),
    Nums(&'a [f64]),
}

impl MissingCheck<'_> {
    fn missing(&self, row: usize) -> Option<&str> {
        self.sources.iter().find_map(|(label, s)| {
            let m = match s {
                MissingSource::Values(v) => v.is_missing(row),
                MissingSource::Nums(x) => x[row].is_nan(),
            };
            m.then_some(label.as_str())
        })
    }

    /// Rows kept (none missing), or the first missing value under `NaAction::Error`.
    fn kept(&self, n: usize, action: NaAction) -> Result<Vec<usize>> {
        let mut kept = Vec::with_capacity(n);
        for row in 0..n {
            match self.missing(row) {
                None => kept.push(row),
                Some(label) if action == NaAction::Error => {
                    return Err(DataError::Missing {
                        row,
                        column: label.to_string(),
                    })
                }
                Some(_) => {}
            }
        }
        Ok(kept)
    }
}

/// Data read for one table, before encoding.
struct Raw {
    evals: Vec<Evaluated>,
    response: Option<RespValues>,
    weights: Option<Vec<f64>>,
    offset: Option<Vec<f64>>,
}

impl Raw {
    fn kept(
        &self,
        variables: &[Expr],
        response: Option<&ResponseSpec>,
        options: &FrameOptions,
        n: usize,
    ) -> Result<Vec<usize>> {
        let mut sources = Vec::new();
        if let (Some(r), Some(spec)) = (&self.response, response) {
            let exprs = spec.exprs();
            match r {
                RespValues::Num(v) => sources.push((column_label(exprs[0]), MissingSource::Nums(v))),
                RespValues::Cat(ev) => {
                    sources.push((column_label(exprs[0]), MissingSource::Values(&ev.values)))
                }
                RespValues::Two(a, b) => {
                    sources.push((column_label(exprs[0]), MissingSource::Nums(a)));
                    sources.push((column_label(exprs[1]), MissingSource::Nums(b)));
                }
            }
        }
        for (e, ev) in variables.iter().zip(&self.evals) {
            sources.push((column_label(e), MissingSource::Values(&ev.values)));
        }
        if let (Some(w), Some(name)) = (&self.weights, &options.weights) {
            sources.push((name.clone(), MissingSource::Nums(w)));
        }
        if let (Some(o), Some(name)) = (&self.offset, &options.offset) {
            sources.push((name.clone(), MissingSource::Nums(o)));
        }
        MissingCheck { sources }.kept(n, options.na_action)
    }
}

/// A table read for binding: terms, evaluated variables, response, rows kept.
struct Read {
    terms: Terms,
    raw: Raw,
    response: Option<ResponseSpec>,
    kept: Vec<usize>,
    sorted: Vec<bool>,
}

impl Read {
    fn new(formula: &Formula, table: &Table, options: &FrameOptions) -> Result<Read> {
        let names = table.column_names();
        let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let terms = formula.terms(&name_refs)?;
        if let Some(second) = terms.second() {
            if let Some(&v) = second.offsets().first() {
                return Err(DataError::Formula(crate::error::FormulaError::new(
                    formula.text(),
                    terms.variables()[v].position,
                    "`offset()` is only supported before `|`",
                )));
            }
        }
        let evals = terms
            .variables()
            .iter()
            .map(|e| eval_term_variable(table, e))
            .collect::<Result<Vec<_>>>()?;
        let (response, resp_values) = match formula.response() {
            Some(e) => {
                let (s, v) = response_form(table, e)?;
                (Some(s), Some(v))
            }
            None => (None, None),
        };
        let raw = Raw {
            evals,
            response: resp_values,
            weights: read_option(table, options.weights.as_deref(), "as weights")?,
            offset: read_option(table, options.offset.as_deref(), "as the offset")?,
        };
        let kept = raw.kept(terms.variables(), response.as_ref(), options, table.n_rows())?;
        for (ev, e) in raw.evals.iter().zip(terms.variables()) {
            ev.check_given_levels(&e.label(), &kept)?;
        }
        if let (Some(RespValues::Cat(ev)), Some(e)) = (&raw.response, formula.response()) {
            ev.check_given_levels(&e.label(), &kept)?;
        }
        let sorted = raw.evals.iter().map(levels_sorted).collect();
        Ok(Read {
            terms,
            raw,
            response,
            kept,
            sorted,
        })
    }

    /// Variable kinds and the response's training-time details, from the kept rows.
    fn scan(&self, n_rows: usize) -> LevelScan {
        let kept = &self.kept;
        let kinds: Vec<_> = self
            .raw
            .evals
            .iter()
            .map(|ev| encode::kind_of(ev, kept))
            .collect();
        let mut response = self.response.clone();
        let mut response_sorted = true;
        match (&mut response, &self.raw.response) {
            (
                Some(ResponseSpec::Factor {
                    levels,
                    numeric_levels,
                    ..
                }),
                Some(RespValues::Cat(ev)),
            ) => {
                let forced = Evaluated {
                    values: ev.values.clone(),
                    explicit_factor: true,
                    given_levels: ev.given_levels.clone(),
                };
                response_sorted = levels_sorted(&forced);
                if let VariableKind::Factor {
                    levels: l,
                    numeric_levels: nl,
                } = encode::kind_of(&forced, kept)
                {
                    *levels = l;
                    *numeric_levels = nl;
                }
            }
            (Some(ResponseSpec::Surv { one_two, .. }), Some(RespValues::Two(_, status))) => {
                *one_two = kept.iter().any(|&i| status[i] == 2.0);
            }
            _ => {}
        }
        LevelScan {
            kinds,
            sorted: self.sorted.clone(),
            response,
            response_sorted,
            n_rows,
            n_kept: kept.len(),
        }
    }
}

/// Whether a factor's levels are sorted (strings, numbers) rather than kept in dictionary
/// order.
fn levels_sorted(ev: &Evaluated) -> bool {
    ev.given_levels.is_none() && !matches!(&ev.values, Values::Cat(c) if c.source == CatSource::Dict)
}

/// Levels united over parts put back in the order `factor(x, levels = c(..))` gave.
fn in_given_order(expr: &Expr, levels: &mut Vec<String>, numeric_levels: &mut Option<Vec<f64>>) {
    let Some(given) = expr.given_levels() else {
        return;
    };
    let rank = |l: &String| given.iter().position(|g| g == l).unwrap_or(usize::MAX);
    let mut order: Vec<usize> = (0..levels.len()).collect();
    order.sort_by_key(|&i| rank(&levels[i]));
    *levels = order.iter().map(|&i| levels[i].clone()).collect();
    if let Some(values) = numeric_levels {
        *values = order.iter().filter_map(|&i| values.get(i).copied()).collect();
    }
}

impl ModelSpec {
    /// Binds `formula` to the training `table`: fixes variable kinds and factor levels
    /// (from the rows kept), terms, codings and columns, and encodes the table.
    ///
    /// ```
    /// use mle_data::{Formula, FrameOptions, ModelSpec, Table, VariableKind};
    /// let t = Table::from_columns([
    ///     ("y", vec![1.0, 2.0, 3.0, 5.0].into()),
    ///     ("a", vec!["p", "q", "p", "q"].into()),
    ///     ("b", vec!["u", "u", "v", "v"].into()),
    /// ])
    /// .unwrap();
    /// // `a:b` without main effects: R codes both factors in full.
    /// let (spec, frame) = ModelSpec::bind(&Formula::parse("y ~ a:b").unwrap(), &t, FrameOptions::default()).unwrap();
    /// assert_eq!(spec.column_names(), ["(Intercept)", "ap:bu", "aq:bu", "ap:bv", "aq:bv"]);
    /// assert_eq!(spec.variables()[0].kind, VariableKind::Factor { levels: vec!["p".into(), "q".into()], numeric_levels: None });
    /// assert_eq!(frame.n_obs(), 4);
    /// ```
    pub fn bind(formula: &Formula, table: &Table, options: FrameOptions) -> Result<(ModelSpec, ModelFrame)> {
        let read = Read::new(formula, table, &options)?;
        if read.kept.is_empty() {
            return Err(DataError::NoRows {
                dropped: table.n_rows(),
            });
        }
        let scan = read.scan(table.n_rows());
        let spec = ModelSpec::from_read(formula, &read.terms, scan, options)?;
        let frame = spec.assemble(read.raw, read.kept, table.n_rows())?;
        Ok((spec, frame))
    }

    /// Reads `table` as [`ModelSpec::bind`] does and returns only what binding needs from
    /// it — variable kinds with the factor levels of the rows kept, the response's form —
    /// without encoding anything. Scans of the parts of a data set too large to hold (the
    /// row groups of a Parquet file) merge with [`LevelScan::merge`]; [`ModelSpec::from_scan`]
    /// then binds on all the levels, so no part can meet an unseen level. A part may keep
    /// no row or see one level of a factor.
    ///
    /// ```
    /// use mle_data::{Formula, FrameOptions, ModelSpec, Table};
    /// let f = Formula::parse("y ~ g").unwrap();
    /// let a = Table::from_columns([("y", vec![1.0, 2.0].into()), ("g", vec!["b", "b"].into())]).unwrap();
    /// let b = Table::from_columns([("y", vec![3.0].into()), ("g", vec!["a"].into())]).unwrap();
    /// let o = FrameOptions::default();
    /// let scan = ModelSpec::scan(&f, &a, &o).unwrap().merge(ModelSpec::scan(&f, &b, &o).unwrap()).unwrap();
    /// assert_eq!((scan.n_rows(), scan.n_kept()), (3, 3));
    /// let spec = ModelSpec::from_scan(&f, &a.column_names(), scan, o).unwrap();
    /// assert_eq!(spec.column_names(), ["(Intercept)", "gb"]);
    /// ```
    pub fn scan(formula: &Formula, table: &Table, options: &FrameOptions) -> Result<LevelScan> {
        Ok(Read::new(formula, table, options)?.scan(table.n_rows()))
    }

    /// Binds `formula` on a (merged) [`LevelScan`] of tables with the columns `columns`:
    /// the spec [`ModelSpec::bind`] gives on all the scanned rows at once.
    pub fn from_scan(
        formula: &Formula,
        columns: &[String],
        scan: LevelScan,
        options: FrameOptions,
    ) -> Result<ModelSpec> {
        if scan.n_kept == 0 {
            return Err(DataError::NoRows { dropped: scan.n_rows });
        }
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let terms = formula.terms(&names)?;
        ModelSpec::from_read(formula, &terms, scan, options)
    }

    fn from_read(
        formula: &Formula,
        terms: &Terms,
        scan: LevelScan,
        options: FrameOptions,
    ) -> Result<ModelSpec> {
        let variables = terms.variables();
        if scan.kinds.len() != variables.len() {
            return Err(DataError::InvalidSpec("a level scan of another formula".into()));
        }
        let labels = terms.variable_labels();
        let response_label = formula.response().map(Expr::label);
        let dropped = |v: usize| response_label.as_deref() == Some(labels[v].as_str());
        let mut kinds = scan.kinds;
        for (kind, e) in kinds.iter_mut().zip(variables) {
            if let VariableKind::Factor {
                levels,
                numeric_levels,
            } = kind
            {
                in_given_order(e, levels, numeric_levels);
            }
        }
        let mut response = scan.response;
        if let Some(ResponseSpec::Factor {
            expr,
            levels,
            numeric_levels,
            ..
        }) = &mut response
        {
            in_given_order(expr, levels, numeric_levels);
        }
        let parts = terms
            .parts()
            .iter()
            .map(|p| encode::part_spec(p, labels, &kinds, &dropped))
            .collect::<Result<Vec<_>>>()?;
        Ok(ModelSpec {
            formula: formula.text().to_string(),
            variables: variables
                .iter()
                .zip(labels)
                .zip(kinds)
                .map(|((e, l), kind)| Variable {
                    label: l.clone(),
                    expr: e.clone(),
                    kind,
                })
                .collect(),
            response,
            parts,
            offsets: terms.main().offsets().to_vec(),
            options,
        })
    }

    /// Encodes new data exactly as the training data: same columns, levels and codings.
    /// The response (and weights) are read when their columns are there; an offset column
    /// named in the options must be. A factor level not seen in training is an error.
    /// Missing values are handled by the spec's [`NaAction`]; `kept_rows` tells which rows
    /// of `table` the frame holds.
    ///
    /// ```
    /// use mle_data::{FrameOptions, ModelFrame, Table};
    /// let train = Table::from_columns([("y", vec![1.0, 2.0, 4.0].into()), ("x", vec![1.0, 2.0, 3.0].into())]).unwrap();
    /// let frame = ModelFrame::build("y ~ log(x)", &train, FrameOptions::default()).unwrap();
    /// let new = Table::from_columns([("x", vec![Some(1.0), None, Some(10.0)].into())]).unwrap();
    /// let nf = frame.spec().apply(&new).unwrap();
    /// assert_eq!(nf.kept_rows, [0, 2]);
    /// assert_eq!(nf.design.matrix()[(1, 1)], 10f64.ln());
    /// ```
    pub fn apply(&self, table: &Table) -> Result<ModelFrame> {
        self.check()?;
        let exprs: Vec<Expr> = self.variables.iter().map(|v| v.expr.clone()).collect();
        let evals = exprs
            .iter()
            .map(|e| eval_term_variable(table, e))
            .collect::<Result<Vec<_>>>()?;
        let columns = table.column_names();
        let has = |e: &Expr| e.names().iter().all(|n| columns.contains(n));
        let response = match &self.response {
            Some(r) if r.exprs().into_iter().all(has) => Some(eval_response(table, r)?),
            _ => None,
        };
        let weights = match &self.options.weights {
            Some(w) if columns.contains(w) => read_option(table, Some(w), "as weights")?,
            _ => None,
        };
        let raw = Raw {
            evals,
            response,
            weights,
            offset: read_option(table, self.options.offset.as_deref(), "as the offset")?,
        };
        let options = FrameOptions {
            weights: raw.weights.as_ref().and(self.options.weights.clone()),
            ..self.options.clone()
        };
        let kept = raw.kept(&exprs, self.response.as_ref(), &options, table.n_rows())?;
        if kept.is_empty() {
            return Err(DataError::NoRows {
                dropped: table.n_rows(),
            });
        }
        self.assemble(raw, kept, table.n_rows())
    }

    /// Checks the internal consistency of a spec that may come from a file.
    fn check(&self) -> Result<()> {
        let nv = self.variables.len();
        let bad = |what: &str| Err(DataError::InvalidSpec(what.to_string()));
        if self.parts.is_empty() || self.parts.len() > 2 {
            return bad("a spec has one or two parts");
        }
        if self.offsets.iter().any(|&v| v >= nv) {
            return bad("offset variable out of range");
        }
        for p in &self.parts {
            let p_cols = p.column_names.len();
            if p.assign.len() != p_cols {
                return bad("`assign` and the column names differ in length");
            }
            for t in &p.terms {
                if t.columns.end > p_cols || t.columns.start > t.columns.end {
                    return bad("term columns out of range");
                }
                if t.variables.iter().any(|&(v, _)| v >= nv) {
                    return bad("term variable out of range");
                }
            }
        }
        Ok(())
    }

    /// Encodes the kept rows into a frame.
    fn assemble(&self, raw: Raw, kept: Vec<usize>, n_total: usize) -> Result<ModelFrame> {
        let n = kept.len();
        let kinds: Vec<VariableKind> = self.variables.iter().map(|v| v.kind.clone()).collect();
        let mut used = vec![false; self.variables.len()];
        for part in &self.parts {
            for t in part.terms.iter().filter(|t| !t.columns.is_empty()) {
                t.variables.iter().for_each(|&(v, _)| used[v] = true);
            }
        }
        let mut encoded: Vec<Option<Encoded>> = Vec::with_capacity(self.variables.len());
        for ((var, ev), &u) in self.variables.iter().zip(&raw.evals).zip(&used) {
            encoded.push(if u {
                Some(encode_variable(var, ev, &kept)?)
            } else {
                None
            });
        }
        let design = encode::design(&self.parts[0], &kinds, &encoded, &kept)?;
        let second_design = match self.parts.get(1) {
            Some(p) => Some(encode::design(p, &kinds, &encoded, &kept)?),
            None => None,
        };
        let offset = self.offset(&raw, &kept)?;
        let weights = match (&raw.weights, &self.options.weights) {
            (Some(w), Some(name)) => Some(checked(
                w,
                &kept,
                name,
                |x| x.is_finite() && x >= 0.0,
                "weights must be finite and non-negative",
            )?),
            _ => None,
        };
        let response = match (&raw.response, &self.response) {
            (Some(values), Some(spec)) => Some(build_response(spec, values, &kept)?),
            _ => None,
        };
        let second = self.parts.get(1);
        Ok(ModelFrame {
            response,
            design,
            second_design,
            offset,
            weights,
            n_dropped: n_total - n,
            kept_rows: kept,
            term_labels: self.parts[0].term_labels(),
            assign: self.parts[0].assign.clone(),
            second_term_labels: second.map(PartSpec::term_labels).unwrap_or_default(),
            second_assign: second.map(|p| p.assign.clone()).unwrap_or_default(),
            spec: self.clone(),
        })
    }

    fn offset(&self, raw: &Raw, kept: &[usize]) -> Result<Option<Vec<f64>>> {
        if self.offsets.is_empty() && raw.offset.is_none() {
            return Ok(None);
        }
        let mut total = vec![0.0; kept.len()];
        let mut add = |values: &[f64], label: &str| -> Result<()> {
            let v = checked(values, kept, label, f64::is_finite, "the offset must be finite")?;
            total.iter_mut().zip(v).for_each(|(t, x)| *t += x);
            Ok(())
        };
        for &v in &self.offsets {
            if let Values::Num { values, .. } = &raw.evals[v].values {
                add(values, &self.variables[v].label)?;
            }
        }
        if let (Some(o), Some(name)) = (&raw.offset, &self.options.offset) {
            add(o, name)?;
        }
        Ok(Some(total))
    }

    /// The formula text.
    pub fn formula(&self) -> &str {
        &self.formula
    }

    /// The variables, in order of first appearance.
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// The response's form, if the formula has one.
    pub fn response(&self) -> Option<&ResponseSpec> {
        self.response.as_ref()
    }

    /// The main part.
    pub fn main(&self) -> &PartSpec {
        &self.parts[0]
    }

    /// The part after `|`, if any.
    pub fn second(&self) -> Option<&PartSpec> {
        self.parts.get(1)
    }

    /// Term labels of the main part.
    pub fn term_labels(&self) -> Vec<String> {
        self.parts[0].term_labels()
    }

    /// Column names of the main design.
    pub fn column_names(&self) -> &[String] {
        &self.parts[0].column_names
    }

    /// `assign` of the main design.
    pub fn assign(&self) -> &[usize] {
        &self.parts[0].assign
    }

    /// The options it was bound with (weights and offset columns, missing-value action).
    pub fn options(&self) -> &FrameOptions {
        &self.options
    }
}

fn read_option(table: &Table, column: Option<&str>, usage: &str) -> Result<Option<Vec<f64>>> {
    column
        .map(|c| eval::read_numeric(table, c, usage).map(|v| v.0))
        .transpose()
}

/// Values at the kept rows, each passing `ok`, else an error naming the row and column.
pub(crate) fn checked(
    values: &[f64],
    kept: &[usize],
    label: &str,
    ok: impl Fn(f64) -> bool,
    reason: &str,
) -> Result<Vec<f64>> {
    kept.iter()
        .map(|&i| {
            let x = values[i];
            if ok(x) {
                Ok(x)
            } else {
                Err(DataError::InvalidValue {
                    row: i,
                    column: label.to_string(),
                    reason: format!("{reason} (found {x})"),
                })
            }
        })
        .collect()
}

fn encode_variable(var: &Variable, ev: &Evaluated, kept: &[usize]) -> Result<Encoded> {
    match &var.kind {
        VariableKind::Numeric => match &ev.values {
            Values::Num { values, .. } => Ok(Encoded::Num(kept.iter().map(|&i| values[i]).collect())),
            Values::Cat(c) if c.source == CatSource::Bool => Ok(Encoded::Num(
                kept.iter()
                    .map(|&i| c.codes[i].map_or(f64::NAN, f64::from))
                    .collect(),
            )),
            Values::Cat(_) => Err(DataError::NotNumeric {
                column: column_label(&var.expr),
                data_type: "categorical".into(),
                usage: "as a term that was numeric in the training data".into(),
            }),
        },
        VariableKind::Factor {
            levels,
            numeric_levels,
        } => Ok(Encoded::Codes(encode::factor_codes(
            &var.label,
            ev,
            kept,
            levels,
            numeric_levels.as_deref(),
        )?)),
    }
}
