#!/usr/bin/env bash
# validation/lammps-engine/run.sh [SEEDRATE_EXE] - LAMMPS as seedrate's force engine (potential style lammps):
#  1. cost per MD step, 2048-atom LJ liquid (fcc rho 0.8442 melted at T 1.44, then T 0.9), NVT and NpT, 2000 steps:
#     seedrate's own LJ, the same LJ through LAMMPS, and lmp itself (in.lj-nvt.lammps: LAMMPS's own NVE + Berendsen);
#     The same LJ through LAMMPS with integrate = lammps (LAMMPS's fixes run the segments between thermo lines: 200
#     steps, and 20 steps as a seeding analysis would), and lmp with fix npt (in.lj-npt.lammps);
#  2. EAM copper (data/cu-eam-md.ini, 864 atoms NpT 1000 K, 2000 steps) through LAMMPS, with both integrate modes, and
#     lmp itself (in.cu-eam-md.lammps: NVE + Berendsen; in.cu-eam-npt.lammps: fix npt);
#  3. the tiny LJ seeding campaign with seedrate's LJ and with LAMMPS's (lj-campaign-*.ini): N_max traces compared;
#     the same with integrate = lammps (lj-campaign-lammps-int.ini: other trajectories, CPU time compared).
# CPU time (user + sys) from /usr/bin/time; a run with 0 steps is subtracted for the per-step costs of seedrate.
# `run.sh campaign [SEEDRATE_EXE]`: part 3 only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
only_campaign=0
[ "${1:-}" = campaign ] && { only_campaign=1; shift; }
exe=${1:-${SEEDRATE_EXE:-../../build/seedrate}}
exe=$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")
mkdir -p out
cpu() { # name command... -> CPU seconds (a campaign too short to decide any seed exits 1: "no seed grew")
    local name=$1; shift
    /usr/bin/time -f "%U %S" -o "out/$name.time" "$@" > "out/$name.log" 2>&1 ||
        grep -q "no seed grew" "out/$name.log" || { echo "FAIL: $name" >&2; tail "out/$name.log" >&2; exit 1; }
    awk '!/status/ {printf "%.3f", $1 + $2}' "out/$name.time"
}

md_ini() { # style (lj | lammps | lammps-int) ensemble steps [thermo_every]
    local pot
    if [ "$1" = lj ]; then pot=$'style = lj\ncutoff = 2.5\nshift = yes'
    else pot=$'style = lammps\ncommands = pair_style lj/cut 2.5 | pair_coeff 1 1 1.0 1.0 | pair_modify shift yes'; fi
    [ "$1" = lammps-int ] && pot="$pot"$'\nintegrate = lammps'
    cat <<INI
[run]
units = lj
steps = $3
seed = 2024
[structure]
lattice = fcc
density = 0.8442
cells = 8 8 8
temperature = 1.44
[potential]
$pot
[ensemble]
ensemble = $2
temperature = 0.9
tau_t = 0.5
pressure = 1.0
[output]
prefix = out/md-$1-$2-$3-${4:-200}
thermo_every = ${4:-200}
trajectory_every = 0
restart = no
INI
}
if [ $only_campaign = 0 ]; then
echo "| run | CPU s (2000 steps) | CPU ms/step |"
echo "|---|---|---|"
for ens in nvt npt; do
    for run in lj:200 lammps:200 lammps-int:200 lammps-int:20; do
        sty=${run%%:*} every=${run##*:}
        [ "$every" = 20 ] && [ "$ens" = nvt ] && continue
        md_ini $sty $ens 2000 $every > out/md-$sty-$ens-$every.ini
        md_ini $sty $ens 0 $every > out/md-$sty-$ens-$every-0.ini
        t=$(cpu md-$sty-$ens-$every "$exe" md out/md-$sty-$ens-$every.ini)
        t0=$(cpu md-$sty-$ens-$every-0 "$exe" md out/md-$sty-$ens-$every-0.ini)
        what="style $sty"
        [ $sty = lammps ] && what="style lammps, integrate = seedrate"
        [ $sty = lammps-int ] && what="style lammps, integrate = lammps, segments of $every steps"
        echo "| seedrate md, LJ 2048, $ens, $what | $t | $(awk -v a="$t" -v b="$t0" 'BEGIN{printf "%.3f", (a-b)/2}') |"
    done
done
if command -v lmp > /dev/null; then
    t=$(cpu lmp-lj-nvt lmp -in in.lj-nvt.lammps -log none -screen none)
    echo "| lmp, LJ 2048, NVE + Berendsen | $t | $(awk -v a="$t" 'BEGIN{printf "%.3f", a/2}') |"
    t=$(cpu lmp-lj-npt lmp -in in.lj-npt.lammps -log none -screen none)
    echo "| lmp, LJ 2048, fix npt (\`in.lj-npt.lammps\`) | $t | $(awk -v a="$t" 'BEGIN{printf "%.3f", a/2}') |"
fi
sed -e 's|prefix = out/cu-eam-md|prefix = out/cu-eam-md|' ../../data/cu-eam-md.ini > out/cu-eam-md.ini
sed -e 's/^steps = 2000/steps = 0/' out/cu-eam-md.ini > out/cu-eam-md-0.ini
sed -i 's|prefix = out/cu-eam-md|prefix = out/cu-eam-md-0|' out/cu-eam-md-0.ini
t=$(cpu cu-eam-md "$exe" md out/cu-eam-md.ini)
t0=$(cpu cu-eam-md-0 "$exe" md out/cu-eam-md-0.ini)
echo "| seedrate md, EAM Cu 864, NpT, style lammps, integrate = seedrate | $t | $(awk -v a="$t" -v b="$t0" 'BEGIN{printf "%.3f", (a-b)/2}') |"
for f in cu-eam-md cu-eam-md-0; do
    sed -e 's/^commands = \(.*\)/commands = \1\nintegrate = lammps/' -e "s|prefix = out/$f\$|prefix = out/$f-int|" \
        out/$f.ini > out/$f-int.ini
done
t=$(cpu cu-eam-md-int "$exe" md out/cu-eam-md-int.ini)
t0=$(cpu cu-eam-md-0-int "$exe" md out/cu-eam-md-0-int.ini)
echo "| seedrate md, EAM Cu 864, NpT, style lammps, integrate = lammps | $t | $(awk -v a="$t" -v b="$t0" 'BEGIN{printf "%.3f", (a-b)/2}') |"
if command -v lmp > /dev/null; then
    t=$(cpu lmp-cu-eam lmp -in in.cu-eam-md.lammps -log none -screen none)
    echo "| lmp, EAM Cu 864, NVE + Berendsen T and P | $t | $(awk -v a="$t" 'BEGIN{printf "%.3f", a/2}') |"
    t=$(cpu lmp-cu-npt lmp -in in.cu-eam-npt.lammps -log none -screen none)
    echo "| lmp, EAM Cu 864, fix npt (\`in.cu-eam-npt.lammps\`) | $t | $(awk -v a="$t" 'BEGIN{printf "%.3f", a/2}') |"
fi
grep -h "conserved-quantity drift" out/cu-eam-md.log | sed 's/^ */EAM Cu NpT, integrate = seedrate: /'
grep -h "conserved-quantity drift" out/cu-eam-md-int.log | sed 's/^ */EAM Cu NpT, integrate = lammps: /'
fi

rm -rf out/campaign-own out/campaign-lammps out/campaign-lammps-int
to=$(cpu campaign-own "$exe" campaign lj-campaign-own.ini)
tl=$(cpu campaign-lammps "$exe" campaign lj-campaign-lammps.ini)
ti=$(cpu campaign-lammps-int "$exe" campaign lj-campaign-lammps-int.ini)
echo "campaign CPU s: own LJ $to, LAMMPS LJ $tl, LAMMPS LJ with integrate = lammps $ti"
grep -h "lammps: " out/campaign-lammps.log | sed 's/.*; \([0-9]* force calls.*\)/LAMMPS engine in the campaign: \1/'
/usr/bin/python3 - <<'PY'
import netCDF4 as nc, numpy as np
a = np.array(nc.Dataset("out/campaign-own/camp.nc")["n_max"][:], float)
b = np.array(nc.Dataset("out/campaign-lammps/camp.nc")["n_max"][:], float)
print("N_max traces, seedrate LJ:\n", a.astype(int))
print("N_max traces, LAMMPS LJ:\n", b.astype(int))
print("max |difference| =", np.abs(a - b).max(), "->", "identical" if np.array_equal(a, b) else "DIFFERENT")
c = np.array(nc.Dataset("out/campaign-lammps-int/camp.nc")["n_max"][:], float)
print("N_max traces, LAMMPS LJ, integrate = lammps (its own trajectories):\n", c.astype(int))
PY
grep -h "point 0: liquid" out/campaign-own.log out/campaign-lammps-int.log
