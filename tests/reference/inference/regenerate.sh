#!/bin/sh
# Regenerate every reference in this directory, then the Python second route (writes *.check and check.out).
set -e
cd "$(dirname "$0")"
for s in logistic poisson expo binom tdist; do Rscript "$s.R"; done
python3 -W ignore check.py | tee check.out
