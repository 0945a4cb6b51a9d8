#!/usr/bin/env bash
# scripts/device-check.sh - the GPU checks of issue #21 in one short run on a machine with a GPU: versions, the
# CUDA tests (tests/test_md_cuda_device.c: every kernel against the CPU path; tests/test_md_cuda.c: the host
# back end), and atom-steps/s of the batched GPU path against one CPU core (bench/md_cuda_bench.c):
#   LJ 32k   32,000 atoms NVE, 1000 steps, one replica
#   seeded   6,912 atoms Bussi NVT (the default job's seeded-system size), 1000 steps: 1 replica and 64
# then the device tests again under compute-sanitizer memcheck (short runs), if it is installed.
#
# The project needs MPI, GSL, netCDF and cmocka to configure; the lent GPU machines (device tool) have CUDA,
# CMake and compilers but not those, and no network. So:
#   here (a machine with the libraries and nvcc):   bash scripts/device-check.sh --prepare
#       configures build-device-kit/ (Release, SEEDRATE_CUDA=ON, LAMMPS off), builds the CUDA tests and the
#       benchmark, and copies them with the shared libraries they need (GSL, cmocka) into build-device-kit/kit
#   there (device tool, carry ["build-device-kit/kit"], timeout_s 420):   bash scripts/device-check.sh
#       builds the project there instead when it can (all libraries found), else runs the carried kit; also
#       compiles src/md/md_cuda_kernels.cu with the machine's own nvcc. Output: $OUT/device-check.log (if $OUT
#       is set) and stdout. About 2 minutes on an H100 machine (most of it the CPU reference runs).
# Environment: SEEDRATE_DEVICE_KIT (default build-device-kit), SEEDRATE_CHECK_STEPS (default 1000),
# SEEDRATE_CHECK_REPLICAS (default 64), SEEDRATE_CHECK_KIT=1 (use the kit even where the project would build),
# SEEDRATE_CHECK_DRYRUN=1 (a machine without a GPU: go on past the skipped device tests, to try the script).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
kit=${SEEDRATE_DEVICE_KIT:-build-device-kit}
steps=${SEEDRATE_CHECK_STEPS:-1000}
nrep=${SEEDRATE_CHECK_REPLICAS:-64}
jobs=$(nproc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "${1:-}" = "--prepare" ]; then
    cmake -S . -B "$kit" -DCMAKE_BUILD_TYPE=Release -DSEEDRATE_CUDA=ON -DSEEDRATE_LAMMPS=OFF >"$kit.configure.log" 2>&1 ||
        { cat "$kit.configure.log" >&2; exit 2; }
    t0=$(date +%s)
    cmake --build "$kit" -j"$jobs" --target test_md_cuda test_md_cuda_device md_cuda_bench
    echo "device-check: kit built in $(( $(date +%s) - t0 )) s"
    rm -rf "$kit/kit"
    mkdir -p "$kit/kit/bin" "$kit/kit/lib"
    cp "$kit/test_md_cuda" "$kit/test_md_cuda_device" "$kit/md_cuda_bench" "$kit/kit/bin/"
    # the shared libraries the GPU machine lacks (GSL, cmocka, ...); not the C and C++ runtimes, which every
    # machine has in a version at least as new (binaries built on Debian 12 need glibc >= 2.35)
    ldd "$kit"/kit/bin/* | awk '/=> \// {print $3}' | sort -u |
        grep -vE '/(libc|libm|libpthread|libdl|librt|libstdc\+\+|libgcc_s|ld-linux[^/]*)\.so' | while read -r lib; do
        cp -L "$lib" "$kit/kit/lib/"
    done
    git rev-parse HEAD >"$kit/kit/commit" 2>/dev/null || true
    du -sh "$kit/kit"
    ls "$kit/kit/bin" "$kit/kit/lib"
    echo "device-check: now run 'bash scripts/device-check.sh' through the device tool with carry [\"$kit/kit\"]"
    exit 0
fi

log=${OUT:+$OUT/device-check.log}
log=${log:-device-check.log}
exec > >(tee "$log") 2>&1
echo "== device-check $(date -u +%FT%TZ) on $(hostname), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv || echo "(no nvidia-smi)"
nvcc_bin=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
"$nvcc_bin" --version | tail -2 || true
cmake --version | head -1 || true
cc --version | head -1 || true
lscpu | grep -E 'Model name|^CPU\(s\)' || true

# 1. the kernels compile with this machine's nvcc (no library needed)
t0=$(date +%s)
"$nvcc_bin" -std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -Xptxas -v -c src/md/md_cuda_kernels.cu \
    -o "$tmp/md_cuda_kernels.o" 2>&1 | grep -E 'error|Compiling entry|registers' | sed -n '1,40p' || true
echo "nvcc compile of md_cuda_kernels.cu (sm_90): $(( $(date +%s) - t0 )) s"

# 2. build here when the project's libraries are here, else the carried kit
bin=""
libs=${LD_LIBRARY_PATH:-}
if [ -z "${SEEDRATE_CHECK_KIT:-}" ] && pkg-config --exists gsl netcdf cmocka 2>/dev/null && command -v mpicc >/dev/null; then
    cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DSEEDRATE_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 >/dev/null
    cmake --build build-gpu -j"$jobs" --target test_md_cuda test_md_cuda_device md_cuda_bench >/dev/null
    bin=build-gpu
    echo "built the project here (build-gpu)"
elif [ -x "$kit/kit/bin/test_md_cuda_device" ]; then
    bin=$kit/kit/bin
    libs=$PWD/$kit/kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    echo "using the carried kit $kit/kit (built from commit $(cat "$kit/kit/commit" 2>/dev/null || echo '?'))"
else
    echo "device-check: no MPI/GSL/netCDF/cmocka here and no kit at $kit/kit: run 'bash scripts/device-check.sh"
    echo "  --prepare' where they are, then carry $kit" >&2
    exit 2
fi

# the kit's libraries for our programs only (not for nvidia-smi, compute-sanitizer, ...)
run() { LD_LIBRARY_PATH=$libs "$@"; }

# 3. tests (exit 77 = skipped: no usable GPU, which on this machine is a failure)
echo "== test_md_cuda_device"
rc=0
run "$bin/test_md_cuda_device" || rc=$?
if [ "$rc" != 0 ]; then
    echo "device-check: test_md_cuda_device exit $rc"
    [ "$rc" = 77 ] && [ -n "${SEEDRATE_CHECK_DRYRUN:-}" ] || exit 1
fi
echo "== test_md_cuda (host back end)"
run "$bin/test_md_cuda"

# 4. atom-steps/s: GPU against one CPU core (the CPU reference pinned to one core)
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
echo "== benchmarks"
bench() {
    local rc=0
    run $pin "$bin/md_cuda_bench" "$@" | tee -a "$tmp/bench.out" || rc=$?
    if [ "$rc" != 0 ]; then
        echo "device-check: md_cuda_bench $* exit $rc"
        [ "$rc" = 77 ] && [ -n "${SEEDRATE_CHECK_DRYRUN:-}" ] || exit 1
    fi
}
bench lj32k 1 "$steps" "$steps"
bench seeded 1 "$steps" "$steps"
bench seeded "$nrep" "$steps" 300
echo "== summary (atom_steps_per_s: GPU; cpu_1core: one core of this machine, same system, same list policy)"
grep '^RESULT' "$tmp/bench.out" || true

# 5. memory errors in the kernels (short runs; skipped when the tool is missing)
if command -v compute-sanitizer >/dev/null; then
    echo "== compute-sanitizer memcheck (short runs)"
    MD_CUDA_TEST_SHORT=1 LD_LIBRARY_PATH=$libs timeout 240 compute-sanitizer --tool memcheck --error-exitcode 3 \
        "$bin/test_md_cuda_device" >"$tmp/memcheck.log" 2>&1 && echo "memcheck: clean" ||
        echo "memcheck: exit $? (see below)"
    tail -25 "$tmp/memcheck.log"
fi
echo "== device-check done"
