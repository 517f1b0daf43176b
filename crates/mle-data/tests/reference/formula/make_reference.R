# Reference design matrices for mle-data's formula tests, from R's own model.matrix().
#
# Run from this folder:  Rscript make_reference.R
# Writes the data sets (*.csv) and, per formula, cases/<name>.json with R's column names,
# the matrix (by column, 17 significant digits), `assign`, the rows kept by na.omit
# (nrow(model.frame(...)) and their 0-based indices), the response and the offset.
# The Rust tests read these files; they never call R.
#
# Strings become factors with levels sorted in the C locale (byte order), which is what
# mle-data does; the data are read back from the CSV files so that R and Rust see the same
# text.

Sys.setlocale("LC_COLLATE", "C")
suppressPackageStartupMessages(library(jsonlite))
options(warn = 1)

## ---- data sets ------------------------------------------------------------------------
m <- mtcars
mt <- data.frame(
  mpg = m$mpg, cyl = as.integer(m$cyl), disp = m$disp, hp = m$hp, drat = m$drat,
  wt = m$wt, qsec = m$qsec, vs = as.integer(m$vs), am = m$am == 1,
  gear = as.integer(m$gear), carb = as.integer(m$carb),
  gear_s = c("three", "four", "five")[m$gear - 2],
  stringsAsFactors = FALSE
)
write.csv(mt, "mtcars.csv", row.names = FALSE)

wb <- data.frame(breaks = warpbreaks$breaks,
                 wool = as.character(warpbreaks$wool),
                 tension = as.character(warpbreaks$tension),
                 stringsAsFactors = FALSE)
write.csv(wb, "warpbreaks.csv", row.names = FALSE)

# A small made-up table with NA (numeric, logical, string) and empty strings; `g` has an
# upper-case level to pin down the C-locale order ("Z" < "a").
mu <- data.frame(
  y = c(1.5, 2.25, NA, 4.0, 5.5, 3.0, 2.0, NA, 6.5, 7.0, 1.0, 2.5),
  x = c(0.5, 1.5, 2.5, NA, 4.5, -1.0, 2.0, 3.0, 1.0, 2.5, 3.5, 0.25),
  g = c("a", "b", "Z", "a", "", "b", "Z", "a", NA, "b", "a", "Z"),
  `my var` = c(10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120),
  flag = c(TRUE, FALSE, TRUE, NA, FALSE, TRUE, TRUE, FALSE, TRUE, FALSE, TRUE, FALSE),
  n = c(10L, 12L, 8L, 9L, 11L, 10L, 7L, 10L, 12L, 9L, 10L, 8L),
  s = c(3L, 5L, 2L, 4L, NA, 6L, 1L, 5L, 7L, 2L, 4L, 3L),
  dose = c(0.5, 1, 2, 0.5, 1, 2, 0.5, 1, 2, 0.5, 1, 2),
  check.names = FALSE, stringsAsFactors = FALSE
)
write.csv(mu, "made_up.csv", row.names = FALSE)

read_back <- function(f) read.csv(f, na.strings = c("NA", ""), stringsAsFactors = FALSE,
                                  check.names = FALSE)
data <- list(mtcars = read_back("mtcars.csv"), warpbreaks = read_back("warpbreaks.csv"),
             made_up = read_back("made_up.csv"))

## ---- JSON with exact doubles ----------------------------------------------------------
num <- function(x) {
  x <- as.numeric(x)
  s <- ifelse(is.na(x), "null", sprintf("%.17g", x))
  structure(paste0("[", paste(s, collapse = ","), "]"), class = "json")
}

## ---- cases ----------------------------------------------------------------------------
cases <- list(
  list("numeric", "mtcars", mpg ~ wt + hp),
  list("factor_numeric", "mtcars", mpg ~ factor(cyl) + wt),
  list("factor_times", "mtcars", mpg ~ factor(cyl) * wt),
  list("transforms", "mtcars", mpg ~ log(hp) + I(wt^2) + I(disp/100) + I(0.5 * wt) + exp(drat) + sqrt(disp)),
  list("power2", "mtcars", mpg ~ (wt + hp + qsec)^2),
  list("power3_factor", "mtcars", mpg ~ (factor(cyl) + am + wt)^3),
  list("colon_no_main", "mtcars", mpg ~ wt:factor(cyl)),
  list("no_intercept", "mtcars", mpg ~ factor(cyl) - 1),
  list("plus_zero_two_factors", "mtcars", mpg ~ 0 + factor(cyl) + factor(gear)),
  list("minus_one_leading", "mtcars", mpg ~ -1 + wt + hp),
  list("x_xf_no_intercept", "mtcars", mpg ~ wt + wt:factor(cyl) - 1),
  list("offset", "mtcars", mpg ~ wt + offset(log(hp))),
  list("dot", "mtcars", mpg ~ .),
  list("dot_minus", "mtcars", log(mpg) ~ . - disp - gear_s),
  list("logical", "mtcars", mpg ~ am * wt),
  list("string_factor", "mtcars", mpg ~ gear_s * wt),
  list("nested", "mtcars", mpg ~ factor(cyl)/wt),
  list("factor_int_levels", "mtcars", mpg ~ factor(gear) + factor(carb)),
  list("factor_double_levels", "made_up", y ~ factor(dose) * x),
  list("cbind", "mtcars", cbind(vs, 1 - vs) ~ wt + hp),
  list("warp_times", "warpbreaks", breaks ~ wool * tension),
  list("warp_colon", "warpbreaks", breaks ~ wool:tension),
  list("warp_colon_no_intercept", "warpbreaks", breaks ~ tension:wool - 1),
  list("warp_sum_no_intercept", "warpbreaks", breaks ~ wool + tension - 1),
  list("warp_reverse", "warpbreaks", breaks ~ tension:wool + wool),
  list("na_numeric_string", "made_up", y ~ x + g),
  list("na_backtick", "made_up", y ~ `my var` + g:x),
  list("na_log_nan", "made_up", y ~ log(x) + flag),
  list("na_cbind", "made_up", cbind(s, n - s) ~ x + g),
  list("na_dot", "made_up", y ~ .),
  list("na_backtick_times", "made_up", y ~ `my var` * g),
  list("na_explicit_factor", "made_up", y ~ factor(g) + flag:x - 1),
  list("transforms_more", "mtcars", log10(mpg) ~ log2(hp) + log1p(wt) + abs(qsec - 18) + I(1e5 * wt) + I(-wt))
)

dir.create("cases", showWarnings = FALSE)
for (cs in cases) {
  name <- cs[[1]]; d <- data[[cs[[2]]]]; f <- cs[[3]]
  mf <- model.frame(f, d)   # na.omit
  mm <- model.matrix(attr(mf, "terms"), mf)
  y <- model.response(mf)
  off <- model.offset(mf)
  out <- list(
    name = name,
    data = paste0(cs[[2]], ".csv"),
    formula = paste(deparse(f, width.cutoff = 500L), collapse = ""),
    colnames = I(colnames(mm)),
    assign = I(attr(mm, "assign")),
    term_labels = I(attr(terms(f, data = d), "term.labels")),
    nrow = nrow(mf),
    kept = I(as.integer(rownames(mf)) - 1L),
    matrix = lapply(seq_len(ncol(mm)), function(j) num(mm[, j])),
    response = if (is.matrix(y)) lapply(seq_len(ncol(y)), function(j) num(y[, j])) else list(num(y)),
    offset = if (is.null(off)) NULL else num(off)
  )
  writeLines(toJSON(out, auto_unbox = TRUE, json_verbatim = TRUE, null = "null", pretty = TRUE),
             file.path("cases", paste0(name, ".json")))
}
cat("wrote", length(cases), "cases\n")
