#!/usr/bin/python3
"""Checks of the bonds-classifier umbrella run (bonds-070.ini) from its PREFIX.umbrella.nc.

usage: analyze_bonds.py PREFIX.umbrella.nc [half_width] [png] [band_lo,band_hi] [lambda_A,lambda_B] [classifier]

band: an N_max range shaded on the plot as FFS's committor-0.5 region (none if not given); lambda_A, lambda_B: the
FFS basin and last interface used to classify where the f+ runs go first (default 70,600: bonds-070.ini's FFS).

- Per window: acceptance, start, mean N_max in the first and second halves of the production, sd, overlap with the
  next window (a drift of more than a few atoms between the halves: not equilibrated).
- Equilibration/hysteresis of the free energy: dG(n) from WHAM (numpy, analyze.py) over the first halves of all
  windows and over the second halves, against the run's own dG(n); n* and dG* of a parabola within half_width
  (default: the run's top_half_width) of each curve's highest bin (as cnt_umbrella_top_fit).
- f+: var(N(t) - N(0)) about the runs' mean at a few times, with the straight-line slope/2 over several windows (the
  sensitivity of f+ to the fit window; the run's own value uses the barrier-top rule).
- J without the parabola: the 1-D Smoluchowski (Kramers) flux over the whole sampled dG(n) with the measured f+ as a
  constant diffusion coefficient, J_1D = rho_l f+ / sum_n exp(dG(n)/kT), the sum from the basin to the last sampled
  n (absorbing there). The Zeldovich form rho_l Z f+ exp(-dG*/kT) is its saddle-point (parabolic top) limit, so the
  two differ where the top is not a parabola over the width that matters.
- png (optional): dG(n) with its bootstrap band and the two halves.
"""
import sys
import numpy as np
import netCDF4 as nc
from analyze import wham, top_fit


def top(F, h):
    n = np.arange(len(F))
    b0 = int(np.nanargmin(np.where(np.isfinite(F), F, np.inf)))
    Fa = np.where(np.isfinite(F) & (n > b0), F, -np.inf)
    peak = int(np.argmax(Fa))
    return peak, top_fit(F, peak, h)


def main():
    d = nc.Dataset(sys.argv[1])
    d.set_auto_mask(False)
    g = lambda v: np.asarray(d[v][...])
    h = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    band = tuple(float(x) for x in sys.argv[4].split(",")) if len(sys.argv) > 4 else None
    lam_a, lam_b = (float(x) for x in (sys.argv[5] if len(sys.argv) > 5 else "70,600").split(","))
    classifier = sys.argv[6] if len(sys.argv) > 6 else "the run's classifier"
    s = g("n_max_series").astype(int)
    c, k, acc, start = g("centre"), g("kappa"), g("acceptance"), g("n_max_start")
    N = int(g("n_atoms"))
    nb = s.max() + 1
    n = np.arange(nb)
    H = np.array([np.bincount(x, minlength=nb) for x in s], float)
    p = H / H.sum(1)[:, None]
    half = s.shape[1] // 2
    print("window centre  accept  start  <N_max>  1st half  2nd half  drift  sd    overlap(next)")
    for w in range(len(c)):
        ov = np.minimum(p[w], p[w + 1]).sum() if w + 1 < len(c) else np.nan
        a, b = s[w][:half].mean(), s[w][half:].mean()
        print("%5d  %5g  %6.3f  %5d  %7.1f  %8.1f  %8.1f  %+5.1f  %4.1f  %6.3f" % (w, c[w], acc[w], start[w], s[w].mean(),
              a, b, b - a, s[w].std(), ov))
    bias = 0.5 * k[:, None] * (n[None, :] - c[:, None]) ** 2
    curves = {"run": g("dg")}
    for name, sl in (("1st half", slice(0, half)), ("2nd half", slice(half, None))):
        Hh = np.array([np.bincount(x[sl], minlength=nb) for x in s], float)
        F = wham(Hh, bias)
        with np.errstate(invalid="ignore"):
            lnP = -F - np.log(np.exp(-F[np.isfinite(F)]).sum())
        curves[name] = -lnP + np.log(N)
    print("\n  n   dG/kT (run)   +-    1st half  2nd half")
    for q in list(range(0, nb, 20)):
        print("%4d  %8.2f  %6.2f  %8.2f  %8.2f" % (q, curves["run"][q], g("dg_err")[q], curves["1st half"][q],
                                                  curves["2nd half"][q]))
    for name, F in curves.items():
        peak, fit = top(F, h)
        if fit is None:
            print("%-9s highest bin %d (dG %.2f): no parabola within +-%d" % (name, peak, F[peak], h))
        else:
            print("%-9s highest bin %d (dG %.2f); parabola +-%d: n* %.1f, dG* %.2f, Z %.4f" % (name, peak, F[peak], h,
                  fit[0], fit[1], np.sqrt(-fit[2] / (2 * np.pi)) if fit[2] < 0 else np.nan))
    if "attach_n_max" in d.variables:
        Na, t = g("attach_n_max"), g("attach_time")
        dN = Na - Na[:, :1]
        var = dN.var(0, ddof=1)
        print("\nf+ runs: %d from the window at %g (N_max at the start %.1f +- %.1f)" % (Na.shape[0],
              g("attach_window_centre"), Na[:, 0].mean(), Na[:, 0].std()))
        print("  t     <dN>     var(dN)")
        for j in sorted(set([1, 2, 4, 10, 20, 40, 60, 80, len(t) - 1])):
            if j < len(t):
                print("  %5.2f  %7.1f  %8.0f" % (t[j], dN[:, j].mean(), var[j]))
        for t0, t1 in ((t[1], t[-1]), (0.25, 1.0), (0.5, 2.0), (1.0, t[-1]), (t[1], g("attach_fit_t1"))):
            m = (t >= t0 - 1e-9) & (t <= t1 + 1e-9)
            if m.sum() >= 3:
                print("  straight line over [%.2f, %.2f]: f+ = %.0f" % (t0, t1, np.polyfit(t[m], var[m], 1)[0] / 2))
        print("  run: f+ = %.1f (68%% [%.1f, %.1f]) over [%.3g, %.3g], var_top %.0f; log10 J = %.2f [%.2f, %.2f]"
              % (g("attachment_rate_measured"), g("attachment_rate_lo68"), g("attachment_rate_hi68"),
                 g("attach_fit_t0"), g("attach_fit_t1"), g("attach_var_top"), g("log10_j"), g("log10_j_lo68"),
                 g("log10_j_hi68")))
        dg = g("dg")
        b0 = int(g("n_basin"))
        m = np.isfinite(dg) & (n >= b0)
        lse = np.log(np.exp(dg[m] - dg[m].max()).sum()) + dg[m].max()
        f = g("attachment_rate_measured")
        print("  1-D Smoluchowski: ln sum_n exp(dG) = %.2f over n = %d..%d; log10 J_1D = %.2f (Zeldovich form %.2f)"
              % (lse, b0, n[m].max(), np.log10(g("rho_liquid") * f) - lse / np.log(10), g("log10_j")))
        for name in ("1st half", "2nd half"):
            c2 = curves[name]
            m2 = np.isfinite(c2) & (n >= b0)
            l2 = np.log(np.exp(c2[m2] - c2[m2].max()).sum()) + c2[m2].max()
            print("    %s: log10 J_1D = %.2f" % (name, np.log10(g("rho_liquid") * f) - l2 / np.log(10)))
        Na0 = Na[:, 0]
        first = []
        for r in Na:
            a, b = np.where(r >= lam_b)[0], np.where(r < lam_a)[0]
            fa, fb = (a[0] if len(a) else np.inf), (b[0] if len(b) else np.inf)
            first.append("B" if fa < fb else "A" if fb < fa else "-")
        print("  fate within %.0f tau: %d reach N_max %g first, %d fall below %g (FFS's basin A) first, %d neither; "
              "N_max at the end: median %.0f, %d of %d above their start" % (t[-1], first.count("B"), lam_b, first.count("A"), lam_a,
              first.count("-"), np.median(Na[:, -1]), (Na[:, -1] > Na0).sum(), len(Na0)))
    if len(sys.argv) > 3:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(7, 4.5))
        dg, e = curves["run"], g("dg_err")
        ax.fill_between(n, dg - e, dg + e, color="0.8", label="run, bootstrap sd")
        ax.plot(n, dg, "k-", lw=1, label="run (WHAM, %d windows)" % len(c))
        ax.plot(n, curves["1st half"], "b--", lw=0.8, label="first halves")
        ax.plot(n, curves["2nd half"], "r:", lw=0.8, label="second halves")
        if band:
            ax.axvspan(band[0], band[1], color="g", alpha=0.1, label="FFS committor 0.5 (%g-%g)" % band)
        ax.set_xlabel("N_max (%s)" % classifier)
        ax.set_ylabel("dG(n)/kT = -ln(P(N_max = n)/N)")
        ax.set_title("LJ T* = %g, p* = %g, %d atoms" % (g("temperature"), g("pressure"), g("n_atoms")))
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(sys.argv[3], dpi=110)


main()
