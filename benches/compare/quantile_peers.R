# Peer timings (R, quantreg) for benches/quantile.rs: median regression, n = 1e5, p = 10.
#
# Data: the synthetic set of benches/quantile.rs (SplitMix64 + Box-Muller, seed 20241125;
# x_j ~ N(0,1), j = 1..9; y = 1 + sum_j (j/2) x_j + (1 + |x_1|/2) e), written by
#   QUANTILE_BENCH_CSV=/tmp/quantile_n100000_p10.csv cargo bench --bench quantile
# (header y,x1..x9; design = intercept + x1..x9).
#
# Timed (CSV loading and model.matrix excluded; wall clock, median of --reps runs):
#   * rq.fit(X, y, tau, method = "br")   Barrodale-Roberts simplex (exact vertex; slow for large n)
#   * rq.fit(X, y, tau, method = "fn")   Frisch-Newton interior point (not a vertex)
#   * rq.fit(X, y, tau, method = "pfn")  fn with Portnoy-Koenker preprocessing
#   * summary(rq(..., method = "fn"), se = "nid") and se = "iid", for the fit-with-SEs benches
# Each prints its check loss sum(rho_tau(resid)), to compare with the Rust bench's stderr line.
#
# Usage: Rscript benches/compare/quantile_peers.R [csv] [tau] [reps]   (CI never runs this.)
#
# Measured (development machine, 2 cores, R 4.2.2 + quantreg 5.94, reference BLAS, tau = 0.5):
#   rq.fit fn 170 ms (median of 10), pfn 87 ms, br 9260 ms (median of 2);
#   rq(fn) + summary se = "iid" 412 ms, se = "nid" 839 ms; every check loss 55932.1281963793.
#   benches/quantile.rs on the same data: solve 40 ms, fit + iid 53 ms, fit + nid 121 ms;
#   SEs agree with the summaries above to ~4 digits (theirs come from the non-vertex fn fits).
suppressPackageStartupMessages(library(quantreg))
args <- commandArgs(trailingOnly = TRUE)
csv <- if (length(args) >= 1) args[1] else "/tmp/quantile_n100000_p10.csv"
tau <- if (length(args) >= 2) as.numeric(args[2]) else 0.5
reps <- if (length(args) >= 3) as.integer(args[3]) else 10L
if (!file.exists(csv)) stop("no ", csv, ": run QUANTILE_BENCH_CSV=", csv, " cargo bench --bench quantile first")

d <- read.csv(csv)
y <- d$y
X <- cbind(`(Intercept)` = 1, as.matrix(d[, -1]))
rho <- function(u) sum(u * (tau - (u < 0)))
cat(sprintf("R %s, quantreg %s, n = %d, p = %d, tau = %g\n",
            getRversion(), packageVersion("quantreg"), nrow(X), ncol(X), tau))

time_it <- function(label, f, reps) {
  times <- numeric(reps)
  out <- NULL
  for (i in seq_len(reps)) {
    t0 <- proc.time()[["elapsed"]]
    out <- f()
    times[i] <- proc.time()[["elapsed"]] - t0
  }
  cat(sprintf("%-28s median %8.1f ms  (min %8.1f, %d runs)", label, 1000 * median(times),
              1000 * min(times), reps))
  out
}

f <- time_it("rq.fit fn", function() rq.fit(X, y, tau = tau, method = "fn"), reps)
cat(sprintf("  check loss %.10f\n", rho(y - X %*% f$coefficients)))
f <- time_it("rq.fit pfn", function() rq.fit(X, y, tau = tau, method = "pfn"), reps)
cat(sprintf("  check loss %.10f\n", rho(y - X %*% f$coefficients)))
f <- time_it("rq.fit br", function() rq.fit(X, y, tau = tau, method = "br"), max(1L, reps %/% 5L))
cat(sprintf("  check loss %.10f\n", rho(y - X %*% f$coefficients)))
fit_fn <- rq(y ~ X - 1, tau = tau, method = "fn")
s <- time_it("rq fn + summary nid", function() summary(rq(y ~ X - 1, tau = tau, method = "fn"), se = "nid"),
             max(1L, reps %/% 2L))
cat(sprintf("  se %s\n", paste(sprintf("%.6g", s$coefficients[, 2]), collapse = " ")))
s <- time_it("rq fn + summary iid", function() summary(rq(y ~ X - 1, tau = tau, method = "fn"), se = "iid"),
             max(1L, reps %/% 2L))
cat(sprintf("  se %s\n", paste(sprintf("%.6g", s$coefficients[, 2]), collapse = " ")))
