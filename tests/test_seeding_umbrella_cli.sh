#!/usr/bin/env bash
# Umbrella sampling (seedrate umbrella) on a 500-atom LJ liquid at T* = 0.62, p* = 5.68 (an unbiased window and three
# biased ones, short hybrid Monte Carlo chains: seconds). Checks: identical numbers on 1 and 2 ranks; a run killed
# with SIGKILL and resumed gives the numbers of the uninterrupted one; PREFIX.umbrella.nc is consistent with itself
# (units on every variable, histograms = the N_max series, dG(n) recomputed from the histograms by WHAM in numpy,
# n* its maximum above the basin, the CNT curve from dmu, rho_s, gamma, the parabola at the top and J from the
# attachment rate; the measured f+ (attach runs from the window at attach_centre) recomputed in numpy from the
# file's own N_max(t) traces as var(N(t) - N(0))/(2t) about the runs' mean drift, and the input's attachment_rate
# overriding it in J); bad input (centres not increasing, kappa <= 0, a centre too large for the box, an incomplete CNT
# triple, kappas of the wrong length or <= 0, an unknown start) gives one clear file:line message, a non-zero exit
# and no output.
set -uo pipefail
exe=${SEEDRATE_EXE:?}
py=/usr/bin/python3
command -v mpirun >/dev/null || { echo "SKIP: mpirun not found"; exit 77; }
$py -c "import netCDF4" 2>/dev/null || { echo "SKIP: python3-netcdf4 not found"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0
cat > tiny.ini <<'INI'
[run]
units = lj
seed = 77
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
temperature = 0.62
pressure = 5.68
tau_t = 0.1
tau_p = 1.0
compressibility = 0.02
[order]
style = bonds
cutoff = 1.4
bond_threshold = 0.5
min_bonds = 7
[umbrella]
centres = 8 16 24
kappa = 0.1
md_steps = 5
sweeps = 120
equil_sweeps = 10
blocks = 6
bootstrap = 50
liquid_cells = 5 5 5
melt_temperature = 3.0
melt_steps = 300
equil_steps = 300
relax_steps = 50
dmu = -0.4
rho_s = 1.1
gamma = 0.35
attachment_rate = 12.5
top_half_width = 8
attach_runs = 8
attach_steps = 100
attach_every = 5
attach_centre = 24
[output]
prefix = PREFIX
INI
run() { # ranks prefix
    sed "s|PREFIX|$2|" tiny.ini > "$2.ini"
    mpirun -np "$1" "$exe" umbrella "$2.ini" > "$2.log" 2>&1
}
run 1 one || { echo "FAIL: -np 1 exited non-zero"; cat one.log; exit 1; }
run 2 two || { echo "FAIL: -np 2 exited non-zero"; cat two.log; exit 1; }
grep -q "dG\*/kT" one.log && echo "ok   $(grep -m1 'basin at' one.log | sed 's/^ *//')" || { echo "FAIL: no dG* line"; cat one.log; fail=1; }
grep -q "ETA" one.log && echo "ok   progress lines with ETA" || { echo "FAIL: no progress/ETA lines"; fail=1; }

compare() {
    $py - "$1" "$2" <<'PY'
import sys, numpy as np, netCDF4 as nc
a, b = nc.Dataset(sys.argv[1]), nc.Dataset(sys.argv[2])
a.set_auto_mask(False); b.set_auto_mask(False)
bad = 0
for v in a.variables:
    x, y = np.asarray(a[v][:]), np.asarray(b[v][:])
    same = np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(x, y)
    if not same: print("FAIL: %s differs between %s and %s" % (v, sys.argv[1], sys.argv[2])); bad = 1
if a.seedrate_checksum != b.seedrate_checksum: print("FAIL: checksums differ"); bad = 1
if not bad: print("ok   %s == %s: all %d variables identical" % (sys.argv[1], sys.argv[2], len(a.variables)))
sys.exit(bad)
PY
}
compare one.umbrella.nc two.umbrella.nc || fail=1

$py - one.umbrella.nc <<'PY' || fail=1
import sys, numpy as np, netCDF4 as nc
d = nc.Dataset(sys.argv[1]); d.set_auto_mask(False)
bad = 0
for v in d.variables:
    if not getattr(d[v], "units", None) or not getattr(d[v], "long_name", None): print("FAIL: %s lacks units" % v); bad = 1
g = lambda v: np.asarray(d[v][...])
ser, hist, c, k = g("n_max_series"), g("histogram"), g("centre"), g("kappa")
nb = hist.shape[1]
for w in range(len(c)):
    if not np.array_equal(np.bincount(ser[w], minlength=nb), hist[w]): print("FAIL: window %d histogram" % w); bad = 1
if k[0] != 0 or not np.all(k[1:] == 0.1): print("FAIL: kappa per window"); bad = 1
# WHAM by plain fixed-point iteration in numpy
n = np.arange(nb); bias = 0.5 * k[:, None] * (n[None, :] - c[:, None]) ** 2
N, H, f = hist.sum(1), hist.sum(0), np.zeros(len(c))
for it in range(200000):
    P = np.where(H > 0, H / (N[:, None] * np.exp(f[:, None] - bias)).sum(0), 0)
    fn = -np.log((P[None, :] * np.exp(-bias)).sum(1)); fn -= fn[0]
    if np.abs(fn - f).max() < 1e-11: f = fn; break
    f = fn
P /= P.sum()
with np.errstate(divide="ignore"): dg = -np.log(P / g("n_atoms"))
ok = np.isfinite(dg)
if not np.allclose(dg[ok], g("dg")[ok], atol=1e-6) or not np.all(np.isnan(g("dg")[~ok])): print("FAIL: dG(n) differs from numpy WHAM"); bad = 1
else: print("ok   dG(n) = numpy WHAM over the histograms (%d windows, N_max 0..%d)" % (len(c), nb - 1))
b0 = int(np.nanargmin(g("free_energy_nmax"))); ns = b0 + 1 + int(np.nanargmax(g("dg")[b0 + 1:]))
if ns != g("n_star") or abs(g("dg_star") - g("dg")[ns]) > 1e-12: print("FAIL: n* = %g, recomputed %d" % (g("n_star"), ns)); bad = 1
else: print("ok   n* = %d, dG*/kT = %.3f +- %.3f, N_max barrier %.3f kT" % (ns, g("dg_star"), g("dg_star_err"), g("barrier_nmax")))
cnt = (-n * 0.4 + (36 * np.pi) ** (1 / 3) * 1.1 ** (-2 / 3) * 0.35 * n ** (2 / 3)) / 0.62
if not np.allclose(cnt, g("dg_cnt"), rtol=1e-12): print("FAIL: CNT curve"); bad = 1
tn, tg, z = g("top_n_star"), g("top_dg_star"), g("zeldovich")
if np.isfinite(tg):
    m = np.isfinite(g("dg")) & (np.abs(n - ns) <= 8)
    a2, a1, a0 = np.polyfit(n[m] - ns, g("dg")[m], 2)
    lj = np.log10(g("rho_liquid") * z * 12.5) - tg / np.log(10)
    if not (abs(tg - (a0 - a1 ** 2 / (4 * a2))) < 1e-6 and abs(z - np.sqrt(-a2 / np.pi)) < 1e-6 and abs(g("log10_j") - lj) < 1e-9):
        print("FAIL: parabola at the top / J: %g %g %g" % (tg, z, g("log10_j"))); bad = 1
    else: print("ok   parabola at the top: n* %.1f, dG*/kT %.3f, Z %.4f; log10 J %.3f" % (tn, tg, z, g("log10_j")))
else: print("ok   (no parabola at this short run's top: top_* NaN)")
if not (0 < g("acceptance")).all() or not (g("acceptance") <= 1).all(): print("FAIL: acceptance"); bad = 1
# f+ from the attach runs: the drift-free variance slope in the file's fit window (no parabola: a straight line)
Na, ta, fp = g("attach_n_max"), g("attach_time"), g("attachment_rate_measured")
if Na.shape != (8, 21) or g("attach_window_centre") != 24 or abs(ta[1] - 5 * 0.005) > 1e-12:
    print("FAIL: attach runs: shape %s, window %g, dt %g" % (Na.shape, g("attach_window_centre"), ta[1])); bad = 1
dN = Na - Na[:, :1]
m = (ta >= g("attach_fit_t0") - 1e-12) & (ta <= g("attach_fit_t1") + 1e-12)
slope = np.polyfit(ta[m], dN.var(0, ddof=1)[m], 1)[0] if m.sum() >= 3 else np.nan
if np.isfinite(tg): print("ok   (a parabola at the top: the f+ fit follows the barrier model; straight-line check skipped)")
elif not (fp > 0 and abs(fp - slope / 2) < 1e-9 * fp and 0 < g("attachment_rate_lo68") < g("attachment_rate_hi68")):
    print("FAIL: f+ %g, numpy var slope/2 %g, 68%% [%g, %g]" % (fp, slope / 2, g("attachment_rate_lo68"), g("attachment_rate_hi68"))); bad = 1
else: print("ok   f+ = %.2f tau^-1 = var(N(t) - N(0))/(2t) in numpy over %d frames, 68%% [%.2f, %.2f]" % (fp, m.sum(), g("attachment_rate_lo68"), g("attachment_rate_hi68")))
if g("attachment_rate") != 12.5: print("FAIL: the input's attachment_rate must override the measured f+ in J"); bad = 1
sys.exit(bad)
PY

# kill once a window is journaled, resume; the results must equal the uninterrupted run
sed "s|PREFIX|kill|" tiny.ini > kill.ini
setsid mpirun -np 2 "$exe" umbrella kill.ini > kill1.log 2>&1 &
pid=$!
for i in $(seq 1 3000); do
    n=$(cat kill.umbrella.cnt.journal 2>/dev/null | wc -l)
    [ "$n" -ge 1 ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.02
done
kill -9 -- -$pid 2>/dev/null; pkill -9 -f -- "umbrella kill.ini" 2>/dev/null; wait $pid 2>/dev/null # the ranks too (own process group)
echo "     killed after $(cat kill.umbrella.cnt.journal 2>/dev/null | wc -l) journaled windows"
[ -f kill.umbrella.nc ] && { echo "FAIL: the killed run finished before the kill (test too slow to interrupt)"; fail=1; }
mpirun -np 2 "$exe" umbrella kill.ini > kill.log 2>&1 || { echo "FAIL: resume exited non-zero"; tail kill.log; fail=1; }
grep -q "resuming" kill.log && echo "ok   restart resumed from the journal: $(grep -m1 resuming kill.log)" || { echo "FAIL: no resume"; fail=1; }
compare one.umbrella.nc kill.umbrella.nc || fail=1

keys=$("$exe" umbrella --keys)
grep -q "^ *kappa .*kT/atom^2" <<< "$keys" && echo "ok   umbrella --keys lists kappa" || { echo "FAIL: umbrella --keys"; fail=1; }

# bad inputs: one message naming the file and line, non-zero exit, no output
expect_error() { # name sed-expression pattern
    sed -e "s|PREFIX|$1|" -e "$2" tiny.ini > "$1.ini"
    if mpirun -np 1 "$exe" umbrella "$1.ini" > "$1.log" 2>&1; then echo "FAIL: $1 accepted"; fail=1
    elif [ "$(grep -c 'seedrate: error' "$1.log")" -ne 1 ]; then echo "FAIL: $1: not one message: $(cat "$1.log")"; fail=1
    elif grep -q -- "$3" "$1.log"; then echo "ok   $1: $(grep -m1 -- "$3" "$1.log" | cut -c1-200)"
    else echo "FAIL: $1 message: $(cat "$1.log")"; fail=1; fi
    left=$(ls "$1".* | grep -v '\.ini$\|\.log$')
    [ -z "$left" ] || { echo "FAIL: $1 left output files: $left"; fail=1; }
    return 0
}
expect_error decreasing 's/^centres = .*/centres = 8 24 16/' "decreasing.ini:25: \[umbrella\] centres: centres must increase: centre 3 = 16 is not above centre 2 = 24"
expect_error kappa0 's/^kappa = .*/kappa = 0/' "kappa0.ini:26: \[umbrella\] kappa = 0 must be > 0"
expect_error kappaneg 's/^kappa = .*/kappa = -0.2/' "kappaneg.ini:26: \[umbrella\] kappa = -0.2 must be > 0"
expect_error toolarge 's/^centres = .*/centres = 8 16 200/' "toolarge.ini:25: \[umbrella\] the last centre (200) is more than a quarter of the 500 atoms"
expect_error cntpart '/^gamma = /d' "the CNT curve needs all of dmu, rho_s and gamma"
expect_error kappasn 's/^kappa = .*/kappa = 0.1\nkappas = 0.1 0.2/' "kappasn.ini:27: \[umbrella\] kappas has 2 values for 3 centres (one per centre)"
expect_error kappas0 's/^kappa = .*/kappa = 0.1\nkappas = 0.1 0 0.2/' "kappas0.ini:27: \[umbrella\] kappas: item 2 = 0 must be > 0"
expect_error attach1 's/^attach_runs = .*/attach_runs = 1/' "attach1.ini:42: \[umbrella\] attach_runs = 1: use 0 (no f+) or 2 .. sweeps (120) runs"
expect_error startbad 's/^kappa = .*/kappa = 0.1\nstart = pulled/' "start = 'pulled': expected one of grown|shrunk|seeded"
exit $fail
