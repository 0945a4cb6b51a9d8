#!/usr/bin/env bash
# Damaged result files are refused (issue #19). netCDF-C reads a classic-format file past its end as zeros,
# so a campaign or rates file cut short used to give a report of zeros and NaN with exit 0. Every file seedrate
# writes now ends with a completeness checksum (global attribute seedrate_checksum, checked here against an
# independent implementation, tests/nc_checksum.py); `seedrate report` refuses a file cut short, with a
# changed byte, or without the checksum (unfinished, or from an older seedrate) with exit 1, a message that
# names the file, and no report written. (kmc --campaign: test_cli_kmc; model files: test_ml_model; the
# one-shot readers behind cnt's campaign read: test_seeding_cnt; fuzz corpus: fuzz_corpus_replay.)
set -uo pipefail
exe=${SEEDRATE_EXE:?}
src=${SEEDRATE_SOURCE_DIR:?}
py=/usr/bin/python3
command -v mpirun > /dev/null || { echo "SKIP: mpirun not found"; exit 77; }
$py -c "import netCDF4" 2> /dev/null || { echo "SKIP: python3-netcdf4 not found"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
cat > camp.ini <<'INI'
[run]
units = lj
seed = 91
[structure]
lattice = fcc
density = 1.03
cells = 4 4 4
[potential]
style = lj
cutoff = 2.5
shift = yes
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
min_bonds = 8
[campaign]
seed_sizes = 20 60
replicas = 2
liquid_cells = 6 6 6
melt_temperature = 2.0
melt_steps = 200
equil_steps = 200
relax_steps = 50
analyze_every = 50
max_steps = 600
melt_fraction = 0.05
bootstrap = 20
[output]
prefix = camp
INI
# the P_grow fit of so few replicas may fail (exit 1); the campaign file is written all the same
mpirun -np 1 "$exe" campaign camp.ini > camp.log 2>&1
[ -f camp.nc ] || { echo "FAIL: camp.nc not written"; tail -5 camp.log; exit 1; }
if $py "$src/tests/nc_checksum.py" camp.nc > sum.txt; then ok "camp.nc checksum matches an independent computation: $(cat sum.txt)"
else bad "camp.nc checksum: $(cat sum.txt)"; fi
"$exe" report camp > rep.log 2>&1 && [ -f camp.report.md ] && ok "report of the intact file" || bad "report of the intact file: $(cat rep.log)"

size=$(stat -c %s camp.nc)
# refused: exit != 0, the file named in the message, and neither X.report.md nor X.report/ written
refused() { # prefix what message-fragment
    if "$exe" report "$1" > "$1.out" 2> "$1.err"; then bad "$2: accepted (exit 0)"; return; fi
    if [ -e "$1.report.md" ] || [ -e "$1.report" ] || [ -e "$1.report.md.tmp" ]; then bad "$2: output written"; return; fi
    if grep -q "$1.nc: $3" "$1.err" || grep -q "$1.rates.nc: $3" "$1.err"; then ok "$2: $(cut -c1-150 "$1.err")"
    else bad "$2: message $(cat "$1.err")"; fi
}
head -c 3000 camp.nc > cuthead.nc;                refused cuthead "cut in the header (3000 of $size bytes)" "damaged"
head -c $((size - 4)) camp.nc > cut4.nc;          refused cut4 "last 4 bytes missing" "damaged"
head -c $((size - 300)) camp.nc > cut300.nc;      refused cut300 "last 300 bytes of the data missing" "damaged"
cp camp.nc flip.nc
printf '\x7f' | dd of=flip.nc bs=1 seek=$((size - 40)) conv=notrunc status=none
refused flip "one byte changed in the data" "damaged"
cp camp.nc old.nc
$py -c "import netCDF4; d = netCDF4.Dataset('old.nc', 'a'); d.delncattr('seedrate_checksum'); d.close()"
refused old "no checksum (unfinished, or an older seedrate)" "no completeness checksum"

# a damaged PREFIX.rates.nc next to an intact campaign: refused, naming the rates file, nothing written
cp camp.nc rat.nc
$py - << 'PY'
import netCDF4
with netCDF4.Dataset("rat.rates.nc", "w", format="NETCDF3_64BIT_OFFSET") as d:
    d.units_style = "lj"
    for k, v in dict(temperature=0.7, n_c=87.5, gamma=0.48, log10_J=-12.25, f_plus=3.5).items():
        d.createVariable(k, "f8")[...] = v
PY
$py "$src/tests/nc_checksum.py" rat.rates.nc --stamp > /dev/null
rsize=$(stat -c %s rat.rates.nc)
head -c $((rsize - 8)) rat.rates.nc > rat.cut && mv rat.cut rat.rates.nc
refused rat "rates file cut short (campaign intact)" "damaged"
# --brute with a damaged file: refused before anything is written
if "$exe" report camp --brute cut4.nc > b.out 2> b.err; then bad "--brute damaged: accepted"
elif grep -q "cut4.nc: damaged" b.err; then ok "--brute damaged: $(cut -c1-120 b.err)"
else bad "--brute damaged: $(cat b.err)"; fi
exit $fail
