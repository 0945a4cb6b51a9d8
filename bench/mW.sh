#!/usr/bin/env bash
# mW water, 4096 molecules, 1000 NVT steps of 10 fs at 240 K, 1 core: seedrate vs LAMMPS (lmp, pair_style sw)
# on the same liquid in one run. LAMMPS prepares the liquid (in.mW.prep: 20 ps at 400 K + 20 ps at 240 K,
# written to out/mW.data), then in.mW and `seedrate md mW.ini` start from that file.
# Prints atom-steps/s of each (MD loop only: LAMMPS "Loop time", seedrate "MD" time) and the ratio.
# usage: bench/mW.sh [BUILD_DIR] [SEEDRATE_EXE]   (needs lmp: Debian package lammps)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
exe=${2:-$build/seedrate}
shared=$here/../../shared/bench-lammps
prep=$shared/in.mW.prep; run=$shared/in.mW
[ -f "$prep" ] || prep=$here/in.mW.prep.lammps
[ -f "$run" ] || run=$here/in.mW.lammps
command -v lmp >/dev/null || { echo "lmp not found (apt-get install lammps)"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p out
cp "$here/../data/mW.sw" mW.sw
cp "$here/mW.ini" mW.ini
export OMP_NUM_THREADS=1
lmp -in "$prep" -log prep.log -screen none >/dev/null
lmp -in "$run" -log lmp.log -screen none >/dev/null
lmp_loop=$(awk '/^Loop time/ {print $4}' lmp.log)
lmp_rate=$(awk -v t="$lmp_loop" 'BEGIN {print 4096*1000/t}')
lmp_pe=$(awk '/^ *Step/ {h=1; next} h && /^Loop/ {h=0} h {pe=$5} END {print pe}' lmp.log)
"$exe" md mW.ini > sr.log
sr_rate=$(awk '/atom-steps\/s/ {for(i=1;i<=NF;i++) if($i ~ /atom-steps/) {gsub(",","",$(i-1)); print $(i-1)}}' sr.log)
sr_pe=$(awk '$1 == 1000 {print $5/4096}' sr.log)
awk -v a="$sr_rate" -v b="$lmp_rate" -v pa="$sr_pe" -v pb="$lmp_pe" 'BEGIN {
  printf "mW water 4096 molecules, NVT 240 K, dt 10 fs, 1000 steps, 1 core (atom-steps/s, MD loop)\n";
  printf "  LAMMPS pair_style sw (neighbor 2.0, check every step)   %.4g   PE at step 1000 %.4f eV/molecule\n", b, pb;
  printf "  seedrate sw (same neighbor settings)                    %.4g   PE at step 1000 %.4f eV/molecule\n", a, pa;
  printf "  ratio seedrate/LAMMPS = %.3f\n", a/b }'
