#!/usr/bin/env bash
# test_cli_kmc.sh - `seedrate kmc`: --help; the exact Becker-Doring flux of a flat chain against the hand
# formula J_BD = rho_l f / (n_max - 1); the CNT chain with N_c = 30, |dmu| = 0.5 kT: the Zeldovich error
# J_CNT/J_BD - 1 lies in (0, 1/N_c) and the kMC MFPT rate equals J_BD within 3 statistical errors plus
# 2% (the bias of the erf form measured on the exact curve, 1.5%); `mpirun -np 2` prints the same numbers
# as one rank; --campaign PREFIX reads PREFIX.rates.nc and gives the numbers of the same explicit options;
# bad input is reported all at once, one line per problem, naming the option or the file.
set -u
EXE="${SEEDRATE_EXE:-}"
[ -n "$EXE" ] && [ -x "$EXE" ] || { echo "SKIP: SEEDRATE_EXE not set or not executable"; exit 77; }
W="$(mktemp -d "${TMPDIR:-/tmp}/seedrate-cli-kmc.XXXXXX")"
trap 'rm -rf "$W"' EXIT
cd "$W"
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
# value of a row: field 2 after the label; ratio: the field after the unit
field() { grep -F "$2" "$1" | head -1 | awk -v k="$3" '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[-+]?[0-9][0-9.]*(e[-+][0-9]+)?$/ || $i == "nan") { n++; if (n == k) { print $i; exit } } }'; }

"$EXE" kmc --help > help.txt 2> help.err; rc=$?
if [ $rc -eq 0 ] && grep -q -- "--trajectories" help.txt && grep -q -- "--campaign" help.txt && [ ! -s help.err ]
then ok "--help: exit 0, usage on stdout"
else bad "--help: rc $rc, stderr: $(cat help.err)"; fi
grep -q "not available" help.err help.txt && { echo "SKIP: kmc not built into this seedrate"; exit 77; }

# flat chain: dG = 0, f+ = 2.7, n = 1..25, rho_l = 0.61 -> J_BD = 0.61 * 2.7 / 24 = 0.068625
for n in $(seq 1 25); do echo "$n 0.0 2.7"; done > flat.txt
"$EXE" kmc --table flat.txt --kT 0.83 --rho-l 0.61 --trajectories 0 > flat.out 2> flat.err || bad "flat table run failed: $(cat flat.err)"
j=$(field flat.out "J_BD  exact" 1)
awk -v j="${j:-nan}" 'BEGIN { e = 0.61 * 2.7 / 24; d = j / e - 1; if (d < 0) d = -d; exit !(d < 1e-6) }' &&
    ok "flat chain J_BD = $j = rho_l f/(n_max - 1)" || bad "flat chain J_BD = '$j', expected 0.068625"
grep -q "no Zeldovich rate" flat.out && ok "flat chain: no barrier top, no Zeldovich rate" || bad "flat chain printed a Zeldovich rate"

cnt=(kmc --n-c 30 --dmu -0.5 --rho-s 1 --rho-l 0.9 --f-plus 5 --kT 1 --n-max 80 --trajectories 800 --seed 11)
"$EXE" "${cnt[@]}" > c1.out 2> c1.err || bad "CNT run failed: $(cat c1.err)"
rz=$(field c1.out "J_CNT" 2)
awk -v r="${rz:-nan}" 'BEGIN { exit !(r > 1 && r < 1 + 1 / 30) }' && ok "J_CNT/J_BD = $rz in (1, 1 + 1/N_c)" ||
    bad "J_CNT/J_BD = '$rz' outside (1, 1 + 1/30)"
rk=$(field c1.out "J_kMC" 3); sk=$(field c1.out "J_kMC" 4)
awk -v r="${rk:-nan}" -v s="${sk:-nan}" 'BEGIN { d = r - 1; if (d < 0) d = -d; exit !(s > 0 && d < 3 * s + 0.02) }' &&
    ok "J_kMC/J_BD = $rk +- $sk" || bad "J_kMC/J_BD = '$rk' +- '$sk' not within 3 sigma + 0.02 of 1"

if command -v mpirun > /dev/null; then
    mpirun -np 2 --oversubscribe "$EXE" "${cnt[@]}" > c2.out 2> c2.err || bad "mpirun -np 2 failed: $(cat c2.err)"
    if diff <(grep -v "wall time" c1.out) <(grep -v "wall time" c2.out) > /dev/null && grep -q "on 2 MPI ranks" c2.out
    then ok "2 MPI ranks print the same numbers as 1"
    else bad "2 ranks differ from 1: $(diff c1.out c2.out)"; fi
else echo "skip mpirun comparison: no mpirun"; fi

if /usr/bin/python3 -c "import netCDF4" 2> /dev/null; then
    g=$(/usr/bin/python3 - << 'EOF'
import netCDF4
with netCDF4.Dataset("camp.rates.nc", "w", format="NETCDF3_64BIT_OFFSET") as d:
    d.units_style = "lj"
    g = 0.48189
    for k, v in dict(gamma=g, dmu=-0.5, rho_s=1.0, rho_l=0.9, f_plus=5.0, n_c=30.0, temperature=1.0).items():
        d.createVariable(k, "f8")[...] = v
print(g)
EOF
)
    # seedrate's own files carry a completeness checksum (issue #19): stamp the hand-made one the same way
    /usr/bin/python3 "$SEEDRATE_SOURCE_DIR/tests/nc_checksum.py" camp.rates.nc --stamp > /dev/null || bad "stamping camp.rates.nc"
    "$EXE" kmc --campaign camp --n-max 80 --trajectories 300 --seed 11 > k.out 2> k.err || bad "--campaign failed: $(cat k.err)"
    "$EXE" kmc --gamma "$g" --dmu -0.5 --rho-s 1 --rho-l 0.9 --f-plus 5 --kT 1 --n-max 80 --trajectories 300 --seed 11 \
        > c3.out 2> c3.err || bad "explicit --gamma run failed: $(cat c3.err)"
    if diff <(grep -v -e "wall time" -e "^seedrate kmc" c3.out) <(grep -v -e "wall time" -e "^seedrate kmc" k.out) > /dev/null &&
        grep -q "from camp.rates.nc" k.out
    then ok "--campaign camp gives the numbers of the explicit options"
    else bad "--campaign differs: $(diff c3.out k.out)"; fi
    # a copy cut short (netCDF-C reads the missing bytes as zeros) is refused, naming the file
    head -c $(( $(stat -c %s camp.rates.nc) - 8 )) camp.rates.nc > cut.rates.nc
    if "$EXE" kmc --campaign cut --n-max 80 --trajectories 30 > cut.out 2> cut.err; then bad "--campaign cut (damaged) accepted"
    elif grep -q "cut.rates.nc: damaged" cut.err; then ok "damaged campaign refused: $(head -c 120 cut.err)..."
    else bad "damaged campaign message: $(cat cut.err)"; fi
    "$EXE" kmc --campaign nothere > /dev/null 2> n.err && bad "--campaign nothere succeeded"
    grep -q "nothere.rates.nc" n.err && ok "missing campaign named: $(cat n.err)" || bad "missing campaign: $(cat n.err)"
else echo "skip --campaign: no python3-netcdf4"; fi

"$EXE" kmc --dmu 0 --n-max 2.5 --kT 1 --rho-l 1 --n-c 30 --rho-s 1 --f-plus 1 > /dev/null 2> e.txt; rc=$?
if [ $rc -ne 0 ] && [ "$(grep -c '' e.txt)" -eq 2 ] && grep -q -- "--dmu = 0" e.txt && grep -q -- "--n-max = 2.5" e.txt
then ok "two bad options, two lines"; else bad "bad options: rc $rc, stderr: $(cat e.txt)"; fi
"$EXE" kmc --bogus 1 > /dev/null 2> u.txt && bad "--bogus accepted"
grep -q "unknown option '--bogus'" u.txt && ok "unknown option named" || bad "unknown option: $(cat u.txt)"
"$EXE" kmc --table missing.txt --kT 1 --rho-l 1 > /dev/null 2> t.txt && bad "missing table accepted"
grep -q "missing.txt: cannot open" t.txt && ok "missing table named" || bad "missing table: $(cat t.txt)"
exit $fail
