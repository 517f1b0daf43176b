//! [`LevelScan`]: what binding a formula needs from the data (variable kinds, factor
//! levels of the rows kept), gathered part by part and merged, so a data set read in
//! pieces binds on all of its levels at once.

use crate::error::{DataError, Result};
use crate::response::ResponseSpec;
use crate::spec::VariableKind;

/// Variable kinds and factor levels of the rows kept in one table (or several, merged):
/// from [`crate::ModelSpec::scan`], bound by [`crate::ModelSpec::from_scan`].
///
/// Merged levels are ordered as binding all rows at once orders them: strings sorted
/// bytewise, `factor()` of numbers numerically, booleans `FALSE`, `TRUE`; Arrow dictionary
/// levels in order of first appearance (the dictionary order when every part shares one
/// dictionary).
///
/// ```
/// use mle_data::{Formula, FrameOptions, ModelSpec, Table, VariableKind};
/// let f = Formula::parse("y ~ factor(k)").unwrap();
/// let a = Table::from_columns([("y", vec![1.0, 2.0].into()), ("k", vec![10.0, 2.0].into())]).unwrap();
/// let b = Table::from_columns([("y", vec![3.0].into()), ("k", vec![3.0].into())]).unwrap();
/// let o = FrameOptions::default();
/// let scan = ModelSpec::scan(&f, &a, &o).unwrap().merge(ModelSpec::scan(&f, &b, &o).unwrap()).unwrap();
/// match &scan.kinds()[0] {
///     VariableKind::Factor { levels, .. } => assert_eq!(levels, &["2", "3", "10"]),
///     k => panic!("{k:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LevelScan {
    pub(crate) kinds: Vec<VariableKind>,
    pub(crate) sorted: Vec<bool>,
    pub(crate) response: Option<ResponseSpec>,
    pub(crate) response_sorted: bool,
    pub(crate) n_rows: usize,
    pub(crate) n_kept: usize,
}

impl LevelScan {
    /// The kind of each variable of the formula (in order of first appearance).
    pub fn kinds(&self) -> &[VariableKind] {
        &self.kinds
    }

    /// The response's form (with the levels of a factor response).
    pub fn response(&self) -> Option<&ResponseSpec> {
        self.response.as_ref()
    }

    /// Rows scanned.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Rows kept (no missing value in a used column).
    pub fn n_kept(&self) -> usize {
        self.n_kept
    }

    /// The scan of both tables' rows: associative, so parts merge in any grouping (in
    /// their order).
    pub fn merge(mut self, other: LevelScan) -> Result<LevelScan> {
        if self.kinds.len() != other.kinds.len() {
            return Err(DataError::InvalidSpec("level scans of different formulas".into()));
        }
        for (i, kind) in other.kinds.into_iter().enumerate() {
            let sorted = self.sorted[i] && other.sorted[i];
            merge_kind(&mut self.kinds[i], kind, sorted)?;
            self.sorted[i] = sorted;
        }
        self.response = match (self.response.take(), other.response) {
            (
                Some(ResponseSpec::Factor {
                    expr,
                    levels,
                    numeric_levels,
                    order,
                }),
                Some(ResponseSpec::Factor {
                    levels: l2,
                    numeric_levels: n2,
                    ..
                }),
            ) => {
                let sorted = self.response_sorted && other.response_sorted;
                let mut kind = VariableKind::Factor {
                    levels,
                    numeric_levels,
                };
                merge_kind(
                    &mut kind,
                    VariableKind::Factor {
                        levels: l2,
                        numeric_levels: n2,
                    },
                    sorted,
                )?;
                self.response_sorted = sorted;
                match kind {
                    VariableKind::Factor {
                        levels,
                        numeric_levels,
                    } => Some(ResponseSpec::Factor {
                        expr,
                        levels,
                        numeric_levels,
                        order,
                    }),
                    VariableKind::Numeric => None,
                }
            }
            (
                Some(ResponseSpec::Surv {
                    time,
                    status,
                    one_two,
                }),
                Some(ResponseSpec::Surv { one_two: o2, .. }),
            ) => Some(ResponseSpec::Surv {
                time,
                status,
                one_two: one_two || o2,
            }),
            (a, b) if a == b => a,
            _ => {
                return Err(DataError::InvalidSpec(
                    "the response has another form in another part".into(),
                ))
            }
        };
        self.n_rows += other.n_rows;
        self.n_kept += other.n_kept;
        Ok(self)
    }
}

/// Unites the levels of `b` into `a`, in the order binding all rows at once gives.
fn merge_kind(a: &mut VariableKind, b: VariableKind, sorted: bool) -> Result<()> {
    match (a, b) {
        (VariableKind::Numeric, VariableKind::Numeric) => Ok(()),
        (
            VariableKind::Factor {
                levels,
                numeric_levels: Some(values),
            },
            VariableKind::Factor {
                levels: l2,
                numeric_levels: Some(v2),
            },
        ) => {
            let mut pairs: Vec<(f64, String)> = values.drain(..).zip(levels.drain(..)).collect();
            pairs.extend(v2.into_iter().zip(l2));
            pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
            for (v, l) in pairs {
                if !levels.contains(&l) {
                    levels.push(l);
                    values.push(v);
                }
            }
            Ok(())
        }
        (
            VariableKind::Factor {
                levels,
                numeric_levels: None,
            },
            VariableKind::Factor {
                levels: l2,
                numeric_levels: None,
            },
        ) => {
            for l in l2 {
                if !levels.contains(&l) {
                    levels.push(l);
                }
            }
            if sorted {
                levels.sort();
            }
            Ok(())
        }
        _ => Err(DataError::InvalidSpec(
            "a variable is numeric in one part of the data and a factor in another".into(),
        )),
    }
}
