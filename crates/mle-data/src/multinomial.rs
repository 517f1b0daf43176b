//! The answers of a multinomial (baseline-category logit) formula fit: class probabilities
//! and the K − 1 linear predictors on new data (`predict(multinom, newdata, "probs")`),
//! fitted probabilities and the residual matrix indicator − probability
//! (`residuals(multinom)`). Likelihood-ratio tests by term are in `anova.rs`.

use mle_core::Design;

use crate::error::{DataError, Result};
use crate::family_name::Family;
use crate::formula_fit::FormulaFit;
use crate::predict::{eta_of, ordinal_probabilities, ClassProbabilities, Coefficients};
use crate::spec::ModelSpec;
use crate::table::Table;

/// The residual matrix of a multinomial fit (R's `residuals(multinom)`): one row per
/// observation used, one column per response level.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassResiduals {
    /// The response levels, in order (the columns).
    pub levels: Vec<String>,
    /// 1{yᵢ = level} − P̂(Y = level | xᵢ), each row summing to zero.
    pub residuals: Vec<Vec<f64>>,
}

/// One vector per row.
type Rows = Vec<Vec<f64>>;

/// The linear predictors ηₖ = xᵀβₖ (k = 1..K−1, the baseline's is 0) and the class
/// probabilities softmax(0, η₁, …) of each row of `x`; `estimates` are class-major
/// (class 1's p coefficients, then class 2's, ...).
/// `offset` is added to every non-baseline linear predictor.
fn softmax_rows(
    x: &Design,
    estimates: &[f64],
    classes: usize,
    offset: Option<&[f64]>,
) -> Result<(Rows, Rows)> {
    let p = x.ncols();
    if classes < 2 || estimates.len() < p * (classes - 1) {
        return Err(DataError::InvalidSpec(format!(
            "{} estimates for a multinomial model of {classes} classes on {p} design columns",
            estimates.len()
        )));
    }
    let etas: Vec<Vec<f64>> = (0..classes - 1)
        .map(|k| eta_of(x, &estimates[k * p..(k + 1) * p], offset))
        .collect();
    let n = x.nrows();
    let mut linear = Vec::with_capacity(n);
    let mut probabilities = Vec::with_capacity(n);
    for i in 0..n {
        let eta: Vec<f64> = etas.iter().map(|e| e[i]).collect();
        // Stable softmax over (0, η₁, …, η_{K−1}).
        let top = eta.iter().copied().fold(0.0_f64, f64::max);
        let mut probs: Vec<f64> = std::iter::once(-top)
            .chain(eta.iter().map(|e| e - top))
            .map(f64::exp)
            .collect();
        let total: f64 = probs.iter().sum();
        probs.iter_mut().for_each(|q| *q /= total);
        linear.push(eta);
        probabilities.push(probs);
    }
    Ok((linear, probabilities))
}

fn levels_of(levels: Option<&[String]>, family: Family) -> Result<&[String]> {
    match levels {
        Some(levels) if levels.len() >= 2 => Ok(levels),
        _ => Err(DataError::NotSupported {
            what: format!("class probabilities of a {family} fit without its response levels"),
        }),
    }
}

/// Class probabilities of an ordinal or multinomial spec and coefficients on `table`
/// (another family is a typed [`DataError::NotSupported`]).
pub(crate) fn class_probabilities(
    spec: &ModelSpec,
    c: &Coefficients<'_>,
    levels: Option<&[String]>,
    table: &Table,
) -> Result<ClassProbabilities> {
    if c.family != Family::Multinomial {
        return ordinal_probabilities(spec, c, levels, table);
    }
    let levels = levels_of(levels, c.family)?;
    let frame = spec.apply(table)?;
    let (linear_predictors, probabilities) =
        softmax_rows(&frame.design, c.estimates, levels.len(), frame.offset.as_deref())?;
    let (se_linear_predictors, se_probabilities) = match c.covariance {
        Some(v) => {
            let (se_eta, se_p) = delta_method(&frame.design, &probabilities, v)?;
            (Some(se_eta), Some(se_p))
        }
        None => (None, None),
    };
    Ok(ClassProbabilities {
        rows: frame.kept_rows.clone(),
        levels: levels.to_vec(),
        probabilities,
        linear_predictors,
        se_probabilities,
        se_linear_predictors,
    })
}

/// Delta-method standard errors of each row's K − 1 linear predictors, √(xᵀV_kk x), and of
/// its K probabilities, √(gᵀVg) with ∂P_j/∂β_k = P_j(1{j = k} − P_k)x (k = 1..K−1; V the
/// class-major covariance of the coefficients).
fn delta_method(x: &Design, probabilities: &Rows, v: &nalgebra::DMatrix<f64>) -> Result<(Rows, Rows)> {
    let p = x.ncols();
    let classes = probabilities.first().map_or(0, Vec::len);
    let m = p * classes.saturating_sub(1);
    if v.nrows() < m || v.ncols() < m {
        return Err(DataError::InvalidSpec(format!(
            "a {}×{} covariance for {m} multinomial coefficients",
            v.nrows(),
            v.ncols()
        )));
    }
    let v = v.view((0, 0), (m, m));
    // Buffers reused across rows and classes: the gradient g and Vg.
    let (mut g, mut vg) = (nalgebra::DVector::zeros(m), nalgebra::DVector::zeros(m));
    let mut quadratic = |g: &nalgebra::DVector<f64>| {
        vg.gemv(1.0, &v, g, 0.0);
        g.dot(&vg).max(0.0).sqrt()
    };
    let (mut se_eta, mut se_p) = (Vec::with_capacity(x.nrows()), Vec::with_capacity(x.nrows()));
    for (i, probs) in probabilities.iter().enumerate() {
        let row = x.matrix().row(i);
        let mut eta = Vec::with_capacity(classes - 1);
        for k in 1..classes {
            g.fill(0.0);
            for c in 0..p {
                g[(k - 1) * p + c] = row[c];
            }
            eta.push(quadratic(&g));
        }
        let mut prob = Vec::with_capacity(classes);
        for j in 0..classes {
            for k in 1..classes {
                let d = probs[j] * (f64::from(u8::from(j == k)) - probs[k]);
                for c in 0..p {
                    g[(k - 1) * p + c] = d * row[c];
                }
            }
            prob.push(quadratic(&g));
        }
        se_eta.push(eta);
        se_p.push(prob);
    }
    Ok((se_eta, se_p))
}

impl FormulaFit {
    /// Fitted class probabilities of the rows used (R's `fitted(multinom)`; ordinal: the
    /// fitted `polr` probabilities); other families are a typed [`DataError::NotSupported`].
    pub fn fitted_probabilities(&self) -> Result<Vec<Vec<f64>>> {
        match self.family {
            Family::Multinomial => {
                let levels = levels_of(self.response_levels(), self.family)?;
                let (x, offset) = (&self.frame.design, self.frame.offset.as_deref());
                Ok(softmax_rows(x, self.fit.estimates().as_slice(), levels.len(), offset)?.1)
            }
            Family::Ordinal => Err(DataError::NotSupported {
                what: "fitted probabilities of an ordinal fit on its own rows (predict_probabilities on \
                       the table gives them)"
                    .into(),
            }),
            f => Err(DataError::NotSupported {
                what: format!("class probabilities of a {f} fit (multinomial and ordinal fits have them)"),
            }),
        }
    }

    /// The residual matrix indicator − probability of a multinomial fit (R's
    /// `residuals(multinom)`, which is `type = "response"`).
    ///
    /// ```
    /// use mle_data::{Family, FormulaFit, FormulaOptions, Table};
    /// let y: Vec<&str> = (0..30).map(|i| ["a", "b", "c", "b", "a"][(i * 7 + i / 4) % 5]).collect();
    /// let x: Vec<f64> = (0..30).map(|i| (i % 6) as f64).collect();
    /// let t = Table::from_columns([("y", y.into()), ("x", x.into())]).unwrap();
    /// let m = FormulaFit::fit("y ~ x", &t, Family::Multinomial, FormulaOptions::default()).unwrap();
    /// let r = m.class_residuals().unwrap();
    /// assert_eq!(r.levels, ["a", "b", "c"]);
    /// assert!(r.residuals.iter().all(|row| row.iter().sum::<f64>().abs() < 1e-12));
    /// // The score equations of the intercepts: each class's residuals sum to zero.
    /// assert!((0..3).all(|k| r.residuals.iter().map(|row| row[k]).sum::<f64>().abs() < 1e-6));
    /// ```
    pub fn class_residuals(&self) -> Result<ClassResiduals> {
        if self.family != Family::Multinomial {
            return Err(DataError::NotSupported {
                what: format!(
                    "class residuals of a {} fit (a multinomial fit has them)",
                    self.family
                ),
            });
        }
        let probabilities = self.fitted_probabilities()?;
        let residuals = probabilities
            .iter()
            .zip(&self.data.y)
            .map(|(probs, &y)| {
                probs
                    .iter()
                    .enumerate()
                    .map(|(k, q)| f64::from(u8::from(k == y as usize)) - q)
                    .collect()
            })
            .collect();
        Ok(ClassResiduals {
            levels: levels_of(self.response_levels(), self.family)?.to_vec(),
            residuals,
        })
    }
}
