#!/usr/bin/env bash
# Removes govirthost: stops and disables the service, removes the unit, /opt/govirthost and
# /usr/local/bin/govirthost. Keeps the database (/var/lib/govirthost), the config and tokens
# (/etc/govirthost) and the system user, unless --purge is given.
#
#   ./uninstall.sh [--purge] [--root DIR]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

PURGE=0
ROOT=''

parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --purge) PURGE=1; shift ;;
      --root) set_root "${2:?--root needs a directory}"; shift 2 ;;
      -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
      *) die "unknown argument: $1" ;;
    esac
  done
}

remove_program() {
  if [ -f "$ROOT$UNIT_FILE" ]; then
    sysctl_run disable --now "$SERVICE" || true
    rm -f "$ROOT$UNIT_FILE"
    sysctl_run daemon-reload || true
  fi
  rm -f "$ROOT$WRAPPER"
  rm -rf "$ROOT$LIB_DIR"
  log "removed the service, $LIB_DIR and $WRAPPER"
}

remove_data() {
  rm -rf "$ROOT$STATE_DIR" "$ROOT$ETC_DIR"
  if [ -n "$(account_id passwd "$SVC_USER")" ]; then account_cmd userdel "$SVC_USER" || log "userdel $SVC_USER failed"; fi
  if [ -n "$(account_id group "$SVC_USER")" ]; then account_cmd groupdel "$SVC_USER" || log "groupdel $SVC_USER failed"; fi
  log "purged $STATE_DIR (the database), $ETC_DIR and the user $SVC_USER"
}

main() {
  parse_args "$@"
  [ "$(id -u)" = 0 ] || die "run as root"
  remove_program
  if [ $PURGE = 1 ]; then
    remove_data
  else
    log "kept $STATE_DIR (the database), $ETC_DIR (config and tokens) and the user $SVC_USER; --purge removes them"
  fi
}

main "$@"
