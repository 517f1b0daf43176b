# Shared code for ols.R and wls.R (sourced; see those files).
source("refutil.R")
d <- mtcars
X <- model.matrix(mpg ~ wt + hp + qsec, d); y <- d$mpg; n <- nrow(X); p <- ncol(X)
do_fit <- function(w, tag) {
  fit <- if (is.null(w)) lm(mpg ~ wt + hp + qsec, data = d) else lm(mpg ~ wt + hp + qsec, data = d, weights = w)
  ww <- if (is.null(w)) rep(1, n) else w
  b <- coef(fit); r <- y - drop(X %*% b); rss <- sum(ww * r^2)
  s_unb <- sqrt(rss / (n - p)); s_mle <- sqrt(rss / n)
  XtWXi <- solve(crossprod(X, X * ww)); dimnames(XtWXi) <- list(names(b), names(b))
  V <- s_unb^2 * XtWXi; se <- sqrt(diag(V))
  ll <- 0.5 * sum(log(ww)) - n / 2 * (log(2 * pi) + 1 - log(n) + log(rss))
  # route 2: normal equations, direct loglik
  b2 <- drop(solve(crossprod(X, X * ww), crossprod(X, ww * y))); r2 <- y - drop(X %*% b2)
  rss2 <- sum(ww * r2^2); V2 <- rss2 / (n - p) * solve(crossprod(X, X * ww))
  ll2 <- sum(dnorm(y, drop(X %*% b2), sqrt(rss2 / n) / sqrt(ww), log = TRUE))
  chk <- c(coef = relmax(b2, b), se = relmax(sqrt(diag(V2)), se), vcov = relvcov(V2, V),
           loglik = relmax(ll2, ll), lm_se = relmax(sqrt(diag(vcov(fit))), se), lm_loglik = relmax(logLik(fit), ll),
           lm_sigma = relmax(sigma(fit), s_unb), lm_aic = relmax(AIC(fit), -2 * ll + 2 * (p + 1)))
  print(signif(chk, 3))
  kv <- c(kv_vec("coef", b), kv_vec("se", se), sigma_mle = s_mle, sigma_unbiased = s_unb, rss = rss,
          loglik = ll, aic = -2 * ll + 2 * (p + 1), bic = -2 * ll + (p + 1) * log(n), nobs = n, df_resid = n - p,
          kv_vec("se_mle", s_mle * sqrt(diag(XtWXi))), "se_mle:sigma" = s_mle / sqrt(2 * n), kv_mat("vcov", V))
  call <- if (is.null(w)) "lm(mpg ~ wt + hp + qsec, data=mtcars)" else
    "lm(mpg ~ wt + hp + qsec, data=mtcars, weights=w), w = rep_len(c(1,2,3), 32); rss and sigma use weighted residuals sum(w r^2)"
  write_ref(paste0(tag, ".ref"), c(call,
    sprintf("data: %s_data.csv; se/vcov classical (sigma_unbiased^2 (X'WX)^-1); se_mle = inverse observed information at the MLE", tag),
    sprintf("cross-check normal equations + dnorm loglik: max rel diff coef %.2g, se %.2g, vcov(normwise) %.2g, loglik %.2g",
            chk["coef"], chk["se"], chk["vcov"], chk["loglik"])), kv)
}
