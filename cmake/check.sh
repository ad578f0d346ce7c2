#!/usr/bin/env bash
# Install, build, and run the whole test suite through CTest (2 jobs, output of failures shown).
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/build.sh
ctest --preset default "$@"
