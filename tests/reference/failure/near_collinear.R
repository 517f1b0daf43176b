# Near-collinear but full-rank logistic design: b = 2a + 1e-9*u (n = 50; the data written by the
# LCG of tests/degenerate_data.rs, seed 12345). R's glm(y ~ a + b) stalls (condition number ~1e9,
# warns "did not converge"); the exact MLE is found on the equivalent well-conditioned design
# [1, a, d] with d = b - 2a (computed exactly: Sterbenz), since a*beta_a + b*beta_b = a*c + d*e with
# beta_a = c - 2e, beta_b = e. Standard errors: the exact inverse information (X'WX at the MLE, W = p(1-p))
# of the well-conditioned fit, inverted through its QR,, mapped by the same linear transform.
# Run from this directory:  Rscript near_collinear.R   (writes near_collinear.ref)
d <- read.csv("near_collinear.csv")
d$d <- d$b - 2 * d$a
m <- glm(y ~ a + d, family = binomial, data = d, control = glm.control(epsilon = 1e-15, maxit = 200))
A <- rbind(c(1, 0, 0), c(0, 1, -2), c(0, 0, 1))  # (beta0, beta_a, beta_b) = A (beta0, c, e)
beta <- drop(A %*% coef(m))
X <- model.matrix(m); p <- fitted(m)
# (X'WX)^-1 from the QR of W^(1/2) X (no squaring of d's 1e-9 scale)
V <- A %*% chol2inv(qr.R(qr(X * sqrt(p * (1 - p))))) %*% t(A)
plain <- suppressWarnings(glm(y ~ a + b, family = binomial, data = d))
f17 <- function(x) sprintf("%.17g", x)
out <- c(
  "# glm(y ~ a + d, binomial, epsilon = 1e-15), d = b - 2a; coefficients mapped to (Intercept), a, b",
  sprintf("# R %s; glm converged = %s after %d iterations", getRversion(), m$converged, m$iter),
  sprintf("# plain glm(y ~ a + b) (default control): converged = %s, loglik = %.10g, coef = %s",
          plain$converged, logLik(plain), paste(signif(coef(plain), 6), collapse = " ")),
  paste0("loglik,", f17(as.numeric(logLik(m)))),
  paste0("coef:(Intercept),", f17(beta[1])), paste0("coef:a,", f17(beta[2])), paste0("coef:b,", f17(beta[3])),
  paste0("se:(Intercept),", f17(sqrt(V[1, 1]))), paste0("se:a,", f17(sqrt(V[2, 2]))), paste0("se:b,", f17(sqrt(V[3, 3]))),
  paste0("cor:a:b,", f17(V[2, 3] / sqrt(V[2, 2] * V[3, 3])))
)
writeLines(out, "near_collinear.ref")
