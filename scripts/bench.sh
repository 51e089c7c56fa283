#!/usr/bin/env bash
# `npm run bench`: our TypeScript libvirt client against the C library (libvirt-python) and virsh,
# then the agent's HTTP figures (bench/http-bench.ts) and the inventory's (bench/snapshot-bench.ts),
# on a private libvirt host A (test/hosts/hosts.sh), in its own TMPDIR so that it never touches
# hosts someone else brought up. Always brings host A down again. Prints one table and writes
# bench/results/latest.json. Needs root (the host runs in Linux namespaces) and the packages that
# scripts/test-all.sh installs; this script itself only ever installs the two client packages.
# BENCH_SCALE=0.1 makes a quick trial run.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
# Private hosts of our own: a GVH_DIR inherited from a caller would point hosts.sh at its hosts.
unset GVH_DIR
HOSTS_SH=$ROOT/test/hosts/hosts.sh
CLIENT_PACKAGES=(python3-libvirt libvirt-clients)
PYTHON=/usr/bin/python3 # Debian's interpreter: python3-libvirt is not in a pyenv python3 on PATH

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

# Install python3-libvirt / libvirt-clients if missing (no apt-get at all otherwise).
install_client_packages() {
  install_missing_packages "${CLIENT_PACKAGES[@]}"
}

# hosts.sh with our private TMPDIR: it keeps its state pointer there, so other runs' hosts are safe.
hosts() {
  TMPDIR=$BENCH_TMP bash "$HOSTS_SH" "$@"
}

# Tear host A down and drop our private TMPDIR (kept if down left something behind), however we leave.
cleanup() {
  if hosts down; then rm -rf "$BENCH_TMP"; else log "host A not fully down; keeping $BENCH_TMP"; fi
}

main() {
  local env_lines rc
  cd "$ROOT" || exit 1
  [ "$(id -u)" = 0 ] || die "must run as root (it starts a private libvirtd in namespaces)"
  install_client_packages || die "package installation failed"
  "$PYTHON" -c 'import libvirt' || die "$PYTHON cannot import libvirt"
  command -v virsh >/dev/null || die "virsh not found"
  [ -e node_modules/.bin/tsx ] || die "node_modules missing: run npm ci"
  BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gvh-bench.XXXXXX") || die "mktemp failed"
  export TMPDIR=$BENCH_TMP # everything temporary (tsx's cache too) goes with it
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  env_lines=$(hosts up a) || die "host A did not come up (run 'npm run test:all' once to install the daemon packages)"
  eval "$env_lines"
  log "host A up: $GVH_DIR (virt type $GVH_VIRT_TYPE)"
  BENCH_PYTHON=$PYTHON node --import tsx bench/libvirt-bench.ts "$@"
  rc=$?
  node --import tsx bench/http-bench.ts || rc=1
  node --import tsx bench/snapshot-bench.ts || rc=1
  exit $rc
}

main "$@"
