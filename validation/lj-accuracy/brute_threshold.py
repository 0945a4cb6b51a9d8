#!/usr/bin/python3
"""Brute-force rate with the threshold n_b below n_stop (Yasuoka-Matsumoto threshold method; Chkonia et al.,
JCP 130, 064505 (2009)): the nucleation time of a replica is the first time its largest cluster reaches n_b,
replicas that never do are censored at their last frame, J = (events) / (<V> * sum of times) (censored-exponential
MLE, as `seedrate brute` does at n_stop), 68 % interval by bootstrap over replicas. With n_b well above the critical
size the time to grow from n* to n_b is added to every event; with n_b near or below n* pre-critical fluctuations
count as events. The sizes are in the brute-force run's own labels ([order] of its input).

usage: /usr/bin/python3 brute_threshold.py PREFIX.brute.nc [n_b ...]
"""
import sys

import netCDF4
import numpy as np


def mle(t, hit, V):
    k = int(hit.sum())
    return k / (V * t.sum()) if k else np.nan


def main():
    d = netCDF4.Dataset(sys.argv[1])
    size = np.asarray(d["size"][:])
    fpt = np.asarray(d["first_passage_time"][:], dtype=float)  # [replica, size]
    failed = np.asarray(d["failed"][:]) != 0
    t_end = np.asarray(d["t_end"][:], dtype=float)
    V = float(np.asarray(d["volume"][:])[~failed].mean())
    nb = [int(x) for x in sys.argv[2:]] or [75, 100, 150, 200, 300, 400, 600]
    T = float(d["temperature"][:]) if "temperature" in d.variables else float("nan")
    print(f"{sys.argv[1]}: T = {T:g}, {int((~failed).sum())} replicas, <V> = {V:.1f}")
    print("   n_b  events  mean t (tau)  sd/mean  log10 J_MLE   68% bootstrap")
    rng = np.random.default_rng(1)
    for n in nb:
        j = int(np.searchsorted(size, n))
        if j >= size.size or size[j] != n:
            continue
        f = fpt[~failed, j]
        hit = np.isfinite(f)
        t = np.where(hit, f, t_end[~failed])
        J = mle(t, hit, V)
        boots = []
        m = t.size
        for _ in range(2000):
            i = rng.integers(0, m, m)
            b = mle(t[i], hit[i], V)
            if np.isfinite(b) and b > 0:
                boots.append(np.log10(b))
        lo, hi = np.percentile(boots, [16, 84])
        ft = f[hit]
        cv = ft.std(ddof=1) / ft.mean() if ft.size > 1 else np.nan
        print(f"{n:6d} {int(hit.sum()):7d} {ft.mean():13.2f} {cv:8.2f} {np.log10(J):12.2f}   [{lo:.2f}, {hi:.2f}]")


if __name__ == "__main__":
    main()
