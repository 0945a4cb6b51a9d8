#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] [--merge] [--keep-going] [--build-only] [TARGET...]
#
# Build the libFuzzer harnesses of tests/fuzz (clang, -fsanitize=fuzzer,address,undefined) in
# build-fuzz/ and run each for SECONDS/N seconds (N = number of targets; SECONDS defaults to 120),
# starting from the seed corpus tests/corpus/<target>/. Prints executions per harness and the crashes
# found (reproducers are left in build-fuzz/crashes/<target>/). New interesting inputs go to a scratch
# corpus in build-fuzz/; with --merge they are minimised (libFuzzer -merge=1) into tests/corpus/.
# --keep-going runs libFuzzer in fork mode (-fork=1 -ignore_crashes=1), so that a known crash does not
# end a harness's time early; every distinct crash still lands in build-fuzz/crashes/<target>/.
# Targets: input extxyz lammps checkpoint npy sw ncfile model (default: all).
# The harnesses run SEEDRATE_FUZZ_JOBS at a time (default: nproc); each still gets SECONDS/N seconds, so the
# fuzzing per harness is the same and the step takes SECONDS/JOBS of wall time.
#
# Exit status: 0 when no harness crashed, 1 when at least one did, 2 on a build/usage problem.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SEEDRATE_FUZZ_BUILD:-$ROOT/build-fuzz}"
TOTAL=120
MERGE=0
KEEP_GOING=0
BUILD_ONLY=0
TARGETS=()
for a in "$@"; do
    case "$a" in
        --merge) MERGE=1 ;;
        --keep-going) KEEP_GOING=1 ;;
        --build-only) BUILD_ONLY=1 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        ''|*[!0-9]*) TARGETS+=("$a") ;;
        *) TOTAL="$a" ;;
    esac
done
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(input extxyz lammps checkpoint npy sw ncfile model)

# ---- 1. clang + libFuzzer runtime (idempotent: installs only what is missing) ----------------------
have_libfuzzer() {
    command -v clang >/dev/null 2>&1 || return 1
    printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}\n' \
        > /tmp/seedrate-fuzz-probe.$$.c
    clang -fsanitize=fuzzer,address,undefined /tmp/seedrate-fuzz-probe.$$.c -o /tmp/seedrate-fuzz-probe.$$ \
        >/dev/null 2>&1
    local ok=$?
    rm -f /tmp/seedrate-fuzz-probe.$$ /tmp/seedrate-fuzz-probe.$$.c
    return $ok
}
if ! have_libfuzzer; then
    echo "fuzz.sh: installing clang and its libFuzzer runtime (Debian: clang libclang-rt-14-dev)"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
    have_libfuzzer || { echo "fuzz.sh: clang cannot link -fsanitize=fuzzer" >&2; exit 2; }
fi

# ---- 2. build-fuzz -----------------------------------------------------------------------------------
# (re)configure every time: a harness added to tests/fuzz/CMakeLists.txt must exist before make is asked for it
CC=clang cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEEDRATE_CUDA=OFF \
    -DSEEDRATE_FUZZ=ON -DSEEDRATE_SANITIZE=ON >"$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log" >&2; exit 2; }
BT=()
for t in "${TARGETS[@]}"; do BT+=(--target "fuzz_$t"); done
cmake --build "$BUILD" "${BT[@]}" -j"$(nproc)" >"$BUILD/build.log" 2>&1 ||
    { grep -E "error|Error" "$BUILD/build.log" | head -40 >&2; exit 2; }
[ "$BUILD_ONLY" -eq 1 ] && { echo "fuzz.sh: built ${TARGETS[*]} in $BUILD"; exit 0; }

# ---- 3. run ------------------------------------------------------------------------------------------
PER=$(( TOTAL / ${#TARGETS[@]} ))
[ "$PER" -lt 1 ] && PER=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
JOBS="${SEEDRATE_FUZZ_JOBS:-$(nproc)}"
[ "$JOBS" -lt 1 ] && JOBS=1
fuzz_one() { # target: run one harness for PER seconds; its summary goes to $BUILD/fuzz_$t.summary
    local t="$1" exe seeds work crashes log stamp mode execs rate ncr nnew
    exe="$(find "$BUILD" -name "fuzz_$t" -type f -perm -u+x | head -1)"
    seeds="$ROOT/tests/corpus/$t"
    work="$BUILD/corpus/$t"
    crashes="$BUILD/crashes/$t"
    mkdir -p "$work" "$crashes" "$seeds"
    log="$BUILD/fuzz_$t.log"
    stamp="$BUILD/.fuzz_$t.start"
    : > "$stamp"
    # -rss_limit/-malloc_limit: a parser asked for 10^11 atoms must say no, not eat the machine.
    mode=()
    [ "$KEEP_GOING" -eq 1 ] && mode=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
    "$exe" "${mode[@]}" -seed="${FUZZ_SEED:-1}" -max_total_time="$PER" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$crashes/" "$work" "$seeds" >"$log" 2>&1 || true
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1 || true)
    rate=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}' | tail -1 || true)
    if [ -z "$execs" ]; then # fork mode: "#EXECS: cov: ... exec/s: RATE ..." progress lines
        execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
        rate=$(grep -oE 'exec/s:? [0-9]+' "$log" | tail -1 | awk '{print $2}' || true)
    fi
    # crashes of this run only (older reproducers stay in the folder until triaged)
    ncr=$(find "$crashes" -type f -newer "$stamp" \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    nnew=$(find "$work" -type f | wc -l)
    {
        printf "%-11s %8d %10s %9s %8d  %d files in %s\n" "$t" "$PER" "${execs:-?}" "${rate:-?}" "$ncr" "$nnew" "$work"
        if [ "$ncr" -gt 0 ]; then
            echo "  crashes of $t (log: $log):"
            find "$crashes" -type f -newer "$stamp" | sed 's/^/    /'
            { grep -E "ERROR: |runtime error|fuzz\[$t\]|SUMMARY" "$log" || true; } | sort -u | head -8 | sed 's/^/    /'
        fi
    } > "$BUILD/fuzz_$t.summary"
    echo "$ncr" > "$BUILD/fuzz_$t.ncrash"
}
running=0
for t in "${TARGETS[@]}"; do
    rm -f "$BUILD/fuzz_$t.summary" "$BUILD/fuzz_$t.ncrash"
    fuzz_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
printf "%-11s %8s %10s %9s %8s  %s\n" target seconds execs exec/s crashes "new corpus"
ncrash_total=0
for t in "${TARGETS[@]}"; do
    cat "$BUILD/fuzz_$t.summary" 2>/dev/null || echo "$t: no summary (harness did not run)"
    ncr=$(cat "$BUILD/fuzz_$t.ncrash" 2>/dev/null || echo 1)
    ncrash_total=$((ncrash_total + ncr))
    if [ "$MERGE" -eq 1 ]; then
        exe="$(find "$BUILD" -name "fuzz_$t" -type f -perm -u+x | head -1)"
        "$exe" -merge=1 -max_len=8192 -rss_limit_mb=2048 "$ROOT/tests/corpus/$t" "$BUILD/corpus/$t" >"$BUILD/merge_$t.log" 2>&1 || true
        echo "  merged into tests/corpus/$t: $(find "$ROOT/tests/corpus/$t" -type f | wc -l) files"
    fi
done
echo "fuzz.sh: ${ncrash_total} crash(es); reproducers go to tests/corpus/<target>/crash-*.bin once triaged"
[ "$ncrash_total" -eq 0 ]
