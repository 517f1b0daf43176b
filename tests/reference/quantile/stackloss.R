# Reference numbers for LAD (tau = 0.5) regression on datasets::stackloss (stack.loss ~ .).
# Run from this directory:  Rscript stackloss.R
# Writes stackloss.csv, stackloss_lad.ref
suppressPackageStartupMessages(library(quantreg))
f17 <- function(x) sprintf("%.17g", x)
write_csv17 <- function(df, file) {
  out <- as.data.frame(lapply(df, f17), check.names = FALSE)
  write.csv(out, file, row.names = FALSE, quote = FALSE)
}
rho <- function(u, tau) sum(u * (tau - (u < 0)))

data(stackloss)
X <- model.matrix(stack.loss ~ ., data = stackloss)
write_csv17(data.frame(stack.loss = stackloss$stack.loss, X, check.names = FALSE), "stackloss.csv")

tau <- 0.5
warns <- character(0)
catch <- function(expr) withCallingHandlers(expr,
  warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
fit <- catch(rq(stack.loss ~ ., tau = tau, data = stackloss, method = "br"))
w_fit <- warns; warns <- character(0)
s_iid <- catch(summary(fit, se = "iid", covariance = TRUE))
w_iid <- warns; warns <- character(0)
s_nid <- catch(summary(fit, se = "nid", covariance = TRUE))
w_nid <- warns
wtxt <- function(w) if (length(w)) paste(unique(w), collapse = " | ") else "none"
fit_fn <- rq(stack.loss ~ ., tau = tau, data = stackloss, method = "fn")
n <- nrow(X)
nzero <- sum(abs(resid(fit)) < 1e-9)
con <- file("stackloss_lad.ref", "w")
writeLines(c(
  "# fit <- rq(stack.loss ~ ., tau = 0.5, data = datasets::stackloss, method = 'br')",
  sprintf("# R %s, quantreg %s", getRversion(), packageVersion("quantreg")),
  "# objective = sum(rho_tau(resid)) = 0.5*sum(|resid|); se_iid/se_nid from summary.rq(se=...) with hs=TRUE (Hall-Sheather)",
  "#   (see engel_tau25.ref for the exact iid/nid formulas)",
  sprintf("# warnings: main rq fit: %s; summary(se='iid'): %s; summary(se='nid'): %s", wtxt(w_fit), wtxt(w_iid), wtxt(w_nid)),
  "#   (the iid warning comes from the internal sparsity regression rq(ord.resid ~ xt), not from the LAD fit itself;",
  "#    the LAD fit's dual values at the 4 basic observations are strictly inside (0,1): unique solution,",
  "#    confirmed by LP min/max of each coefficient over the optimal face in stackloss_check.py)",
  sprintf("# %d residuals are exactly zero (p = %d): basic solution", nzero, ncol(X)),
  sprintf("# cross-check rq(method='fn') objective = %s (diff vs br = %.3g), fn coef max |diff| = %.3g",
          f17(fit_fn$rho), fit_fn$rho - rho(resid(fit), tau), max(abs(coef(fit_fn) - coef(fit)))),
  sprintf("tau,%s", f17(tau)), sprintf("n,%d", n),
  sprintf("bandwidth_hs,%s", f17(bandwidth.rq(tau, n, hs = TRUE))),
  sprintf("coef:%s,%s", names(coef(fit)), f17(coef(fit))),
  sprintf("objective,%s", f17(rho(resid(fit), tau))),
  sprintf("se_iid:%s,%s", names(coef(fit)), f17(s_iid$coefficients[, 2])),
  sprintf("se_nid:%s,%s", names(coef(fit)), f17(s_nid$coefficients[, 2])),
  sprintf("sparsity_iid,%s", f17(1 / s_iid$scale))
), con)
close(con)
