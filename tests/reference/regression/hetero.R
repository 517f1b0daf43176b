# Heteroscedastic Gaussian regression by ML on cars: mean dist ~ speed, log sigma ~ speed (n=50).
# y_i ~ N(x_i'b, exp(z_i'g)^2). Parameters (b, g); keys coef:mean:TERM, coef:logsigma:TERM.
# Run: Rscript hetero.R   (writes hetero_X.csv [y, X], hetero_Z.csv [Z], hetero.ref)
# Route 1: Newton-Raphson (analytic gradient + Hessian, step halving) from OLS start; vcov = solve(-analytic Hessian).
# Route 2: maxLik BFGS (analytic gradient, reltol 1e-15) from a different start, then maxLik NR polish with
#          analytic gradient only (maxLik's numeric Hessian); SEs from maxLik and from numDeriv::jacobian(gradient).
source("refutil.R")
suppressPackageStartupMessages({ library(numDeriv); library(maxLik) })
d <- cars
X <- model.matrix(~ speed, d); Z <- model.matrix(~ speed, d); y <- d$dist; n <- nrow(X); p <- ncol(X); q <- ncol(Z)
write_csv17(data.frame(y = y, X, check.names = FALSE), "hetero_X.csv")
write_csv17(Z, "hetero_Z.csv")
ll_fn <- function(th) { b <- th[1:p]; g <- th[p + 1:q]; eta <- drop(Z %*% g); r <- y - drop(X %*% b)
  sum(-0.5 * log(2 * pi) - eta - 0.5 * r^2 * exp(-2 * eta)) }
gr_fn <- function(th) { b <- th[1:p]; g <- th[p + 1:q]; e2 <- exp(-2 * drop(Z %*% g)); r <- y - drop(X %*% b)
  c(drop(crossprod(X, r * e2)), drop(crossprod(Z, r^2 * e2 - 1))) }
he_fn <- function(th) { b <- th[1:p]; g <- th[p + 1:q]; e2 <- exp(-2 * drop(Z %*% g)); r <- y - drop(X %*% b)
  Hbb <- -crossprod(X, X * e2); Hbg <- -2 * crossprod(X, Z * (r * e2)); Hgg <- -2 * crossprod(Z, Z * (r^2 * e2))
  rbind(cbind(Hbb, Hbg), cbind(t(Hbg), Hgg)) }
# Route 1
b0 <- coef(lm.fit(X, y)); th <- c(b0, log(sqrt(mean((y - X %*% b0)^2))), rep(0, q - 1))
for (it in 1:200) { step <- -solve(he_fn(th), gr_fn(th)); l0 <- ll_fn(th); t <- 1
  while (ll_fn(th + t * step) < l0 - 1e-12 && t > 1e-10) t <- t / 2
  th <- th + t * step; if (max(abs(step)) < 1e-15 * (1 + max(abs(th))) && it > 5) break }
cat("route1 iterations", it, "max |grad|", max(abs(gr_fn(th))), "\n")
H <- he_fn(th); stopifnot(all(eigen(H, symmetric = TRUE)$values < 0))
pn <- c(paste0("mean:", colnames(X)), paste0("logsigma:", colnames(Z))); names(th) <- pn
V <- solve(-H); dimnames(V) <- list(pn, pn); se <- sqrt(diag(V)); ll <- ll_fn(th)
# Route 2
st <- setNames(c(0, 1, 1, 0.05), pn)
m1 <- maxLik(ll_fn, grad = gr_fn, start = st, method = "BFGS", control = list(reltol = 1e-15, iterlim = 100000))
m2 <- maxLik(ll_fn, grad = gr_fn, start = coef(m1), method = "NR",
             control = list(tol = -1, reltol = 1e-15, gradtol = 1e-12, iterlim = 1000))
V2 <- vcov(m2); V3 <- solve(-numDeriv::jacobian(gr_fn, coef(m2)))
chk <- c(coef_BFGS = relmax(coef(m1), th), coef = relmax(coef(m2), th), se_maxLik = relmax(sqrt(diag(V2)), se),
         vcov_maxLik = relvcov(V2, V), se_numDeriv = relmax(sqrt(diag(V3)), se), vcov_numDeriv = relvcov(V3, V),
         loglik = relmax(logLik(m2), ll))
print(signif(chk, 3))
kv <- c(kv_vec("coef", th), kv_vec("se", se), loglik = ll, aic = -2 * ll + 2 * length(th),
        bic = -2 * ll + length(th) * log(n), nobs = n, kv_mat("vcov", V))
write_ref("hetero.ref", c(
  "Heteroscedastic Gaussian ML, cars: mean dist ~ speed, log(sigma) ~ speed; data hetero_X.csv (y, X) and hetero_Z.csv (Z)",
  "loglik = sum(dnorm(y, X b, exp(Z g), log=TRUE)); Newton-Raphson with analytic gradient/Hessian from OLS start; vcov = solve(-analytic Hessian)",
  "keys coef:mean:TERM, coef:logsigma:TERM; vcov:BLOCK1:TERM1:BLOCK2:TERM2 (upper triangle, order mean then logsigma)",
  sprintf("cross-check maxLik BFGS (reltol 1e-15) -> NR (analytic gradient): max rel diff coef %.2g (BFGS alone %.2g), se %.2g (maxLik Hessian) / %.2g (numDeriv::jacobian of gradient), vcov(normwise) %.2g / %.2g",
          chk["coef"], chk["coef_BFGS"], chk["se_maxLik"], chk["se_numDeriv"], chk["vcov_maxLik"], chk["vcov_numDeriv"])), kv)
