#!/usr/bin/env bash
# Cost of a committee per atom-step vs one network: validation/nn-mW/mW-nn.nc merged K times into one file
# (identical members cost what different ones do), 1000 mW molecules, one thread, seedrate train --bench.
# usage: validation/nn-committee/bench.sh [SEEDRATE] > validation/nn-committee/bench.txt
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=${1:-$here/../../build/seedrate}
m=$here/../nn-mW/mW-nn.nc
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
cd "$w"
printf '[run]\nunits = metal\nsteps = 20\nseed = 3\n\n[structure]\nlattice = diamond\ndensity = 0.0334284\ncells = 5 5 5\nmass = 18.015\nelement = mW\ntemperature = 500\n\n[potential]\nstyle = sw\nfile = %s\n\n[ensemble]\nensemble = nvt\ntemperature = 250\ndt = 0.010\n\n[output]\nprefix = f\nthermo_every = 20\nextxyz_every = 20\nrestart = no\n' "$here/../../data/mW.sw" > f.ini
"$exe" md f.ini > /dev/null
"$exe" train --committee c2.nc "$m" "$m" > /dev/null
"$exe" train --committee c4.nc "$m" "$m" "$m" "$m" > /dev/null
"$exe" train --committee c8.nc "$m" "$m" "$m" "$m" "$m" "$m" "$m" "$m" > /dev/null
cp "$m" mW-nn.nc
echo "# seedrate train --bench, 1000 mW molecules (validation/nn-mW/mW-nn.nc, 20 features, 20-24-24-1 tanh), OMP_NUM_THREADS=1, 20 evaluations, $(date -u +%Y-%m-%d), load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores"
for r in 1 2 3; do
    for f in mW-nn.nc c2.nc c4.nc c8.nc; do
        echo -n "$f: "
        OMP_NUM_THREADS=1 "$exe" train --bench $f f.extxyz 20 | tail -1 | sed 's/ (energy.*//'
    done
done
