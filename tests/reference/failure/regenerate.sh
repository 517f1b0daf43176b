#!/bin/sh
# Regenerate every reference in this directory, then the Python second route (writes *.check and check.out).
set -e
cd "$(dirname "$0")"
Rscript firth.R
Rscript mixture.R > /dev/null
Rscript separation.R
Rscript near_collinear.R
python3 -W ignore check.py | tee check.out
