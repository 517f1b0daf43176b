# Shared helpers for the reference scripts in this directory (sourced by every NAME.R).
# write_csv17: numeric data frame/matrix -> CSV, header row unquoted, values sprintf('%.17g').
# write_ref:   named numeric vector -> 'key,value' lines (value sprintf('%.17g')), '#' comment lines first.
# clean_names: make model.matrix column names safe for keys 'coef:TERM' / 'vcov:T1:T2'
#              ('(Intercept)' is kept; '<' -> 'lt', '>' -> 'gt', ':' -> '_x_', other odd chars -> '_').
clean_names <- function(nm) {
  out <- gsub("<", "lt", nm, fixed = TRUE)
  out <- gsub(">", "gt", out, fixed = TRUE)
  out <- gsub(":", "_x_", out, fixed = TRUE)
  out <- gsub("[^A-Za-z0-9._()-]", "_", out)
  out[nm == "(Intercept)"] <- "(Intercept)"
  stopifnot(!anyDuplicated(out))
  out
}
write_csv17 <- function(df, file) {
  m <- as.matrix(df); storage.mode(m) <- "double"
  stopifnot(!any(grepl(",", colnames(m))), all(is.finite(m)))
  body <- apply(m, 1, function(r) paste(sprintf("%.17g", r), collapse = ","))
  writeLines(c(paste(colnames(m), collapse = ","), body), file)
}
write_ref <- function(file, comments, kv) {
  stopifnot(!is.null(names(kv)), all(is.finite(kv)), !anyDuplicated(names(kv)))
  writeLines(c(paste("#", comments), sprintf("%s,%s", names(kv), sprintf("%.17g", kv))), file)
}
# helpers to build key/value vectors
kv_vec <- function(prefix, v, nm = names(v)) setNames(as.numeric(v), paste0(prefix, ":", nm))
kv_mat <- function(prefix, M, nm = colnames(M)) {
  out <- c(); for (i in seq_along(nm)) for (j in i:length(nm))
    out[paste0(prefix, ":", nm[i], ":", nm[j])] <- M[i, j]
  out
}
relmax <- function(a, b) max(abs(as.numeric(a) - as.numeric(b)) / pmax(abs(as.numeric(b)), 1e-300))
# normwise vcov disagreement: max |A_ij - B_ij| / sqrt(B_ii B_jj)  (correlation scale; avoids blow-up on near-zero entries)
relvcov <- function(A, B) { s <- sqrt(diag(B)); max(abs(A - B) / outer(s, s)) }
