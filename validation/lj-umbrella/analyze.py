#!/usr/bin/python3
"""Diagnostics of a `seedrate umbrella` run (PREFIX.umbrella.nc): per-window drift and overlap, and the free energy
of the windows from a lowest centre up, WHAM in numpy with a block bootstrap.

usage: analyze.py PREFIX.umbrella.nc [c_min] [half_width]

- Per window: acceptance, start, mean N_max in the first and second halves of the production (a drift of more than a
  couple of atoms means the window is not equilibrated), overlap sum_n min(p_i, p_i+1) with the next window.
- WHAM over the windows with centre >= c_min only (default 4): F(n) - F(n_ref) with n_ref = the lowest bin those
  windows sample well. This is the part of dG(N_max) that does not depend on linking the labelled clusters to the
  liquid's N_max = 0 (see README.md: under the strict classifier the windows at c < 4 keep their embryo and do not
  sample the liquid's N_max = 0 in equilibrium).
- n* and the height of the top above n_ref from a parabola fitted within half_width (default 20) of the highest bin,
  as `seedrate umbrella` does (cnt_umbrella_top_fit), with the bootstrap sd over 200 block resamples (10 blocks).
"""
import sys
import numpy as np
import netCDF4 as nc


def wham(H, bias, tol=1e-10):
    N, Ht = H.sum(1), H.sum(0)
    f = np.zeros(len(H))
    with np.errstate(divide="ignore"):
        lnHt = np.where(Ht > 0, np.log(np.maximum(Ht, 1e-300)), -np.inf)
        for _ in range(200000):
            a = np.log(N)[:, None] + f[:, None] - bias
            m = a.max(0)
            lnP = lnHt - (m + np.log(np.exp(a - m).sum(0)))
            b = lnP[None, :] - bias
            mb = np.max(np.where(np.isfinite(b), b, -np.inf), 1)
            fn = -(mb + np.log(np.exp(b - mb[:, None]).sum(1)))
            fn -= fn[0]
            if np.abs(fn - f).max() < tol:
                f = fn
                break
            f = fn
    return -lnP  # F(n) up to a constant, inf where unsampled


def top_fit(F, peak, h):
    n = np.arange(len(F))
    m = np.isfinite(F) & (np.abs(n - peak) <= h)
    if m.sum() < 5:
        return None
    a2, a1, a0 = np.polyfit(n[m] - peak, F[m], 2)
    if a2 >= 0 or abs(a1 / (2 * a2)) > h:
        return None
    return peak - a1 / (2 * a2), a0 - a1 * a1 / (4 * a2), 2 * a2


def main():
    d = nc.Dataset(sys.argv[1])
    d.set_auto_mask(False)
    cmin = float(sys.argv[2]) if len(sys.argv) > 2 else 4.0
    h = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    s = np.asarray(d["n_max_series"][:]).astype(int)
    c, k = np.asarray(d["centre"][:]), np.asarray(d["kappa"][:])
    acc, start = np.asarray(d["acceptance"][:]), np.asarray(d["n_max_start"][:])
    nb = s.max() + 1
    n = np.arange(nb)
    H = np.array([np.bincount(x, minlength=nb) for x in s], float)
    p = H / H.sum(1)[:, None]
    print("window  centre  kappa  accept  start  <N_max> 1st half  2nd half  overlap(next)")
    for w in range(len(c)):
        half = len(s[w]) // 2
        ov = np.minimum(p[w], p[w + 1]).sum() if w + 1 < len(c) else np.nan
        print("%6d  %6g  %5g  %6.3f  %5d  %7.2f  %8.2f  %8.2f  %13.3f" % (w, c[w], k[w], acc[w], start[w], s[w].mean(),
              s[w][:half].mean(), s[w][half:].mean(), ov))
    use = np.where((c >= cmin) & (k > 0))[0]
    bias = 0.5 * k[use][:, None] * (n[None, :] - c[use][:, None]) ** 2
    F = wham(H[use], bias)
    nref = int(n[np.isfinite(F) & (H[use].sum(0) >= 200)].min())
    F -= F[nref]
    peak = nref + int(np.nanargmax(np.where(np.isfinite(F[nref:]), F[nref:], -np.inf)))
    fit = top_fit(F, peak, h)
    rng = np.random.default_rng(2016)
    B, boots = 10, []
    for _ in range(200):
        Hb = np.array([np.bincount(np.concatenate([np.array_split(s[w], B)[q] for q in rng.integers(0, B, B)]),
                                   minlength=nb) for w in use], float)
        Fb = wham(Hb, bias)
        Fb -= Fb[nref]
        pb = nref + int(np.nanargmax(np.where(np.isfinite(Fb[nref:]), Fb[nref:], -np.inf)))
        fb = top_fit(Fb, pb, h)
        if fb:
            boots.append((pb, Fb[pb], fb[0], fb[1], fb[2]))
    boots = np.array(boots).reshape(-1, 5)
    print("\nWHAM over the %d windows with centre >= %g: F(n) - F(%d) (kT)" % (len(use), cmin, nref))
    print("   n   F(n)-F(nref)")
    for i in range(nref, nb, 3):
        if np.isfinite(F[i]):
            print("%4d  %8.3f" % (i, F[i]))
    lowest = nref + int(np.nanargmin(np.where(np.isfinite(F[nref:]), F[nref:], np.inf)))
    print("highest bin above n_ref: n = %d, F - F(nref) = %.3f; lowest: n = %d, %.3f" % (peak, F[peak], lowest,
                                                                                         F[lowest]))
    if fit and len(boots) >= 2:
        print("parabola within +-%d: n* = %.1f +- %.1f (68%% [%.1f, %.1f]), top - F(nref) = %.3f +- %.3f kT, "
              "curvature %.4g +- %.2g, Z = %.4f" % (h, fit[0], boots[:, 2].std(ddof=1),
              *np.percentile(boots[:, 2], [16, 84]), fit[1], boots[:, 3].std(ddof=1), fit[2],
              boots[:, 4].std(ddof=1), np.sqrt(-fit[2] / (2 * np.pi))))
    print("(%d of 200 resamples had a parabola at the top)" % len(boots))


if __name__ == "__main__":
    main()
