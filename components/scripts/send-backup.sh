#!/usr/bin/env bash
# send-backup: handles one backup connection (stdin/stdout are the socket): authenticate, stream.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"

# 1. the receiver's first line must be the backup secret; compared as digests
token=''
IFS= read -r -t 30 token || die "no credentials received; closing"
[[ $(sha256_of "$token") == $(sha256_of "${BACKUP_PASSWORD:?}") ]] || die "wrong credentials; closing"

# 2. the backup, streamed; --slave-info records the primary's position when this pod is a replica
work=$(mktemp -d "${TMPDIR:-/tmp}/backup.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "streaming a backup"
"${BACKUP_TOOL:?}" --defaults-file="${RUN_DIR:?}/backup.cnf" --backup --stream=xbstream --slave-info \
  --datadir="${DATADIR:?}" --target-dir="$work"
log "backup sent"
