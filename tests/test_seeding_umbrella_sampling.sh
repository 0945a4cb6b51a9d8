#!/usr/bin/env bash
# seedrate umbrella samples the biased distributions it claims to (issue 15, step 2): on a 108-atom LJ liquid at
# T* = 0.95, p* = 5.68 with a loose q6-bar classifier (threshold 0.27, so that N_max fluctuates between 0 and ~15),
# an unbiased window and two overlapping biased ones, started by the ladder up from the liquid (start = grown).
# Each window alone gives F(n) = -ln H_i(n) - w_i(n) + const; in the bins two neighbouring windows share, the two
# estimates must differ by a constant: the slope of F_i - F_j against n must be zero within its block-bootstrap error
# (3.5 sd; the test also needs the slope a bias-blind chain would give to be > 6 sd). A chain that ignored the bias
# (or kept rejected trials) would give slopes of ~kappa (c_j - c_i) = 1.5 kT per atom: with the acceptance on the
# effective-energy error alone the test fails (slopes +1.15 +- 1.21 and -1.55 +- 0.36). Also: the unbiased window
# accepts > 90 % (its only rejections come from the effective-energy error at dt = 0.005), and neighbouring windows
# overlap (overlap_next > 0.05).
set -uo pipefail
exe=${SEEDRATE_EXE:?}
py=/usr/bin/python3
$py -c "import netCDF4" 2>/dev/null || { echo "SKIP: python3-netcdf4 not found"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
cat > s.ini <<'INI'
[run]
units = lj
seed = 31
[structure]
lattice = fcc
density = 1.07
cells = 4 4 4
[potential]
style = lj
cutoff = 2.5
shift = yes
[ensemble]
ensemble = npt
temperature = 0.95
pressure = 5.68
tau_t = 0.1
tau_p = 1.0
compressibility = 0.02
[order]
style = qbar
l = 6
cutoff = 1.4
threshold = 0.27
[umbrella]
unbiased = yes
centres = 3 6
kappa = 0.5
start = grown
grow_sweeps = 100
md_steps = 10
sweeps = 4000
equil_sweeps = 100
blocks = 10
bootstrap = 0
liquid_cells = 3 3 3
melt_temperature = 3.0
melt_steps = 300
equil_steps = 2000
[output]
prefix = s
INI
"$exe" umbrella s.ini > s.log 2>&1 || { echo "FAIL: seedrate umbrella exited non-zero"; cat s.log; exit 1; }
grep -q "ladder: window 2 (centre 6" s.log && echo "ok   ladder up from the liquid (start = grown)" \
    || { echo "FAIL: no ladder lines"; cat s.log; exit 1; }
$py - <<'PY'
import sys, numpy as np, netCDF4 as nc
d = nc.Dataset("s.umbrella.nc"); d.set_auto_mask(False)
s = np.asarray(d["n_max_series"][:]).astype(int); c = np.asarray(d["centre"][:]); k = np.asarray(d["kappa"][:])
acc = np.asarray(d["acceptance"][:]); ov = np.asarray(d["overlap_next"][:])
nb = s.max() + 1; n = np.arange(nb); B = 10
bad = 0
if not acc[0] > 0.9: print("FAIL: unbiased window acceptance %.3f <= 0.9" % acc[0]); bad = 1
if not (ov[0] > 0.05 and ov[1] > 0.05 and np.isnan(ov[2])):
    print("FAIL: overlap_next %s (neighbours must overlap; last NaN)" % ov); bad = 1

def slope(xi, xj, i, j):
    """Weighted slope of F_i(n) - F_j(n) over the bins both windows sample >= 20 times."""
    hi = np.bincount(xi, minlength=nb).astype(float); hj = np.bincount(xj, minlength=nb).astype(float)
    m = (hi >= 20) & (hj >= 20)
    if m.sum() < 3: return np.nan
    wi = 0.5 * k[i] * (n - c[i]) ** 2; wj = 0.5 * k[j] * (n - c[j]) ** 2
    y = (-np.log(hi[m]) - wi[m]) - (-np.log(hj[m]) - wj[m])
    wt = 1.0 / (1.0 / hi[m] + 1.0 / hj[m])
    return np.polyfit(n[m], y, 1, w=np.sqrt(wt))[0]

rng = np.random.default_rng(5)
for i, j in ((0, 1), (1, 2)):
    b0 = slope(s[i], s[j], i, j)
    bs = []
    for _ in range(200):  # block bootstrap of both series
        pick = lambda x: np.concatenate([np.array_split(x, B)[q] for q in rng.integers(0, B, B)])
        v = slope(pick(s[i]), pick(s[j]), i, j)
        if np.isfinite(v): bs.append(v)
    sd = np.std(bs, ddof=1)
    wrong = k[i] * c[i] - k[j] * c[j]  # ~ the slope if the chains ignored their biases
    ok = np.isfinite(b0) and abs(b0) < 3.5 * sd and abs(wrong) > 6 * sd
    print("%s  windows %d/%d: slope of F_i - F_j %+.3f +- %.3f kT/atom (bias ignored: %+.2f)"
          % ("ok  " if ok else "FAIL:", i, j, b0, sd, wrong))
    bad |= not ok
sys.exit(bad)
PY
