# shellcheck shell=bash
# clone_from_peer for MariaDB (mariabackup) and MySQL 5.7 (xtrabackup): receive the peer's
# streamed physical backup on BACKUP_PORT, unpack and prepare it. Sourced by clone-mysql.sh.

clone_from_peer() {
  local host=$1 target=$2 upgraded
  mkdir -p "$target" || return 1
  # asked before the copy: an older donor answers nothing, and the upgrade step then runs in full
  upgraded=$(printf 'UPGRADED\n' | backup_port_exchange "$host" 5 2>/dev/null) || upgraded=''
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
  # prepare works on the copy in place (no bytes to count): it beats while it runs
  local beating
  while sleep 2; do heartbeat; done &
  beating=$!
  "${BACKUP_TOOL:?}" --prepare --target-dir="$target" || { kill "$beating"; log "prepare of the backup from $host failed"; return 1; }
  kill "$beating"
  restore_upgrade_info "$target" "$upgraded"
}

# restore_upgrade_info DIR ANSWER: writes the donor's upgrade info files (its answer to UPGRADED)
# into the copy, as a file copy of its datadir would have, so the member agent's upgrade step is a
# no-op when the donor's tables were already upgraded for this server. An answer that is not
# wholly as expected writes nothing, and the step runs in full.
restore_upgrade_info() {
  local line files=() contents=() content i
  while read -r line; do
    [[ $line != END ]] || break
    if [[ $line =~ ^UPGRADED\ (mysql_upgrade_info|mariadb_upgrade_info)\ ([A-Za-z0-9+/=]{1,200})$ ]] &&
      files+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]}") &&
      content=$(base64 -d <<<"${BASH_REMATCH[2]}" 2>/dev/null | tr -d '\0\n') &&
      [[ $content =~ ^[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9._+~-]*$ ]]; then
      contents+=("$content")
    else
      break
    fi
  done <<<"$2"
  # the loop stops early only on a line not wholly as expected, which is then not END
  if [[ $line != END || ${#files[@]} -eq 0 ]]; then
    log "the donor did not say how far its system tables are upgraded: the upgrade step will run in full"
    return 0
  fi
  for i in "${!files[@]}"; do
    base64 -d <<<"${files[i]#* }" >"$1/${files[i]%% *}" || return 1
    log "the copy's system tables are upgraded for ${contents[i]} (${files[i]%% *}, from the donor)"
  done
}

# unpack_backup TARGET: the donor's first line is "SIZE <bytes of its datadir>" (for progress),
# then the stream; bash's read takes the line byte by byte and leaves the stream to the unpacker
unpack_backup() {
  local header monitor status=0
  IFS= read -r header || { log "the donor sent nothing"; return 1; }
  [[ $header =~ ^SIZE\ ([0-9]+)$ ]] || { log "unexpected first line from the donor"; return 1; }
  # a copy never fills the volume: refused before a byte is written, with the figures
  local size=${BASH_REMATCH[1]}
  copy_fits "$size" "$1" || return 1
  STREAM_BYTES=$size progress_monitor "$1" stream_estimate &
  monitor=$!
  # COPY_THREADS: files written at once (the donor's backup reads as many at once)
  "${STREAM_TOOL:?}" -x ${COPY_THREADS:+--parallel="$COPY_THREADS"} -C "$1" || status=$?
  stop_progress_monitor "$monitor"
  return "$status"
}

stream_estimate() { printf '%s\n' "${STREAM_BYTES:-}"; }

# receive_backup HOST: sends the backup secret as the first line (the donor checks it before
# sending a byte), then copies the stream to stdout
receive_backup() {
  printf '%s\n' "$(credential backup-password)" | backup_port_exchange "$1" "${TRANSFER_IDLE_TIMEOUT_SECONDS:?}"
}

# peer_serves HOST: the donor's backup listener is up (a sidecar starts it a little after its
# server answers) and streams no other backup: PING is answered READY (or BUSY) without a backup,
# so a scale-up never picks a donor that cannot serve yet, nor one already serving another pod
peer_serves() {
  [[ $(printf 'PING\n' | backup_port_exchange "$1" 5 2>/dev/null) == READY ]]
}

# backup_port_exchange HOST IDLE_SECONDS: stdin to HOST's BACKUP_PORT, its answer to stdout;
# socat or ncat, whichever the image has
backup_port_exchange() {
  local idle=$2
  if command -v socat >/dev/null; then
    socat -b 65536 -t "$idle" -T "$idle" - "TCP:$1:${BACKUP_PORT:?},connect-timeout=10"
  elif command -v ncat >/dev/null; then
    ncat --wait 10 --idle-timeout "$idle" "$1" "${BACKUP_PORT:?}"
  else
    die "neither socat nor ncat is installed in this image"
  fi
}
