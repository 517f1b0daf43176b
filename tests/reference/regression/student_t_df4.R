# Student-t (df fixed at 4) linear regression by ML on stackloss: stack.loss ~ Air.Flow + Water.Temp + Acid.Conc.
# Run: Rscript student_t_df4.R   (writes student_t_data.csv, student_t_df4.ref). Model code: student_t_common.R
# Route 1: multi-start optim BFGS (analytic gradient, reltol 1e-15) + Newton polish, analytic Hessian.
# Route 2: maxLik NR with analytic gradient; Hessian by maxLik and by numDeriv::jacobian(analytic gradient).
source("student_t_common.R")
run_t(4, "student_t_df4")
