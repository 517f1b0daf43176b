# Logistic regression references on MASS::birthwt: low ~ age + lwt + smoke + ht + ui  (n = 189, not separated)
# Run from this directory:  Rscript logistic.R
# Writes logistic.csv, logistic_robust.ref, logistic_profile_ci.ref and the test files
#   logistic_lrt_drop_ui.ref, logistic_rao_drop_ui.ref, logistic_lrt_drop_age_lwt.ref, logistic_rao_drop_age_lwt.ref,
#   logistic_wald_smoke_ht_zero.ref, logistic_wald_smoke_eq_ht.ref
suppressPackageStartupMessages({ library(MASS); library(sandwich) })
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
# Fit, then refit from the converged coefficients so that the IRLS weights stored in the object
# (used by vcov/sandwich) are evaluated at the MLE itself, not at the previous iterate.
tight_glm <- function(formula, family, data) {
  f0 <- glm(formula, family = family, data = data, control = ctrl)
  glm(formula, family = family, data = data, control = ctrl, start = coef(f0))
}

data(birthwt)
d <- birthwt[, c("low", "age", "lwt", "smoke", "ht", "ui")]
rownames(d) <- NULL
n <- nrow(d)
d$id <- rep_len(1:20, n)      # artificial cluster id: row i -> ((i-1) %% 20) + 1, 20 clusters of 9-10 obs
form <- low ~ age + lwt + smoke + ht + ui
fit <- tight_glm(form, binomial, d)
X <- model.matrix(fit); y <- d$low; k <- ncol(X); G <- length(unique(d$id))
write_csv17(data.frame(low = y, X, id = d$id, check.names = FALSE), "logistic.csv")

# ---- analytic second route in R -------------------------------------------------------
b <- coef(fit); mu <- plogis(drop(X %*% b)); w <- mu * (1 - mu)
score_i <- X * (y - mu)
I <- crossprod(X, w * X); Iinv <- solve(I)
meat0 <- crossprod(score_i)
V_hc0_hand <- Iinv %*% meat0 %*% Iinv
Sg <- rowsum(score_i, d$id)
V_cl0_hand <- G / (G - 1) * Iinv %*% crossprod(Sg) %*% Iinv

V_model <- vcov(fit)
V_sand <- sandwich(fit)
V_hc0 <- vcovHC(fit, type = "HC0")
V_hc1 <- vcovHC(fit, type = "HC1")
V_cl0 <- vcovCL(fit, cluster = d$id, type = "HC0")   # same as cluster = ~id
V_cl1 <- vcovCL(fit, cluster = d$id, type = "HC1")
rel <- function(a, b) max(abs(a - b)) / max(abs(b))   # normwise relative difference

writeLines(c(
  "# fit <- glm(low ~ age + lwt + smoke + ht + ui, family = binomial, data = MASS::birthwt,",
  "#            control = glm.control(epsilon = 1e-14, maxit = 100)), refitted with start = coef(fit)",
  sprintf("# R %s, sandwich %s, MASS %s", getRversion(), packageVersion("sandwich"), packageVersion("MASS")),
  "# data: logistic.csv (low, expanded X, id); id = ((row-1) %% 20) + 1  -> G = 20 clusters",
  sprintf("# n = %d, k = %d, G = %d; max |score| at the MLE = %.3g", n, k, G, max(abs(colSums(score_i)))),
  "# vcov_model = vcov(fit) = (X'WX)^-1 (dispersion 1)",
  "# vcov_sandwich = sandwich::sandwich(fit)  (= HC0)",
  "# vcov_hc0 = vcovHC(fit, type='HC0') = B M B, B = (X'WX)^-1, M = sum_i s_i s_i', s_i = x_i (y_i - mu_i)",
  "# vcov_hc1 = vcovHC(fit, type='HC1') = n/(n-k) * HC0",
  "# vcov_cl_hc0 = vcovCL(fit, cluster=~id, type='HC0') = G/(G-1) * B (sum_g S_g S_g') B   (cadjust=TRUE)",
  "# vcov_cl_hc1 = vcovCL(fit, cluster=~id, type='HC1') = G/(G-1) * (n-1)/(n-k) * B (sum_g S_g S_g') B",
  sprintf("# hand-computed HC0 vs vcovHC: max normwise rel diff %.3g; hand CL-HC0 vs vcovCL: %.3g", rel(V_hc0_hand, V_hc0), rel(V_cl0_hand, V_cl0)),
  sprintf("n,%d", n), sprintf("k,%d", k), sprintf("G,%d", G),
  sprintf("coef:%s,%s", names(b), f17(b)),
  sprintf("se:%s,%s", names(b), f17(sqrt(diag(V_model)))),
  sprintf("loglik,%s", f17(as.numeric(logLik(fit)))),
  sprintf("deviance,%s", f17(deviance(fit))),
  mat_lines("vcov_model", V_model),
  mat_lines("vcov_sandwich", V_sand),
  mat_lines("vcov_hc0", V_hc0),
  mat_lines("vcov_hc1", V_hc1),
  mat_lines("vcov_cl_hc0", V_cl0),
  mat_lines("vcov_cl_hc1", V_cl1)
), "logistic_robust.ref")

# ---- nested-model tests ------------------------------------------------------------
score_test_hand <- function(small, big) {
  Xb <- model.matrix(big); mus <- fitted(small); ws <- mus * (1 - mus)
  U <- crossprod(Xb, y - mus); Ib <- crossprod(Xb, ws * Xb)
  drop(t(U) %*% solve(Ib, U))
}
tests <- list(drop_ui = low ~ age + lwt + smoke + ht, drop_age_lwt = low ~ smoke + ht + ui)
for (nm in names(tests)) {
  small <- tight_glm(tests[[nm]], binomial, d)
  a_lrt <- anova(small, fit, test = "LRT")
  a_rao <- anova(small, fit, test = "Rao")
  lr_hand <- 2 * (as.numeric(logLik(fit)) - as.numeric(logLik(small)))
  rao_hand <- score_test_hand(small, fit)
  call_txt <- sprintf("# small <- glm(%s, binomial, birthwt, control = glm.control(epsilon=1e-14, maxit=100)); big = logistic_robust.ref model",
                      deparse(tests[[nm]]))
  writeLines(c(sprintf("# anova(small, big, test = 'LRT')"), call_txt,
    sprintf("# hand 2*(loglik_big - loglik_small) = %s, rel diff %.3g", f17(lr_hand), abs(lr_hand / a_lrt$Deviance[2] - 1)),
    sprintf("stat,%s", f17(a_lrt$Deviance[2])), sprintf("df,%s", f17(a_lrt$Df[2])),
    sprintf("pvalue,%s", f17(a_lrt$`Pr(>Chi)`[2])),
    sprintf("loglik_small,%s", f17(as.numeric(logLik(small)))),
    sprintf("loglik_big,%s", f17(as.numeric(logLik(fit))))),
    sprintf("logistic_lrt_%s.ref", nm))
  writeLines(c(sprintf("# anova(small, big, test = 'Rao')  (score test, dispersion 1)"), call_txt,
    "# stat = U' I^-1 U with U = X_big'(y - mu_small), I = X_big' W_small X_big",
    sprintf("# hand-computed stat = %s, rel diff %.3g", f17(rao_hand), abs(rao_hand / a_rao$Rao[2] - 1)),
    sprintf("stat,%s", f17(a_rao$Rao[2])), sprintf("df,%s", f17(a_rao$Df[2])),
    sprintf("pvalue,%s", f17(a_rao$`Pr(>Chi)`[2]))),
    sprintf("logistic_rao_%s.ref", nm))
}

# ---- Wald tests R b = r using vcov(fit) ------------------------------------------
wald <- function(R, r) {
  d0 <- R %*% b - r
  st <- drop(t(d0) %*% solve(R %*% V_model %*% t(R), d0))
  c(stat = st, df = nrow(R), pvalue = pchisq(st, nrow(R), lower.tail = FALSE))
}
R1 <- rbind(as.numeric(names(b) == "smoke"), as.numeric(names(b) == "ht"))
w1 <- wald(R1, c(0, 0))
R2 <- rbind(as.numeric(names(b) == "smoke") - as.numeric(names(b) == "ht"))
w2 <- wald(R2, 0)
writeLines(c("# Wald chi-square test of H0: b_smoke = 0 and b_ht = 0 in the logistic_robust.ref model",
  "# stat = (Rb - r)' (R V R')^-1 (Rb - r), V = vcov(fit) (model-based, (X'WX)^-1); pvalue = pchisq(stat, df, lower=FALSE)",
  "# R rows: e_smoke, e_ht; r = (0, 0)",
  sprintf("stat,%s", f17(w1["stat"])), sprintf("df,%s", f17(w1["df"])), sprintf("pvalue,%s", f17(w1["pvalue"]))),
  "logistic_wald_smoke_ht_zero.ref")
writeLines(c("# Wald chi-square test of H0: b_smoke = b_ht  (R = e_smoke - e_ht, r = 0) in the logistic_robust.ref model",
  "# stat = (Rb - r)' (R V R')^-1 (Rb - r), V = vcov(fit) (model-based); pvalue = pchisq(stat, 1, lower=FALSE)",
  sprintf("stat,%s", f17(w2["stat"])), sprintf("df,%s", f17(w2["df"])), sprintf("pvalue,%s", f17(w2["pvalue"]))),
  "logistic_wald_smoke_eq_ht.ref")

# ---- profile-likelihood confidence intervals ----------------------------------------
ci_mass <- suppressMessages(MASS:::confint.glm(fit, level = 0.95))
# exact: roots of 2*(l(bhat) - l_profile(b_j)) = qchisq(0.95, 1), profile via glm with offset
crit <- qchisq(0.95, 1); ll_hat <- as.numeric(logLik(fit))
prof_dev <- function(j, val) {
  off <- val * X[, j]
  Xo <- X[, -j, drop = FALSE]
  f0 <- glm.fit(Xo, y, family = binomial(), offset = off, control = ctrl)
  f1 <- glm.fit(Xo, y, family = binomial(), offset = off, control = ctrl, start = f0$coefficients)
  2 * (ll_hat - (-f1$deviance / 2)) - crit     # binary y: loglik = -deviance/2
}
se <- sqrt(diag(V_model))
ci_exact <- t(sapply(seq_len(k), function(j) {
  lo <- uniroot(function(v) prof_dev(j, v), c(b[j] - 5 * se[j], b[j]), tol = 1e-14 * max(1, abs(b[j])))$root
  hi <- uniroot(function(v) prof_dev(j, v), c(b[j], b[j] + 5 * se[j]), tol = 1e-14 * max(1, abs(b[j])))$root
  c(lo, hi)
}))
rownames(ci_exact) <- names(b)
writeLines(c(
  "# profile-likelihood 95% CIs for the logistic_robust.ref model",
  "# ci_lower/ci_upper: EXACT roots of 2*(l(bhat) - l_p(b_j)) = qchisq(0.95,1) (uniroot tol 1e-14, profile by glm.fit with offset, eps 1e-14)",
  "# ci_lower_mass/ci_upper_mass: MASS::confint.glm(fit) (profile.glm on a grid + spline interpolation => only ~1e-4 accurate)",
  sprintf("# max |exact - MASS| = %.3g (relative to CI width: %.3g)", max(abs(ci_exact - ci_mass)),
          max(abs(ci_exact - ci_mass) / (ci_exact[, 2] - ci_exact[, 1]))),
  sprintf("level,%s", f17(0.95)), sprintf("crit,%s", f17(crit)),
  sprintf("ci_lower:%s,%s", names(b), f17(ci_exact[, 1])),
  sprintf("ci_upper:%s,%s", names(b), f17(ci_exact[, 2])),
  sprintf("ci_lower_mass:%s,%s", names(b), f17(ci_mass[, 1])),
  sprintf("ci_upper_mass:%s,%s", names(b), f17(ci_mass[, 2]))
), "logistic_profile_ci.ref")
