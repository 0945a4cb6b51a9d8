#!/usr/bin/env bash
# Virials as training data (issue 18, the energy target): the 410 labels of learn-360.ini (out-360/learn.data-6.extxyz)
# and the 266 held-out frames of validation/nn-mW relabelled by the same teacher (mW) with their virials
# (seedrate learn --label: energy and forces as before, to 1e-13, plus W = sum r_a f_b), then refitted as
# train-360.ini with a virial term p_v = p_e (train-360V.ini), and tested on the held-out frames.
# The relabelled files (30 MB) are not committed: this script makes them again in about a second.
# Usage (any directory): bash validation/nn-committee/run-virial.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=$(readlink -f "${1:-$here/../../build}/seedrate")
cd "$here"
mkdir -p out-360V
"$exe" learn --label learn-360.ini out-360/learn.data-6.extxyz out-360V/learn.data-6-virial.extxyz
"$exe" learn --label learn-360.ini ../nn-mW/data/val.extxyz out-360V/val-virial.extxyz
{ time "$exe" train train-360V.ini > train-360V.log 2>&1; } 2> train-360V.time
for m in out-360V/learn-refit-virial.nc out-360/learn-refit.nc ../nn-mW/mW-nn.nc; do
    "$exe" train --test "$m" out-360V/val-virial.extxyz
done
