# Expected-information standard errors of MASS::polr on housing (Sat as strings in the order
# Low < Medium < High, weights Freq), logit and probit: I = sum_i w_i J_i' diag(1/p_i) J_i with
# J_i = dp_i/dtheta (numDeriv::jacobian of the K class probabilities) — the multinomial form of
# the expected information, not the Hessian route the Rust code takes. The beta block of
# I^-1 is invariant to how the cut-points are parametrised. Writes polr_expected.csv.
# Run from this directory:  Rscript polr_expected.R
suppressPackageStartupMessages({ library(MASS); library(numDeriv) })
d <- read.csv("housing_sat.csv")
d$Sat <- factor(d$Sat, levels = c("Low", "Medium", "High"), ordered = TRUE)
out <- NULL
for (link in c("logit", "probit")) {
  m <- polr(Sat ~ Infl + Type + Cont, data = d, weights = Freq, method = if (link == "logit") "logistic" else link,
            control = list(reltol = 1e-14, maxit = 1000))
  X <- model.matrix(~ Infl + Type + Cont, data = d)[, -1, drop = FALSE]
  cdf <- if (link == "logit") plogis else pnorm
  theta <- c(coef(m), m$zeta); p <- ncol(X)
  probs <- function(th, x) {
    eta <- sum(x * th[1:p]); z <- th[-(1:p)]
    cum <- c(0, cdf(z - eta), 1); diff(cum)
  }
  info <- matrix(0, length(theta), length(theta))
  for (i in seq_len(nrow(X))) {
    J <- jacobian(function(th) probs(th, X[i, ]), theta)
    pi <- probs(theta, X[i, ])
    info <- info + d$Freq[i] * t(J) %*% diag(1 / pi) %*% J
  }
  se <- sqrt(diag(solve(info)))[1:p]
  out <- rbind(out, data.frame(link = link, term = names(coef(m)), se = sprintf("%.17g", se)))
}
write.csv(out, "polr_expected.csv", row.names = FALSE, quote = FALSE)
