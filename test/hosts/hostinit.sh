#!/usr/bin/env bash
# PID 1 of one isolated test host (its own mount, UTS, net, pid and ipc namespaces).
# Started by hosts.sh as:
#   setsid unshare --mount --uts --net --pid --ipc --fork --kill-child=SIGKILL \
#     --propagation private -- bash hostinit.sh DIR NAME
# It gives libvirtd and virtlogd private /etc/libvirt, /var/*/libvirt, /etc/hosts and /run,
# waits for DIR/NAME/go (hosts.sh sets up the network first), starts the daemons and then
# just reaps orphans until SIGTERM. See docs/test-hosts.md (shared) for the recipe.

# PID 1 of a pid namespace ignores SIGTERM without a handler: install one before anything else.
# Until the daemons run there is nothing to stop, so an early SIGTERM just exits.
trap 'exit 143' TERM
set -u

DIR=$1
NAME=$2
HOSTDIR=$DIR/$NAME
IP_a=10.213.77.1
IP_b=10.213.77.2
ip_var=IP_$NAME
IP=${!ip_var}
DAEMON_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C)

# Stop the daemons (so they exit cleanly), then every other process, then PID 1 itself.
# When PID 1 exits the kernel SIGKILLs whatever is left in the namespace.
terminate() {
  stop_pidfile /run/libvirtd.pid
  stop_pidfile /run/virtlogd.pid
  kill -TERM -1 2>/dev/null
  sleep 0.2
  exit 0
}

# SIGTERM the process named in a pidfile and wait up to 5 s for it to go.
stop_pidfile() {
  local pid i
  pid=$(cat "$1" 2>/dev/null) || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
}

# Our PID as seen from the root pid namespace: /proc is still the outer one here.
record_identity() {
  local stat ns
  read -r stat </proc/self/stat
  echo "${stat%% *}" >"$HOSTDIR/pid.tmp"
  : >"$HOSTDIR/ns.tmp"
  for ns in mnt uts net pid ipc; do
    echo "$ns $(readlink "/proc/${stat%% *}/ns/$ns")" >>"$HOSTDIR/ns.tmp"
  done
  mv "$HOSTDIR/ns.tmp" "$HOSTDIR/ns"
  mv "$HOSTDIR/pid.tmp" "$HOSTDIR/pid"
}

# Bind-mount SRC over DST (a directory or a file that must already exist).
bind() {
  mount --bind "$1" "$2"
}

# Mount points under /var that this machine lacks (no libvirt-daemon-system ships them) are made
# in a private overlay of /var whose upper layer is a tmpfs: the machine's /var gets nothing, and
# the overlay goes with this mount namespace. Where they all exist, /var is left as it is.
private_mount_points() {
  local d missing=() ovl=$HOSTDIR/var-overlay
  for d in /var/lib/libvirt /var/log/libvirt /var/cache/libvirt; do
    [ -d "$d" ] || missing+=("$d")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  mkdir -p "$ovl"
  mount -t tmpfs -o size=64m,mode=0755 tmpfs "$ovl" || return 1
  mkdir "$ovl/upper" "$ovl/work"
  mount -t overlay overlay -o "lowerdir=/var,upperdir=$ovl/upper,workdir=$ovl/work" /var || return 1
  mkdir -p "${missing[@]}"
}

# Fresh directories and files in the state dir, mounted over the daemons' paths.
# /run goes last and whole: libvirtd and virtlogd keep their pidfiles directly in /run.
private_paths() {
  # run/lock: /var/lock links there, and libvirt locks a console's pty in it (LCK.._pts_N).
  mkdir -p "$HOSTDIR"/{etc,lib,log/qemu,cache,run/lock}
  printf '127.0.0.1 localhost\n%s gvh-a\n%s gvh-b\n' "$IP_a" "$IP_b" >"$HOSTDIR/hosts"
  : >"$HOSTDIR/resolv.conf"
  private_mount_points || { echo "hostinit: no private overlay for the missing /var mount points" >&2; exit 1; }
  bind "$HOSTDIR/etc" /etc/libvirt
  bind "$HOSTDIR/lib" /var/lib/libvirt
  bind "$HOSTDIR/log" /var/log/libvirt
  bind "$HOSTDIR/cache" /var/cache/libvirt
  bind "$HOSTDIR/hosts" /etc/hosts
  bind "$HOSTDIR/resolv.conf" /etc/resolv.conf
  bind "$HOSTDIR/run" /run
}

# libvirtd resolves its built-in default qemu user/group (Debian: libvirt-qemu) before it reads
# qemu.conf, and its QEMU driver fails to start if they do not exist. Without
# libvirt-daemon-system nothing creates them, so give this host a private passwd/group that has
# them (qemu still runs as root, see qemu.conf). The machine's own files are untouched.
private_qemu_user() {
  local id=64055
  getent passwd libvirt-qemu >/dev/null && getent group libvirt-qemu >/dev/null && return 0
  while getent passwd "$id" >/dev/null || getent group "$id" >/dev/null; do id=$((id + 1)); done
  cp /etc/passwd "$HOSTDIR/passwd"
  cp /etc/group "$HOSTDIR/group"
  getent passwd libvirt-qemu >/dev/null ||
    echo "libvirt-qemu:x:$id:$id:test host qemu:/var/lib/libvirt:/usr/sbin/nologin" >>"$HOSTDIR/passwd"
  getent group libvirt-qemu >/dev/null || echo "libvirt-qemu:x:$id:" >>"$HOSTDIR/group"
  bind "$HOSTDIR/passwd" /etc/passwd
  bind "$HOSTDIR/group" /etc/group
}

# Daemon configuration (test-only: no auth, no TLS, no security driver, no cgroups).
write_config() {
  cat >"$HOSTDIR/etc/libvirtd.conf" <<EOF
listen_tls = 0
listen_tcp = 1
listen_addr = "$IP"
auth_tcp = "none"
auth_unix_ro = "none"
auth_unix_rw = "none"
unix_sock_rw_perms = "0777"
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  cat >"$HOSTDIR/etc/qemu.conf" <<EOF
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
migration_address = "$IP"
migration_host = "$IP"
migration_port_min = 49152
migration_port_max = 49215
stdio_handler = "logd"
EOF
  cat >"$HOSTDIR/etc/virtlogd.conf" <<EOF
log_outputs = "3:file:/var/log/libvirt/virtlogd.log"
EOF
}

wait_for_go() {
  while [ ! -e "$HOSTDIR/go" ]; do sleep 0.02; done
}

start_daemons() {
  "${DAEMON_ENV[@]}" virtlogd -d
  "${DAEMON_ENV[@]}" libvirtd -d --listen
  : >"$HOSTDIR/started"
}

main() {
  cd / || exit 1
  record_identity
  hostname "gvh-$NAME"
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  private_qemu_user
  private_paths
  write_config
  : >"$HOSTDIR/mounted"
  wait_for_go
  trap terminate TERM
  start_daemons
  # Bash reaps every child, orphans included, so daemonized processes never linger as zombies.
  while :; do
    sleep 3600 &
    wait $!
  done
}

main
