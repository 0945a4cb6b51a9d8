#!/usr/bin/env bash
# scripts/ci-sanitize.sh [extra ctest args]
#
# The test suite under AddressSanitizer (+ leak checking) and UndefinedBehaviorSanitizer: configures
# build-asan/ with -DSEEDRATE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo (-O2 -g: ASan's checks
# are the same as at -O0, and the physics tests run several times faster than a Debug build), builds
# everything, runs ctest on 2 cores. Any sanitizer report fails the test that triggered it.
#
# Excluded by default (SEEDRATE_ASAN_EXCLUDE, a ctest -E regex; SEEDRATE_ASAN_EXCLUDE='' runs everything):
#   test_md_dynamics  242 s under ASan (66 s in Release) = 90% of the sanitized ctest wall time on 2 cores
#                     (266 s with it). It runs long NVE/NVT/NPT trajectories for statistics; the code paths
#                     it walks (integrators, thermostats, barostats, lists) are exercised under ASan by
#                     test_md_forces, test_md_sw and the short `seedrate md` runs of test_cli_md.
#   test_seeding_hostfile, test_seeding_umbrella_sampling, test_md_lammps_cli, test_cli_ising_ffs
#                     67, 34, 27 and 35 s under ASan in the CI run of 2026-12-06 (ASan ctest 452 s wall, the CI
#                     15 min in all, over its 10 min budget). They repeat code paths that other tests walk under
#                     ASan and differ from them only in what they check in Release: the campaign's MPI queue and
#                     journals across hostfile "nodes" (test_seeding_campaign runs the same queue, kills and
#                     resumes), the umbrella chains' statistics (test_seeding_umbrella_cli runs the chains and
#                     WHAM), LAMMPS through the seedrate command (test_md_lammps drives the same engine code), and
#                     Ising FFS statistics against brute force (test_kmc_ising, test_cli_ising run the kMC code).
# Measured 2026-11-25 on the 2-core dev machine: build 193 s, ctest 266 s with everything.
# Environment: SEEDRATE_ASAN_BUILD (default build-asan), SEEDRATE_ASAN_JOBS (default nproc).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SEEDRATE_ASAN_BUILD:-$ROOT/build-asan}"
JOBS="${SEEDRATE_ASAN_JOBS:-$(nproc)}"
ASAN_EXCLUDE_DEFAULT='^(test_md_dynamics|test_seeding_hostfile|test_seeding_umbrella_sampling|test_md_lammps_cli|test_cli_ising_ffs)$'
EXCLUDE="${SEEDRATE_ASAN_EXCLUDE-$ASAN_EXCLUDE_DEFAULT}"

t0=$(date +%s)
cmake -S "$ROOT" -B "$BUILD" -DSEEDRATE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEEDRATE_CUDA=OFF \
    -DSEEDRATE_FUZZ=OFF >"$BUILD.configure.log" 2>&1 || { cat "$BUILD.configure.log" >&2; exit 2; }
cmake --build "$BUILD" -j"$JOBS" >"$BUILD.build.log" 2>&1 ||
    { grep -E "error|Error" "$BUILD.build.log" | head -40 >&2; exit 2; }
t1=$(date +%s)
echo "ci-sanitize: built $BUILD in $((t1 - t0)) s"

# detect_leaks=1: every test must free what it allocates. OpenMPI's own allocations at MPI_Init are not
# ours: they are suppressed by library name (see the suppression file written below).
SUPP="$BUILD/lsan.supp"
printf 'leak:libmpi\nleak:libopen-pal\nleak:libopen-rte\nleak:libhwloc\nleak:libevent\nleak:libpmix\nleak:mca_\n' > "$SUPP"
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=0:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$SUPP:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# Open MPI's components (mca_*.so) stay loaded until exit, so that their allocations carry a library name that the
# suppressions match: the sanitizer build's dlclose does nothing (tests/sanitize/keep_dsos.c; Open MPI 4.1 has no
# parameter for it). Without it, LeakSanitizer spent ~2.5 s of CPU at the exit of every MPI process.

args=(--test-dir "$BUILD" -j"$JOBS" --output-on-failure --timeout 600)
[ -n "$EXCLUDE" ] && args+=(-E "$EXCLUDE")
rc=0
ctest "${args[@]}" "$@" || rc=$?
t2=$(date +%s)
echo "ci-sanitize: ctest wall $((t2 - t1)) s (build $((t1 - t0)) s)${EXCLUDE:+; excluded: $EXCLUDE}"
exit $rc
