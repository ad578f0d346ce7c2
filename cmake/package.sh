#!/usr/bin/env bash
# Builds the project (default preset) and packs hil_<version>_<arch>.deb into build/packages/.
# Install it on a bench with: sudo apt install ./build/packages/hil_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
mkdir -p build/packages
(cd build && cpack -G DEB -B packages >/dev/null)
rm -rf build/packages/_CPack_Packages
ls -1 build/packages/hil_*.deb
