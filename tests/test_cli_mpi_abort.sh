#!/usr/bin/env bash
# An assertion that fails on one MPI rank only ends the whole cmocka MPI test in seconds, with the assertion's
# message (issue #19 item 4: it used to hang until the ctest timeout, the other rank waiting in a collective).
# Runs test_seeding_kmc_mpi on 2 ranks with SEEDRATE_TEST_FAIL_RANK=1 under a 120 s guard.
set -uo pipefail
command -v mpirun > /dev/null || { echo "SKIP: mpirun not found"; exit 77; }
BIN="$(realpath -m "$(dirname "${SEEDRATE_EXE:-/nonexistent/x}")")/test_seeding_kmc_mpi"
[ -x "$BIN" ] || { echo "SKIP: $BIN not built"; exit 77; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
out=$(mktemp); trap 'rm -f "$out"' EXIT
t0=$(date +%s)
SEEDRATE_TEST_FAIL_RANK=1 timeout -s KILL 120 mpirun -np 2 "$BIN" > "$out" 2>&1
rc=$?
dt=$(( $(date +%s) - t0 ))
fail=0
if [ $rc -eq 0 ]; then echo "FAIL: exit 0 with a failing assertion"; fail=1
elif [ $rc -eq 137 ]; then echo "FAIL: hung (killed after 120 s)"; fail=1
else echo "ok   exit $rc after $dt s"; fi
grep -q "rank 1: test_fails_on_one_rank_on_request failed: aborting every rank" "$out" &&
    grep -q "test_seeding_kmc_mpi.c:[0-9]*: error: Failure\|0x29 != 0x2\|41 != 2" "$out" &&
    echo "ok   the assertion and the failing rank are in the output" || { echo "FAIL: output:"; tail -20 "$out"; fail=1; }
exit $fail
