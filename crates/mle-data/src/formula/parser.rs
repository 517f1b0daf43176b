//! A small Pratt parser with R's operator precedence, then a check of where each function
//! and operator may stand (response, model terms, arithmetic).

use super::ast::{is_reserved, level_label, BinaryOp, Expr, ExprKind, UnaryOp};
use super::lexer::{lex, Tok, Token};
use crate::error::FormulaError;

/// Deepest tree accepted (a chain `a + b + …` of n terms is n deep): keeps every recursive
/// pass over the tree far from the stack limit, even in debug builds on 2 MiB threads.
pub(crate) const MAX_DEPTH: u32 = 1000;

/// Deepest tree of a function argument or of the response (arithmetic, evaluated
/// recursively); only the model part of the right-hand side may be deeper.
const MAX_EXPR_DEPTH: u32 = 100;

/// Deepest nesting of parentheses, calls, unary operators and `^` accepted while parsing.
const MAX_NESTING: u32 = 100;

/// One-argument arithmetic functions accepted in terms, `I()` and the response.
pub(crate) const MATH_FUNCTIONS: &[&str] = &["log", "log2", "log10", "log1p", "exp", "sqrt", "abs"];

#[derive(Debug)]
pub(crate) struct Parsed {
    pub response: Option<Expr>,
    pub rhs: Expr,
    pub second: Option<Expr>,
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
    /// Current recursion depth of `expr`.
    level: u32,
}

// Binding powers, R's order: `+ -` < `* /` < `:` < unary `+ -` < `^` (right-assoc).
const PREFIX_BP: u8 = 8;

fn infix(tok: &Tok) -> Option<(BinaryOp, u8, u8)> {
    Some(match tok {
        Tok::Plus => (BinaryOp::Add, 2, 3),
        Tok::Minus => (BinaryOp::Sub, 2, 3),
        Tok::Star => (BinaryOp::Mul, 4, 5),
        Tok::Slash => (BinaryOp::Div, 4, 5),
        Tok::Colon => (BinaryOp::Colon, 6, 7),
        Tok::Caret => (BinaryOp::Pow, 10, 9),
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token {
        // `lex` always ends with `End`, and `bump` never moves past it.
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        t
    }

    fn error(&self, pos: usize, msg: impl Into<String>) -> FormulaError {
        FormulaError::new(self.text, pos, msg)
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Token, FormulaError> {
        let t = self.peek().clone();
        if t.tok == tok {
            Ok(self.bump())
        } else {
            Err(self.error(t.pos, format!("expected {what}, found {}", t.tok.describe())))
        }
    }

    fn depth_check(&self, depth: u32, pos: usize) -> Result<(), FormulaError> {
        if depth > MAX_DEPTH {
            Err(self.error(
                pos,
                format!("formula too long or deep (more than {MAX_DEPTH} levels of operators)"),
            ))
        } else {
            Ok(())
        }
    }

    /// An expression and the depth of its tree.
    fn expr(&mut self, min_bp: u8) -> Result<(Expr, u32), FormulaError> {
        self.level += 1;
        let pos = self.peek().pos;
        let out = if self.level > MAX_NESTING {
            Err(self.error(
                pos,
                format!("formula nested too deeply (more than {MAX_NESTING} levels)"),
            ))
        } else {
            self.expr_inner(min_bp)
        };
        self.level -= 1;
        out
    }

    fn expr_inner(&mut self, min_bp: u8) -> Result<(Expr, u32), FormulaError> {
        let (mut lhs, mut depth) = self.prefix()?;
        while let Some((op, lbp, rbp)) = infix(&self.peek().tok) {
            if lbp < min_bp {
                break;
            }
            let op_tok = self.bump();
            let (rhs, rdepth) = self.expr(rbp)?;
            depth = depth.max(rdepth) + 1;
            self.depth_check(depth, op_tok.pos)?;
            let pos = lhs.position;
            lhs = Expr::new(
                ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                pos,
            );
        }
        Ok((lhs, depth))
    }

    fn prefix(&mut self) -> Result<(Expr, u32), FormulaError> {
        let t = self.bump();
        // Every prefix form nests: check the depth *before* recursing.
        match t.tok {
            Tok::Name { name, quoted } => {
                if !quoted && is_reserved(&name) {
                    return Err(self.error(
                        t.pos,
                        format!("`{name}` is a reserved word; write a column of that name in backticks"),
                    ));
                }
                if !quoted && self.peek().tok == Tok::LParen {
                    self.bump();
                    let mut args = Vec::new();
                    let mut depth = 1;
                    if self.peek().tok != Tok::RParen {
                        loop {
                            let arg_pos = self.peek().pos;
                            let arg_name = self.argument_name();
                            let (a, d) = self.nested(t.pos, 0)?;
                            let a = match arg_name {
                                Some(name) => Expr::new(
                                    ExprKind::Named {
                                        name,
                                        value: Box::new(a),
                                    },
                                    arg_pos,
                                ),
                                None => a,
                            };
                            if d > MAX_EXPR_DEPTH {
                                return Err(self.error(
                                    arg_pos,
                                    format!(
                                        "expression nested too deeply (more than {MAX_EXPR_DEPTH} levels)"
                                    ),
                                ));
                            }
                            depth = depth.max(d + 1);
                            args.push(a);
                            if self.peek().tok == Tok::Comma {
                                self.bump();
                            } else {
                                break;
                            }
                        }
                    }
                    self.expect(Tok::RParen, "`)` or `,`")?;
                    Ok((Expr::new(ExprKind::Call { name, args }, t.pos), depth))
                } else {
                    Ok((Expr::new(ExprKind::Name(name), t.pos), 1))
                }
            }
            Tok::Number(v) => Ok((Expr::new(ExprKind::Number(v), t.pos), 1)),
            Tok::Str(v) => Ok((Expr::new(ExprKind::Str(v), t.pos), 1)),
            Tok::Dot => Ok((Expr::new(ExprKind::Dot, t.pos), 1)),
            Tok::LParen => {
                let (inner, d) = self.nested(t.pos, 0)?;
                self.expect(Tok::RParen, "`)`")?;
                Ok((Expr::new(ExprKind::Paren(Box::new(inner)), t.pos), d + 1))
            }
            Tok::Minus | Tok::Plus => {
                let op = if t.tok == Tok::Minus {
                    UnaryOp::Minus
                } else {
                    UnaryOp::Plus
                };
                let (arg, d) = self.nested(t.pos, PREFIX_BP)?;
                Ok((
                    Expr::new(
                        ExprKind::Unary {
                            op,
                            arg: Box::new(arg),
                        },
                        t.pos,
                    ),
                    d + 1,
                ))
            }
            other => Err(self.error(t.pos, format!("expected a term, found {}", other.describe()))),
        }
    }

    /// `name =` at the start of a call argument: consumes both tokens and gives the name.
    fn argument_name(&mut self) -> Option<String> {
        let next_is_equals = self.tokens.get(self.at + 1).is_some_and(|t| t.tok == Tok::Equals);
        match &self.peek().tok {
            Tok::Name { name, quoted: false } if next_is_equals => {
                let name = name.clone();
                self.bump();
                self.bump();
                Some(name)
            }
            _ => None,
        }
    }

    /// Parses a nested expression, counting the recursion so that `((((...` or `----x`
    /// fails cleanly instead of exhausting the stack.
    fn nested(&mut self, pos: usize, min_bp: u8) -> Result<(Expr, u32), FormulaError> {
        let (e, d) = self.expr(min_bp)?;
        self.depth_check(d + 1, pos)?;
        Ok((e, d))
    }
}

/// Parses `lhs ~ rhs` or `~ rhs`, with an optional `| rhs2`.
pub(crate) fn parse(text: &str) -> Result<Parsed, FormulaError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        text,
        tokens,
        at: 0,
        level: 0,
    };
    let response = if p.peek().tok == Tok::Tilde {
        None
    } else {
        let pos = p.peek().pos;
        let (lhs, d) = p.expr(0)?;
        if d > MAX_EXPR_DEPTH {
            return Err(p.error(
                pos,
                format!("response nested too deeply (more than {MAX_EXPR_DEPTH} levels)"),
            ));
        }
        Some(lhs)
    };
    p.expect(Tok::Tilde, "`~`")?;
    let (rhs, _) = p.expr(0)?;
    let second = if p.peek().tok == Tok::Bar {
        p.bump();
        Some(p.expr(0)?.0)
    } else {
        None
    };
    let end = p.peek().clone();
    if end.tok != Tok::End {
        let msg = match end.tok {
            Tok::Bar => "only two right-hand parts (`y ~ x | z`) are supported".to_string(),
            Tok::Tilde => "a formula has one `~`".to_string(),
            ref t => format!(
                "expected an operator or the end of the formula, found {}",
                t.describe()
            ),
        };
        return Err(p.error(end.pos, msg));
    }
    let v = Validator { text };
    if let Some(r) = &response {
        v.response(r)?;
    }
    v.terms(&rhs, true)?;
    if let Some(s) = &second {
        v.terms(s, true)?;
    }
    Ok(Parsed {
        response,
        rhs,
        second,
    })
}

/// Where each construct may stand.
struct Validator<'a> {
    text: &'a str,
}

impl Validator<'_> {
    fn error(&self, e: &Expr, msg: impl Into<String>) -> FormulaError {
        FormulaError::new(self.text, e.position, msg)
    }

    fn arity(&self, e: &Expr, name: &str, args: &[Expr], n: usize) -> Result<(), FormulaError> {
        if args.len() == n {
            Ok(())
        } else {
            Err(self.error(
                e,
                format!("`{name}()` takes {n} argument(s), found {}", args.len()),
            ))
        }
    }

    fn response(&self, e: &Expr) -> Result<(), FormulaError> {
        match &e.kind {
            ExprKind::Call { name, args } if name == "cbind" || name == "Surv" => {
                self.arity(e, name, args, 2)?;
                args.iter().try_for_each(|a| self.arith(a))
            }
            _ => self.value(e),
        }
    }

    /// A variable: a name, `factor(..)`/`ordered(..)` (optionally with `levels = c(..)`),
    /// `C(..)`, or arithmetic.
    fn value(&self, e: &Expr) -> Result<(), FormulaError> {
        match &e.kind {
            ExprKind::Call { name, args } if name == "factor" || name == "ordered" => {
                if args.is_empty() || args.len() > 2 {
                    return Err(self.error(
                        e,
                        format!(
                            "`{name}()` takes 1 or 2 arguments (the variable, then `levels = c(..)`), found {}",
                            args.len()
                        ),
                    ));
                }
                self.arith(&args[0])?;
                match args.get(1) {
                    Some(levels) => self.levels(name, levels),
                    None => Ok(()),
                }
            }
            ExprKind::Call { name, args } if name == "C" => {
                self.arity(e, name, args, 1)?;
                self.arith(&args[0])
            }
            _ => self.arith(e),
        }
    }

    /// The levels argument of `factor()` / `ordered()`: `levels = c("a", "b")`, `c(..)`
    /// positionally, or one string or number; every level given once.
    fn levels(&self, function: &str, e: &Expr) -> Result<(), FormulaError> {
        let value = match &e.kind {
            ExprKind::Named { name, value } if name == "levels" => value,
            ExprKind::Named { name, .. } => {
                return Err(self.error(
                    e,
                    format!("`{function}()` takes `levels = c(..)` as its second argument, not `{name} =`"),
                ))
            }
            _ => e,
        };
        let items: Vec<&Expr> = match &value.kind {
            ExprKind::Call { name, args } if name == "c" && !args.is_empty() => args.iter().collect(),
            ExprKind::Str(_) | ExprKind::Number(_) => vec![value],
            _ => {
                return Err(self.error(
                    value,
                    format!(
                    "the levels of `{function}()` are given as `c(\"a\", \"b\", ..)` (strings or numbers)"
                ),
                ))
            }
        };
        let mut seen: Vec<String> = Vec::with_capacity(items.len());
        for item in items {
            let label =
                level_label(item).ok_or_else(|| self.error(item, "a level must be a string or a number"))?;
            if seen.contains(&label) {
                return Err(self.error(item, format!("level `{label}` is given twice")));
            }
            seen.push(label);
        }
        Ok(())
    }

    /// Arithmetic (`I()`, `log()`, ...): `+ - * / ^`, numbers, names, math calls.
    fn arith(&self, e: &Expr) -> Result<(), FormulaError> {
        match &e.kind {
            ExprKind::Name(_) | ExprKind::Number(_) => Ok(()),
            ExprKind::Dot => Err(self.error(e, "`.` can only stand as a term, not inside a function")),
            ExprKind::Str(_) => Err(self.error(
                e,
                "a string can only stand among the levels of `factor()` / `ordered()`",
            )),
            ExprKind::Named { name, .. } => Err(self.error(
                e,
                format!("`{name} =`: the only named argument is `levels =` of `factor()` / `ordered()`"),
            )),
            ExprKind::Paren(inner) => self.arith(inner),
            ExprKind::Unary { arg, .. } => self.arith(arg),
            ExprKind::Binary {
                op: BinaryOp::Colon, ..
            } => Err(self.error(
                e,
                "`:` is an interaction, not arithmetic; it cannot stand inside a function",
            )),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.arith(lhs)?;
                self.arith(rhs)
            }
            ExprKind::Call { name, args } => {
                if name == "I" || (MATH_FUNCTIONS.contains(&name.as_str()) && name != "log") {
                    self.arity(e, name, args, 1)?;
                    self.arith(&args[0])
                } else if name == "log" {
                    if args.is_empty() || args.len() > 2 {
                        return Err(
                            self.error(e, format!("`log()` takes 1 or 2 arguments, found {}", args.len()))
                        );
                    }
                    args.iter().try_for_each(|a| self.arith(a))
                } else if ["factor", "ordered", "C", "offset", "cbind", "Surv"].contains(&name.as_str()) {
                    Err(self.error(e, format!("`{name}()` cannot stand inside arithmetic")))
                } else if name == "c" {
                    Err(self.error(e, "`c()` can only give the levels of `factor()` / `ordered()`"))
                } else {
                    Err(self.unknown(e, name))
                }
            }
        }
    }

    fn unknown(&self, e: &Expr, name: &str) -> FormulaError {
        self.error(
            e,
            format!(
                "unknown function `{name}` (supported: {}, I, factor, ordered, C, offset; cbind and Surv in the response)",
                MATH_FUNCTIONS.join(", ")
            ),
        )
    }

    /// The model part: `+ - * / : ^ ( )`, 0/1, `.`, variables; `offset()` only added.
    fn terms(&self, e: &Expr, additive: bool) -> Result<(), FormulaError> {
        match &e.kind {
            ExprKind::Name(_) | ExprKind::Dot => Ok(()),
            ExprKind::Str(_) | ExprKind::Named { .. } => self.arith(e),
            ExprKind::Number(v) => {
                if *v == 0.0 || *v == 1.0 {
                    Ok(())
                } else {
                    Err(self.error(e, "only 0 or 1 can stand as a term (wrap arithmetic in `I()`)"))
                }
            }
            ExprKind::Paren(inner) => self.terms(inner, additive),
            ExprKind::Unary { arg, .. } => self.terms(arg, additive),
            ExprKind::Binary { op, lhs, rhs } => match op {
                BinaryOp::Add | BinaryOp::Sub => {
                    self.terms(lhs, additive)?;
                    self.terms(rhs, additive)
                }
                BinaryOp::Mul | BinaryOp::Div | BinaryOp::Colon => {
                    self.terms(lhs, false)?;
                    self.terms(rhs, false)
                }
                BinaryOp::Pow => {
                    self.terms(lhs, false)?;
                    match rhs.kind {
                        ExprKind::Number(v) if v >= 2.0 && v.fract() == 0.0 && v <= 1e6 => Ok(()),
                        _ => Err(self.error(
                            rhs,
                            "invalid power in formula: expected a whole number of at least 2",
                        )),
                    }
                }
            },
            ExprKind::Call { name, args } => match name.as_str() {
                "offset" => {
                    if !additive {
                        return Err(self.error(e, "`offset()` can only be added to a model, not interacted"));
                    }
                    self.arity(e, name, args, 1)?;
                    self.arith(&args[0])
                }
                "cbind" | "Surv" => Err(self.error(e, format!("`{name}()` can only stand as the response"))),
                _ => self.value(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(s: &str) -> (Option<String>, String, Option<String>) {
        let p = parse(s).unwrap();
        (
            p.response.map(|e| e.label()),
            p.rhs.label(),
            p.second.map(|e| e.label()),
        )
    }

    #[test]
    fn precedence_follows_r() {
        assert_eq!(labels("y ~ a + b:c * d").1, "a + b:c * d");
        let p = parse("y ~ a + b:c * d").unwrap();
        // (a + ((b:c) * d))
        match p.rhs.kind {
            ExprKind::Binary {
                op: BinaryOp::Add,
                rhs,
                ..
            } => {
                assert!(matches!(
                    rhs.kind,
                    ExprKind::Binary {
                        op: BinaryOp::Mul,
                        ..
                    }
                ))
            }
            k => panic!("{k:?}"),
        }
        // -1 is unary minus of 1, -x^2 is -(x^2), 2^-1 works
        let p = parse("~ I(-x^2) + I(2^-1)").unwrap();
        assert_eq!(p.rhs.label(), "I(-x^2) + I(2^-1)");
        // `^` is right-associative
        let p = parse("~ I(2^3^2)").unwrap();
        match &p.rhs.kind {
            ExprKind::Call { args, .. } => match &args[0].kind {
                ExprKind::Binary {
                    op: BinaryOp::Pow,
                    rhs,
                    ..
                } => {
                    assert!(matches!(
                        rhs.kind,
                        ExprKind::Binary {
                            op: BinaryOp::Pow,
                            ..
                        }
                    ))
                }
                k => panic!("{k:?}"),
            },
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn parts_and_responses() {
        assert_eq!(
            labels("cbind(s, n - s) ~ x | z"),
            (Some("cbind(s, n - s)".into()), "x".into(), Some("z".into()))
        );
        assert_eq!(labels("~ x").0, None);
        assert_eq!(labels("Surv(time,status) ~ x").0.unwrap(), "Surv(time, status)");
        assert_eq!(labels("log(y) ~ x - 1").1, "x - 1");
        assert_eq!(labels("y ~ -1 + x").1, "-1 + x");
        assert_eq!(labels("y ~ x ** 2").1, "x^2");
    }

    #[test]
    fn errors_point_at_the_problem() {
        let cases: &[(&str, usize, &str)] = &[
            ("y ~ ", 4, "expected a term"),
            ("y ~ x +", 7, "expected a term"),
            ("y x", 2, "expected `~`"),
            ("y ~ (x + z", 10, "expected `)`"),
            ("y ~ x | z | w", 10, "only two right-hand parts"),
            ("y ~ x ~ z", 6, "one `~`"),
            ("y ~ foo(x)", 4, "unknown function `foo`"),
            ("y ~ log(.)", 8, "`.` can only stand"),
            ("y ~ 2", 4, "only 0 or 1"),
            ("y ~ (a + b)^1", 12, "invalid power"),
            ("y ~ (a + b)^x", 12, "invalid power"),
            ("y ~ x:offset(z)", 6, "only be added"),
            ("y ~ cbind(a, b)", 4, "only stand as the response"),
            ("y ~ I(a:b)", 6, "not arithmetic"),
            ("y ~ log()", 4, "1 or 2 arguments"),
            ("y ~ factor(a, b)", 14, "levels of `factor()` are given as"),
            ("y ~ factor(a, b, c)", 4, "takes 1 or 2 arguments"),
            ("y ~ C(a, b)", 4, "takes 1 argument"),
            ("ordered(y, levels = c(\"a\", \"a\")) ~ x", 27, "given twice"),
            ("ordered(y, lev = c(\"a\")) ~ x", 11, "not `lev =`"),
            ("ordered(y, c(\"a\", x)) ~ x", 18, "string or a number"),
            ("y ~ I(\"a\")", 6, "a string can only stand"),
            ("y ~ c(1, 2)", 4, "can only give the levels"),
            ("y ~ log(x, base = 2)", 11, "only named argument"),
            ("y ~ x == 2", 6, "`==` is not supported"),
            ("ordered(y, \"a) ~ x", 11, "unterminated string"),
            ("y ~ if", 4, "reserved word"),
            ("y ~ I(factor(x))", 6, "inside arithmetic"),
        ];
        for (f, pos, msg) in cases {
            let e = parse(f).err().unwrap_or_else(|| panic!("{f} parsed"));
            assert_eq!(e.position, *pos, "{f}: {e}");
            assert!(e.message.contains(msg), "{f}: {e}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("y ~ {}x{}", "(".repeat(5000), ")".repeat(5000));
        assert!(parse(&deep).unwrap_err().message.contains("nested too deeply"));
        let minus = format!("y ~ I({}x)", "-".repeat(5000));
        assert!(parse(&minus).is_err());
        let long = format!("y ~ {}", vec!["x"; 2000].join(" + "));
        assert!(parse(&long).unwrap_err().message.contains("too long"));
        let deep_i = format!("y ~ I({})", vec!["x"; 200].join(" + "));
        assert!(parse(&deep_i)
            .unwrap_err()
            .message
            .contains("expression nested too deeply"));
        let deep_lhs = format!("{} ~ x", vec!["y"; 200].join(" + "));
        assert!(parse(&deep_lhs)
            .unwrap_err()
            .message
            .contains("response nested too deeply"));
        let ok = format!("y ~ {}", vec!["x"; 900].join(" + "));
        assert!(parse(&ok).is_ok());
    }
}
