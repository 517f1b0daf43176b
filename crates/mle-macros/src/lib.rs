//! Compile-time sufficient statistics for `log_density!` bodies (an implementation detail of
//! `mle-core`; use `mle_core::log_density!`).
//!
//! When a body is a polynomial in *atoms* — subexpressions of the observation alone, such as
//! `*x`, `x.ln()` or `log_factorial[*y]` — with coefficients that depend on θ alone, the
//! log-likelihood of a whole sample is Σₘ cₘ(θ)·Sₘ with Sₘ = Σᵢ wᵢ Πₐ∈ₘ dᵢₐ: one pass over the
//! data computes the statistics Sₘ and every evaluation of ℓ, ∇ℓ and ∇²ℓ then costs O(1), as
//! for a family that declares its sufficient statistics by hand (Distributions.jl's
//! `suffstats`). Atoms that appear in a monomial of degree ≥ 2 are centred at their
//! weighted mean (dᵢₐ = aᵢ − āₐ, a second pass) so that the sums of squares do not cancel.
//!
//! [`__log_density_statistics!`] receives the body from `log_density!` and emits the two
//! trait methods `sufficient_statistics` and `ln_likelihood_from_statistics`, or nothing
//! when the body is not of that form (see the `analysis` module for what is read).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod analysis;
mod poly;

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::{format_ident, quote};

/// Most statistics a `SufficientStatistics` holds (mle-core's
/// `SufficientStatistics::CAPACITY`).
const CAPACITY: usize = 16;

/// The six bracketed arguments from `log_density!`: `[$crate] [capture bindings] [t]
/// [observation pattern] [observation type] [body]`.
struct Input {
    krate: TokenStream,
    binds: TokenStream,
    theta: Ident,
    pattern: TokenStream,
    obs: TokenStream,
    body: TokenStream,
}

fn parse_input(input: TokenStream) -> Option<Input> {
    let mut groups = input.into_iter().map(|tt| match tt {
        TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket => Some(g.stream()),
        _ => None,
    });
    let mut next = || groups.next().flatten();
    let (krate, binds, theta, pattern, obs, body) = (next()?, next()?, next()?, next()?, next()?, next()?);
    let theta = match unwrap_none_groups(theta).into_iter().next()? {
        TokenTree::Ident(i) => i,
        _ => return None,
    };
    Some(Input {
        krate,
        binds,
        theta,
        pattern,
        obs,
        body,
    })
}

/// Tokens with invisible (macro-fragment) groups opened.
fn unwrap_none_groups(tokens: TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .flat_map(|tt| match tt {
            TokenTree::Group(g) if g.delimiter() == Delimiter::None => unwrap_none_groups(g.stream()),
            TokenTree::Group(g) => {
                let mut h = Group::new(g.delimiter(), unwrap_none_groups(g.stream()));
                h.set_span(g.span());
                TokenStream::from(TokenTree::Group(h))
            }
            tt => TokenStream::from(tt),
        })
        .collect()
}

/// Emits `sufficient_statistics` and `ln_likelihood_from_statistics` for a `log_density!`
/// body that is a polynomial in data atoms, and nothing otherwise (implementation detail of
/// `mle_core::log_density!`).
#[proc_macro]
pub fn __log_density_statistics(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand(input.into()).unwrap_or_default().into()
}

fn expand(input: TokenStream) -> Option<TokenStream> {
    let input = parse_input(input)?;
    let body: syn::Expr = syn::parse2(unwrap_none_groups(input.body.clone())).ok()?;
    let observation = analysis::binding_names(input.pattern.clone());
    let analysis = analysis::analyse(&input.theta.to_string(), &observation, &body)?;
    let monomials: Vec<&Vec<usize>> = analysis.poly.terms.keys().collect();
    let atoms = analysis.atoms.len();
    // An atom in a monomial of degree ≥ 2 is centred (its sums of squares would cancel).
    let centred: Vec<usize> = (0..atoms)
        .filter(|a| monomials.iter().any(|m| m.len() >= 2 && m.contains(a)))
        .collect();
    if centred.len() + monomials.len() > CAPACITY {
        return None;
    }
    Some(emit(&input, &analysis, &monomials, &centred))
}

fn emit(
    input: &Input,
    analysis: &analysis::Analysis,
    monomials: &[&Vec<usize>],
    centred: &[usize],
) -> TokenStream {
    let Input {
        krate,
        binds,
        theta,
        pattern,
        obs,
        ..
    } = input;
    let (k, m) = (centred.len(), monomials.len());
    let atom_exprs = &analysis.atoms;
    let atom_names: Vec<Ident> = (0..atom_exprs.len())
        .map(|a| format_ident!("__mle_atom{}", a))
        .collect();
    let centred_names: Vec<&Ident> = centred.iter().map(|&a| &atom_names[a]).collect();
    // The factor of atom `a` in a monomial: its centred value or the atom itself.
    let factor = |a: usize| match centred.iter().position(|&c| c == a) {
        Some(j) => quote!(__mle_centred[#j]),
        None => {
            let name = &atom_names[a];
            quote!(#name)
        }
    };
    let products = monomials.iter().map(|mono| {
        let mut fs = mono.iter().map(|&a| factor(a));
        match fs.next() {
            None => quote!(1.0f64),
            Some(first) => {
                let product = fs.fold(first, |acc, f| quote!(#acc * #f));
                quote!((#product))
            }
        }
    });
    let data_lets = &analysis.data_lets;
    // One observation inside a block closure of the engine's sums: its weight (a row of weight
    // zero is skipped), its bindings and atoms.
    let observation = quote! {
        let __mle_w: f64 = match __mle_weights {
            ::core::option::Option::Some(__mle_w) => __mle_w[__mle_i],
            ::core::option::Option::None => 1.0,
        };
        if __mle_w == 0.0 {
            continue;
        }
        let #pattern: &#obs = &__mle_data[__mle_i];
        #(#data_lets)*
        #(let #atom_names: f64 = #atom_exprs;)*
    };
    let mean_terms = centred_names.iter().enumerate().map(|(j, a)| {
        let at = j + 1;
        quote!(__mle_out[#at] += __mle_w * #a;)
    });
    let means = if k > 0 {
        quote! {
            let __mle_means: [f64; #k] = #krate::macros::atom_means(__mle_data.len(), |__mle_range, __mle_out| {
                for __mle_i in __mle_range {
                    #observation
                    __mle_out[0] += __mle_w;
                    #(#mean_terms)*
                }
            });
        }
    } else {
        quote!(let __mle_means: [f64; 0] = [];)
    };
    let centred_values = centred_names
        .iter()
        .enumerate()
        .map(|(j, a)| quote!(#a - __mle_means[#j]));
    let sums = products
        .enumerate()
        .map(|(j, product)| quote!(__mle_out[#j] += __mle_w * #product;));
    let shifts = (0..atom_exprs.len()).map(|a| {
        let name = format_ident!("__mle_shift{}", a);
        match centred.iter().position(|&c| c == a) {
            Some(j) => quote!(let #name: f64 = __mle_statistics.values[#j];),
            None => quote!(let #name: f64 = 0.0;),
        }
    });
    let statistic = |j: usize| format_ident!("__mle_s{}", j);
    let statistics = (0..m).map(|j| {
        let name = statistic(j);
        let at = k + j;
        quote!(let #name: f64 = __mle_statistics.values[#at];)
    });
    let theta_lets = &analysis.theta_lets;
    let variables = &analysis.builder.statements;
    let total = poly::total(&analysis.poly, statistic);
    quote! {
        #[allow(unused_variables, unused_mut, unused_parens, unused_braces, clippy::all)]
        fn sufficient_statistics(
            &self,
            __mle_data: &[#obs],
            __mle_weights: ::core::option::Option<&[f64]>,
        ) -> ::core::option::Option<#krate::density::SufficientStatistics> {
            #[allow(unused_imports)]
            use #krate::macros::stats_prelude::*;
            // The data side of the body runs at f64.
            #[allow(dead_code)]
            type D = f64;
            #binds
            #means
            #krate::macros::monomial_statistics(__mle_means, __mle_data.len(), #m, |__mle_range, __mle_out| {
                for __mle_i in __mle_range {
                    #observation
                    let __mle_centred: [f64; #k] = [#(#centred_values),*];
                    #(#sums)*
                }
            })
        }

        #[inline]
        #[allow(unused_variables, unused_mut, unused_parens, unused_braces, clippy::all)]
        fn ln_likelihood_from_statistics<D: #krate::num_dual::DualNum<f64> + ::core::marker::Copy>(
            &self,
            __mle_theta: &[D],
            __mle_statistics: &#krate::density::SufficientStatistics,
        ) -> D {
            #binds
            let #theta: &[D] = __mle_theta;
            #(#shifts)*
            #(#statistics)*
            #(#theta_lets)*
            #(#variables)*
            #total
        }
    }
}
