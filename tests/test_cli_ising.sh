#!/usr/bin/env bash
# test_cli_ising.sh - `seedrate ising`: --help, a tiny run against Onsager's exact magnetisation, seeded
# reproducibility, and a bad option.
#  - 2D, L = 32, h = 0, T = 2.0 J/k_B (below T_c = 2.269), started all up: the time-averaged |m| must
#    match Onsager's spontaneous magnetisation m_s = [1 - sinh(2J/k_B T)^-4]^(1/8) (Yang, Phys. Rev.
#    85, 808 (1952)) = 0.91132 within 0.015 (finite size and sampling), and its error bar must be
#    smaller than 0.015;
#  - the bruteforce header quotes the exact m_s at T = 1.5 (0.98650) to its printed 6 digits;
#  - the same seed gives byte-identical output; --L 0 is rejected with one line naming the option;
#  - a small 2D seeding run (T = 1.5, h = 0.3) goes through the MD pipeline's fits: the P_grow line of
#    cnt_pgrow_fit gives N_c in [12, 28] (the large-lattice value is 18.7 +- 0.5; Wulff CNT N* = 12.9), the
#    drift-free barrier-top f+ (cnt_attach_fit_barrier) lies in [2, 15] per sweep (6 at L = 64) and the printed rate is
#    cnt_compute_dim's 2D formula log10(Z f+) - Δμ N_c/(T ln 10) with Z = sqrt(Δμ/(4π T N_c));
#  - the bruteforce run prints the censored-exponential MLE of cnt_brute_mle_fit; --dynamics foo is rejected.
set -u
EXE="${SEEDRATE_EXE:-}"
[ -n "$EXE" ] && [ -x "$EXE" ] || { echo "SKIP: SEEDRATE_EXE not set or not executable"; exit 77; }
W="$(mktemp -d "${TMPDIR:-/tmp}/seedrate-cli-ising.XXXXXX")"
trap 'rm -rf "$W"' EXIT
cd "$W"
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

"$EXE" ising --help > help.txt 2> help.err; rc=$?
if [ $rc -eq 0 ] && grep -q -- "--mode" help.txt && [ ! -s help.err ]; then ok "--help: exit 0, usage on stdout"
else bad "--help: rc $rc, stdout $(wc -c < help.txt) bytes, stderr: $(cat help.err)"; fi

run=(ising --mode magnetisation --dim 2 --L 32 --T 2.0 --h 0 --t-prod 2000 --start up --seed 4242)
"$EXE" "${run[@]}" > m1.txt 2> m1.err || bad "magnetisation run failed: $(cat m1.err)"
"$EXE" "${run[@]}" > m2.txt 2> m2.err || bad "second magnetisation run failed: $(cat m2.err)"
cmp -s m1.txt m2.txt && ok "same seed, same output" || bad "same seed gave different output"
line="$(grep '<|m|>' m1.txt)"
read -r m dm <<< "$(echo "$line" | awk '{for (i = 1; i <= NF; i++) if ($i == "=") print $(i + 1), $(i + 3)}')"
exact=$(awk 'BEGIN { T = 2.0; s = (exp(2 / T) - exp(-2 / T)) / 2; printf "%.6f", (1 - s ^ -4) ^ 0.125 }')
if awk -v m="${m:-nan}" -v dm="${dm:-nan}" -v e="$exact" 'BEGIN { d = m - e; if (d < 0) d = -d; exit !(d < 0.015 && dm > 0 && dm < 0.015) }'
then ok "<|m|> = $m +- $dm vs Onsager $exact"
else bad "<|m|> = ${m:-?} +- ${dm:-?} vs Onsager $exact (line: $line)"; fi

"$EXE" ising --dim 2 --L 16 --T 1.5 --h 0.3 --replicas 5 --t-max 2000 --seed 12345 > b.txt 2> b.err ||
    bad "bruteforce run failed: $(cat b.err)"
ms=$(sed -n 's/.*m_s = \([0-9.]*\).*/\1/p' b.txt | head -1)
exact15=$(awk 'BEGIN { T = 1.5; s = (exp(2 / T) - exp(-2 / T)) / 2; printf "%.6f", (1 - s ^ -4) ^ 0.125 }')
awk -v a="${ms:-nan}" -v b="$exact15" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 2e-6) }' &&
    ok "bruteforce header m_s(T=1.5) = $ms = Onsager $exact15" || bad "header m_s '${ms}' != Onsager $exact15"

grep -q 'censored-exponential MLE, cnt_brute_mle_fit' b.txt && ok "bruteforce: cnt_brute_mle_fit line" ||
    bad "bruteforce output lacks the cnt_brute_mle_fit line: $(cat b.txt)"

"$EXE" ising --dim 2 --L 24 --T 1.5 --h 0.3 --mode seeding --sizes 6,10,14,18,24,30 --replicas 40 \
    --msd-replicas 60 --bootstrap 50 --seed 99 > s.txt 2> s.err || bad "seeding run failed: $(cat s.err)"
nc=$(sed -n 's/^P_grow fit (cnt_pgrow_fit).*N_c = \([0-9.]*\) .*/\1/p' s.txt)
fp=$(sed -n 's/.*(cnt_attach_fit_barrier) = \([0-9.]*\) .*/\1/p' s.txt)
lj=$(grep -m1 'J = Z f+' s.txt | sed 's/.*log10 \([-0-9.]*\).*/\1/')
if awk -v n="${nc:-nan}" -v f="${fp:-nan}" -v l="${lj:-nan}" 'BEGIN {
        T = 1.5; s = (exp(2 / T) - exp(-2 / T)) / 2; ms = (1 - s ^ -4) ^ 0.125; dmu = 2 * 0.3 * ms
        Z = sqrt(dmu / (4 * 3.141592653589793 * T * n)); ref = log(Z * f) / log(10) - dmu * n / (T * log(10))
        d = l - ref; if (d < 0) d = -d
        exit !(n >= 12 && n <= 28 && f >= 2 && f <= 15 && d < 0.002) }'
then ok "seeding: N_c = $nc, f+ = $fp, log10 J = $lj (2D CNT formula)"
else bad "seeding: N_c = '${nc}', f+ = '${fp}', log10 J = '${lj}': $(cat s.txt)"; fi

"$EXE" ising --dynamics foo > /dev/null 2> d.txt && bad "--dynamics foo accepted" ||
    { grep -q -- "--dynamics" d.txt && ok "--dynamics foo rejected" || bad "--dynamics foo: $(cat d.txt)"; }

"$EXE" ising --L 0 > /dev/null 2> e.txt; rc=$?
if [ $rc -ne 0 ] && [ "$(grep -c '' e.txt)" -eq 1 ] && grep -q -- "--L" e.txt; then ok "--L 0 rejected: $(cat e.txt)"
else bad "--L 0: rc $rc, stderr: $(cat e.txt)"; fi
exit $fail
