#!/usr/bin/env bash
# NN potential trained on mW water (validation/nn-mW/mW-nn.nc) vs mW itself (data/mW.sw, Stillinger-Weber):
# microseconds per atom-step of NVT MD of 4096 molecules at 240 K (Bussi, dt 10 fs, skin 1 A, list checked
# every step), NN on 1 and 2 OpenMP threads, mW on 1 thread, one run each, from the same liquid.
# The liquid is made by seedrate itself with mW (diamond 8 8 8 at 1.00 g/cm^3, 10 ps at 1500 K, 20 ps at
# 240 K, written as extxyz). The figure is seedrate's own "us/atom-step" (MD loop only, no set-up).
# usage: bench/nn-mW.sh [BUILD_DIR] [MODEL] [NN_STEPS]     (about 2-3 minutes on one free core)
#
# Result 2026-11-25 20:08 UTC, Release build, 2-core machine at load average 4 (other jobs running, so wall
# times are ~2x what an idle core gives; "cpu" = process user+sys time per atom-step, set-up included):
#   mW Stillinger-Weber, 1 thread, 1000 steps    wall  2.43 us  cpu  1.21 us   PE(step 100) -0.4506 eV/molecule
#   NN (mW-nn.nc), 1 thread,  300 steps          wall 22.6  us  cpu 11.1  us   PE(step 100) -0.4497 eV/molecule
#   NN (mW-nn.nc), 2 threads, 300 steps          wall 14.4  us  cpu 13.8  us   (speed-up 1.57 with no free core)
#   NN/mW = 9.3 (wall) / 9.2 (cpu). Details and the optimisation: validation/nn-mW/README.md, section 4.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build-nn}
model=$(readlink -f "${2:-$here/../validation/nn-mW/mW-nn.nc}")
nsteps=${3:-300}
exe=$(readlink -f "$build/seedrate")
[ -x "$exe" ] || { echo "no seedrate in $build"; exit 77; }
[ -f "$model" ] || { echo "no model $model"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$here/../data/mW.sw" mW.sw
cp "$model" model.nc
ini() { # NAME STRUCTURE-LINES POTENTIAL-LINES T STEPS EXTXYZ
    printf '[run]\nunits = metal\nsteps = %s\nseed = 4096\n\n[structure]\n%b\nmass = 18.015\nelement = mW\n' "$5" "$2"
    printf 'temperature = %s\n\n[potential]\n%b\n\n' "$4" "$3"
    printf '[ensemble]\nensemble = nvt\ntemperature = %s\ntau_t = 0.5\ndt = 0.010\nskin = 1.0\n\n' "$4"
    printf '[output]\nprefix = %s\nthermo_every = 100\nextxyz_every = %s\nrestart = no\n' "$1" "$6"
}
ncores=$(nproc --all)
export OMP_NUM_THREADS=1
sw='style = sw\nfile = mW.sw'
nn='style = nn\nmodel = model.nc'
ini hot 'lattice = diamond\ndensity = 0.0334284\ncells = 8 8 8' "$sw" 1500 1000 1000 > hot.ini
"$exe" md hot.ini > hot.log
ini liq 'file = hot.extxyz' "$sw" 240 2000 2000 > liq.ini
"$exe" md liq.ini > liq.log
rate() { awk '/us\/atom-step/ {for (i = 1; i <= NF; i++) if ($i == "us/atom-step") print $(i-1)}' "$1"; }
pe() { awk -v n="$2" '$1 == n {printf "%.4f", $5 / 4096}' "$1"; }
ini sw1 'file = liq.extxyz' "$sw" 240 1000 0 > sw1.ini
OMP_NUM_THREADS=1 /usr/bin/time -f "%U %S" -o sw1.cpu "$exe" md sw1.ini > sw1.log
ini nn1 'file = liq.extxyz' "$nn" 240 "$nsteps" 0 > nn1.ini
OMP_NUM_THREADS=1 /usr/bin/time -f "%U %S" -o nn1.cpu "$exe" md nn1.ini > nn1.log
ini nn2 'file = liq.extxyz' "$nn" 240 "$nsteps" 0 > nn2.ini
OMP_NUM_THREADS=2 /usr/bin/time -f "%U %S" -o nn2.cpu "$exe" md nn2.ini > nn2.log
s1=$(rate sw1.log); n1=$(rate nn1.log); n2=$(rate nn2.log)
# process CPU seconds (user + sys, set-up included) per atom-step: less sensitive than wall time to
# other jobs on a shared machine, but blind to a thread speed-up
cpu() { awk -v n="$2" '{printf "%.3g", 1e6 * ($1 + $2) / (4096 * n)}' "$1"; }
echo "4096 mW-water molecules, NVT 240 K, dt 10 fs, skin 1 A; us per atom-step: wall of the MD loop (seedrate's figure) and process CPU time ($ncores cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  mW Stillinger-Weber, 1 thread, 1000 steps    wall %8s  cpu %8s   PE(step 100) %s eV/molecule\n' "$s1" "$(cpu sw1.cpu 1000)" "$(pe sw1.log 100)"
printf '  NN (mW-nn.nc), 1 thread, %4s steps          wall %8s  cpu %8s   PE(step 100) %s eV/molecule\n' "$nsteps" "$n1" "$(cpu nn1.cpu $nsteps)" "$(pe nn1.log 100)"
printf '  NN (mW-nn.nc), 2 threads, %4s steps         wall %8s  cpu %8s   PE(step 100) %s eV/molecule\n' "$nsteps" "$n2" "$(cpu nn2.cpu $nsteps)" "$(pe nn2.log 100)"
awk -v a="$n1" -v b="$n2" -v c="$s1" 'BEGIN {printf "  wall: NN/mW (1 thread) = %.2f, NN speed-up on 2 threads = %.2f\n", a / c, a / b}'
