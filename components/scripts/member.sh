#!/usr/bin/env bash
# member: sidecar of every pod. Every server starts read-only and without replication; this loop
# applies the one decision (members.sh) again and again: pod 0 takes writes only when no peer of
# its cluster holds newer data; a replica replicates only from a source that holds everything it
# has; otherwise it stops, keeps its data and says why. The state file feeds the readiness probe.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=gtid.sh
source "$here/gtid.sh"
# shellcheck source=members.sh
source "$here/members.sh"
# shellcheck source=replication.sh
source "$here/replication.sh"
# shellcheck source=accounts.sh
source "$here/accounts.sh"

ordinal=$(pod_ordinal "${POD_NAME:?}")
require_credentials root-password replication-password backup-password
[[ -z ${APP_USER:-} ]] || require_credentials user-password
cnf="${RUN_DIR:?}/admin.cnf"
state_file="$RUN_DIR/member.state"
replication_words

# gtid_sql: on MySQL the decisions' set arithmetic is the server's own (GTID_SUBTRACT), done by
# this pod's server; gtid.sh's result must agree with it (docs/design.md, rule 8)
if [[ ${ENGINE:?} == mysql ]]; then
  gtid_sql() { sql "$cnf"; }
fi

# report STATE MESSAGE: the state the readiness probe reads; logged when it changes
report() {
  local line="$1"$'\t'"$2"
  [[ -f $state_file && $(<"$state_file") == "$line" ]] && return 0
  printf '%s\n' "$line" >"$state_file.tmp" && mv -f "$state_file.tmp" "$state_file"
  log "$1: $2"
}

# request_set_aside REASON FACTS: run-mysql.sh sets the copy aside at the server's next start; the
# copy's identity, origin and transactions are recorded beside it, so it still counts (rule 9)
request_set_aside() {
  local recorded problem
  # never a loop of set-asides (each keeps a full copy): a copy with the same transactions as one
  # set aside before would be copied back the same way, so this stops and says so
  recorded=$(aside_facts "$2")
  if grep -qxF "$recorded" "${DATA_ROOT:?}"/set-aside/*.facts 2>/dev/null; then
    halt "not setting this copy aside again: a copy with the same transactions is already set aside, so re-copying would loop ($1)"
    return 0
  fi
  if ! problem=$(space_for_copy); then
    halt "$1, but $problem"
    return 0
  fi
  printf '%s\n' "$recorded" >"$DATA_ROOT/$SET_ASIDE_FACTS"
  printf '%s\n' "$1" >"$DATA_ROOT/$SET_ASIDE_MARKER"
  sync
  report halted "setting this copy aside and restarting: $1"
  sql "$cnf" -e 'SHUTDOWN' || log "SHUTDOWN failed; the marker is applied at the next start"
}

# halt REASON: a data reason stops this member until a fresh check passes (rule 12); the marker
# lives on the volume, so neither a restart of this agent nor of pod 0 resumes it
halt() {
  printf '%s\n' "$1" >"${DATA_ROOT:?}/$HALTED_MARKER.tmp" && mv -f "$DATA_ROOT/$HALTED_MARKER.tmp" "$DATA_ROOT/$HALTED_MARKER"
  report halted "$1 (docs/operations.md: failure recovery)"
}

halted_reason() { [[ -f ${DATA_ROOT:?}/$HALTED_MARKER ]] && cat "$DATA_ROOT/$HALTED_MARKER"; }

# space_for_copy: a re-clone keeps this copy aside, so the volume must hold another of its size;
# prints the refusal with the figures when it cannot
space_for_copy() {
  local size free
  size=$(du -sb --exclude='*-bin.[0-9]*' --exclude='relay-bin*' "$DATADIR" 2>/dev/null | cut -f1) || size=''
  free=$(df -B1 --output=avail "$DATA_ROOT" 2>/dev/null | tail -n1 | tr -d ' ') || free=''
  if ! [[ $size =~ ^[0-9]+$ && $free =~ ^[0-9]+$ ]]; then
    printf 'the size of this copy or the free space of the volume could not be read\n'
    return 1
  fi
  if ((size + size / 10 > free)); then
    printf 'a new copy needs about %d MB beside this one (kept aside), the volume has %d MB free: free set-aside copies under %s/set-aside or grow the volume\n' \
      "$(((size + size / 10) / 1000000))" "$((free / 1000000))" "$DATA_ROOT"
    return 1
  fi
}

# finish_copy: a fresh copy carries a marker naming how it was made; removed only after the SQL
# succeeded, so a failure is retried whole
finish_copy() {
  local method sql_text copy_pos=''
  method=$(<"$DATADIR/$PENDING_MARKER")
  if [[ ${ENGINE:?} == mariadb ]]; then
    copy_pos=$(copy_slave_pos) || return 1
  fi
  if ((ordinal == 0)); then
    log "re-seeded primary: taking over the donor's transaction history"
    sql_text=$(seeded_primary_sql "$method" "$DATADIR" "$copy_pos") || return 1
  else
    sql_text=$(positioning_sql "$method" "$DATADIR") || return 1
    log "replication starts at: ${sql_text//$'\n'/ }"
    sql_text="$(change_source_sql "$(peer_host 0)" "${MYSQL_PORT:?}" "$REPLICATION_USER" "$(credential replication-password)")"$'\n'"$sql_text"
  fi
  sql "$cnf" <<<"$sql_text" || return 1
  [[ $ENGINE != mariadb ]] || log "gtid_slave_pos is now '$(sql "$cnf" -e 'SELECT @@GLOBAL.gtid_slave_pos')'"
  rm -f "$DATADIR"/xtrabackup_{binlog_info,slave_info} "$DATADIR"/mariadb_backup_{binlog_info,slave_info}
  rm -f "$DATADIR/$PENDING_MARKER"
  sync
}

# copy_slave_pos: the copy's own replication position (MariaDB), which the server loaded from
# mysql.gtid_slave_pos at start; refused unless that table is InnoDB, as only then was each row
# committed with the transaction it records
copy_slave_pos() {
  local engine
  engine=$(sql "$cnf" -e "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'gtid_slave_pos'") || return 1
  if [[ $engine != InnoDB ]]; then
    log "mysql.gtid_slave_pos is ENGINE=${engine:-missing}, not InnoDB: this copy's replication position cannot be trusted (README: failure recovery)"
    return 1
  fi
  sql "$cnf" -e 'SELECT @@GLOBAL.gtid_slave_pos'
}

# read_facts: this server's facts into $facts, or a wait with the reason
read_facts() {
  facts=$(local_facts "$cnf" 2>"$RUN_DIR/facts.err") && return 0
  report waiting "this server's facts could not be read: $(head -c 300 "$RUN_DIR/facts.err")"
  return 1
}

# step_down WHY: a primary that must not take writes any more (rule 11)
step_down() {
  if [[ ${ENGINE:?} == mysql ]]; then
    sql "$cnf" -e 'SET GLOBAL super_read_only = ON' || return 1
  else
    sql "$cnf" -e 'SET GLOBAL read_only = ON' || return 1
  fi
  halt "stepped down: $1"
}

# unheard: the pods a primary promoted without hearing; each is checked once it answers (rule 11)
unheard_file() { printf '%s\n' "${DATA_ROOT:?}/$UNHEARD_MARKER"; }

# recheck_unheard: while taking writes, each pod that did not answer before the promotion is asked
# again; one that holds transactions of this cluster this primary lacks makes it step down
recheck_unheard() {
  local left='' n line peer rest now
  [[ -s $(unheard_file) ]] || return 0
  for n in $(<"$(unheard_file)"); do
    line=$(peer_line "$n" 2>/dev/null)
    peer=${line#*$'\t'}
    if [[ $peer == - || $peer == "$UNKNOWN" ]]; then left+=" $n"; continue; fi
    if has_data "$peer" && [[ $(fact 1 "$peer") == "$(fact 1 "$facts")" ]]; then
      # the peer first, then this primary afresh: a later snapshot of the primary holds all that an
      # earlier one of a replica got from it (an older one would read its newest writes as missing)
      if ! now=$(local_facts "$cnf" 2>/dev/null) || ! rest=$(foreign_extra "$peer" "$now"); then left+=" $n"; continue; fi
      if [[ -n $rest ]]; then
        step_down "pod $n, which did not answer before this pod took writes, holds transactions it lacks ($(gtid_text <<<"$rest")): both copies are kept; an operator must choose"
        return 0
      fi
    fi
    log "pod $n answered after the promotion and holds nothing this primary lacks"
  done
  printf '%s\n' "${left# }" >"$(unheard_file)"
}

primary_round() {
  local peers verdict missing uptime read_only reason origin
  reason=$(halted_reason) && { report halted "$reason (docs/operations.md: failure recovery)"; return 0; }
  read_facts || return 0
  read_only=$(fact 5 "$facts")
  if [[ $read_only == 0 ]]; then
    recheck_unheard
    [[ -n $(halted_reason) ]] || report primary "taking writes"
    return 0
  fi
  if ! peers=$(peer_lines 2>"$RUN_DIR/peers.err"); then
    report waiting "$(<"$RUN_DIR/peers.err")"
    return 0
  fi
  verdict=$(decide_primary "$facts" "$peers")
  case $verdict in
    set-aside*) request_set_aside "${verdict#* }" "$facts" ;;
    # decided afresh each round from the facts (an operator's fix applies at once); only a step-down
    # is kept on the volume (a fresh check would set this primary's new writes aside by itself)
    halt*) report halted "${verdict#* } (docs/operations.md: failure recovery)" ;;
    wait*) report waiting "${verdict#* }" ;;
    promote)
      missing=$(awk -F'\t' '$2 == "-" { printf " %s", $1 }' <<<"$peers")
      if [[ -n $missing ]]; then
        uptime=$(server_uptime)
        if ! [[ $uptime =~ ^[0-9]+$ ]]; then
          report waiting "pods$missing have not answered and the server's uptime could not be read ('$uptime')"
          return 0
        fi
        if ((uptime < ${PRIMARY_PEER_WAIT_SECONDS:?})); then
          report waiting "pods$missing have not answered; taking writes once they do, or after ${PRIMARY_PEER_WAIT_SECONDS} s"
          return 0
        fi
      fi
      printf '%s\n' "${missing# }" >"$(unheard_file)"
      sql "$cnf" <<<"$STOP_REPLICA; $RESET_REPLICA; SET GLOBAL read_only = OFF;" || return 1
      if [[ $ENGINE == mariadb ]]; then origin="SELECT CONCAT(@@gtid_domain_id, '-', @@server_id)"; else origin='SELECT @@server_uuid'; fi
      log "taking writes as transaction origin $(sql "$cnf" -e "$origin" || true)"
      report primary "taking writes${missing:+ (pods$missing did not answer; each is checked when it does)}"
      ;;
    *) report waiting "no verdict ('$verdict')" ;;
  esac
}

# stop_receiver: the I/O thread stops while pod 0 is away or unreadable, so a source that comes
# back is checked before this replica takes any of its events (rule 12); the applier goes on
stop_receiver() {
  [[ -z $status || $(status_field "$status" '(Slave|Replica)_IO_Running') == No ]] && return 0
  sql "$cnf" -e "$STOP_REPLICA IO_THREAD" && log "stopped the replication receiver: $1"
}

# restart_threads: both replication threads run again after a passed check; says which was
# stopped and with what error, so a thread someone stopped is never restarted silently
restart_threads() {
  local io sql_running
  io=$(status_field "$status" '(Slave|Replica)_IO_Running') sql_running=$(status_field "$status" '(Slave|Replica)_SQL_Running')
  log "starting replication (receiver ${io:-not set up}, applier ${sql_running:-not set up}$(thread_errors "$status"))"
  start_replica
}

# apply_retrieved: while pod 0 is away, the applier runs, so what this replica retrieved is applied
# and counts when pod 0 is re-seeded; one that someone stopped is started (and logged), one that
# stopped on an error is left stopped with the error reported
apply_retrieved() {
  [[ -n $status && $(status_field "$status" '(Slave|Replica)_SQL_Running') == No ]] || return 0
  local errno
  errno=$(status_field "$status" 'Last_SQL_Errno')
  if [[ -n $errno && $errno != 0 ]]; then
    log "the applier stopped on an error and is left stopped$(thread_errors "$status")"
    return 0
  fi
  sql "$cnf" -e "$START_REPLICA SQL_THREAD" && log "started the applier, which someone stopped: what this replica retrieved is applied while pod 0 is away"
}

replica_round() {
  local source status errno verdict reason problem
  # this copy first, then the source: a later snapshot of the source holds everything an earlier
  # one of a replica had (the other order reads transactions applied in between as missing on it)
  read_facts || return 0
  status=$(replica_status "$cnf") || { report waiting "SHOW REPLICA STATUS failed on this server"; return 0; }
  # when the I/O thread last ran: readiness keeps a replica in the read Service through a short
  # outage of the source (probe-ready.sh, at most MAX_REPLICA_LAG_SECONDS)
  [[ -z $status || $(status_field "$status" '(Slave|Replica)_IO_Running') != Yes ]] || date +%s >"$RUN_DIR/io-running-at"
  reason=$(halted_reason) || reason=''
  source=$(peer_facts 0 2>"$RUN_DIR/peers.err") || {
    case $? in
      1) problem="pod 0 does not answer" ;;
      *) problem="pod 0's answer does not parse: $(head -c 300 "$RUN_DIR/peers.err")" ;;
    esac
    stop_receiver "$problem; it is checked again before replication goes on" || return 1
    # what this replica retrieved is applied meanwhile (rule 10): pod 0 may be re-seeded from it
    [[ -n $reason ]] || apply_retrieved || return 1
    if [[ -n $reason ]]; then
      report halted "$reason (docs/operations.md: failure recovery)"
    elif [[ -f $state_file && $(cut -f1 "$state_file") == replicating ]]; then
      report replicating "$problem; serving reads while this copy is at most ${MAX_REPLICA_LAG_SECONDS:?} s behind"
    else
      report waiting "$problem; replication resumes once it answers and passes the checks"
    fi
    return 0
  }
  errno=$(status_field "$status" 'Last_IO_Errno')
  verdict=$(decide_replica "$facts" "$source" "${errno:-0}" "$(status_field "$status" 'Last_IO_Error')")
  case $verdict in
    replicate)
      if [[ -n $reason ]]; then
        log "a fresh check passed: replicating again (halted before: $reason)"
        rm -f "$DATA_ROOT/$HALTED_MARKER"
      fi
      [[ -n $status ]] || sql "$cnf" <<<"$(change_source_sql "$(peer_host 0)" "$MYSQL_PORT" "$REPLICATION_USER" "$(credential replication-password)")
$(gtid_positioning_sql)" || return 1
      thread_stopped "$status" && restart_threads
      report replicating "from pod 0"
      ;;
    reclone*) sql "$cnf" -e "$STOP_REPLICA" || true; request_set_aside "${verdict#* }" "$facts" ;;
    halt*) sql "$cnf" -e "$STOP_REPLICA" || true; halt "${verdict#* }" ;;
    wait*)
      stop_receiver "${verdict#* }" || return 1
      if [[ -n $reason ]]; then report halted "$reason (still: ${verdict#* })"; else report waiting "${verdict#* }"; fi
      ;;
    *) stop_receiver "no verdict" || return 1; report waiting "no verdict ('$verdict')" ;;
  esac
}

# sync_aside: the set-aside copies of this volume, as peers read them (mysql_cluster.set_aside)
synced_aside='-'
sync_aside() {
  local aside
  aside=$(aside_on_volume) || return 1
  [[ $aside != "$synced_aside" ]] || return 0
  aside_rows_sql "$aside" | sql "$cnf" || return 1
  [[ -z $aside ]] || log "copies set aside on this volume, reported to peers: ${aside//;/; }"
  synced_aside=$aside
}

# sync_credentials: the accounts' passwords follow the mounted Secret, on this server: when this
# agent starts (a Secret that changed while the pod was down, or new passwords on kept volumes)
# and whenever the files change (a rotation by `pulumi up`; the kubelet refreshes them). A
# replica's connection to pod 0 takes the replication password too.
applied_credentials=''
sync_credentials() {
  local digest sql_text password
  digest=$(cat "${CREDENTIALS_DIR:?}"/* | sha256sum)
  [[ $digest != "$applied_credentials" ]] || return 0
  sql_text=$(credentials_sql) || return 1
  sql "$cnf" <<<"$sql_text" || return 1
  if ((ordinal > 0)) && [[ -n $(replica_status "$cnf") ]]; then
    password=$(credential replication-password) || return 1
    sql "$cnf" <<<"$(source_password_sql "$password")" || return 1
  fi
  log "account passwords set from the credentials Secret${applied_credentials:+ (it changed)}"
  applied_credentials=$digest
}

# upgrade_system_tables: once per start of this agent, the engine's upgrade step where the server
# does not run it itself (MariaDB: mariadb-upgrade, a no-op when the data's mysql_upgrade_info
# matches the server; never binary-logged, so each pod upgrades its own copy). MySQL 8.0.16+
# upgrades its data dictionary and system tables at start. Before pod 0 takes writes.
upgraded=0
upgrade_system_tables() {
  ((upgraded == 0)) || return 0
  if [[ -n ${UPGRADE_TOOL:-} ]]; then
    "$UPGRADE_TOOL" --defaults-file="$cnf" --skip-write-binlog --silent >&2 || return 1
    log "system tables match the server (${UPGRADE_TOOL})"
  fi
  upgraded=1
}

# ensure_metrics_account: once per start of this agent, after the upgrade step, when the pod runs
# a metrics exporter: its account exists on this server (a cluster that had none gets it here)
metrics_account=0
ensure_metrics_account() {
  [[ -n ${METRICS_USER:-} ]] && ((metrics_account == 0)) || return 0
  metrics_account_sql | sql "$cnf" || return 1
  log "the metrics exporter's account ${METRICS_USER} is ready (socket authentication)"
  metrics_account=1
}

# reload_tls: a renewed certificate (cert-manager rewrote the Secret; the kubelet refreshes the
# mounted files) is loaded by the running server: at this agent's start and whenever the files
# change. New connections get the new certificate; replicas read the CA file at each reconnect.
tls_loaded=''
reload_tls() {
  [[ -n ${TLS_CA:-} ]] || return 0
  local digest dir=${TLS_CA%/*}
  digest=$(cat "$dir/tls.crt" "$dir/tls.key" "$dir/ca.crt" | sha256sum)
  [[ $digest != "$tls_loaded" ]] || return 0
  if [[ -z ${TLS_RELOAD_SQL:-} ]]; then
    [[ -z $tls_loaded ]] || log "the TLS certificate changed; this engine loads it only at a restart"
  else
    sql "$cnf" <<<"SET SESSION sql_log_bin = 0; $TLS_RELOAD_SQL;" || return 1
    log "TLS certificate loaded from $dir${tls_loaded:+ (it changed)}"
  fi
  tls_loaded=$digest
}

start_replica() { sql "$cnf" -e "$START_REPLICA"; }

# thread_stopped STATUS: a replication thread is stopped (not set up, or "No"; a receiver that is
# "Connecting" retries by itself)
thread_stopped() {
  [[ -z $1 || $(status_field "$1" '(Slave|Replica)_IO_Running') == No || $(status_field "$1" '(Slave|Replica)_SQL_Running') == No ]]
}

# server_uptime: seconds since the local server started (the peer wait counts from there)
server_uptime() { sql "$cnf" -e "SHOW GLOBAL STATUS LIKE 'Uptime'" 2>&1 | cut -f2; }

# gtid_positioning_sql: where a replica with data but no replication settings starts
gtid_positioning_sql() {
  if [[ ${ENGINE:?} == mariadb ]]; then printf '%s MASTER_USE_GTID = slave_pos;\n' "$CHANGE_SOURCE"
  else printf '%s %s_AUTO_POSITION = 1;\n' "$CHANGE_SOURCE" "$SOURCE_OPT"; fi
}

report waiting "the server is starting"
until [[ -f $cnf ]] && server_answers_once "$cnf"; do sleep 0.2; done
# a starting pod's readiness waits on this agent's verdict: rounds run every FAST_POLL_SECONDS until
# the pod first serves (primary or replicating) or for FAST_POLL_LIMIT_SECONDS, then every MEMBER_POLL_SECONDS
fast_until=$((SECONDS + ${FAST_POLL_LIMIT_SECONDS:-30}))
serves() { [[ -f $state_file && $(<"$state_file") =~ ^(primary|replicating)$'\t' ]]; }
while true; do
  if ! server_answers "$cnf"; then
    report waiting "the server does not answer"
  elif [[ -f $DATADIR/$PENDING_MARKER ]] && ! finish_copy; then
    report waiting "setting up replication of the fresh copy failed (the error is in this container's log); retrying"
  elif ! sync_credentials; then
    log "setting the account passwords from the Secret failed; retrying"
  elif ! upgrade_system_tables; then
    log "the upgrade step failed; retrying"
  elif ! ensure_metrics_account; then
    log "creating the metrics exporter's account failed; retrying"
  elif ! reload_tls; then
    log "loading the TLS certificate failed; retrying"
  elif ! sync_aside; then
    report waiting "recording this volume's set-aside copies on the server failed; retrying"
  elif ((ordinal == 0)); then
    primary_round || log "this round failed; retrying"
  else
    replica_round || log "this round failed; retrying"
  fi
  if ((fast_until > 0)) && ! serves && ((SECONDS < fast_until)); then
    sleep "${FAST_POLL_SECONDS:-0.25}"
  else
    fast_until=0
    sleep "${MEMBER_POLL_SECONDS:-2}"
  fi
done
