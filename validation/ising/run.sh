#!/bin/bash
# Brute-force vs seeding nucleation rates of the 2D Ising model (T = 1.5 J/k_B, L = 64, Glauber n-fold way),
# analysed with the MD pipeline's statistics (cnt_brute_mle_fit, tau(n) WSR fit, cnt_pgrow_fit,
# drift-free f+ on the barrier top (cnt_attach_fit_barrier) with the window rule, cnt_compute_dim).
# Usage: SEEDRATE=/path/to/seedrate bash validation/ising/run.sh [outdir]
# (about 2 minutes of CPU on one core, most of it the h = 0.15 brute-force runs)
set -euo pipefail
exe=${SEEDRATE:-seedrate}
out=${1:-ising_validation}
mkdir -p "$out"
for h in 0.30 0.25 0.20 0.15; do
    "$exe" ising --dim 2 --L 64 --T 1.5 --h $h --mode bruteforce --replicas 60 --seed 2024 --t-max 1e6 \
        > "$out/brute_h$h.txt"
    "$exe" ising --dim 2 --L 64 --T 1.5 --h $h --mode seeding --replicas 200 --seed 2024 > "$out/seed_h$h.txt"
done
printf "%6s %11s %11s %11s %16s %12s %8s %8s %7s\n" h log10I_mle log10I_lag log10I_wsr log10J_seed log10J_wulff \
    N_c N*_wulff f+
for h in 0.30 0.25 0.20 0.15; do
    b="$out/brute_h$h.txt"; s="$out/seed_h$h.txt"
    i1=$(grep -m1 'rate I = k/N' "$b" | sed 's/.*log10 \([-0-9.]*\)).*/\1/')
    i2=$(grep -m1 'lag-corrected MLE  ' "$b" | sed 's/.*log10 \([-0-9.]*\)).*/\1/')
    i3=$(grep -m1 'rate I = 1/(tau_J N)' "$b" | sed 's/.*log10 \([-0-9.]*\)).*/\1/')
    j1=$(grep 'J = Z f+' "$s" | sed -n 1p | sed 's/.*log10 \([-0-9.]*\) +- \([0-9.]*\)).*/\1+-\2/')
    j2=$(grep 'J = Z f+' "$s" | sed -n 2p | sed 's/.*log10 \([-0-9.]*\)).*/\1/')
    nc=$(grep '^  N_c  ' "$s" | sed -n 1p | awk '{print $3}')
    nw=$(grep '^  N_c  ' "$s" | sed -n 2p | awk '{print $3}')
    fp=$(grep -m1 'cnt_attach_fit_barrier) =' "$s" | sed 's/.*) = \([0-9.]*\) .*/\1/')
    printf "%6s %11s %11s %11s %16s %12s %8s %8s %7s\n" $h $i1 $i2 $i3 $j1 $j2 $nc $nw $fp
done
