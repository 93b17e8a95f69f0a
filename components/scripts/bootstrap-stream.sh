# shellcheck shell=bash
# clone_from_peer for MariaDB (mariabackup) and MySQL 5.7 (xtrabackup): receive the peer's
# streamed physical backup on BACKUP_PORT, unpack and prepare it. Sourced by clone-mysql.sh.

clone_from_peer() {
  local host=$1 target=$2
  mkdir -p "$target" || return 1
  # pipefail (set by the caller) makes a broken transfer fail the whole pipeline
  if ! receive_backup "$host" | "${STREAM_TOOL:?}" -x -C "$target"; then
    log "transfer from $host failed"
    return 1
  fi
  # the unpacker exits 0 on an empty or cut stream: only the backup's own last file proves it whole
  if ! backup_is_complete "$target"; then
    log "the stream from $host ended before the backup finished"
    return 1
  fi
  "${BACKUP_TOOL:?}" --prepare --target-dir="$target" ||
    { log "prepare of the backup from $host failed"; return 1; }
}

# receive_backup HOST: sends the backup secret as the first line (the donor checks it before
# sending a byte), then copies the stream to stdout; socat or ncat, whichever the image has
receive_backup() {
  local idle=${TRANSFER_IDLE_TIMEOUT_SECONDS:?}
  if command -v socat >/dev/null; then
    printf '%s\n' "${BACKUP_PASSWORD:?}" |
      socat -t "$idle" -T "$idle" - "TCP:$1:${BACKUP_PORT:?},connect-timeout=10"
  elif command -v ncat >/dev/null; then
    printf '%s\n' "${BACKUP_PASSWORD:?}" | ncat --wait 10 --idle-timeout "$idle" "$1" "${BACKUP_PORT:?}"
  else
    die "neither socat nor ncat is installed in this image"
  fi
}
