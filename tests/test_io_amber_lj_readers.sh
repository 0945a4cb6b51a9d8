#!/usr/bin/env bash
# LJ-unit trajectories open in the AMBER convention's standard readers (issue #19 item 2). MDAnalysis' NCDF
# reader accepts only the AMBER unit labels (it refused "tau": NotImplementedError), so seedrate writes LJ
# trajectories with the labels angstrom/picosecond over reduced numbers and says so in units_style = "lj" and
# per-variable seedrate_units. Checked here on a trajectory written by `seedrate md` (NPT, so the box changes
# from frame to frame): MDAnalysis, ASE (python3-ase) and MDTraj (python3-mdtraj) read the right number of
# frames and atoms, the positions and the box of every frame (against netCDF4-python), and the reduced
# meaning is machine-readable. Readers that are not installed are skipped with a line; MDAnalysis is required
# (scripts/setup installs it), exit 77 when /usr/bin/python3 or netCDF4 is missing.
set -uo pipefail
exe=${SEEDRATE_EXE:?}
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: $py not found"; exit 77; }
$py -c "import netCDF4" 2> /dev/null || { echo "SKIP: python3-netcdf4 missing"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
cat > lj.ini <<'INI'
[run]
units = lj
steps = 400
seed = 1913
[structure]
lattice = fcc
density = 0.8442
cells = 3 4 5
temperature = 1.44
[potential]
style = lj
cutoff = 2.5
shift = yes
[ensemble]
ensemble = npt
temperature = 1.2
pressure = 2.5
tau_t = 0.5
tau_p = 2.0
compressibility = 0.05
[output]
prefix = lj
thermo_every = 100
trajectory_every = 100
velocities = yes
INI
"$exe" md lj.ini > md.log 2>&1 || { echo "FAIL: seedrate md: $(tail -3 md.log)"; exit 1; }
[ -f lj.nc ] || { echo "FAIL: lj.nc not written ($(ls))"; exit 1; }
$py -W ignore - lj.nc << 'PY'
import sys, warnings
import numpy as np, netCDF4
warnings.simplefilter("ignore")
path = sys.argv[1]
fail = []
d = netCDF4.Dataset(path)
nf, na = len(d.dimensions["frame"]), len(d.dimensions["atom"])
x = np.asarray(d["coordinates"][:], dtype=float)
box = np.asarray(d["cell_lengths"][:], dtype=float)
t = np.asarray(d["time"][:], dtype=float)
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond: fail.append(what)
check(nf == 5 and na == 240, "netCDF4: %d frames of %d atoms (expected 5 x 240)" % (nf, na))
check(d.units_style == "lj" and "sigma" in d.reduced_units, "units_style = lj, reduced_units: %s..." % d.reduced_units[:60])
for v, amber, red in (("time", "picosecond", "tau"), ("coordinates", "angstrom", "sigma"),
                      ("cell_lengths", "angstrom", "sigma"), ("velocities", "angstrom/picosecond", "sigma/tau")):
    check(d[v].units == amber and d[v].seedrate_units == red, "%s: units %s, seedrate_units %s" % (v, d[v].units, d[v].seedrate_units))
check(np.ptp(box[:, 0]) > 0, "NPT box changes between frames (%.4f .. %.4f sigma)" % (box[:, 0].min(), box[:, 0].max()))

def compare(name, frames):
    n = 0
    for k, (pos, cell, time) in enumerate(frames):
        ok = pos.shape == (na, 3) and np.allclose(pos, x[k], atol=2e-5) and np.allclose(cell[:3], box[k], rtol=1e-6)
        if time is not None: ok = ok and abs(time - t[k]) < 1e-4
        if not ok:
            check(False, "%s frame %d: positions/box/time differ (box %s vs %s)" % (name, k, cell[:3], box[k])); return
        n += 1
    check(n == nf, "%s: %d frames, %d atoms, positions, box%s of every frame as stored" % (name, n, na, "" if name != "MDAnalysis" else " and time"))

import MDAnalysis as mda
# no topology file: the MINIMAL topology takes the atom count from the NCDF trajectory itself
u = mda.Universe(path, format="NCDF", topology_format="MINIMAL")
check(len(u.atoms) == na and len(u.trajectory) == nf, "MDAnalysis (%s) NCDF reader: %d frames of %d atoms" % (mda.__version__, len(u.trajectory), len(u.atoms)))
compare("MDAnalysis", ((u.atoms.positions.copy(), ts.dimensions.copy(), ts.time) for ts in u.trajectory))

try:
    from ase.io.netcdftrajectory import NetCDFTrajectory
except ImportError:
    print("skip ASE: python3-ase not installed")
else:
    tr = NetCDFTrajectory(path, "r")
    frames = [tr[k] for k in range(len(tr))]
    tr.close()
    check(len(frames) == nf and all(len(a) == na for a in frames), "ASE NetCDFTrajectory: %d frames of %d atoms" % (len(frames), len(frames[0]) if frames else 0))
    # ASE wraps nothing on read: positions as stored; cell from cell_lengths/cell_angles
    compare("ASE", ((a.get_positions(), a.cell.cellpar(), None) for a in frames))

try:
    import mdtraj
except ImportError:
    print("skip MDTraj: python3-mdtraj not installed")
else:
    from mdtraj.formats import NetCDFTrajectoryFile
    with NetCDFTrajectoryFile(path) as f:
        xyz, time, lengths, angles = f.read()
    check(xyz.shape == (nf, na, 3), "MDTraj NetCDFTrajectoryFile: %d frames of %d atoms" % (xyz.shape[0], xyz.shape[1]))
    compare("MDTraj", ((xyz[k], np.r_[lengths[k], angles[k]], time[k]) for k in range(len(xyz))))
sys.exit(1 if fail else 0)
PY
