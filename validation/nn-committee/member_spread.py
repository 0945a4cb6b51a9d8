#!/usr/bin/python3
"""The committee's spread of the network's 210 K rate (issue 18 item 3).

Reads the rates files of the four member jobs (rate-210K-learn-m1..m4.ini, [potential] member = N), of the
committee-mean job (rate-210K-learn.ini) and of mW (rate-210K-mW.ini) from out-210K/, and prints a Markdown table
of T_m, dmu, N_c, f+, gamma, beta dG* and log10 J per job, then the spread of log10 J over the members and the
network's interval with it:

  s_J     sample standard deviation of the members' log10 J (m^-3 s^-1)
  h_stat  mean over the members of their statistical 68 % half-widths (each job's own sampling noise)
  s_pot   sqrt(max(0, s_J^2 - h_stat^2)): the part of the spread the jobs' own noise does not explain (the members
          were run with the same seed and protocol, but their trajectories decorrelate, so their noise is
          independent to first order)
  network log10 J = the committee-mean job's value; 68 % half-width = its total (statistics + systematics)
          half-width (+) s_J in quadrature (s_J, not s_pot: the conservative choice)

Usage (from validation/nn-committee): /usr/bin/python3 member_spread.py
"""
import math
import sys

import netCDF4

JOBS = [("member 1", "rate-learn-m1"), ("member 2", "rate-learn-m2"), ("member 3", "rate-learn-m3"),
        ("member 4", "rate-learn-m4"), ("committee mean", "rate-learn"), ("mW", "rate-mW")]


def read(prefix):
    d = netCDF4.Dataset("out-210K/%s.rates.nc" % prefix)
    g = lambda k: float(d.variables[k][:].ravel()[0])
    r = {k: g(k) for k in ("T_m", "T_m_se", "dmu", "dmu_se", "n_c", "n_c_lo68", "n_c_hi68", "f_plus",
                           "gamma_si", "beta_dG_star", "log10_J_si", "log10_J_si_lo68", "log10_J_si_hi68",
                           "log10_J", "rate_log10_J_total_lo68", "rate_log10_J_total_hi68")}
    d.close()
    return r


def main():
    rows = []
    for name, prefix in JOBS:
        try:
            rows.append((name, read(prefix)))
        except (OSError, KeyError) as e:
            print("%s: %s" % (prefix, e), file=sys.stderr)
    print("| 210 K | T_m (K) | dmu (eV) | N_c [68 %] | f+ (ps^-1) | gamma (mJ m^-2) | dG*/kT | "
          "log10 J (m^-3 s^-1), statistical 68 % | total 68 % |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        off = r["log10_J_si"] - r["log10_J"]  # the unit shift, A^-3 ps^-1 -> m^-3 s^-1
        print("| %s | %.1f +- %.1f | %.5f +- %.5f | %.1f [%.1f, %.1f] | %.2f | %.1f | %.1f | %.2f [%.2f, %.2f] | "
              "[%.2f, %.2f] |" % (name, r["T_m"], r["T_m_se"], r["dmu"], r["dmu_se"], r["n_c"], r["n_c_lo68"],
                                  r["n_c_hi68"], r["f_plus"], 1e3 * r["gamma_si"], r["beta_dG_star"], r["log10_J_si"],
                                  r["log10_J_si_lo68"], r["log10_J_si_hi68"], r["rate_log10_J_total_lo68"] + off,
                                  r["rate_log10_J_total_hi68"] + off))
    members = [r for name, r in rows if name.startswith("member")]
    byname = dict(rows)
    if len(members) < 2 or "committee mean" not in byname or "mW" not in byname:
        print("\n(not all jobs have finished: no spread)")
        return
    J = [r["log10_J_si"] for r in members]
    m = sum(J) / len(J)
    s = math.sqrt(sum((x - m) ** 2 for x in J) / (len(J) - 1))
    h = math.sqrt(sum(((r["log10_J_si_hi68"] - r["log10_J_si_lo68"]) / 2) ** 2 for r in members) / len(members))
    s_pot = math.sqrt(max(0.0, s * s - h * h))
    c, w = byname["committee mean"], byname["mW"]
    half = lambda r: (r["rate_log10_J_total_hi68"] - r["rate_log10_J_total_lo68"]) / 2
    hc = math.sqrt(half(c) ** 2 + s * s)
    print("\n%d members: log10 J %s; mean %.2f, spread s_J = %.2f decades (sample standard deviation)" %
          (len(J), " ".join("%.2f" % x for x in J), m, s))
    print("members' own statistical half-width (rms) h_stat = %.2f; spread not explained by it s_pot = %.2f" % (h, s_pot))
    print("T_m over the members: %s K" % " ".join("%.1f" % r["T_m"] for r in members))
    print("network (committee mean) log10 J = %.2f, 68 %% half-width %.2f (total) (+) %.2f (s_J) = %.2f -> [%.2f, %.2f]"
          % (c["log10_J_si"], half(c), s, hc, c["log10_J_si"] - hc, c["log10_J_si"] + hc))
    hw = half(w)
    d = c["log10_J_si"] - w["log10_J_si"]
    print("mW log10 J = %.2f, total 68 %% half-width %.2f; network - mW = %.2f = %.2f combined standard deviations"
          % (w["log10_J_si"], hw, d, d / math.sqrt(hc * hc + hw * hw)))


if __name__ == "__main__":
    main()
