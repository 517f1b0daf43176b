# Poisson regression references on datasets::warpbreaks: breaks ~ wool + tension  (n = 54, overdispersed)
# Run from this directory:  Rscript poisson.R
# Writes poisson.csv, poisson_robust.ref, poisson_fisher.ref
suppressPackageStartupMessages({ library(sandwich) })
f17 <- function(x) sprintf("%.17g", x)
write_csv17 <- function(df, file) {
  out <- as.data.frame(lapply(df, f17), check.names = FALSE)
  write.csv(out, file, row.names = FALSE, quote = FALSE)
}
mat_lines <- function(prefix, M) {
  nm <- rownames(M); out <- character(0)
  for (i in seq_along(nm)) for (j in seq_along(nm))
    out <- c(out, sprintf("%s:%s:%s,%s", prefix, nm[i], nm[j], f17(M[i, j])))
  out
}
ctrl <- glm.control(epsilon = 1e-14, maxit = 100)
data(warpbreaks)
d <- warpbreaks
d$id <- rep(1:9, 6)     # cluster id = replicate number within each wool x tension cell (9 clusters of 6)
form <- breaks ~ wool + tension
f0 <- glm(form, family = poisson, data = d, control = ctrl)
fit <- glm(form, family = poisson, data = d, control = ctrl, start = coef(f0))   # weights evaluated at the MLE
X <- model.matrix(fit); y <- d$breaks; n <- nrow(X); k <- ncol(X); G <- length(unique(d$id))
write_csv17(data.frame(breaks = y, X, id = d$id, check.names = FALSE), "poisson.csv")

b <- coef(fit); mu <- exp(drop(X %*% b))
score_i <- X * (y - mu)
I <- crossprod(X, mu * X); Iinv <- solve(I)
V_hc0_hand <- Iinv %*% crossprod(score_i) %*% Iinv
V_cl0_hand <- G / (G - 1) * Iinv %*% crossprod(rowsum(score_i, d$id)) %*% Iinv
V_model <- vcov(fit)
V_sand <- sandwich(fit)
V_hc0 <- vcovHC(fit, type = "HC0"); V_hc1 <- vcovHC(fit, type = "HC1")
V_cl0 <- vcovCL(fit, cluster = d$id, type = "HC0"); V_cl1 <- vcovCL(fit, cluster = d$id, type = "HC1")
rel <- function(a, b) max(abs(a - b)) / max(abs(b))   # normwise relative difference
writeLines(c(
  "# fit <- glm(breaks ~ wool + tension, family = poisson, data = warpbreaks,",
  "#            control = glm.control(epsilon = 1e-14, maxit = 100)), refitted with start = coef(fit)",
  sprintf("# R %s, sandwich %s", getRversion(), packageVersion("sandwich")),
  "# data: poisson.csv (breaks, expanded X with treatment contrasts, id); id = replicate 1..9 within each wool x tension cell -> G = 9",
  sprintf("# n = %d, k = %d, G = %d; max |score| at the MLE = %.3g", n, k, G, max(abs(colSums(score_i)))),
  "# vcov_model = vcov(fit) = (X'WX)^-1, W = diag(mu) (dispersion fixed at 1)",
  "# vcov_sandwich = sandwich::sandwich(fit) (= HC0); vcov_hc0/hc1 = vcovHC(type='HC0'/'HC1'), HC1 = n/(n-k) * HC0",
  "# vcov_cl_hc0 = vcovCL(fit, cluster=~id, type='HC0') = G/(G-1) * B (sum_g S_g S_g') B   (cadjust=TRUE)",
  "# vcov_cl_hc1 = vcovCL(fit, cluster=~id, type='HC1') = G/(G-1) * (n-1)/(n-k) * B (sum_g S_g S_g') B",
  sprintf("# hand-computed HC0 vs vcovHC: max normwise rel diff %.3g; hand CL-HC0 vs vcovCL: %.3g", rel(V_hc0_hand, V_hc0), rel(V_cl0_hand, V_cl0)),
  sprintf("n,%d", n), sprintf("k,%d", k), sprintf("G,%d", G),
  sprintf("coef:%s,%s", names(b), f17(b)),
  sprintf("se:%s,%s", names(b), f17(sqrt(diag(V_model)))),
  sprintf("loglik,%s", f17(as.numeric(logLik(fit)))),
  sprintf("deviance,%s", f17(deviance(fit))),
  mat_lines("vcov_model", V_model), mat_lines("vcov_sandwich", V_sand),
  mat_lines("vcov_hc0", V_hc0), mat_lines("vcov_hc1", V_hc1),
  mat_lines("vcov_cl_hc0", V_cl0), mat_lines("vcov_cl_hc1", V_cl1)
), "poisson_robust.ref")

# Fisher information: canonical log link => expected = observed = X' diag(mu) X at the MLE
H_obs <- -numDeriv::hessian(function(bb) sum(dpois(y, exp(drop(X %*% bb)), log = TRUE)), b)
writeLines(c(
  "# Fisher information of the poisson_robust.ref model at the MLE: info = X' diag(mu_hat) X",
  "# (canonical link: expected information = observed information); vcov_model = solve(info) = vcov(fit)",
  sprintf("# numDeriv::hessian observed information vs X'WX: max normwise rel diff %.3g", rel(H_obs, I)),
  sprintf("# solve(X'WX) vs vcov(fit): max normwise rel diff %.3g", rel(Iinv, V_model)),
  sprintf("loglik,%s", f17(as.numeric(logLik(fit)))),
  mat_lines("info", I), mat_lines("vcov_model", V_model)
), "poisson_fisher.ref")
