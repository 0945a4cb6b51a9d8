#!/usr/bin/env bash
# LJ 32k atoms, 1000 NVE steps, 1 core: seedrate vs LAMMPS (lmp) on the same system in one run.
# Prints atom-steps/s of each (MD loop only: LAMMPS "Loop time", seedrate "MD" time) and the ratio.
# usage: bench/lj-32k.sh [BUILD_DIR]   (needs lmp: Debian package lammps)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
exe=$build/seedrate
lmpin=$here/../../shared/bench-lammps/in.lj-32k
[ -f "$lmpin" ] || lmpin=$here/in.lj-32k.lammps
command -v lmp >/dev/null || { echo "lmp not found (apt-get install lammps)"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
export OMP_NUM_THREADS=1
rate_sr() { "$exe" md "$1" | awk '/atom-steps\/s/ {for(i=1;i<=NF;i++) if($i ~ /atom-steps/) {gsub(",","",$(i-1)); print $(i-1)}}'; }
lmp -in "$lmpin" -log lmp.log -screen none >/dev/null
lmp_loop=$(awk '/^Loop time/ {print $4}' lmp.log)
lmp_rate=$(awk -v t="$lmp_loop" 'BEGIN {print 32000*1000/t}')
sr_rate=$(rate_sr "$here/lj-32k.ini")
sed -e 's/^neigh_every = 20/neigh_every = 1/' -e 's/^neigh_check = no/neigh_check = yes/' "$here/lj-32k.ini" > safe.ini
sr_safe=$(rate_sr safe.ini)
awk -v a="$sr_rate" -v b="$lmp_rate" -v c="$sr_safe" 'BEGIN {
  printf "LJ 32k NVE, 1000 steps, 1 core (atom-steps/s, MD loop)\n";
  printf "  LAMMPS lj/cut (neigh every 20 check no)      %.4g\n", b;
  printf "  seedrate (same neighbor policy)              %.4g   ratio seedrate/LAMMPS = %.3f\n", a, a/b;
  printf "  seedrate (safe: check every step, skin/2)    %.4g   ratio seedrate/LAMMPS = %.3f\n", c, c/b }'
