//! A saved formula fit: versioned JSON with the spec (formula, levels, codings), family,
//! estimates and covariance — enough to predict on new data without the training table.

use std::ops::RangeInclusive;

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::count_probabilities::count_probabilities;
use crate::error::{DataError, Result};
use crate::family_name::Family;
use crate::formula_fit::FormulaFit;
use crate::multinomial::class_probabilities;
use crate::predict::{predict_with, ClassProbabilities, Coefficients, Prediction, Scale};
use crate::spec::ModelSpec;
use crate::table::Table;

/// The format version [`SavedModel`] writes and reads.
pub const SAVED_MODEL_VERSION: u32 = 1;

/// A fitted model as data (serde): `mle fit --save` writes it, `mle predict` reads it.
///
/// ```
/// use mle_data::{Family, FormulaFit, FormulaOptions, SavedModel, Scale, Table};
/// let t = Table::from_columns([("y", vec![1.0, 3.0, 2.0, 6.0].into()), ("g", vec!["a", "a", "b", "b"].into())]).unwrap();
/// let m = FormulaFit::fit("y ~ g", &t, Family::Poisson, FormulaOptions::default()).unwrap();
/// let json = SavedModel::from_fit(&m).to_json().unwrap();
/// let back = SavedModel::from_json(&json).unwrap();
/// let new = Table::from_columns([("g", vec!["a", "b"].into())]).unwrap();
/// assert_eq!(back.predict(&new, Scale::Response, 0.95).unwrap(), m.predict(&new, Scale::Response, 0.95).unwrap());
/// assert!(SavedModel::from_json("{\"version\": 99}").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    /// Format version ([`SAVED_MODEL_VERSION`]).
    pub version: u32,
    /// The family.
    pub family: Family,
    /// The link (R's name); absent in files of fits with the family's default link.
    #[serde(default)]
    pub link: Option<String>,
    /// The spec: formula, variables, factor levels, codings, columns.
    pub spec: ModelSpec,
    /// Levels of a factor response, if any.
    pub response_levels: Option<Vec<String>>,
    /// Names of all parameters (working scale).
    pub parameter_names: Vec<String>,
    /// All estimates (working scale).
    #[serde(with = "non_finite::vec")]
    pub estimates: Vec<f64>,
    /// Number of leading estimates that are the mean coefficients (of the first design).
    pub n_coefficients: usize,
    /// The covariance of all estimates, row-major, if the fit had one.
    #[serde(with = "non_finite::matrix")]
    pub covariance: Option<Vec<Vec<f64>>>,
    /// The covariance estimator's description.
    pub covariance_source: String,
    /// Observations the fit used.
    pub n_obs: usize,
    /// ℓ(θ̂).
    #[serde(with = "non_finite::scalar")]
    pub loglik: f64,
    /// Whether the fit converged.
    pub converged: bool,
    /// The largest response count of a zip / zinb fit (the default range of
    /// [`SavedModel::predict_counts`]); absent for the other families and in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_count: Option<u64>,
}

impl SavedModel {
    /// The saved form of a fit.
    pub fn from_fit(model: &FormulaFit) -> SavedModel {
        let mut saved = SavedModel::from_estimate(
            model.family(),
            model.link(),
            model.spec(),
            model.estimate(),
            model.frame().design.ncols(),
        );
        saved.response_levels = model.response_levels().map(<[String]>::to_vec);
        saved.max_count = model.max_count();
        saved.n_obs = model.n_obs();
        saved
    }

    /// The saved form of an estimate of `family` (link by R's name) on `spec` whose first
    /// `n_coefficients` parameters are the mean coefficients — a formula fit, or a fit streamed
    /// from Parquet — with no response levels and no count range (set them when they apply).
    pub fn from_estimate(
        family: Family,
        link: &str,
        spec: &ModelSpec,
        fit: &mle_core::Fit,
        n_coefficients: usize,
    ) -> SavedModel {
        SavedModel {
            version: SAVED_MODEL_VERSION,
            family,
            link: Some(link.to_string()),
            spec: spec.clone(),
            response_levels: None,
            parameter_names: fit.parameters().iter().map(|p| p.name.clone()).collect(),
            estimates: fit.estimates().iter().copied().collect(),
            n_coefficients,
            covariance: fit
                .covariance()
                .map(|v| v.row_iter().map(|r| r.iter().copied().collect()).collect()),
            covariance_source: fit.covariance_source().to_string(),
            n_obs: fit.n_obs(),
            loglik: fit.log_likelihood(),
            converged: fit.convergence().converged(),
            max_count: None,
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| DataError::SavedModel(e.to_string()))
    }

    /// Reads JSON written by [`SavedModel::to_json`] (checking the version and the sizes).
    pub fn from_json(json: &str) -> Result<SavedModel> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| DataError::SavedModel(e.to_string()))?;
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(SAVED_MODEL_VERSION) => {}
            other => {
                return Err(DataError::SavedModel(format!(
                    "format version {other:?}; this build reads version {SAVED_MODEL_VERSION}"
                )))
            }
        }
        let model: SavedModel =
            serde_json::from_value(value).map_err(|e| DataError::SavedModel(e.to_string()))?;
        let k = model.estimates.len();
        let square = model
            .covariance
            .as_ref()
            .is_none_or(|v| v.len() == k && v.iter().all(|r| r.len() == k));
        if model.parameter_names.len() != k || model.n_coefficients > k || !square {
            return Err(DataError::SavedModel(format!(
                "{} names, {k} estimates, {} coefficients and the covariance do not agree",
                model.parameter_names.len(),
                model.n_coefficients
            )));
        }
        Ok(model)
    }

    /// The link (the family's default for files without one) and the covariance as a matrix.
    fn link_and_covariance(&self) -> Result<(String, Option<DMatrix<f64>>)> {
        let k = self.estimates.len();
        let covariance = self
            .covariance
            .as_ref()
            .map(|v| DMatrix::from_fn(k, k, |i, j| v[i][j]));
        let link = self
            .link
            .clone()
            .unwrap_or_else(|| self.family.default_link().to_string());
        self.family.check_link(&link)?;
        Ok((link, covariance))
    }

    /// Predictions on new data, as [`FormulaFit::predict`].
    pub fn predict(&self, table: &Table, scale: Scale, level: f64) -> Result<Prediction> {
        let (link, covariance) = self.link_and_covariance()?;
        let c = Coefficients {
            family: self.family,
            link: &link,
            estimates: &self.estimates,
            covariance: covariance.as_ref(),
        };
        predict_with(&self.spec, &c, table, scale, level)
    }

    /// Class probabilities of a saved ordinal or multinomial fit (multinomial: with their
    /// delta-method SEs), or the count probabilities 0..=max(y) of a zip / zinb fit, as
    /// [`FormulaFit::predict_probabilities`].
    pub fn predict_probabilities(&self, table: &Table) -> Result<ClassProbabilities> {
        if matches!(self.family, Family::Zip | Family::Zinb) {
            return self.predict_counts(table, None);
        }
        let (link, covariance) = self.link_and_covariance()?;
        let c = Coefficients {
            family: self.family,
            link: &link,
            estimates: &self.estimates,
            covariance: covariance.as_ref(),
        };
        class_probabilities(&self.spec, &c, self.response_levels.as_deref(), table)
    }

    /// P(Y = k) of a saved zip / zinb fit for k in `at` (default 0..=[`SavedModel::max_count`]),
    /// as [`FormulaFit::predict_counts`].
    pub fn predict_counts(
        &self,
        table: &Table,
        at: Option<RangeInclusive<u64>>,
    ) -> Result<ClassProbabilities> {
        let (link, _) = self.link_and_covariance()?;
        let at = match (at, self.max_count) {
            (Some(at), _) => at,
            (None, Some(max)) => 0..=max,
            (None, None) => {
                return Err(DataError::NotSupported {
                    what: format!(
                        "count probabilities of a saved {} model without its largest count (give the range)",
                        self.family
                    ),
                })
            }
        };
        let c = Coefficients {
            family: self.family,
            link: &link,
            estimates: &self.estimates,
            covariance: None,
        };
        count_probabilities(&self.spec, &c, at, table)
    }
}

/// Numbers that JSON cannot hold (a boundary estimate such as log θ̂ = +∞ of a negative
/// binomial at its Poisson limit, NaN covariance entries) written as the strings `"Inf"`,
/// `"-Inf"`, `"NaN"`, and read back exactly.
mod non_finite {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Clone, Copy)]
    struct Num(f64);

    impl Serialize for Num {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                x if x.is_finite() => s.serialize_f64(x),
                x if x.is_nan() => s.serialize_str("NaN"),
                x if x > 0.0 => s.serialize_str("Inf"),
                _ => s.serialize_str("-Inf"),
            }
        }
    }

    impl<'de> Deserialize<'de> for Num {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
            #[derive(Deserialize)]
            #[serde(untagged)]
            enum Repr {
                Number(f64),
                Text(String),
            }
            match Repr::deserialize(d)? {
                Repr::Number(x) => Ok(Num(x)),
                Repr::Text(t) => match t.as_str() {
                    "NaN" => Ok(Num(f64::NAN)),
                    "Inf" => Ok(Num(f64::INFINITY)),
                    "-Inf" => Ok(Num(f64::NEG_INFINITY)),
                    other => Err(D::Error::custom(format!(
                        "`{other}` is not a number (nor Inf, -Inf, NaN)"
                    ))),
                },
            }
        }
    }

    pub(super) mod scalar {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
            Num(*x).serialize(s)
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
            Num::deserialize(d).map(|n| n.0)
        }
    }

    pub(super) mod vec {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(v.iter().map(|&x| Num(x)))
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
            Vec::<Num>::deserialize(d).map(|v| v.into_iter().map(|n| n.0).collect())
        }
    }

    pub(super) mod matrix {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(m: &Option<Vec<Vec<f64>>>, s: S) -> Result<S::Ok, S::Error> {
            match m {
                None => s.serialize_none(),
                Some(rows) => {
                    s.collect_seq(rows.iter().map(|r| r.iter().map(|&x| Num(x)).collect::<Vec<_>>()))
                }
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Vec<Vec<f64>>>, D::Error> {
            let rows = Option::<Vec<Vec<Num>>>::deserialize(d)?;
            Ok(rows.map(|rows| {
                rows.into_iter()
                    .map(|r| r.into_iter().map(|n| n.0).collect())
                    .collect()
            }))
        }
    }
}
