# shellcheck shell=bash
# A new cluster's first data directory (pod 0, every pod empty) and the throw-away servers the
# bootstrap uses. Sourced by clone-mysql.sh (after accounts.sh).

# init_datadir DIR: an empty server data directory (no users but root@localhost, no password)
init_datadir() {
  case ${INIT_METHOD:?} in
    mysqld) "${MYSQLD:?}" --defaults-file="${CONF_FILE:?}" --initialize-insecure --datadir="$1" ;;
    mariadb-install-db) "${INSTALL_DB:?}" --defaults-file="${CONF_FILE:?}" --datadir="$1" \
      --auth-root-authentication-method=normal --skip-test-db >/dev/null ;;
    *) die "INIT_METHOD must be 'mysqld' or 'mariadb-install-db', got '$INIT_METHOD'" ;;
  esac
}

# start_scratch_server DIR SOCKET [server options]: a fresh server on DIR, root without password
# over SOCKET; sets SETUP_SERVER_PID and SCRATCH_CNF (root's option file). Never called in $(...):
# the server would hold the substitution's pipe open
start_scratch_server() {
  local dir=$1 socket=$2
  SCRATCH_CNF="$RUN_DIR/scratch-root.cnf"
  shift 2
  # rule 1: only the three scratch directories are ever removed. Each holds nothing but what
  # init_datadir made and a throw-away server (no client ever connects to it), never a copy
  # with transactions: data.init (a new primary, renamed into place only when complete),
  # clone-scratch (the CLONE recipient's own setup server), empty-member (the EMPTY responder)
  case $dir in
    "${DATA_ROOT:?}"/data.init | "$DATA_ROOT"/clone-scratch | "$DATA_ROOT"/empty-member) rm -rf "$dir" ;;
    *) die "refusing $dir as a scratch directory (only data.init, clone-scratch, empty-member under $DATA_ROOT)" ;;
  esac
  init_datadir "$dir" || { log "could not initialise a scratch server in $dir"; return 1; }
  start_setup_server "$dir" "$socket" --skip-log-bin --read-only=OFF --loose-super-read-only=OFF "$@"
  write_client_cnf "$SCRATCH_CNF" root '' "$socket"
  wait_for_server "$SCRATCH_CNF" "${SETUP_TIMEOUT_SECONDS:?}" "$SETUP_SERVER_PID"
}

# initialize_primary: an empty volume on pod 0, every peer empty: a new cluster with its identity,
# root's password (localhost only), the replication and backup accounts; built aside, renamed
# into place when done
initialize_primary() {
  local staging="${DATA_ROOT:?}/data.init" cnf identity
  log "initialising a new primary data directory"
  start_scratch_server "$staging" "$RUN_DIR/setup.sock" || die "the new server did not start"
  cnf=$SCRATCH_CNF
  identity=$(sql "$cnf" -e 'SELECT UUID()')
  sql "$cnf" -e "SELECT CONCAT(QUOTE(user), '@', QUOTE(host)) FROM mysql.user
    WHERE user = '' OR (user = 'root' AND host <> 'localhost')" >"$RUN_DIR/extra-accounts"
  # time zones first: the users' SQL sets root's password, which the scratch option file lacks
  load_time_zones "$cnf"
  { users_sql "$RUN_DIR/extra-accounts"; identity_sql "$identity"; } | sql "$cnf" || die "creating the users failed"
  rm -f "$cnf" "$RUN_DIR/extra-accounts"
  stop_setup_server
  mv "$staging" "${DATADIR:?}"
  log "primary initialised: cluster identity $identity"
}

# load_time_zones CNF: the time-zone tables from the image's zoneinfo, as the official images'
# entrypoints load them (CONVERT_TZ and named time zones work); not binary-logged, copied with the
# data to every replica. An image without zoneinfo keeps them empty, and says so.
load_time_zones() {
  local zoneinfo=/usr/share/zoneinfo
  if [[ ! -d $zoneinfo ]] || ! command -v "${TZINFO_TO_SQL:?}" >/dev/null; then
    log "no $zoneinfo or $TZINFO_TO_SQL in this image: time-zone tables left empty"
    return 0
  fi
  { printf 'SET SESSION sql_log_bin = 0;\nUSE mysql;\n'; "$TZINFO_TO_SQL" "$zoneinfo" 2>/dev/null; } | sql "$1" ||
    die "loading the time-zone tables failed"
  log "time-zone tables loaded from $zoneinfo"
}

# users_sql EXTRA_ACCOUNTS_FILE: least-privilege accounts, kept out of the binary log (replicas
# get them with their copy of the data)
users_sql() {
  local account
  printf 'SET SESSION sql_log_bin = 0;\n'
  while IFS= read -r account; do printf 'DROP USER %s;\n' "$account"; done <"$1"
  local_admin_sql
  printf "ALTER USER 'root'@'localhost' IDENTIFIED BY %s;\n" "$(sql_string "$(credential root-password)")"
  replication_user_sql
  printf 'CREATE USER %s@%s IDENTIFIED BY %s;\nGRANT %s ON *.* TO %s@%s;\n' \
    "$(sql_string "${BACKUP_USER:?}")" "$(sql_string "${BACKUP_USER_HOST:?}")" \
    "$(sql_string "$(credential backup-password)")" "${BACKUP_GRANTS:?}" \
    "$(sql_string "$BACKUP_USER")" "$(sql_string "$BACKUP_USER_HOST")"
  # the optional application schema and account (names validated by the component)
  if [[ -n ${APP_DATABASE:-} ]]; then
    printf 'CREATE DATABASE IF NOT EXISTS %s;\n' "\`$APP_DATABASE\`"
  fi
  if [[ -n ${APP_USER:-} ]]; then
    printf "CREATE USER %s@'%%' IDENTIFIED BY %s;\nGRANT ALL ON \`%s\`.* TO %s@'%%';\n" \
      "$(sql_string "$APP_USER")" "$(sql_string "$(credential user-password)")" "${APP_DATABASE:?}" "$(sql_string "$APP_USER")"
  fi
}

# replication_user_sql: the account replicas connect with (and peers ask each other's facts with)
replication_user_sql() {
  printf "CREATE USER %s@'%%' IDENTIFIED BY %s;\nGRANT REPLICATION SLAVE, %s ON *.* TO %s@'%%';\n" \
    "$(sql_string "${REPLICATION_USER:?}")" "$(sql_string "$(credential replication-password)")" \
    "${REPLICA_MONITOR_GRANT:?}" "$(sql_string "$REPLICATION_USER")"
}

# start_empty_member: while an empty pod waits, a throw-away server answers peers' fact queries
# with the EMPTY identity, so an empty pod 0 can tell "every pod is empty" from "not answering",
# and with the copies set aside on this volume, which still count (rule 9). Sets SETUP_SERVER_PID.
start_empty_member() {
  local cnf
  SETUP_NETWORKING=1 start_scratch_server "${DATA_ROOT:?}/empty-member" "$RUN_DIR/empty-member.sock" \
    --port="${MYSQL_PORT:?}" || return 1
  cnf=$SCRATCH_CNF
  {
    printf 'SET SESSION sql_log_bin = 0;\n'
    replication_user_sql
    identity_sql "$EMPTY_IDENTITY"
    aside_rows_sql "$(aside_on_volume)"
  } | sql "$cnf" || return 1
  rm -f "$cnf"
  log "answering peers as an empty member while waiting"
}
