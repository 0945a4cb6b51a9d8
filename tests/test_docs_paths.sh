#!/usr/bin/env bash
# Documentation and shipped inputs name files by paths relative to the repository (or to the input file),
# never by an absolute path of one machine (issue #19): README*, *.md, *.ini, *.sh, *.sbatch that git tracks
# (tests/corpus, fuzz inputs, excepted). The shared data folder beside the repository is ../shared/... from the
# repository root. Logs and result files keep the paths of the run they record and are not checked.
set -uo pipefail
src=${SEEDRATE_SOURCE_DIR:?}
cd "$src" || exit 1
if git -C "$src" rev-parse --git-dir > /dev/null 2>&1; then
    mapfile -t files < <(git ls-files -- '*.md' '*.ini' '*.sh' '*.sbatch' 'README*' | grep -v '^tests/corpus/' | sort -u)
else
    mapfile -t files < <(find . -path ./tests/corpus -prune -o -path './build*' -prune -o -type f \
        \( -name '*.md' -o -name '*.ini' -o -name '*.sh' -o -name '*.sbatch' -o -name 'README*' \) -print | sort -u)
fi
[ ${#files[@]} -gt 10 ] || { echo "FAIL: found only ${#files[@]} files to check"; exit 1; }
# absolute paths into one machine's workspace or home folders
pat='(^|[^A-Za-z0-9_.~/-])/(work|home|root|Users|scratch|mnt)/[A-Za-z0-9_.-]'
hits=$(grep -nE "$pat" "${files[@]}" | grep -v '^tests/test_docs_paths.sh:' || true)
if [ -n "$hits" ]; then
    echo "FAIL: absolute machine paths (use paths relative to the repository, e.g. ../shared/...):"
    echo "$hits" | head -20
    exit 1
fi
echo "ok   ${#files[@]} documentation and input files name no absolute machine path"
