#!/usr/bin/env bash
# test_cli_analyze.sh - `seedrate analyze` and `seedrate order calibrate` on trajectories written by
# short `seedrate md` runs of LJ fcc: a crystal (rho* = 1.0, T* = 0.8) and a liquid melted at
# T* = 4 and held at T* = 1 (rho* = 0.8442).
#  - analyze: every crystal frame is one cluster of all 256 atoms (ten Wolde bonds classifier);
#    melted liquid frames have a largest cluster < 10% of the atoms; per-frame netCDF has units and
#    long_name on every variable; the --labels copy is AMBER and its labels add up to n_solid.
#  - order calibrate: the [order] section it prints, fed back to analyze through --input, reproduces
#    the mislabeled fractions it reports (two tools, one classifier: the numbers must agree).
#  - bad input: a missing trajectory and a missing --cutoff give one-line errors and a non-zero exit.
set -u
EXE="${SEEDRATE_EXE:-}"
[ -n "$EXE" ] && [ -x "$EXE" ] || { echo "SKIP: SEEDRATE_EXE not set or not executable"; exit 77; }
PY=/usr/bin/python3
"$PY" -c "import netCDF4, numpy" 2>/dev/null || { echo "SKIP: /usr/bin/python3 lacks netCDF4/numpy"; exit 77; }
W="$(mktemp -d "${TMPDIR:-/tmp}/seedrate-cli-analyze.XXXXXX")"
trap 'rm -rf "$W"' EXIT
cd "$W"
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

mkinput() { # NAME DENSITY T_START T_BATH STEPS
    cat > "$1.ini" <<INI
[run]
units = lj
steps = $5
seed = 7
[structure]
lattice = fcc
density = $2
cells = 4 4 4
temperature = $3
[potential]
style = lj
cutoff = 2.5
[ensemble]
ensemble = nvt
temperature = $4
tau_t = 0.1
[output]
prefix = $1/traj
thermo_every = 50
trajectory_every = 50
INI
}
mkinput xtal 1.0 1.6 0.8 400
mkinput liq 0.8442 4.0 1.0 400
for r in xtal liq; do
    "$EXE" md $r.ini > $r.log 2>&1 || { bad "seedrate md $r.ini failed: $(tail -3 $r.log)"; exit 1; }
done

"$EXE" analyze xtal/traj.nc --cutoff 1.5 -o xtal-an.nc --labels xtal-lab.nc > xtal-an.log 2>&1 ||
    bad "analyze xtal: $(tail -3 xtal-an.log)"
"$EXE" analyze liq/traj.nc --cutoff 1.5 --first 5 -o liq-an.nc > liq-an.log 2>&1 || bad "analyze liq: $(tail -3 liq-an.log)"

# calibrate on frames 5..8 of both (the liquid needs ~1 tau to melt) with a strict d_c = 0.8 so that
# both mislabeled fractions are non-zero, and feed its [order] back
"$EXE" order calibrate liq/traj.nc xtal/traj.nc --cutoff 1.5 --first 5 --dc-grid 0.8 > calib.log 2>&1 ||
    bad "order calibrate: $(tail -3 calib.log)"
sed -n '/^\[order\]/,$p' calib.log > calib.ini
grep -q '^min_bonds' calib.ini && ok "calibrate printed an [order] section" || bad "no [order] section in calibrate output"
"$EXE" analyze liq/traj.nc --input calib.ini --first 5 -o liq-cal.nc > liq-cal.log 2>&1 || bad "analyze --input (liq): $(tail -3 liq-cal.log)"
"$EXE" analyze xtal/traj.nc --input calib.ini --first 5 -o xtal-cal.nc > xtal-cal.log 2>&1 || bad "analyze --input (xtal): $(tail -3 xtal-cal.log)"

if "$PY" - <<'PYEOF'
import re, sys
import numpy as np
from netCDF4 import Dataset
errors = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond: errors.append(what)
N = 256
with Dataset("xtal-an.nc") as d:
    for v in d.variables.values():
        check(hasattr(v, "units") and hasattr(v, "long_name"), "analyze.nc: %s has units and long_name" % v.name)
    nf = len(d.dimensions["frame"])
    check(nf == 9, "crystal: 9 frames analysed (got %d)" % nf)
    check(np.all(d["n_max"][:] == N) and np.all(d["n_solid"][:] == N) and np.all(d["n_clusters"][:] == 1),
          "crystal: every frame one cluster of all %d atoms: n_max %s" % (N, d["n_max"][:]))
    n_solid = np.asarray(d["n_solid"][:])
with Dataset("xtal-lab.nc") as d:
    check(getattr(d, "Conventions", "") == "AMBER", "labels copy: Conventions AMBER")
    lab = np.asarray(d["label"][:])
    check(lab.shape == (9, N) and np.array_equal(lab.sum(axis=1), n_solid), "labels add up to n_solid per frame")
with Dataset("liq-an.nc") as d:
    nm = np.asarray(d["n_max"][:])
    check(len(nm) == 4 and np.all(nm < N // 10), "liquid (frames 5..8): largest cluster < %d: %s" % (N // 10, nm))
log = open("calib.log").read()
f_ls = float(re.search(r"liquid labelled solid:\s+([0-9.eE+-]+)", log).group(1))
f_xl = float(re.search(r"crystal labelled liquid:\s+([0-9.eE+-]+)", log).group(1))
check(f_ls > 0 and f_xl > 0, "calibrate: both mislabeled fractions > 0 (%g, %g), so the comparison means something" % (f_ls, f_xl))
with Dataset("liq-cal.nc") as d:
    a = np.asarray(d["n_solid"][:]).sum() / (N * len(d.dimensions["frame"]))
    check(abs(a - f_ls) < 1e-5, "liquid labelled solid: analyze %.5f = calibrate %.5f" % (a, f_ls))
with Dataset("xtal-cal.nc") as d:
    b = 1.0 - np.asarray(d["n_solid"][:]).sum() / (N * len(d.dimensions["frame"]))
    check(abs(b - f_xl) < 1e-5, "crystal labelled liquid: analyze %.5f = calibrate %.5f" % (b, f_xl))
sys.exit(1 if errors else 0)
PYEOF
then ok "netCDF checks"; else bad "netCDF checks (see above)"; fi

# bad input
one_error() { # NAME RC STDERR-FILE REGEX
    if [ "$2" -eq 0 ]; then bad "$1: exit status 0"; return; fi
    if ! grep -Eq -- "$4" "$3"; then bad "$1: no message matching /$4/: $(cat "$3")"; return; fi
    if [ "$(grep -c '^seedrate: error: ' "$3")" -ne 1 ]; then bad "$1: expected exactly one error line: $(cat "$3")"; return; fi
    ok "$1: $(grep '^seedrate: error: ' "$3")"
}
"$EXE" analyze nosuch.nc --cutoff 1.5 -o x.nc > /dev/null 2> e1.txt; one_error "analyze missing file" $? e1.txt "nosuch\.nc"
[ -e x.nc ] && bad "analyze of a missing file left x.nc"
"$EXE" order calibrate liq/traj.nc xtal/traj.nc > /dev/null 2> e2.txt; one_error "calibrate without --cutoff" $? e2.txt "cutoff"
exit $fail
