# Zero-inflated Poisson and negative binomial regressions as pscl::zeroinfl on pscl::bioChemists (n = 915):
# ZIP: art ~ fem + mar + kid5 + phd + ment | fem + mar + kid5; ZINB: art ~ fem + mar + kid5 + phd + ment | ment (with | fem + mar + kid5
# the ZINB zero model degenerates: zero intercept -14.7, pi -> 0). Count model log link | zero model logit link.
# Run: Rscript zeroinfl.R   (writes zeroinfl_data.csv, zip.ref, zinb.ref)
# zeroinfl(.., control = zeroinfl.control(reltol = 1e-14, maxit = 10000)), then 4 Newton steps on the R log-likelihood below
# (analytic gradient; Hessian = numDeriv::jacobian of the analytic gradient, symmetrised).
# se/vcov: inverse of -jacobian(gradient) at the final estimate (zeroinfl's own SEs come from optim's finite-difference Hessian).
# Names: count coefficients unprefixed, zero coefficients zero_<column>, log_theta for zinb.
source("../regression/refutil.R")
suppressPackageStartupMessages({ library(pscl); library(numDeriv) })
d <- pscl::bioChemists
X <- model.matrix(~ fem + mar + kid5 + phd + ment, d); colnames(X) <- clean_names(colnames(X))
y <- d$art; n <- length(y); p <- ncol(X)
write_csv17(data.frame(y = y, X, check.names = FALSE), "zeroinfl_data.csv")
ll_parts <- function(par, negbin) {
  b <- par[1:p]; g <- par[p + 1:nq]; eta <- drop(X %*% b); mu <- exp(eta); zeta <- drop(Z %*% g)
  lpi <- plogis(zeta, log.p = TRUE); l1pi <- plogis(-zeta, log.p = TRUE)
  if (negbin) { th <- exp(par[p + nq + 1])
    lc <- lgamma(y + th) - lgamma(th) - lgamma(y + 1) + th * (log(th) - log(th + mu)) + y * (eta - log(th + mu))
    lc0 <- th * (log(th) - log(th + mu))
  } else { lc <- y * eta - mu - lgamma(y + 1); lc0 <- -mu }
  m <- pmax(lpi, l1pi + lc0)
  ifelse(y == 0, m + log(exp(lpi - m) + exp(l1pi + lc0 - m)), l1pi + lc)
}
grad_fn <- function(par, negbin) {   # analytic score
  b <- par[1:p]; g <- par[p + 1:nq]; mu <- exp(drop(X %*% b)); pi <- plogis(drop(Z %*% g)); z0 <- y == 0
  if (negbin) { th <- exp(par[p + nq + 1]); c0 <- exp(th * (log(th) - log(th + mu)))
    dc_eta <- c0 * (-th * mu / (th + mu)); dc_tau <- c0 * th * (log(th) - log(th + mu) + mu / (th + mu))
  } else { c0 <- exp(-mu); dc_eta <- -mu * c0 }
  P0 <- pi + (1 - pi) * c0
  s_eta <- ifelse(z0, (1 - pi) * dc_eta / P0, if (negbin) th * (y - mu) / (th + mu) else y - mu)
  s_zeta <- ifelse(z0, pi * (1 - pi) * (1 - c0) / P0, -pi)
  out <- c(drop(crossprod(X, s_eta)), drop(crossprod(Z, s_zeta)))
  if (negbin) out <- c(out, sum(ifelse(z0, (1 - pi) * dc_tau / P0,
    th * (digamma(y + th) - digamma(th) + log(th) - log(th + mu) + (mu - y) / (th + mu)))))
  out
}
run <- function(negbin, zero_terms) {
  Z <<- X[, c("(Intercept)", zero_terms), drop = FALSE]; nq <<- ncol(Z)
  form <- as.formula(paste("art ~ fem + mar + kid5 + phd + ment |", paste(sub("Women|Married", "", zero_terms), collapse = " + ")))
  fit <- zeroinfl(form, data = d, dist = if (negbin) "negbin" else "poisson",
                  control = zeroinfl.control(reltol = 1e-14, maxit = 10000))
  par <- c(fit$coefficients$count, fit$coefficients$zero, if (negbin) log(fit$theta))
  ll <- function(par) sum(ll_parts(par, negbin))
  gr <- function(par) grad_fn(par, negbin)
  cat("analytic vs numDeriv gradient at zeroinfl's estimate:", max(abs(gr(par) - numDeriv::grad(ll, par))), "\n")
  for (i in 1:4) par <- par - solve(numDeriv::jacobian(gr, par), gr(par))
  nm <- c(colnames(X), paste0("zero_", colnames(Z)), if (negbin) "log_theta"); names(par) <- nm
  H <- numDeriv::jacobian(gr, par); H <- (H + t(H)) / 2; V <- solve(-H)
  cat("jacobian(gradient) vs numDeriv::hessian(loglik) vcov:", relvcov(solve(-numDeriv::hessian(ll, par)), V), "\n"); dimnames(V) <- list(nm, nm)
  cat(sprintf("%s: zeroinfl vs polished coef %.2g; max|grad| %.2g; loglik diff %.2g; zeroinfl se vs exact %.2g\n",
              if (negbin) "zinb" else "zip", relmax(c(fit$coefficients$count, fit$coefficients$zero), par[1:(p + nq)]),
              max(abs(gr(par))), ll(par) - as.numeric(logLik(fit)), relmax(sqrt(diag(vcov(fit))), sqrt(diag(V))[1:(p + nq)])))
  write_ref(if (negbin) "zinb.ref" else "zip.ref", c(
    sprintf("pscl::zeroinfl(%s, bioChemists, dist = '%s', reltol = 1e-14) + 4 Newton steps (zero-model columns of zeroinfl_data.csv: (Intercept) %s)",
            deparse(form), if (negbin) "negbin" else "poisson", paste(zero_terms, collapse = " ")),
    "se/vcov: inverse of -numDeriv::jacobian(analytic score) at the final estimate (cross-checked against numDeriv::hessian of the log-likelihood)"),
    c(kv_vec("coef", par), kv_vec("se", sqrt(diag(V))), loglik = ll(par), kv_mat("vcov", V)))
}
run(FALSE, c("femWomen", "marMarried", "kid5")); run(TRUE, "ment")
