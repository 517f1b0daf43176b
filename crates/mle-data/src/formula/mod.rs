//! R-style model formulas: parsing, labels and expansion into terms.
//!
//! The grammar is R's: `~`, `+`, `-`, `*`, `/`, `:`, `^`, parentheses, `.`, `0`/`1`,
//! backticked names, `log()`, `log2()`, `log10()`, `log1p()`, `exp()`, `sqrt()`, `abs()`,
//! `I()` (arithmetic with `+ - * / ^` and numbers), `factor()` / `ordered()` / `C()` (levels in a
//! given order: `factor(x, levels = c("low", "high"))`, `ordered(x, c("low", "high"))`; strings
//! only there), `offset()`;
//! responses `y`, `log(y)`, `cbind(successes, failures)`, `Surv(time, status)`; and a
//! second right-hand part after `|`.

pub(crate) mod ast;
mod lexer;
mod parser;

use serde::{Deserialize, Serialize};

pub use ast::{format_double, BinaryOp, Expr, ExprKind, UnaryOp};

use crate::error::FormulaError;
use crate::terms::{expand, Terms};

/// A parsed formula.
///
/// ```
/// use mle_data::Formula;
/// let f = Formula::parse("log(y) ~ x * g + offset(log(n)) | z").unwrap();
/// assert_eq!(f.response().unwrap().label(), "log(y)");
/// assert_eq!(f.rhs().label(), "x * g + offset(log(n))");
/// assert_eq!(f.second_rhs().unwrap().label(), "z");
/// assert_eq!(f.term_labels(&[]).unwrap(), ["x", "g", "x:g"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Formula {
    text: String,
    response: Option<Expr>,
    rhs: Expr,
    second: Option<Expr>,
}

impl Formula {
    /// Parses a formula. Never panics: any input gives `Ok` or a [`FormulaError`] with the
    /// position of the problem.
    ///
    /// ```
    /// let e = mle_data::Formula::parse("y ~ x + foo(z)").unwrap_err();
    /// assert_eq!(e.position, 8);
    /// assert!(e.to_string().contains("unknown function `foo`"));
    /// ```
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        let p = parser::parse(text)?;
        Ok(Formula {
            text: text.to_string(),
            response: p.response,
            rhs: p.rhs,
            second: p.second,
        })
    }

    /// The formula with its response read as `ordered(y, levels = c(..))`: `y` a name, or
    /// `factor(y)` / `ordered(y)` without levels. Errors: no response, a response of another
    /// form, levels already written in the formula, an empty list or a level given twice.
    ///
    /// ```
    /// let f = mle_data::Formula::parse("sat ~ x").unwrap().with_response_levels(&["low", "high"]).unwrap();
    /// assert_eq!(f.response().unwrap().label(), r#"ordered(sat, levels = c("low", "high"))"#);
    /// assert!(mle_data::Formula::parse("log(y) ~ x").unwrap().with_response_levels(&["a"]).is_err());
    /// ```
    pub fn with_response_levels<S: AsRef<str>>(&self, levels: &[S]) -> Result<Formula, FormulaError> {
        let error = |pos: usize, msg: String| FormulaError::new(&self.text, pos, msg);
        let Some(response) = &self.response else {
            return Err(error(
                0,
                "levels are given for a response, and the formula has none".into(),
            ));
        };
        let pos = response.position;
        let variable = match &response.kind {
            ExprKind::Name(_) => response.clone(),
            ExprKind::Call { name, args } if (name == "factor" || name == "ordered") && args.len() == 1 => {
                args[0].clone()
            }
            ExprKind::Call { name, args } if (name == "factor" || name == "ordered") && args.len() == 2 => {
                return Err(error(
                    pos,
                    format!("the response `{}` already gives its levels", response.label()),
                ))
            }
            _ => {
                return Err(error(
                    pos,
                    format!(
                        "levels can be given only for a factor response (a column, or factor(y)), not `{}`",
                        response.label()
                    ),
                ))
            }
        };
        let mut items = Vec::with_capacity(levels.len());
        for l in levels {
            let l = l.as_ref();
            if items
                .iter()
                .any(|e: &Expr| matches!(&e.kind, ExprKind::Str(s) if s == l))
            {
                return Err(error(pos, format!("level `{l}` is given twice")));
            }
            items.push(Expr::new(ExprKind::Str(l.to_string()), pos));
        }
        if items.is_empty() {
            return Err(error(pos, "no levels given".into()));
        }
        let c = Expr::new(
            ExprKind::Call {
                name: "c".into(),
                args: items,
            },
            pos,
        );
        let named = Expr::new(
            ExprKind::Named {
                name: "levels".into(),
                value: Box::new(c),
            },
            pos,
        );
        let ordered = Expr::new(
            ExprKind::Call {
                name: "ordered".into(),
                args: vec![variable, named],
            },
            pos,
        );
        Ok(Formula {
            text: self.text.clone(),
            response: Some(ordered),
            rhs: self.rhs.clone(),
            second: self.second.clone(),
        })
    }

    /// The text as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The left-hand side, if any.
    pub fn response(&self) -> Option<&Expr> {
        self.response.as_ref()
    }

    /// The right-hand side (before `|`).
    pub fn rhs(&self) -> &Expr {
        &self.rhs
    }

    /// The part after `|`, if any.
    pub fn second_rhs(&self) -> Option<&Expr> {
        self.second.as_ref()
    }

    /// Expands the right-hand side(s) into terms, as R's `terms()`; `columns` are the
    /// table's column names, needed only for `.`.
    ///
    /// ```
    /// let f = mle_data::Formula::parse("y ~ .").unwrap();
    /// let t = f.terms(&["y", "a", "b"]).unwrap();
    /// assert_eq!(t.main().labels(), ["a", "b"]);
    /// ```
    pub fn terms(&self, columns: &[&str]) -> Result<Terms, FormulaError> {
        let mut parts = vec![&self.rhs];
        parts.extend(self.second.as_ref());
        expand(&self.text, self.response.as_ref(), &parts, columns)
    }

    /// The term labels of the main part (R's `attr(terms(f), "term.labels")`).
    ///
    /// ```
    /// let f = mle_data::Formula::parse("y ~ (a + b + c)^2").unwrap();
    /// assert_eq!(f.term_labels(&[]).unwrap(), ["a", "b", "c", "a:b", "a:c", "b:c"]);
    /// ```
    pub fn term_labels(&self, columns: &[&str]) -> Result<Vec<String>, FormulaError> {
        Ok(self.terms(columns)?.main().labels().to_vec())
    }
}

impl std::str::FromStr for Formula {
    type Err = FormulaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Formula::parse(s)
    }
}

impl std::fmt::Display for Formula {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
