//! `log_density!`: the macro density is the hand-written `impl LogDensity` of the same body —
//! same values and exact derivatives at f64, first-, second- and third-order duals — fits
//! the Weibull like R, gives the Jeffreys/Firth estimate with no second body, and reports
//! the offending row of a support check.

mod support;

use mle::core::jeffreys::{JeffreysObjective, Nested};
use mle::core::nalgebra::{Const, U1};
use mle::core::special::ln_gamma;
use mle::prelude::*;
use support::{assert_rel, Reference, Table};

const BALL_BEARINGS: [f64; 23] = [
    17.88, 28.92, 33.00, 41.52, 42.12, 45.60, 48.48, 51.84, 51.96, 54.12, 55.56, 67.80, 68.64, 68.64, 68.88,
    84.12, 93.12, 98.64, 105.12, 105.84, 127.92, 128.04, 173.40,
];

fn positive(x: &f64) -> Result<(), String> {
    if *x > 0.0 {
        Ok(())
    } else {
        Err(format!("{x} is not positive"))
    }
}

/// Relative agreement to 1e-14 (absolute below 1); outside the support both may be NaN or
/// infinite, then alike.
#[track_caller]
fn close(what: &str, got: f64, expected: f64) {
    let scale = expected.abs().max(1.0);
    assert!(
        got == expected || (got.is_nan() && expected.is_nan()) || (got - expected).abs() <= 1e-14 * scale,
        "{what}: macro {got:.17e}, by hand {expected:.17e}"
    );
}

/// Compares two densities at f64, first-order, second-order and third-order (nested) duals:
/// value, gradient, Hessian and third derivatives, and their names, parameters and supports.
fn assert_same_density<A, B, const P: usize>(a: &A, b: &B, thetas: &[[f64; P]], xs: &[A::Obs])
where
    A: LogDensity<P>,
    B: LogDensity<P, Obs = A::Obs>,
{
    assert_eq!(a.name(), b.name());
    assert_eq!(a.parameters(), b.parameters());
    for theta in thetas {
        let first: [DualSVec64<P>; P] = std::array::from_fn(|i| DualSVec64::from_re(theta[i]).derivative(i));
        let second: [Dual2SVec64<P>; P] =
            std::array::from_fn(|i| Dual2SVec64::from_re(theta[i]).derivative(i));
        let third: [Nested<P>; P] = std::array::from_fn(|i| {
            let mut d = Nested::<P>::from_re(DualSVec64::from_re(theta[i]).derivative(i));
            d.v1 = num_dual::Derivative::derivative_generic(U1, Const::<P>, i);
            d
        });
        for x in xs {
            assert_eq!(a.check_observation(x), b.check_observation(x));
            close("value at f64", a.ln_density(theta, x), b.ln_density(theta, x));

            let (ga, gb) = (a.ln_density(&first, x), b.ln_density(&first, x));
            close("value at DualSVec", ga.re, gb.re);
            let (ga, gb) = (
                ga.eps.unwrap_generic(Const::<P>, U1),
                gb.eps.unwrap_generic(Const::<P>, U1),
            );
            for i in 0..P {
                close("gradient at DualSVec", ga[i], gb[i]);
            }

            let (ha, hb) = (a.ln_density(&second, x), b.ln_density(&second, x));
            close("value at Dual2SVec", ha.re, hb.re);
            let (g1, g2) = (
                ha.v1.unwrap_generic(U1, Const::<P>),
                hb.v1.unwrap_generic(U1, Const::<P>),
            );
            let (h1, h2) = (
                ha.v2.unwrap_generic(Const::<P>, Const::<P>),
                hb.v2.unwrap_generic(Const::<P>, Const::<P>),
            );
            for i in 0..P {
                close("gradient at Dual2SVec", g1[i], g2[i]);
                for j in 0..P {
                    close("Hessian at Dual2SVec", h1[(i, j)], h2[(i, j)]);
                }
            }

            let (ta, tb) = (a.ln_density(&third, x), b.ln_density(&third, x));
            let (ta, tb) = (
                ta.v2.unwrap_generic(Const::<P>, Const::<P>),
                tb.v2.unwrap_generic(Const::<P>, Const::<P>),
            );
            for i in 0..P {
                for j in 0..P {
                    let (da, db) = (
                        ta[(i, j)].eps.unwrap_generic(Const::<P>, U1),
                        tb[(i, j)].eps.unwrap_generic(Const::<P>, U1),
                    );
                    close("Hessian at Nested", ta[(i, j)].re, tb[(i, j)].re);
                    for k in 0..P {
                        close("third derivative at Nested", da[k], db[k]);
                    }
                }
            }
        }
    }
}

// ---- Weibull(shape k, scale λ) on (log k, log λ).

fn weibull_macro() -> impl LogDensity<2, Obs = f64> {
    log_density! {
        name: "Weibull",
        params: [Parameter::log_scale("shape"), Parameter::log_scale("scale")],
        support: positive,
        |t, x: &f64| {
            let (log_k, log_lambda) = (t[0], t[1]);
            let z = -(log_lambda - x.ln()); // log(x/λ)
            log_k - log_lambda + z * (log_k.exp() - 1.0) - (z * log_k.exp()).exp()
        }
    }
}

struct WeibullByHand;
impl LogDensity<2> for WeibullByHand {
    type Obs = f64;
    fn name(&self) -> String {
        "Weibull".into()
    }
    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::log_scale("shape"), Parameter::log_scale("scale")]
    }
    fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &f64) -> D {
        let (log_k, log_lambda) = (t[0], t[1]);
        let z = -(log_lambda - x.ln());
        log_k - log_lambda + z * (log_k.exp() - 1.0) - (z * log_k.exp()).exp()
    }
    fn check_observation(&self, x: &f64) -> Result<(), String> {
        positive(x)
    }
}

#[test]
fn weibull_macro_equals_hand_written_impl() {
    let thetas = [[0.743, 4.405], [0.0, 0.0], [-0.5, 3.0], [1.5, 5.5]];
    assert_same_density(&weibull_macro(), &WeibullByHand, &thetas, &BALL_BEARINGS);
    assert_same_density(&weibull_macro(), &WeibullByHand, &thetas, &[-1.0, 0.0]);
    // And through the objective (blocks, parallel sums, weights).
    let weights: Vec<f64> = (0..BALL_BEARINGS.len()).map(|i| (i % 3) as f64).collect();
    let (m, h) = (weibull_macro(), WeibullByHand);
    let om = DataObjective::new(&m, &BALL_BEARINGS)
        .unwrap()
        .with_weights(&weights)
        .unwrap();
    let oh = DataObjective::new(&h, &BALL_BEARINGS)
        .unwrap()
        .with_weights(&weights)
        .unwrap();
    for theta in thetas {
        assert_eq!(om.evaluate(&theta).unwrap(), oh.evaluate(&theta).unwrap());
        assert_eq!(
            om.value_gradient(&theta).unwrap(),
            oh.value_gradient(&theta).unwrap()
        );
        assert_eq!(
            om.log_likelihood(&theta).unwrap(),
            oh.log_likelihood(&theta).unwrap()
        );
        assert_eq!(om.scores(&theta).unwrap(), oh.scores(&theta).unwrap());
    }
}

/// Newton on the 23 ball-bearing failure times against R (tests/reference/weibull/).
#[test]
fn weibull_macro_fit_matches_r() {
    let r = Reference::load("weibull/weibull.ref");
    let data = Table::load("weibull/data.csv").column("x");
    let weibull = weibull_macro();
    let fit = FitOptions::newton()
        .fit(&DataObjective::new(&weibull, &data).unwrap(), &[0.0, 4.0])
        .unwrap();
    let (est, se) = (fit.natural_estimates(), fit.natural_std_errors().unwrap());
    assert_rel("shape", est[0], r.get("coef:shape"), 1e-9);
    assert_rel("scale", est[1], r.get("coef:scale"), 1e-9);
    assert_rel("se shape", se[0], r.get("se:shape"), 1e-9);
    assert_rel("se scale", se[1], r.get("se:scale"), 1e-9);
    assert_rel("loglik", fit.log_likelihood(), r.get("loglik"), 1e-12);
    // The README's rounded figures.
    assert_eq!(
        format!("{:.6} {:.6} {:.6} {:.6}", est[0], se[0], est[1], se[1]),
        "2.102059 0.328687 81.878334 8.600446"
    );
}

#[test]
fn support_check_names_the_row() {
    let weibull = weibull_macro();
    let data = [12.0, 30.5, -3.0, 40.0];
    let Err(err) = DataObjective::new(&weibull, &data) else {
        panic!("-3 accepted")
    };
    assert!(
        matches!(&err, MleError::OutsideSupport { index: 2, family, reason }
            if family == "Weibull" && reason == "-3 is not positive"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "observation 2 is outside the support of the Weibull family: -3 is not positive"
    );
    // A non-finite row is caught before the support check, with its index too.
    assert!(matches!(
        DataObjective::new(&weibull, &[1.0, f64::NAN]),
        Err(MleError::NonFiniteObservation { index: 1 })
    ));
}

// ---- Gaussian with a known σ captured by value.

struct GaussianKnownSigma {
    sigma: f64,
}
impl LogDensity<1> for GaussianKnownSigma {
    type Obs = f64;
    fn name(&self) -> String {
        format!("Gaussian (sigma = {})", self.sigma)
    }
    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::identity("mu")]
    }
    fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &f64) -> D {
        let z = (t[0] - *x) / self.sigma;
        -(z * z) * 0.5 - self.sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
    }
}

#[test]
fn gaussian_with_captured_sigma_equals_hand_written_impl() {
    let known = 2.5;
    let gaussian = log_density! {
        name: format!("Gaussian (sigma = {sigma})"),
        params: [Parameter::identity("mu")],
        captures: { sigma: f64 = known },
        |t, x: &f64| {
            let z = (t[0] - *x) / sigma;
            -(z * z) * 0.5 - sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
        }
    };
    let by_hand = GaussianKnownSigma { sigma: known };
    assert_same_density(
        &gaussian,
        &by_hand,
        &[[0.0], [1.3], [-7.25]],
        &[-1.0, 0.0, 0.4, 3.0, 12.0],
    );
    // Closed form: μ̂ = x̄, information n/σ².
    let data = [1.0, 2.0, 6.0, -1.5];
    let objective = DataObjective::new(&gaussian, &data).unwrap();
    let e = objective.evaluate(&[7.5 / 4.0]).unwrap();
    assert!(e.gradient[0].abs() < 1e-15);
    close("information", -e.hessian[(0, 0)], 4.0 / (known * known));
}

// ---- A tuple observation (x, y): Poisson log-linear regression, as a named type in a module.

mod models {
    use mle::prelude::*;

    log_density! {
        /// Poisson counts y with log-mean b0 + b1·x + offset.
        #[derive(Clone, Copy, Debug)]
        pub struct PoissonRegression { pub offset: f64 }
        name: "Poisson regression",
        params: [Parameter::identity("b0"), Parameter::identity("b1")],
        support: |&(_, y): &(f64, f64)| {
            if y >= 0.0 && y.fract() == 0.0 { Ok(()) } else { Err(format!("{y} is not a count")) }
        },
        |t, &(x, y): &(f64, f64)| {
            let eta = t[0] + t[1] * x + offset;
            eta * y - eta.exp() - D::from(mle::core::special::ln_gamma(y + 1.0))
        }
    }
}

struct PoissonRegressionByHand {
    offset: f64,
}
impl LogDensity<2> for PoissonRegressionByHand {
    type Obs = (f64, f64);
    fn name(&self) -> String {
        "Poisson regression".into()
    }
    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::identity("b0"), Parameter::identity("b1")]
    }
    fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], &(x, y): &(f64, f64)) -> D {
        let eta = t[0] + t[1] * x + self.offset;
        eta * y - eta.exp() - D::from(ln_gamma(y + 1.0))
    }
    fn check_observation(&self, &(_, y): &(f64, f64)) -> Result<(), String> {
        if y >= 0.0 && y.fract() == 0.0 {
            Ok(())
        } else {
            Err(format!("{y} is not a count"))
        }
    }
}

#[test]
fn tuple_observation_equals_hand_written_impl() {
    let model = models::PoissonRegression { offset: 0.25 };
    let by_hand = PoissonRegressionByHand { offset: 0.25 };
    let data = [
        (0.0, 1.0),
        (0.5, 0.0),
        (1.0, 3.0),
        (1.5, 2.0),
        (2.0, 7.0),
        (-1.0, 0.5),
    ];
    assert_same_density(&model, &by_hand, &[[0.1, 0.6], [-1.0, 0.0], [2.0, -0.7]], &data);
    assert!(DataObjective::new(&model, &data).is_err());
    let fitted = DataObjective::new(&model, &data[..5]).unwrap();
    let fit = FitOptions::newton().fit(&fitted, &[0.0, 0.0]).unwrap();
    // Score equations of a Poisson GLM: Σ (y − μ) = 0 and Σ x (y − μ) = 0.
    let b = fit.estimates();
    let resid = |&(x, y): &(f64, f64)| y - (b[0] + b[1] * x + 0.25).exp();
    assert!(data[..5].iter().map(resid).sum::<f64>().abs() < 1e-9);
    assert!(data[..5].iter().map(|o| o.0 * resid(o)).sum::<f64>().abs() < 1e-9);
}

// ---- Your own observation type and a capture bound by reference.

/// An exposure time known only to lie in [lo, hi], from one of several groups.
#[derive(Clone, Copy, Debug)]
struct Interval {
    lo: f64,
    hi: f64,
    group: usize,
}
impl Observation for Interval {
    fn is_finite_observation(&self) -> bool {
        self.lo.is_finite() && self.hi.is_finite()
    }
}

struct IntervalByHand {
    multipliers: Vec<f64>,
}
impl LogDensity<1> for IntervalByHand {
    type Obs = Interval;
    fn name(&self) -> String {
        "IntervalExponential".into()
    }
    fn parameters(&self) -> Vec<Parameter> {
        vec![Parameter::log_scale("rate")]
    }
    fn ln_density<D: DualNum<f64> + Copy>(&self, t: &[D], x: &Interval) -> D {
        // log(exp(−r lo) − exp(−r hi)), r = λ·m_group.
        let r = t[0].exp() * self.multipliers[x.group];
        let (a, b) = (-(r * x.lo), -(r * x.hi));
        a + (-(b - a).exp()).ln_1p()
    }
}

#[test]
fn user_observation_type_and_reference_capture_equal_hand_written_impl() {
    log_density! {
        struct IntervalExponential { ref multipliers: Vec<f64> }
        params: [Parameter::log_scale("rate")],
        support: |x: &Interval| {
            if 0.0 <= x.lo && x.lo < x.hi && x.group < multipliers.len() {
                Ok(())
            } else {
                Err(format!("bad interval {x:?}"))
            }
        },
        |t, x: &Interval| {
            let r = t[0].exp() * multipliers[x.group];
            let (a, b) = (-(r * x.lo), -(r * x.hi));
            a + (-(b - a).exp()).ln_1p()
        }
    }
    let multipliers = vec![1.0, 2.5];
    let model = IntervalExponential {
        multipliers: multipliers.clone(),
    };
    let by_hand = IntervalByHand { multipliers };
    let data = [
        Interval {
            lo: 0.0,
            hi: 1.0,
            group: 0,
        },
        Interval {
            lo: 0.5,
            hi: 2.0,
            group: 1,
        },
        Interval {
            lo: 3.0,
            hi: 3.5,
            group: 0,
        },
    ];
    assert_same_density(&model, &by_hand, &[[0.0], [-1.2], [0.8]], &data);
    assert_eq!(model.name(), "IntervalExponential");
    let bad = [Interval {
        lo: 1.0,
        hi: 2.0,
        group: 2,
    }];
    assert!(matches!(
        DataObjective::new(&model, &bad),
        Err(MleError::OutsideSupport { index: 0, .. })
    ));
}

// ---- Jeffreys/Firth from the same body: no third-order copy.

#[test]
fn jeffreys_poisson_from_the_macro_body_gives_the_closed_form() {
    // Poisson mean on the log scale: the Jeffreys estimate is (Σy + ½)/n.
    let poisson = log_density! {
        name: "Poisson",
        params: [Parameter::log_scale("mean")],
        |t, y: &f64| t[0] * *y - t[0].exp()
    };
    for data in [vec![0.0, 0.0, 0.0, 0.0], vec![1.0, 0.0, 3.0, 2.0, 0.0]] {
        let obj = DataObjective::new(&poisson, &data).unwrap();
        let firth = JeffreysObjective::new(&obj);
        let fit = FitOptions::newton()
            .decrement_tolerance(1e-26)
            .fit(&firth, &[0.0])
            .unwrap();
        let expected = (data.iter().sum::<f64>() + 0.5) / data.len() as f64;
        assert_rel("Jeffreys Poisson", fit.natural_estimates()[0], expected, 1e-10);
    }
}
