# Multinomial logit (baseline = first level) reference: MASS::housing, Sat ~ Infl + Type + Cont, frequency weights Freq.
# Sat levels Low (code 0, baseline), Medium (1), High (2); 72 cells = 1681 individuals; 2 x 7 coefficients.
# Run: Rscript multinom.R   (writes multinom_data.csv [y,w,X; 72 rows], multinom_data_expanded.csv [y,X; 1681 rows], multinom.ref)
# The two data files give the identical MLE/loglik (loglik = sum_i w_i log p_{i,y_i}).
# Route 1: nnet::multinom(reltol=1e-14, abstol=1e-14, maxit=10000) + 3 Newton steps with the analytic Hessian;
#          vcov = inverse of the analytic observed information at the final estimate.
# Route 2: optim BFGS (analytic gradient, reltol 1e-15) + numDeriv::hessian; nnet's own vcov (Hess=TRUE) for the record.
# Route 3: statsmodels MNLogit on the expanded data (crosscheck_statsmodels.py).
source("refutil.R")
suppressPackageStartupMessages({ library(MASS); library(nnet); library(numDeriv) })
options(contrasts = c("contr.treatment", "contr.treatment"))
d <- MASS::housing
X <- model.matrix(~ Infl + Type + Cont, d); colnames(X) <- clean_names(colnames(X))
y <- as.integer(d$Sat) - 1L; w <- d$Freq; K <- nlevels(d$Sat); cls <- levels(d$Sat)[-1]
n <- nrow(X); p <- ncol(X)
write_csv17(data.frame(y = y, w = w, X, check.names = FALSE), "multinom_data.csv")
idx <- rep(seq_len(n), w)
write_csv17(data.frame(y = y[idx], X[idx, , drop = FALSE], check.names = FALSE), "multinom_data_expanded.csv")

fit <- multinom(Sat ~ Infl + Type + Cont, weights = Freq, data = d, reltol = 1e-14, abstol = 1e-14,
                maxit = 10000, Hess = TRUE, trace = FALSE)
B <- t(coef(fit))                         # p x (K-1)
Y <- outer(y, 1:(K - 1), "==") * 1        # indicator of non-baseline classes
probs <- function(B) { E <- exp(X %*% B); E / (1 + rowSums(E)) }
loglik_fn <- function(th) { B <- matrix(th, p); eta <- X %*% B
  sum(w * (rowSums(Y * eta) - log1p(rowSums(exp(eta))))) }
score_fn <- function(th) { B <- matrix(th, p); P <- probs(B); as.vector(crossprod(X, w * (Y - P))) }
info_fn <- function(th) { B <- matrix(th, p); P <- probs(B); I <- matrix(0, p * (K - 1), p * (K - 1))
  for (j in 1:(K - 1)) for (l in 1:(K - 1)) {
    wt <- w * P[, j] * ((j == l) - P[, l])
    I[(j - 1) * p + 1:p, (l - 1) * p + 1:p] <- crossprod(X, X * wt) }
  I }
th <- as.vector(B)
for (i in 1:3) th <- th + solve(info_fn(th), score_fn(th))
cat("max |score| at optimum:", max(abs(score_fn(th))), "\n")
V <- solve(info_fn(th)); se <- sqrt(diag(V)); ll <- loglik_fn(th)
pn <- paste0(rep(cls, each = p), ":", rep(colnames(X), K - 1))   # CLASS:TERM, class-major order
names(th) <- names(se) <- pn; dimnames(V) <- list(pn, pn)
cat("all |coef| < 5:", all(abs(th) < 5), "\n")
# record: nnet's own numbers (its vcov ordering is also class-major)
cat(sprintf("nnet vs route1: coef %.3g  se(nnet Hess) %.3g  loglik %.3g\n",
            relmax(as.vector(t(coef(fit))), th), relmax(sqrt(diag(vcov(fit))), se), relmax(logLik(fit), ll)))
ps <- rep(0.2, length(th)); o <- list(par = rep(0, length(th)))
for (i in 1:3) o <- optim(o$par, function(t) -loglik_fn(t), function(t) -score_fn(t), method = "BFGS",
                          control = list(reltol = 1e-15, maxit = 10000, parscale = ps))
V2 <- solve(-numDeriv::hessian(loglik_fn, o$par))
c2 <- relmax(o$par, th); s2 <- relmax(sqrt(diag(V2)), se); v2 <- relvcov(V2, V)
cat(sprintf("route2 (optim BFGS + numDeriv hessian) vs route1: coef %.3g  se %.3g  vcov %.3g\n", c2, s2, v2))

np <- length(th); N <- sum(w)
kv <- c(kv_vec("coef", th), kv_vec("se", se), loglik = ll, aic = -2 * ll + 2 * np, bic = -2 * ll + np * log(N),
        deviance = -2 * ll, nobs = N, nrows = n, kv_mat("vcov", V))
write_ref("multinom.ref", c(
  "nnet::multinom(Sat ~ Infl + Type + Cont, weights=Freq, data=MASS::housing, reltol=1e-14, abstol=1e-14, maxit=10000) + 3 Newton steps (analytic Hessian)",
  "y code 0=Low (baseline), 1=Medium, 2=High; keys coef:CLASS:TERM, se:CLASS:TERM, vcov:CLASS1:TERM1:CLASS2:TERM2 (upper triangle, class-major order)",
  "nobs = sum of Freq = 1681 individuals (= rows of multinom_data_expanded.csv); nrows = 72 cells; bic uses log(1681)",
  sprintf("cross-check optim BFGS (analytic gradient, reltol 1e-15) + numDeriv::hessian: max rel diff coef %.2g, se %.2g, vcov(normwise) %.2g", c2, s2, v2)), kv)
