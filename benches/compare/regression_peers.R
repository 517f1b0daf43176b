#!/usr/bin/env Rscript
# Peer timings (R) for the logistic data set of benches/logistic.rs.
#
# Data: `cargo run --release --example write_bench_data -- /tmp/mle-bench` writes
#   logistic.csv (n = 1e6, columns y, x1..x19; design = intercept + x1..x19, p = 20).
#
# Timed (data loading and model-matrix construction excluded, best of 3 elapsed times
# from system.time):
#   * glm.fit(X, y, family = binomial(), control = glm.control(epsilon = 1e-10))
#   * glm.fit(X, y, family = binomial())            # R's default epsilon = 1e-8
#   * the same two on the first 1e5 rows and first 10 columns (intercept + x1..x9): the
#     `logistic_n1e5_p10` group of benches/logistic.rs
# glm.fit is IRLS with a Householder QR per iteration (LINPACK dqrls, single-threaded).
#
# Usage: Rscript benches/compare/regression_peers.R [data_dir=/tmp/mle-bench] [reps=3]

args <- commandArgs(trailingOnly = TRUE)
data_dir <- if (length(args) >= 1) args[1] else "/tmp/mle-bench"
reps <- if (length(args) >= 2) as.integer(args[2]) else 3L

cat("#", R.version.string, "\n")
si <- sessionInfo()
cat("# BLAS:", si$BLAS, "\n# LAPACK:", si$LAPACK, "\n")
cat(sprintf("# timing: best of %d system.time elapsed, data loading excluded\n\n", reps))

t_load <- system.time({
  d <- read.csv(file.path(data_dir, "logistic.csv"), colClasses = "numeric")
  y <- d$y
  X <- cbind("(Intercept)" = 1, as.matrix(d[, paste0("x", 1:19)]))
  rm(d)
  invisible(gc())
})[["elapsed"]]
cat(sprintf("# logistic: n = %d, p = %d (loaded in %.1f s, not timed)\n", nrow(X), ncol(X), t_load))

# Analytic log-likelihood and max |gradient| at beta (same check as regression_peers.py).
check <- function(beta, X, y) {
  eta <- drop(X %*% beta)
  ll <- sum(y * eta - ifelse(eta > 0, eta + log1p(exp(-eta)), log1p(exp(eta))))
  p <- plogis(eta)
  g <- drop(crossprod(X, y - p))
  c(loglik = ll, max_grad = max(abs(g)))
}

results <- list()
time_glm <- function(X, y, tag) {
  for (cfg in list(list(label = "glm.fit epsilon=1e-10", eps = 1e-10),
                   list(label = "glm.fit epsilon=1e-8 (default)", eps = 1e-8))) {
    times <- numeric(reps)
    fit <- NULL
    for (r in seq_len(reps)) {
      invisible(gc())
      times[r] <- system.time(
        fit <- glm.fit(X, y, family = binomial(), control = glm.control(epsilon = cfg$eps, maxit = 100))
      )[["elapsed"]]
    }
    chk <- check(fit$coefficients, X, y)
    cat(sprintf("R %s %s: best %.3f s  runs [%s]  iterations %d  converged %s\n",
                tag, cfg$label, min(times), paste(sprintf("%.3f", times), collapse = ", "),
                fit$iter, fit$converged))
    cat(sprintf("  beta[0:3] = [%s]  loglik (-deviance/2) = %.6f  loglik (check) = %.6f  max|grad| = %.3e\n",
                paste(sprintf("%+.10f", fit$coefficients[1:3]), collapse = ", "),
                -fit$deviance / 2, chk[["loglik"]], chk[["max_grad"]]))
    results[[length(results) + 1]] <<- sprintf("| R %s %s | IRLS (QR) | %.3f | %d | %.6f | %.2e |",
                                               tag, cfg$label, min(times), fit$iter, chk[["loglik"]], chk[["max_grad"]])
  }
}
time_glm(X, y, "n=1e6 p=20")
time_glm(X[1:100000, 1:10], y[1:100000], "n=1e5 p=10")
cat("\n# summary (tool | method | best time s | iterations | loglik | max|grad|)\n")
cat(unlist(results), sep = "\n")
