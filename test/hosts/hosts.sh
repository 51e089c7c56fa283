#!/usr/bin/env bash
# Isolated libvirt test hosts "a" (gvh-a, 10.213.77.1) and "b" (gvh-b, 10.213.77.2), each a
# libvirtd + virtlogd in its own namespaces (see hostinit.sh), joined by a veth pair.
#
#   hosts.sh up [NAME ...]     start hosts (default: a), print env lines on stdout
#   hosts.sh env               print `export GVH_...` lines for the running hosts
#   hosts.sh down              stop everything, remove the state dir (idempotent)
#   hosts.sh kill-daemon NAME  SIGKILL that host's libvirtd (guests keep running)
#   hosts.sh start-daemon NAME start that host's libvirtd again
#   hosts.sh daemon-pid NAME   print the PID (as seen from here) of that host's libvirtd
#
# `env` (and `up`) print: GVH_HOSTS_SH, GVH_DIR, GVH_VIRT_TYPE (kvm|qemu), GVH_VIRT_WHY (the
# reason for that type, e.g. "/dev/kvm is missing") and, per host X in A/B:
# GVH_X_SOCK, GVH_X_URI (qemu+unix), GVH_X_TEST_URI (test+unix), GVH_X_IP, GVH_X_PID (outer PID
# of the host's PID 1), GVH_X_LOGDIR (the host's /var/log/libvirt).
# Knobs: TMPDIR (state location; one set of hosts per TMPDIR), GVH_FORCE_VIRT_TYPE=qemu|kvm,
# GVH_KVM_DEVICE (the device the KVM probe checks instead of /dev/kvm; it is never created),
# GVH_KEEP_FAILED=1 (a failed `up` leaves its state for inspection; clean up with `down`).
# All state is in one `mktemp -d` dir, found through the pointer symlink below.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$HERE/$(basename "${BASH_SOURCE[0]}")
STATE_ROOT=${TMPDIR:-/tmp}
STATE_ROOT=${STATE_ROOT%/}
POINTER=$STATE_ROOT/gvh-hosts.current
ALL_HOSTS=(a b)
DAEMON_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C)
READY_TIMEOUT=30   # seconds for a daemon to answer
STOP_TIMEOUT=15    # seconds between SIGTERM and SIGKILL

die() { echo "hosts.sh: $*" >&2; exit 1; }
warn() { echo "hosts.sh: $*" >&2; }

host_ip() { case $1 in a) echo 10.213.77.1 ;; b) echo 10.213.77.2 ;; esac; }
host_sock() { echo "$1/$2/run/libvirt/libvirt-sock"; }
host_uri() { echo "qemu+unix:///system?socket=$(host_sock "$1" "$2")"; }
valid_name() { case $1 in a | b) return 0 ;; *) return 1 ;; esac; }

# The current state dir, or nothing. GVH_DIR (set by `env`/`up` in a caller's environment) wins
# over the TMPDIR pointer, so a test always acts on the hosts it talks to, whatever its TMPDIR.
# Only a path shaped like ours is ever trusted (it gets rm -rf).
current_dir() {
  local d=${GVH_DIR:-}
  if [ -z "$d" ]; then
    d=$(readlink "$POINTER" 2>/dev/null) || return 1
  fi
  case $d in */gvh-hosts.??????) ;; *) return 1 ;; esac
  [ -d "$d" ] && echo "$d"
}

# Host names that have a directory in state dir $1.
hosts_in() {
  local n
  for n in "${ALL_HOSTS[@]}"; do [ -d "$1/$n" ] && echo "$n"; done
}

# True if PID is alive (not a zombie) and its cmdline contains TEXT.
pid_matches() {
  local pid=$1 text=$2 state cmd
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed -E 's/^.*\) (.).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmd == *"$text"* ]]
}

# virsh against host NAME's own socket, with a time limit.
hvirsh() {
  local dir=$1 name=$2
  shift 2
  timeout 60 virsh -q -c "$(host_uri "$dir" "$name")" "$@"
}

# ---------------------------------------------------------------- up

# Start host NAME's PID 1 in new namespaces, detached from our session and stdio.
spawn_host() {
  local dir=$1 name=$2
  mkdir -p "$dir/$name"
  # The subshell records its own PID before exec (setsid, env and unshare keep it: without job
  # control it is no process-group leader, so setsid does not fork). Even if `up` is killed
  # right after the fork, down still finds the host.
  (echo "$BASHPID" >"$dir/$name/unshare.pid" && cd / && exec setsid "${DAEMON_ENV[@]}" unshare --mount --uts --net --pid --ipc --fork \
    --kill-child=SIGKILL --propagation private -- bash "$HERE/hostinit.sh" "$dir" "$name" \
    </dev/null >"$dir/$name/hostinit.log" 2>&1) &
}

# Wait until host file FILE exists (in 1/20 s ticks), failing early if the host's unshare dies.
wait_file() {
  local file=$1 ticks=$2 upid i
  for ((i = 0; i < ticks; i++)); do
    [ -e "$file" ] && return 0
    upid=$(cat "${file%/*}/unshare.pid" 2>/dev/null)
    if [ -n "$upid" ] && ! kill -0 "$upid" 2>/dev/null; then return 1; fi
    sleep 0.05
  done
  return 1
}

# Addresses: with both hosts, a veth pair straight between their netns; alone, the IP on lo.
setup_network() {
  local dir=$1 n pid
  shift
  if [ $# -eq 2 ]; then
    ip link add eth0 netns "$(cat "$dir/a/pid")" type veth \
      peer name eth0 netns "$(cat "$dir/b/pid")" || return 1
  fi
  for n in "$@"; do
    pid=$(cat "$dir/$n/pid")
    nsenter -t "$pid" -n ip link set lo up || return 1
    if [ $# -eq 2 ]; then
      nsenter -t "$pid" -n ip addr add "$(host_ip "$n")/24" dev eth0 || return 1
      nsenter -t "$pid" -n ip link set eth0 up || return 1
    else
      nsenter -t "$pid" -n ip addr add "$(host_ip "$n")/32" dev lo || return 1
    fi
  done
}

# Wait until host NAME's libvirtd answers on its socket AND is really gvh-NAME.
wait_ready() {
  local dir=$1 name=$2 i got
  for ((i = 0; i < READY_TIMEOUT * 20; i++)); do
    if [ -S "$(host_sock "$dir" "$name")" ]; then
      got=$(timeout 5 virsh -q -c "$(host_uri "$dir" "$name")" hostname 2>/dev/null)
      if [ "$got" = "gvh-$name" ]; then return 0; fi
      [ -z "$got" ] || { warn "host $name answers as '$got', not gvh-$name"; return 1; }
    fi
    pid_matches "$(cat "$dir/$name/pid" 2>/dev/null)" "$dir" || { warn "host $name died"; return 1; }
    sleep 0.05
  done
  warn "host $name: libvirtd did not answer within ${READY_TIMEOUT}s"
  return 1
}

# From inside host NAME's netns, reach its own TCP listener (what migration peers use).
check_tcp() {
  local dir=$1 name=$2 got
  got=$(nsenter -t "$(cat "$dir/$name/pid")" -n \
    timeout 10 virsh -q -c "qemu+tcp://$(host_ip "$name")/system" hostname 2>&1)
  [ "$got" = "gvh-$name" ] || { warn "host $name: TCP listener not usable: $got"; return 1; }
}

# The KVM device the probe looks at: /dev/kvm, or GVH_KVM_DEVICE (a test points it at a missing
# path or a regular file in its own temp dir to prove the fallback without touching /dev).
kvm_device() {
  echo "${GVH_KVM_DEVICE:-/dev/kvm}"
}

# Why DEV cannot serve KVM guests, or nothing when it is a character device that opens read-write.
# Never creates DEV: `[ -c ]` comes first, and the open is node's with O_RDWR alone. A shell
# redirection would not do: `<>` and `>` add O_CREAT, and an empty regular /dev/kvm left that way
# makes libvirt fail every later guest start, KVM or TCG ("Unable to move ... mount to /dev/kvm").
kvm_device_problem() {
  local dev=$1
  if [ ! -e "$dev" ]; then
    echo "$dev is missing"
  elif [ ! -c "$dev" ]; then
    echo "$dev is not a character device"
  elif ! command -v node >/dev/null; then
    echo "$dev cannot be probed: node is not on PATH"
  elif ! node -e 'const fs = require("fs"); fs.closeSync(fs.openSync(process.argv[1], fs.constants.O_RDWR))' "$dev" 2>/dev/null; then
    echo "$dev does not open read-write"
  fi
}

# Checks GVH_FORCE_VIRT_TYPE and sets KVM_PROBLEM: why the KVM device is unusable, empty if it
# works (not looked at when qemu is forced). Forcing kvm with an unusable device is refused.
check_kvm_device() {
  case ${GVH_FORCE_VIRT_TYPE:-} in
    '' | kvm | qemu) ;;
    *) die "GVH_FORCE_VIRT_TYPE must be kvm or qemu, not '$GVH_FORCE_VIRT_TYPE'" ;;
  esac
  KVM_PROBLEM=''
  [ "${GVH_FORCE_VIRT_TYPE:-}" = qemu ] || KVM_PROBLEM=$(kvm_device_problem "$(kvm_device)")
  if [ "${GVH_FORCE_VIRT_TYPE:-}" = kvm ] && [ -n "$KVM_PROBLEM" ]; then
    die "GVH_FORCE_VIRT_TYPE=kvm, but $KVM_PROBLEM"
  fi
}

# Prints "TYPE REASON" for host NAME and warms its capabilities probe. kvm needs both a usable
# device (KVM_PROBLEM empty) and libvirt offering the kvm domain type; otherwise qemu (TCG).
detect_virt_type() {
  local dir=$1 name=$2
  if [ -n "${GVH_FORCE_VIRT_TYPE:-}" ]; then
    hvirsh "$dir" "$name" domcapabilities --virttype "$GVH_FORCE_VIRT_TYPE" >/dev/null || return 1
    echo "$GVH_FORCE_VIRT_TYPE forced by GVH_FORCE_VIRT_TYPE"
  elif [ -z "$KVM_PROBLEM" ] && hvirsh "$dir" "$name" domcapabilities --virttype kvm >/dev/null 2>&1; then
    echo "kvm $(kvm_device) opens read-write and libvirt offers kvm"
  else
    hvirsh "$dir" "$name" domcapabilities --virttype qemu >/dev/null 2>&1 || return 1
    echo "qemu ${KVM_PROBLEM:-libvirt does not offer the kvm domain type}"
  fi
}

# Probe capabilities on every host in parallel; the first host's answer decides the virt type
# (state files virt_type and virt_why).
warm_and_detect() {
  local dir=$1 n pids=() rc=0 answer
  shift
  for n in "$@"; do
    detect_virt_type "$dir" "$n" >"$dir/$n/virt_type" &
    pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n" || rc=1; done
  [ $rc -eq 0 ] || { warn "qemu capabilities probe failed"; return 1; }
  read -r answer <"$dir/$1/virt_type"
  echo "${answer%% *}" >"$dir/virt_type"
  echo "${answer#* }" >"$dir/virt_why"
}

# The state dir is bind-mounted over /run etc. inside the hosts, so it must not live there. And
# clients reach the daemons through the state dir, so a socket path in it must fit in sun_path.
check_state_root() {
  local real sock
  real=$(realpath -e "$STATE_ROOT") || die "TMPDIR $STATE_ROOT does not exist"
  sock=$(host_sock "$STATE_ROOT/gvh-hosts.XXXXXX" a)
  [ ${#sock} -le 107 ] ||
    die "TMPDIR $STATE_ROOT is too long: the hosts' socket paths would have ${#sock} characters, more than the 107 a UNIX socket path may have"
  case $real/ in
    /run/* | /etc/* | /var/lib/libvirt/* | /var/log/libvirt/* | /var/cache/libvirt/*)
      die "TMPDIR must not be under /run, /etc or /var/*/libvirt: $real" ;;
  esac
}

cmd_up() {
  local names=("$@") n dir
  [ ${#names[@]} -gt 0 ] || names=(a)
  [ "$(id -u)" = 0 ] || die "up needs root"
  check_state_root
  for n in "${names[@]}"; do valid_name "$n" || die "unknown host '$n' (use a, b)"; done
  if [ ${#names[@]} -gt 2 ] || [ "${names[0]}" = "${names[1]:-}" ]; then die "duplicate host names"; fi
  check_kvm_device
  [ ${#names[@]} -eq 1 ] || names=(a b)
  [ -e "$POINTER" ] || [ -L "$POINTER" ] && GVH_DIR='' cmd_down # stale hosts of this TMPDIR
  dir=$(mktemp -d "$STATE_ROOT/gvh-hosts.XXXXXX") || die "mktemp failed"
  ln -sfn "$dir" "$POINTER"
  chmod 0711 "$dir"
  GVH_DIR=$dir # env below reports these hosts, not ones a caller's GVH_DIR named
  # Roll back unless we get to the end (GVH_KEEP_FAILED=1 keeps a failed state for debugging).
  [ "${GVH_KEEP_FAILED:-}" = 1 ] || trap 'cmd_down' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  for n in "${names[@]}"; do spawn_host "$dir" "$n"; done
  for n in "${names[@]}"; do
    wait_file "$dir/$n/mounted" 200 || die "host $n failed to start: $(cat "$dir/$n/hostinit.log")"
  done
  setup_network "$dir" "${names[@]}" || die "network setup failed"
  for n in "${names[@]}"; do : >"$dir/$n/go"; done
  for n in "${names[@]}"; do wait_ready "$dir" "$n" || die "host $n not ready"; done
  for n in "${names[@]}"; do check_tcp "$dir" "$n" || die "host $n not ready"; done
  warm_and_detect "$dir" "${names[@]}" || die "host setup failed"
  trap - EXIT INT TERM HUP
  cmd_env
}

# ---------------------------------------------------------------- env

# One `export NAME='value'` line, single-quoted so that eval and humans both read it easily.
export_line() {
  local quote="'\\''"   # a ' inside single quotes is written '\''
  printf "export %s='%s'\n" "$1" "${2//\'/$quote}"
}

cmd_env() {
  local dir n N
  dir=$(current_dir) || die "no hosts are up (no $POINTER)"
  export_line GVH_HOSTS_SH "$SELF"
  export_line GVH_DIR "$dir"
  export_line GVH_VIRT_TYPE "$(cat "$dir/virt_type" 2>/dev/null)"
  export_line GVH_VIRT_WHY "$(cat "$dir/virt_why" 2>/dev/null)"
  for n in $(hosts_in "$dir"); do
    N=${n^^}
    export_line "GVH_${N}_SOCK" "$(host_sock "$dir" "$n")"
    export_line "GVH_${N}_URI" "$(host_uri "$dir" "$n")"
    export_line "GVH_${N}_TEST_URI" "test+unix:///default?socket=$(host_sock "$dir" "$n")"
    export_line "GVH_${N}_IP" "$(host_ip "$n")"
    export_line "GVH_${N}_PID" "$(cat "$dir/$n/pid" 2>/dev/null)"
    export_line "GVH_${N}_LOGDIR" "$dir/$n/log"
  done
}

# ---------------------------------------------------------------- down

# Best effort: destroy the running domains of a host whose daemon is up.
destroy_domains() {
  local dir=$1 name=$2 dom
  [ -S "$(host_sock "$dir" "$name")" ] || return 0
  [ "$(timeout 3 virsh -q -c "$(host_uri "$dir" "$name")" hostname 2>/dev/null)" = "gvh-$name" ] || return 0
  for dom in $(timeout 5 virsh -q -c "$(host_uri "$dir" "$name")" list --name 2>/dev/null); do
    timeout 5 virsh -q -c "$(host_uri "$dir" "$name")" destroy "$dom" >/dev/null 2>&1
  done
}

# Wait (up to $3 ticks of 1/20 s) until PID is gone or a zombie.
wait_gone() {
  local pid=$1 text=$2 ticks=$3 i
  for ((i = 0; i < ticks; i++)); do
    pid_matches "$pid" "$text" || return 0
    sleep 0.05
  done
  return 1
}

# Stop one host: SIGTERM its PID 1 if the daemons started (SIGKILL after a while), else SIGKILL.
stop_host() {
  local dir=$1 name=$2 pid upid
  pid=$(cat "$dir/$name/pid" 2>/dev/null)
  upid=$(cat "$dir/$name/unshare.pid" 2>/dev/null)
  if pid_matches "$pid" "$dir"; then
    if [ -e "$dir/$name/started" ]; then
      kill -TERM "$pid"
      wait_gone "$pid" "$dir" $((STOP_TIMEOUT * 20)) || { warn "host $name ignored SIGTERM"; kill -KILL "$pid"; }
    else
      kill -KILL "$pid"
    fi
  fi
  # unshare exits with its child; if the child never got its pid file, this kills it (--kill-child).
  pid_matches "$upid" "$dir" && kill -KILL "$upid"
  wait_gone "$pid" "$dir" 100
  wait_gone "$upid" "$dir" 100
}

# "PID ns-link" for every process and namespace type, in one pass (no fork per process).
ns_links() {
  find /proc/[0-9]*/ns/ -maxdepth 1 -type l -printf '%h %l\n' 2>/dev/null |
    awk '{ split($1, p, "/"); print p[3], $2 }'
}

# PIDs of live processes in any of the namespaces given (as "type:[inode]" links). Zombies
# are left out: their pid-namespace link stays readable until their parent reaps them.
procs_with_ns() {
  local p
  [ $# -gt 0 ] || return 0
  for p in $(ns_links | awk -v list="$*" '
      BEGIN { n = split(list, l, " "); for (i = 1; i <= n; i++) ids[l[i]] = 1 }
      $2 in ids { print $1 }' | sort -un); do
    pid_matches "$p" "" && echo "$p"
  done
}

# PIDs of processes still in any namespace recorded in FILE (lines "type ns-id").
procs_in_namespaces() {
  local ids
  mapfile -t ids < <(awk '{ print $2 }' "$1" 2>/dev/null)
  procs_with_ns "${ids[@]}"
}

# Kill anything left in a host's namespaces (e.g. a stray nsenter) and report it.
reap_namespaces() {
  local dir=$1 name=$2 left
  mapfile -t left < <(procs_in_namespaces "$dir/$name/ns")
  [ ${#left[@]} -eq 0 ] && return 0
  warn "host $name: processes left in its namespaces: ${left[*]}; killing them"
  kill -KILL "${left[@]}" 2>/dev/null
  sleep 0.2
  mapfile -t left < <(procs_in_namespaces "$dir/$name/ns")
  [ ${#left[@]} -eq 0 ] || { warn "host $name: still left: ${left[*]}"; return 1; }
}

cmd_down() {
  local - dir n pids rc=0
  set +e +o pipefail
  dir=$(current_dir)
  if [ -n "$dir" ]; then
    pids=()
    for n in $(hosts_in "$dir"); do
      if [ -e "$dir/$n/started" ]; then destroy_domains "$dir" "$n" & pids+=($!); fi
    done
    wait_pids "${pids[@]}"
    pids=()
    for n in $(hosts_in "$dir"); do stop_host "$dir" "$n" & pids+=($!); done
    wait_pids "${pids[@]}"
    for n in $(hosts_in "$dir"); do reap_namespaces "$dir" "$n" || rc=1; done
    if [ $rc -eq 0 ]; then rm -rf "$dir"; else warn "keeping $dir for inspection"; fi
  fi
  # The pointer goes only when it named these hosts (or nothing that still exists).
  if [ -z "$dir" ] || [ "$(readlink "$POINTER" 2>/dev/null)" = "$dir" ] || [ ! -d "$(readlink "$POINTER" 2>/dev/null)" ]; then
    rm -f "$POINTER"
  fi
  return $rc
}

# Wait for these PIDs only: a bare `wait` would also wait for up's unshare jobs, forever.
wait_pids() {
  local p
  for p in "$@"; do wait "$p"; done
}

# ---------------------------------------------------------------- kill-daemon / start-daemon

# Outer PID of the process whose PID inside host NAME's pid namespace is NSPID.
outer_pid() {
  local dir=$1 name=$2 nspid=$3 p line
  for p in $(procs_with_ns "$(awk '$1 == "pid" { print $2 }' "$dir/$name/ns")"); do
    line=$(grep '^NSpid:' "/proc/$p/status" 2>/dev/null) || continue
    [ "${line##*[[:space:]]}" = "$nspid" ] && { echo "$p"; return 0; }
  done
  return 1
}

# The running host's state dir, checked.
running_host_dir() {
  local name=$1 dir
  valid_name "$name" || die "unknown host '$name'"
  dir=$(current_dir) || die "no hosts are up"
  [ -d "$dir/$name" ] || die "host $name is not up"
  pid_matches "$(cat "$dir/$name/pid" 2>/dev/null)" "$dir" || die "host $name's PID 1 is gone"
  echo "$dir"
}

# True if PID's argv[0] is libvirtd.
is_libvirtd() {
  local argv0
  argv0=$(tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | head -n 1)
  [ "${argv0##*/}" = libvirtd ]
}

# Outer PID of host NAME's libvirtd, from its pidfile in the host's private /run.
libvirtd_outer_pid() {
  local dir=$1 name=$2 nspid pid
  nspid=$(cat "$dir/$name/run/libvirtd.pid" 2>/dev/null) || return 1
  pid=$(outer_pid "$dir" "$name" "$nspid") || return 1
  is_libvirtd "$pid" && echo "$pid"
}

cmd_kill_daemon() {
  local name=${1:-} dir nspid pid
  dir=$(running_host_dir "$name") || exit 1
  pid=$(libvirtd_outer_pid "$dir" "$name") || die "host $name: libvirtd is not running"
  kill -KILL "$pid"
  wait_gone "$pid" "" 200 || die "host $name: libvirtd $pid did not die"
}

cmd_daemon_pid() {
  local name=${1:-} dir
  dir=$(running_host_dir "$name") || exit 1
  libvirtd_outer_pid "$dir" "$name" || die "host $name: libvirtd is not running"
}

cmd_start_daemon() {
  local name=${1:-} dir pid
  dir=$(running_host_dir "$name") || exit 1
  pid=$(cat "$dir/$name/pid")
  if libvirtd_outer_pid "$dir" "$name" >/dev/null; then
    warn "host $name: libvirtd is already running"
    wait_ready "$dir" "$name" || die "host $name: libvirtd does not answer"
    return 0
  fi
  # nsenter forks after entering the pid namespace; the daemonized libvirtd is reparented to PID 1.
  (cd / && "${DAEMON_ENV[@]}" nsenter -t "$pid" -m -u -n -p -i -- libvirtd -d --listen) ||
    die "host $name: libvirtd failed to start"
  wait_ready "$dir" "$name" || die "host $name: libvirtd does not answer"
}

main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
    up) cmd_up "$@" ;;
    env) cmd_env ;;
    down) cmd_down ;;
    kill-daemon) cmd_kill_daemon "$@" ;;
    start-daemon) cmd_start_daemon "$@" ;;
    daemon-pid) cmd_daemon_pid "$@" ;;
    *) die "usage: hosts.sh up [a] [b] | env | down | kill-daemon NAME | start-daemon NAME | daemon-pid NAME" ;;
  esac
}

main "$@"
