#!/usr/bin/env bash
# test_md_lammps_cli.sh - [potential] style = lammps through the command line.
#  - seedrate md with LJ through LAMMPS and with seedrate's own LJ (NpT, 300 steps): the same thermo output;
#  - a bad pair_coeff, a missing potential file (seedrate md) and a bad model in a campaign: exit 1, exactly one
#    "seedrate: error: ..." line naming LAMMPS's ERROR message, and no output file;
#  - a LAMMPS error during the run (fix halt ... error hard): exit 1 and one "seedrate: error: LAMMPS: ERROR ..." line
#    (the run's partial thermo files stay, as after any crash);
#  - integrate = lammps (MD segments run by LAMMPS's fixes): NVE thermo = seedrate's velocity Verlet through the same
#    LAMMPS forces (1e-8 relative); the log states the fix mapping; an NpT run stopped at step 300 and resumed from
#    its checkpoint to step 600 (the LAMMPS fixes start afresh) ends with a sane density.
# Built without LAMMPS: the style's message ("built without LAMMPS ... liblammps-dev") and exit 1 are checked,
# then SKIP (77). Without lmp (the model check of a LAMMPS without exceptions) the error cases are skipped.
set -u
EXE="${SEEDRATE_EXE:-}"
[ -n "$EXE" ] && [ -x "$EXE" ] || { echo "SKIP: SEEDRATE_EXE not set or not executable"; exit 77; }
W="$(mktemp -d "${TMPDIR:-/tmp}/seedrate-lammps-cli.XXXXXX")"
trap 'rm -rf "$W"' EXIT
cd "$W"
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

md_ini() { # $1 prefix, $2 ensemble, then the [potential] lines on stdin
    cat <<INI
[run]
units = lj
steps = 300
seed = 2024
[structure]
lattice = fcc
density = 0.8442
cells = 4 4 4
temperature = 1.44
[potential]
$(cat)
[ensemble]
ensemble = $2
temperature = 0.9
tau_t = 0.5
pressure = 1.0
[output]
prefix = $1
thermo_every = 20
trajectory_every = 100
INI
}

printf 'style = lammps\ncommands = pair_style lj/cut 2.5 | pair_coeff 1 1 1.0 1.0 | pair_modify shift yes\n' |
    md_ini out/lmp npt > lmp.ini
printf 'style = lj\nepsilon = 1.0\nsigma = 1.0\ncutoff = 2.5\nshift = yes\n' | md_ini out/own npt > own.ini

"$EXE" md lmp.ini > lmp.log 2> lmp.err
rc=$?
if grep -q "built without LAMMPS" lmp.err; then
    [ $rc -eq 1 ] && [ "$(wc -l < lmp.err)" -eq 1 ] && grep -q "liblammps-dev" lmp.err &&
        ok "built without LAMMPS: one clear error line, exit 1" || bad "built without LAMMPS: rc $rc, $(cat lmp.err)"
    [ $fail -eq 0 ] && { echo "SKIP: seedrate built without LAMMPS"; exit 77; }
    exit 1
fi
[ $rc -eq 0 ] || { bad "seedrate md with style lammps: rc $rc"; cat lmp.err; }
"$EXE" md own.ini > own.log 2>&1 || bad "seedrate md with style lj"
thermo() { grep -E '^ +[0-9]+ ' "$1"; }
if [ -n "$(thermo lmp.log)" ] && [ "$(thermo lmp.log)" = "$(thermo own.log)" ]; then
    ok "NpT 300 steps: LAMMPS's LJ and seedrate's LJ print the same thermo ($(thermo lmp.log | wc -l) lines)"
else
    bad "thermo differs"; diff <(thermo lmp.log) <(thermo own.log) | head
fi

# integrate = lammps: the same NVE trajectory as seedrate's integrator; the mapping in the log
lmp_lines='style = lammps\ncommands = pair_style lj/cut 2.5 | pair_coeff 1 1 1.0 1.0 | pair_modify shift yes\ncheck = none\n'
printf "${lmp_lines}integrate = seedrate\n" | md_ini out/nve-own nve > nve-own.ini
printf "${lmp_lines}integrate = lammps\n" | md_ini out/nve-eng nve > nve-eng.ini
"$EXE" md nve-own.ini > nve-own.log 2>&1 || bad "NVE, integrate = seedrate"
"$EXE" md nve-eng.ini > nve-eng.log 2>&1 || bad "NVE, integrate = lammps"
worst=$(paste <(thermo nve-own.log) <(thermo nve-eng.log) | awk '{ n = NF / 2; for (k = 1; k <= n; k++) {
    a = $k; b = $(k + n); d = a - b; if (d < 0) d = -d; s = (a < 0 ? -a : a) + 1e-300; if (d / s > w) w = d / s } }
    END { printf "%.1e", w + 0 }')
lines=$(thermo nve-eng.log | wc -l)
if [ "$lines" -eq 16 ] && awk -v w="$worst" 'BEGIN { exit !(w < 1e-8) }'; then
    ok "NVE 300 steps, integrate = lammps vs seedrate: thermo agrees to $worst (relative, $lines lines)"
else
    bad "NVE, integrate = lammps vs seedrate: $lines lines, worst relative difference $worst"
fi
grep -q "integrate = lammps: MD segments run inside LAMMPS" nve-eng.log && ! grep -q "integrate = lammps" nve-own.log &&
    ok "the log states the mapping" || bad "no integrate = lammps description in the log"
# NpT, stopped and resumed from the checkpoint
printf "${lmp_lines}integrate = lammps\n" | md_ini out/npt-eng npt > npt-eng.ini
"$EXE" md npt-eng.ini > npt-eng.log 2>&1 || bad "NpT, integrate = lammps"
sed -i 's/^steps = 300/steps = 600/' npt-eng.ini
"$EXE" md npt-eng.ini > npt-eng2.log 2>&1 || bad "NpT, integrate = lammps, resumed"
last=$(thermo npt-eng2.log | tail -1)
if grep -q "resumed from .* at step 300" npt-eng2.log && [ "$(echo "$last" | awk '{print $1}')" = 600 ] &&
    echo "$last" | awk '{ rho = 256 / $8; exit !(rho > 0.6 && rho < 1.0) }'; then
    ok "NpT resumed from the checkpoint at step 300 to 600 (last thermo: $last)"
else
    bad "NpT resume: $(grep resumed npt-eng2.log) last: $last"; tail -5 npt-eng2.log
fi

command -v lmp > /dev/null || { echo "SKIP (errors): lmp not found"; exit $fail; }
expect_error() { # $1 what, $2 ini, $3 command (md|campaign), $4 grep pattern, $5 output dir
    "$EXE" "$3" "$2" > "$2.out" 2> "$2.err"
    local rc=$?
    local n; n=$(wc -l < "$2.err")
    if [ $rc -eq 1 ] && [ "$n" -eq 1 ] && grep -q '^seedrate: error: .*LAMMPS.*ERROR' "$2.err" && grep -q -- "$4" "$2.err" &&
        [ -z "$(ls -A "$5" 2>/dev/null)" ]; then
        ok "$1: $(cat "$2.err")"
    else
        bad "$1: rc $rc, $n line(s), files: $(ls -A "$5" 2>/dev/null | tr '\n' ' ')"; cat "$2.err"
    fi
}
printf 'style = lammps\ncommands = pair_style lj/cut 2.5 | pair_coeff 1 1 1.0\n' | md_ini bad1/run nvt > bad1.ini
expect_error "bad pair_coeff" bad1.ini md "Incorrect args for pair coefficients" bad1
printf 'style = lammps\ncommands = pair_style eam | pair_coeff 1 1 no_such_dir/Cu_none.eam\n' | md_ini bad2/run nvt > bad2.ini
expect_error "missing potential file" bad2.ini md "no_such_dir/Cu_none.eam" bad2

# an error LAMMPS raises only during the run (the check's `run 0` passes): the exit handler prints its message
printf 'style = lammps\ncommands = pair_style lj/cut 2.5 | pair_coeff 1 1 1.0 1.0 | variable one equal 1 | fix sr_halt all halt 50 v_one > 0 error hard\n' |
    md_ini halt/run nvt > halt.ini
"$EXE" md halt.ini > halt.out 2> halt.err
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l < halt.err)" -eq 1 ] && grep -q '^seedrate: error: LAMMPS: ERROR: Fix halt condition' halt.err; then
    ok "LAMMPS error during the run: $(cat halt.err)"
else
    bad "LAMMPS error during the run: rc $rc"; cat halt.err
fi

cat > bad3.ini <<'INI'

[run]
units = lj
seed = 5
[structure]
lattice = fcc
density = 1.03
cells = 3 3 3
[potential]
style = lammps
commands = pair_style lj/cut 2.5 | pair_coeff 1 2 1.0 1.0
[ensemble]
ensemble = npt
temperature = 0.70
pressure = 5.68
tau_t = 0.1
tau_p = 1.0
compressibility = 0.02
[order]
style = bonds
cutoff = 1.4
bond_threshold = 0.7
min_bonds = 11
[campaign]
mode = sizes
seed_sizes = 20
replicas = 2
liquid_cells = 4 4 4
melt_steps = 10
equil_steps = 10
relax_steps = 10
analyze_every = 10
max_steps = 40
[output]
prefix = bad3/camp
INI
expect_error "bad model in a campaign" bad3.ini campaign "pair_coeff 1 2" bad3
exit $fail
