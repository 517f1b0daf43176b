# Writes data/birthwt.csv: MASS::birthwt (Hosmer & Lemeshow, 189 births) with `race` as
# strings and a few values set missing (NA), so the table + formula path sees strings and
# missing values. Run from the repository root: Rscript data/birthwt.R
library(MASS)
d <- birthwt
d$race <- c("white", "black", "other")[d$race]
d$smoke <- ifelse(d$smoke == 1, "yes", "no")
# Missing values at fixed rows (1-based): weight at 5, 17 and 40, race at 60, age at 101.
d$lwt[c(5, 17, 40)] <- NA
d$race[60] <- NA
d$age[101] <- NA
write.csv(d, "data/birthwt.csv", row.names = FALSE, na = "NA", quote = TRUE)
