#!/usr/bin/env bash
# The project's full test run (`npm run test:all`, and CI through .ci/run). Works on a fresh
# Debian 12 machine as root: installs what is missing, brings up the isolated libvirt test hosts
# (test/hosts/hosts.sh), typechecks, runs every test, and always brings the hosts down again.
# When the hosts chose KVM, a second pass brings them up again with TCG forced and reruns the files
# that start QEMU guests (test/hosts/guest-suites.txt), so both paths are proven; GVH_TCG_PASS=0 skips it.
# Prints each pass's counts and wall time, then one closing line over both passes,
# `tests: N passed, N failed`. Exits non-zero if either pass fails.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
# Private hosts of our own: a GVH_DIR inherited from a caller would point hosts.sh at its hosts.
unset GVH_DIR
HOSTS_SH=$ROOT/test/hosts/hosts.sh
GUEST_SUITES=$ROOT/test/hosts/guest-suites.txt
WORK=''       # this run's own temp dir (TMPDIR for everything it runs), removed at the end
SUMMARY=()    # one line per pass: its counts and wall time
DEBIAN_PACKAGES=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 chromium
  qemu-utils dnsmasq-base iptables iproute2 util-linux mount python3-libvirt
  systemd passwd cpio prometheus)

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

# Always tear the test hosts down and drop our temp dir (kept if down left something behind),
# however we leave (runs from the EXIT trap).
# shellcheck disable=SC2317
cleanup() {
  if bash "$HOSTS_SH" down; then rm -rf "$WORK"; else log "the hosts did not come down cleanly; kept $WORK"; fi
}

# Brings the hosts up (stopping any first) with the environment given before it, e.g.
# `hosts_up GVH_FORCE_VIRT_TYPE=qemu`, and takes their GVH_* variables.
hosts_up() {
  local env_lines
  bash "$HOSTS_SH" down || return 1
  env_lines=$(env -u GVH_DIR "$@" bash "$HOSTS_SH" up a b) || return 1
  eval "$env_lines"
  log "test hosts up: $GVH_DIR (virt type $GVH_VIRT_TYPE: $GVH_VIRT_WHY)"
}

# The files that start QEMU guests: test/hosts/guest-suites.txt without its comments.
guest_suites() {
  grep -v -e '^#' -e '^[[:space:]]*$' "$GUEST_SUITES"
}

# Runs one pass of run-tests.sh labelled LABEL over FILES (every file when none) and records its
# closing line with the wall time in SUMMARY. Returns the pass's status.
run_pass() {
  local label=$1 out=$WORK/pass-${#SUMMARY[@]}.log start rc line
  shift
  start=$SECONDS
  bash scripts/run-tests.sh --label "$label" "$@" | tee "$out"
  rc=${PIPESTATUS[0]}
  line=$(grep -F "$label: " "$out" | tail -n 1)
  SUMMARY+=("${line:-$label: 0 passed, 1 failed (no closing line)} in $((SECONDS - start)) s")
  return $rc
}

# The TCG pass: hosts up again with TCG forced, the guest files rerun. A pass that cannot start
# counts as one failure.
tcg_pass() {
  local files
  mapfile -t files < <(guest_suites)
  if ! hosts_up GVH_FORCE_VIRT_TYPE=qemu; then
    SUMMARY+=("qemu (TCG forced) pass: 0 passed, 1 failed (the hosts did not come up with TCG)")
    return 1
  fi
  run_pass "qemu (TCG forced), the ${#files[@]} guest files" "${files[@]}"
}

# Each pass's line, then the closing line CI reads: the sum over every pass.
print_summary() {
  local line
  echo
  for line in "${SUMMARY[@]}"; do echo "  $line"; done
  printf '%s\n' "${SUMMARY[@]}" | awk '{ for (i = 2; i <= NF; i++) { if ($i == "passed,") p += $(i - 1); if ($i == "failed") f += $(i - 1) } }
    END { printf "tests: %d passed, %d failed\n", p, f }'
}

main() {
  local rc=0
  cd "$ROOT" || exit 1
  [ "$(id -u)" = 0 ] || die "must run as root (it starts private libvirt daemons in namespaces)"
  install_packages || die "package installation failed"
  command -v npm >/dev/null || die "Node.js 20 and npm are required"
  install_node_modules || die "npm ci failed"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/gvh.XXXXXX") || die "mktemp failed"
  # Everything temporary goes in it: the hosts' state, the tests' files, tsx's cache. Its name is
  # short because tests nest hosts in it, and a host's socket path must fit in 107 characters.
  export TMPDIR=$WORK
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  hosts_up || die "test hosts did not come up"
  npm run typecheck || die "typecheck failed"
  run_pass "$GVH_VIRT_TYPE, every file" || rc=1
  if [ "$GVH_VIRT_TYPE" = kvm ] && [ "${GVH_TCG_PASS:-1}" != 0 ]; then
    tcg_pass || rc=1
  fi
  bash "$HOSTS_SH" down || rc=1
  log "tests finished with status $rc"
  print_summary
  exit $rc
}

main "$@"
