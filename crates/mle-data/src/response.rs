//! The response: its form ([`ResponseSpec`]), fixed on the training data, and its values.

use serde::{Deserialize, Serialize};

use crate::encode;
use crate::error::{DataError, Result};
use crate::eval::{self, CatSource, Evaluated, Values};
use crate::formula::ast::{Expr, ExprKind};
use crate::frame::Response;
use crate::spec::{checked, column_label};
use crate::table::Table;

/// The response's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ResponseSpec {
    /// Numbers (`y`, `log(y)`, a boolean column as 0/1).
    Numeric {
        /// The expression.
        expr: Expr,
    },
    /// A factor response with its training levels.
    Factor {
        /// The expression (`y` or `factor(y)`).
        expr: Expr,
        /// Levels.
        levels: Vec<String>,
        /// For `factor()` of numbers, the level values.
        numeric_levels: Option<Vec<f64>>,
        /// Where the order of the levels comes from.
        #[serde(default)]
        order: LevelOrder,
    },
    /// `cbind(successes, failures)`.
    Binomial {
        /// Successes.
        successes: Expr,
        /// Failures.
        failures: Expr,
    },
    /// `Surv(time, status)`.
    Surv {
        /// Times.
        time: Expr,
        /// Status.
        status: Expr,
        /// Status was coded 1/2 (1 = censored, 2 = event) in the training data.
        one_two: bool,
    },
}

/// Where the order of a factor response's levels comes from. An ordinal fit takes only an
/// order that means something: numbers, booleans, or levels given explicitly — never the
/// spelling of strings.
///
/// ```
/// use mle_data::{Formula, FrameOptions, LevelOrder, ModelSpec, ResponseSpec, Table};
/// let t = Table::from_columns([("s", vec!["low", "high", "mid"].into()), ("x", vec![1.0, 2.0, 3.0].into())]).unwrap();
/// let order = |f: &str| {
///     let (spec, _) = ModelSpec::bind(&Formula::parse(f).unwrap(), &t, FrameOptions::default()).unwrap();
///     match spec.response() {
///         Some(ResponseSpec::Factor { levels, order, .. }) => (levels.clone(), *order),
///         r => panic!("{r:?}"),
///     }
/// };
/// assert_eq!(order("s ~ x"), (vec!["high".into(), "low".into(), "mid".into()], LevelOrder::Sorted));
/// assert_eq!(
///     order(r#"ordered(s, levels = c("low", "mid", "high")) ~ x"#),
///     (vec!["low".into(), "mid".into(), "high".into()], LevelOrder::Given)
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LevelOrder {
    /// Strings sorted bytewise (R's default for a character column): an order from spelling.
    #[default]
    Sorted,
    /// `factor()` of numbers: numerically.
    Numeric,
    /// Booleans: `FALSE`, `TRUE`.
    Boolean,
    /// An Arrow dictionary's order (an encoding, not necessarily a meaning).
    Dictionary,
    /// Given: `factor(x, levels = c(..))`, `ordered(x, levels = c(..))`, or
    /// [`crate::FormulaOptions::levels`].
    Given,
}

impl LevelOrder {
    fn of(ev: &Evaluated) -> LevelOrder {
        if ev.given_levels.is_some() {
            return LevelOrder::Given;
        }
        match &ev.values {
            Values::Num { .. } => LevelOrder::Numeric,
            Values::Cat(c) => match c.source {
                CatSource::Bool => LevelOrder::Boolean,
                CatSource::Dict => LevelOrder::Dictionary,
                _ => LevelOrder::Sorted,
            },
        }
    }

    /// Whether the order means something for an ordered response (not [`LevelOrder::Sorted`]
    /// or [`LevelOrder::Dictionary`]).
    pub fn is_meaningful(self) -> bool {
        matches!(
            self,
            LevelOrder::Numeric | LevelOrder::Boolean | LevelOrder::Given
        )
    }
}

impl ResponseSpec {
    pub(crate) fn exprs(&self) -> Vec<&Expr> {
        match self {
            ResponseSpec::Numeric { expr } | ResponseSpec::Factor { expr, .. } => vec![expr],
            ResponseSpec::Binomial { successes, failures } => vec![successes, failures],
            ResponseSpec::Surv { time, status, .. } => vec![time, status],
        }
    }
}

/// Evaluated response components.
pub(crate) enum RespValues {
    Num(Vec<f64>),
    Two(Vec<f64>, Vec<f64>),
    Cat(Evaluated),
}

fn response_usage(e: &Expr) -> String {
    format!("in the response `{}`", e.label())
}

/// Evaluates a response whose form is known.
pub(crate) fn eval_response(table: &Table, r: &ResponseSpec) -> Result<RespValues> {
    Ok(match r {
        ResponseSpec::Numeric { expr } => RespValues::Num(numeric_response(table, expr)?),
        ResponseSpec::Factor { expr, .. } => RespValues::Cat(eval::eval_variable(table, expr)?),
        ResponseSpec::Binomial {
            successes: a,
            failures: b,
        }
        | ResponseSpec::Surv {
            time: a, status: b, ..
        } => {
            let whole = match r {
                ResponseSpec::Binomial { .. } => format!("cbind({a}, {b})"),
                _ => format!("Surv({a}, {b})"),
            };
            let usage = format!("in the response `{whole}`");
            RespValues::Two(
                eval::eval_numeric(table, a, &usage)?,
                eval::eval_numeric(table, b, &usage)?,
            )
        }
    })
}

fn numeric_response(table: &Table, e: &Expr) -> Result<Vec<f64>> {
    match &e.kind {
        ExprKind::Name(n) => Ok(eval::read_numeric(table, n, "as the numeric response")?.0),
        _ => eval::eval_numeric(table, e, &response_usage(e)),
    }
}

/// The response's form from the training data (levels filled in later).
pub(crate) fn response_form(table: &Table, e: &Expr) -> Result<(ResponseSpec, RespValues)> {
    if let ExprKind::Call { name, args } = &e.kind {
        if (name == "cbind" || name == "Surv") && args.len() == 2 {
            let spec = if name == "cbind" {
                ResponseSpec::Binomial {
                    successes: args[0].clone(),
                    failures: args[1].clone(),
                }
            } else {
                ResponseSpec::Surv {
                    time: args[0].clone(),
                    status: args[1].clone(),
                    one_two: false,
                }
            };
            let values = eval_response(table, &spec)?;
            return Ok((spec, values));
        }
    }
    let categorical = match &e.kind {
        ExprKind::Name(_) => true,
        ExprKind::Call { name, .. } => name == "factor" || name == "ordered" || name == "C",
        _ => false,
    };
    if !categorical {
        let spec = ResponseSpec::Numeric { expr: e.clone() };
        return Ok((spec, RespValues::Num(numeric_response(table, e)?)));
    }
    let ev = eval::eval_variable(table, e)?;
    let factor = match &ev.values {
        Values::Cat(c) => ev.explicit_factor || c.source != CatSource::Bool,
        Values::Num { .. } => ev.explicit_factor,
    };
    if factor {
        let spec = ResponseSpec::Factor {
            expr: e.clone(),
            levels: Vec::new(),
            numeric_levels: None,
            order: LevelOrder::of(&ev),
        };
        Ok((spec, RespValues::Cat(ev)))
    } else {
        let spec = ResponseSpec::Numeric { expr: e.clone() };
        Ok((spec, RespValues::Num(numeric_response(table, e)?)))
    }
}

pub(crate) fn build_response(spec: &ResponseSpec, values: &RespValues, kept: &[usize]) -> Result<Response> {
    let at = |v: &[f64]| kept.iter().map(|&i| v[i]).collect::<Vec<_>>();
    Ok(match (spec, values) {
        (ResponseSpec::Numeric { .. }, RespValues::Num(v)) => Response::Numeric(at(v)),
        (
            ResponseSpec::Factor {
                expr,
                levels,
                numeric_levels,
                ..
            },
            RespValues::Cat(ev),
        ) => Response::Factor {
            levels: levels.clone(),
            codes: encode::factor_codes(&expr.label(), ev, kept, levels, numeric_levels.as_deref())?,
        },
        (ResponseSpec::Binomial { successes, failures }, RespValues::Two(s, f)) => {
            let ok = |x: f64| x.is_finite() && x >= 0.0;
            let s = checked(
                s,
                kept,
                &column_label(successes),
                ok,
                "counts must be finite and non-negative",
            )?;
            let f = checked(
                f,
                kept,
                &column_label(failures),
                ok,
                "counts must be finite and non-negative",
            )?;
            let trials = s.iter().zip(&f).map(|(a, b)| a + b).collect();
            Response::Binomial { successes: s, trials }
        }
        (
            ResponseSpec::Surv {
                time,
                status,
                one_two,
            },
            RespValues::Two(t, st),
        ) => {
            let shift = if *one_two { 1.0 } else { 0.0 };
            let reason = if *one_two {
                "Surv status must be 1 (censored) or 2 (event), as in the training data"
            } else {
                "Surv status must be 0/1 (or 1/2 with 2 = event)"
            };
            let two = *one_two;
            let valid = |x: f64| {
                if two {
                    x == 1.0 || x == 2.0
                } else {
                    x == 0.0 || x == 1.0
                }
            };
            let status = checked(st, kept, &column_label(status), valid, reason)?
                .into_iter()
                .map(|x| x - shift)
                .collect();
            Response::Surv {
                time: checked(t, kept, &column_label(time), |x| !x.is_nan(), "time is missing")?,
                status,
            }
        }
        _ => {
            return Err(DataError::InvalidValue {
                row: 0,
                column: "response".into(),
                reason: "the response's form differs from the training data".into(),
            })
        }
    })
}
