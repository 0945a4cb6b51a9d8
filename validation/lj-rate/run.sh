#!/bin/bash
# The default LJ rate job on 2 MPI ranks, then the report. Usage: SEEDRATE=/path/to/seedrate bash run.sh [WORKDIR]
set -e
exe=${SEEDRATE:-seedrate}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/lj-rate-validation}
mkdir -p "$work" && cd "$work"
cp "$src/data/lj-rate.ini" .
start=$(date +%s)
mpirun --oversubscribe -np 2 "$exe" cnt lj-rate.ini 2>&1 | tee cnt.log
"$exe" report out/lj-rate | tee -a cnt.log
echo "wall time $(( $(date +%s) - start )) s" | tee -a cnt.log
