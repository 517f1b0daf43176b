# Firth (Jeffreys-prior penalised) logistic regression references.
# logistf is not installable here (not in Debian, CRAN unreachable) -> brglm2::brglmFit(type = 'AS_mean'),
# which for the canonical logit link solves exactly Firth's modified score equations; cross-checked by an own
# implementation (optim on l(b) + 0.5 log det(X'WX), reltol 1e-15, then modified-score Fisher-scoring polish).
# Run from this directory:  Rscript firth.R
# Writes firth_endometrial.csv/.ref (brglm2::endometrial, HG ~ NV + PI + EH, Heinze & Schemper 2002;
#        NV has quasi-complete separation) and firth_separated.csv/.ref (x = 1..10, y = x > 5.5, complete separation)
suppressPackageStartupMessages(library(brglm2))
f17 <- function(x) sprintf("%.17g", x)
write_csv17 <- function(df, file) {
  out <- as.data.frame(lapply(df, f17), check.names = FALSE)
  write.csv(out, file, row.names = FALSE, quote = FALSE)
}
pen_loglik <- function(b, X, y) {
  eta <- drop(X %*% b); mu <- plogis(eta); w <- mu * (1 - mu)
  l <- sum(y * eta - log1p(exp(-abs(eta))) - pmax(eta, 0))
  l + 0.5 * as.numeric(determinant(crossprod(X, w * X), logarithm = TRUE)$modulus)
}
firth_hand <- function(X, y) {
  o <- optim(rep(0, ncol(X)), function(b) -pen_loglik(b, X, y), method = "BFGS",
             control = list(reltol = 1e-15, maxit = 10000))
  b <- o$par
  for (it in 1:50) {                          # Fisher scoring on Firth's modified score
    mu <- plogis(drop(X %*% b)); w <- mu * (1 - mu)
    I <- crossprod(X, w * X)
    h <- rowSums((X %*% solve(I)) * X) * w    # diag of the weighted hat matrix
    U <- crossprod(X, y - mu + h * (0.5 - mu))
    b <- b + drop(solve(I, U))
  }
  mu <- plogis(drop(X %*% b)); w <- mu * (1 - mu); I <- crossprod(X, w * X)
  h <- rowSums((X %*% solve(I)) * X) * w
  list(coef = b, se = sqrt(diag(solve(I))), U = drop(crossprod(X, y - mu + h * (0.5 - mu))), optim_par = o$par)
}
run <- function(stem, form, data, yname, title) {
  fit <- glm(form, family = binomial, data = data, method = "brglmFit", type = "AS_mean",
             epsilon = 1e-15, maxit = 1000)
  X <- model.matrix(fit); y <- data[[yname]]
  write_csv17(data.frame(setNames(list(y), yname), X, check.names = FALSE), paste0(stem, ".csv"))
  b <- coef(fit); se <- sqrt(diag(vcov(fit)))   # brglm2: inverse expected information at the estimate
  hand <- firth_hand(X, y)
  ml <- suppressWarnings(glm(form, family = binomial, data = data, control = glm.control(epsilon = 1e-14, maxit = 100)))
  mu <- plogis(drop(X %*% b)); eta <- drop(X %*% b)
  loglik <- sum(y * eta - log1p(exp(-abs(eta))) - pmax(eta, 0))
  rel <- function(a, b) max(abs(a - b) / abs(b))
  writeLines(c(
    sprintf("# fit <- glm(%s, family = binomial, data = %s, method = 'brglmFit', type = 'AS_mean', epsilon = 1e-15, maxit = 1000)",
            deparse(form), title),
    sprintf("# R %s, brglm2 %s (logistf unavailable; AS_mean with logit link == Firth 1993 == logistf point estimate)",
            getRversion(), packageVersion("brglm2")),
    "# se = sqrt(diag((X'WX)^-1)) at the Firth estimate (same definition as logistf's var)",
    "# loglik = ordinary log-likelihood at the Firth estimate; loglik_penalized = loglik + 0.5*log det(X'WX)  (= logistf's fit$loglik['full'])",
    sprintf("# second route (optim BFGS reltol 1e-15 + 50 modified-score Fisher-scoring steps): max rel diff coef %.3g, se %.3g; |U*| max %.3g",
            rel(hand$coef, b), rel(hand$se, se), max(abs(hand$U))),
    sprintf("# optim alone (before polish) max rel diff vs brglm2: %.3g", rel(hand$optim_par, b)),
    sprintf("# plain ML glm (eps 1e-14, maxit 100) diverges: converged = %s (spurious: deviance change < eps), iter = %d, coef = (%s), max fitted prob distance from 0/1 = %.3g",
            ml$converged, ml$iter, paste(sprintf("%.6g", coef(ml)), collapse = ", "), min(pmin(fitted(ml), 1 - fitted(ml)))),
    sprintf("n,%d", nrow(X)),
    sprintf("coef:%s,%s", names(b), f17(b)),
    sprintf("se:%s,%s", names(b), f17(se)),
    sprintf("loglik,%s", f17(loglik)),
    sprintf("loglik_penalized,%s", f17(pen_loglik(b, X, y)))
  ), paste0(stem, ".ref"))
}
data(endometrial, package = "brglm2")
run("firth_endometrial", HG ~ NV + PI + EH, endometrial, "HG", "brglm2::endometrial")
sep <- data.frame(x = 1:10); sep$y <- as.numeric(sep$x > 5.5)
run("firth_separated", y ~ x, sep, "y", "data.frame(x = 1:10, y = as.numeric(x > 5.5))")
