#!/usr/bin/env bash
# Installs the Debian 12 packages the project builds, tests and reports with.
# Safe to run any number of times: apt-get skips what is already installed.
# With --fuzz it also installs clang, its libFuzzer/sanitizer runtimes and llvm-symbolizer (cmake/fuzz.sh).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-declarative-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  libserialport-dev libsqlite3-dev sqlite3 libyaml-cpp-dev
  libboost-test-dev
  socat bc python3 xvfb xauth fonts-dejavu-core clang-format
  poppler-utils chromium
  mosquitto mosquitto-clients libmosquitto-dev
  qt6-serialbus-dev python3-pymodbus python3-serial python3-serial-asyncio
  postgresql libpq-dev qt6-httpserver-dev qt6-websockets-dev prometheus dpkg-dev python3-yaml
)
for arg in "$@"; do
  case "$arg" in
    --fuzz) packages+=(clang libclang-rt-dev llvm) ;;
    *) echo "usage: $0 [--fuzz]" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: installed ${missing[*]}"
