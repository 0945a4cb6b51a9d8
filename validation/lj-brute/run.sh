#!/bin/bash
# Brute-force LJ nucleation rate on ONE MPI rank (about 7 minutes of one core).
# Usage: SEEDRATE=/path/to/seedrate bash run.sh [WORKDIR]
set -e
exe=${SEEDRATE:-seedrate}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/lj-brute-validation}
mkdir -p "$work" && cd "$work"
cp "$src/data/lj-brute.ini" .
start=$(date +%s)
nice mpirun --oversubscribe -np 1 "$exe" brute lj-brute.ini 2>&1 | tee brute.log
echo "wall time $(( $(date +%s) - start )) s" | tee -a brute.log
