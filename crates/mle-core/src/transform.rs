//! Working scale ↔ natural scale for single parameters, with exact derivatives.
//!
//! Optimisation happens on an unconstrained working scale (σ as log σ, a probability as its
//! logit); results are reported on both scales. Because each transform acts on one parameter,
//! its Jacobian is diagonal and known in closed form.

/// How a working-scale parameter maps to the natural scale.
///
/// ```
/// use mle_core::Transform;
/// assert_eq!(Transform::Log.to_natural(0.0), 1.0);
/// assert_eq!(Transform::Logit.to_natural(0.0), 0.5);
/// assert_eq!(Transform::Identity.derivative(3.0), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// natural = working.
    Identity,
    /// natural = exp(working): a positive scale or rate.
    Log,
    /// natural = 1 / (1 + exp(−working)): a probability.
    Logit,
}

impl Transform {
    /// The natural-scale value of a working-scale value.
    ///
    /// ```
    /// use mle_core::Transform;
    /// assert!((Transform::Logit.to_natural(2.0) - 0.8807970779778823).abs() < 1e-15);
    /// ```
    pub fn to_natural(self, working: f64) -> f64 {
        match self {
            Transform::Identity => working,
            Transform::Log => working.exp(),
            Transform::Logit => sigmoid(working),
        }
    }

    /// The working-scale value of a natural-scale value (NaN outside the domain).
    ///
    /// ```
    /// use mle_core::Transform;
    /// assert!((Transform::Log.to_working(2.0) - 2f64.ln()).abs() < 1e-15);
    /// assert!(Transform::Log.to_working(-1.0).is_nan());
    /// ```
    pub fn to_working(self, natural: f64) -> f64 {
        match self {
            Transform::Identity => natural,
            Transform::Log => {
                if natural >= 0.0 {
                    natural.ln()
                } else {
                    f64::NAN
                }
            }
            Transform::Logit => {
                if (0.0..=1.0).contains(&natural) {
                    (natural / (1.0 - natural)).ln()
                } else {
                    f64::NAN
                }
            }
        }
    }

    /// d natural / d working, exactly.
    ///
    /// ```
    /// use mle_core::Transform;
    /// assert_eq!(Transform::Logit.derivative(0.0), 0.25);
    /// ```
    pub fn derivative(self, working: f64) -> f64 {
        match self {
            Transform::Identity => 1.0,
            Transform::Log => working.exp(),
            Transform::Logit => {
                let p = sigmoid(working);
                p * (1.0 - p)
            }
        }
    }

    /// Whether a natural-scale value sits on (or numerically at) the edge of the domain,
    /// where Wald intervals are meaningless: a probability at 0 or 1, a scale at 0.
    ///
    /// ```
    /// use mle_core::Transform;
    /// assert!(Transform::Logit.on_boundary(f64::NEG_INFINITY));
    /// assert!(!Transform::Logit.on_boundary(0.3));
    /// ```
    pub fn on_boundary(self, working: f64) -> bool {
        match self {
            Transform::Identity => !working.is_finite(),
            // Only where exp underflows: a scale's size is data-dependent (NIST Lanczos1 has
            // σ̂ ≈ 8e-14), so no smaller threshold is safe here.
            Transform::Log => working.is_nan() || working < -700.0 || working == f64::INFINITY,
            // |logit| > 30 means p within 1e-13 of 0 or 1.
            Transform::Logit => working.is_nan() || working.abs() > 30.0,
        }
    }
}

/// Numerically stable logistic function 1/(1+e^{−x}).
///
/// ```
/// assert_eq!(mle_core::transform::sigmoid(-800.0), 0.0);
/// assert_eq!(mle_core::transform::sigmoid(800.0), 1.0);
/// ```
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// (σ(x), σ(−x)) from one e^{−|x|}, each without cancellation or overflow (the smaller one
/// keeps its full relative precision, down to e^{−745}).
///
/// ```
/// use mle_core::transform::{sigmoid, sigmoid_pair};
/// assert_eq!(sigmoid_pair(0.0), (0.5, 0.5));
/// let (a, b) = sigmoid_pair(-40.0);
/// assert_eq!((a, b), (sigmoid(-40.0), sigmoid(40.0)));
/// ```
#[inline]
pub fn sigmoid_pair(x: f64) -> (f64, f64) {
    pair_from(x, (-x.abs()).exp())
}

/// (log σ(x), σ(x), σ(−x)) from the same one e^{−|x|}: log σ(x) = min(x, 0) − log1p(e^{−|x|}),
/// stable for any x (what a Bernoulli log-density and its derivatives need per row).
///
/// ```
/// use mle_core::transform::log_sigmoid_and_pair;
/// let (l, a, b) = log_sigmoid_and_pair(0.0);
/// assert_eq!((l, a, b), (-std::f64::consts::LN_2, 0.5, 0.5));
/// assert_eq!(log_sigmoid_and_pair(-800.0).0, -800.0);
/// ```
#[inline]
pub fn log_sigmoid_and_pair(x: f64) -> (f64, f64, f64) {
    let e = (-x.abs()).exp();
    let (a, b) = pair_from(x, e);
    (x.min(0.0) - e.ln_1p(), a, b)
}

/// (σ(x), σ(−x)) given e = e^{−|x|}.
#[inline]
fn pair_from(x: f64, e: f64) -> (f64, f64) {
    let (large, small) = (1.0 / (1.0 + e), e / (1.0 + e));
    if x >= 0.0 {
        (large, small)
    } else {
        (small, large)
    }
}

/// A model parameter: its working-scale name, transform and natural-scale name.
///
/// ```
/// use mle_core::{Parameter, Transform};
/// let p = Parameter::log_scale("sigma");
/// assert_eq!(p.name, "log_sigma");
/// assert_eq!(p.natural_name, "sigma");
/// assert_eq!(p.transform, Transform::Log);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// Name on the working (optimisation) scale.
    pub name: String,
    /// Map from working to natural scale.
    pub transform: Transform,
    /// Name on the natural scale.
    pub natural_name: String,
}

impl Parameter {
    /// A parameter optimised on its natural scale.
    ///
    /// ```
    /// let p = mle_core::Parameter::identity("mu");
    /// assert_eq!(p.name, p.natural_name);
    /// ```
    pub fn identity(name: impl Into<String>) -> Self {
        let name = name.into();
        Parameter {
            natural_name: name.clone(),
            name,
            transform: Transform::Identity,
        }
    }

    /// A positive parameter optimised as its logarithm (`log_NAME`).
    ///
    /// ```
    /// assert_eq!(mle_core::Parameter::log_scale("rate").name, "log_rate");
    /// ```
    pub fn log_scale(natural_name: impl Into<String>) -> Self {
        let natural_name = natural_name.into();
        Parameter {
            name: format!("log_{natural_name}"),
            transform: Transform::Log,
            natural_name,
        }
    }

    /// A probability optimised as its logit (`logit_NAME`).
    ///
    /// ```
    /// assert_eq!(mle_core::Parameter::logit_scale("p").name, "logit_p");
    /// ```
    pub fn logit_scale(natural_name: impl Into<String>) -> Self {
        let natural_name = natural_name.into();
        Parameter {
            name: format!("logit_{natural_name}"),
            transform: Transform::Logit,
            natural_name,
        }
    }
}
