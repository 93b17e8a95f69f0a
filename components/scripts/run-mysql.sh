#!/usr/bin/env bash
# run-mysql: the server container. Initialises an empty primary, applies a pending replication
# setup on a fresh clone, then execs the server in the foreground.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=replication.sh
source "$here/replication.sh"

ordinal=$(pod_ordinal "${POD_NAME:?}")
root_cnf="${RUN_DIR:?}/root.cnf"
setup_socket="$RUN_DIR/setup.sock"
trap stop_setup_server EXIT

# initialize_primary: an empty volume on pod 0 becomes a new cluster: root with its password
# (localhost only), the replication and backup users; built aside, renamed into place when done
initialize_primary() {
  local staging="${DATA_ROOT:?}/data.init" setup_cnf="$RUN_DIR/setup.cnf"
  rm -rf "$staging"
  log "initialising a new primary data directory"
  case ${INIT_METHOD:?} in
    mysqld) "${MYSQLD:?}" --defaults-file="${CONF_FILE:?}" --initialize-insecure --datadir="$staging" ;;
    mariadb-install-db) "${INSTALL_DB:?}" --defaults-file="${CONF_FILE:?}" --datadir="$staging" \
      --auth-root-authentication-method=normal --skip-test-db >/dev/null ;;
    *) die "INIT_METHOD must be 'mysqld' or 'mariadb-install-db', got '$INIT_METHOD'" ;;
  esac
  start_setup_server "$staging" "$setup_socket"
  write_client_cnf "$setup_cnf" root '' "$setup_socket"
  wait_for_server "$setup_cnf" "${SETUP_TIMEOUT_SECONDS:?}" "$SETUP_SERVER_PID" || die "the new server did not start"
  sql "$setup_cnf" -e "SELECT CONCAT(QUOTE(user), '@', QUOTE(host)) FROM mysql.user
    WHERE user = '' OR (user = 'root' AND host <> 'localhost')" >"$RUN_DIR/extra-accounts"
  users_sql "$RUN_DIR/extra-accounts" | sql "$setup_cnf" || die "creating the users failed"
  rm -f "$setup_cnf" "$RUN_DIR/extra-accounts"
  stop_setup_server
  mv "$staging" "${DATADIR:?}"
  log "primary initialised"
}

# users_sql EXTRA_ACCOUNTS_FILE: least-privilege accounts, kept out of the binary log (replicas
# get them with their copy of the data)
users_sql() {
  local account
  printf 'SET SESSION sql_log_bin = 0;\n'
  while IFS= read -r account; do printf 'DROP USER %s;\n' "$account"; done <"$1"
  printf "ALTER USER 'root'@'localhost' IDENTIFIED BY %s;\n" "$(sql_string "${ROOT_PASSWORD:?}")"
  printf "CREATE USER %s@'%%' IDENTIFIED BY %s;\nGRANT REPLICATION SLAVE ON *.* TO %s@'%%';\n" \
    "$(sql_string "${REPLICATION_USER:?}")" "$(sql_string "${REPLICATION_PASSWORD:?}")" \
    "$(sql_string "$REPLICATION_USER")"
  printf 'CREATE USER %s@%s IDENTIFIED BY %s;\nGRANT %s ON *.* TO %s@%s;\n' \
    "$(sql_string "${BACKUP_USER:?}")" "$(sql_string "${BACKUP_USER_HOST:?}")" \
    "$(sql_string "${BACKUP_PASSWORD:?}")" "${BACKUP_GRANTS:?}" \
    "$(sql_string "$BACKUP_USER")" "$(sql_string "$BACKUP_USER_HOST")"
  # the optional application schema and account (names validated by the component)
  if [[ -n ${APP_DATABASE:-} ]]; then
    printf 'CREATE DATABASE IF NOT EXISTS %s;\n' "\`$APP_DATABASE\`"
  fi
  if [[ -n ${APP_USER:-} ]]; then
    printf "CREATE USER %s@'%%' IDENTIFIED BY %s;\nGRANT ALL ON \`%s\`.* TO %s@'%%';\n" \
      "$(sql_string "$APP_USER")" "$(sql_string "${APP_PASSWORD:?}")" "${APP_DATABASE:?}" "$(sql_string "$APP_USER")"
  fi
}

# configure_replication: a fresh clone carries a marker naming how it was made; the marker is
# removed only after the SQL succeeded, so a failure is retried whole on the next start
configure_replication() {
  local method
  method=$(<"$DATADIR/$PENDING_MARKER")
  log "pointing this replica at $(peer_host 0) (bootstrap: $method)"
  start_setup_server "$DATADIR" "$setup_socket"
  write_client_cnf "$RUN_DIR/setup.cnf" root "$ROOT_PASSWORD" "$setup_socket"
  wait_for_server "$RUN_DIR/setup.cnf" "${SETUP_TIMEOUT_SECONDS:?}" "$SETUP_SERVER_PID" ||
    die "the cloned server did not start"
  local position
  position=$(positioning_sql "$method" "$DATADIR") || die "no usable replication position in the clone"
  log "replication starts at: ${position//$'\n'/ }"
  {
    change_source_sql "$(peer_host 0)" "${MYSQL_PORT:?}" "$REPLICATION_USER" "$REPLICATION_PASSWORD"
    printf '%s\n' "$position"
  } | sql "$RUN_DIR/setup.cnf" || die "configuring replication failed"
  rm -f "$RUN_DIR/setup.cnf"
  stop_setup_server
  rm -f "$DATADIR"/xtrabackup_{binlog_info,slave_info} "$DATADIR"/mariadb_backup_{binlog_info,slave_info}
  rm -f "$DATADIR/$PENDING_MARKER"
  sync
}

write_client_cnf "$root_cnf" root "${ROOT_PASSWORD:?}" "${SOCKET:?}"
stale="${DATA_ROOT:?}/data.stale"
# a replica whose primary purged the binary logs it needs is copied again; its old data is
# kept aside until the new copy is complete
if ((ordinal > 0)) && [[ -f $DATA_ROOT/$RECLONE_MARKER ]]; then
  log "the primary no longer has the binary logs this replica needs: re-cloning"
  if [[ -d ${DATADIR:?} ]]; then
    rm -rf "$stale"
    mv "$DATADIR" "$stale"
  fi
  rm -f "$DATA_ROOT/$RECLONE_MARKER"
fi
if [[ ! -d ${DATADIR:?} ]]; then
  if ((ordinal == 0)); then
    initialize_primary
  else
    bash "$here/clone-mysql.sh" || die "replica $POD_NAME has no data and could not clone a peer"
  fi
fi
rm -rf "$stale"
[[ -f $DATADIR/$PENDING_MARKER ]] && configure_replication
trap - EXIT
log "starting the server"
exec "$MYSQLD" --defaults-file="$CONF_FILE"
