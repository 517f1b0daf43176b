//! A density that is not built in, written as a closure, against R.
//! Reference: tests/reference/weibull/weibull.ref (R: profile equation solved by uniroot,
//! analytic observed information; cross-checked by bbmle::mle2 and scipy).

mod support;

use mle::prelude::*;
use support::{assert_rel, weibull_closure, Reference, Table};

#[test]
fn weibull_closure_matches_r() {
    let r = Reference::load("weibull/weibull.ref");
    let data = Table::load("weibull/data.csv").column("x");
    let weibull = weibull_closure();
    let objective = DataObjective::new(&weibull, &data).unwrap();
    for options in [FitOptions::newton(), FitOptions::bfgs()] {
        let fit = options.fit(&objective, &[0.0, 4.0]).unwrap();
        let nat = fit.natural_estimates();
        let se = fit.natural_std_errors().unwrap();
        let tol = if options.method() == Method::Newton {
            1e-9
        } else {
            1e-6
        };
        assert_rel("shape", nat[0], r.get("coef:shape"), tol);
        assert_rel("scale", nat[1], r.get("coef:scale"), tol);
        assert_rel("se shape", se[0], r.get("se:shape"), tol);
        assert_rel("se scale", se[1], r.get("se:scale"), tol);
        assert_rel("loglik", fit.log_likelihood(), r.get("loglik"), 1e-12);
        assert_rel("aic", fit.aic(), r.get("aic"), 1e-12);
        assert_rel("bic", fit.bic(), r.get("bic"), 1e-12);
        // Natural-scale covariance by the delta method J Σ Jᵀ (J diagonal: exp(θ)).
        let cov = fit.covariance().unwrap();
        let j = [nat[0], nat[1]];
        assert_rel(
            "vcov shape,scale",
            cov[(0, 1)] * j[0] * j[1],
            r.get("vcov:shape:scale"),
            tol,
        );
    }
}

/// Gamma(shape, rate) as a closure using log Γ of a dual number.
/// Reference: tests/reference/weibull/gamma.ref (R: digamma equation by uniroot, trigamma
/// information; cross-checked by bbmle::mle2 and scipy).
#[test]
fn gamma_closure_matches_r() {
    let r = Reference::load("weibull/gamma.ref");
    let data = Table::load("weibull/data.csv").column("x");
    let gamma = ClosureDensity::new(
        vec![Parameter::log_scale("shape"), Parameter::log_scale("rate")],
        |t: &[Dual2SVec64<2>], x: &f64| {
            let (k, log_r) = (t[0].exp(), t[1]);
            k * log_r + (k - 1.0) * x.ln() - log_r.exp() * *x - mle::core::special::ln_gamma(k)
        },
    );
    let objective = DataObjective::new(&gamma, &data).unwrap();
    let fit = FitOptions::newton().fit(&objective, &[0.0, -3.0]).unwrap();
    let nat = fit.natural_estimates();
    let se = fit.natural_std_errors().unwrap();
    assert_rel("shape", nat[0], r.get("coef:shape"), 1e-9);
    assert_rel("rate", nat[1], r.get("coef:rate"), 1e-9);
    assert_rel("se shape", se[0], r.get("se:shape"), 1e-9);
    assert_rel("se rate", se[1], r.get("se:rate"), 1e-9);
    assert_rel("loglik", fit.log_likelihood(), r.get("loglik"), 1e-12);
}
