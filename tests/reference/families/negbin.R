# Negative binomial (NB2, log link) regression: MASS::quine, Days ~ Eth + Sex + Age + Lrn (n = 146, 7 coefs).
# Run: Rscript negbin.R   (writes negbin_data.csv, negbin.ref, negbin_poisson_limit_data.csv, negbin_poisson_limit.ref)
# Parameters (beta, log theta); loglik = sum(lgamma(y+th) - lgamma(th) - lgamma(y+1) + th log(th/(th+mu)) + y log(mu/(th+mu))).
# Route 1: MASS::glm.nb(control = glm.control(epsilon = 1e-14, maxit = 100)), then 5 joint Newton steps on (beta, log theta)
#          with the analytic score and analytic Hessian; se/vcov = inverse of -numDeriv::hessian at the
#          final estimate (exact observed information, up to numDeriv's Richardson error).
# glm.nb's own convention (what summary.glm.nb prints): beta SEs from solve(X' W X), W = mu theta / (mu + theta) at fixed theta,
# and theta's SE = 1/sqrt(observed information of theta at fixed mu) (theta.ml); recomputed here at the final estimate (keys glmnb_se:*).
source("../regression/refutil.R")
suppressPackageStartupMessages({ library(MASS); library(numDeriv) })
options(contrasts = c("contr.treatment", "contr.poly"))
d <- MASS::quine
X <- model.matrix(~ Eth + Sex + Age + Lrn, d); colnames(X) <- clean_names(colnames(X))
y <- d$Days; n <- nrow(X); p <- ncol(X)
write_csv17(data.frame(y = y, X, check.names = FALSE), "negbin_data.csv")

fit <- glm.nb(y ~ X - 1, control = glm.control(epsilon = 1e-14, maxit = 100))
ll_fn <- function(par) {
  b <- par[1:p]; th <- exp(par[p + 1]); mu <- exp(drop(X %*% b))
  sum(lgamma(y + th) - lgamma(th) - lgamma(y + 1) + th * log(th / (th + mu)) + y * log(mu / (th + mu)))
}
score_fn <- function(par) {
  b <- par[1:p]; th <- exp(par[p + 1]); mu <- exp(drop(X %*% b))
  c(drop(crossprod(X, th * (y - mu) / (th + mu))),
    th * sum(digamma(y + th) - digamma(th) + log(th / (th + mu)) + 1 - (y + th) / (th + mu)))
}
hess_fn <- function(par) {   # analytic Hessian in (beta, log theta)
  b <- par[1:p]; th <- exp(par[p + 1]); mu <- exp(drop(X %*% b))
  Hbb <- -crossprod(X, X * (th * mu * (th + y) / (th + mu)^2))
  Hbt <- drop(crossprod(X, th * mu * (y - mu) / (th + mu)^2))
  g <- sum(digamma(y + th) - digamma(th) + log(th / (th + mu)) + 1 - (y + th) / (th + mu))
  h <- sum(trigamma(y + th) - trigamma(th) + 1 / th - 2 / (th + mu) + (th + y) / (th + mu)^2)
  rbind(cbind(Hbb, Hbt), c(Hbt, th^2 * h + th * g))
}
par <- c(coef(fit), log(fit$theta))
for (i in 1:5) par <- par - solve(hess_fn(par), score_fn(par))
cat("max |score| at optimum:", max(abs(score_fn(par))), "\n")
nm <- c(colnames(X), "log_theta")
H <- hess_fn(par)
cat("analytic vs numDeriv Hessian (normwise):", relvcov(solve(-numDeriv::hessian(ll_fn, par)), solve(-H)), "\n")
V <- solve(-H); dimnames(V) <- list(nm, nm); se <- sqrt(diag(V)); names(par) <- nm
b <- par[1:p]; th <- exp(par[p + 1]); mu <- exp(drop(X %*% b))
Vb <- solve(crossprod(X, X * (mu * th / (mu + th))))
i_th <- sum(-trigamma(th + y) + trigamma(th) - 1 / th + 2 / (mu + th) - (y + th) / (mu + th)^2)
glmnb_se <- c(sqrt(diag(Vb)), theta = sqrt(1 / i_th)); names(glmnb_se) <- c(colnames(X), "theta")
r_se <- c(sqrt(diag(vcov(fit))), theta = fit$SE.theta); names(r_se) <- names(glmnb_se)
cat(sprintf("glm.nb vs polished: coef %.3g theta %.3g loglik %.3g; printed SEs vs recomputed at polished %.3g\n",
            relmax(coef(fit), b), relmax(fit$theta, th), relmax(as.numeric(logLik(fit)), ll_fn(par)), relmax(r_se, glmnb_se)))
kv <- c(kv_vec("coef", par), theta = unname(th), kv_vec("se", se), se_theta_observed = unname(se[p + 1] * th),
        kv_vec("glmnb_se", glmnb_se), kv_vec("r_printed_se", r_se), r_theta = fit$theta,
        loglik = ll_fn(par), aic = -2 * ll_fn(par) + 2 * (p + 1), nobs = n, kv_mat("vcov", V))
write_ref("negbin.ref", c(
  "options(contrasts=c('contr.treatment','contr.poly')); MASS::glm.nb(Days ~ Eth + Sex + Age + Lrn, MASS::quine, control=glm.control(epsilon=1e-14, maxit=100)) + 5 joint Newton steps",
  "data: negbin_data.csv; coef/se/vcov on (beta, log_theta): inverse of the analytic -Hessian of the NB2 log-likelihood (numDeriv cross-check in the script output)",
  "glmnb_se: glm.nb's convention at the final estimate (beta: solve(X'WX), W = mu th/(mu+th); theta: 1/sqrt(theta.ml info)); r_printed_se: summary(glm.nb)"), kv)

# i.i.d. fit of Days (intercept-only NB2: mu_hat = mean, theta_hat by theta.ml), SEs from the analytic Hessian in (log mu, log theta).
X <- matrix(1, n, 1); p <- 1
th1 <- theta.ml(y, rep(mean(y), n), limit = 100, eps = 1e-14)
par1 <- c(log(mean(y)), log(th1))
for (i in 1:3) par1 <- par1 - solve(hess_fn(par1), score_fn(par1))
V1 <- solve(-hess_fn(par1))
cat("iid: theta.ml vs polished", relmax(th1, exp(par1[2])), " max|score|", max(abs(score_fn(par1))), "\n")
write_ref("negbin_iid.ref", c("quine$Days i.i.d. NB2: (log mu, log theta) = (log mean, log theta.ml(limit=100, eps=1e-14)) + 3 Newton steps",
  "se from the analytic Hessian"), c(log_mu = unname(par1[1]), log_theta = unname(par1[2]), se_log_mu = unname(sqrt(V1[1, 1])),
  se_log_theta = unname(sqrt(V1[2, 2])), cov = V1[1, 2], loglik = ll_fn(par1)))

# Poisson limit: under-dispersed counts (binomial(4, p)), where the NB2 likelihood increases to the Poisson one as theta -> Inf.
set.seed(20261201)
n2 <- 200; x <- round(runif(n2), 6); y2 <- rbinom(n2, 4, plogis(-0.5 + x))
write_csv17(data.frame(y = y2, "(Intercept)" = 1, x = x, check.names = FALSE), "negbin_poisson_limit_data.csv")
pf <- glm(y2 ~ x, family = poisson, control = glm.control(epsilon = 1e-14, maxit = 100))
mu2 <- fitted(pf)
s_alpha <- 0.5 * sum((y2 - mu2)^2 - y2)   # d loglik / d(1/theta) at 1/theta = 0: <= 0 means the MLE is the Poisson limit
cat("Poisson-limit score in alpha = 1/theta:", s_alpha, "\n")
stopifnot(s_alpha < 0)
nbw <- tryCatch(suppressWarnings(glm.nb(y2 ~ x))$theta, error = function(e) NA)
cat("glm.nb theta on these data (diverging):", nbw, "\n")
kv2 <- c(kv_vec("coef", setNames(coef(pf), c("(Intercept)", "x"))), loglik = as.numeric(logLik(pf)), score_alpha = s_alpha)
write_ref("negbin_poisson_limit.ref", c(
  "set.seed(20261201); x = round(runif(200), 6); y = rbinom(200, 4, plogis(-0.5 + x)) (under-dispersed)",
  "glm(y ~ x, poisson, epsilon 1e-14): the NB2 supremum (theta = Inf); score_alpha = 0.5 sum((y-mu)^2 - y) < 0"), kv2)
