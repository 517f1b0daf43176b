# Profile-likelihood CI for a Bernoulli probability, k = 3 successes in n = 15 (bbmle vs exact root of the LR statistic)
# Run from this directory:  Rscript binom.R
# Writes binom.csv, binom_profile_ci.ref
suppressPackageStartupMessages(library(bbmle))
f17 <- function(x) sprintf("%.17g", x)
y <- c(rep(1, 3), rep(0, 12))
write.csv(data.frame(y = f17(y)), "binom.csv", row.names = FALSE, quote = FALSE)
n <- length(y); k <- sum(y); p_hat <- k / n
crit <- qchisq(0.95, 1)
ll <- function(p) k * log(p) + (n - k) * log1p(-p)
lr <- function(p) 2 * (ll(p_hat) - ll(p))
nll_logit <- function(logitp) -sum(dbinom(y, 1, plogis(logitp), log = TRUE))
gr_logit <- function(logitp) -(k - n * plogis(logitp))
fit_logit <- mle2(nll_logit, start = list(logitp = 0), gr = gr_logit, method = "BFGS", control = list(reltol = 1e-16, maxit = 1000))
nll_nat <- function(p) -sum(dbinom(y, 1, p, log = TRUE))
gr_nat <- function(p) -(k / p - (n - k) / (1 - p))
fit_nat <- mle2(nll_nat, start = list(p = 0.5), gr = gr_nat, method = "L-BFGS-B", lower = 1e-8, upper = 1 - 1e-8,
                control = list(factr = 1, pgtol = 0, maxit = 1000))
ci_logit_prof <- confint(profile(fit_logit)); ci_logit_unir <- confint(fit_logit, method = "uniroot")
ci_nat_prof <- confint(profile(fit_nat)); ci_nat_unir <- confint(fit_nat, method = "uniroot")
lo <- uniroot(function(p) lr(p) - crit, c(1e-12, p_hat), tol = 1e-16, maxiter = 1000)$root
hi <- uniroot(function(p) lr(p) - crit, c(p_hat, 1 - 1e-12), tol = 1e-16, maxiter = 1000)$root
L <- function(nm, v) sprintf("%s,%s", nm, f17(v))
writeLines(c(
  "# fit_logit <- bbmle::mle2(-sum(dbinom(y,1,plogis(logitp),log=TRUE)), start=list(logitp=0), gr=analytic, method='BFGS', reltol=1e-16)",
  "# fit_nat   <- bbmle::mle2(-sum(dbinom(y,1,p,log=TRUE)), start=list(p=0.5), gr=analytic, method='L-BFGS-B', bounds [1e-8, 1-1e-8], factr=1)",
  "# bbmle_profile = confint(profile(fit)) (spline interpolation); bbmle_uniroot = confint(fit, method='uniroot')",
  sprintf("# R %s, bbmle %s; data binom.csv: y = 3 ones then 12 zeros (k = 3, n = 15)", getRversion(), packageVersion("bbmle")),
  "# exact (ci_lower/ci_upper): roots of LR(p) = 2*(k log(p_hat/p) + (n-k) log((1-p_hat)/(1-p))) = qchisq(0.95,1), uniroot tol 1e-16",
  "#   the LR CI is invariant: CI(logit p) = qlogis(CI(p))",
  sprintf("# bbmle MLEs vs closed form (abs diff): p %.3g, logitp %.3g", coef(fit_nat) - p_hat, coef(fit_logit) - qlogis(p_hat)),
  L("n", n), L("k", k), L("crit", crit),
  L("coef:p", p_hat), L("coef:logitp", qlogis(p_hat)), L("loglik", ll(p_hat)),
  L("se:p", sqrt(p_hat * (1 - p_hat) / n)), L("se:logitp", 1 / sqrt(n * p_hat * (1 - p_hat))),
  L("ci_lower:p", lo), L("ci_upper:p", hi), L("ci_lower:logitp", qlogis(lo)), L("ci_upper:logitp", qlogis(hi)),
  L("lr_at_ci_lower", lr(lo)), L("lr_at_ci_upper", lr(hi)),
  L("ci_lower_bbmle_profile:p", ci_nat_prof[1]), L("ci_upper_bbmle_profile:p", ci_nat_prof[2]),
  L("ci_lower_bbmle_uniroot:p", ci_nat_unir[1]), L("ci_upper_bbmle_uniroot:p", ci_nat_unir[2]),
  L("ci_lower_bbmle_profile:logitp", ci_logit_prof[1]), L("ci_upper_bbmle_profile:logitp", ci_logit_prof[2]),
  L("ci_lower_bbmle_uniroot:logitp", ci_logit_unir[1]), L("ci_upper_bbmle_uniroot:logitp", ci_logit_unir[2]),
  L("diff_bbmle_profile_minus_exact:ci_lower:p", ci_nat_prof[1] - lo), L("diff_bbmle_profile_minus_exact:ci_upper:p", ci_nat_prof[2] - hi),
  L("diff_bbmle_uniroot_minus_exact:ci_lower:p", ci_nat_unir[1] - lo), L("diff_bbmle_uniroot_minus_exact:ci_upper:p", ci_nat_unir[2] - hi),
  L("diff_bbmle_profile_minus_exact:ci_lower:logitp", ci_logit_prof[1] - qlogis(lo)),
  L("diff_bbmle_profile_minus_exact:ci_upper:logitp", ci_logit_prof[2] - qlogis(hi)),
  L("diff_bbmle_uniroot_minus_exact:ci_lower:logitp", ci_logit_unir[1] - qlogis(lo)),
  L("diff_bbmle_uniroot_minus_exact:ci_upper:logitp", ci_logit_unir[2] - qlogis(hi))
), "binom_profile_ci.ref")
