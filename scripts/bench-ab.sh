#!/usr/bin/env bash
# `npm run bench:ab -- REF`: this tree against commit REF (default: the last commit of main before
# the operations work, see README's Benchmark), side by side in one run (bench/ab-bench.ts), on a
# private libvirt host A in its own TMPDIR. REF is checked out into a temporary git worktree that
# shares this tree's node_modules; both the worktree and host A are removed however it ends.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REF=${1:-HEAD~1}
unset GVH_DIR
log() { echo "bench-ab: $*" >&2; }
cd "$ROOT" || exit 1
[ "$(id -u)" = 0 ] || { log "must run as root (it starts a private libvirtd in namespaces)"; exit 1; }
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gvh-bench-ab.XXXXXX") || exit 1
BASE_DIR=$BENCH_TMP/base
cleanup() {
  TMPDIR=$BENCH_TMP bash test/hosts/hosts.sh down || log "host A not fully down"
  git worktree remove --force "$BASE_DIR" 2>/dev/null
  rm -rf "$BENCH_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
git worktree add --detach "$BASE_DIR" "$REF" >/dev/null || { log "cannot check out $REF"; exit 1; }
ln -s "$ROOT/node_modules" "$BASE_DIR/node_modules"
env_lines=$(TMPDIR=$BENCH_TMP bash test/hosts/hosts.sh up a) || { log "host A did not come up"; exit 1; }
eval "$env_lines"
export TMPDIR=$BENCH_TMP
BENCH_BASE_DIR=$BASE_DIR BENCH_BASE_REF=$(git rev-parse --short "$REF") node --import tsx bench/ab-bench.ts
