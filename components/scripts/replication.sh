# shellcheck shell=bash
# SQL that points a replica at the primary, and replica health. Sourced; pure functions of their
# arguments and of REPLICATION_SYNTAX / ENGINE, so tests run them on fixture files.

# replication_words: the statement words of this server's dialect
#   source: MySQL 8.4+ (CHANGE MASTER and START SLAVE were removed)
#   master: MariaDB and MySQL 5.7
# shellcheck disable=SC2034 # each caller uses some of the words
replication_words() {
  case ${REPLICATION_SYNTAX:?} in
    source) STOP_REPLICA='STOP REPLICA' START_REPLICA='START REPLICA' RESET_REPLICA='RESET REPLICA ALL'
      CHANGE_SOURCE='CHANGE REPLICATION SOURCE TO' SOURCE_OPT=SOURCE SHOW_REPLICA='SHOW REPLICA STATUS' ;;
    master) STOP_REPLICA='STOP SLAVE' START_REPLICA='START SLAVE' RESET_REPLICA='RESET SLAVE ALL'
      CHANGE_SOURCE='CHANGE MASTER TO' SOURCE_OPT=MASTER SHOW_REPLICA='SHOW SLAVE STATUS' ;;
    *) die "REPLICATION_SYNTAX must be 'source' or 'master', got '$REPLICATION_SYNTAX'" ;;
  esac
}

# change_source_sql HOST PORT USER PASSWORD: forget any copied replication settings, then
# connect to HOST (over verified TLS when TLS_CA is set). Changing the host resets the position,
# so positioning comes after this.
change_source_sql() {
  replication_words
  local extra=''
  [[ $REPLICATION_SYNTAX == source ]] && extra=', GET_SOURCE_PUBLIC_KEY=1'
  # with TLS on, the replica encrypts and checks the source's certificate against the cluster CA
  if [[ -n ${TLS_CA:-} ]]; then
    extra+=", ${SOURCE_OPT}_SSL=1, ${SOURCE_OPT}_SSL_CA=$(sql_string "$TLS_CA"), ${SOURCE_OPT}_SSL_VERIFY_SERVER_CERT=1"
  fi
  # MySQL gives up after SOURCE_RETRY_COUNT attempts (10 by default since 8.0.26): ~115 days here,
  # and member.sh starts a stopped replica again; MariaDB's limit is the master_retry_count option
  [[ ${ENGINE:?} == mysql ]] && extra+=", ${SOURCE_OPT}_RETRY_COUNT=${REPLICATION_RETRY_COUNT:-1000000}"
  printf '%s;\n%s;\n' "$STOP_REPLICA" "$RESET_REPLICA"
  printf '%s %s_HOST=%s, %s_PORT=%d, %s_USER=%s, %s_PASSWORD=%s, %s_CONNECT_RETRY=10%s;\n' \
    "$CHANGE_SOURCE" "$SOURCE_OPT" "$(sql_string "$1")" "$SOURCE_OPT" "$2" \
    "$SOURCE_OPT" "$(sql_string "$3")" "$SOURCE_OPT" "$(sql_string "$4")" "$SOURCE_OPT" "$extra"
}

# source_password_sql PASSWORD: the replication connection's password only (host and position
# kept); replication is stopped first and started again by the member agent
source_password_sql() {
  replication_words
  printf '%s;\n%s %s_PASSWORD=%s;\n' "$STOP_REPLICA" "$CHANGE_SOURCE" "$SOURCE_OPT" "$(sql_string "$1")"
}

# info_file DIR NAME: the backup's NAME file (xtrabackup_NAME, or mariadb_backup_NAME since 10.8)
info_file() {
  local f
  for f in "$1/xtrabackup_$2" "$1/mariadb_backup_$2"; do
    [[ -s $f ]] && { printf '%s\n' "$f"; return 0; }
  done
  return 1
}

# backup_is_complete DIR: the tool writes its checkpoints file last; exit codes prove nothing
backup_is_complete() { info_file "$1" checkpoints >/dev/null; }

# positioning_sql METHOD DIR: where replication starts after a clone
#   clone: GTID auto-position (the clone carries gtid_executed)
#   stream, MariaDB, the donor a replica: the copy's own mysql.gtid_slave_pos, which the donor's
#     applier wrote in the same InnoDB transaction as the data (member.sh copy_slave_pos checks the
#     engine). Not the backup's slave_info: it is read from SHOW SLAVE STATUS apart from the data's
#     snapshot, and with parallel apply it was seen over a thousand transactions behind the data
#     (the new replica then re-applied them and stopped on duplicate keys)
#   stream otherwise: the donor's slave_info when it was a replica (MySQL 5.7), else its binlog_info
positioning_sql() {
  replication_words
  local method=$1 dir=$2 info said
  if [[ $method == clone ]]; then
    printf '%s %s_AUTO_POSITION=1;\n' "$CHANGE_SOURCE" "$SOURCE_OPT"
  elif info=$(info_file "$dir" slave_info); then
    if [[ ${ENGINE:?} == mariadb ]]; then
      said=$(slave_info_sql "$info") || return 1
      log "position from the copy's mysql.gtid_slave_pos (the donor was a replica; ${info##*/}, not used, said: ${said//$'\n'/ })"
      printf '%s MASTER_USE_GTID = slave_pos;\n' "$CHANGE_SOURCE"
    else
      log "position from ${info##*/} (the donor was a replica)"
      slave_info_sql "$info"
    fi
  elif info=$(info_file "$dir" binlog_info); then
    log "position from ${info##*/} (the donor was the primary)"
    binlog_info_sql "$info"
  else
    die "no binlog_info or slave_info in $dir: cannot tell where replication starts"
  fi
}

# seeded_primary_sql METHOD DIR [COPY_POS]: pod 0 copied from a replica forgets the donor's
# replication settings; MariaDB's binary log, which the copy lacks, continues the donor's GTID
# state: the newest of its info files and the copy's own gtid_slave_pos (COPY_POS), per origin
seeded_primary_sql() {
  local state
  replication_words
  printf '%s;\n%s;\n' "$STOP_REPLICA" "$RESET_REPLICA"
  [[ ${ENGINE:?} == mariadb ]] || return 0
  state=$({ cat "$2"/*_binlog_info "$2"/*_slave_info 2>/dev/null; printf '%s\n' "${3:-}"; } | grep -oE '[0-9]+-[0-9]+-[0-9]+' | paste -sd, -) || true
  state=$(gtid_normal "$state" | awk '{ printf "%s%s-%s", (NR > 1 ? "," : ""), $1, $3 }')
  # (gtid_slave_pos stays: the donor's, consistent with this state under gtid_strict_mode)
  printf "RESET MASTER;\nSET GLOBAL gtid_binlog_state = '%s';\n" "$state"
}

# slave_info_sql FILE: the donor replica's own statements, one per line (two in GTID form:
# SET GLOBAL gtid_slave_pos=...; CHANGE MASTER TO master_use_gtid=slave_pos;), kept whole
slave_info_sql() {
  local line n=0 known='^(CHANGE MASTER TO|SET GLOBAL GTID_(SLAVE_POS|PURGED)[[:space:]]*=)[^;]*;?$'
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%"${line##*[![:space:]]}"}
    [[ -n $line ]] || continue
    [[ ${line^^} =~ $known ]] || die "unexpected statement in $1: $line"
    [[ $line == *\; ]] || line+=';'
    printf '%s\n' "$line"
    n=$((n + 1))
  done <"$1"
  ((n > 0)) || die "$1 holds no statement"
}

# binlog_info_sql FILE: "file<TAB>pos" or "file<TAB>pos<TAB>gtid" (MariaDB adds its GTID position).
# MariaDB always replicates by GTID, even from an empty position (nothing binlogged before the
# copy), so a replica follows pod 0 across a re-seed, which renumbers binary-log files
binlog_info_sql() {
  local file pos gtid fields
  read -r file pos gtid _ <"$1" || [[ -n ${file:-} ]] || die "$1 is empty"
  [[ $file =~ ^[A-Za-z0-9._-]+$ && $pos =~ ^[0-9]+$ ]] || die "cannot parse $1: '$file' '$pos'"
  # a third field, even empty, is MariaDB's GTID position; without one, only file/position is known
  fields=$(head -n1 "$1" | awk -F'\t' '{ print NF }')
  if [[ ${ENGINE:?} == mariadb && $fields -ge 3 ]]; then
    [[ -z ${gtid:-} || $gtid =~ ^[0-9]+-[0-9]+-[0-9]+(,[0-9]+-[0-9]+-[0-9]+)*$ ]] || die "cannot parse GTID '$gtid' in $1"
    printf "SET GLOBAL gtid_slave_pos = '%s';\n%s MASTER_USE_GTID = slave_pos;\n" "$gtid" "$CHANGE_SOURCE"
  else
    printf "%s %s_LOG_FILE='%s', %s_LOG_POS=%d;\n" "$CHANGE_SOURCE" "$SOURCE_OPT" "$file" "$SOURCE_OPT" "$pos"
  fi
}

# replica_status CNF: SHOW REPLICA STATUS, one "Field: value" per line (empty when not a replica);
# not through sql(): --skip-column-names would drop the field names
replica_status() {
  replication_words
  client "$1" --connect-timeout=5 --vertical -e "$SHOW_REPLICA"
}

# status_field STATUS NAME_REGEX: one field of SHOW REPLICA STATUS\G output
status_field() {
  awk -v field="^[[:space:]]*($2):[[:space:]]*" '$0 ~ field { sub(field, ""); print; exit }' <<<"$1"
}

# replica_health STATUS MAX_LAG [AWAY]: ok when both threads run and the lag is at most MAX_LAG
# seconds; also ok while the I/O thread reconnects (the source restarts or is unreachable) for at
# most MAX_LAG seconds since it last ran (AWAY), provided the applier runs: this copy is then no
# older than a replica lagging MAX_LAG, so reads go on through a primary restart
replica_health() {
  local io sql lag away=${3:-}
  io=$(status_field "$1" '(Slave|Replica)_IO_Running')
  sql=$(status_field "$1" '(Slave|Replica)_SQL_Running')
  lag=$(status_field "$1" 'Seconds_Behind_(Master|Source)')
  if [[ $sql == Yes && -n $io && $io != Yes && $away =~ ^[0-9]+$ ]] && ((away <= $2)); then
    printf 'serving reads: the source has been away %s s (at most %s s)\n' "$away" "$2"
    return 0
  fi
  if [[ $io != Yes || $sql != Yes ]]; then
    printf 'replication not running (io=%s, sql=%s)%s%s\n' "${io:-none}" "${sql:-none}" "${away:+, source away $away s}" "$(thread_errors "$1")"
    return 1
  fi
  if ! [[ $lag =~ ^[0-9]+$ ]] || ((lag > $2)); then
    printf 'replica lag %s s exceeds %s s\n' "${lag:-unknown}" "$2"
    return 1
  fi
}

# thread_errors STATUS: the replication threads' last errors, "; applier error N: text" and
# "; receiver error N: text", so the operator reads the cause, not only that a thread stopped
thread_errors() {
  local errno text
  errno=$(status_field "$1" 'Last_SQL_Errno') text=$(status_field "$1" 'Last_SQL_Error')
  [[ -z $errno || $errno == 0 ]] || printf '; applier error %s: %s' "$errno" "${text:0:300}"
  errno=$(status_field "$1" 'Last_IO_Errno') text=$(status_field "$1" 'Last_IO_Error')
  [[ -z $errno || $errno == 0 ]] || printf '; receiver error %s: %s' "$errno" "${text:0:300}"
  return 0
}
