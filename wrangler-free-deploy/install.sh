#!/usr/bin/env bash
# Installs govirthost from this bundle directory, or upgrades an installation to it. Idempotent and
# safe to rerun: a second run with the same bundle changes nothing (and keeps the service running).
#
#   ./install.sh [--listen ADDR] [--libvirt-uri URI] [--libvirt-group GROUP] [--node PATH]
#                [--no-start] [--upgrade] [--root DIR]
#
# Creates the system user `govirthost`, places the bundle in /opt/govirthost and the command
# /usr/local/bin/govirthost, writes /etc/govirthost/govirthost.env and, the first time,
# /etc/govirthost/tokens.json with an admin token that is printed once; installs and enables the
# systemd unit and (re)starts it. Never overwrites the config, the tokens or the database; an upgrade
# first stops the service and copies the database to govirthost.db.bak, and the new agent applies
# its migrations when it starts.
# --root DIR works on a scratch root instead of this system (for tests): every path is under DIR,
# accounts are made with useradd --prefix, and systemctl is skipped (it says so).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

LISTEN=127.0.0.1:8080
LIBVIRT_URI=qemu:///system
LIBVIRT_GROUP=auto
NODE_OPT=''
START=1
UPGRADE=0
ROOT=''
CHANGED=0

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
  exit "${1:-0}"
}

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --listen) LISTEN=${2:?--listen needs a value}; shift 2 ;;
      --libvirt-uri) LIBVIRT_URI=${2:?--libvirt-uri needs a value}; shift 2 ;;
      --libvirt-group) LIBVIRT_GROUP=${2:?--libvirt-group needs a value}; shift 2 ;;
      --node) NODE_OPT=${2:?--node needs a path}; shift 2 ;;
      --root) set_root "${2:?--root needs a directory}"; shift 2 ;;
      --no-start) START=0; shift ;;
      --upgrade) UPGRADE=1; shift ;;
      -h | --help) usage 0 ;;
      *) log "unknown argument: $1"; usage 2 ;;
    esac
  done
}

# The bundle is complete and its native addon fits this Node.js.
check_bundle() {
  local f abi
  for f in "${BUNDLE_FILES[@]}"; do [ -f "$HERE/$f" ] || die "the bundle lacks $f: build it with 'npm run build:deploy'"; done
  abi=$(manifest_field "$HERE/manifest.json" nodeAbi)
  [ "$abi" = "$("$NODE" -p process.versions.modules)" ] ||
    die "this bundle's native addon is for Node ABI $abi (Node $(manifest_field "$HERE/manifest.json" node)); $NODE is $("$NODE" --version)"
}

ensure_user() {
  if [ -z "$(account_id passwd "$SVC_USER")" ]; then
    [ -z "$ROOT" ] || [ -f "$ROOT/etc/passwd" ] || die "$ROOT/etc/passwd is missing: a scratch root needs etc/{passwd,group,shadow,gshadow}"
    account_cmd useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment 'govirthost agent' "$SVC_USER" || die "useradd failed"
    log "created system user $SVC_USER"
    CHANGED=1
  fi
  SVC_UID=$(account_id passwd "$SVC_USER")
  SVC_GID=$(account_id group "$SVC_USER")
  [ -n "$SVC_UID" ] && [ -n "$SVC_GID" ] || die "user or group $SVC_USER not found after creating it"
}

# The group that owns libvirt's socket (Debian: libvirt); '' when there is none to join.
libvirt_group() {
  local g
  if [ "$LIBVIRT_GROUP" != auto ]; then
    [ -n "$(account_id group "$LIBVIRT_GROUP")" ] || die "group $LIBVIRT_GROUP does not exist"
    echo "$LIBVIRT_GROUP"; return 0
  fi
  g=$(stat -c %G "$ROOT/run/libvirt/libvirt-sock" 2>/dev/null || true)
  if [ -n "$g" ] && [ "$g" != root ] && [ "$g" != UNKNOWN ]; then echo "$g"; return 0; fi
  if [ -n "$(account_id group libvirt)" ]; then echo libvirt; return 0; fi
  echo ''
}

# Stop, back the database up, then the files are replaced: only when an installed bundle changes.
prepare_upgrade() {
  local f differs=0 from
  [ -f "$ROOT$LIB_DIR/manifest.json" ] || return 0
  for f in "${BUNDLE_FILES[@]}"; do cmp -s "$HERE/$f" "$ROOT$LIB_DIR/$f" || differs=1; done
  [ $differs = 1 ] || return 0
  from=$(manifest_field "$ROOT$LIB_DIR/manifest.json" version)
  log "upgrading $from -> $(manifest_field "$HERE/manifest.json" version)"
  sysctl_run stop "$SERVICE" || true
  if [ -f "$ROOT$DB_FILE" ]; then
    cp -p "$ROOT$DB_FILE" "$ROOT$DB_FILE.bak"
    if [ -f "$ROOT$DB_FILE-wal" ]; then cp -p "$ROOT$DB_FILE-wal" "$ROOT$DB_FILE.bak-wal"; else rm -f "$ROOT$DB_FILE.bak-wal"; fi
    log "database copied to $DB_FILE.bak; the new agent applies its migrations when it starts"
  fi
}

place_bundle() {
  local f mode
  ensure_dir "$LIB_DIR" 0755 0 0
  for f in "${BUNDLE_FILES[@]}"; do
    mode=0644
    case $f in *.sh) mode=0755 ;; esac
    install_file "$HERE/$f" "$LIB_DIR/$f" "$mode" 0 0
  done
  printf '#!/bin/sh\n# The govirthost command (installed by install.sh), e.g. govirthost token create ...\nexec %s %s/govirthost.mjs "$@"\n' \
    "$NODE" "$LIB_DIR" >"$WORK/wrapper"
  install_file "$WORK/wrapper" "$WRAPPER" 0755 0 0
}

# The env file is written once; later runs keep the operator's edits.
place_config() {
  ensure_dir "$ETC_DIR" 0750 0 "$SVC_GID"
  ensure_dir "$STATE_DIR" 0750 "$SVC_UID" "$SVC_GID"
  if [ -f "$ROOT$ENV_FILE" ]; then
    log "keeping $ENV_FILE"
  else
    L=$LISTEN U=$LIBVIRT_URI awk '
      /^GOVIRTHOST_LISTEN=/ { print "GOVIRTHOST_LISTEN=" ENVIRON["L"]; next }
      /^GOVIRTHOST_LIBVIRT_URI=/ { print "GOVIRTHOST_LIBVIRT_URI=" ENVIRON["U"]; next }
      { print }' "$HERE/govirthost.env.example" >"$WORK/env"
    install_file "$WORK/env" "$ENV_FILE" 0640 0 "$SVC_GID"
    log "wrote $ENV_FILE"
  fi
}

# The first admin token, printed once on stdout; never a second one.
place_tokens() {
  local token
  if [ -f "$ROOT$TOKENS_FILE" ]; then
    log "keeping $TOKENS_FILE"
    return 0
  fi
  token=$("$NODE" "$ROOT$LIB_DIR/govirthost.mjs" token create --name admin --role admin --tokens-file "$ROOT$TOKENS_FILE" 2>/dev/null) ||
    die "could not create the first token"
  chown "0:$SVC_GID" "$ROOT$TOKENS_FILE"
  chmod 0640 "$ROOT$TOKENS_FILE"
  CHANGED=1
  printf '\nThe first admin token (shown this once; %s keeps only its SHA-256):\n\n  %s\n\n' "$TOKENS_FILE" "$token"
}

# The service user in libvirt's group: for the socket's permissions (the unit's SupplementaryGroups)
# and for polkit, which looks the user's groups up in /etc/group rather than asking the process.
join_group() {
  local group=$1 members
  members=$(awk -F: -v g="$group" '$1 == g { print $4 }' "$ROOT/etc/group" 2>/dev/null)
  case ",$members," in *",$SVC_USER,"*) return 0 ;; esac
  if [ -z "$ROOT" ] && getent group "$group" | cut -d: -f4 | tr ',' '\n' | grep -qx "$SVC_USER"; then return 0; fi
  account_cmd usermod --append --groups "$group" "$SVC_USER" || die "could not add $SVC_USER to $group"
  log "added $SVC_USER to the group $group"
  CHANGED=1
}

place_unit() {
  local group line
  group=$(libvirt_group)
  if [ -n "$group" ]; then
    join_group "$group"
    line="SupplementaryGroups=$group"
  else
    line="# SupplementaryGroups= (no libvirt socket group was found at install; rerun with --libvirt-group GROUP)"
    log "warning: no group owns libvirt's socket here; the service reaches it only if the socket lets any user in"
  fi
  N=$NODE G=$line awk '{ gsub(/@NODE@/, ENVIRON["N"]); sub(/^SupplementaryGroups=@LIBVIRT_GROUP@$/, ENVIRON["G"]); print }' \
    "$HERE/govirthost.service" >"$WORK/unit"
  install_file "$WORK/unit" "$UNIT_FILE" 0644 0 0
}

start_service() {
  sysctl_run daemon-reload
  sysctl_run enable "$SERVICE"
  if [ $START = 0 ]; then log "not starting (--no-start)"; return 0; fi
  if [ $CHANGED = 1 ]; then sysctl_run restart "$SERVICE"; else sysctl_run start "$SERVICE"; fi
}

main() {
  parse_args "$@"
  [ "$(id -u)" = 0 ] || die "run as root: it creates a system user and system files"
  NODE=$(find_node "$NODE_OPT")
  check_bundle
  if [ $UPGRADE = 1 ] && [ ! -f "$ROOT$LIB_DIR/manifest.json" ]; then die "govirthost is not installed${ROOT:+ in $ROOT}: run install.sh"; fi
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  ensure_user
  prepare_upgrade
  place_bundle
  place_config
  place_tokens
  place_unit
  start_service
  log "govirthost $(manifest_field "$HERE/manifest.json" version) installed${ROOT:+ in $ROOT}$([ $CHANGED = 0 ] && echo ' (nothing changed)')"
  log "check it: curl http://127.0.0.1:${LISTEN##*:}/readyz ; logs: journalctl -u $SERVICE"
}

main "$@"
