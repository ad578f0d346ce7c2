#!/usr/bin/env bash
# The Debian package: packs hil_<version>_<arch>.deb from the build tree (CPack), checks that apt can
# resolve every dependency it declares on this machine, unpacks it into a clean root (no change to the
# system), and from there runs hil --version, hil-sim --help, hil-bench --help and the demo (the installed
# smoke scenario on the installed simulated bench), with nothing of the build tree on PATH.
# Usage: check-deb.sh BUILD_DIR
set -euo pipefail
build="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; exit 1; }
deb=$(ls "$work"/pkg/hil_*_*.deb)
echo "deb: $(basename "$deb") ($(stat -c %s "$deb") bytes)"

depends=$(dpkg-deb -f "$deb" Depends)
for lib in libqt6core6 libqt6network6 libsqlite3-0 libserialport0 libyaml-cpp0.7 libpq5 libmosquitto1 qt6-qpa-plugins; do
    grep -q "$lib" <<<"$depends" || { echo "deb: Depends lacks $lib: $depends" >&2; exit 1; }
done
# Every package it depends on exists here, and apt resolves the whole package without installing it.
for pkg in $(tr ',' '\n' <<<"$depends" | sed -E 's/\(.*\)//; s/^ +| +$//g' | cut -d'|' -f1); do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || { echo "deb: dependency $pkg is not installed on this machine" >&2; exit 1; }
done
if command -v apt-get >/dev/null; then
    apt-get install --simulate --no-install-recommends "$deb" >"$work/apt.log" 2>&1 \
        || { cat "$work/apt.log" >&2; echo "deb: apt cannot install it" >&2; exit 1; }
fi
# No build-tree paths baked into the binaries.
root="$work/root"
dpkg-deb -x "$deb" "$root"
for exe in hil hil-sim; do
    [ -x "$root/usr/bin/$exe" ] || { echo "deb: /usr/bin/$exe missing" >&2; exit 1; }
    if readelf -d "$root/usr/bin/$exe" | grep -qE 'RPATH|RUNPATH'; then
        echo "deb: /usr/bin/$exe carries an RPATH: $(readelf -d "$root/usr/bin/$exe" | grep -E 'RPATH|RUNPATH')" >&2
        exit 1
    fi
done
[ -f "$root/usr/share/hil/scenarios/smoke.yaml" ] || { echo "deb: scenarios missing" >&2; exit 1; }
[ -f "$root/usr/share/doc/hil/README.md" ] || { echo "deb: docs missing" >&2; exit 1; }

cd "$work"
export PATH="$root/usr/bin:/usr/bin:/bin"
version=$(hil --version)
[ "$version" = "hil $(dpkg-deb -f "$deb" Version)" ] || { echo "deb: hil --version says '$version'" >&2; exit 1; }
hil-sim --help >/dev/null
if [ -x "$root/usr/bin/hil-bench" ]; then
    QT_QPA_PLATFORM=offscreen hil-bench --help >/dev/null 2>&1
fi
set +e
hil run "$root/usr/share/hil/scenarios/smoke.yaml" --fixture "$root/usr/share/hil/fixtures/sim-bench.yaml" \
    --for 1s --db "$work/demo.db" --junit "$work/junit.xml" --html "$work/report.html" --quiet
code=$?
set -e
[ "$code" -eq 0 ] || { echo "deb: the packaged hil run exited $code (expected 0, PASS)" >&2; exit 1; }
for f in demo.db junit.xml report.html; do
    [ -s "$work/$f" ] || { echo "deb: the packaged hil run wrote no $f" >&2; exit 1; }
done
echo "deb: $version from the package ran the demo: PASS ($(dpkg-deb -c "$deb" | wc -l) entries, Depends: $depends)"
