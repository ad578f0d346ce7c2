#!/usr/bin/env bash
# `cmake --install` into a fresh prefix, then the installed hil runs the installed smoke scenario on the
# installed simulated bench (hil-sim found beside hil), from a folder outside the source and build trees,
# and its reports are written. Usage: check-install.sh BUILD_DIR
set -euo pipefail
build="${1:?usage: $0 BUILD_DIR}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for exe in hil hil-sim; do
    [ -x "$prefix/bin/$exe" ] || { echo "install: $prefix/bin/$exe missing" >&2; exit 1; }
done
share="$prefix/share/hil"
for f in scenarios/smoke.yaml fixtures/sim-bench.yaml; do
    [ -f "$share/$f" ] || { echo "install: $share/$f missing" >&2; exit 1; }
done
[ -f "$prefix/share/doc/hil/README.md" ] || { echo "install: README.md not in share/doc/hil" >&2; exit 1; }

cd "$work"
# Nothing from the build tree on PATH: the installed hil must find the installed hil-sim beside itself.
env PATH=/usr/bin:/bin "$prefix/bin/hil" validate "$share/scenarios/smoke.yaml" --fixture "$share/fixtures/sim-bench.yaml"
set +e
env PATH=/usr/bin:/bin "$prefix/bin/hil" run "$share/scenarios/smoke.yaml" --fixture "$share/fixtures/sim-bench.yaml" \
    --for 1s --db "$work/results.db" --junit "$work/junit.xml" --json "$work/summary.json" --quiet
code=$?
set -e
if [ "$code" -ne 0 ]; then
    echo "install: the installed hil run exited $code (expected 0, PASS)" >&2
    exit 1
fi
for f in results.db junit.xml summary.json; do
    [ -s "$work/$f" ] || { echo "install: the installed hil run wrote no $f" >&2; exit 1; }
done
echo "install: $(find "$prefix" -type f | wc -l) files installed; the installed hil ran the smoke scenario: PASS"
