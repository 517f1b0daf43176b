//! Polynomials in the data atoms whose coefficients are dual numbers of θ.
//!
//! A coefficient is kept as a linear combination Σ fⱼ·vⱼ + k of dual variables vⱼ (each
//! emitted once as `let __vN: D = …;` in the statistics' log-likelihood) with `f64` factors
//! fⱼ and an `f64` constant k: adding, negating and scaling by a number cost no dual
//! arithmetic. A combination is materialised into one variable, in the order the body wrote
//! it, before it is multiplied or divided — so `(t[0] − x̄)` is formed as a dual before it is
//! squared, and nothing is expanded into differences of large numbers.

use std::collections::{BTreeMap, HashMap};

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

/// Highest total degree of a monomial in the atoms.
pub const MAX_DEGREE: usize = 4;

/// An `f64` factor: exactly one, exactly minus one, or an expression.
#[derive(Clone)]
pub enum Factor {
    /// 1.
    One,
    /// −1.
    MinusOne,
    /// Any `f64` expression.
    Expr(TokenStream),
}

impl Factor {
    /// The factor as a parenthesised `f64` expression.
    pub fn tokens(&self) -> TokenStream {
        match self {
            Factor::One => quote!(1.0f64),
            Factor::MinusOne => quote!((-1.0f64)),
            Factor::Expr(e) => quote!((#e)),
        }
    }

    fn neg(&self) -> Factor {
        match self {
            Factor::One => Factor::MinusOne,
            Factor::MinusOne => Factor::One,
            Factor::Expr(e) => Factor::Expr(quote!(-(#e))),
        }
    }

    fn mul(&self, other: &Factor) -> Factor {
        match (self, other) {
            (Factor::One, f) | (f, Factor::One) => f.clone(),
            (Factor::MinusOne, f) | (f, Factor::MinusOne) => f.neg(),
            (Factor::Expr(a), Factor::Expr(b)) => Factor::Expr(quote!((#a) * (#b))),
        }
    }

    fn add(&self, other: &Factor) -> Factor {
        let (a, b) = (self.tokens(), other.tokens());
        Factor::Expr(quote!(#a + #b))
    }
}

/// Σ fⱼ·vⱼ + k: dual variables (by index) with `f64` factors, and an optional `f64` constant.
#[derive(Clone, Default)]
pub struct Lin {
    terms: Vec<(usize, Factor)>,
    constant: Option<Factor>,
}

impl Lin {
    /// The constant `f`.
    pub fn constant(f: Factor) -> Lin {
        Lin {
            terms: Vec::new(),
            constant: Some(f),
        }
    }

    /// The dual variable `v`.
    pub fn var(v: usize) -> Lin {
        Lin {
            terms: vec![(v, Factor::One)],
            constant: None,
        }
    }

    fn add(&self, other: &Lin) -> Lin {
        let mut out = self.clone();
        for (v, f) in &other.terms {
            match out.terms.iter_mut().find(|(w, _)| w == v) {
                Some((_, g)) => *g = g.add(f),
                None => out.terms.push((*v, f.clone())),
            }
        }
        out.constant = match (&self.constant, &other.constant) {
            (None, c) | (c, None) => c.clone(),
            (Some(a), Some(b)) => Some(a.add(b)),
        };
        out
    }

    fn scale(&self, f: &Factor) -> Lin {
        Lin {
            terms: self.terms.iter().map(|(v, g)| (*v, g.mul(f))).collect(),
            constant: self.constant.as_ref().map(|c| c.mul(f)),
        }
    }

    fn neg(&self) -> Lin {
        self.scale(&Factor::MinusOne)
    }
}

/// The dual variables emitted so far and the memo of their products and quotients.
pub struct Builder {
    /// `let __vN: D = …;` statements, in order.
    pub statements: Vec<TokenStream>,
    count: usize,
    products: HashMap<(usize, usize), usize>,
    quotients: HashMap<(usize, usize), usize>,
}

impl Builder {
    /// No variables yet.
    pub fn new() -> Builder {
        Builder {
            statements: Vec::new(),
            count: 0,
            products: HashMap::new(),
            quotients: HashMap::new(),
        }
    }

    /// The identifier of variable `v`.
    pub fn ident(v: usize) -> Ident {
        format_ident!("__mle_v{}", v, span = Span::call_site())
    }

    fn emit(&mut self, value: TokenStream) -> usize {
        let v = self.count;
        self.count += 1;
        let name = Builder::ident(v);
        self.statements.push(quote!(let #name: D = #value;));
        v
    }

    /// A new variable holding the θ-dependent expression `e` (a dual or an `f64`).
    pub fn var_from_expr(&mut self, e: TokenStream) -> usize {
        self.emit(quote!(::core::convert::Into::<D>::into(#e)))
    }

    /// The combination as one variable times a factor; `None` for a constant.
    fn materialise(&mut self, lin: &Lin) -> Option<(usize, Factor)> {
        if let ([(v, f)], None) = (lin.terms.as_slice(), &lin.constant) {
            return Some((*v, f.clone()));
        }
        let mut terms = lin.terms.iter();
        let (v0, f0) = terms.next()?;
        let name = Builder::ident(*v0);
        let mut value = match f0 {
            Factor::One => quote!(#name),
            Factor::MinusOne => quote!(-#name),
            Factor::Expr(e) => quote!(#name * (#e)),
        };
        for (v, f) in terms {
            let name = Builder::ident(*v);
            value = match f {
                Factor::One => quote!(#value + #name),
                Factor::MinusOne => quote!(#value - #name),
                Factor::Expr(e) => quote!(#value + #name * (#e)),
            };
        }
        if let Some(c) = &lin.constant {
            let c = c.tokens();
            value = quote!(#value + #c);
        }
        Some((self.emit(value), Factor::One))
    }

    /// The combination as one variable (a constant becomes a dual constant).
    fn materialise_all(&mut self, lin: &Lin) -> (usize, Factor) {
        match self.materialise(lin) {
            Some(vf) => vf,
            None => {
                let c = lin.constant.as_ref().map_or(quote!(0.0f64), Factor::tokens);
                (
                    self.emit(quote!(<D as ::core::convert::From<f64>>::from(#c))),
                    Factor::One,
                )
            }
        }
    }

    fn mul(&mut self, a: &Lin, b: &Lin) -> Lin {
        let (Some((va, fa)), Some((vb, fb))) = (self.materialise(a), self.materialise(b)) else {
            // A constant factor: no dual product.
            return match (a.terms.is_empty(), b.terms.is_empty()) {
                (true, _) => a.constant.as_ref().map_or_else(Lin::default, |c| b.scale(c)),
                (_, true) => b.constant.as_ref().map_or_else(Lin::default, |c| a.scale(c)),
                _ => unreachable!("materialise returns None only for constants"),
            };
        };
        let key = (va.min(vb), va.max(vb));
        let p = match self.products.get(&key) {
            Some(&p) => p,
            None => {
                let (x, y) = (Builder::ident(key.0), Builder::ident(key.1));
                let p = self.emit(quote!(#x * #y));
                self.products.insert(key, p);
                p
            }
        };
        Lin {
            terms: vec![(p, fa.mul(&fb))],
            constant: None,
        }
    }

    fn div(&mut self, a: &Lin, q: &Lin) -> Lin {
        if q.terms.is_empty() {
            let Some(c) = &q.constant else {
                return Lin::default();
            };
            let c = c.tokens();
            return a.scale(&Factor::Expr(quote!(1.0f64 / #c)));
        }
        let (vq, fq) = self.materialise_all(q);
        let (va, fa) = self.materialise_all(a);
        let p = match self.quotients.get(&(va, vq)) {
            Some(&p) => p,
            None => {
                let (x, y) = (Builder::ident(va), Builder::ident(vq));
                let p = self.emit(quote!(#x / #y));
                self.quotients.insert((va, vq), p);
                p
            }
        };
        let f = match (fa, fq) {
            (fa, Factor::One) => fa,
            (fa, fq) => {
                let (a, b) = (fa.tokens(), fq.tokens());
                Factor::Expr(quote!(#a / #b))
            }
        };
        Lin {
            terms: vec![(p, f)],
            constant: None,
        }
    }
}

/// A monomial: the atoms (by index, sorted, repeated for powers).
pub type Monomial = Vec<usize>;

/// Σₘ cₘ(θ)·Πₐ dₐ over monomials m of the atoms.
#[derive(Clone, Default)]
pub struct Poly {
    /// The coefficient of each monomial.
    pub terms: BTreeMap<Monomial, Lin>,
}

impl Poly {
    /// A polynomial of degree zero.
    pub fn coefficient(c: Lin) -> Poly {
        Poly {
            terms: BTreeMap::from([(Vec::new(), c)]),
        }
    }

    /// Atom `a` = its shift + dₐ.
    pub fn atom(a: usize, shift: Factor) -> Poly {
        Poly {
            terms: BTreeMap::from([
                (Vec::new(), Lin::constant(shift)),
                (vec![a], Lin::constant(Factor::One)),
            ]),
        }
    }

    /// The sum.
    pub fn add(&self, other: &Poly) -> Poly {
        let mut out = self.clone();
        for (m, c) in &other.terms {
            let sum = match out.terms.get(m) {
                Some(d) => d.add(c),
                None => c.clone(),
            };
            out.terms.insert(m.clone(), sum);
        }
        out
    }

    /// The negation.
    pub fn neg(&self) -> Poly {
        Poly {
            terms: self.terms.iter().map(|(m, c)| (m.clone(), c.neg())).collect(),
        }
    }

    /// The product; `None` past [`MAX_DEGREE`].
    pub fn mul(&self, other: &Poly, b: &mut Builder) -> Option<Poly> {
        let mut out = Poly::default();
        for (ma, ca) in &self.terms {
            for (mb, cb) in &other.terms {
                let mut m: Monomial = ma.iter().chain(mb).copied().collect();
                if m.len() > MAX_DEGREE {
                    return None;
                }
                m.sort_unstable();
                out = out.add(&Poly {
                    terms: BTreeMap::from([(m, b.mul(ca, cb))]),
                });
            }
        }
        Some(out)
    }

    /// The quotient by a θ-only coefficient.
    pub fn div(&self, q: &Lin, b: &mut Builder) -> Poly {
        Poly {
            terms: self.terms.iter().map(|(m, c)| (m.clone(), b.div(c, q))).collect(),
        }
    }

    /// `self` to the power `k`.
    pub fn powi(&self, k: u32, b: &mut Builder) -> Option<Poly> {
        let mut out = Poly::coefficient(Lin::constant(Factor::One));
        for _ in 0..k {
            out = out.mul(self, b)?;
        }
        Some(out)
    }
}

/// The statements summing the polynomial against the statistics `S[m]` (named by
/// `statistic(j)` for the j-th monomial), ending in the dual total: Σ over variables of
/// v·(Σₘ fₘᵥ·Sₘ), plus Σₘ kₘ·Sₘ — one dual product and sum per variable.
pub fn total(poly: &Poly, statistic: impl Fn(usize) -> Ident) -> TokenStream {
    let mut by_var: BTreeMap<usize, Vec<TokenStream>> = BTreeMap::new();
    let mut constants = Vec::new();
    for (j, c) in poly.terms.values().enumerate() {
        let s = statistic(j);
        for (v, f) in &c.terms {
            let f = match f {
                Factor::One => quote!(#s),
                Factor::MinusOne => quote!(-#s),
                Factor::Expr(e) => quote!((#e) * #s),
            };
            by_var.entry(*v).or_default().push(f);
        }
        if let Some(k) = &c.constant {
            let k = k.tokens();
            constants.push(quote!(#k * #s));
        }
    }
    let constant = if constants.is_empty() {
        quote!(0.0f64)
    } else {
        quote!(#(#constants)+*)
    };
    let adds = by_var.iter().map(|(v, fs)| {
        let name = Builder::ident(*v);
        quote!(__mle_total += #name * (#(#fs)+*);)
    });
    quote! {
        let mut __mle_total: D = <D as ::core::convert::From<f64>>::from(#constant);
        #(#adds)*
        __mle_total
    }
}
