//! The formula syntax tree and its R-style printing (`deparse`), which gives term and
//! column labels exactly as R prints them: `log(hp)`, `I(x^2)`, `I(x * 2)`, `` `a b` ``.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnaryOp {
    /// `+x`
    Plus,
    /// `-x`
    Minus,
}

/// A binary operator. In a formula's right-hand side `+ - * / : ^` are the model operators
/// of R's `terms()`; inside `I()`, `log()` etc. `+ - * / ^` are arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `:`
    Colon,
    /// `^`
    Pow,
}

impl BinaryOp {
    fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => " + ",
            BinaryOp::Sub => " - ",
            BinaryOp::Mul => " * ",
            BinaryOp::Div => "/",
            BinaryOp::Colon => ":",
            BinaryOp::Pow => "^",
        }
    }
}

/// An expression node with the character position where it starts in the formula.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Character index (0-based) of its first token.
    pub position: usize,
}

/// The kinds of expression node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExprKind {
    /// A column name (backticks removed).
    Name(String),
    /// A number.
    Number(f64),
    /// A string literal: only a level in `factor(x, levels = c("a", "b"))` / `ordered(..)`.
    Str(String),
    /// A named argument of a call: `levels = c("low", "high")`.
    Named {
        /// The argument's name.
        name: String,
        /// Its value.
        value: Box<Expr>,
    },
    /// `.`: all columns not otherwise in the response.
    Dot,
    /// A function call: `log(x)`, `I(x^2)`, `factor(cyl)`, `offset(z)`, `cbind(s, f)`, ...
    Call {
        /// Function name.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `-x`, `+x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        arg: Box<Expr>,
    },
    /// `a + b`, `a:b`, `x^2`, ...
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `( ... )`, kept so labels print as written.
    Paren(Box<Expr>),
}

impl Expr {
    pub(crate) fn new(kind: ExprKind, position: usize) -> Self {
        Expr { kind, position }
    }

    /// The R label of this expression (what `deparse()` prints).
    ///
    /// ```
    /// let f = mle_data::Formula::parse("y ~ I( x ^2 ) + log(x+1) + `a b`").unwrap();
    /// assert_eq!(f.term_labels(&[]).unwrap(), ["I(x^2)", "log(x + 1)", "`a b`"]);
    /// ```
    pub fn label(&self) -> String {
        self.to_string()
    }

    /// Every column name the expression mentions, in order of appearance (repeats removed).
    pub fn names(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.visit_names(&mut |n| {
            if !out.iter().any(|o: &String| o == n) {
                out.push(n.to_string());
            }
        });
        out
    }

    fn visit_names(&self, f: &mut impl FnMut(&str)) {
        match &self.kind {
            ExprKind::Name(n) => f(n),
            ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Dot => {}
            ExprKind::Named { value, .. } => value.visit_names(f),
            ExprKind::Call { args, .. } => args.iter().for_each(|a| a.visit_names(f)),
            ExprKind::Unary { arg, .. } => arg.visit_names(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.visit_names(f);
                rhs.visit_names(f);
            }
            ExprKind::Paren(e) => e.visit_names(f),
        }
    }
}

/// The label of one level written in `factor(x, levels = c(..))`: a string as written, a
/// number as R's `as.character()` prints it; `None` for anything else.
pub(crate) fn level_label(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Str(s) => Some(s.clone()),
        ExprKind::Number(v) => Some(format_double(*v)),
        ExprKind::Unary {
            op: UnaryOp::Minus,
            arg,
        } => match arg.kind {
            ExprKind::Number(v) => Some(format_double(-v)),
            _ => None,
        },
        _ => None,
    }
}

impl Expr {
    /// The levels written in `factor(x, levels = c(..))` / `ordered(x, c(..))`, in order:
    /// `None` when the expression is not such a call (the parser has checked their form).
    ///
    /// ```
    /// let f = mle_data::Formula::parse(r#"ordered(s, levels = c("low", "high")) ~ x"#).unwrap();
    /// assert_eq!(f.response().unwrap().given_levels().unwrap(), ["low", "high"]);
    /// assert_eq!(f.response().unwrap().label(), r#"ordered(s, levels = c("low", "high"))"#);
    /// ```
    pub fn given_levels(&self) -> Option<Vec<String>> {
        let ExprKind::Call { name, args } = &self.kind else {
            return None;
        };
        if (name != "factor" && name != "ordered") || args.len() != 2 {
            return None;
        }
        let value = match &args[1].kind {
            ExprKind::Named { value, .. } => value,
            _ => &args[1],
        };
        match &value.kind {
            ExprKind::Call { name, args } if name == "c" => args.iter().map(level_label).collect(),
            _ => level_label(value).map(|l| vec![l]),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Name(n) => {
                if is_syntactic(n) {
                    f.write_str(n)
                } else {
                    write!(f, "`{n}`")
                }
            }
            ExprKind::Number(v) => f.write_str(&format_double(*v)),
            ExprKind::Str(v) => {
                f.write_str("\"")?;
                for c in v.chars() {
                    if c == '"' || c == '\\' {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("\"")
            }
            ExprKind::Named { name, value } => write!(f, "{name} = {value}"),
            ExprKind::Dot => f.write_str("."),
            ExprKind::Call { name, args } => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            ExprKind::Unary { op, arg } => {
                let s = if *op == UnaryOp::Minus { "-" } else { "+" };
                write!(f, "{s}{arg}")
            }
            ExprKind::Binary { op, lhs, rhs } => write!(f, "{lhs}{}{rhs}", op.symbol()),
            ExprKind::Paren(e) => write!(f, "({e})"),
        }
    }
}

const RESERVED: &[&str] = &[
    "if",
    "else",
    "repeat",
    "while",
    "function",
    "for",
    "next",
    "break",
    "TRUE",
    "FALSE",
    "NULL",
    "Inf",
    "NaN",
    "NA",
    "NA_integer_",
    "NA_real_",
    "NA_character_",
    "NA_complex_",
    "in",
];

/// Whether R prints the name without backticks: a letter, or a dot not followed by a
/// digit, then letters, digits, `.` and `_`; not a reserved word.
pub(crate) fn is_syntactic(name: &str) -> bool {
    let mut chars = name.chars();
    let ok_start = match chars.next() {
        Some(c) if c.is_alphabetic() => true,
        Some('.') => !matches!(chars.clone().next(), Some(d) if d.is_ascii_digit()),
        _ => false,
    };
    ok_start && chars.all(|c| c.is_alphanumeric() || c == '.' || c == '_') && !RESERVED.contains(&name)
}

pub(crate) fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
}

/// A double as R's `as.character()` / `deparse()` print it: up to 15 significant digits,
/// fixed notation unless scientific is shorter (`1e+05`, `1e-04`, `0.001`, `123456`).
///
/// ```
/// use mle_data::format_double;
/// assert_eq!(format_double(100000.0), "1e+05");
/// assert_eq!(format_double(123456.0), "123456");
/// assert_eq!(format_double(0.001), "0.001");
/// assert_eq!(format_double(1.0 / 3.0), "0.333333333333333");
/// assert_eq!(format_double(-2.5), "-2.5");
/// ```
pub fn format_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    // 15 significant digits, correctly rounded: d.dddddddddddddde±x
    let sci = format!("{:.14e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let e10: i64 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nsig = digits.len() as i64;
    let neg = if x < 0.0 { "-" } else { "" };
    let rgt = (nsig - 1 - e10).max(0);
    let fixed_width = if e10 >= 0 { e10 + 1 } else { 1 } + if rgt > 0 { rgt + 1 } else { 0 };
    let sci_width = nsig + i64::from(nsig > 1) + if e10.abs() >= 100 { 5 } else { 4 };
    if fixed_width <= sci_width {
        let mut s = String::from(neg);
        if e10 >= 0 {
            let int_len = (e10 + 1) as usize;
            for i in 0..int_len {
                s.push(digits.as_bytes().get(i).map_or('0', |b| *b as char));
            }
            if digits.len() > int_len {
                s.push('.');
                s.push_str(&digits[int_len..]);
            }
        } else {
            s.push_str("0.");
            s.push_str(&"0".repeat((-e10 - 1) as usize));
            s.push_str(digits);
        }
        s
    } else {
        let mut s = String::from(neg);
        s.push_str(&digits[..1]);
        if digits.len() > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let sign = if e10 < 0 { '-' } else { '+' };
        s.push_str(&format!("e{sign}{:02}", e10.abs()));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_r() {
        let cases = [
            (1e5, "1e+05"),
            (123456.0, "123456"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.333333333333333"),
            (1e15, "1e+15"),
            (1e-5, "1e-05"),
            (1e-4, "1e-04"),
            (1e-3, "0.001"),
            (1234567.1, "1234567.1"),
            (100.0, "100"),
            (1e16, "1e+16"),
            (-2.5, "-2.5"),
            (4.0, "4"),
            (0.1 + 0.2, "0.3"),
            (1e-300, "1e-300"),
            (2.0, "2"),
        ];
        for (x, s) in cases {
            assert_eq!(format_double(x), s, "{x}");
        }
    }

    #[test]
    fn syntactic_names() {
        assert!(is_syntactic("x"));
        assert!(is_syntactic("Sepal.Length"));
        assert!(is_syntactic(".x"));
        assert!(is_syntactic("x_1"));
        assert!(!is_syntactic("a b"));
        assert!(!is_syntactic("1x"));
        assert!(!is_syntactic(".1x"));
        assert!(!is_syntactic("_x"));
        assert!(!is_syntactic("if"));
        assert!(!is_syntactic(""));
    }
}
