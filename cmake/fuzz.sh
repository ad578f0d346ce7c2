#!/usr/bin/env bash
# Install clang (cmake/setup.sh --fuzz), build the libFuzzer targets with the `fuzz` preset into build-fuzz/
# and run each for HIL_FUZZ_SECONDS (default 30) through CTest, one at a time. Extra arguments go to ctest.
# Crashes land in build-fuzz/fuzz/<target>/artifacts/; keep each one under tests/data/fuzz/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/setup.sh --fuzz
cmake --preset fuzz -DHIL_FUZZ_SECONDS="${HIL_FUZZ_SECONDS:-30}"
cmake --build --preset fuzz
ctest --preset fuzz "$@"
