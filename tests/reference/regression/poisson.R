# Poisson log-link regression with exposure offset: MASS::Insurance,
# Claims ~ District + Group + Age + offset(log(Holders)), treatment contrasts for the ordered factors (n=64, 10 coefs).
# Run: Rscript poisson.R   (writes poisson_data.csv, poisson.ref)
# loglik = sum(y*eta - exp(eta) - lgamma(y+1)), eta = X b + offset (full Poisson loglik, == logLik(glm)).
# Route 1: glm(poisson, epsilon=1e-14) + 3 Newton steps; vcov = solve(X' diag(mu) X) at the final estimate.
# Route 2: optim BFGS (analytic gradient, reltol 1e-15, parscale) + numDeriv::hessian. Route 3: statsmodels GLM Poisson.
source("refutil.R")
suppressPackageStartupMessages({ library(MASS); library(numDeriv) })
options(contrasts = c("contr.treatment", "contr.treatment"))
d <- MASS::Insurance
X <- model.matrix(~ District + Group + Age, d); colnames(X) <- clean_names(colnames(X))
y <- d$Claims; n <- nrow(X); p <- ncol(X)
write_csv17(data.frame(y = y, offset = log(d$Holders), X, check.names = FALSE), "poisson_data.csv")
off <- read.csv("poisson_data.csv", check.names = FALSE)$offset   # exactly the exported values

fit <- glm(y ~ X - 1, family = poisson, offset = off, control = glm.control(epsilon = 1e-14, maxit = 100))
b <- coef(fit); names(b) <- colnames(X)
loglik_fn <- function(b) { eta <- drop(X %*% b) + off; sum(y * eta - exp(eta) - lgamma(y + 1)) }
score_fn <- function(b) drop(crossprod(X, y - exp(drop(X %*% b) + off)))
info_fn <- function(b) crossprod(X, X * exp(drop(X %*% b) + off))
for (i in 1:3) b <- b + solve(info_fn(b), score_fn(b))
cat("max |score| at optimum:", max(abs(score_fn(b))), "\n")
V <- solve(info_fn(b)); dimnames(V) <- list(colnames(X), colnames(X)); se <- sqrt(diag(V))
ll <- loglik_fn(b); mu <- exp(drop(X %*% b) + off)
dev <- 2 * sum(ifelse(y > 0, y * log(y / mu), 0) - (y - mu))
pearson <- sum((y - mu)^2 / mu)
cat(sprintf("glm vs route1: coef %.3g  se(summary.glm) %.3g  loglik %.3g  aic %.3g  deviance %.3g\n",
            relmax(coef(fit), b), relmax(sqrt(diag(vcov(fit))), se), relmax(logLik(fit), ll),
            relmax(AIC(fit), -2 * ll + 2 * p), relmax(deviance(fit), dev)))
ps <- sqrt(diag(vcov(glm(y ~ X - 1, family = poisson, offset = off))))
o <- list(par = c(log(sum(y) / sum(exp(off))), rep(0, p - 1)))
for (i in 1:3) o <- optim(o$par, function(b) -loglik_fn(b), function(b) -score_fn(b), method = "BFGS",
                          control = list(reltol = 1e-15, maxit = 10000, parscale = ps))
V2 <- solve(-numDeriv::hessian(loglik_fn, o$par))
c2 <- relmax(o$par, b); s2 <- relmax(sqrt(diag(V2)), se); v2 <- relvcov(V2, V)
cat(sprintf("route2 (optim BFGS + numDeriv hessian) vs route1: coef %.3g  se %.3g  vcov %.3g\n", c2, s2, v2))

kv <- c(kv_vec("coef", b), kv_vec("se", se), loglik = ll, aic = -2 * ll + 2 * p, bic = -2 * ll + p * log(n),
        deviance = dev, pearson_chi2 = pearson, nobs = n, kv_mat("vcov", V))
write_ref("poisson.ref", c(
  "options(contrasts=c('contr.treatment','contr.treatment')); glm(Claims ~ District + Group + Age + offset(log(Holders)), family=poisson, data=MASS::Insurance, control=glm.control(epsilon=1e-14, maxit=100)) + 3 Newton steps",
  "data: poisson_data.csv (y, offset=log(Holders), X columns; names cleaned: '>' -> 'gt'); se/vcov = solve(X' diag(mu) X) at the final estimate",
  "loglik includes -lgamma(y+1); deviance = 2 sum(y log(y/mu) - (y-mu))",
  sprintf("cross-check optim BFGS (analytic gradient, reltol 1e-15) + numDeriv::hessian: max rel diff coef %.2g, se %.2g, vcov(normwise) %.2g", c2, s2, v2)), kv)
