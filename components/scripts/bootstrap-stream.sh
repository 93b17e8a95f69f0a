# shellcheck shell=bash
# clone_from_peer for MariaDB (mariabackup) and MySQL 5.7 (xtrabackup): receive the peer's
# streamed physical backup on BACKUP_PORT, unpack and prepare it. Sourced by clone-mysql.sh.

clone_from_peer() {
  local host=$1 target=$2
  mkdir -p "$target" || return 1
  # pipefail (set by the caller) makes a broken transfer fail the whole pipeline
  if ! receive_backup "$host" | unpack_backup "$target"; then
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

# unpack_backup TARGET: the donor's first line is "SIZE <bytes of its datadir>" (for progress),
# then the stream; bash's read takes the line byte by byte and leaves the stream to the unpacker
unpack_backup() {
  local header monitor status=0
  IFS= read -r header || { log "the donor sent nothing"; return 1; }
  [[ $header =~ ^SIZE\ ([0-9]+)$ ]] || { log "unexpected first line from the donor"; return 1; }
  STREAM_BYTES=${BASH_REMATCH[1]} progress_monitor "$1" stream_estimate &
  monitor=$!
  "${STREAM_TOOL:?}" -x -C "$1" || status=$?
  stop_progress_monitor "$monitor"
  return "$status"
}

stream_estimate() { printf '%s\n' "${STREAM_BYTES:-}"; }

# receive_backup HOST: sends the backup secret as the first line (the donor checks it before
# sending a byte), then copies the stream to stdout; socat or ncat, whichever the image has
receive_backup() {
  local idle=${TRANSFER_IDLE_TIMEOUT_SECONDS:?}
  if command -v socat >/dev/null; then
    printf '%s\n' "$(credential backup-password)" |
      socat -b 65536 -t "$idle" -T "$idle" - "TCP:$1:${BACKUP_PORT:?},connect-timeout=10"
  elif command -v ncat >/dev/null; then
    printf '%s\n' "$(credential backup-password)" | ncat --wait 10 --idle-timeout "$idle" "$1" "${BACKUP_PORT:?}"
  else
    die "neither socat nor ncat is installed in this image"
  fi
}
