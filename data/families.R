# Writes the R data sets the family examples read (examples/count_regression.rs,
# survival_regression.rs, ordinal_regression.rs): MASS::quine (school absences),
# MASS::housing (satisfaction Low / Medium / High as strings, with frequencies),
# survival::lung (the columns used; NA kept) and pscl::bioChemists (article counts).
# Run from the repository root: Rscript data/families.R
suppressPackageStartupMessages({ library(MASS); library(survival); library(pscl) })
write.csv(MASS::quine, "data/quine.csv", row.names = FALSE, quote = TRUE)
h <- MASS::housing
for (v in c("Sat", "Infl", "Type", "Cont")) h[[v]] <- as.character(h[[v]])
write.csv(h, "data/housing.csv", row.names = FALSE, quote = TRUE)
write.csv(survival::lung[, c("time", "status", "age", "sex", "ph.ecog")], "data/lung.csv",
          row.names = FALSE, na = "NA", quote = TRUE)
write.csv(pscl::bioChemists, "data/biochemists.csv", row.names = FALSE, quote = TRUE)
