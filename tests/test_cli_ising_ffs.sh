#!/usr/bin/env bash
# seedrate ising --mode ffs: forward flux sampling on the Ising testbed through the cnt_ffs_* layer of `seedrate ffs`,
# against brute force on the same lattice (2D, L = 32, T = 1.5, h = 0.3, Glauber, cluster check every 0.5 sweeps,
# nucleated = largest up-cluster >= 39): brute force's censored-exponential MLE over 1500 replicas (error ~2.5%) is
# the reference; 60 independent small FFS runs (8 basin runs x 100 sweeps, 5 stages x 150 trials): the analytic 68%
# interval must contain the reference in >= 60% of them, the mean rate must lie within 3 standard errors of it, and a
# rate 1.5x off must be covered in fewer than 60% (the check can fail). Bad interfaces: one message, exit 1.
set -uo pipefail
exe=${SEEDRATE_EXE:?}
py=/usr/bin/python3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0
common="--dim 2 --L 32 --T 1.5 --h 0.3"
"$exe" ising $common --mode bruteforce --replicas 1500 --seed 11 --t-max 1e5 --bootstrap 2 > brute.log 2>&1 ||
    { echo "FAIL: brute force"; cat brute.log; exit 1; }
grep -q "threshold = 39 spins" brute.log || { echo "FAIL: brute-force threshold is not 39"; grep threshold brute.log; fail=1; }
for s in $(seq 100 159); do
    "$exe" ising $common --mode ffs --interfaces 6,9,13,18,25,39 --lambda-a 4 --flux-runs 8 --flux-time 100 \
        --trials 150 --seed $s --bootstrap 2 > ffs.$s.log 2>&1 || { echo "FAIL: ffs seed $s"; cat ffs.$s.log; exit 1; }
done
$py - brute.log ffs.*.log <<'PY' || fail=1
import sys, re, math, statistics as st
b = open(sys.argv[1]).read()
m = re.search(r"rate I = k/N += ([0-9.e+-]+) \+- ([0-9.e+-]+) per site", b)
ref, ref_se = float(m.group(1)), float(m.group(2))
ks, cover, wrong = [], 0, 0
for f in sys.argv[2:]:
    t = open(f).read()
    m = re.search(r"rate I = k/N += ([0-9.e+-]+) per site per sweep \(log10 [-0-9.]+; analytic 68% \[([-0-9.]+), ([-0-9.]+)\]", t)
    k, lo, hi = float(m.group(1)), 10 ** float(m.group(2)), 10 ** float(m.group(3))
    ks.append(k); cover += lo <= ref <= hi; wrong += lo <= 1.5 * ref <= hi
n = len(ks); mean, se = st.mean(ks), st.stdev(ks) / math.sqrt(len(ks))
print("     brute force I = %.4g +- %.2g; FFS over %d runs: mean %.4g +- %.2g (median %.4g); analytic 68%% interval "
      "covers the reference in %d/%d, a rate 1.5x off in %d/%d" % (ref, ref_se, n, mean, se, st.median(ks), cover, n, wrong, n))
bad = 0
if cover < 0.6 * n: print("FAIL: coverage %d/%d below 60%%" % (cover, n)); bad = 1
else: print("ok   coverage %d/%d >= 60%%" % (cover, n))
if abs(mean - ref) > 3 * math.hypot(se, ref_se): print("FAIL: mean FFS rate %.4g vs brute force %.4g" % (mean, ref)); bad = 1
else: print("ok   mean FFS rate within 3 standard errors of brute force")
if wrong >= 0.6 * n: print("FAIL: a rate 1.5x off is covered too often (%d/%d): the test cannot tell" % (wrong, n)); bad = 1
sys.exit(bad)
PY
# bad interfaces
if "$exe" ising $common --mode ffs --interfaces 6,13,9,39 --lambda-a 4 > bad.log 2>&1; then echo "FAIL: decreasing interfaces accepted"; fail=1
elif grep -q "option --interfaces: interfaces must increase: lambda_2 = 9 is not above lambda_1 = 13" bad.log; then echo "ok   $(grep -m1 error bad.log)"
else echo "FAIL: bad interfaces message: $(cat bad.log)"; fail=1; fi
if "$exe" ising $common --mode ffs --interfaces 6,39 > bad2.log 2>&1; then echo "FAIL: missing --lambda-a accepted"; fail=1
elif grep -q "needs --lambda-a" bad2.log; then echo "ok   $(grep -m1 error bad2.log)"
else echo "FAIL: missing --lambda-a message: $(cat bad2.log)"; fail=1; fi
exit $fail
