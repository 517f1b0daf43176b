//! Expansion of a formula's right-hand side into model terms, following R's `terms()`
//! (`stats/src/model.c`): `a*b = a + b + a:b`, `a/b = a + a:b`, `(a+b)^2`, `-` removes
//! terms (and `- 1` / `+ 0` the intercept), repeats are dropped, `offset()` terms are set
//! apart, and terms are ordered by degree keeping their order of appearance within one.

use serde::{Deserialize, Serialize};

use crate::error::FormulaError;
use crate::formula::ast::{BinaryOp, Expr, ExprKind, UnaryOp};

/// At most this many terms in one part (guards `(a+b+…)^k` and `.^k`).
const MAX_TERMS: usize = 50_000;

/// A term: the indices of its variables, ascending (the order variables first appear).
pub(crate) type Term = Vec<usize>;

/// One right-hand part of a formula, expanded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermPart {
    pub(crate) intercept: bool,
    pub(crate) terms: Vec<Term>,
    pub(crate) labels: Vec<String>,
    pub(crate) offsets: Vec<usize>,
}

impl TermPart {
    /// Whether the part has an intercept.
    pub fn intercept(&self) -> bool {
        self.intercept
    }

    /// Term labels in model order, as R's `attr(terms(f), "term.labels")`.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// For each term, the indices of its variables into [`Terms::variables`].
    pub fn term_variables(&self) -> &[Vec<usize>] {
        &self.terms
    }

    /// Indices (into [`Terms::variables`]) of the `offset(...)` variables.
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }
}

/// A formula's right-hand side(s) expanded into terms over a list of variables.
///
/// ```
/// let f = mle_data::Formula::parse("y ~ (a + b + c)^2 - a:b").unwrap();
/// let t = f.terms(&[]).unwrap();
/// assert_eq!(t.main().labels(), ["a", "b", "c", "a:c", "b:c"]);
/// assert!(t.main().intercept());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Terms {
    pub(crate) variables: Vec<Expr>,
    pub(crate) variable_labels: Vec<String>,
    pub(crate) parts: Vec<TermPart>,
}

impl Terms {
    /// The variables (distinct expressions such as `x`, `log(x)`, `factor(cyl)`), in order of
    /// first appearance.
    pub fn variables(&self) -> &[Expr] {
        &self.variables
    }

    /// The variables' labels.
    pub fn variable_labels(&self) -> &[String] {
        &self.variable_labels
    }

    /// The part before `|` (or the whole right-hand side).
    pub fn main(&self) -> &TermPart {
        &self.parts[0]
    }

    /// The part after `|`, if any.
    pub fn second(&self) -> Option<&TermPart> {
        self.parts.get(1)
    }

    pub(crate) fn parts(&self) -> &[TermPart] {
        &self.parts
    }
}

struct Expander<'a> {
    text: &'a str,
    columns: &'a [&'a str],
    /// Names in the response, left out of `.`.
    exclude: Vec<String>,
    vars: Vec<Expr>,
    labels: Vec<String>,
    intercept: bool,
    parity: bool,
}

/// Expands the right-hand parts `rhs` (and `second`) against the table's columns (for `.`).
pub(crate) fn expand(
    text: &str,
    response: Option<&Expr>,
    parts: &[&Expr],
    columns: &[&str],
) -> Result<Terms, FormulaError> {
    let mut ex = Expander {
        text,
        columns,
        exclude: response.map(Expr::names).unwrap_or_default(),
        vars: Vec::new(),
        labels: Vec::new(),
        intercept: true,
        parity: true,
    };
    let mut out = Vec::new();
    for part in parts {
        ex.intercept = true;
        ex.parity = true;
        let mut terms = ex.encode(part)?;
        let is_offset = |v: usize, ex: &Expander| matches!(&ex.vars[v].kind, ExprKind::Call { name, .. } if name == "offset");
        let offsets: Vec<usize> = terms
            .iter()
            .filter(|t| t.len() == 1 && is_offset(t[0], &ex))
            .map(|t| t[0])
            .collect();
        terms.retain(|t| !t.iter().any(|&v| is_offset(v, &ex)));
        // Stable sort by degree (R: "reorder the model terms by BitCount").
        terms.sort_by_key(Vec::len);
        let labels = terms
            .iter()
            .map(|t| {
                t.iter()
                    .map(|&v| ex.labels[v].as_str())
                    .collect::<Vec<_>>()
                    .join(":")
            })
            .collect();
        out.push(TermPart {
            intercept: ex.intercept,
            terms,
            labels,
            offsets,
        });
    }
    Ok(Terms {
        variables: ex.vars,
        variable_labels: ex.labels,
        parts: out,
    })
}

fn trim(terms: Vec<Term>) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::with_capacity(terms.len());
    let mut seen = std::collections::HashSet::new();
    for t in terms {
        if !t.is_empty() && seen.insert(t.clone()) {
            out.push(t);
        }
    }
    out
}

fn union(a: &[usize], b: &[usize]) -> Term {
    let mut t: Term = a.iter().chain(b).copied().collect();
    t.sort_unstable();
    t.dedup();
    t
}

impl Expander<'_> {
    fn error(&self, e: &Expr, msg: impl Into<String>) -> FormulaError {
        FormulaError::new(self.text, e.position, msg)
    }

    fn install(&mut self, e: Expr) -> usize {
        let label = e.label();
        if let Some(i) = self.labels.iter().position(|l| *l == label) {
            return i;
        }
        self.vars.push(e);
        self.labels.push(label);
        self.vars.len() - 1
    }

    fn cap(&self, e: &Expr, n: usize) -> Result<(), FormulaError> {
        if n > MAX_TERMS {
            Err(self.error(e, format!("the formula expands to more than {MAX_TERMS} terms")))
        } else {
            Ok(())
        }
    }

    fn encode(&mut self, e: &Expr) -> Result<Vec<Term>, FormulaError> {
        match &e.kind {
            ExprKind::Number(v) => {
                // R: `1` sets the intercept, `0` removes it; inverted on the right of `-`.
                self.intercept = if *v == 1.0 { self.parity } else { !self.parity };
                Ok(Vec::new())
            }
            ExprKind::Dot => {
                if self.columns.is_empty() {
                    return Err(self.error(
                        e,
                        "`.` stands for the table's other columns, but no table is given",
                    ));
                }
                let cols: Vec<&str> = self.columns.to_vec();
                let mut out = Vec::new();
                for c in cols {
                    if !self.exclude.iter().any(|x| x == c) {
                        let v = self.install(Expr::new(ExprKind::Name(c.to_string()), e.position));
                        out.push(vec![v]);
                    }
                }
                Ok(trim(out))
            }
            ExprKind::Name(_) | ExprKind::Call { .. } => Ok(vec![vec![self.install(e.clone())]]),
            // The parser admits these only inside `factor(x, levels = c(..))`.
            ExprKind::Str(_) | ExprKind::Named { .. } => {
                Err(self.error(e, "a string or named argument cannot stand as a term"))
            }
            ExprKind::Paren(inner) => self.encode(inner),
            ExprKind::Unary {
                op: UnaryOp::Plus,
                arg,
            } => self.encode(arg),
            ExprKind::Unary {
                op: UnaryOp::Minus,
                arg,
            } => self.delete(Vec::new(), arg),
            ExprKind::Binary { .. } => {
                // The left spine iteratively (a chain `a + b + …` is as deep as it is long),
                // applying the operators innermost first: R's left-to-right order.
                let mut spine = Vec::new();
                let mut node = e;
                while let ExprKind::Binary { op, lhs, rhs } = &node.kind {
                    spine.push((node, *op, rhs.as_ref()));
                    node = lhs;
                }
                let mut terms = self.encode(node)?;
                for (whole, op, rhs) in spine.into_iter().rev() {
                    terms = self.apply(whole, op, terms, rhs)?;
                    self.cap(whole, terms.len())?;
                }
                Ok(terms)
            }
        }
    }

    fn apply(&mut self, e: &Expr, op: BinaryOp, l: Vec<Term>, rhs: &Expr) -> Result<Vec<Term>, FormulaError> {
        Ok(match op {
            BinaryOp::Add => {
                let mut l = l;
                l.extend(self.encode(rhs)?);
                trim(l)
            }
            BinaryOp::Sub => self.delete(l, rhs)?,
            BinaryOp::Colon => {
                let r = self.encode(rhs)?;
                self.interact(e, &l, &r)?
            }
            BinaryOp::Mul => {
                let r = self.encode(rhs)?;
                let i = self.interact(e, &l, &r)?;
                trim(l.into_iter().chain(r).chain(i).collect())
            }
            BinaryOp::Div => {
                let r = self.encode(rhs)?;
                let all = l.iter().fold(Vec::new(), |acc, t| union(&acc, t));
                let nested: Vec<Term> = r.iter().map(|t| union(&all, t)).collect();
                trim(l.into_iter().chain(nested).collect())
            }
            BinaryOp::Pow => {
                let n = match rhs.kind {
                    ExprKind::Number(v) if v >= 2.0 && v.fract() == 0.0 => v.min(1e6) as usize,
                    _ => return Err(self.error(rhs, "invalid power in formula")),
                };
                self.power(e, &l, n)?
            }
        })
    }

    fn delete(&mut self, left: Vec<Term>, rhs: &Expr) -> Result<Vec<Term>, FormulaError> {
        self.parity = !self.parity;
        let right = self.encode(rhs);
        self.parity = !self.parity;
        let right: std::collections::HashSet<Term> = right?.into_iter().collect();
        Ok(left.into_iter().filter(|t| !right.contains(t)).collect())
    }

    fn interact(&self, e: &Expr, l: &[Term], r: &[Term]) -> Result<Vec<Term>, FormulaError> {
        self.cap(e, l.len().saturating_mul(r.len()) / 100)?;
        let mut out = Vec::with_capacity(l.len() * r.len());
        for a in l {
            for b in r {
                out.push(union(a, b));
            }
        }
        Ok(trim(out))
    }

    /// R's `PowerTerms`: `right = left`, then `right = trim(left × right)` n − 1 times.
    fn power(&self, e: &Expr, left: &[Term], n: usize) -> Result<Vec<Term>, FormulaError> {
        let mut right = left.to_vec();
        for _ in 1..n {
            let next = self.interact(e, left, &right)?;
            if next == right {
                break; // a fixed point: further rounds give the same list
            }
            right = next;
            self.cap(e, right.len())?;
        }
        Ok(right)
    }
}

#[cfg(test)]
mod tests {
    use crate::Formula;

    fn labels(f: &str, cols: &[&str]) -> (Vec<String>, bool) {
        let t = Formula::parse(f).unwrap().terms(cols).unwrap();
        (t.main().labels().to_vec(), t.main().intercept())
    }

    fn l(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn expansion_matches_r_terms() {
        // Each expected list is `attr(terms(f), "term.labels")` printed by R 4.2.
        let cases: &[(&str, &[&str], bool)] = &[
            ("y ~ a*b", &["a", "b", "a:b"], true),
            ("y ~ b*a", &["b", "a", "b:a"], true),
            ("y ~ a + b + b:a", &["a", "b", "a:b"], true),
            ("y ~ g:f + f", &["f", "g:f"], true),
            ("y ~ (a+b+c)^2", &["a", "b", "c", "a:b", "a:c", "b:c"], true),
            (
                "y ~ (a+b+c)^3",
                &["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"],
                true,
            ),
            ("y ~ a*b*c - a:b:c", &["a", "b", "c", "a:b", "a:c", "b:c"], true),
            ("y ~ a/b", &["a", "a:b"], true),
            ("y ~ (a+b)/c", &["a", "b", "a:b:c"], true),
            ("y ~ x - 1", &["x"], false),
            ("y ~ -1 + x", &["x"], false),
            ("y ~ x + 0", &["x"], false),
            ("y ~ 0 + x + 1", &["x"], true),
            ("y ~ x - 0", &["x"], true),
            ("y ~ a:b + a + a", &["a", "a:b"], true),
            ("y ~ a + b - b", &["a"], true),
            ("y ~ x + offset(log(z))", &["x"], true),
            ("y ~ a:a", &["a"], true),
            ("y ~ 1", &[], true),
            ("y ~ 0", &[], false),
            (
                "y ~ (a+b+c+d)^3",
                &[
                    "a", "b", "c", "d", "a:b", "a:c", "a:d", "b:c", "b:d", "c:d", "a:b:c", "a:b:d", "a:c:d",
                    "b:c:d",
                ],
                true,
            ),
            ("y ~ a*(b+c) - a", &["b", "c", "a:b", "a:c"], true),
            ("y ~ a:(b+c)", &["a:b", "a:c"], true),
            ("y ~ (a+b)^5", &["a", "b", "a:b"], true),
            ("y ~ b:a + a:c + c", &["c", "b:a", "a:c"], true),
        ];
        for (f, want, icpt) in cases {
            assert_eq!(labels(f, &[]), (l(want), *icpt), "{f}");
        }
    }

    #[test]
    fn dot_expands_to_other_columns() {
        let cols = ["y", "x", "z", "f"];
        assert_eq!(labels("y ~ .", &cols).0, l(&["x", "z", "f"]));
        assert_eq!(labels("log(y) ~ .", &cols).0, l(&["x", "z", "f"]));
        assert_eq!(labels("cbind(x, z) ~ .", &cols).0, l(&["y", "f"]));
        assert_eq!(labels("y ~ z + .", &cols).0, l(&["z", "x", "f"]));
        assert_eq!(labels("y ~ . - z", &cols).0, l(&["x", "f"]));
        assert_eq!(labels("y ~ .^2", &["y", "a", "b"]).0, l(&["a", "b", "a:b"]));
        assert_eq!(labels("y ~ .", &["y", "a b"]).0, l(&["`a b`"]));
        let e = Formula::parse("y ~ .").unwrap().terms(&[]).unwrap_err();
        assert_eq!(e.position, 4);
    }

    #[test]
    fn offsets_are_set_apart() {
        let t = Formula::parse("y ~ x + offset(log(z)) + offset(w)")
            .unwrap()
            .terms(&[])
            .unwrap();
        let off: Vec<&str> = t
            .main()
            .offsets()
            .iter()
            .map(|&v| t.variable_labels()[v].as_str())
            .collect();
        assert_eq!(off, ["offset(log(z))", "offset(w)"]);
    }

    #[test]
    fn second_part_has_its_own_intercept() {
        let t = Formula::parse("y ~ x1 + x2 - 1 | z1")
            .unwrap()
            .terms(&[])
            .unwrap();
        assert!(!t.main().intercept());
        let s = t.second().unwrap();
        assert!(s.intercept());
        assert_eq!(s.labels(), ["z1"]);
    }

    #[test]
    fn explosive_powers_are_capped() {
        let vars: Vec<String> = (0..20).map(|i| format!("v{i}")).collect();
        let f = format!("y ~ ({})^20", vars.join(" + "));
        let e = Formula::parse(&f).unwrap().terms(&[]).unwrap_err();
        assert!(e.message.contains("more than"), "{e}");
        // A huge exponent on a small sum reaches its fixed point quickly.
        assert_eq!(labels("y ~ (a+b)^999999", &[]).0, l(&["a", "b", "a:b"]));
    }
}
