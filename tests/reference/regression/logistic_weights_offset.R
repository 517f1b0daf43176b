# Weighted logistic regression with an offset: MASS::birthwt, low ~ age + lwt + smoke + ht + ui,
# case weights w = rep_len(c(1,2,3), n), offset = 0.1 * (lwt - mean(lwt)) / sd(lwt).
# Run: Rscript logistic_weights_offset.R   (writes logistic_weights_offset_data.csv, logistic_weights_offset.ref)
# loglik = sum_i w_i [y_i eta_i - log(1 + exp(eta_i))], eta = X b + offset (== logLik(glm) for 0/1 y).
# Route 1: glm(binomial, weights, offset, epsilon=1e-14) + 3 Newton steps; vcov = solve(X' diag(w mu(1-mu)) X).
# Route 2: optim BFGS (analytic gradient, reltol 1e-15, parscale) + numDeriv::hessian. Route 3: statsmodels GLM freq_weights.
# nobs = number of rows (R's convention for logLik/BIC of a weighted glm); sum_weights also given; bic uses log(nobs).
source("refutil.R")
suppressPackageStartupMessages({ library(MASS); library(numDeriv) })
options(contrasts = c("contr.treatment", "contr.treatment"))
d <- MASS::birthwt
f <- low ~ age + lwt + smoke + ht + ui
X <- model.matrix(f, d); colnames(X) <- clean_names(colnames(X)); y <- d$low; n <- nrow(X); p <- ncol(X)
w <- rep_len(c(1, 2, 3), n)
off <- 0.1 * (d$lwt - mean(d$lwt)) / sd(d$lwt)
write_csv17(data.frame(y = y, w = w, offset = off, X, check.names = FALSE), "logistic_weights_offset_data.csv")
off <- read.csv("logistic_weights_offset_data.csv", check.names = FALSE)$offset  # use exactly the exported values

fit <- glm(y ~ X - 1, family = binomial, weights = w, offset = off,
           control = glm.control(epsilon = 1e-14, maxit = 100))
b <- coef(fit); names(b) <- colnames(X)
loglik_fn <- function(b) { eta <- drop(X %*% b) + off; sum(w * (y * eta - log1p(exp(eta)))) }
score_fn <- function(b) { mu <- plogis(drop(X %*% b) + off); drop(crossprod(X, w * (y - mu))) }
info_fn <- function(b) { mu <- plogis(drop(X %*% b) + off); crossprod(X, X * (w * mu * (1 - mu))) }
for (i in 1:3) b <- b + solve(info_fn(b), score_fn(b))
cat("max |score| at optimum:", max(abs(score_fn(b))), "\n")
V <- solve(info_fn(b)); dimnames(V) <- list(colnames(X), colnames(X)); se <- sqrt(diag(V))
ll <- loglik_fn(b)
dev <- -2 * ll
cat(sprintf("glm vs route1: coef %.3g  se(summary.glm) %.3g  loglik %.3g  aic %.3g  bic %.3g  deviance %.3g\n",
            relmax(coef(fit), b), relmax(sqrt(diag(vcov(fit))), se), relmax(logLik(fit), ll),
            relmax(AIC(fit), -2 * ll + 2 * p), relmax(BIC(fit), -2 * ll + p * log(n)), relmax(deviance(fit), dev)))
ps <- sqrt(diag(vcov(glm(y ~ X - 1, family = binomial, weights = w, offset = off))))
o <- list(par = rep(0, p))
for (i in 1:3) o <- optim(o$par, function(b) -loglik_fn(b), function(b) -score_fn(b), method = "BFGS",
                          control = list(reltol = 1e-15, maxit = 10000, parscale = ps))
V2 <- solve(-numDeriv::hessian(loglik_fn, o$par))
c2 <- relmax(o$par, b); s2 <- relmax(sqrt(diag(V2)), se); v2 <- relvcov(V2, V)
cat(sprintf("route2 (optim BFGS + numDeriv hessian) vs route1: coef %.3g  se %.3g  vcov %.3g\n", c2, s2, v2))

kv <- c(kv_vec("coef", b), kv_vec("se", se), loglik = ll, aic = -2 * ll + 2 * p, bic = -2 * ll + p * log(n),
        deviance = dev, nobs = n, sum_weights = sum(w), kv_mat("vcov", V))
write_ref("logistic_weights_offset.ref", c(
  "glm(low ~ age + lwt + smoke + ht + ui, family=binomial, data=MASS::birthwt, weights=w, offset=offset, control=glm.control(epsilon=1e-14, maxit=100)) + 3 Newton steps",
  "w = rep_len(c(1,2,3), 189); offset = 0.1*(lwt-mean(lwt))/sd(lwt); data: logistic_weights_offset_data.csv (y, w, offset, X columns)",
  "se/vcov = solve(X' diag(w mu(1-mu)) X) at the final estimate; bic = -2 loglik + p log(nobs) with nobs = 189 rows (R convention)",
  sprintf("cross-check optim BFGS (analytic gradient, reltol 1e-15) + numDeriv::hessian: max rel diff coef %.2g, se %.2g, vcov(normwise) %.2g", c2, s2, v2)), kv)
