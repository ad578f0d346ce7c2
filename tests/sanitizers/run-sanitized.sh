#!/usr/bin/env bash
# Runs one test command of a sanitizer build (HIL_SANITIZE) and fails it if any process reported.
#
# The tests start hil and hil-sim as child processes, and some of them expect a child to exit non-zero
# (1 for a FAIL verdict, 3 for ERROR), which is also what a sanitizer's report exits with. So a child's
# report must not depend on how the test reads its exit status: every process of the test (the test
# itself, hil, hil-sim, the processes they start) writes its report to a file in a fresh directory
# (log_path, appended to the *SAN_OPTIONS the test preset sets), and the test fails if any file is there.
# The reports are printed, so `ctest --output-on-failure` shows them.
set -uo pipefail

reports=$(mktemp -d "${TMPDIR:-/tmp}/hil-sanitizer.XXXXXX")
trap 'rm -rf "$reports"' EXIT
for var in ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
    export "$var=${!var:+${!var}:}log_path=$reports/${var%_OPTIONS}"
done

"$@"
code=$?

shopt -s nullglob
found=("$reports"/*)
if [ ${#found[@]} -gt 0 ]; then
    for f in "${found[@]}"; do
        echo "==== sanitizer report ${f##*/} (process ${f##*.}) ====" >&2
        cat "$f" >&2
    done
    echo "run-sanitized: ${#found[@]} sanitizer report(s) from this test (its own exit code: $code)" >&2
    [ "$code" -ne 0 ] || code=1
fi
exit "$code"
