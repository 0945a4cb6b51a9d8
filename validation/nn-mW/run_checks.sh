#!/usr/bin/env bash
# NN vs mW bulk checks (240 K, 1 bar, NPT, 360 molecules; needs make_data.sh's data-runs/) and the NN NVE
# run data/mw-nn-nve.ini; logs and thermo tables go to logs/. Run from anywhere (about 12 core-minutes).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=$(readlink -f "${1:-$here/../../build-nn/seedrate}")
export OMP_NUM_THREADS=1
cd "$here"
mkdir -p logs out
for r in check-ice-nn check-liq-nn check-ice-mW check-liq-mW; do
    "$exe" md $r.ini > logs/$r.log
    cp out/$r.thermo logs/
done
(cd ../.. && "$exe" md data/mw-nn-nve.ini > validation/nn-mW/logs/mw-nn-nve.log && cp out/mw-nn-nve.thermo validation/nn-mW/logs/)
