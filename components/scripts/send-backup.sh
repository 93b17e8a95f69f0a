#!/usr/bin/env bash
# send-backup: handles one backup connection (stdin/stdout are the socket): authenticate, stream.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"

# 1. the receiver's first line must be the backup secret, sent at once: a client that sends
#    nothing or garbage is dropped within seconds and never holds the donor
token=''
IFS= read -r -t "${AUTH_TIMEOUT_SECONDS:-3}" token || die "no credentials received; closing"
# a receiver choosing a donor: READY when this pod could stream a backup now, BUSY while it streams
# one (one at a time, below); nothing else is sent
if [[ $token == PING ]]; then
  exec 9>"${RUN_DIR:?}/backup.lock"
  if flock -n 9; then printf 'READY\n'; else printf 'BUSY\n'; fi
  exit 0
fi
# a receiver about to copy this pod: how far this copy's system tables are upgraded, as the
# upgrade info files the backup tool leaves out ("UPGRADED <file> <base64>" each, then END);
# asked before the copy starts, so the copy is at least that far
if [[ $token == UPGRADED ]]; then
  for name in mysql_upgrade_info mariadb_upgrade_info; do
    [[ ! -s ${DATADIR:?}/$name ]] || printf 'UPGRADED %s %s\n' "$name" "$(base64 -w0 <"$DATADIR/$name")"
  done
  printf 'END\n'
  exit 0
fi
[[ $(sha256_of "$token") == $(sha256_of "$(credential backup-password)") ]] || die "wrong credentials; closing"

# 2. one backup at a time per donor: a second receiver is refused at once and tries another peer
exec 9>"${RUN_DIR:?}/backup.lock"
flock -n 9 || die "a backup is already streaming from this pod; closing"
# the backup account's password as the Secret says now (the member agent applies rotations)
write_client_cnf "$RUN_DIR/backup.cnf" "${BACKUP_USER:?}" "$(credential backup-password)" "${SOCKET:?}"

# 3. the size for the receiver's progress, then the backup; --slave-info records the primary's
#    position when this pod is a replica
work=$(mktemp -d "${TMPDIR:-/tmp}/backup.XXXXXX")
trap 'rm -rf "$work"' EXIT
# (binary and relay logs and the redo log are not part of the stream)
printf 'SIZE %s\n' "$(du -sb --exclude='mysql-bin.*' --exclude='relay-bin.*' --exclude='ib_logfile*' "${DATADIR:?}" | cut -f1)"
log "streaming a backup"
"${BACKUP_TOOL:?}" --defaults-file="$RUN_DIR/backup.cnf" --backup --stream=xbstream --slave-info \
  ${COPY_THREADS:+--parallel="$COPY_THREADS"} --datadir="$DATADIR" --target-dir="$work"
log "backup sent"
