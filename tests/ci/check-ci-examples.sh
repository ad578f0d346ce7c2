#!/usr/bin/env bash
# The CI examples in docs/ci/ stay true to the hil they describe: the GitLab file parses as YAML with the
# jobs and artifacts a nightly soak needs, the Jenkinsfile has its sections and balanced braces, and every
# `hil <command> --option` either uses appears in that command's --help of the built hil.
# Usage: check-ci-examples.sh SOURCE_DIR HIL
set -euo pipefail
src="${1:?usage: $0 SOURCE_DIR HIL}"
hil="${2:?usage: $0 SOURCE_DIR HIL}"
gitlab="$src/docs/ci/gitlab-ci.yml"
jenkins="$src/docs/ci/Jenkinsfile"
status=0
fail() { echo "ci examples: $*" >&2; status=1; }

/usr/bin/python3 - "$gitlab" <<'PY' || status=1
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
def need(cond, why):
    if not cond:
        print("ci examples: gitlab-ci.yml: " + why, file=sys.stderr); sys.exit(1)
need(isinstance(doc, dict), "not a mapping")
need(doc.get("stages") == ["setup", "soak", "publish"], "stages are not setup, soak, publish")
for job in ("install", "soak", "publish"):
    need(job in doc and "script" in doc[job], f"job {job} with a script missing")
    need(doc[job].get("extends") == ".bench", f"job {job} does not run on the bench runner")
need(doc[".bench"].get("tags") == ["hil-bench"], ".bench is not tagged hil-bench")
art = doc["soak"].get("artifacts", {})
need(art.get("when") == "always", "soak artifacts are not kept when it fails")
need(art.get("reports", {}).get("junit") == "junit.xml", "soak has no JUnit report")
need("report.html" in art.get("paths", []), "soak does not keep the HTML report")
PY

for section in "pipeline {" "agent {" "triggers {" "stages {" "post {" "always {" "junit " "archiveArtifacts "; do
    grep -qF "$section" "$jenkins" || fail "Jenkinsfile lacks '$section'"
done
opens=$(tr -cd '{' <"$jenkins" | wc -c)
closes=$(tr -cd '}' <"$jenkins" | wc -c)
[ "$opens" -eq "$closes" ] || fail "Jenkinsfile has $opens '{' and $closes '}'"

# Every hil command line of both files (up to a closing quote; backslash continuations and folded YAML
# lines that start with -- joined), one "COMMAND OPTION"
# pair per option used.
checked=0
while read -r cmd opt; do
    help=$("$hil" "$cmd" --help 2>&1) || { fail "hil $cmd --help failed"; continue; }
    grep -qE -- "(^|[ ,])$opt([ =,<]|$)" <<<"$help" || fail "hil $cmd has no option $opt"
    checked=$((checked + 1))
done < <(/usr/bin/python3 - "$gitlab" "$jenkins" <<'PY'
import re, sys
seen = set()
for path in sys.argv[1:]:
    text = open(path).read().replace("\\\n", " ")
    # folded YAML (">") and list items: a command runs on until the next list item or key
    for m in re.finditer(r"\bhil (run|push|trend|validate|report|runs|compare)\b([^\n']*(?:\n[ \t]+--[^\n']*)*)", text):
        for opt in re.findall(r"(?<![\w-])--[a-z][a-z-]*", m.group(2)):
            if (m.group(1), opt) not in seen:
                seen.add((m.group(1), opt))
                print(m.group(1), opt)
PY
)
[ "$checked" -ge 15 ] || fail "only $checked options were checked: the command lines were not found"
[ "$status" -eq 0 ] && echo "ci examples: gitlab-ci.yml and Jenkinsfile check out ($checked hil options found in --help)"
exit "$status"
