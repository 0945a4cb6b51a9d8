#!/usr/bin/env bash
# Forward flux sampling (seedrate ffs) on a 500-atom LJ liquid at T* = 0.55, p* = 5.68 (deep supercooling: the
# whole FFS takes seconds). Checks: identical numbers on 1 and 2 ranks; a run killed with SIGKILL and resumed gives
# the numbers of the uninterrupted one; PREFIX.ffs.nc is consistent with itself (J = N_0/T_A prod P_i / <V>, P_i =
# successes/trials, units on every variable); the adaptive placement gives increasing interfaces from lambda_0 to the
# last one; bad interfaces (not increasing, lambda_0 inside the liquid's own N_max fluctuations) give one clear
# file:line message, a non-zero exit and no output.
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
temperature = 0.55
pressure = 5.68
tau_t = 0.1
tau_p = 1.0
compressibility = 0.02
[order]
style = bonds
cutoff = 1.4
bond_threshold = 0.5
min_bonds = 7
[ffs]
interfaces = 20 32 50
lambda_A = 10
flux_runs = 3
flux_steps = 500
trials = 8
# 4 first-interface configurations: with kept velocities (the default) the 8 trials of a stage are ~4 independent
# samples and no path reaches 50 in this tiny system; fresh velocities decorrelate them (kept is checked below)
trial_velocities = fresh
analyze_every = 10
trial_max_steps = 1000
liquid_cells = 5 5 5
melt_temperature = 3.0
melt_steps = 300
equil_steps = 300
bootstrap = 200
# the commitment of the last interface: 6 runs from the configurations at 50 until 75 or back in A
commit_runs = 6
[output]
prefix = PREFIX
INI
run() { # ranks prefix
    sed "s|PREFIX|$2|" tiny.ini > "$2.ini"
    mpirun -np "$1" "$exe" ffs "$2.ini" > "$2.log" 2>&1
}
run 1 one || { echo "FAIL: -np 1 exited non-zero"; cat one.log; exit 1; }
run 2 two || { echo "FAIL: -np 2 exited non-zero"; cat two.log; exit 1; }
grep -q "log10 J_FFS" one.log && echo "ok   $(grep -m1 'log10 J_FFS' one.log | sed 's/^ *//')" || { echo "FAIL: no J line"; cat one.log; fail=1; }
grep -q "ETA" one.log && echo "ok   progress lines with ETA" || { echo "FAIL: no progress/ETA lines"; fail=1; }
# 300 NPT steps (1.5 tau_P) after a melt at 0.85 x the crystal density leave the liquid compressing (+4.8 % over the
# second half): the preparation must say so
grep -q "WARNING: the liquid's density still changed" one.log && echo "ok   $(grep -m1 "WARNING: the liquid" one.log | cut -c1-110)" ||
    { echo "FAIL: no warning for the unequilibrated liquid"; fail=1; }

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
if not bad: print("ok   %s == %s: all %d variables identical" % (sys.argv[1], sys.argv[2], len(a.variables)))
sys.exit(bad)
PY
}
compare one.ffs.nc two.ffs.nc || fail=1

$py - one.ffs.nc <<'PY' || fail=1
import sys, numpy as np, netCDF4 as nc
d = nc.Dataset(sys.argv[1]); d.set_auto_mask(False)
bad = 0
for v in d.variables:
    if not getattr(d[v], "units", None) or not getattr(d[v], "long_name", None): print("FAIL: %s lacks units" % v); bad = 1
g = lambda v: np.asarray(d[v][...])
n0, T = g("flux_crossings").sum(), g("flux_time").sum()
if n0 != g("n_crossings") or n0 != g("configurations")[0]: print("FAIL: N_0 bookkeeping"); bad = 1
out, tr, su = g("trial_outcome"), g("trials"), g("successes")
for i in range(len(tr)):
    o = out[i][out[i] >= 0]
    if (o != 3).sum() != tr[i] or (o == 1).sum() != su[i]: print("FAIL: stage %d counts" % i); bad = 1
    if i + 1 < len(tr) and su[i] != g("configurations")[i + 1]: print("FAIL: stage %d successes != configs" % i); bad = 1
p = su / tr
J = n0 / T * p.prod() / g("volume_mean")
if su.min() == 0 or abs(J - g("j")) > 1e-12 * J: print("FAIL: j = %g, recomputed %g" % (g("j"), J)); bad = 1
else: print("ok   J = N_0/T_A prod P / <V> = %d/%.4g x %s / %.5g = %.4g; bootstrap 68%% [%.3g, %.3g]" % (n0, T, " x ".join("%.3f" % x for x in p), g("volume_mean"), J, g("j_boot_lo68"), g("j_boot_hi68")))
rv = 1 / n0 + ((1 - p) / (p * tr)).sum()
if abs(rv - g("rel_var")) > 1e-12: print("FAIL: rel_var"); bad = 1
if not (g("j_lo68") < J < g("j_hi68")): print("FAIL: analytic interval does not contain J"); bad = 1
on, back, und = (int(g(k)) for k in ("commit_went_on", "commit_fell_back", "commit_undecided"))
if on + back + und != 6 or g("commit_lambda") != 75 or on + back == 0 or abs(g("commit_p_b") - on / (on + back)) > 1e-15:
    print("FAIL: commit runs %d + %d + %d, lambda %g, p_B %g" % (on, back, und, g("commit_lambda"), g("commit_p_b"))); bad = 1
else: print("ok   commitment of lambda_B = 50: %d of 6 runs went on to 75, %d fell back, %d undecided: p_B = %.3f" % (on, back, und, g("commit_p_b")))
sys.exit(bad)
PY
grep -q "commitment of the last interface: of 6 runs" one.log || { echo "FAIL: no commitment line in the log"; fail=1; }
# the commit runs do not enter J: the finished run's files under another prefix, resumed with commit_runs = 0 (the
# key is not part of the journal's input hash: every trial is taken from the journal) give the same rate and no p_B
for f in one.*; do [ "$f" = one.ini ] || cp "$f" "nocommit.${f#one.}"; done
sed -e "s|PREFIX|nocommit|" -e 's/^commit_runs = 6/commit_runs = 0/' tiny.ini > nocommit.ini
mpirun -np 2 "$exe" ffs nocommit.ini > nocommit.log 2>&1 || { echo "FAIL: commit_runs = 0 exited non-zero"; tail -5 nocommit.log; fail=1; }
grep -q "resuming: 8 of 8 stage 1 trials" nocommit.log || { echo "FAIL: commit_runs = 0 did not resume the trials: $(grep -m3 resuming nocommit.log)"; fail=1; }
# a journal whose configurations at the last interface are gone (a run before the commit test kept none): the test
# is skipped with a message that says how to get it, and J is the same
for f in one.*; do [ "$f" = one.ini ] || cp "$f" "nob.${f#one.}"; done
rm -f nob.ffs.i2.*.ckpt
sed -e "s|PREFIX|nob|" tiny.ini > nob.ini
if mpirun -np 2 "$exe" ffs nob.ini > nob.log 2>&1 && grep -q "were not kept" nob.log &&
   grep -q "commitment of the last interface: not tested (its configurations were not kept)" nob.log &&
   [ "$(grep -m1 'log10 J_FFS' nob.log)" = "$(grep -m1 'log10 J_FFS' one.log)" ]; then
    echo "ok   configurations at B missing: $(grep -m1 'were not kept' nob.log | cut -c1-100)"
else echo "FAIL: missing configurations at B: $(tail -3 nob.log)"; fail=1; fi
$py - one.ffs.nc nocommit.ffs.nc <<'PY' || fail=1
import sys, math, netCDF4 as nc
a, b = nc.Dataset(sys.argv[1]), nc.Dataset(sys.argv[2])
ok = float(a["j"][...]) == float(b["j"][...]) and math.isnan(float(b["commit_p_b"][...])) and int(b["commit_went_on"][...]) == 0
print(("ok  " if ok else "FAIL") + " commit_runs = 0: J %g (with the test %g), p_B %g" % (float(b["j"][...]), float(a["j"][...]), float(b["commit_p_b"][...])))
sys.exit(0 if ok else 1)
PY

# kill at a random moment after some tasks are journaled, resume; the results must equal the uninterrupted run.
# The whole run takes seconds: on a loaded machine the poll below can miss the window, so up to 3 attempts.
sed "s|PREFIX|kill|" tiny.ini > kill.ini
for attempt in 1 2 3; do
    rm -f kill.ffs.* kill.liquid.* kill1.log
    setsid mpirun -np 2 "$exe" ffs kill.ini > kill1.log 2>&1 &
    pid=$!
    for i in $(seq 1 3000); do
        n=$(cat kill.ffs.cnt.journal 2>/dev/null | wc -l)
        [ "$n" -ge 3 ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.01
    done
    # the ranks too: Open MPI may start them in a process group of their own, and ranks that outlive their mpirun
    # finish the run
    kill -9 -- -$pid 2>/dev/null; pkill -9 -f -- "ffs kill.ini" 2>/dev/null; wait $pid 2>/dev/null
    echo "     attempt $attempt: killed after $(cat kill.ffs.cnt.journal 2>/dev/null | wc -l) journal lines"
    [ -f kill.ffs.nc ] || break
done
[ -f kill.ffs.nc ] && { echo "FAIL: the killed run finished before the kill in 3 attempts (test too slow to interrupt)"; fail=1; }
mpirun -np 2 "$exe" ffs kill.ini > kill.log 2>&1 || { echo "FAIL: resume exited non-zero"; tail kill.log; fail=1; }
grep -q "resuming" kill.log && echo "ok   restart resumed from the journal: $(grep -m1 resuming kill.log)" || { echo "FAIL: no resume"; fail=1; }
compare one.ffs.nc kill.ffs.nc || fail=1

# adaptive placement: interfaces = lambda_0 and the last one; the ones between from the pilots
sed -e "s|PREFIX|adapt|" -e 's/^interfaces = .*/interfaces = 20 50\np_target = 0.3\npilot_trials = 8/' tiny.ini > adapt.ini
mpirun -np 2 "$exe" ffs adapt.ini > adapt.log 2>&1 || { echo "FAIL: adaptive run exited non-zero"; tail adapt.log; fail=1; }
$py - adapt.ffs.nc <<'PY' || fail=1
import sys, numpy as np, netCDF4 as nc
d = nc.Dataset(sys.argv[1]); d.set_auto_mask(False)
lam = np.asarray(d["lambda"][:])
ok = lam[0] == 20 and lam[-1] == 50 and len(lam) >= 3 and np.all(np.diff(lam) > 0) and d.interfaces_placement.startswith("adaptive")
print(("ok  " if ok else "FAIL") + " adaptive interfaces %s (%s)" % (" ".join("%g" % x for x in lam), d.interfaces_placement[:40]))
sys.exit(0 if ok else 1)
PY

# trial_velocities = kept: a trial starts with its configuration's own velocities. With NVT and a thermostat too
# weak to matter over a 40-step trial (tau_t = 1e6) the dynamics is deterministic, so trials from the same
# configuration (t and t + N_0, round robin) repeat each other exactly; with fresh velocities (the default) they
# do not. (NVT liquid at rho 0.95: N_max median 3, lambda_0 = 20 is crossed twice in the basin runs.)
for mode in kept fresh; do
    sed -e "s|PREFIX|vel_$mode|" -e 's/^ensemble = npt/ensemble = nvt/' -e 's/^tau_t = 0.1/tau_t = 1e6/' \
        -e 's/^trial_max_steps = 1000/trial_max_steps = 40/' -e "s/^trial_velocities = fresh/trial_velocities = $mode/" \
        -e 's/^liquid_cells = 5 5 5/liquid_cells = 5 5 5\nliquid_density = 0.95/' tiny.ini > "vel_$mode.ini"
    mpirun -np 1 "$exe" ffs "vel_$mode.ini" > "vel_$mode.log" 2>&1 || { echo "FAIL: trial_velocities = $mode exited non-zero"; tail -5 "vel_$mode.log"; fail=1; }
done
$py - vel_kept.ffs.nc vel_fresh.ffs.nc <<'PY' || fail=1
import sys, numpy as np, netCDF4 as nc
def trials(path):
    d = nc.Dataset(path); d.set_auto_mask(False)
    n0 = int(d["configurations"][0]); root = np.asarray(d["trial_root"][0]); lam = np.asarray(d["trial_lambda_max"][0])
    st = np.asarray(d["trial_steps"][0])
    return n0, [(tuple(lam[root == r]), tuple(st[root == r])) for r in range(n0)]
nk, tk = trials(sys.argv[1]); nf, tf = trials(sys.argv[2])
rep = lambda t: all(len(set(l)) == 1 and len(set(s)) == 1 for l, s in t)
ok = nk >= 1 and nk == nf and rep(tk) and not rep(tf)
print(("ok  " if ok else "FAIL") + " trial_velocities: kept repeats per configuration %s, fresh differs %s" % (tk, tf))
sys.exit(0 if ok else 1)
PY

keys=$("$exe" ffs --keys)
grep -q "^ *interfaces .*atoms" <<< "$keys" && echo "ok   ffs --keys lists interfaces" || { echo "FAIL: ffs --keys"; fail=1; }

# bad inputs: one message naming the file and line, non-zero exit, no output
expect_error() { # name sed-expression pattern [ranks]
    sed -e "s|PREFIX|$1|" -e "$2" tiny.ini > "$1.ini"
    if mpirun -np "${4:-1}" "$exe" ffs "$1.ini" > "$1.log" 2>&1; then echo "FAIL: $1 accepted"; fail=1
    elif [ "$(grep -c 'seedrate: error' "$1.log")" -ne 1 ]; then echo "FAIL: $1: not one message: $(cat "$1.log")"; fail=1
    elif grep -q -- "$3" "$1.log"; then echo "ok   $1: $(grep -m1 -- "$3" "$1.log" | cut -c1-200)"
    else echo "FAIL: $1 message: $(cat "$1.log")"; fail=1; fi
    left=$(ls "$1".* | grep -v '\.ini$\|\.log$')
    [ -z "$left" ] || { echo "FAIL: $1 left output files: $left"; fail=1; }
    return 0
}
expect_error decreasing 's/^interfaces = .*/interfaces = 20 50 32/' "decreasing.ini:25: \[ffs\] interfaces: interfaces must increase: lambda_2 = 32 is not above lambda_1 = 50"
expect_error below_a 's/^interfaces = .*/interfaces = 8 32 50/' "below_a.ini:25: \[ffs\] interfaces: lambda_0 = 8 must be above lambda_A = 10"
expect_error in_basin 's/^interfaces = .*/interfaces = 12 32 50/' "in_basin.ini:25: \[ffs\] interfaces: lambda_0 = 12 is inside the liquid basin's own fluctuations" 2
expect_error no_lambda_a '/^lambda_A/d' "no_lambda_a.ini:[0-9]*: \[ffs\] missing required key 'lambda_A'"
expect_error adapt3 's/^interfaces = .*/interfaces = 20 32 50\np_target = 0.3/' "adapt3.ini:25: \[ffs\] interfaces: with p_target > 0 give lambda_0 and the last interface only"
expect_error nve 's/^ensemble = npt/ensemble = nve/' "nve.ini: \[ensemble\] FFS runs need ensemble = npt or nvt"
exit $fail
