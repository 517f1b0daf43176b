//! Ordered categories by a cumulative link (proportional odds for the logit), as
//! `MASS::polr`: P(Y ≤ j) = F(c_j − η) with K levels, K − 1 ordered cut-points kept ordered
//! by the transform c₁ = τ₁, c_j = c_{j−1} + exp(τ_j).

use mle_core::{DensityKernel, LogDensity, Parameter, Transform};
use nalgebra::SMatrix;
use num_dual::DualNum;

use crate::binomial::BinomialLink;

/// log(F(b) − F(a)) for a < b from (log F, log(1 − F)) at a and b, without cancellation:
/// the lower-tail form below the midpoint, the upper-tail form above.
#[inline]
fn ln_interval<D: DualNum<f64> + Copy>(a: (D, D), b: (D, D), upper: bool) -> D {
    if upper {
        a.1 + (-(b.1 - a.1).exp_m1()).ln()
    } else {
        b.0 + (-(a.0 - b.0).exp_m1()).ln()
    }
}

/// Cumulative link model with K ordered levels (observation: the level 1..=K as a number);
/// working parameters (η, τ₁, …, τ_{K−1}): η the linear predictor (no intercept), τ₁ the
/// first cut-point, τ_j = log(c_j − c_{j−1}). The link F is the logit (proportional odds),
/// probit or cloglog of [`BinomialLink`].
///
/// ```
/// use mle_core::LogDensity;
/// use mle_families::{BinomialLink, Ordinal};
/// // Two levels is a binary model: P(Y = 1) = F(c₁ − η).
/// let m = Ordinal::<2> { link: BinomialLink::Logit };
/// assert!((m.ln_density(&[0.0, 0.0], &1.0) - 0.5f64.ln()).abs() < 1e-15);
/// // Three levels, cuts 0 and 1 (τ₂ = 0), η = 0: P(Y = 2) = σ(1) − σ(0).
/// let m3 = Ordinal::<3> { link: BinomialLink::Logit };
/// let p2 = 1.0 / (1.0 + (-1f64).exp()) - 0.5;
/// assert!((m3.ln_density(&[0.0, 0.0, 0.0], &2.0) - p2.ln()).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ordinal<const K: usize> {
    /// The cumulative link F.
    pub link: BinomialLink,
}

impl<const K: usize> Ordinal<K> {
    /// Names of the K − 1 cut-points by adjacent levels: `1|2`, `2|3`, …
    ///
    /// ```
    /// assert_eq!(mle_families::Ordinal::<3>::default().cut_names(), ["1|2", "2|3"]);
    /// ```
    pub fn cut_names(&self) -> Vec<String> {
        (1..K).map(|j| format!("{j}|{}", j + 1)).collect()
    }

    /// The cut-points c₁ < … < c_{K−1} from the working τ.
    ///
    /// ```
    /// let c = mle_families::Ordinal::<3>::default().cut_points(&[-1.0, 0.0]);
    /// assert_eq!(c, vec![-1.0, 0.0]);
    /// ```
    pub fn cut_points(&self, tau: &[f64]) -> Vec<f64> {
        let mut c = Vec::with_capacity(K - 1);
        for (j, &t) in tau.iter().enumerate().take(K - 1) {
            c.push(if j == 0 { t } else { c[j - 1] + t.exp() });
        }
        c
    }

    /// τ from increasing cut-points (NaN if they are not increasing).
    pub fn working_cuts(&self, cuts: &[f64]) -> Vec<f64> {
        (0..cuts.len())
            .map(|j| {
                if j == 0 {
                    cuts[0]
                } else {
                    (cuts[j] - cuts[j - 1]).ln()
                }
            })
            .collect()
    }
}

impl<const K: usize> LogDensity<K> for Ordinal<K> {
    type Obs = f64;

    fn name(&self) -> String {
        format!("ordinal, {K} levels ({} cumulative link)", self.link.name())
    }

    fn parameters(&self) -> Vec<Parameter> {
        let names = self.cut_names();
        let mut p = vec![Parameter::identity("eta")];
        for j in 0..K - 1 {
            p.push(if j == 0 {
                Parameter::identity(names[0].clone())
            } else {
                let increment = format!("{} - {}", names[j], names[j - 1]);
                Parameter {
                    name: format!("log({increment})"),
                    transform: Transform::Log,
                    natural_name: increment,
                }
            });
        }
        p
    }

    #[inline]
    fn ln_density<D: DualNum<f64> + Copy>(&self, theta: &[D], y: &f64) -> D {
        let j = *y as usize; // 1..=K, checked
        let eta = theta[0];
        // c_{j−1} and c_j (as far as needed).
        let mut cut = theta[1];
        let mut lower = None;
        for i in 1..j.min(K - 1) {
            lower = Some(cut);
            cut += theta[1 + i].exp();
        }
        if j == K {
            return self.link.ln_probabilities(cut - eta).1;
        }
        let b = cut - eta;
        let pb = self.link.ln_probabilities(b);
        match lower {
            None => pb.0,
            Some(c) => {
                let a = c - eta;
                let upper = a.re() + b.re() > 0.0;
                ln_interval(self.link.ln_probabilities(a), pb, upper)
            }
        }
    }

    /// The exact expected information, a finite sum over the K levels:
    /// Σⱼ P(Y = j)·(−∇² ln P(Y = j)), each term by the same exact duals as ℓ (so it equals
    /// Σⱼ P(Y = j)·sⱼsⱼᵀ, the information identity, tested below).
    fn expected_information(&self, theta: &[f64; K], _y: &f64) -> Option<SMatrix<f64, K, K>> {
        let mut info = SMatrix::<f64, K, K>::zeros();
        for j in 1..=K {
            let (v, _, h) = DensityKernel::value_gradient_hessian(self, theta, &(j as f64));
            let p = v.exp();
            if p > 0.0 {
                info -= h * p;
            }
        }
        Some(info)
    }

    fn check_observation(&self, y: &f64) -> Result<(), String> {
        if y.fract() == 0.0 && *y >= 1.0 && *y <= K as f64 {
            Ok(())
        } else {
            Err(format!("y = {y}, but an ordinal response is a level 1..={K}"))
        }
    }
}

#[cfg(test)]
mod expected_information_tests {
    use mle_core::{DensityKernel, LogDensity};
    use nalgebra::SMatrix;

    use super::Ordinal;
    use crate::binomial::BinomialLink;

    #[test]
    fn equals_the_expected_outer_product_of_scores() {
        // Information identity: E[−∇² ln p] = E[s sᵀ], a different formula over the same sum.
        for link in [BinomialLink::Logit, BinomialLink::Probit] {
            let o = Ordinal::<4> { link };
            let theta = [0.3, -0.8, 0.2f64.ln(), 1.1f64.ln()];
            let info = o.expected_information(&theta, &1.0).unwrap();
            let mut opg = SMatrix::<f64, 4, 4>::zeros();
            let mut total = 0.0;
            for j in 1..=4 {
                let (v, g) = DensityKernel::value_gradient(&o, &theta, &(j as f64));
                let s = nalgebra::SVector::<f64, 4>::from(g);
                opg += s * s.transpose() * v.exp();
                total += v.exp();
            }
            assert!((total - 1.0).abs() < 1e-14);
            assert!((info - opg).abs().max() < 1e-12, "{info} vs {opg}");
        }
    }
}
