#!/usr/bin/env bash
# test_cli_md.sh - `seedrate md` end to end.
#  Bad input (one problem per file): unknown key, missing section, negative temperature, atoms closer
#  than min_distance (LAMMPS data and extxyz), unreadable structure file, unknown section. Each must
#  exit non-zero with exactly one one-line "seedrate: error: ..." message that names file:line where
#  the problem has a line, and leave no output file (no PREFIX.nc, .thermo(.nc), .ckpt).
#  Good run: a short LJ run (data/lj-md.ini with steps, size and intervals overridden) writes an AMBER
#  file (Conventions AMBER 1.0, steps/trajectory_every + 1 frames, time = step * dt) read by netCDF4;
#  a restart from the checkpoint continues the step count and reproduces the uninterrupted run.
# Needs SEEDRATE_EXE; /usr/bin/python3 with netCDF4 for the file checks (skipped, exit 77, without).
set -u
EXE="${SEEDRATE_EXE:-}"
SRC="${SEEDRATE_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
[ -n "$EXE" ] && [ -x "$EXE" ] || { echo "SKIP: SEEDRATE_EXE not set or not executable"; exit 77; }
PY=/usr/bin/python3
"$PY" -c "import netCDF4, numpy" 2>/dev/null || { echo "SKIP: /usr/bin/python3 lacks netCDF4/numpy"; exit 77; }
W="$(mktemp -d "${TMPDIR:-/tmp}/seedrate-cli-md.XXXXXX")"
trap 'rm -rf "$W"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# --keys lists every potential style's keys (it listed only lj's once): one key of each
keys=$("$EXE" md --keys)
miss=""
for sk in "lj:epsilon" "sw:elements" "nn:model" "lammps:list_cutoff"; do
    printf '%s\n' "$keys" | sed -n "/^\[potential: style = ${sk%%:*}\]/,/^\[/p" | grep -q "^  ${sk#*:} " || miss="$miss $sk"
done
if [ -z "$miss" ]; then ok "md --keys lists the keys of lj, sw, nn and lammps"; else bad "md --keys misses:$miss"; fi

# A valid input except for what the caller changes: lines of (section, key = value) pairs.
base_ini() { # $1: prefix; rest: extra lines appended to the named sections via sed-friendly markers
    cat <<INI
[run]
units = lj
steps = 20
seed = 11
[structure]
lattice = fcc
density = 0.8442
cells = 3 3 3
@STRUCTURE@
[potential]
style = lj
cutoff = 2.5
[ensemble]
ensemble = nvt
temperature = 0.9
@ENSEMBLE@
[output]
prefix = $1/out
thermo_every = 10
trajectory_every = 10
INI
}

# expect_bad NAME FILE.ini REGEX : run in its own directory, check status, message and absent outputs.
expect_bad() {
    local name="$1" ini="$2" regex="$3" d="$W/$1"
    local err out rc n
    (cd "$d" && "$EXE" md "$ini" >stdout.txt 2>stderr.txt)
    rc=$?
    err="$(cat "$d/stderr.txt")"
    n=$(grep -c '' "$d/stderr.txt")
    if [ "$rc" -eq 0 ]; then bad "$name: exit status 0 for bad input"; return; fi
    if ! grep -Eq -- "$regex" "$d/stderr.txt"; then bad "$name: no message matching /$regex/; got: $err"; return; fi
    if grep -vq '^seedrate: error: ' "$d/stderr.txt"; then bad "$name: stderr has lines that are not one-line error messages: $err"; return; fi
    if [ "$n" -ne 1 ]; then bad "$name: one problem gave $n messages (expected exactly 1): $err"; return; fi
    out="$(find "$d" \( -name '*.nc' -o -name '*.thermo' -o -name '*.ckpt' -o -name '*.tmp' \) -print)"
    if [ -n "$out" ]; then bad "$name: output left behind: $out"; return; fi
    ok "$name: status $rc, message: $err"
}

mkcase() { # NAME : creates $W/NAME, prints its directory
    mkdir -p "$W/$1"
}

# 1. unknown key
mkcase unknown_key
base_ini o | sed -e 's/^seed = 11$/seed = 11\nstepz = 3/' -e '/@[A-Z]*@/d' > "$W/unknown_key/in.ini"
line=$(grep -n '^stepz' "$W/unknown_key/in.ini" | cut -d: -f1)
expect_bad unknown_key in.ini "in\.ini:$line: unknown key 'stepz' in \[run\]"

# 2. missing section [potential]
mkcase missing_section
base_ini o | sed -e '/^\[potential\]/,/^cutoff/d' -e '/@[A-Z]*@/d' > "$W/missing_section/in.ini"
expect_bad missing_section in.ini "in\.ini.*missing section \[potential\]"

# 3. negative temperature in [ensemble]
mkcase negative_temperature
base_ini o | sed -e 's/^temperature = 0.9$/temperature = -1.5/' -e '/@[A-Z]*@/d' > "$W/negative_temperature/in.ini"
line=$(grep -n '^temperature = -1.5$' "$W/negative_temperature/in.ini" | cut -d: -f1)
expect_bad negative_temperature in.ini "in\.ini:$line: .*temperature.*-1\.5.*range"

# 4a. two atoms 0.1 apart in a LAMMPS data file (default min_distance 0.5)
mkcase close_lammps
cat > "$W/close_lammps/pair.data" <<'DATA'
two atoms 0.1 apart

2 atoms
1 atom types

0 10 xlo xhi
0 10 ylo yhi
0 10 zlo zhi

Masses

1 1.0

Atoms # atomic

1 1 5.0 5.0 5.0
2 1 5.1 5.0 5.0
DATA
base_ini o | sed -e 's/^lattice = fcc$/file = pair.data/' -e '/^density\|^cells/d' -e '/@[A-Z]*@/d' > "$W/close_lammps/in.ini"
expect_bad close_lammps in.ini "in\.ini.*\[structure\].*atoms [12] and [12] are 0\.1 apart.*min_distance = 0\.5"

# 4b. the same pair in an extended XYZ file
mkcase close_xyz
printf '2\nLattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3\nAr 5 5 5\nAr 5 5.1 5\n' > "$W/close_xyz/pair.xyz"
base_ini o | sed -e 's/^lattice = fcc$/file = pair.xyz/' -e '/^density\|^cells/d' -e '/@[A-Z]*@/d' > "$W/close_xyz/in.ini"
expect_bad close_xyz in.ini "in\.ini.*\[structure\].*0\.1 apart.*min_distance"

# 5. unreadable structure file: absent, and a directory
mkcase missing_file
base_ini o | sed -e 's/^lattice = fcc$/file = nosuch.data/' -e '/^density\|^cells/d' -e '/@[A-Z]*@/d' > "$W/missing_file/in.ini"
expect_bad missing_file in.ini "nosuch\.data"
mkcase directory_file
mkdir -p "$W/directory_file/adir.xyz"
base_ini o | sed -e 's/^lattice = fcc$/file = adir.xyz/' -e '/^density\|^cells/d' -e '/@[A-Z]*@/d' > "$W/directory_file/in.ini"
expect_bad directory_file in.ini "adir\.xyz"

# 6. unknown section
mkcase unknown_section
{ base_ini o | sed -e '/@[A-Z]*@/d'; printf '[thermostat]\n'; } > "$W/unknown_section/in.ini"
line=$(grep -n '^\[thermostat\]' "$W/unknown_section/in.ini" | cut -d: -f1)
expect_bad unknown_section in.ini "in\.ini:$line: unknown section \[thermostat\]"

# ---- good run, restart, and the uninterrupted reference ----------------------------------------------
# data/lj-md.ini with 4x4x4 cells, 100 steps, a frame every 20 steps.
G="$W/good"
mkdir -p "$G"
sed -e 's/^steps = .*/steps = 100/' -e 's/^cells = .*/cells = 4 4 4/' -e 's#^prefix = .*#prefix = seg/lj#' \
    -e 's/^thermo_every = .*/thermo_every = 20/' -e 's/^trajectory_every = .*/trajectory_every = 20/' \
    "$SRC/data/lj-md.ini" > "$G/run.ini"
if ! (cd "$G" && "$EXE" md run.ini > first.log 2> first.err); then
    bad "good run failed: $(cat "$G/first.err")"
else
    [ -s "$G/first.err" ] && bad "good run wrote to stderr: $(cat "$G/first.err")"
    "$PY" -c "
from netCDF4 import Dataset
import sys
d = Dataset('$G/seg/lj.thermo.nc'); n = len(d.dimensions['record'])
sys.exit(0 if n == 6 else 1)" && ok "first segment: thermo.nc has 6 records (step 0 + every 20)" ||
        bad "first segment: thermo.nc does not have 6 records"
    # restart: [run] steps is the total; 100 more steps from the checkpoint at step 100
    sed -e 's/^steps = .*/steps = 160/' "$G/run.ini" > "$G/restart.ini"
    (cd "$G" && "$EXE" md restart.ini > restart.log 2> restart.err) || bad "restart failed: $(cat "$G/restart.err")"
    grep -q "resumed from seg/lj.ckpt at step 100" "$G/restart.log" && ok "restart says it resumed at step 100" ||
        bad "restart did not report 'resumed from seg/lj.ckpt at step 100'"
    # the same 160 steps in one go
    sed -e 's/^steps = .*/steps = 160/' -e 's#^prefix = .*#prefix = ref/lj#' "$G/run.ini" > "$G/ref.ini"
    (cd "$G" && "$EXE" md ref.ini > ref.log 2> ref.err) || bad "reference run failed: $(cat "$G/ref.err")"
    if (cd "$G" && "$PY" - <<'PYEOF'
import sys
import numpy as np
from netCDF4 import Dataset
errors = []
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond: errors.append(what)
dt = 0.005  # lj default timestep (tau)
with Dataset("seg/lj.nc") as d:
    check(getattr(d, "Conventions", "") == "AMBER", "seg/lj.nc: Conventions = AMBER")
    check(getattr(d, "ConventionVersion", "") == "1.0", "seg/lj.nc: ConventionVersion = 1.0")
    check(d.data_model == "NETCDF3_64BIT_OFFSET", "seg/lj.nc: 64-bit-offset classic format (%s)" % d.data_model)
    check(d.dimensions["frame"].isunlimited(), "frame is the unlimited dimension")
    nf = len(d.dimensions["frame"])
    check(nf == 100 // 20 + 1, "100 steps, a frame every 20 -> 6 frames (got %d)" % nf)
    check(d["coordinates"].shape == (nf, 256, 3), "coordinates (frame, atom=256, spatial)")
    t = d["time"][:]
    check(np.allclose(t, dt * 20 * np.arange(nf)), "time = step * dt: %s" % t)
    L = d["cell_lengths"][0]
    check(abs(L[0] ** 3 - 256 / 0.8442) < 1e-6 * L[0] ** 3, "cell volume = N / rho = %.6g" % (L[0] ** 3))
with Dataset("seg/lj.from100.nc") as d:
    t = d["time"][:]
    check(len(t) == 4 and np.allclose(t, dt * np.array([100, 120, 140, 160])),
          "restart trajectory continues the step count: times %s = dt * (100, 120, 140, 160)" % t)
    xr = d["coordinates"][-1]
with Dataset("ref/lj.nc") as d:
    check(len(d["time"]) == 160 // 20 + 1, "uninterrupted 160-step run: 9 frames")
    xs = d["coordinates"][-1]
    # same streams (checkpoint keeps the thermostat RNG): only round-off of the rebuilt lists differs
    L = np.asarray(d["cell_lengths"][-1], float)
    dx = np.asarray(xr, float) - np.asarray(xs, float)
    dx -= L * np.round(dx / L)  # minimum image: the two runs may wrap an atom differently
    dev = float(np.max(np.abs(dx)))
    check(dev < 1e-4, "restarted run ends where the uninterrupted run ends (max |dx| = %.3g sigma)" % dev)
sys.exit(1 if errors else 0)
PYEOF
    ); then ok "netCDF checks"; else bad "netCDF checks (see above)"; fi
fi
exit $fail
