#!/usr/bin/python3
"""Per-stage lineage of a seedrate FFS run from its journal (PREFIX.ffs.cnt.journal), finished or not.

Usage: /usr/bin/python3 lineage.py PREFIX.ffs.cnt.journal

For each stage: configurations at the interface, how many distinct first-interface configurations (roots) they
descend from, successes, successes at step 0 (the start was already past the next interface: a copy of the same
configuration), and the rate estimate from the stages journaled so far (P over decided trials; the run's own
table divides by all trials) (J = N_0/T_A prod P_i / <V>, with the
analytic relative variance 1/N_0 + sum (1 - P_i)/(P_i M_i) of Allen, Valeriani & ten Wolde 2009, which assumes
independent trials). Trial t of stage i starts from configuration t mod N_i, the configurations of interface i + 1
being stage i's successes in trial order (src/seeding/seed_ffs.c, trial_task)."""
import collections
import math
import sys

flux, stages = [], collections.defaultdict(dict)
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "ffs-flux":  # run, nv, crossings, time, volume sum, volume frames, reached B, lambda max, failed
        flux.append([float(x) for x in f[4:]])
    elif f[0].startswith("ffs-stage"):  # trial, nv, outcome (1 success, 0 fail, 2 undecided, 3 broken), steps, lambda max
        stages[int(f[0][9:])][int(f[2])] = [float(x) for x in f[4:]]
n0 = int(sum(v[0] for v in flux))
t_a = sum(v[1] for v in flux)
vol = sum(v[2] for v in flux) / sum(v[3] for v in flux)
print(f"flux: N_0 = {n0} crossings in T_A = {t_a:g}, <V> = {vol:.6g}")
roots = list(range(n0))
prod, relvar = 1.0, 1.0 / n0
for i in sorted(stages):
    trials = stages[i]
    n = len(roots)
    succ = [t for t in sorted(trials) if trials[t][0] == 1]
    decided = sum(1 for t in trials if trials[t][0] in (0, 1))
    zero = sum(1 for t in succ if trials[t][1] == 0)
    new = [roots[t % n] for t in succ]
    p = len(succ) / decided if decided else float("nan")
    prod *= p
    relvar += (1 - p) / (p * decided) if p > 0 else float("inf")
    print(f"stage {i}: {n} configurations from {len(set(roots))} roots; {len(trials)} trials, {len(succ)} successes "
          f"(P = {p:.4f}), {zero} at step 0; successes from {len(set(new))} roots")
    roots = new
k = n0 / t_a * prod
if k > 0:
    s = math.sqrt(math.log(1 + relvar)) / math.log(10)
    print(f"stages so far: log10 J = {math.log10(k / vol):.3f}, analytic 68 % [{math.log10(k / vol) - s:.3f}, "
          f"{math.log10(k / vol) + s:.3f}] (independent trials assumed)")
