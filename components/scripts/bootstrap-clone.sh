# shellcheck shell=bash
# clone_from_peer for MySQL 8.4+/9.x: the CLONE plugin over the donor's authenticated 3306.
# Sourced by clone-mysql.sh. A throw-away server on a scratch datadir runs
# CLONE ... DATA DIRECTORY=TARGET, which returns 0 only when TARGET is a complete copy.

clone_from_peer() {
  local host=$1 target=$2 status=0 monitor guard
  start_scratch_server "${DATA_ROOT:?}/clone-scratch" "${RUN_DIR:?}/clone.sock" || { stop_setup_server; return 1; }
  progress_monitor "$target" clone_estimate &
  monitor=$!
  clone_space_guard "$target" &
  guard=$!
  clone_sql "$host" "$target" | sql "$SCRATCH_CNF" || status=1
  kill "$guard" 2>/dev/null || true
  wait "$guard" 2>/dev/null || true
  stop_progress_monitor "$monitor"
  kill_setup_server
  rm -rf "${DATA_ROOT:?}/clone-scratch" "$SCRATCH_CNF"
  return "$status"
}

# clone_space_guard TARGET: a copy never fills the volume. As soon as CLONE knows what it copies
# (its FILE COPY estimate, at the start of the copy), that is compared with the volume's free
# space; a copy that cannot fit is stopped there, with the figures (the scratch server is stopped,
# which ends the CLONE statement; the unfinished copy is removed before the next try)
clone_space_guard() {
  local estimate copied
  while sleep "${CLONE_GUARD_INTERVAL_SECONDS:-0.5}"; do
    estimate=$(clone_file_estimate 2>/dev/null) || continue
    if ! [[ $estimate =~ ^[0-9]+$ ]] || ((estimate == 0)); then continue; fi
    copied=$(du -sb "$1" 2>/dev/null | cut -f1) || copied=0
    [[ $copied =~ ^[0-9]+$ ]] || copied=0
    copy_fits "$estimate" "$1" "$copied" && return 0
    log "stopping the copy"
    kill_setup_server
    return 1
  done
}

# clone_file_estimate: the bytes of data files the running clone copies
clone_file_estimate() { sql "$SCRATCH_CNF" -e "SELECT ESTIMATE FROM performance_schema.clone_progress WHERE STAGE = 'FILE COPY'"; }

# peer_serves HOST: a CLONE donor is its server, which has just answered
peer_serves() { return 0; }

# clone_estimate: the bytes the running clone expects to copy (performance_schema.clone_progress)
clone_estimate() {
  sql "$SCRATCH_CNF" -e "SELECT SUM(ESTIMATE) FROM performance_schema.clone_progress
    WHERE STAGE IN ('FILE COPY', 'PAGE COPY', 'REDO COPY')" 2>/dev/null
}

# clone_sql HOST TARGET: the donor must be listed; the password travels on stdin, never in argv;
# with TLS on, the copy travels encrypted (REQUIRE SSL) and the donor is checked against the CA
clone_sql() {
  local require=''
  printf 'SET GLOBAL clone_valid_donor_list = %s;\n' "$(sql_string "$1:${MYSQL_PORT:?}")"
  if [[ -n ${TLS_CA:-} ]]; then
    printf 'SET GLOBAL clone_ssl_ca = %s;\n' "$(sql_string "$TLS_CA")"
    require=' REQUIRE SSL'
  fi
  printf 'CLONE INSTANCE FROM %s@%s:%d IDENTIFIED BY %s DATA DIRECTORY = %s%s;\n' \
    "$(sql_string "${BACKUP_USER:?}")" "$(sql_string "$1")" "$MYSQL_PORT" \
    "$(sql_string "$(credential backup-password)")" "$(sql_string "$2")" "$require"
}
