#!/bin/sh
# Regenerate every reference in this directory, then the Python second route (writes *.check and check.out).
set -e
cd "$(dirname "$0")"
Rscript engel.R
Rscript stackloss.R
python3 -W ignore check.py | tee check.out
