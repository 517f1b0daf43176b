# Weibull(shape k, scale lambda) MLE on the Lieblein-Zelen ball-bearing data.
# Run: Rscript weibull.R   (writes data.csv, weibull.ref)
# Route 1: profile equation for k via uniroot(tol=1e-15) + Newton polish, lambda closed form,
#          SEs from inverse of the analytic observed information.
# Route 2: bbmle::mle2 (BFGS, analytic gradient, reltol=1e-15) + its vcov;
#          route 2b: numDeriv::hessian (Richardson) at the route-1 optimum.
# For the record only: MASS::fitdistr(x, "weibull") (default tolerances, expected looser).
suppressPackageStartupMessages({ library(bbmle); library(numDeriv); library(MASS) })
x <- c(17.88, 28.92, 33.00, 41.52, 42.12, 45.60, 48.48, 51.84, 51.96, 54.12, 55.56,
       67.80, 68.64, 68.64, 68.88, 84.12, 93.12, 98.64, 105.12, 105.84, 127.92, 128.04, 173.40)
n <- length(x); lx <- log(x)
writeLines(c("x", sprintf("%.17g", x)), "data.csv")

ll <- function(k, lam) { z <- x / lam; n * log(k) - n * k * log(lam) + (k - 1) * sum(lx) - sum(z^k) }
grad <- function(k, lam) { z <- x / lam; lz <- log(z)
  c(n / k - n * log(lam) + sum(lx) - sum(z^k * lz), -n * k / lam + k / lam * sum(z^k)) }
hess <- function(k, lam) { z <- x / lam; lz <- log(z); zk <- z^k
  hkk <- -n / k^2 - sum(zk * lz^2)
  hkl <- -n / lam + sum(zk) / lam + k / lam * sum(zk * lz)
  hll <- n * k / lam^2 - k / lam^2 * sum(zk) - k^2 / lam^2 * sum(zk)
  matrix(c(hkk, hkl, hkl, hll), 2) }

# ---- Route 1 ----
prof <- function(k) { xk <- x^k; 1 / k + mean(lx) - sum(xk * lx) / sum(xk) }
k <- uniroot(prof, c(0.1, 20), tol = 1e-15, maxiter = 1000)$root
# Newton polish on the profile equation (derivative by complex-free analytic form)
dprof <- function(k) { xk <- x^k; s0 <- sum(xk); s1 <- sum(xk * lx); s2 <- sum(xk * lx^2)
  -1 / k^2 - (s2 * s0 - s1^2) / s0^2 }
for (i in 1:5) k <- k - prof(k) / dprof(k)
lam <- mean(x^k)^(1 / k)
H <- hess(k, lam); V <- solve(-H)
est1 <- c(shape = k, scale = lam); se1 <- sqrt(diag(V)); names(se1) <- names(est1)
l1 <- ll(k, lam)
cat("route1 gradient at optimum:", grad(k, lam), "\n")

# ---- Route 2: bbmle::mle2 ----
nll <- function(shape, scale) -ll(shape, scale)
fit2 <- mle2(nll, start = list(shape = 1.5, scale = 80), method = "BFGS",
             gr = function(shape, scale) -grad(shape, scale),
             control = list(reltol = 1e-15, maxit = 10000))
# NB: no parscale here: bbmle 1.0.25 mis-scales its vcov() Hessian when parscale is given.
est2 <- coef(fit2); V2 <- vcov(fit2); se2 <- sqrt(diag(V2))
# Route 2b: numerical Hessian (Richardson) at route-1 optimum
Hn <- numDeriv::hessian(function(p) ll(p[1], p[2]), c(k, lam))
Vn <- solve(-Hn); sen <- sqrt(diag(Vn))
fd <- suppressWarnings(fitdistr(x, "weibull"))

rel <- function(a, b) max(abs(a - b) / abs(b))
cat(sprintf("route2 (mle2) vs route1: coef %.3g  se %.3g  vcov %.3g  loglik %.3g\n",
            rel(est2, est1), rel(se2, se1), rel(V2, V), rel(as.numeric(logLik(fit2)), l1)))
cat(sprintf("route2b (numDeriv hessian) vs route1 analytic: se %.3g  vcov %.3g\n", rel(sen, se1), rel(Vn, V)))
cat(sprintf("MASS::fitdistr (default tol) vs route1: coef %.3g  se %.3g\n", rel(fd$estimate, est1), rel(fd$sd, se1)))

kv <- c("coef:shape" = k, "coef:scale" = lam, "se:shape" = se1[[1]], "se:scale" = se1[[2]],
        loglik = l1, aic = -2 * l1 + 4, bic = -2 * l1 + 2 * log(n), nobs = n,
        "vcov:shape:shape" = V[1, 1], "vcov:shape:scale" = V[1, 2], "vcov:scale:scale" = V[2, 2])
writeLines(c(
  "# Weibull MLE, density f(x)=(k/lam)(x/lam)^(k-1)exp(-(x/lam)^k); data.csv column x (n=23, Lieblein-Zelen)",
  "# R: k <- uniroot(function(k) 1/k + mean(log(x)) - sum(x^k*log(x))/sum(x^k), c(0.1,20), tol=1e-15) + Newton polish; lam <- mean(x^k)^(1/k); vcov <- solve(-analytic Hessian)",
  sprintf("# cross-check bbmle::mle2(BFGS, analytic gr, reltol=1e-15): max rel diff coef %.2g, se %.2g, vcov %.2g",
          rel(est2, est1), rel(se2, se1), rel(V2, V)),
  sprintf("# cross-check numDeriv::hessian at optimum: max rel diff se %.2g, vcov %.2g", rel(sen, se1), rel(Vn, V)),
  sprintf("# MASS::fitdistr default tolerances (record only): max rel diff coef %.2g, se %.2g", rel(fd$estimate, est1), rel(fd$sd, se1)),
  sprintf("%s,%s", names(kv), sprintf("%.17g", kv))), "weibull.ref")
