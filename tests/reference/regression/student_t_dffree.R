# Student-t linear regression by ML with df estimated (working parameter log_df) on stackloss:
# stack.loss ~ Air.Flow + Water.Temp + Acid.Conc.  (estimate: df ~ 1.08, finite; heavy tails from the known outliers)
# Run: Rscript student_t_dffree.R   (writes student_t_data.csv, student_t_dffree.ref). Model code: student_t_common.R
# Route 1: multi-start optim BFGS (analytic gradient, reltol 1e-15) + Newton polish, analytic Hessian.
# Route 2: maxLik NR with analytic gradient; Hessian by maxLik and by numDeriv::jacobian(analytic gradient).
source("student_t_common.R")
run_t(NULL, "student_t_dffree")
