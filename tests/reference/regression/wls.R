# Gaussian linear model references: mtcars, mpg ~ wt + hp + qsec (n=32, 4 coefs).
#   ols.ref: lm(mpg ~ wt + hp + qsec, data=mtcars)
#   wls.ref: lm(mpg ~ wt + hp + qsec, data=mtcars, weights=w), w = rep_len(c(1,2,3), 32)
#   (model: y_i ~ N(x_i'b, sigma^2 / w_i); loglik = logLik(lm) incl. 0.5*sum(log w))
# Run: Rscript wls.R (writes wls_data.csv [y,w,X], wls.ref); ols.R is the unweighted twin
# Route 1: lm (QR). Route 2: normal equations solve(X'WX, X'Wy) + closed-form loglik in R.
# Route 3: statsmodels OLS / WLS (crosscheck_statsmodels.py).
# Keys: se = classical SE with sigma_unbiased^2 (X'WX)^-1 (df = n-p), vcov likewise;
#       se_mle:TERM = sigma_mle * sqrt(diag((X'WX)^-1)) and se_mle:sigma = sigma_mle/sqrt(2n) (inverse observed
#       information at the MLE in (b, sigma)); aic/bic count p+1 parameters (R convention).
source("lm_common.R")
w <- rep_len(c(1, 2, 3), n)
write_csv17(data.frame(y = y, w = w, X, check.names = FALSE), "wls_data.csv")
do_fit(w, "wls")
