#!/bin/bash
# AMBER NetCDF conformance of our trajectories, checked by independent readers:
# netCDF4-python (attributes, dimensions, units, format) and MDAnalysis' NCDF reader (positions,
# box, time). Exit 77 (skipped) when /usr/bin/python3, netCDF4 or MDAnalysis is missing, or the
# test_io_amber binary (which writes the sample) has not been built.
set -u
PY=/usr/bin/python3
BIN="$(realpath -m "$(dirname "${SEEDRATE_EXE:-/nonexistent/x}")")/test_io_amber"
if [ ! -x "$PY" ]; then echo "SKIP: $PY not found"; exit 77; fi
if ! "$PY" -c "import netCDF4" 2>/dev/null; then echo "SKIP: python3-netcdf4 missing"; exit 77; fi
if ! "$PY" -c "import MDAnalysis" 2>/dev/null; then echo "SKIP: python3-mdanalysis missing"; exit 77; fi
if [ ! -x "$BIN" ]; then echo "SKIP: $BIN not built"; exit 77; fi

DIR=$(mktemp -d /tmp/sr_io_py_XXXXXX)
trap 'rm -rf "$DIR"' EXIT
"$BIN" --write-sample "$DIR" || { echo "FAIL: could not write the sample"; exit 1; }

"$PY" -W ignore - "$DIR" <<'PYEOF'
import sys, numpy as np, netCDF4
d = sys.argv[1]
nc = netCDF4.Dataset(d + "/traj.nc")
fail = []
def check(cond, what):
    if not cond: fail.append(what)
check(nc.file_format == "NETCDF3_64BIT_OFFSET", "format %s" % nc.file_format)
check(nc.Conventions == "AMBER", "Conventions")
check(nc.ConventionVersion == "1.0", "ConventionVersion")
check(nc.program == "seedrate" and len(nc.programVersion) > 0, "program/programVersion")
dims = nc.dimensions
check(dims["frame"].isunlimited() and len(dims["frame"]) == 2, "frame")
for name, n in [("spatial", 3), ("cell_spatial", 3), ("cell_angular", 3), ("label", 5), ("atom", 7)]:
    check(len(dims[name]) == n, "dim " + name)
v = nc.variables
units = {"time": "picosecond", "coordinates": "angstrom", "velocities": "angstrom/picosecond",
         "cell_lengths": "angstrom", "cell_angles": "degree"}
for name, u in units.items():
    check(v[name].units == u, "units of " + name)
check(v["coordinates"].dimensions == ("frame", "atom", "spatial"), "coordinates dims")
check(v["coordinates"].dtype == np.float32 and v["cell_lengths"].dtype == np.float64, "dtypes")
check(b"".join(v["spatial"][:].tolist()) == b"xyz", "spatial labels")
for name in v:
    check(hasattr(v[name], "units") and hasattr(v[name], "long_name"), "units/long_name on " + name)
check(np.all(v["cell_angles"][:] == 90.0), "cell_angles")
check(v["atom_types"].dimensions == ("frame", "atom"), "atom_types dims")
check(v["label"].dtype == np.int32 and v["q6bar"].dtype == np.float32, "extra dtypes")
if fail:
    print("netCDF4 conformance FAILED:", fail); sys.exit(1)
print("netCDF4: attributes, dimensions, units, format OK")
PYEOF
[ $? -eq 0 ] || exit 1

"$PY" -W ignore - "$DIR" <<'PYEOF'
import sys, warnings, numpy as np
warnings.simplefilter("ignore")
import MDAnalysis as mda
d = sys.argv[1]
u = mda.Universe(d + "/top.xyz", d + "/traj.nc", format="NCDF")
lines = open(d + "/expected.txt").read().split("\n")
nat = 7
assert len(u.atoms) == nat and len(u.trajectory) == 2, (len(u.atoms), len(u.trajectory))
worst = 0.0
for k, ts in enumerate(u.trajectory):
    head = lines[k * (nat + 1)].split()
    t, box = float(head[1]), np.array([float(x) for x in head[2:5]])
    exp = np.array([[float(x) for x in lines[k * (nat + 1) + 1 + a].split()[:3]] for a in range(nat)])
    worst = max(worst, np.max(np.abs(u.atoms.positions - exp)))
    assert np.allclose(ts.dimensions[:3], box, atol=1e-4), (ts.dimensions, box)
    assert np.allclose(ts.dimensions[3:], 90.0), ts.dimensions
    assert abs(ts.time - t) < 1e-4, (ts.time, t)
    assert ts.has_velocities
if worst > 1e-4:
    print("MDAnalysis positions differ by %g > 1e-4" % worst); sys.exit(1)
print("MDAnalysis NCDF reader: 2 frames, positions within %.2g of the expected values, box and time OK" % worst)
PYEOF
[ $? -eq 0 ] || exit 1
echo "PASS"
