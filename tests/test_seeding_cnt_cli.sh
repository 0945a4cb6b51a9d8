#!/bin/bash
# seedrate cnt / report: input validation (every problem reported at once, with file names) and report
# errors. Skipped (77) while the cnt/report subcommands are not registered in main.c.
exe=${SEEDRATE_EXE:?SEEDRATE_EXE not set}
src=${SEEDRATE_SOURCE_DIR:?SEEDRATE_SOURCE_DIR not set}
"$exe" cnt --help >/dev/null 2>&1 || { echo "seedrate cnt not registered: skipped"; exit 77; }
"$exe" report --help >/dev/null 2>&1 || { echo "seedrate report not registered: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# the keys are documented
"$exe" cnt --keys | grep -q "tm_temperatures" || fail "--keys does not list [cnt] tm_temperatures"

# 1. no [cnt] section, 2. unknown key, 3. too few bulk temperatures: all reported in one run
sed -e '/^\[cnt\]/,$d' "$src/data/lj-rate.ini" > "$tmp/nocnt.ini"
"$exe" cnt "$tmp/nocnt.ini" > "$tmp/out1" 2>&1 && fail "a job without [cnt] was accepted"
grep -q "missing section \[cnt\]" "$tmp/out1" || { cat "$tmp/out1"; fail "no 'missing section [cnt]' message"; }

sed -e 's/^bulk_temperatures = .*/bulk_temperatures = 0.9 1.0/' -e 's/^dh_degree = 1/dh_degree = 1\nbogus_key = 3/' \
    "$src/data/lj-rate.ini" > "$tmp/bad.ini"
"$exe" cnt "$tmp/bad.ini" > "$tmp/out2" 2>&1 && fail "a bad job was accepted"
grep -q "bulk_temperatures needs >= dh_degree + 2" "$tmp/out2" || { cat "$tmp/out2"; fail "too few bulk temperatures not reported"; }

# a seed that cannot be cut from the [structure] crystal (8^3 fcc cells hold a sphere of at most (pi/6) 2048 = 1072
# atoms) is an input error, before the coexistence and bulk stages run (and with the attach_starts check at once)
sed -e 's/^seed_sizes = .*/seed_sizes = 440 1200/' -e 's/^attach_replicas = 16/attach_replicas = 6/' \
    "$src/data/lj-rate.ini" > "$tmp/big.ini"
"$exe" cnt "$tmp/big.ini" > "$tmp/out5" 2>&1 && fail "a seed larger than the crystal was accepted"
grep -q "seed of 1200 atoms does not fit in the \[structure\] crystal (at most ~1072 atoms" "$tmp/out5" ||
    { cat "$tmp/out5"; fail "no message for a seed larger than the crystal"; }
grep -q "attach_replicas = 6: need >= 2 x attach_starts = 8" "$tmp/out5" ||
    { cat "$tmp/out5"; fail "no message for too few f+ replicas per start"; }
grep -q "coexistence" "$tmp/out5" && fail "the coexistence stage ran despite the bad input"

# report without a campaign file
"$exe" report "$tmp/none" > "$tmp/out3" 2>&1 && fail "report of a missing campaign succeeded"
grep -q "cannot read the campaign file" "$tmp/out3" || { cat "$tmp/out3"; fail "no message for a missing campaign file"; }
# report: a --brute file that is not a brute-force result is refused before anything is read or written
echo "not netcdf" > "$tmp/bad.brute.nc"
"$exe" report "$tmp/none" --brute "$tmp/bad.brute.nc" > "$tmp/out4" 2>&1 && fail "a bad --brute file was accepted"
grep -q "brute" "$tmp/out4" || { cat "$tmp/out4"; fail "no message for a bad --brute file"; }
[ -e "$tmp/none.report.md" ] && fail "a report was written despite the bad --brute file"
echo "ok"
