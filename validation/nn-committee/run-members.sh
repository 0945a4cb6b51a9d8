#!/usr/bin/env bash
# The committee's spread of log10 J at 210 K: the network's rate job once per committee member
# (rate-210K-learn-m1..m4.ini, [potential] member = N), on 2 ranks, one after the other, from this directory (the
# [output] prefixes out-210K/... are relative to the working directory); each job's log and time go to
# rate-210K-learn-mN.log / .time. A rerun resumes every job from its journals. Then: /usr/bin/python3 member_spread.py
# Usage (any directory): bash validation/nn-committee/run-members.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=$(readlink -f "${1:-$here/../../build}/seedrate")
cd "$here"
for q in 1 2 3 4; do
    { time mpirun -np 2 "$exe" cnt "rate-210K-learn-m$q.ini" > "rate-210K-learn-m$q.log" 2>&1; } \
        2> "rate-210K-learn-m$q.time"
done
