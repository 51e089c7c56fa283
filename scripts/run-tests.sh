#!/usr/bin/env bash
# Runs test files with Node's test runner (through tsx), one file at a time: the integration
# suites share the private libvirtd, and one of them kills and restarts it.
#
#   run-tests.sh [--label LABEL] [FILE ...]
#
# Without FILEs it runs every test file. Unit tests need nothing; integration tests need the GVH_*
# variables that scripts/test-all.sh sets. Files under a folder named in-host-a/ run inside test host A's network
# namespace, where an agent on host A would be: from there the migration destination (host B) is
# reachable over the hosts' veth, and nothing else is (that namespace has no route out).
# The closing line is `tests: N passed, N failed`; with --label it is `LABEL: N passed, N failed`
# (scripts/test-all.sh labels each of its passes and closes with the sum).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
RUN=(node --import tsx --test --test-concurrency=1 --test-reporter=spec)
LABEL=tests
if [ "${1:-}" = --label ]; then
  LABEL=${2:?--label needs a text}
  shift 2
fi
LOG=$(mktemp "${TMPDIR:-/tmp}/gvh-tests.XXXXXX")
trap 'rm -f "$LOG"' EXIT
if [ $# -eq 0 ]; then
  mapfile -t files < <(find test -name '*.test.ts' -not -path '*/in-host-a/*' | sort)
  mapfile -t in_host_a < <(find test -path '*/in-host-a/*' -name '*.test.ts' | sort)
else
  files=() in_host_a=()
  for f in "$@"; do
    case $f in */in-host-a/*) in_host_a+=("$f") ;; *) files+=("$f") ;; esac
  done
fi
rc=0
# Never run node --test without files: it would pick its own default set.
if [ ${#files[@]} -gt 0 ]; then
  "${RUN[@]}" "${files[@]}" | tee "$LOG"
  rc=${PIPESTATUS[0]}
fi
if [ ${#in_host_a[@]} -gt 0 ]; then
  if [ -z "${GVH_A_PID:-}" ]; then
    echo "run-tests: GVH_A_PID is not set; ${in_host_a[*]} need the private hosts (npm run test:all)" >&2
    rc=1
  else
    nsenter --net="/proc/$GVH_A_PID/ns/net" -- "${RUN[@]}" "${in_host_a[@]}" | tee -a "$LOG"
    [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  fi
fi
# One closing line over both runs.
awk -v label="$LABEL" '/^ℹ pass /{p+=$3} /^ℹ fail /{f+=$3} END{printf "%s: %d passed, %d failed\n", label, p, f}' "$LOG"
exit $rc
