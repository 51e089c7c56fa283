#!/usr/bin/env bash
# Runs every test file with Node's test runner (through tsx), one file at a time: the integration
# suites share the private libvirtd, and one of them kills and restarts it.
# Unit tests need nothing; integration tests need the GVH_* variables that scripts/test-all.sh sets.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
