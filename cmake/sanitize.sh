#!/usr/bin/env bash
# Install, then configure, build and test one sanitizer preset: `asan` (AddressSanitizer, LeakSanitizer
# and UndefinedBehaviorSanitizer, the whole suite, into build-asan/) or `tsan` (ThreadSanitizer, the tests
# labelled `threads`, into build-tsan/). Extra arguments go to ctest (e.g. -R test_recorder).
# Prints how long the build and the tests took. See docs/reliability.md, "Sanitizers".
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
asan | tsan) preset=$1 ;;
*)
    echo "usage: cmake/sanitize.sh asan|tsan [ctest arguments...]" >&2
    exit 2
    ;;
esac
shift
bash cmake/setup.sh
cmake --preset "$preset" >/dev/null
start=$(date +%s)
cmake --build --preset "$preset" -j "$(nproc)"
built=$(date +%s)
set +e
ctest --preset "$preset" "$@"
code=$?
set -e
done=$(date +%s)
echo "sanitize $preset: build $((built - start)) s, tests $((done - built)) s, ctest exit code $code"
exit $code
