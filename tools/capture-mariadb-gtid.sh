#!/usr/bin/env bash
# Captures real MariaDB gtid_* outputs for tests/unit/gtidMariadb.test.ts: throw-away servers on
# 127.0.0.1 play scripted histories (tools/mariadb-gtid-scenarios.sh), and every value the
# decisions may read is written verbatim (read as HEX, decoded) to
# OUT_DIR/<version>/<scenario>.json, beside the SQL that produced it and what that history
# established (expect entries). Run as root (servers run as root in a temp dir); about 3 minutes.
#
# Env:
#   MARIADB_ROOTS      space-separated roots holding /usr/sbin/mariadbd: "/" is this host (10.11);
#                      default "/ $MARIADB_11_8_ROOTFS" (the e2e suite's Debian trixie root, 11.8,
#                      tests/e2e/images.ts), the latter only when it exists
#   OUT_DIR            default tests/fixtures/mariadb-gtid
#   CAPTURE_PORT_BASE  servers listen on 127.0.0.1 ports BASE+1.. (default 33900; keep 33900-33999)
#   CAPTURE_SCENARIOS  default: every scenario in tools/mariadb-gtid-scenarios.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
trixie=${MARIADB_11_8_ROOTFS:-/var/cache/mysql-cluster-e2e/mariadb-trixie-root}
default_roots=/
[[ ! -x $trixie/usr/sbin/mariadbd ]] || default_roots+=" $trixie"
roots=${MARIADB_ROOTS:-$default_roots}
out_dir=${OUT_DIR:-$(dirname "$here")/tests/fixtures/mariadb-gtid}
port_base=${CAPTURE_PORT_BASE:-33900}
# shellcheck source=tools/mariadb-gtid-scenarios.sh
source "$here/mariadb-gtid-scenarios.sh"
scenarios=${CAPTURE_SCENARIOS:-${ALL_SCENARIOS[*]}}

log() { printf 'capture-mariadb-gtid: %s\n' "$*" >&2; }

# state of the current root and scenario
root='' work='' template='' version=''
declare -A pids=() ports=() ids=()
history=()

# inside PATH: a host path under the current root as the server sees it (chroot)
inside() { printf '%s\n' "/${1#"$root"}" | sed 's#^//*#/#'; }
in_root() { if [[ $root == / ]]; then "$@"; else chroot "$root" "$@"; fi; }

# start SERVER SERVER_ID: a fresh server from the template datadir, with the component's settings
start() {
  local name=$1 dir=$work/$1
  ids[$name]=$2 ports[$name]=$((port_base + ${#ports[@]} + 1))
  cp -a "$template" "$dir"
  local server=(mariadbd)
  [[ $root == / ]] || server=(chroot "$root" mariadbd)
  # started directly, not through a function: $! must be the server's pid (chroot execs it)
  "${server[@]}" --no-defaults --user=root --datadir="$(inside "$dir")" --socket="$(inside "$work")/$name.sock" \
    --bind-address=127.0.0.1 --port="${ports[$name]}" --server-id="$2" --log-bin=binlog --relay-log=relay \
    --binlog-format=ROW --log-slave-updates=ON --gtid-strict-mode=ON --skip-slave-start=ON \
    --slave-net-timeout=10 --skip-name-resolve --innodb-buffer-pool-size=32M \
    --log-error="$(inside "$work")/$name.err" --pid-file="$(inside "$work")/$name.pid" &
  pids[$name]=$!
  local tries=0
  until client "$name" -e 'SELECT 1' >/dev/null 2>&1; do
    ((++tries < 300)) || { log "$name did not start:"; tail -n 20 "$work/$name.err" >&2; return 1; }
    sleep 0.1
  done
  # not part of the history: unlogged, so it adds no transaction; every server has every table,
  # so each write below is exactly one transaction and applies anywhere
  local tables='' server
  for server in A B C; do tables+=" CREATE TABLE capture.t_$server (n INT PRIMARY KEY AUTO_INCREMENT, note VARCHAR(40)) ENGINE=InnoDB;"; done
  client "$name" -e "SET sql_log_bin = 0; CREATE USER repl@'127.0.0.1' IDENTIFIED BY 'repl';
    GRANT REPLICATION SLAVE ON *.* TO repl@'127.0.0.1'; CREATE DATABASE capture;$tables"
}

stop() {
  client "$1" -e 'SHUTDOWN' >/dev/null 2>&1 || kill "${pids[$1]}" 2>/dev/null || true
  wait "${pids[$1]}" 2>/dev/null || true
  unset "pids[$1]"
}

# replicas first let go of their sources: a primary waits for its dump threads at shutdown
stop_all() {
  local name
  for name in "${!pids[@]}"; do client "$name" -e 'STOP ALL SLAVES' >/dev/null 2>&1 || true; done
  for name in "${!pids[@]}"; do stop "$name"; done
}

cleanup() {
  local name
  for name in "${!pids[@]}"; do kill "${pids[$name]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -z $work ]] || rm -rf "$work"
}
trap cleanup EXIT

client() { local name=$1; shift; mariadb --no-defaults -uroot --socket="$work/$name.sock" "$@"; }

# sql SERVER STATEMENTS: runs and records them with their result rows (tab-separated), left in
# $result (not printed: the history must not be recorded in a subshell)
result=''
sql() {
  result=$(client "$1" -N -B -e "$2") || { log "failed on $1: $2"; return 1; }
  history+=("$(jq -n --arg on "$1" --arg sql "$2" --arg result "$result" '{on: $on, sql: $sql, result: $result}')")
}

# sql_error SERVER STATEMENTS: statements that must fail; records the server's error
sql_error() {
  local error
  if error=$(client "$1" -N -B -e "$2" 2>&1); then log "expected an error on $1: $2"; return 1; fi
  history+=("$(jq -n --arg on "$1" --arg sql "$2" --arg error "$error" '{on: $on, sql: $sql, error: $error}')")
}

# sql_try SERVER STATEMENTS: records the result or the server's error; status 1 on an error
sql_try() {
  local error
  if result=$(client "$1" -N -B -e "$2" 2>"$work/error"); then
    history+=("$(jq -n --arg on "$1" --arg sql "$2" --arg result "$result" '{on: $on, sql: $sql, result: $result}')")
    return 0
  fi
  error=$(<"$work/error")
  history+=("$(jq -n --arg on "$1" --arg sql "$2" --arg error "$error" '{on: $on, sql: $sql, error: $error}')")
  return 1
}

# capture SERVER LABEL: every gtid value, byte for byte; Gtid_IO_Pos from SHOW SLAVE STATUS's
# vertical text (absent when the server is not a replica)
capture() {
  local name=$1 label=$2 row field i=0 io
  local fields=(gtid_binlog_state gtid_binlog_pos gtid_current_pos gtid_slave_pos facts)
  # "|" between the columns: a tab is IFS whitespace, and read would merge empty values
  row=$(client "$name" -N -B -e "SELECT CONCAT_WS('|', HEX(@@GLOBAL.gtid_binlog_state), HEX(@@GLOBAL.gtid_binlog_pos),
    HEX(@@GLOBAL.gtid_current_pos), HEX(@@GLOBAL.gtid_slave_pos),
    HEX(CONCAT_WS(',', NULLIF(@@GLOBAL.gtid_binlog_state, ''), NULLIF(@@GLOBAL.gtid_slave_pos, ''))))")
  local args=() hexes=()
  IFS='|' read -r -a hexes <<<"$row"
  for field in "${fields[@]}"; do
    xxd -r -p <<<"${hexes[i]:-}" >"$work/$field.value"
    args+=(--rawfile "$field" "$work/$field.value")
    i=$((i + 1))
  done
  io=$(client "$name" -E -e 'SHOW SLAVE STATUS' | sed -n 's/^ *Gtid_IO_Pos: //p')
  history+=("$(jq -n --arg on "$name" --arg capture "$label" --argjson server_id "${ids[$name]}" --arg io "$io" "${args[@]}" \
    '{on: $on, capture: $capture, server_id: $server_id, values: ({gtid_binlog_state: $gtid_binlog_state,
      gtid_binlog_pos: $gtid_binlog_pos, gtid_current_pos: $gtid_current_pos, gtid_slave_pos: $gtid_slave_pos,
      facts: $facts} + (if $io == "" then {} else {Gtid_IO_Pos: $io} end))}')")
}

# expect RELATION A_CAPTURE B_CAPTURE WHY: what the history established between two captures
# ("SERVER@LABEL"): same (same transactions), behind (A lacks some of B's, has none B lacks),
# diverged (each has transactions the other lacks), same-text-diverged (different transactions
# under the same GTIDs: no comparison of the text can tell)
expect() {
  history+=("$(jq -n --arg r "$1" --arg a "$2" --arg b "$3" --arg why "$4" '{expect: $r, a: $a, b: $b, why: $why}')")
}

# replicate REPLICA SOURCE: GTID replication from SOURCE's port, as the component sets it up
replicate() {
  sql "$1" "CHANGE MASTER TO master_host = '127.0.0.1', master_port = ${ports[$2]}, master_user = 'repl', master_password = 'repl', master_use_gtid = slave_pos; START SLAVE;"
}

# catch_up REPLICA SOURCE: waits (and records the wait) until REPLICA applied SOURCE's binlog position
catch_up() {
  local pos
  pos=$(client "$2" -N -B -e 'SELECT @@GLOBAL.gtid_binlog_pos')
  sql "$1" "SELECT MASTER_GTID_WAIT('$pos', 30);"
  [[ $result == 0 ]] || { log "$1 did not reach $2's $pos"; return 1; }
}

# writes SERVER N: N transactions, one row each, in SERVER's own table
writes() {
  local statements='' i
  for ((i = 0; i < $2; i++)); do statements+="INSERT INTO capture.t_$1 (note) VALUES ('$1'); "; done
  sql "$1" "${statements% }"
}

write_fixture() {
  local file=$out_dir/$version/$1.json
  mkdir -p "$out_dir/$version"
  printf '%s\n' "${history[@]}" | jq -s -S --arg version "$version" --arg scenario "$1" --arg about "$2" '{
    scenario: $scenario, about: $about, version: $version,
    varies: "version (the server build) and error texts; every GTID is fixed by the history (server ids and domains are set, each step waits for the last)",
    steps: .}' >"$file"
  log "wrote $file"
}

for root in $roots; do
  version=$(in_root mariadbd --version | sed -n 's/.*Ver \([0-9]*\.[0-9]*\.[0-9]*\).*/\1/p')
  work=$(mktemp -d "${root%/}/tmp/gtid-capture.XXXXXX")
  template=$work/template
  log "MariaDB $version in $root: template datadir"
  in_root mariadb-install-db --no-defaults --user=root --datadir="$(inside "$template")" --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve --force >"$work/install.log" 2>&1 ||
    { cat "$work/install.log" >&2; exit 1; }
  for scenario in $scenarios; do
    log "MariaDB $version: $scenario"
    history=() ports=() ids=()
    "scenario_${scenario//-/_}"
    stop_all
    rm -rf "${work:?}"/[A-Z]* "$work"/*.sock
  done
  rm -rf "$work"
  work=''
done
