#!/usr/bin/env Rscript
# Peer timing (R) for the negative binomial data set of benches/negative_binomial.rs. Not run by CI.
#
# Data: `cargo run --release --example write_bench_data -- /tmp/mle-bench` writes
#   negbin.csv (n = 1e6, columns y, x1..x9; design = intercept + x1..x9, p = 10; NB2 with theta = 2).
#
# Timed (data loading and model-matrix construction excluded, median and best of `reps` elapsed times):
#   * MASS::glm.nb(y ~ X - 1, control = glm.control(epsilon = 1e-10, maxit = 100))
#   * MASS::glm.nb(y ~ X - 1)                          # R's default epsilon = 1e-8
# glm.nb alternates IRLS for beta at fixed theta (QR, single-threaded) with theta.ml (Newton in theta).
#
# Usage: Rscript benches/compare/negbin_peers.R [data_dir=/tmp/mle-bench] [reps=3]
suppressPackageStartupMessages(library(MASS))
args <- commandArgs(trailingOnly = TRUE)
data_dir <- if (length(args) >= 1) args[1] else "/tmp/mle-bench"
reps <- if (length(args) >= 2) as.integer(args[2]) else 3L
cat("#", R.version.string, "\n")
si <- sessionInfo()
cat("# BLAS:", si$BLAS, "\n# LAPACK:", si$LAPACK, "\n")
d <- read.csv(file.path(data_dir, "negbin.csv"), colClasses = "numeric")
y <- d$y
X <- cbind("(Intercept)" = 1, as.matrix(d[, paste0("x", 1:9)]))
rm(d); invisible(gc())
cat(sprintf("# negbin: n = %d, p = %d\n", nrow(X), ncol(X)))
for (eps in c(1e-10, 1e-8)) {
  times <- numeric(reps)
  for (r in seq_len(reps)) {
    times[r] <- system.time(fit <- glm.nb(y ~ X - 1, control = glm.control(epsilon = eps, maxit = 100)))[["elapsed"]]
  }
  cat(sprintf("glm.nb epsilon %.0e: median %.2f s, best %.2f s (theta %.6f, loglik %.6f)\n",
              eps, median(times), min(times), fit$theta, as.numeric(logLik(fit))))
}
