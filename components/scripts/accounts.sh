# shellcheck shell=bash
# The server's accounts: the pod's local administrator (socket authentication) and the passwords
# the credentials Secret holds. Sourced by clone-mysql.sh (a new cluster) and member.sh (rotation).

# local_admin_sql: the local administrator, named after the containers' OS user; it logs in over
# the socket only, with no password (MariaDB unix_socket, MySQL auth_socket)
local_admin_sql() {
  local admin
  admin="$(sql_string "${LOCAL_ADMIN_USER:?}")@'localhost'"
  printf 'CREATE USER IF NOT EXISTS %s;\n' "$admin"
  if [[ ${ENGINE:?} == mariadb ]]; then
    printf 'ALTER USER %s IDENTIFIED VIA unix_socket;\n' "$admin"
  else
    printf 'ALTER USER %s IDENTIFIED WITH auth_socket;\n' "$admin"
  fi
  printf 'GRANT ALL PRIVILEGES ON *.* TO %s WITH GRANT OPTION;\n' "$admin"
}

# metrics_account_sql: the metrics exporter's account, named after the exporter container's OS user
# (METRICS_USER); it logs in over the socket only, with no password, and may read status, variables,
# the replication state and performance_schema, nothing else. On this server only (not binary-logged).
metrics_account_sql() {
  local account
  account="$(sql_string "${METRICS_USER:?}")@'localhost'"
  printf 'SET SESSION sql_log_bin = 0;\n'
  [[ ${ENGINE:?} != mysql ]] || printf 'SET @ro = @@GLOBAL.super_read_only;\nSET GLOBAL super_read_only = OFF;\n'
  printf 'CREATE USER IF NOT EXISTS %s;\n' "$account"
  if [[ $ENGINE == mariadb ]]; then
    printf 'ALTER USER %s IDENTIFIED VIA unix_socket;\n' "$account"
  else
    printf 'ALTER USER %s IDENTIFIED WITH auth_socket;\n' "$account"
  fi
  printf 'GRANT %s ON *.* TO %s;\nGRANT SELECT ON performance_schema.* TO %s;\n' "${METRICS_GRANTS:?}" "$account" "$account"
  [[ $ENGINE != mysql ]] || printf 'SET GLOBAL super_read_only = @ro;\n'
}

# credentials_sql: every account's password as the Secret says now, on this server only (not
# binary-logged: each pod applies it to its own copy, replicas included). Where the engine has
# dual passwords (MySQL 8.0.14+), the previous password stays valid as the second one, so clients
# that still use it keep working through a rotation.
credentials_sql() {
  local retain='' root repl backup app=''
  # every value first: a missing key fails the whole statement list, never sets an empty password
  root=$(credential root-password) && repl=$(credential replication-password) &&
    backup=$(credential backup-password) || return 1
  if [[ -n ${APP_USER:-} ]]; then app=$(credential user-password) || return 1; fi
  [[ ${DUAL_PASSWORDS:-0} != 1 ]] || retain=' RETAIN CURRENT PASSWORD'
  printf 'SET SESSION sql_log_bin = 0;\n'
  # MySQL's super_read_only refuses even administrators; read_only stays on meanwhile
  [[ ${ENGINE:?} != mysql ]] || printf 'SET @ro = @@GLOBAL.super_read_only;\nSET GLOBAL super_read_only = OFF;\n'
  printf "ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY %s%s;\n" "$(sql_string "$root")" "$retain"
  printf "ALTER USER IF EXISTS %s@'%%' IDENTIFIED BY %s%s;\n" "$(sql_string "${REPLICATION_USER:?}")" "$(sql_string "$repl")" "$retain"
  printf 'ALTER USER IF EXISTS %s@%s IDENTIFIED BY %s%s;\n' "$(sql_string "${BACKUP_USER:?}")" \
    "$(sql_string "${BACKUP_USER_HOST:?}")" "$(sql_string "$backup")" "$retain"
  if [[ -n $app ]]; then
    printf "ALTER USER IF EXISTS %s@'%%' IDENTIFIED BY %s%s;\n" "$(sql_string "$APP_USER")" "$(sql_string "$app")" "$retain"
  fi
  # peers read each other's replication status (what a replica retrieved counts, rule 10)
  printf "GRANT %s ON *.* TO %s@'%%';\n" "${REPLICA_MONITOR_GRANT:?}" "$(sql_string "$REPLICATION_USER")"
  [[ $ENGINE != mysql ]] || printf 'SET GLOBAL super_read_only = @ro;\n'
}
