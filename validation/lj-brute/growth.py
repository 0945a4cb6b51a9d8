#!/usr/bin/python3
"""Passage-time diagnostics of a `seedrate brute` run: spread of the first-passage times (exponential waiting has
sd/mean = 1) and the growth time from the last frame with N_max below a size to n_stop.
Usage: /usr/bin/python3 growth.py PREFIX.brute.nc"""
import sys
import numpy as np
import netCDF4 as nc

d = nc.Dataset(sys.argv[1])
d.set_auto_mask(False)
t, reached, nmax = d["t_end"][:], d["reached"][:], d["n_max"][:]
fpt, frame_t = d["first_passage_time"][:], d["time"][1] - d["time"][0]
n_stop = int(d["n_stop"][...])
tr = t[reached == 1]
print("passage times at n_stop = %d: %s" % (n_stop, " ".join("%g" % x for x in np.sort(tr))))
print("mean %.1f, sd %.1f, sd/mean %.2f" % (tr.mean(), tr.std(ddof=1), tr.std(ddof=1) / tr.mean()))
for n in (100, 200, 300, 400):
    if n < n_stop:
        x = fpt[reached == 1, n]
        print("first passage at n = %d: mean %.1f, sd/mean %.2f" % (n, x.mean(), x.std(ddof=1) / x.mean()))
for thr in (150, 200, 300):
    g = []
    for r in np.nonzero(reached == 1)[0]:
        row = nmax[r][nmax[r] >= 0]
        below = np.nonzero(row < thr)[0]
        g.append(t[r] - below[-1] * frame_t)
    print("growth from the last frame with N_max < %d to n_stop: mean %.1f, sd %.1f" % (thr, np.mean(g), np.std(g, ddof=1)))
