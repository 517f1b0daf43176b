//! Reads a `log_density!` body as a polynomial in its data atoms.
//!
//! Every subexpression is classified by the names it mentions: *θ-only* (no observation
//! name: `t[1].exp()`, a capture, a literal — a coefficient, whatever it computes),
//! *data-only* (no θ: `*x`, `x.ln()`, `log_factorial[*y]` — an atom, whatever it computes)
//! or *mixed*. Only mixed subexpressions must be understood, and they may only be sums,
//! differences, negations, products, quotients by θ-only expressions, small integer powers
//! (`powi(k)`, k ≤ 4), parentheses and `let` names bound to such expressions. Anything else
//! (a branch, `exp` of a mixed expression, a call, `return`, shadowed names) makes the body
//! unreadable and the macro adds no statistics: the per-observation path stays.

use std::collections::{HashMap, HashSet};

use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote, ToTokens};
use syn::{BinOp, Expr, Lit, Pat, Stmt, UnOp};

use crate::poly::{Builder, Factor, Lin, Poly};

/// A body read as a polynomial.
pub struct Analysis {
    /// θ-only `let` statements (and those that mention neither θ nor the observation), for
    /// the log-likelihood from statistics, in order (the data side may not read the latter).
    pub theta_lets: Vec<TokenStream>,
    /// Data-only `let` statements, for the pass over the data, in order.
    pub data_lets: Vec<TokenStream>,
    /// The atoms' expressions (`f64`), in order of first appearance.
    pub atoms: Vec<TokenStream>,
    /// The dual variables of the coefficients.
    pub builder: Builder,
    /// The body.
    pub poly: Poly,
}

/// What a subexpression depends on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Theta,
    Data,
    Mixed,
}

struct Reader {
    theta_names: HashSet<String>,
    data_names: HashSet<String>,
    /// Names bound to expressions of neither θ nor the observation.
    neutral: HashSet<String>,
    mixed: HashMap<String, Poly>,
    out: Analysis,
}

/// Every identifier in `tokens`, groups included.
fn identifiers(tokens: TokenStream, out: &mut Vec<String>) {
    for tt in tokens {
        match tt {
            TokenTree::Ident(i) => out.push(i.to_string()),
            TokenTree::Group(g) => identifiers(g.stream(), out),
            _ => {}
        }
    }
}

/// The identifiers an expression mentions.
fn names(e: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    identifiers(e.to_token_stream(), &mut out);
    out
}

/// Whether `tokens` hold `return` or `?` (control flow that leaves the body early).
fn leaves_early(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tt| match tt {
        TokenTree::Ident(i) => i == "return",
        TokenTree::Punct(p) => p.as_char() == '?',
        TokenTree::Group(g) => leaves_early(g.stream()),
        TokenTree::Literal(_) => false,
    })
}

/// Strips invisible groups and parentheses.
fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Group(g) => strip(&g.expr),
        Expr::Paren(p) => strip(&p.expr),
        e => e,
    }
}

/// A float literal, possibly negated: used as an `f64` constant, not a dual variable.
fn float_literal(e: &Expr) -> bool {
    match strip(e) {
        Expr::Lit(l) => matches!(l.lit, Lit::Float(_)),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => float_literal(&u.expr),
        _ => false,
    }
}

/// The names a pattern binds (all its identifiers but `mut`, `ref` and `_`).
pub(crate) fn binding_names(pattern: TokenStream) -> Vec<String> {
    let mut names = Vec::new();
    identifiers(pattern, &mut names);
    names.retain(|n| n != "mut" && n != "ref" && n != "_");
    names
}

/// The single name of a simple pattern `z` or `z: T`.
fn simple_name(p: &Pat) -> Option<String> {
    match p {
        Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => Some(i.ident.to_string()),
        Pat::Type(t) => simple_name(&t.pat),
        _ => None,
    }
}

impl Reader {
    fn kind(&self, e: &Expr) -> Kind {
        let names = names(e);
        let mixed = names.iter().any(|n| self.mixed.contains_key(n));
        let theta = mixed || names.iter().any(|n| self.theta_names.contains(n));
        let data = mixed || names.iter().any(|n| self.data_names.contains(n));
        match (theta, data) {
            (_, false) => Kind::Theta,
            (false, true) => Kind::Data,
            (true, true) => Kind::Mixed,
        }
    }

    /// Whether `e` reads a name bound to a constant of neither θ nor data.
    fn mentions_neutral(&self, e: &Expr) -> bool {
        names(e).iter().any(|n| self.neutral.contains(n))
    }

    fn atom(&mut self, e: &Expr) -> Option<Poly> {
        if self.mentions_neutral(e) {
            return None;
        }
        let tokens = strip(e).to_token_stream();
        let key = tokens.to_string();
        let a = match self.out.atoms.iter().position(|t| t.to_string() == key) {
            Some(a) => a,
            None => {
                self.out.atoms.push(tokens);
                self.out.atoms.len() - 1
            }
        };
        let shift = format_ident!("__mle_shift{}", a);
        Some(Poly::atom(a, Factor::Expr(quote!(#shift))))
    }

    fn poly(&mut self, e: &Expr) -> Option<Poly> {
        match self.kind(e) {
            Kind::Theta if float_literal(e) => {
                let tokens = e.to_token_stream();
                Some(Poly::coefficient(Lin::constant(Factor::Expr(tokens))))
            }
            Kind::Theta => {
                let v = self.out.builder.var_from_expr(e.to_token_stream());
                Some(Poly::coefficient(Lin::var(v)))
            }
            Kind::Data => self.atom(e),
            Kind::Mixed => self.mixed_poly(strip(e)),
        }
    }

    fn mixed_poly(&mut self, e: &Expr) -> Option<Poly> {
        match e {
            Expr::Binary(b) => {
                let l = self.poly(&b.left)?;
                match b.op {
                    BinOp::Add(_) => Some(l.add(&self.poly(&b.right)?)),
                    BinOp::Sub(_) => Some(l.add(&self.poly(&b.right)?.neg())),
                    BinOp::Mul(_) => {
                        let r = self.poly(&b.right)?;
                        l.mul(&r, &mut self.out.builder)
                    }
                    BinOp::Div(_) if self.kind(&b.right) == Kind::Theta => {
                        let r = self.poly(&b.right)?;
                        let q = r.terms.get(&Vec::new())?.clone();
                        Some(l.div(&q, &mut self.out.builder))
                    }
                    _ => None,
                }
            }
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => Some(self.poly(&u.expr)?.neg()),
            Expr::Path(p) => {
                let name = p.path.get_ident()?.to_string();
                self.mixed.get(&name).cloned()
            }
            Expr::MethodCall(m) if m.method == "powi" && m.args.len() == 1 && m.turbofish.is_none() => {
                let k = match strip(&m.args[0]) {
                    Expr::Lit(syn::ExprLit { lit: Lit::Int(k), .. }) => k.base10_parse::<u32>().ok()?,
                    _ => return None,
                };
                let base = self.poly(&m.receiver)?;
                base.powi(k, &mut self.out.builder)
            }
            _ => None,
        }
    }

    /// Refuses a name bound twice (shadowing would make a name's kind depend on position).
    fn bind(&self, names: &[String]) -> Option<()> {
        let taken = |n: &String| {
            self.theta_names.contains(n)
                || self.data_names.contains(n)
                || self.neutral.contains(n)
                || self.mixed.contains_key(n)
        };
        if names.iter().any(taken) {
            None
        } else {
            Some(())
        }
    }

    fn statement(&mut self, s: &Stmt) -> Option<()> {
        let Stmt::Local(local) = s else { return None };
        let init = local.init.as_ref()?;
        if init.diverge.is_some() {
            return None;
        }
        let bound = binding_names(local.pat.to_token_stream());
        self.bind(&bound)?;
        match self.kind(&init.expr) {
            Kind::Theta => {
                let theta = names(&init.expr).iter().any(|n| self.theta_names.contains(n));
                self.out.theta_lets.push(s.to_token_stream());
                if theta {
                    self.theta_names.extend(bound);
                } else {
                    // Neither θ nor data: a constant of the θ side only (it may be written
                    // for the generic D); the data side may not read it.
                    self.neutral.extend(bound);
                }
            }
            Kind::Data => {
                if self.mentions_neutral(&init.expr) {
                    return None;
                }
                self.out.data_lets.push(s.to_token_stream());
                self.data_names.extend(bound);
            }
            Kind::Mixed => {
                let name = simple_name(&local.pat)?;
                let p = self.poly(&init.expr)?;
                self.mixed.insert(name, p);
            }
        }
        Some(())
    }
}

/// Reads `body` (parameters named `theta`, the observation's bindings `observation`); `None`
/// when it is not a polynomial in data atoms that this module can read.
pub fn analyse(theta: &str, observation: &[String], body: &Expr) -> Option<Analysis> {
    if leaves_early(body.to_token_stream()) {
        return None;
    }
    let mut reader = Reader {
        theta_names: HashSet::from([theta.to_string()]),
        data_names: observation.iter().cloned().collect(),
        neutral: HashSet::new(),
        mixed: HashMap::new(),
        out: Analysis {
            theta_lets: Vec::new(),
            data_lets: Vec::new(),
            atoms: Vec::new(),
            builder: Builder::new(),
            poly: Poly::default(),
        },
    };
    let poly = match strip(body) {
        Expr::Block(b) if b.attrs.is_empty() && b.label.is_none() => {
            let (last, lets) = b.block.stmts.split_last()?;
            for s in lets {
                reader.statement(s)?;
            }
            match last {
                Stmt::Expr(e, None) => reader.poly(e)?,
                _ => return None,
            }
        }
        e => reader.poly(e)?,
    };
    reader.out.poly = poly;
    Some(reader.out)
}
