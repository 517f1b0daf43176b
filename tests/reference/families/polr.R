# Proportional-odds (cumulative link) models as MASS::polr on MASS::housing: Sat ~ Infl + Type + Cont, weights = Freq
# (72 rows, 3 ordered levels Low < Medium < High), logit and probit links.
# Run: Rscript polr.R   (writes polr_data.csv, polr_<link>.ref)
# polr(.., Hess = TRUE, control = list(reltol = 1e-15, maxit = 10000)), then 4 Newton steps with the analytic score in (beta, zeta)
# and its numDeriv::jacobian. polr's own SEs come from optim's finite-difference Hessian; se/vcov here: inverse of
# -jacobian(analytic score) at the final estimate (cut-points zeta on their natural scale, named 1|2, 2|3 by level index).
source("../regression/refutil.R")
suppressPackageStartupMessages({ library(MASS); library(numDeriv) })
h <- MASS::housing
X <- model.matrix(~ Infl + Type + Cont, h)[, -1]; colnames(X) <- clean_names(colnames(X))
y <- as.integer(h$Sat); w <- h$Freq; J <- nlevels(h$Sat); p <- ncol(X)
write_csv17(data.frame(y = y, w = w, X, check.names = FALSE), "polr_data.csv")
run <- function(link) {
  Fc <- if (link == "logistic") plogis else pnorm; fd <- if (link == "logistic") dlogis else dnorm
  fit <- polr(factor(y) ~ X, weights = w, method = link, Hess = TRUE, control = list(reltol = 1e-15, maxit = 10000))
  par <- c(coef(fit), fit$zeta)
  cuts <- function(par) c(-Inf, par[p + 1:(J - 1)], Inf)
  ll <- function(par) { cc <- cuts(par); eta <- drop(X %*% par[1:p]); sum(w * log(Fc(cc[y + 1] - eta) - Fc(cc[y] - eta))) }
  gr <- function(par) { cc <- cuts(par); eta <- drop(X %*% par[1:p]); u <- cc[y + 1] - eta; l <- cc[y] - eta
    P <- Fc(u) - Fc(l); fu <- fd(u); fl <- fd(l)
    gz <- sapply(1:(J - 1), function(k) sum(w * ((y == k) * fu - (y == k + 1) * fl) / P))
    c(drop(crossprod(X, w * (-(fu - fl) / P))), gz) }
  for (i in 1:4) par <- par - solve(numDeriv::jacobian(gr, par), gr(par))
  nm <- c(colnames(X), paste0(1:(J - 1), "|", 2:J)); names(par) <- nm
  H <- numDeriv::jacobian(gr, par); H <- (H + t(H)) / 2; V <- solve(-H); dimnames(V) <- list(nm, nm)
  cat(sprintf("%s: polr vs polished %.2g; max|score| %.2g; polr se vs exact %.2g; jacobian vs numDeriv::hessian vcov %.2g\n", link,
              relmax(c(coef(fit), fit$zeta), par), max(abs(gr(par))), relmax(sqrt(diag(vcov(fit))), sqrt(diag(V))),
              relvcov(solve(-numDeriv::hessian(ll, par)), V)))
  write_ref(sprintf("polr_%s.ref", link), c(
    sprintf("MASS::polr(Sat ~ Infl + Type + Cont, weights = Freq, housing, method = '%s', reltol = 1e-15) + 4 Newton steps", link),
    "se/vcov in (beta, cut-points): inverse of -numDeriv::jacobian(analytic score); polr_se: polr's own (finite-difference Hessian)"),
    c(kv_vec("coef", par), kv_vec("se", sqrt(diag(V))), kv_vec("polr_se", sqrt(diag(vcov(fit))), nm), loglik = ll(par), kv_mat("vcov", V)))
}
run("logistic"); run("probit")
