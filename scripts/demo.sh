#!/usr/bin/env bash
# `npm run demo`: govirthost running on 127.0.0.1:8080 in one command, on a Debian 12 machine as root.
#
# Where a system libvirtd answers on /run/libvirt/libvirt-sock, the agent manages that libvirt (the
# demo defines nothing there). Elsewhere it installs the Debian packages that are missing, starts a
# private sandbox libvirt host with the same isolation the tests use (test/hosts/hosts.sh: its own
# mount, UTS, network, PID and IPC namespaces, its own /run, /etc/libvirt and /var/lib/libvirt),
# defines three tiny guests (two running), starts the agent against it and prints calls to paste.
# Guests use KVM where /dev/kvm is a character device that opens read-write and libvirt offers
# kvm, else TCG (QEMU's software emulation, slower); the demo says which, and why.
# Ctrl-C stops the agent and removes the sandbox: no process, mount or file is left.
#
#   npm run demo [-- --listen HOST:PORT] [-- --sandbox]
#     --listen   where the agent listens (default 127.0.0.1:8080)
#     --sandbox  use a sandbox host even where a system libvirtd runs
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
# Private hosts of our own: a GVH_DIR inherited from a caller would point hosts.sh at its hosts.
unset GVH_DIR
HOSTS_SH=$ROOT/test/hosts/hosts.sh
GUEST_XML=$ROOT/test/hosts/tiny-guest.xml.example
SYSTEM_SOCK=/run/libvirt/libvirt-sock
PACKAGES=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 iproute2 util-linux mount curl)
LISTEN=127.0.0.1:8080
FORCE_SANDBOX=0
DEMO_DIR=''
AGENT_PID=''
GUESTS=''

log() { echo "demo: $*" >&2; }
die() { log "$*"; exit 1; }

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --listen) LISTEN=${2:?--listen needs HOST:PORT}; shift 2 ;;
      --sandbox) FORCE_SANDBOX=1; shift ;;
      -h | --help) sed -n '2,/^set -u/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
  done
}

install_packages() {
  install_missing_packages "${PACKAGES[@]}"
}

# True when a daemon accepts connections on the system socket.
system_libvirtd() {
  [ -S "$SYSTEM_SOCK" ] && node -e "require('net').connect(process.argv[1]).on('connect', () => process.exit(0)).on('error', () => process.exit(1))" "$SYSTEM_SOCK"
}

# Stop the agent, bring the sandbox down, remove the demo directory (from the EXIT trap).
# shellcheck disable=SC2317
cleanup() {
  if [ -n "$AGENT_PID" ] && kill -0 "$AGENT_PID" 2>/dev/null; then
    kill -TERM "$AGENT_PID"
    wait "$AGENT_PID" 2>/dev/null
  fi
  [ -n "$DEMO_DIR" ] || return 0
  if [ -e "$DEMO_DIR/sandbox" ]; then
    log "removing the sandbox host"
    TMPDIR=$DEMO_DIR bash "$HOSTS_SH" down || { log "the sandbox did not come down cleanly; kept $DEMO_DIR"; return 1; }
  fi
  rm -rf "$DEMO_DIR"
  log "stopped; removed $DEMO_DIR"
}

# The tiny guest (test/hosts/tiny-guest.xml.example: NIC ROM off, so it idles in SeaBIOS, running).
guest_xml() {
  sed -e '/<!--/,/-->/d' -e "s|VIRT_TYPE|$GVH_VIRT_TYPE|" -e "s|LOGFILE|/var/log/libvirt/qemu/$1-serial.log|" \
    -e "s|<name>NAME</name>|<name>$1</name>|" "$GUEST_XML"
}

start_sandbox() {
  local env_lines name
  install_packages || die "package installation failed"
  : >"$DEMO_DIR/sandbox"
  env_lines=$(TMPDIR=$DEMO_DIR bash "$HOSTS_SH" up a) || die "the sandbox host did not come up"
  eval "$env_lines"
  GUESTS=$(guest_kind "$GVH_VIRT_TYPE" "$GVH_VIRT_WHY")
  log "guests: $GUESTS"
  for name in demo-web demo-db demo-spare; do
    guest_xml "$name" >"$DEMO_DIR/$name.xml"
    virsh -q -c "$GVH_A_URI" define "$DEMO_DIR/$name.xml" >/dev/null || die "could not define $name"
  done
  virsh -q -c "$GVH_A_URI" start demo-web >/dev/null && virsh -q -c "$GVH_A_URI" start demo-db >/dev/null ||
    die "could not start the guests"
  URI=$GVH_A_URI
  DOM_ON=demo-web
  DOM_OFF=demo-spare
  WHERE="a sandbox libvirt host (gvh-a) with demo-web and demo-db running and demo-spare shut off"
}

# What virt type TYPE means for the guests, with the reason hosts.sh gave for choosing it.
guest_kind() {
  case $1 in
    kvm) echo "KVM (type kvm, hardware-accelerated: $2)" ;;
    *) echo "TCG (type qemu, QEMU's software emulation, slower; $2)" ;;
  esac
}

start_agent() {
  local i
  # TMPDIR: tsx keeps its cache there, so it goes with the demo directory.
  TMPDIR=$DEMO_DIR node --import tsx "$ROOT/src/main.ts" --listen "$LISTEN" --libvirt-uri "$URI" --db "$DEMO_DIR/govirthost.db" \
    >"$DEMO_DIR/agent.log" 2>&1 &
  AGENT_PID=$!
  for ((i = 0; i < 300; i++)); do
    kill -0 "$AGENT_PID" 2>/dev/null || die "the agent stopped: $(cat "$DEMO_DIR/agent.log")"
    node -e "fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))" \
      "http://$LISTEN/readyz" && return 0
    sleep 0.1
  done
  die "the agent did not become ready: $(cat "$DEMO_DIR/agent.log")"
}

print_calls() {
  local u="http://$LISTEN"
  cat <<EOF2

govirthost is running on $u, managing $WHERE.
Guests: $GUESTS
Sandbox and database: $DEMO_DIR    Agent log (JSON lines): tail -f $DEMO_DIR/agent.log

Paste these into another terminal. The seed protocol (one URL, JSON in the body, even on GET):
  curl -s -X GET -d '{"target":"vm","domain":""}' $u/
  curl -s -X GET -d '{"target":"metal"}' $u/
  curl -s '$u/?target=xml&domain=$DOM_ON'
  curl -s -X POST -d '{"domain":"$DOM_OFF","action":"start","target":""}' $u/
The REST API (under /v1; its OpenAPI document is $u/openapi.json):
  curl -s $u/v1/domains
  curl -s -X POST -d '{"wait": 5, "force": true}' $u/v1/domains/$DOM_ON/actions/shutdown
  curl -s '$u/v1/history?limit=5'
Operating it:
  curl -s $u/readyz
  curl -s $u/metrics | grep '^govirthost_'

Ctrl-C stops the agent and removes the sandbox.
EOF2
}

main() {
  parse_args "$@"
  cd "$ROOT" || exit 1
  [ "$(id -u)" = 0 ] || die "run as root: the sandbox host needs namespaces and mounts, the system libvirt its socket"
  command -v node >/dev/null || die "Node.js 20 with npm is required"
  if [ ! -e node_modules/.bin/tsx ]; then log "npm ci"; npm ci || die "npm ci failed"; fi
  DEMO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gvh-demo.XXXXXX") || die "mktemp failed"
  chmod 0711 "$DEMO_DIR"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if [ $FORCE_SANDBOX = 0 ] && system_libvirtd; then
    URI=qemu:///system
    WHERE="this machine's libvirt (qemu:///system); the demo defined nothing there"
    DOM_ON=YOUR-RUNNING-DOMAIN
    DOM_OFF=YOUR-STOPPED-DOMAIN
    GUESTS="whatever this machine's libvirt runs (the demo chose no virt type and started nothing)"
  else
    start_sandbox
  fi
  start_agent
  print_calls
  wait "$AGENT_PID"
  log "the agent exited; see $DEMO_DIR/agent.log"
  cat "$DEMO_DIR/agent.log" >&2
}

main "$@"
