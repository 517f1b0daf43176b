//! Evaluation of formula variables over a table: numbers (`x`, `log(x)`, `I(x^2)`) or
//! categories (string, dictionary and boolean columns, `factor(x)`).

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

use crate::error::{DataError, Result};
use crate::formula::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use crate::table::Table;

/// Where categories come from: decides how levels are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CatSource {
    /// Strings: levels sorted (byte order, R's `sort()` in the C locale).
    Str,
    /// An Arrow dictionary: levels in dictionary order.
    Dict,
    /// Booleans: levels `FALSE`, `TRUE`.
    Bool,
}

/// Categorical values: distinct values and a code per row (`None`: missing).
#[derive(Debug, Clone)]
pub(crate) struct Cat {
    pub dict: Vec<String>,
    pub codes: Vec<Option<u32>>,
    pub source: CatSource,
}

/// An evaluated variable.
#[derive(Debug, Clone)]
pub(crate) enum Values {
    /// Numbers, NaN for missing; `integer` when read from an integer column.
    Num { values: Vec<f64>, integer: bool },
    /// Categories.
    Cat(Cat),
}

impl Values {
    pub(crate) fn is_missing(&self, row: usize) -> bool {
        match self {
            Values::Num { values, .. } => values[row].is_nan(),
            Values::Cat(c) => c.codes[row].is_none(),
        }
    }
}

fn type_name(dt: &DataType) -> String {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "a string column".into(),
        DataType::Dictionary(..) => "a dictionary (factor) column".into(),
        other => format!("of type {other}"),
    }
}

fn cast(column: &str, array: &ArrayRef, to: &DataType) -> Result<ArrayRef> {
    arrow_cast::cast(array, to).map_err(|source| DataError::Arrow {
        context: format!("reading column `{column}`"),
        source,
    })
}

fn is_string(dt: &DataType) -> bool {
    matches!(dt, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// A column of `table` as text (numbers, factors and strings alike, as Arrow casts them):
/// each distinct value is one label, e.g. one cluster of `--cov cluster:COLUMN`.
///
/// ```
/// use mle_data::{text_column, Table};
/// let t = Table::from_columns([("g", vec![1.0, 2.5].into())]).unwrap();
/// assert_eq!(text_column(&t, "g").unwrap().value(1), "2.5");
/// assert!(text_column(&t, "nope").is_err());
/// ```
pub fn text_column(table: &Table, column: &str) -> Result<arrow_array::StringArray> {
    let text = cast(column, table.lookup(column)?, &DataType::Utf8)?;
    text.as_string_opt::<i32>()
        .cloned()
        .ok_or_else(|| DataError::InvalidSpec(format!("column `{column}` cast to Utf8 gave another type")))
}

/// Reads one column as numbers or categories.
pub(crate) fn read_column(table: &Table, name: &str) -> Result<Values> {
    let array = table.lookup(name)?;
    read_array(name, array)
}

fn read_array(name: &str, array: &ArrayRef) -> Result<Values> {
    let dt = array.data_type();
    let n = array.len();
    match dt {
        DataType::Null => Ok(Values::Num {
            values: vec![f64::NAN; n],
            integer: false,
        }),
        dt if dt.is_integer()
            || dt.is_floating()
            || matches!(dt, DataType::Decimal128(..) | DataType::Decimal256(..)) =>
        {
            let f = cast(name, array, &DataType::Float64)?;
            let f = f
                .as_primitive_opt::<arrow_array::types::Float64Type>()
                .ok_or_else(|| unsupported(name, dt))?;
            let values = (0..n)
                .map(|i| if f.is_null(i) { f64::NAN } else { f.value(i) })
                .collect();
            Ok(Values::Num {
                values,
                integer: dt.is_integer(),
            })
        }
        DataType::Boolean => {
            let b = array.as_boolean_opt().ok_or_else(|| unsupported(name, dt))?;
            let codes = (0..n)
                .map(|i| (!b.is_null(i)).then(|| u32::from(b.value(i))))
                .collect();
            Ok(Values::Cat(Cat {
                dict: vec!["FALSE".into(), "TRUE".into()],
                codes,
                source: CatSource::Bool,
            }))
        }
        dt if is_string(dt) => {
            let s = cast(name, array, &DataType::Utf8)?;
            let s = s.as_string_opt::<i32>().ok_or_else(|| unsupported(name, dt))?;
            let mut index: HashMap<&str, u32> = HashMap::new();
            let mut dict = Vec::new();
            let mut codes = Vec::with_capacity(n);
            for i in 0..n {
                if s.is_null(i) {
                    codes.push(None);
                    continue;
                }
                let v = s.value(i);
                let next = dict.len() as u32;
                let code = *index.entry(v).or_insert_with(|| {
                    dict.push(v.to_string());
                    next
                });
                codes.push(Some(code));
            }
            Ok(Values::Cat(Cat {
                dict,
                codes,
                source: CatSource::Str,
            }))
        }
        DataType::Dictionary(_, value_type) => {
            let d = array
                .as_any_dictionary_opt()
                .ok_or_else(|| unsupported(name, dt))?;
            if !is_string(value_type) {
                // e.g. dictionary-encoded numbers: decode and read as their value type.
                let decoded = cast(name, array, value_type)?;
                return read_array(name, &decoded);
            }
            let values = cast(name, d.values(), &DataType::Utf8)?;
            let values = values
                .as_string_opt::<i32>()
                .ok_or_else(|| unsupported(name, dt))?;
            // Dictionary order, a repeated value mapping to its first entry.
            let mut dict: Vec<String> = Vec::new();
            let mut remap: Vec<Option<u32>> = Vec::with_capacity(values.len());
            for j in 0..values.len() {
                if values.is_null(j) {
                    remap.push(None);
                    continue;
                }
                let v = values.value(j);
                let code = match dict.iter().position(|x| x == v) {
                    Some(p) => p as u32,
                    None => {
                        dict.push(v.to_string());
                        (dict.len() - 1) as u32
                    }
                };
                remap.push(Some(code));
            }
            let keys = d.normalized_keys();
            let codes = (0..n)
                .map(|i| {
                    if array.is_null(i) {
                        None
                    } else {
                        keys.get(i).and_then(|&k| remap.get(k).copied().flatten())
                    }
                })
                .collect();
            Ok(Values::Cat(Cat {
                dict,
                codes,
                source: CatSource::Dict,
            }))
        }
        dt => Err(unsupported(name, dt)),
    }
}

fn unsupported(name: &str, dt: &DataType) -> DataError {
    DataError::UnsupportedType {
        column: name.to_string(),
        data_type: dt.to_string(),
    }
}

/// Reads a column as numbers (booleans as 0/1); `usage` says where, for the error.
pub(crate) fn read_numeric(table: &Table, name: &str, usage: &str) -> Result<(Vec<f64>, bool)> {
    match read_column(table, name)? {
        Values::Num { values, integer } => Ok((values, integer)),
        Values::Cat(c) if c.source == CatSource::Bool => Ok((
            c.codes.iter().map(|c| c.map_or(f64::NAN, f64::from)).collect(),
            true,
        )),
        Values::Cat(_) => Err(DataError::NotNumeric {
            column: name.to_string(),
            data_type: type_name(table.lookup(name)?.data_type()),
            usage: usage.to_string(),
        }),
    }
}

/// Evaluates arithmetic to numbers (`usage`: where it is used, for errors).
pub(crate) fn eval_numeric(table: &Table, e: &Expr, usage: &str) -> Result<Vec<f64>> {
    let n = table.n_rows();
    Ok(match &e.kind {
        ExprKind::Name(name) => read_numeric(table, name, usage)?.0,
        ExprKind::Number(v) => vec![*v; n],
        ExprKind::Paren(inner) => eval_numeric(table, inner, usage)?,
        ExprKind::Unary { op, arg } => {
            let mut v = eval_numeric(table, arg, usage)?;
            if *op == UnaryOp::Minus {
                v.iter_mut().for_each(|x| *x = -*x);
            }
            v
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let mut a = eval_numeric(table, lhs, usage)?;
            let b = eval_numeric(table, rhs, usage)?;
            let f: fn(f64, f64) -> f64 = match op {
                BinaryOp::Add => |x, y| x + y,
                BinaryOp::Sub => |x, y| x - y,
                BinaryOp::Mul => |x, y| x * y,
                BinaryOp::Div => |x, y| x / y,
                BinaryOp::Pow => f64::powf,
                BinaryOp::Colon => return Err(not_arithmetic(e)),
            };
            a.iter_mut().zip(&b).for_each(|(x, y)| *x = f(*x, *y));
            a
        }
        ExprKind::Call { name, args } => {
            let Some(first) = args.first() else {
                return Err(not_arithmetic(e));
            };
            let mut v = eval_numeric(table, first, usage)?;
            let f: fn(f64) -> f64 = match name.as_str() {
                "I" => |x| x,
                "log" if args.len() == 2 => {
                    let base = eval_numeric(table, &args[1], usage)?;
                    v.iter_mut().zip(&base).for_each(|(x, b)| *x = x.ln() / b.ln());
                    return Ok(v);
                }
                "log" => f64::ln,
                "log2" => f64::log2,
                "log10" => f64::log10,
                "log1p" => f64::ln_1p,
                "exp" => f64::exp,
                "sqrt" => f64::sqrt,
                "abs" => f64::abs,
                _ => return Err(not_arithmetic(e)),
            };
            v.iter_mut().for_each(|x| *x = f(*x));
            v
        }
        ExprKind::Dot | ExprKind::Str(_) | ExprKind::Named { .. } => return Err(not_arithmetic(e)),
    })
}

fn not_arithmetic(e: &Expr) -> DataError {
    // The parser's checks exclude these; kept as an error rather than a panic.
    DataError::Formula(crate::error::FormulaError::new(
        &e.label(),
        0,
        "not an arithmetic expression",
    ))
}

/// Evaluates a model variable: a plain name keeps its column's nature; `factor(x)` / `C(x)`
/// gives categories (numbers become levels); anything else is arithmetic.
pub(crate) fn eval_variable(table: &Table, e: &Expr) -> Result<Evaluated> {
    match &e.kind {
        ExprKind::Name(name) => Ok(Evaluated {
            values: read_column(table, name)?,
            explicit_factor: false,
            given_levels: None,
        }),
        ExprKind::Call { name, args }
            if ((name == "factor" || name == "ordered") && (1..=2).contains(&args.len()))
                || (name == "C" && args.len() == 1) =>
        {
            let values = match &args[0].kind {
                ExprKind::Name(col) => read_column(table, col)?,
                _ => Values::Num {
                    values: eval_numeric(table, &args[0], &format!("inside `{}`", e.label()))?,
                    integer: false,
                },
            };
            Ok(Evaluated {
                values,
                explicit_factor: true,
                given_levels: e.given_levels(),
            })
        }
        _ => Ok(Evaluated {
            values: Values::Num {
                values: eval_numeric(table, e, &format!("inside `{}`", e.label()))?,
                integer: false,
            },
            explicit_factor: false,
            given_levels: None,
        }),
    }
}

/// A variable's values, and whether `factor()`/`C()` asked for categories.
#[derive(Debug, Clone)]
pub(crate) struct Evaluated {
    pub values: Values,
    pub explicit_factor: bool,
    /// The levels written in `factor(x, levels = c(..))` / `ordered(..)`, in their order.
    pub given_levels: Option<Vec<String>>,
}

impl Evaluated {
    /// With levels given, every kept row's value must be one of them: the first that is not
    /// is an error naming its row (R would make it `NA` and drop the row silently).
    pub(crate) fn check_given_levels(&self, label: &str, kept: &[usize]) -> Result<()> {
        let Some(given) = &self.given_levels else {
            return Ok(());
        };
        let bad = |row: usize, value: String| DataError::InvalidValue {
            row,
            column: label.to_string(),
            reason: format!(
                "value `{value}` is not among the levels given ({})",
                given.join(", ")
            ),
        };
        match &self.values {
            Values::Cat(c) => {
                let known: Vec<bool> = c.dict.iter().map(|d| given.contains(d)).collect();
                for &i in kept {
                    if let Some(code) = c.codes.get(i).copied().flatten() {
                        if !known.get(code as usize).copied().unwrap_or(false) {
                            return Err(bad(i, c.dict.get(code as usize).cloned().unwrap_or_default()));
                        }
                    }
                }
            }
            Values::Num { values, integer } => {
                for &i in kept {
                    let v = values[i];
                    if !v.is_nan() {
                        let label = crate::encode::number_label(v, *integer);
                        if !given.contains(&label) {
                            return Err(bad(i, label));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
