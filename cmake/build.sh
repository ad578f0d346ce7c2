#!/usr/bin/env bash
# Installs what the project needs (cmake/setup.sh), then configures and builds with the default preset
# (Release, Ninja) into build/. Used by the README's two commands. Extra arguments go to the configure
# step (cmake/check.sh passes -DHIL_WARNINGS_AS_ERRORS=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/setup.sh
cmake --preset default "$@" >/dev/null
cmake --build --preset default -j "$(nproc)"
