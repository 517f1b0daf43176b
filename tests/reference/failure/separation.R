# Separation verdicts (which ML coefficients are infinite) for small logistic-regression data sets.
# r-cran-detectseparation is not installable here and brglm2 0.9 removed detect_separation(); so the verdict is
# computed with detectseparation's own LP (separator_ROI, Konis 2007 ch. 4) solved by lpSolve::lp:
#     maximise 1' Xbar b  s.t.  Xbar b >= 0,  -1 <= b_j <= 1,   Xbar = diag(2y-1) X
# separation iff the optimum is > 0; coefficient j is infinite iff |b_j| > 1e-3 (detectseparation's tolerance).
# Supporting evidence: SE growth with maxit (re-implemented check_infinite_estimates; removed from brglm2 0.9) and plain glm() warnings.
# Run from this directory:  Rscript separation.R
# Writes sep_complete.csv/.ref, sep_quasi.csv/.ref, sep_none.csv/.ref (negative control), sep_endometrial.csv/.ref
suppressPackageStartupMessages({ library(lpSolve) })
f17 <- function(x) sprintf("%.17g", x)
write_csv17 <- function(df, file) {
  out <- as.data.frame(lapply(df, f17), check.names = FALSE)
  write.csv(out, file, row.names = FALSE, quote = FALSE)
}
separator_lp <- function(X, y) {
  Xbar <- X * ifelse(y == 1, 1, -1); p <- ncol(X)
  A <- rbind(cbind(Xbar, -Xbar), cbind(diag(p), diag(p) * 0), cbind(diag(p) * 0, diag(p)))
  sol <- lp("max", c(colSums(Xbar), -colSums(Xbar)), A, c(rep(">=", nrow(X)), rep("<=", 2 * p)),
            c(rep(0, nrow(X)), rep(1, 2 * p)))
  b <- sol$solution[1:p] - sol$solution[p + 1:p]; names(b) <- colnames(X)
  list(status = sol$status, objective = sol$objval, beta = b)
}
run <- function(stem, form, data, yname, desc) {
  warns <- character(0)
  ml <- withCallingHandlers(glm(form, family = binomial, data = data, control = glm.control(epsilon = 1e-14, maxit = 100)),
          warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  X <- model.matrix(ml); y <- data[[yname]]
  write_csv17(data.frame(setNames(list(y), yname), X, check.names = FALSE), paste0(stem, ".csv"))
  s <- separator_lp(X, y)
  inf <- abs(s$beta) > 1e-3
  # re-implementation of detectseparation::check_infinite_estimates: SE(maxit = m) / SE(maxit = 1), m = 1..20
  se_at <- function(m) sqrt(diag(summary(suppressWarnings(glm(form, family = binomial, data = data,
                                     control = glm.control(epsilon = 1e-300, maxit = m))))$cov.unscaled))
  cie <- t(sapply(1:20, se_at)); cie <- sweep(cie, 2, cie[1, ], "/")
  ratio <- cie[nrow(cie), ]
  # finite coefficients: their ML values are the limits obtained from the non-separated rows (Xbar_i'b = 0)
  # with the infinite columns dropped (valid here because every LP direction is axis-aligned)
  lim <- NULL
  if (any(inf) && !all(inf)) {
    keep <- abs(drop((X * ifelse(y == 1, 1, -1)) %*% s$beta)) < 1e-9
    Xs <- X[keep, !inf, drop = FALSE]
    f0 <- glm.fit(Xs, y[keep], family = binomial(), control = glm.control(epsilon = 1e-14, maxit = 100))
    f1 <- glm.fit(Xs, y[keep], family = binomial(), control = glm.control(epsilon = 1e-14, maxit = 100), start = f0$coefficients)
    lim <- f1$coefficients
  }
  writeLines(c(
    sprintf("# data: %s", desc),
    sprintf("# model: glm(%s, family = binomial); verdict by detectseparation's LP (see separation.R header) via lpSolve %s, R %s",
            deparse(form), packageVersion("lpSolve"), getRversion()),
    sprintf("# LP status %d (0 = optimal), objective %.6g -> %s", s$status, s$objective,
            if (s$objective > 1e-9) "separation" else "no separation"),
    sprintf("# LP direction beta: %s", paste(sprintf("%s=%.6g", names(s$beta), s$beta), collapse = ", ")),
    sprintf("# plain glm (eps 1e-14, maxit 100): converged=%s iter=%d coef: %s", ml$converged, ml$iter,
            paste(sprintf("%s=%.6g", names(coef(ml)), coef(ml)), collapse = ", ")),
    sprintf("# plain glm warnings: %s", if (length(warns)) paste(unique(warns), collapse = " | ") else "none"),
    sprintf("# check_infinite_estimates (re-implemented): SE(maxit=%d)/SE(maxit=1): %s", nrow(cie),
            paste(sprintf("%s=%.4g", colnames(cie), ratio), collapse = ", ")),
    "# infinite:TERM is 1 if the ML estimate of TERM is +-Inf, 0 if finite; direction:TERM is the LP solution (sign = sign of the divergence)",
    sprintf("separation,%d", as.integer(s$objective > 1e-9)),
    sprintf("infinite:%s,%d", names(s$beta), as.integer(inf)),
    sprintf("direction:%s,%s", names(s$beta), f17(s$beta)),
    if (!is.null(lim)) c("# limit_coef:TERM = ML value of a finite coefficient = glm on the rows with Xbar_i'beta = 0, infinite columns dropped",
                         sprintf("limit_coef:%s,%s", names(lim), f17(lim)))
  ), paste0(stem, ".ref"))
}
d1 <- data.frame(x = 1:10); d1$y <- as.numeric(d1$x > 5.5)
run("sep_complete", y ~ x, d1, "y", "complete separation: x = 1..10, y = as.numeric(x > 5.5)")
d2 <- data.frame(g = c(0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1),
                 z = c(1.2, -0.4, 0.8, 2.1, -1.3, 0.3, 1.7, -0.6, 0.9, 1.5, -0.2, 0.4),
                 y = c(0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1))
run("sep_quasi", y ~ g + z, d2, "y",
    "quasi-complete separation: g = 7 zeros then 5 ones; all y = 1 when g = 1; y and z overlap within g = 0")
d0 <- data.frame(x = 1:10, y = c(0, 0, 1, 0, 0, 1, 1, 0, 1, 1))
run("sep_none", y ~ x, d0, "y", "negative control, overlapping: x = 1..10, y = c(0,0,1,0,0,1,1,0,1,1)")
data(endometrial, package = "brglm2")
run("sep_endometrial", HG ~ NV + PI + EH, endometrial, "HG",
    "brglm2::endometrial (n = 79): quasi-complete separation in NV (NV = 1 => HG = 1)")
