#!/usr/bin/env bash
# Install, build with warnings as errors, and run the whole test suite through CTest (2 jobs, output of
# failures shown). Before the tests it also builds the headless configuration (HIL_BUILD_GUI=OFF: the
# engine, hil, hil-sim and the report renderers, no desktop app) the same way, so that a build without the
# GUI cannot rot unseen.
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/build.sh -DHIL_WARNINGS_AS_ERRORS=ON
echo "check: headless build (HIL_BUILD_GUI=OFF)"
cmake --preset headless -DHIL_WARNINGS_AS_ERRORS=ON -DHIL_BUILD_TESTS=OFF -DHIL_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build --preset headless -j "$(nproc)"
build-headless/bin/hil validate scenarios/smoke.yaml --fixture fixtures/sim-bench.yaml
ctest --preset default "$@"
