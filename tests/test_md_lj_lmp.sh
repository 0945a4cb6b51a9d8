#!/usr/bin/env bash
# The same LJ configuration gives the same energy and pressure in seedrate and LAMMPS (pair_style lj/cut, two types,
# shifted and unshifted) to 1e-10 relative. Skipped (77) when lmp or python3-netcdf4 is missing.
set -uo pipefail
exe=${SEEDRATE_EXE:?}
command -v lmp >/dev/null || { echo "SKIP: lmp (Debian package lammps) not found"; exit 77; }
/usr/bin/python3 -c "import netCDF4, numpy" 2>/dev/null || { echo "SKIP: python3-netcdf4/numpy not found"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
/usr/bin/python3 - <<'PY'
import numpy as np
rng = np.random.default_rng(2385)
a = (4 / 0.95) ** (1 / 3); n = 5
base = np.array([[0, 0, 0], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]])
pos = np.array([(np.array([i, j, k]) + b) * a for i in range(n) for j in range(n) for k in range(n) for b in base])
pos += rng.uniform(-0.09, 0.09, pos.shape)
L = n * a
with open("conf.data", "w") as f:
    f.write("random dense LJ\n\n%d atoms\n2 atom types\n\n" % len(pos))
    for d in "xyz": f.write("0 %.17g %slo %shi\n" % (L, d, d))
    f.write("\nMasses\n\n1 1.0\n2 2.385\n\nAtoms # atomic\n\n")
    for i, p in enumerate(pos): f.write("%d %d %.17g %.17g %.17g\n" % (i + 1, 1 + (i % 3 == 0), *p))
PY
fail=0
for shift in no yes; do
  cat > sr.ini <<INI
[run]
units = lj
steps = 0
[structure]
file = conf.data
[potential]
style = lj
epsilon = 1.0 0.731
sigma = 1.0 1.113
cutoff = 2.5
shift = $shift
mixing = geometric
[ensemble]
ensemble = nve
[output]
prefix = sr
restart = no
INI
  "$exe" md sr.ini > sr.log 2>&1 || { echo "FAIL: seedrate md"; cat sr.log; exit 1; }
  cat > in.lmp <<LMP
units lj
atom_style atomic
read_data conf.data
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0
pair_coeff 2 2 0.731 1.113
pair_modify mix geometric shift $shift
thermo_style custom pe press
thermo_modify norm no format float %.17g
run 0
LMP
  lmp -in in.lmp -log lmp.log -screen none >/dev/null || { echo "FAIL: lmp"; exit 1; }
  /usr/bin/python3 - "$shift" <<'PY' || fail=1
import sys, netCDF4 as nc
d = nc.Dataset("sr.thermo.nc")
pe, p = float(d["pe"][0]), float(d["pressure"][0])
lines = open("lmp.log").read().splitlines()
i = [k for k, l in enumerate(lines) if l.split()[:2] == ["PotEng", "Press"]][0]
lpe, lp = map(float, lines[i + 1].split())
rpe, rp = abs(pe - lpe) / abs(lpe), abs(p - lp) / abs(lp)
ok = rpe < 1e-10 and rp < 1e-10
print("%s shift %-3s: PE seedrate %.15g LAMMPS %.15g (rel %.1e); P seedrate %.15g LAMMPS %.15g (rel %.1e)"
      % ("ok  " if ok else "FAIL", sys.argv[1], pe, lpe, rpe, p, lp, rp))
sys.exit(0 if ok else 1)
PY
done
exit $fail
