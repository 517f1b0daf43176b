# Shared code for student_t_df4.R and student_t_dffree.R (sourced; see those files).
# Model: y_i = x_i'b + sigma * e_i, e_i ~ t_nu. Working parameters th = (b, log sigma[, log nu]).
# log f = lgamma((nu+1)/2) - lgamma(nu/2) - 0.5 log(nu pi) - log sigma - (nu+1)/2 log(1 + u^2/nu), u = r/sigma.
source("refutil.R")
suppressPackageStartupMessages({ library(numDeriv); library(maxLik); library(quantreg) })
d <- stackloss
X <- model.matrix(stack.loss ~ Air.Flow + Water.Temp + Acid.Conc., d); y <- d$stack.loss
n <- nrow(X); p <- ncol(X)
unpack <- function(th, nu_fixed) list(b = th[1:p], s = th[p + 1],
  nu = if (is.null(nu_fixed)) exp(th[p + 2]) else nu_fixed)
t_loglik <- function(th, nu_fixed = NULL) { q <- unpack(th, nu_fixed); nu <- q$nu
  r <- y - drop(X %*% q$b); u2 <- (r / exp(q$s))^2
  sum(lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * pi) - q$s - (nu + 1) / 2 * log1p(u2 / nu)) }
t_grad <- function(th, nu_fixed = NULL) { q <- unpack(th, nu_fixed); nu <- q$nu; sig2 <- exp(2 * q$s)
  r <- y - drop(X %*% q$b); u2 <- r^2 / sig2; D <- nu * sig2 + r^2
  gb <- drop(crossprod(X, (nu + 1) * r / D))
  gs <- sum(-1 + (nu + 1) * u2 / (nu + u2))
  if (!is.null(nu_fixed)) return(c(gb, gs))
  gnu <- sum(0.5 * digamma((nu + 1) / 2) - 0.5 * digamma(nu / 2) - 1 / (2 * nu) - 0.5 * log1p(u2 / nu) +
             (nu + 1) * u2 / (2 * nu * (nu + u2)))
  c(gb, gs, nu * gnu) }
t_hess <- function(th, nu_fixed = NULL) { q <- unpack(th, nu_fixed); nu <- q$nu; sig2 <- exp(2 * q$s)
  r <- y - drop(X %*% q$b); u2 <- r^2 / sig2; D <- nu * sig2 + r^2; a <- u2 / nu; qq <- 1 + a
  Hbb <- -crossprod(X, X * ((nu + 1) * (nu * sig2 - r^2) / D^2))
  Hbs <- drop(crossprod(X, -2 * nu * (nu + 1) * sig2 * r / D^2))
  Hss <- sum(-2 * (nu + 1) * a / qq^2)
  H <- rbind(cbind(Hbb, Hbs), c(Hbs, Hss))
  if (!is.null(nu_fixed)) return(H)
  Hbt <- nu * drop(crossprod(X, r * (r^2 - sig2) / D^2))
  Hst <- nu * sum(u2 * (u2 - 1) / (nu + u2)^2)
  gnu <- sum(0.5 * digamma((nu + 1) / 2) - 0.5 * digamma(nu / 2) - 1 / (2 * nu) - 0.5 * log1p(u2 / nu) +
             (nu + 1) * u2 / (2 * nu * (nu + u2)))
  Hnn <- sum(0.25 * trigamma((nu + 1) / 2) - 0.25 * trigamma(nu / 2) + 1 / (2 * nu^2) +
             0.5 * u2 / (nu * (nu + u2)) - u2 * (nu^2 + 2 * nu + u2) / (2 * nu^2 * (nu + u2)^2))
  Htt <- nu^2 * Hnn + nu * gnu
  rbind(cbind(H, c(Hbt, Hst)), c(Hbt, Hst, Htt)) }

# Route 1: optim BFGS (analytic gradient, reltol 1e-15) from several starts, best one Newton-polished
# with the analytic Hessian; returns the best optimum and all start results.
fit_route1 <- function(nu_fixed = NULL) {
  b_ols <- coef(lm.fit(X, y)); b_lad <- coef(rq.fit(X, y, tau = 0.5))
  s_ols <- log(sqrt(mean((y - X %*% b_ols)^2))); s_lad <- log(median(abs(y - X %*% b_lad)) + 0.1)
  starts <- list(c(b_ols, s_ols), c(b_lad, s_lad), c(b_ols, s_ols + 1), c(b_lad, s_lad - 1),
                 c(b_ols * 0.5, s_ols), c(mean(y), 0, 0, 0, log(sd(y))))
  if (is.null(nu_fixed)) starts <- c(lapply(starts, function(s) c(s, log(4))),
                                     list(c(b_ols, s_ols, log(30)), c(b_lad, s_lad, log(1))))
  res <- lapply(starts, function(st) { o <- list(par = st)
    for (i in 1:3) o <- optim(o$par, function(t) -t_loglik(t, nu_fixed), function(t) -t_grad(t, nu_fixed),
                              method = "BFGS", control = list(reltol = 1e-15, maxit = 20000,
                                                              parscale = c(1, 0.01, 0.01, 0.01, 0.1, rep(0.1, is.null(nu_fixed)))))
    c(o$par, ll = t_loglik(o$par, nu_fixed)) })
  R <- do.call(rbind, res)
  th <- R[which.max(R[, "ll"]), 1:(ncol(R) - 1)]
  for (i in 1:6) th <- th - solve(t_hess(th, nu_fixed), t_grad(th, nu_fixed))
  list(th = th, starts = R)
}

run_t <- function(nu_fixed, tag) {
  write_csv17(data.frame(y = y, X, check.names = FALSE), "student_t_data.csv")
  r1 <- fit_route1(nu_fixed); th <- r1$th
  cat("route1 starts: max spread of loglik across starts", diff(range(r1$starts[, "ll"])),
      "; max |grad| at optimum", max(abs(t_grad(th, nu_fixed))), "\n")
  pn <- c(colnames(X), "log_sigma", if (is.null(nu_fixed)) "log_df")
  names(th) <- pn
  H <- t_hess(th, nu_fixed); stopifnot(all(eigen(H, symmetric = TRUE)$values < 0))
  V <- solve(-H); dimnames(V) <- list(pn, pn); se <- sqrt(diag(V)); ll <- t_loglik(th, nu_fixed)
  # Route 2: maxLik NR with analytic gradient (its own numeric Hessian from the gradient), start at OLS
  b_ols <- coef(lm.fit(X, y)); st <- c(b_ols, log(sqrt(mean((y - X %*% b_ols)^2))), if (is.null(nu_fixed)) log(4))
  names(st) <- pn
  ml <- maxLik(function(t) t_loglik(t, nu_fixed), grad = function(t) t_grad(t, nu_fixed), start = st,
               method = "NR", control = list(tol = -1, reltol = 1e-15, gradtol = 1e-12, iterlim = 1000))
  V2 <- vcov(ml)
  V3 <- solve(-numDeriv::jacobian(function(t) t_grad(t, nu_fixed), coef(ml)))   # Richardson on analytic gradient
  chk <- c(coef = relmax(coef(ml), th), se_maxLik = relmax(sqrt(diag(V2)), se), vcov_maxLik = relvcov(V2, V),
           se_numDeriv = relmax(sqrt(diag(V3)), se), vcov_numDeriv = relvcov(V3, V), loglik = relmax(logLik(ml), ll))
  cat("maxLik:", maxLik::returnMessage(ml), "\n"); print(signif(chk, 3))
  kv <- c(kv_vec("coef", th), kv_vec("se", se), loglik = ll, aic = -2 * ll + 2 * length(th),
          bic = -2 * ll + length(th) * log(n), nobs = n,
          sigma = exp(th[["log_sigma"]]), "se_delta:sigma" = exp(th[["log_sigma"]]) * se[["log_sigma"]],
          df = if (is.null(nu_fixed)) exp(th[["log_df"]]) else nu_fixed,
          if (is.null(nu_fixed)) c("se_delta:df" = exp(th[["log_df"]]) * se[["log_df"]]),
          kv_mat("vcov", V))
  write_ref(paste0(tag, ".ref"), c(
    sprintf("Student-t regression, stackloss: stack.loss ~ Air.Flow + Water.Temp + Acid.Conc., %s; data student_t_data.csv (y, X)",
            if (is.null(nu_fixed)) "df estimated (working parameter log_df)" else sprintf("df fixed at %g", nu_fixed)),
    "loglik = sum(dt((y - X b)/sigma, df, log=TRUE) - log(sigma)); working parameters (b, log_sigma[, log_df]); se/vcov on the working scale",
    "R: optim(BFGS, analytic gradient, reltol=1e-15, parscale) from several starts (OLS, LAD, perturbed), best polished by Newton with the analytic Hessian; vcov = solve(-analytic Hessian)",
    "sigma, df = natural scale; se_delta:* = delta-method SEs (exp(theta) * se(theta))",
    sprintf("cross-check maxLik(NR, analytic gradient, from OLS start): max rel diff coef %.2g, se %.2g (maxLik's numeric Hessian), se %.2g (numDeriv::jacobian of analytic gradient), vcov(normwise) %.2g / %.2g",
            chk["coef"], chk["se_maxLik"], chk["se_numDeriv"], chk["vcov_maxLik"], chk["vcov_numDeriv"])), kv)
}
