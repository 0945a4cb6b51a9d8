#!/bin/bash
# LAMMPS reads what we write: `lmp` runs read_data on our data file and write_data again; ids,
# types, positions, image flags, velocities, masses and box must agree to 1e-10 (relative).
# Exit 77 (skipped) when lmp, /usr/bin/python3 or the test_io_lammps binary is missing.
set -u
PY=/usr/bin/python3
BIN="$(realpath -m "$(dirname "${SEEDRATE_EXE:-/nonexistent/x}")")/test_io_lammps"
if ! command -v lmp >/dev/null 2>&1; then echo "SKIP: lmp (LAMMPS) not found"; exit 77; fi
if [ ! -x "$PY" ]; then echo "SKIP: $PY not found"; exit 77; fi
if [ ! -x "$BIN" ]; then echo "SKIP: $BIN not built"; exit 77; fi

DIR=$(mktemp -d /tmp/sr_io_lmp_XXXXXX)
trap 'rm -rf "$DIR"' EXIT
cd "$DIR" || exit 1
"$BIN" --write-sample ours.data || { echo "FAIL: could not write the sample"; exit 1; }
printf 'units metal\natom_style atomic\nread_data ours.data\nwrite_data lmp.data\n' > in.rt
if ! timeout 120 lmp -in in.rt -log lmp.log -screen none; then
    echo "FAIL: lmp could not read our data file:"; tail -5 lmp.log; exit 1
fi

"$PY" - ours.data lmp.data <<'PYEOF'
import sys
def parse(path):
    lines = [l.split("#")[0].split() for l in open(path).read().split("\n")[1:]]
    out, sec = {"box": [], "Masses": {}, "Atoms": {}, "Velocities": {}}, None
    for t in lines:
        if not t: continue
        if t[0] in ("Masses", "Atoms", "Velocities"): sec = t[0]; continue
        if sec is None:
            if len(t) == 4 and t[2].endswith("lo"): out["box"] += [float(t[0]), float(t[1])]
            elif t[-1] == "atoms": out["natoms"] = int(t[0])
            continue
        out[sec][int(t[0])] = [float(x) for x in t[1:]]
    return out
a, b = parse(sys.argv[1]), parse(sys.argv[2])
def close(x, y): return all(abs(p - q) <= 1e-10 * max(1.0, abs(p)) for p, q in zip(x, y)) and len(x) == len(y)
bad = []
if a["natoms"] != b["natoms"] or not close(a["box"], b["box"]): bad.append("header/box")
for sec in ("Masses", "Atoms", "Velocities"):
    if sorted(a[sec]) != sorted(b[sec]) or not a[sec]: bad.append(sec + " ids"); continue
    for k in a[sec]:
        if not close(a[sec][k], b[sec][k]): bad.append("%s %d: %s vs %s" % (sec, k, a[sec][k], b[sec][k]))
if bad:
    print("FAIL: LAMMPS round trip differs:", bad[:5]); sys.exit(1)
print("PASS: lmp read_data/write_data reproduces %d atoms, masses, box, images, velocities to 1e-10" % a["natoms"])
PYEOF
