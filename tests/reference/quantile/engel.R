# Reference numbers for quantile regression on quantreg::engel (foodexp ~ income).
# Run from this directory:  Rscript engel.R
# Writes engel.csv, engel_tau25.ref, engel_tau50.ref, engel_tau90.ref
suppressPackageStartupMessages(library(quantreg))
f17 <- function(x) sprintf("%.17g", x)
write_csv17 <- function(df, file) {
  out <- as.data.frame(lapply(df, f17), check.names = FALSE)
  write.csv(out, file, row.names = FALSE, quote = FALSE)
}
rho <- function(u, tau) sum(u * (tau - (u < 0)))

data(engel)
X <- model.matrix(foodexp ~ income, data = engel)
write_csv17(data.frame(foodexp = engel$foodexp, X, check.names = FALSE), "engel.csv")

for (tau in c(0.25, 0.5, 0.9)) {
  warns <- character(0)
  fit <- withCallingHandlers(
    rq(foodexp ~ income, tau = tau, data = engel, method = "br"),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  w_fit <- warns
  s_iid <- withCallingHandlers(summary(fit, se = "iid", covariance = TRUE),          # hs = TRUE default
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  s_nid <- withCallingHandlers(summary(fit, se = "nid", covariance = TRUE),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  fit_fn <- rq(foodexp ~ income, tau = tau, data = engel, method = "fn")
  n <- nrow(X); h_hs <- bandwidth.rq(tau, n, hs = TRUE)
  file <- sprintf("engel_tau%02d.ref", round(100 * tau))
  con <- file(file, "w")
  writeLines(c(
    sprintf("# fit <- rq(foodexp ~ income, tau = %s, data = quantreg::engel, method = 'br')", tau),
    sprintf("# R %s, quantreg %s", getRversion(), packageVersion("quantreg")),
    "# objective = sum(rho_tau(resid)), rho_tau(u) = u*(tau - I(u<0))  (equals fit$rho)",
    "# se_iid: summary(fit, se='iid'), se_nid: summary(fit, se='nid'); both with hs=TRUE (Hall-Sheather bandwidth)",
    "#   bandwidth.rq(tau,n,hs=TRUE) = n^(-1/3) * qnorm(1-0.05/2)^(2/3) * (1.5*dnorm(qnorm(tau))^2/(2*qnorm(tau)^2+1))^(1/3)",
    "#   iid: h = max(p+1, ceiling(n*bw)); sparsity = slope of rq(ord.resid ~ xt) on the h+1 residuals of smallest |r| after the pz exact zeros;",
    "#        cov = sparsity^2 * tau(1-tau) * (X'X)^-1",
    "#   nid: h = bw; f_i = pmax(0, 2h/(x_i'(b(tau+h)-b(tau-h)) - sqrt(.Machine$double.eps))); cov = tau(1-tau) (X'FX)^-1 X'X (X'FX)^-1",
    sprintf("# warnings: main rq fit: %s; summaries: %s",
            if (length(w_fit)) paste(unique(w_fit), collapse = " | ") else "none (rq.fit.br reports a unique solution)",
            if (length(warns) > length(w_fit)) paste(unique(warns[-seq_along(w_fit)]), collapse = " | ") else "none"),
    sprintf("# cross-check rq(method='fn') objective = %s (diff vs br = %.3g)", f17(fit_fn$rho), fit_fn$rho - rho(resid(fit), tau)),
    sprintf("tau,%s", f17(tau)), sprintf("n,%d", n),
    sprintf("bandwidth_hs,%s", f17(h_hs)),
    sprintf("coef:%s,%s", names(coef(fit)), f17(coef(fit))),
    sprintf("objective,%s", f17(rho(resid(fit), tau))),
    sprintf("se_iid:%s,%s", names(coef(fit)), f17(s_iid$coefficients[, 2])),
    sprintf("se_nid:%s,%s", names(coef(fit)), f17(s_nid$coefficients[, 2])),
    sprintf("sparsity_iid,%s", f17(1 / s_iid$scale))
  ), con)
  close(con)
}
