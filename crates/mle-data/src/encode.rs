//! Factor levels, treatment contrasts with R's marginality rule, column names and the
//! design matrix itself.

use std::collections::HashMap;

use nalgebra::DMatrix;

use mle_core::Design;

use crate::error::{DataError, Result};
use crate::eval::{CatSource, Evaluated, Values};
use crate::formula::format_double;
use crate::spec::{Coding, PartSpec, TermSpec, VariableKind};
use crate::terms::TermPart;

/// Largest design built (cells): 2^31 doubles are 16 GiB.
const MAX_CELLS: usize = 1 << 31;

/// How R's `as.character()` prints a number: integers from integer columns in full,
/// doubles with up to 15 significant digits.
pub(crate) fn number_label(v: f64, integer: bool) -> String {
    if integer && v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format_double(v)
    }
}

/// The kind of a variable, from its values in the kept rows: numeric, or a factor with
/// its levels (strings sorted bytewise, dictionaries in dictionary order, booleans
/// `FALSE`/`TRUE`, numbers under `factor()` numerically).
pub(crate) fn kind_of(ev: &Evaluated, kept: &[usize]) -> VariableKind {
    if let Some(given) = &ev.given_levels {
        return given_kind(ev, given, kept);
    }
    match &ev.values {
        Values::Num { values, integer } if ev.explicit_factor => {
            let mut used: Vec<f64> = kept.iter().map(|&i| values[i]).filter(|v| !v.is_nan()).collect();
            used.sort_by(f64::total_cmp);
            used.dedup_by(|a, b| a == b);
            let mut levels: Vec<String> = Vec::with_capacity(used.len());
            let mut numeric = Vec::with_capacity(used.len());
            for v in used {
                let label = number_label(v, *integer);
                if levels.last() != Some(&label) && !levels.contains(&label) {
                    levels.push(label);
                    numeric.push(v);
                }
            }
            VariableKind::Factor {
                levels,
                numeric_levels: Some(numeric),
            }
        }
        Values::Num { .. } => VariableKind::Numeric,
        Values::Cat(c) => {
            if c.source == CatSource::Bool && !ev.explicit_factor {
                return VariableKind::Factor {
                    levels: c.dict.clone(),
                    numeric_levels: None,
                };
            }
            let mut seen = vec![false; c.dict.len()];
            for &i in kept {
                if let Some(code) = c.codes[i] {
                    seen[code as usize] = true;
                }
            }
            let mut levels: Vec<String> = c
                .dict
                .iter()
                .zip(&seen)
                .filter(|(_, s)| **s)
                .map(|(d, _)| d.clone())
                .collect();
            if c.source != CatSource::Dict {
                levels.sort();
            }
            VariableKind::Factor {
                levels,
                numeric_levels: None,
            }
        }
    }
}

/// The levels of `factor(x, levels = c(..))` in the order given, those seen in the kept rows
/// only (as `droplevels`); for numbers, each level's value.
fn given_kind(ev: &Evaluated, given: &[String], kept: &[usize]) -> VariableKind {
    match &ev.values {
        Values::Num { values, integer } => {
            let mut seen: HashMap<String, f64> = HashMap::new();
            for &i in kept {
                if !values[i].is_nan() {
                    seen.entry(number_label(values[i], *integer)).or_insert(values[i]);
                }
            }
            let (levels, numeric): (Vec<String>, Vec<f64>) = given
                .iter()
                .filter_map(|l| seen.get(l).map(|&v| (l.clone(), v)))
                .unzip();
            VariableKind::Factor {
                levels,
                numeric_levels: Some(numeric),
            }
        }
        Values::Cat(c) => {
            let mut seen = vec![false; c.dict.len()];
            for &i in kept {
                if let Some(code) = c.codes[i] {
                    seen[code as usize] = true;
                }
            }
            let used: Vec<&String> = c
                .dict
                .iter()
                .zip(&seen)
                .filter(|(_, s)| **s)
                .map(|(d, _)| d)
                .collect();
            VariableKind::Factor {
                levels: given.iter().filter(|l| used.contains(l)).cloned().collect(),
                numeric_levels: None,
            }
        }
    }
}

/// Level index of each kept row; a value not among `levels` is an error naming it.
pub(crate) fn factor_codes(
    label: &str,
    ev: &Evaluated,
    kept: &[usize],
    levels: &[String],
    numeric_levels: Option<&[f64]>,
) -> Result<Vec<usize>> {
    let by_label: HashMap<&str, usize> = levels.iter().enumerate().map(|(i, l)| (l.as_str(), i)).collect();
    let unseen = |level: String| DataError::UnseenLevel {
        column: label.to_string(),
        level,
        known: levels.to_vec(),
    };
    match &ev.values {
        Values::Cat(c) => {
            let map: Vec<Option<usize>> = c.dict.iter().map(|d| by_label.get(d.as_str()).copied()).collect();
            kept.iter()
                .map(|&i| match c.codes.get(i).copied().flatten() {
                    Some(code) => map
                        .get(code as usize)
                        .copied()
                        .flatten()
                        .ok_or_else(|| unseen(c.dict.get(code as usize).cloned().unwrap_or_default())),
                    None => Err(unseen("NA".into())),
                })
                .collect()
        }
        Values::Num { values, integer } => {
            let by_value: HashMap<u64, usize> = numeric_levels
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .map(|(i, v)| ((v + 0.0).to_bits(), i))
                .collect();
            kept.iter()
                .map(|&i| {
                    let v = values[i];
                    if let Some(&k) = by_value.get(&(v + 0.0).to_bits()) {
                        return Ok(k);
                    }
                    let l = number_label(v, *integer);
                    by_label.get(l.as_str()).copied().ok_or_else(|| unseen(l))
                })
                .collect()
        }
    }
}

/// R's factor coding of each variable in each term (`TermCode` in `stats/src/model.c`):
/// a factor gets contrasts when the term without it is among the earlier terms (or is
/// empty), else full indicator coding; without an intercept, the first factor of the first
/// term holding one is coded in full.
pub(crate) fn codings(part: &TermPart, is_factor: &dyn Fn(usize) -> bool) -> Vec<Vec<Coding>> {
    let terms = &part.terms;
    let mut out: Vec<Vec<Coding>> = terms
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            t.iter()
                .map(|&v| {
                    let rest: Vec<usize> = t.iter().copied().filter(|&u| u != v).collect();
                    if rest.is_empty() || terms[..ti].iter().any(|p| rest.iter().all(|r| p.contains(r))) {
                        Coding::Contrasts
                    } else {
                        Coding::Full
                    }
                })
                .collect()
        })
        .collect();
    if !part.intercept {
        'find: for (ti, t) in terms.iter().enumerate() {
            for (k, &v) in t.iter().enumerate() {
                if is_factor(v) {
                    out[ti][k] = Coding::Full;
                    break 'find;
                }
            }
        }
    }
    out
}

/// Term specs, column names and `assign` for one part, from the variables' kinds.
/// `dropped(v)`: the variable is the response (R drops terms holding it).
pub(crate) fn part_spec(
    part: &TermPart,
    labels: &[String],
    kinds: &[VariableKind],
    dropped: &dyn Fn(usize) -> bool,
) -> Result<PartSpec> {
    let is_factor = |v: usize| matches!(kinds[v], VariableKind::Factor { .. });
    let codes = codings(part, &is_factor);
    let mut names = Vec::new();
    let mut assign = Vec::new();
    if part.intercept {
        names.push("(Intercept)".to_string());
        assign.push(0);
    }
    let mut terms = Vec::with_capacity(part.terms.len());
    for (ti, (t, code)) in part.terms.iter().zip(&codes).enumerate() {
        let start = names.len();
        let has_columns = !t.iter().any(|&v| dropped(v));
        if has_columns {
            // Per variable, the name pieces of its columns; the first variable varies fastest.
            let mut pieces: Vec<Vec<String>> = Vec::with_capacity(t.len());
            for (&v, c) in t.iter().zip(code) {
                pieces.push(match &kinds[v] {
                    VariableKind::Numeric => vec![labels[v].clone()],
                    VariableKind::Factor { levels, .. } => {
                        if levels.len() < 2 {
                            return Err(DataError::TooFewLevels {
                                column: labels[v].clone(),
                                n_levels: levels.len(),
                            });
                        }
                        let skip = usize::from(*c == Coding::Contrasts);
                        levels[skip..]
                            .iter()
                            .map(|l| format!("{}{l}", labels[v]))
                            .collect()
                    }
                });
            }
            let count = pieces
                .iter()
                .try_fold(1usize, |acc, p| acc.checked_mul(p.len()))
                .filter(|&c| c.saturating_add(names.len()) <= MAX_CELLS)
                .ok_or(DataError::TooLarge {
                    rows: 0,
                    columns: usize::MAX,
                })?;
            for mut c in 0..count {
                let mut parts = Vec::with_capacity(t.len());
                for p in &pieces {
                    parts.push(p[c % p.len()].as_str());
                    c /= p.len();
                }
                names.push(parts.join(":"));
                assign.push(ti + 1);
            }
        }
        terms.push(TermSpec {
            label: part.labels[ti].clone(),
            variables: t.iter().copied().zip(code.iter().copied()).collect(),
            columns: start..names.len(),
        });
    }
    Ok(PartSpec {
        intercept: part.intercept,
        terms,
        column_names: names,
        assign,
    })
}

/// A variable encoded on the kept rows.
#[derive(Debug, Clone)]
pub(crate) enum Encoded {
    Num(Vec<f64>),
    Codes(Vec<usize>),
}

/// Fills the design of one part.
pub(crate) fn design(
    part: &PartSpec,
    kinds: &[VariableKind],
    vars: &[Option<Encoded>],
    kept: &[usize],
) -> Result<Design> {
    let n = kept.len();
    let p = part.column_names.len();
    if n.checked_mul(p).is_none_or(|cells| cells > MAX_CELLS) {
        return Err(DataError::TooLarge { rows: n, columns: p });
    }
    let mut data = vec![0.0; n * p];
    if part.intercept {
        data[..n].fill(1.0);
    }
    for term in &part.terms {
        let width = term.columns.len();
        if width == 0 {
            continue;
        }
        let block = &mut data[term.columns.start * n..term.columns.end * n];
        block.fill(1.0);
        let mut stride = 1;
        for &(v, coding) in &term.variables {
            match vars.get(v).and_then(Option::as_ref) {
                Some(Encoded::Num(x)) => {
                    for col in block.chunks_mut(n) {
                        col.iter_mut().zip(x).for_each(|(a, b)| *a *= b);
                    }
                }
                Some(Encoded::Codes(codes)) => {
                    let skip = usize::from(coding == Coding::Contrasts);
                    // Number of columns this factor spans in the term.
                    let k = match &kinds[v] {
                        VariableKind::Factor { levels, .. } => levels.len().saturating_sub(skip).max(1),
                        VariableKind::Numeric => 1,
                    };
                    for (j, col) in block.chunks_mut(n).enumerate() {
                        let level = (j / stride) % k + skip;
                        col.iter_mut().zip(codes).for_each(|(a, &c)| {
                            if c != level {
                                *a = 0.0;
                            }
                        });
                    }
                    stride *= k;
                }
                None => {}
            }
        }
    }
    // A non-finite entry (`log(0)`, `I(1/x)` at x = 0) named by its table row and column.
    if let Some(k) = data.iter().position(|v| !v.is_finite()) {
        return Err(DataError::InvalidValue {
            row: kept[k % n],
            column: part.column_names[k / n].clone(),
            reason: format!("the design entry is {}", data[k]),
        });
    }
    let matrix = DMatrix::from_vec(n, p, data);
    Ok(Design::new(matrix, part.column_names.iter().cloned())?)
}
