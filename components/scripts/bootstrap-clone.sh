# shellcheck shell=bash
# clone_from_peer for MySQL 8.4+/9.x: the CLONE plugin over the donor's authenticated 3306.
# Sourced by clone-mysql.sh. A throw-away server on a scratch datadir runs
# CLONE ... DATA DIRECTORY=TARGET, which returns 0 only when TARGET is a complete copy.

clone_from_peer() {
  local host=$1 target=$2 scratch="${DATA_ROOT:?}/clone-scratch" socket="${RUN_DIR:?}/clone.sock"
  local cnf="$RUN_DIR/clone-local.cnf" status=0
  rm -rf "$scratch"
  "${MYSQLD:?}" --defaults-file="${CONF_FILE:?}" --initialize-insecure --datadir="$scratch" ||
    { log "could not initialise the scratch server"; return 1; }
  # the scratch server only sends SQL: no binlog, no replica settings, nothing read-only
  start_setup_server "$scratch" "$socket" --skip-log-bin --read-only=OFF --super-read-only=OFF
  write_client_cnf "$cnf" root '' "$socket"
  if wait_for_server "$cnf" 300 "$SETUP_SERVER_PID"; then
    clone_sql "$host" | sql "$cnf" || status=1
  else
    status=1
  fi
  stop_setup_server
  rm -rf "$scratch" "$cnf"
  return "$status"
}

# clone_sql HOST: the donor must be listed; the password travels on stdin, never in argv;
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
    "$(sql_string "${BACKUP_PASSWORD:?}")" "$(sql_string "$target")" "$require"
}
