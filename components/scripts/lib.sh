# shellcheck shell=bash
# Helpers shared by the pod scripts. Sourced, never run; needs no engine-specific code.
# Every parameter arrives as an environment variable set on the container.

# shellcheck disable=SC2034 # read by the scripts that source this file
readonly PENDING_MARKER=mysql-cluster-replication.pending
# shellcheck disable=SC2034 # read by the scripts that source this file
readonly SET_ASIDE_MARKER=mysql-cluster-set-aside.requested
# shellcheck disable=SC2034 # read by the scripts that source this file
readonly SET_ASIDE_FACTS=mysql-cluster-set-aside.facts
# shellcheck disable=SC2034 # read by the scripts that source this file
readonly HALTED_MARKER=mysql-cluster.halted
# shellcheck disable=SC2034 # read by the scripts that source this file
readonly UNHEARD_MARKER=mysql-cluster.unheard

# log MESSAGE: to stderr, with a UTC time in milliseconds (a bootstrap's phases are read from these lines)
log() { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "${0##*/}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# pod_ordinal NAME: the ordinal of a StatefulSet pod named "<sts>-N" ($HOSTNAME-style, no `hostname` binary)
pod_ordinal() {
  [[ $1 =~ -([0-9]+)$ ]] || die "pod name '$1' does not end in -<ordinal>"
  printf '%d\n' "$((10#${BASH_REMATCH[1]}))"
}

# peer_host N: the stable DNS name of pod N through the headless Service, namespace-qualified so
# a TLS certificate for *.<service>.<namespace>.svc matches it
peer_host() { printf '%s-%s.%s.%s.svc\n' "${CLUSTER_NAME:?}" "$1" "${HEADLESS_SERVICE:?}" "${NAMESPACE:?}"; }

# sql_string VALUE: VALUE as a single-quoted SQL string literal
sql_string() {
  local s=${1//\\/\\\\}
  s=${s//\'/\'\'}
  printf "'%s'" "$s"
}

# write_client_cnf FILE USER PASSWORD SOCKET: an option file (mode 600) so no password is ever
# on a command line or in a log
write_client_cnf() {
  local file=$1 user=$2 password=$3 socket=$4 escaped
  [[ $password != *$'\n'* ]] || die "the password for '$user' contains a newline; use one without"
  escaped=${password//\\/\\\\}
  escaped=${escaped//\"/\\\"}
  (
    umask 077
    printf '[client]\nuser=%s\npassword="%s"\nsocket=%s\n' "$user" "$escaped" "$socket" >"$file.tmp"
  )
  mv -f "$file.tmp" "$file"
}

# credential KEY: a password from the mounted credentials Secret, read at each use so a changed
# Secret (a rotation) reaches a running pod without a restart. KEY is one of root-password,
# replication-password, backup-password, user-password (components/names.ts, secretKeys).
credential() {
  local file="${CREDENTIALS_DIR:?}/$1"
  [[ -r $file ]] || die "the credentials Secret has no key '$1' (mounted at $CREDENTIALS_DIR)"
  printf '%s' "$(<"$file")"
}

# require_credentials KEY...: stops the script at its start when the Secret lacks a key it needs
# (a value read later inside $(...) could not stop it)
require_credentials() {
  local key
  for key in "$@"; do credential "$key" >/dev/null; done
}

# write_admin_cnf FILE SOCKET: the option file of the pod's local administrator, who logs in over
# the socket as the container's OS user (MariaDB unix_socket, MySQL auth_socket): no password, so
# probes and the member agent work whatever the Secret says
write_admin_cnf() {
  (
    umask 077
    printf '[client]\nuser=%s\nsocket=%s\n' "${LOCAL_ADMIN_USER:?}" "$2" >"$1.tmp"
  )
  mv -f "$1.tmp" "$1"
}

# sql CNF [client options]: runs the SQL on stdin with the credentials in CNF. The pod's own
# administrator connections (probes, member agent, preStop) take turns: when clients hold every
# connection, the server keeps exactly one more for administrators, and probes must not lose it
# to each other (a starved liveness probe would restart a healthy server).
sql() {
  local cnf=$1
  shift
  client "$cnf" --batch --skip-column-names --connect-timeout=5 "$@"
}

# client CNF [client options]: the client with the credentials in CNF; with the pod's administrator
# option file it takes the administrator turn (below) for the connection's lifetime
client() {
  local cnf=$1 status=0 held=0
  shift
  if [[ $cnf == "${RUN_DIR:-/nonexistent}/admin.cnf" ]]; then
    admin_turn && held=1
  fi
  # a fixed sql_mode for the component's own sessions: a server's NO_BACKSLASH_ESCAPES or ANSI_QUOTES
  # would change what sql_string's literals and the facts query mean (a password with a backslash)
  "${MYSQL_CLIENT:?}" --defaults-file="$cnf" --init-command="SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'" "$@" || status=$?
  ((held == 0)) || rmdir "$RUN_DIR/admin.turn" 2>/dev/null || true
  return "$status"
}

# now_us: microseconds since the epoch (bash 5's EPOCHREALTIME; date on older shells)
now_us() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    echo "${EPOCHREALTIME/./}"
  else
    date +%s%6N
  fi
}

# admin_turn: waits (at most 4 s) for the administrator connection's turn: a directory in RUN_DIR
# (shared by the pod's containers; no flock in every image). A turn older than 10 s belongs to a
# process that was killed (e.g. a probe past its timeout) and is taken over. Fails (goes ahead
# without the turn) after the wait: better a try than a probe timeout.
admin_turn() {
  # in microseconds: SECONDS counts whole seconds, which would make "4 s" anything from 3 to 4
  local turn="$RUN_DIR/admin.turn" deadline age
  deadline=$(($(now_us) + 4000000))
  until mkdir "$turn" 2>/dev/null; do
    age=$(($(date +%s) - $(stat -c %Y "$turn" 2>/dev/null || date +%s)))
    if ((age > 10)); then
      rmdir "$turn" 2>/dev/null || true
      continue
    fi
    (($(now_us) < deadline)) || return 1
    sleep 0.05
  done
}

# server_answers CNF: the server accepts an authenticated query; three tries 0.3 s apart, so one
# connection refused while clients hold every slot (Too many connections) is not taken for a dead server
server_answers() {
  local try
  for try in 1 2 3; do
    sql "$1" -e 'SELECT 1' >/dev/null 2>&1 && return 0
    ((try == 3)) || sleep 0.3
  done
  return 1
}

# server_answers_once CNF: one try, for waits on a server that is starting (no client holds its slots)
server_answers_once() { sql "$1" -e 'SELECT 1' >/dev/null 2>&1; }

# wait_for_server CNF SECONDS PID: waits for the server, failing early if PID has exited; polls every
# 0.1 s (every bootstrap starts up to four servers: a coarse poll would add its period to each)
wait_for_server() {
  local cnf=$1 deadline=$((SECONDS + $2)) pid=$3
  until server_answers_once "$cnf"; do
    kill -0 "$pid" 2>/dev/null || { log "server process $pid exited during start-up"; return 1; }
    ((SECONDS < deadline)) || { log "server did not answer within $2 s"; return 1; }
    sleep 0.1
  done
}

# start_setup_server DATADIR SOCKET [server options]: a server for one-off setup, no TCP listener
# unless SETUP_NETWORKING=1. Sets SETUP_SERVER_PID.
start_setup_server() {
  local datadir=$1 socket=$2 network=(--skip-networking)
  shift 2
  [[ ${SETUP_NETWORKING:-0} == 1 ]] && network=()
  "${MYSQLD:?}" --defaults-file="${CONF_FILE:?}" --datadir="$datadir" --socket="$socket" \
    --pid-file="$socket.pid" "${network[@]}" "$@" &
  SETUP_SERVER_PID=$!
}

# stop_setup_server: a clean InnoDB shutdown (SIGTERM), then reap it
stop_setup_server() {
  [[ -n ${SETUP_SERVER_PID:-} ]] || return 0
  kill -TERM "$SETUP_SERVER_PID" 2>/dev/null || true
  wait "$SETUP_SERVER_PID" || true
  SETUP_SERVER_PID=
}

# kill_setup_server: SIGKILL, then reap it. Only for a throw-away server none of whose files are
# kept (the CLONE recipient's clone-scratch: the copy it made lies in another directory, which
# clone-mysql.sh syncs before renaming it into place); saves the clean shutdown's flush
kill_setup_server() {
  [[ -n ${SETUP_SERVER_PID:-} ]] || return 0
  kill -KILL "$SETUP_SERVER_PID" 2>/dev/null || true
  wait "$SETUP_SERVER_PID" 2>/dev/null || true
  SETUP_SERVER_PID=
}

# sha256_of VALUE: hex digest, compared instead of the secret itself
sha256_of() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# progress_monitor DIR TOTAL_FUNCTION: logs every PROGRESS_INTERVAL_SECONDS (2) how far a copy into DIR
# has come (bytes, percent of what TOTAL_FUNCTION prints, rate), so a long clone is seen advancing;
# and, when the caller stops it (stop_progress_monitor) once the copy ended, one last line with the
# whole copy's size, time and average rate, so even a copy shorter than the interval is reported.
progress_monitor() {
  local dir=$1 total_of=$2 every=${PROGRESS_INTERVAL_SECONDS:-2} started last=0 last_at now sleeper='' bytes seen
  started=$(now_us)
  last_at=$started
  # what DIR held before (an empty directory's own size): not progress
  seen=$(du -sb "$dir" 2>/dev/null | cut -f1) || seen=0
  [[ $seen =~ ^[0-9]+$ ]] || seen=0
  trap 'kill "$sleeper" 2>/dev/null; copy_progress "$dir" "$total_of" 0 "$started" "the whole copy, $(seconds_since "$started") s" >/dev/null; exit 0' TERM
  while :; do
    # a background sleep and wait: TERM interrupts the wait at once (a foreground sleep would delay it)
    sleep "$every" &
    sleeper=$!
    wait "$sleeper" || true
    now=$(now_us)
    bytes=$(copy_progress "$dir" "$total_of" "$last" "$last_at" "")
    # only bytes that arrived count as progress: a stalled copy stops beating
    if ((bytes > seen)); then heartbeat; seen=$bytes; fi
    last=$bytes last_at=$now
  done
}

# copy_fits BYTES DIR [WRITTEN]: a copy of about BYTES (+10%) fits in DIR's volume, WRITTEN bytes
# of it being there already; otherwise logs the refusal with the figures and fails (the stream
# copy and the CLONE copy alike: a copy never fills the volume)
copy_fits() {
  local need=$(($1 + $1 / 10)) written=${3:-0} free
  free=$(df -B1 --output=avail "$2" 2>/dev/null | tail -n1 | tr -d ' ') || free=''
  if ! [[ $free =~ ^[0-9]+$ ]]; then
    log "REFUSED: the free space of the volume could not be read"
    return 1
  elif ((need - written > free)); then
    log "REFUSED: the copy needs about $((need / 1000000)) MB, the volume has $(((free + written) / 1000000)) MB free: free set-aside copies or grow the volume"
    return 1
  fi
}

# new_domain_id: a random MariaDB replication domain id in 1..2^31-1 (pod 0 draws one per start)
new_domain_id() {
  local n
  n=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ') && [[ $n =~ ^[0-9]+$ ]] || return 1
  printf '%d\n' "$((n % 2147483647 + 1))"
}

# heartbeat: a copy (or a wait for one) is still moving: probe-alive.sh counts a starting pod as
# alive while this is fresh, so liveness follows a copy's progress, not a fixed budget
heartbeat() { date +%s >"${RUN_DIR:?}/copy-heartbeat.tmp" && mv -f "$RUN_DIR/copy-heartbeat.tmp" "$RUN_DIR/copy-heartbeat"; }

# seconds_since START_US: the time since START_US (now_us), in seconds with one decimal
seconds_since() {
  local tenths=$((($(now_us) - $1) / 100000))
  printf '%d.%d' "$((tenths / 10))" "$((tenths % 10))"
}

# stop_progress_monitor PID: stops a progress_monitor and waits for its last line
stop_progress_monitor() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# copy_progress DIR TOTAL_FUNCTION SINCE_BYTES SINCE_US NOTE: logs the bytes in DIR, the percent of
# TOTAL_FUNCTION's estimate and the rate since (SINCE_BYTES, SINCE_US); prints the bytes
copy_progress() {
  local bytes total percent elapsed
  bytes=$(du -sb "$1" 2>/dev/null | cut -f1) || bytes=0
  [[ $bytes =~ ^[0-9]+$ ]] || bytes=0
  total=$("$2" 2>/dev/null) || total=''
  percent=''
  [[ $total =~ ^[0-9]+$ ]] && ((total > 0)) && percent=$(printf ', %d%% of %d MB' "$((bytes * 100 / total))" "$((total / 1000000))")
  elapsed=$(($(now_us) - $4))
  ((elapsed > 0)) || elapsed=1
  # bytes per microsecond are MB/s
  log "copied $((bytes / 1000000)) MB$percent, $(((bytes - $3) / elapsed)) MB/s${5:+ ($5)}"
  echo "$bytes"
}

# set_aside REASON: renames the data directory aside, never deletes it: DATA_ROOT/set-aside/<time>-<pod>
# with a .txt beside it saying why. Freeing the space is the operator's decision (README).
set_aside() {
  local when dest
  when=$(date -u +%Y%m%dT%H%M%SZ)
  dest="${DATA_ROOT:?}/set-aside/$when-${POD_NAME:?}"
  mkdir -p "$DATA_ROOT/set-aside"
  mv "${DATADIR:?}" "$dest"
  printf 'set aside %s by %s\nreason: %s\nkeep it, inspect it (start a server on a copy), or delete it to free the space\n' \
    "$when" "$POD_NAME" "$1" >"$dest.txt"
  # its identity, origin and transactions ("?" when they were not recorded): it still counts (rule 9)
  if [[ -s $DATA_ROOT/$SET_ASIDE_FACTS ]]; then
    mv -f "$DATA_ROOT/$SET_ASIDE_FACTS" "$dest.facts"
  else
    printf '?\t?\t?\n' >"$dest.facts"
  fi
  # a halt or an unheard peer belonged to the copy just set aside
  rm -f "$DATA_ROOT/$HALTED_MARKER" "$DATA_ROOT/$UNHEARD_MARKER"
  sync
  log "SET ASIDE the data directory as $dest: $1"
}
