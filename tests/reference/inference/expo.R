# Profile-likelihood CI for an exponential rate from 8 waiting times (bbmle vs exact root of the LR statistic)
# Run from this directory:  Rscript expo.R
# Writes expo.csv, expo_profile_ci.ref
suppressPackageStartupMessages(library(bbmle))
f17 <- function(x) sprintf("%.17g", x)
x <- c(0.42, 1.87, 0.93, 3.15, 0.28, 2.44, 1.06, 0.71)
write.csv(data.frame(x = f17(x)), "expo.csv", row.names = FALSE, quote = FALSE)
n <- length(x); S <- sum(x); rate_hat <- n / S          # closed-form MLE
crit <- qchisq(0.95, 1)
ll <- function(rate) n * log(rate) - rate * S
lr <- function(rate) 2 * (ll(rate_hat) - ll(rate))      # = 2n (t - 1 - log t), t = rate/rate_hat
# bbmle fits: rate on the log scale (unconstrained) and on the natural scale (bounded below)
nll_log <- function(lograte) -sum(dexp(x, exp(lograte), log = TRUE))
gr_log <- function(lograte) -(n - exp(lograte) * S)
fit_log <- mle2(nll_log, start = list(lograte = 0), gr = gr_log, method = "BFGS", control = list(reltol = 1e-16, maxit = 1000))
nll_nat <- function(rate) -sum(dexp(x, rate, log = TRUE))
gr_nat <- function(rate) -(n / rate - S)
fit_nat <- mle2(nll_nat, start = list(rate = 1), gr = gr_nat, method = "L-BFGS-B", lower = 1e-8,
                control = list(factr = 1, pgtol = 0, maxit = 1000))
ci_log_prof <- confint(profile(fit_log))          # bbmle default: profile + spline interpolation
ci_log_unir <- confint(fit_log, method = "uniroot")
ci_nat_prof <- confint(profile(fit_nat))
ci_nat_unir <- confint(fit_nat, method = "uniroot")
# exact: roots of LR(rate) = crit (uniroot to machine precision)
lo <- uniroot(function(r) lr(r) - crit, c(1e-6, rate_hat), tol = 1e-16, maxiter = 1000)$root
hi <- uniroot(function(r) lr(r) - crit, c(rate_hat, 100), tol = 1e-16, maxiter = 1000)$root
writeLines(c(
  "# fit_log <- bbmle::mle2(-sum(dexp(x, exp(lograte), log=TRUE)), start=list(lograte=0), gr=analytic, method='BFGS', reltol=1e-16)",
  "# fit_nat <- bbmle::mle2(-sum(dexp(x, rate, log=TRUE)), start=list(rate=1), gr=analytic, method='L-BFGS-B', lower=1e-8, factr=1)",
  "# bbmle_profile = confint(profile(fit)) (spline interpolation); bbmle_uniroot = confint(fit, method='uniroot')",
  sprintf("# R %s, bbmle %s; data expo.csv: x = c(%s)", getRversion(), packageVersion("bbmle"), paste(x, collapse = ", ")),
  "# exact (ci_lower/ci_upper): roots of LR(rate) = 2*(n log(rate_hat/rate) + rate*S - n) = qchisq(0.95,1), uniroot tol 1e-16;",
  "#   closed form: rate = rate_hat * t with t - log t = 1 + crit/(2n), i.e. t = -W_k(-exp(-(1 + crit/(2n)))), k = 0 (lower), -1 (upper)",
  "#   the LR CI is invariant: CI(lograte) = log(CI(rate))",
  sprintf("# bbmle MLEs vs closed form: rate %.3g, lograte %.3g (abs diff)", coef(fit_nat) - rate_hat, coef(fit_log) - log(rate_hat)),
  sprintf("n,%d", n), sprintf("sum_x,%s", f17(S)), sprintf("crit,%s", f17(crit)),
  sprintf("coef:rate,%s", f17(rate_hat)), sprintf("coef:lograte,%s", f17(log(rate_hat))),
  sprintf("loglik,%s", f17(ll(rate_hat))),
  sprintf("se:rate,%s", f17(rate_hat / sqrt(n))), sprintf("se:lograte,%s", f17(1 / sqrt(n))),
  sprintf("ci_lower:rate,%s", f17(lo)), sprintf("ci_upper:rate,%s", f17(hi)),
  sprintf("ci_lower:lograte,%s", f17(log(lo))), sprintf("ci_upper:lograte,%s", f17(log(hi))),
  sprintf("lr_at_ci_lower,%s", f17(lr(lo))), sprintf("lr_at_ci_upper,%s", f17(lr(hi))),
  sprintf("ci_lower_bbmle_profile:rate,%s", f17(ci_nat_prof[1])), sprintf("ci_upper_bbmle_profile:rate,%s", f17(ci_nat_prof[2])),
  sprintf("ci_lower_bbmle_uniroot:rate,%s", f17(ci_nat_unir[1])), sprintf("ci_upper_bbmle_uniroot:rate,%s", f17(ci_nat_unir[2])),
  sprintf("ci_lower_bbmle_profile:lograte,%s", f17(ci_log_prof[1])), sprintf("ci_upper_bbmle_profile:lograte,%s", f17(ci_log_prof[2])),
  sprintf("ci_lower_bbmle_uniroot:lograte,%s", f17(ci_log_unir[1])), sprintf("ci_upper_bbmle_uniroot:lograte,%s", f17(ci_log_unir[2])),
  sprintf("diff_bbmle_profile_minus_exact:ci_lower:rate,%s", f17(ci_nat_prof[1] - lo)),
  sprintf("diff_bbmle_profile_minus_exact:ci_upper:rate,%s", f17(ci_nat_prof[2] - hi)),
  sprintf("diff_bbmle_uniroot_minus_exact:ci_lower:rate,%s", f17(ci_nat_unir[1] - lo)),
  sprintf("diff_bbmle_uniroot_minus_exact:ci_upper:rate,%s", f17(ci_nat_unir[2] - hi)),
  sprintf("diff_bbmle_profile_minus_exact:ci_lower:lograte,%s", f17(ci_log_prof[1] - log(lo))),
  sprintf("diff_bbmle_profile_minus_exact:ci_upper:lograte,%s", f17(ci_log_prof[2] - log(hi))),
  sprintf("diff_bbmle_uniroot_minus_exact:ci_lower:lograte,%s", f17(ci_log_unir[1] - log(lo))),
  sprintf("diff_bbmle_uniroot_minus_exact:ci_upper:lograte,%s", f17(ci_log_unir[2] - log(hi)))
), "expo_profile_ci.ref")
