#!/usr/bin/env bash
# The project's full test run (`npm run test:all`, and CI through .ci/run). Works on a fresh
# Debian 12 machine as root: installs what is missing, brings up the isolated libvirt test hosts
# (test/hosts/hosts.sh), typechecks, runs every test, and always brings the hosts down again.
# Exits with the tests' status.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
# Private hosts of our own: a GVH_DIR inherited from a caller would point hosts.sh at its hosts.
unset GVH_DIR
HOSTS_SH=$ROOT/test/hosts/hosts.sh
DEBIAN_PACKAGES=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 chromium
  qemu-utils dnsmasq-base iptables iproute2 util-linux mount python3-libvirt
  systemd passwd)

log() { echo "test-all: $*" >&2; }
die() { log "$*"; exit 1; }

# Install the Debian packages that are not installed yet (no apt-get at all if none is missing).
install_packages() {
  install_missing_packages "${DEBIAN_PACKAGES[@]}"
}

# npm ci when node_modules is missing or older than package-lock.json. A node_modules that is a
# symlink (a git worktree sharing another checkout's install) is left alone: npm ci would empty
# the directory it points to.
install_node_modules() {
  if [ -L node_modules ]; then
    log "node_modules is a symlink (shared install): not running npm ci"
    return 0
  fi
  if [ ! -e node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci
  fi
}

# Always tear the test hosts down, however we leave (runs from the EXIT trap).
# shellcheck disable=SC2317
cleanup() {
  bash "$HOSTS_SH" down
}

main() {
  local env_lines rc
  cd "$ROOT" || exit 1
  [ "$(id -u)" = 0 ] || die "must run as root (it starts private libvirt daemons in namespaces)"
  install_packages || die "package installation failed"
  command -v npm >/dev/null || die "Node.js 20 and npm are required"
  install_node_modules || die "npm ci failed"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  env_lines=$(bash "$HOSTS_SH" up a b) || die "test hosts did not come up"
  eval "$env_lines"
  log "test hosts up: $GVH_DIR (virt type $GVH_VIRT_TYPE)"
  npm run typecheck || die "typecheck failed"
  bash scripts/run-tests.sh
  rc=$?
  log "tests finished with status $rc"
  exit $rc
}

main "$@"
