#!/usr/bin/env bash
# The main job: install, build, and run the smoke scenario on the simulated bench. Prints where the
# database, the JUnit file and the HTML report are. Exit code: the run's (0 PASS, 1 FAIL, 3 ERROR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/build.sh
mkdir -p out
set +e
build/bin/hil run scenarios/smoke.yaml --fixture fixtures/sim-bench.yaml \
  --db out/demo.db --junit out/demo-junit.xml --html out/demo-report.html "$@"
code=$?
set -e
echo
build/bin/hil runs --db out/demo.db | tail -n 5
exit $code
