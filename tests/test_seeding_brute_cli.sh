#!/usr/bin/env bash
# Brute-force MD rate (seedrate brute): a 500-atom LJ liquid at T* = 0.50, p* = 5.68 (about half of T_m)
# crystallises within a few tau. Checks: identical numbers on 1 and 2 ranks; the netCDF file is consistent
# with itself (first-passage times from n_max, J = n_reached / sum(t) / <V>, units on every variable); bad
# inputs give one clear message, a non-zero exit and no output file.
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
temperature = 0.50
pressure = 5.68
tau_t = 0.1
tau_p = 1.0
compressibility = 0.02
[order]
style = bonds
cutoff = 1.4
bond_threshold = 0.5
min_bonds = 7
[brute]
replicas = 4
n_stop = 80
max_steps = 3000
analyze_every = 50
liquid_cells = 5 5 5
melt_temperature = 3.0
melt_steps = 300
equil_steps = 300
bootstrap = 50
[output]
prefix = PREFIX
INI
run() { # ranks prefix
    sed "s|PREFIX|$2|" tiny.ini > "$2.ini"
    mpirun -np "$1" "$exe" brute "$2.ini" > "$2.log" 2>&1
}
run 1 one || { echo "FAIL: -np 1 exited non-zero"; cat one.log; exit 1; }
run 2 two || { echo "FAIL: -np 2 exited non-zero"; cat two.log; exit 1; }
for p in one two; do
    [ -f "$p.brute.nc" ] || { echo "FAIL: $p.brute.nc not written"; cat "$p.log"; exit 1; }
done
grep -q "log10 J_MLE" one.log && echo "ok   $(grep -m1 'log10 J_MLE' one.log | sed 's/^ *//')" || { echo "FAIL: no J_MLE line"; fail=1; }

$py - one.brute.nc two.brute.nc <<'PY' || fail=1
import sys, math, numpy as np, netCDF4 as nc
a, b = nc.Dataset(sys.argv[1]), nc.Dataset(sys.argv[2])
a.set_auto_mask(False); b.set_auto_mask(False)
bad = 0
# 1. identical on 1 and 2 ranks (NaN == NaN)
for v in a.variables:
    x, y = np.asarray(a[v][:]), np.asarray(b[v][:])
    same = np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else np.array_equal(x, y)
    if not same:
        print("FAIL: %s differs between -np 1 and -np 2" % v); bad = 1
if not bad: print("ok   all %d variables identical on 1 and 2 ranks" % len(a.variables))
# 2. units and long_name on every variable
for v in a.variables:
    if not getattr(a[v], "units", None) or not getattr(a[v], "long_name", None):
        print("FAIL: %s lacks units/long_name" % v); bad = 1
# 3. first-passage times recomputed from n_max: first frame with N_max >= n, time = frame * dt_frame
nmax, t = np.asarray(a["n_max"][:]), np.asarray(a["time"][:])
fpt, n_stop = np.asarray(a["first_passage_time"][:]), int(a["n_stop"][...])
for r in range(nmax.shape[0]):
    m = nmax[r][nmax[r] >= 0]
    for n in range(1, n_stop + 1):
        hit = np.nonzero(m >= n)[0]
        want = t[hit[0]] if len(hit) else math.nan
        got = fpt[r, n]
        if not ((math.isnan(want) and math.isnan(got)) or want == got):
            print("FAIL: replica %d, n = %d: first passage %g, n_max gives %g" % (r, n, got, want)); bad = 1; break
reached, t_end, V = np.asarray(a["reached"][:]), np.asarray(a["t_end"][:]), float(a["volume_mean"][...])
if reached.sum() == 0: print("FAIL: no replica crystallised at T* = 0.5"); bad = 1
# 4. censored-exponential MLE from the stored times: J = n_reached / sum(t) / <V>
J = reached.sum() / t_end.sum() / V
if abs(float(a["j_mle"][...]) - J) > 1e-12 * J: print("FAIL: j_mle %g != %g" % (float(a["j_mle"][...]), J)); bad = 1
else: print("ok   j_mle = n_reached/sum(t)/<V> = %d/%.4g/%.5g = %.4g" % (reached.sum(), t_end.sum(), V, J))
# 5. the MFPT curve is the mean over the replicas that reached n, and nondecreasing in n
tau, cnt = np.asarray(a["mfpt"][:]), np.asarray(a["mfpt_count"][:])
for n in range(1, n_stop + 1):
    col = fpt[:, n][~np.isnan(fpt[:, n])]
    if len(col) != cnt[n] or (len(col) and abs(col.mean() - tau[n]) > 1e-12 * max(1, tau[n])):
        print("FAIL: mfpt(%d) = %g (%d), replicas give %g (%d)" % (n, tau[n], cnt[n], col.mean(), len(col))); bad = 1; break
if np.any(np.diff(tau[1:][cnt[1:] == cnt[-1]]) < 0) and cnt[-1] == cnt[1]:
    print("FAIL: tau(n) decreases"); bad = 1
ns = float(a["n_star"][...])
if not (0 < ns < n_stop): print("FAIL: n* = %g outside (0, n_stop)" % ns); bad = 1
else: print("ok   MFPT fit: n* = %.1f, Z = %.4f, J_fit = %.4g" % (ns, float(a["zeldovich"][...]), float(a["j_fit"][...])))
sys.exit(bad)
PY

keys=$("$exe" brute --keys)
grep -q "^ *n_stop .*atoms" <<< "$keys" && echo "ok   brute --keys lists n_stop" || { echo "FAIL: brute --keys"; fail=1; }
"$exe" brute > /dev/null 2>&1 && { echo "FAIL: brute without a file exits 0"; fail=1; }

# bad inputs: one message naming the file (and line), non-zero exit, no output
expect_error() { # name sed-expression pattern [ranks]
    sed -e "s|PREFIX|$1|" -e "$2" tiny.ini > "$1.ini"
    if mpirun -np "${4:-1}" "$exe" brute "$1.ini" > "$1.log" 2>&1; then echo "FAIL: $1 accepted"; fail=1
    elif grep -q -- "$3" "$1.log"; then echo "ok   $1: $(grep -m1 -- "$3" "$1.log")"
    else echo "FAIL: $1 message: $(cat "$1.log")"; fail=1; fi
    left=$(ls "$1".* | grep -v '\.ini$\|\.log$')
    [ -z "$left" ] || { echo "FAIL: $1 left output files: $left"; fail=1; }
    return 0
}
expect_error unknown_key 's/^bootstrap = 50/bootstrap = 50\nreplica = 3/' "unknown_key.ini:[0-9]*: unknown key 'replica' in \[brute\]"
expect_error unknown_section 's/^\[output\]/[outptu]/' "unknown_section.ini:[0-9]*: unknown section \[outptu\]"
expect_error no_nstop '/^n_stop = 80/d' "no_nstop.ini:[0-9]*: \[brute\] missing required key 'n_stop'"
expect_error nve 's/^ensemble = npt/ensemble = nve/' "nve.ini: \[ensemble\] brute-force runs need ensemble = npt or nvt" 2
expect_error big_nstop 's/^n_stop = 80/n_stop = 400/' "n_stop = 400 is more than half the 500 atoms"
expect_error crystalline 's/^n_stop = 80/n_stop = 8/' "crystalline.ini: the prepared liquid .* already holds a crystalline cluster of" 2
exit $fail
