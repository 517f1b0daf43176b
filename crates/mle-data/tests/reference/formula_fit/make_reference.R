# References for formula fits on data/birthwt.csv (strings and NAs). Run from the repository
# root: Rscript crates/mle-data/tests/reference/formula_fit/make_reference.R
# R 4.2. Fits with glm.control(epsilon = 1e-14, maxit = 100); standard errors are the exact
# inverse information solve(X' W X) at the estimate (glm's own are only ~1e-7 accurate), for
# the Gaussian the inverse observed information of the MLE, sigma_mle^2 (X'X)^-1.
library(jsonlite)
out <- "crates/mle-data/tests/reference/formula_fit"
d <- read.csv("data/birthwt.csv", stringsAsFactors = FALSE)
newdata <- na.omit(d)[seq(1, 180, by = 12), ]
write.csv(newdata, file.path(out, "newdata.csv"), row.names = FALSE, quote = TRUE)

case <- function(name, formula, family) {
  m <- glm(as.formula(formula), family = family, data = d,
           control = glm.control(epsilon = 1e-14, maxit = 100))
  X <- model.matrix(m)
  mu <- fitted(m)
  fam <- family(m)
  w <- m$prior.weights * fam$mu.eta(m$linear.predictors)^2 / fam$variance(mu)
  n <- nrow(X)
  if (fam$family == "gaussian") {
    sigma2 <- sum(m$prior.weights * (m$y - mu)^2) / n
    V <- solve(crossprod(X * sqrt(m$prior.weights))) * sigma2
  } else {
    V <- solve(crossprod(X * sqrt(w)))
  }
  se <- sqrt(diag(V))
  Xn <- model.matrix(delete.response(terms(m)), model.frame(delete.response(terms(m)), newdata))
  off <- model.offset(model.frame(delete.response(terms(m)), newdata))
  if (is.null(off)) off <- 0
  eta <- drop(Xn %*% coef(m)) + off
  se_link <- sqrt(rowSums((Xn %*% V) * Xn))
  se_resp <- se_link * abs(fam$mu.eta(eta))
  z <- qnorm(0.975)
  av <- anova(m, test = "Chisq")
  dr <- drop1(m, test = "Chisq")
  list(
    name = name, formula = formula, family = fam$family, n = n,
    n_dropped = nrow(d) - n,
    terms = colnames(X),
    coefficients = unname(coef(m)), std_errors = unname(se),
    glm_std_errors = unname(sqrt(diag(vcov(m)))),
    loglik = as.numeric(logLik(m)), aic = AIC(m), bic = BIC(m),
    deviance = deviance(m), null_deviance = m$null.deviance,
    df_residual = m$df.residual, df_null = m$df.null,
    dispersion = summary(m)$dispersion,
    fitted = unname(mu), hat = unname(hatvalues(m)),
    residuals = list(
      response = unname(residuals(m, "response")), pearson = unname(residuals(m, "pearson")),
      deviance = unname(residuals(m, "deviance")), working = unname(residuals(m, "working"))),
    predict = list(
      link = unname(eta), se_link = unname(se_link),
      response = unname(fam$linkinv(eta)), se_response = unname(se_resp),
      link_lower = unname(eta - z * se_link), link_upper = unname(eta + z * se_link)),
    anova = list(
      terms = rownames(av)[-1], df = av$Df[-1], deviance = av$Deviance[-1],
      resid_df = av$"Resid. Df"[-1], resid_dev = av$"Resid. Dev"[-1], p_value = av$"Pr(>Chi)"[-1]),
    drop1 = list(
      terms = rownames(dr)[-1], df = dr$Df[-1], deviance = dr$Deviance[-1], aic = dr$AIC[-1],
      lrt = dr[-1, 4], p_value = dr[-1, 5])
  )
}

cases <- list(
  case("logistic", "low ~ age + log(lwt) + race + smoke + ht + ui + age:smoke", binomial()),
  case("gaussian", "bwt ~ age + lwt + race * smoke + ht", gaussian()),
  case("poisson", "ftv ~ age + race + smoke + offset(log(lwt))", poisson())
)
write_json(cases, file.path(out, "birthwt_glm.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
