#!/usr/bin/env bash
# Runs every test file with Node's test runner (through tsx), one file at a time: the integration
# suites share the private libvirtd, and one of them kills and restarts it.
# Unit tests need nothing; integration tests need the GVH_* variables that scripts/test-all.sh sets.
# Files under test/host-a/ run inside test host A's network namespace, where an agent on host A
# would be: from there the migration destination (host B) is reachable over the hosts' veth, and
# nothing else is (that namespace has no route out).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
RUN=(node --import tsx --test --test-concurrency=1 --test-reporter=spec)
LOG=$(mktemp "${TMPDIR:-/tmp}/gvh-tests.XXXXXX")
trap 'rm -f "$LOG"' EXIT
mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/host-a/*' | sort)
mapfile -t in_host_a < <(find test/host-a -name '*.test.ts' 2>/dev/null | sort)
"${RUN[@]}" "${files[@]}" | tee "$LOG"
rc=${PIPESTATUS[0]}
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
awk '/^ℹ pass /{p+=$3} /^ℹ fail /{f+=$3} END{printf "tests: %d passed, %d failed\n", p, f}' "$LOG"
exit $rc
