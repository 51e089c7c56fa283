# Shared by install.sh, upgrade.sh and uninstall.sh (sourced, not run). Every path they touch is
# "$ROOT$path": ROOT is empty for the real system and a directory for a scratch root (--root DIR),
# where nothing outside it is touched and systemctl is never run.
# shellcheck shell=bash

SERVICE=govirthost
SVC_USER=govirthost
LIB_DIR=/opt/govirthost
ETC_DIR=/etc/govirthost
STATE_DIR=/var/lib/govirthost
ENV_FILE=$ETC_DIR/govirthost.env
TOKENS_FILE=$ETC_DIR/tokens.json
DB_FILE=$STATE_DIR/govirthost.db
UNIT_FILE=/etc/systemd/system/$SERVICE.service
WRAPPER=/usr/local/bin/govirthost
BUNDLE_FILES=(govirthost.mjs better_sqlite3.node manifest.json install.sh upgrade.sh uninstall.sh lib.sh
  govirthost.service govirthost.env.example README.md)

log() { echo "govirthost: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Sets ROOT from a --root value ('' or / mean the real system); the directory must exist.
set_root() {
  local dir=${1:-}
  if [ -z "$dir" ] || [ "$(realpath -m "$dir")" = / ]; then ROOT=''; return 0; fi
  [ -d "$dir" ] || die "--root $dir is not a directory"
  ROOT=$(realpath "$dir")
}

# True when working on the real system with systemd running as init.
systemd_live() {
  [ -z "$ROOT" ] && [ -d /run/systemd/system ]
}

# Runs systemctl on the real system; elsewhere says what it would have done and why it did not.
sysctl_run() {
  if systemd_live; then
    systemctl "$@"
  elif [ -n "$ROOT" ]; then
    log "skipping 'systemctl $*': working on the scratch root $ROOT, not on this system"
  else
    log "skipping 'systemctl $*': systemd is not running on this machine"
  fi
}

# A user's or group's numeric id from the target root's files (getent on the real system).
account_id() {
  local db=$1 name=$2
  if [ -z "$ROOT" ]; then
    getent "$db" "$name" | cut -d: -f3
  else
    awk -F: -v n="$name" '$1 == n { print $3 }' "$ROOT/etc/$db" 2>/dev/null
  fi
}

# useradd/userdel/groupdel on the target root (--prefix for a scratch root: no chroot needed).
account_cmd() {
  local cmd=$1
  shift
  if [ -n "$ROOT" ]; then "$cmd" --prefix "$ROOT" "$@"; else "$cmd" "$@"; fi
}

# install_file SRC DEST MODE OWNER GROUP: places SRC at $ROOT$DEST by an atomic rename, only when
# the bytes, mode or owner differ. Sets CHANGED=1 when it did something.
install_file() {
  local src=$1 dest=$ROOT$2 mode=$3 owner=$4 group=$5 tmp
  if [ -f "$dest" ] && [ "$(stat -c '%a %u %g' "$dest")" = "$(printf '%o' "$((8#$mode))") $owner $group" ] &&
    cmp -s "$src" "$dest"; then
    return 0
  fi
  mkdir -p "$(dirname "$dest")"
  tmp=$(mktemp "$(dirname "$dest")/.$(basename "$dest").XXXXXX") || die "cannot write in $(dirname "$dest")"
  cat "$src" >"$tmp" && chmod "$mode" "$tmp" && chown "$owner:$group" "$tmp" && mv -f "$tmp" "$dest" ||
    { rm -f "$tmp"; die "cannot place $dest"; }
  CHANGED=1
}

# ensure_dir DIR MODE OWNER GROUP (under ROOT); sets CHANGED=1 when it created or fixed it.
ensure_dir() {
  local dir=$ROOT$1 mode=$2 owner=$3 group=$4
  if [ -d "$dir" ] && [ "$(stat -c '%a %u %g' "$dir")" = "$(printf '%o' "$((8#$mode))") $owner $group" ]; then return 0; fi
  mkdir -p "$dir" && chmod "$mode" "$dir" && chown "$owner:$group" "$dir" || die "cannot prepare $dir"
  CHANGED=1
}

# The Node.js binary to run the bundle with: --node, else `node` on PATH; must be major 20+.
find_node() {
  local node=${1:-} major
  [ -n "$node" ] || node=$(command -v node) || die "Node.js 20 is required: no 'node' on PATH (or pass --node PATH)"
  node=$(realpath "$node") || die "cannot resolve $node"
  major=$("$node" -p 'process.versions.node.split(".")[0]' 2>/dev/null) || die "$node does not run"
  [ "$major" -ge 20 ] 2>/dev/null || die "$node is Node.js $major; 20 or newer is required"
  echo "$node"
}

# A field of a manifest.json, read with Node (no jq needed).
manifest_field() {
  "$NODE" -e 'const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(String(m[process.argv[2]] ?? ""))' "$1" "$2"
}
