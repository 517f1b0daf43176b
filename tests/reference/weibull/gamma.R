# Gamma(shape k, rate r) MLE on the Lieblein-Zelen ball-bearing data (same data.csv as weibull.R).
# Run: Rscript gamma.R   (writes data.csv, gamma.ref)
# Route 1: log(k) - digamma(k) = log(mean x) - mean(log x) via uniroot(tol=1e-15) + Newton polish,
#          r = k / mean(x); SEs from the inverse analytic observed information (trigamma).
# Route 2: bbmle::mle2 (BFGS, analytic gradient, reltol=1e-15) + its vcov;
#          route 2b: numDeriv::hessian at the route-1 optimum; MASS::fitdistr for the record.
suppressPackageStartupMessages({ library(bbmle); library(numDeriv); library(MASS) })
x <- c(17.88, 28.92, 33.00, 41.52, 42.12, 45.60, 48.48, 51.84, 51.96, 54.12, 55.56,
       67.80, 68.64, 68.64, 68.88, 84.12, 93.12, 98.64, 105.12, 105.84, 127.92, 128.04, 173.40)
n <- length(x); lx <- log(x); sx <- sum(x); slx <- sum(lx)
writeLines(c("x", sprintf("%.17g", x)), "data.csv")

ll <- function(k, r) n * k * log(r) - n * lgamma(k) + (k - 1) * slx - r * sx
grad <- function(k, r) c(n * log(r) - n * digamma(k) + slx, n * k / r - sx)
hess <- function(k, r) matrix(c(-n * trigamma(k), n / r, n / r, -n * k / r^2), 2)

s <- log(mean(x)) - mean(lx)
f <- function(k) log(k) - digamma(k) - s
k <- uniroot(f, c(1e-3, 1e3), tol = 1e-15, maxiter = 1000)$root
for (i in 1:5) k <- k - f(k) / (1 / k - trigamma(k))
r <- k / mean(x)
V <- solve(-hess(k, r)); est1 <- c(shape = k, rate = r); se1 <- sqrt(diag(V)); names(se1) <- names(est1)
l1 <- ll(k, r)
cat("route1 gradient at optimum:", grad(k, r), "\n")

fit2 <- mle2(function(shape, rate) suppressWarnings(-ll(shape, rate)), start = list(shape = 2, rate = 0.03), method = "BFGS",
             gr = function(shape, rate) -grad(shape, rate), control = list(reltol = 1e-15, maxit = 10000))
est2 <- coef(fit2); V2 <- vcov(fit2); se2 <- sqrt(diag(V2))
Vn <- solve(-numDeriv::hessian(function(p) ll(p[1], p[2]), c(k, r))); sen <- sqrt(diag(Vn))
fd <- suppressWarnings(fitdistr(x, "gamma"))
rel <- function(a, b) max(abs(a - b) / abs(b))
cat(sprintf("route2 (mle2) vs route1: coef %.3g  se %.3g  vcov %.3g\n", rel(est2, est1), rel(se2, se1), rel(V2, V)))
cat(sprintf("route2b (numDeriv) vs route1: se %.3g  vcov %.3g\n", rel(sen, se1), rel(Vn, V)))
cat(sprintf("MASS::fitdistr vs route1: coef %.3g  se %.3g\n", rel(fd$estimate, est1), rel(fd$sd, se1)))

kv <- c("coef:shape" = k, "coef:rate" = r, "se:shape" = se1[[1]], "se:rate" = se1[[2]],
        loglik = l1, aic = -2 * l1 + 4, bic = -2 * l1 + 2 * log(n), nobs = n,
        "vcov:shape:shape" = V[1, 1], "vcov:shape:rate" = V[1, 2], "vcov:rate:rate" = V[2, 2])
writeLines(c(
  "# Gamma MLE, density f(x)=r^k x^(k-1) exp(-r x)/Gamma(k); data.csv column x (n=23, Lieblein-Zelen)",
  "# R: k <- uniroot(function(k) log(k)-digamma(k)-(log(mean(x))-mean(log(x))), c(1e-3,1e3), tol=1e-15) + Newton polish; r <- k/mean(x); vcov <- solve(-analytic Hessian (trigamma))",
  sprintf("# cross-check bbmle::mle2(BFGS, analytic gr, reltol=1e-15): max rel diff coef %.2g, se %.2g, vcov %.2g",
          rel(est2, est1), rel(se2, se1), rel(V2, V)),
  sprintf("# cross-check numDeriv::hessian at optimum: max rel diff se %.2g, vcov %.2g", rel(sen, se1), rel(Vn, V)),
  sprintf("# MASS::fitdistr default tolerances (record only): max rel diff coef %.2g, se %.2g", rel(fd$estimate, est1), rel(fd$sd, se1)),
  sprintf("%s,%s", names(kv), sprintf("%.17g", kv))), "gamma.ref")
