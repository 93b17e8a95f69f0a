# shellcheck shell=bash
# What each member holds (cluster identity, transaction sets, copies set aside) and the one place
# that decides what a member may do with it: initialise, clone, re-seed, replicate, serve, or stop
# and say why. Sourced. The decide_* functions are pure (facts in, one verdict line out) and
# table-tested; every fact they read is checked first, and an unreadable one means wait (rule 8).
#
# A member's facts are one tab-separated line of 7 fields:
#   IDENTITY  the cluster identity created at the first initialisation and carried by every copy;
#             "EMPTY" from a pod that has no data yet
#   ORIGIN    the server's own transaction origin (MySQL server_uuid, MariaDB server_id)
#   EXECUTED  every transaction it applied; PURGED  those it no longer has binary logs for (MySQL)
#   READ_ONLY 1 until the member agent lets pod 0 take writes (every server starts read-only)
#   RETRIEVED what its replication receiver fetched, applied or not (rule 10); "?" when unreadable
#   ASIDE     the copies set aside on its volume (rule 9): "NAME|IDENTITY|ORIGIN|GTIDS" entries
#             joined by ";" ("?" fields for a copy whose facts were not recorded); "?" when unreadable

# shellcheck disable=SC2034 # read by the scripts that source this file
readonly EMPTY_IDENTITY=EMPTY
# shellcheck disable=SC2034 # read by the scripts that source this file
readonly UNKNOWN='?'
# the wait when two transaction sets cannot be compared (gtid.sh says why on stderr, in the log)
readonly NOT_COMPARED="the transaction sets could not be compared (a set does not parse, or MySQL's GTID_SUBTRACT failed or disagreed with gtid.sh: this container's log says which)"

# member_facts_sql: the one query that reads a member's facts, the same locally and from a peer,
# run in batch mode with column names (facts_query). Each part is marked, and the client stops at
# the first error, so a part that could not be read is absent from the answer, never empty. No
# backslash escape or double-quoted string: the server's sql_mode (NO_BACKSLASH_ESCAPES,
# ANSI_QUOTES) must not change what the text means.
member_facts_sql() {
  local identity="IFNULL((SELECT id FROM mysql_cluster.identity LIMIT 1), '')"
  printf 'SET SESSION group_concat_max_len = 16777216;\n'
  if [[ ${ENGINE:?} == mariadb ]]; then
    printf "SELECT 'F' AS part, %s, @@server_id, CONCAT_WS(',', NULLIF(@@GLOBAL.gtid_binlog_state, ''), NULLIF(@@GLOBAL.gtid_slave_pos, '')), '', @@GLOBAL.read_only;\n" "$identity"
  else
    printf "SELECT 'F' AS part, %s, @@server_uuid, REPLACE(@@GLOBAL.gtid_executed, CHAR(10 USING utf8mb4), ''), REPLACE(@@GLOBAL.gtid_purged, CHAR(10 USING utf8mb4), ''), @@GLOBAL.read_only;\n" "$identity"
  fi
  printf "SELECT 'A' AS part, IFNULL(GROUP_CONCAT(CONCAT(name, '|', id, '|', origin, '|', gtids) ORDER BY name SEPARATOR ';'), '') FROM mysql_cluster.set_aside;\n"
  replication_words
  printf "%s;\nSELECT 'E' AS part;\n" "$SHOW_REPLICA"
}

# facts_query CNF [client options]: member_facts_sql's answer: batch mode (tabs between columns, a
# newline inside a value written as \n), with column names, which find the replica status column
facts_query() {
  local cnf=$1
  shift
  member_facts_sql | client "$cnf" --batch --connect-timeout="${PEER_CONNECT_TIMEOUT_SECONDS:-5}" "$@"
}

# facts_of_answer: the facts line from facts_query's answer (stdin); status 1 without the main
# part. RETRIEVED and ASIDE are "?" when their part is missing (an older pod without the set_aside
# table or the privilege to read replication status).
facts_of_answer() {
  awk -F'\t' -v engine="${ENGINE:?}" '
    BEGIN { column = (engine == "mariadb") ? "Gtid_IO_Pos" : "Retrieved_Gtid_Set" }
    $1 == "part" { status_header = 0; next }
    $1 == "F" && NF == 6 && main == "" { main = $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6; next }
    $1 == "A" && NF == 2 { aside = $2; have_aside = 1; next }
    $0 == "E" { ended = 1; next }
    # SHOW REPLICA STATUS: a header with the column names, then one row when this is a replica
    !status_header && !status_seen {
      for (i = 1; i <= NF; i++) if ($i == column) { status_header = i; next }
    }
    status_header { retrieved = $status_header; status_seen = 1; status_header = 0; next }
    END {
      if (main == "") exit 1
      gsub(/\\n/, "", retrieved)
      gsub(/[[:space:]]/, "", retrieved)
      print main "\t" (ended ? retrieved : "?") "\t" (have_aside ? aside : "?")
    }'
}

# facts_problem FACTS: says what is wrong with a facts line (status 1), or nothing (status 0) when
# every field is well formed. RETRIEVED and ASIDE may be "?" (unknown): the decisions that need
# them check that themselves.
facts_problem() {
  local fields id origin ro
  fields=$(awk -F'\t' '{ print NF; exit }' <<<"$1")
  [[ $fields == 7 ]] || { printf 'its facts have %s fields, not 7\n' "${fields:-no}"; return 1; }
  id=$(fact 1 "$1") origin=$(fact 2 "$1") ro=$(fact 5 "$1")
  [[ $id =~ ^[A-Za-z0-9._:-]+$ ]] || { printf 'its cluster identity "%s" is missing or malformed\n' "$id"; return 1; }
  if [[ ${ENGINE:?} == mariadb ]]; then
    [[ $origin =~ ^[0-9]+$ ]] || { printf 'its server id "%s" is not a number\n' "$origin"; return 1; }
  else
    [[ ${#origin} == 36 && $origin =~ ^[0-9A-Fa-f-]+$ ]] || { printf 'its server uuid "%s" is malformed\n' "$origin"; return 1; }
  fi
  [[ $ro == 0 || $ro == 1 ]] || { printf 'its read_only "%s" is neither 0 nor 1\n' "$ro"; return 1; }
  gtid_normal "$(fact 3 "$1")" >/dev/null 2>&1 || { printf 'its executed transaction set does not parse: "%s"\n' "$(fact 3 "$1")"; return 1; }
  gtid_normal "$(fact 4 "$1")" >/dev/null 2>&1 || { printf 'its purged transaction set does not parse: "%s"\n' "$(fact 4 "$1")"; return 1; }
  [[ $(fact 6 "$1") == "$UNKNOWN" ]] || gtid_normal "$(fact 6 "$1")" >/dev/null 2>&1 ||
    { printf 'its retrieved transaction set does not parse: "%s"\n' "$(fact 6 "$1")"; return 1; }
  aside_problem "$(fact 7 "$1")"
}

# aside_problem ASIDE: what is wrong with an ASIDE field (status 1), or nothing
aside_problem() {
  local entry name id origin gtids
  [[ -n $1 && $1 != "$UNKNOWN" ]] || return 0
  while IFS= read -r entry; do
    IFS='|' read -r name id origin gtids <<<"$entry"
    [[ $entry == *'|'*'|'*'|'* && -n $name ]] || { printf 'a set-aside entry "%s" is malformed\n' "$entry"; return 1; }
    [[ $gtids == "$UNKNOWN" ]] || gtid_normal "$gtids" >/dev/null 2>&1 ||
      { printf 'the set-aside copy %s has a transaction set that does not parse\n' "$name"; return 1; }
  done < <(tr ';' '\n' <<<"$1")
}

# identity_sql ID: the identity table, written once at the first initialisation (not binlogged: every
# copy carries it in its data), and the set_aside table each member agent keeps for its own volume;
# the replication account may read them, so peers can compare
identity_sql() {
  printf 'CREATE DATABASE IF NOT EXISTS mysql_cluster;\n'
  printf 'CREATE TABLE IF NOT EXISTS mysql_cluster.identity (id VARCHAR(64) NOT NULL PRIMARY KEY, created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB;\n'
  set_aside_table_sql
  printf 'INSERT INTO mysql_cluster.identity (id) VALUES (%s);\n' "$(sql_string "$1")"
  printf 'GRANT SELECT ON mysql_cluster.* TO %s@%s;\n' "$(sql_string "${REPLICATION_USER:?}")" "'%'"
}

set_aside_table_sql() {
  printf 'CREATE TABLE IF NOT EXISTS mysql_cluster.set_aside (name VARCHAR(190) NOT NULL PRIMARY KEY, id VARCHAR(64) NOT NULL, origin VARCHAR(64) NOT NULL, gtids LONGTEXT NOT NULL) ENGINE=InnoDB;\n'
}

# aside_facts FACTS: the line recorded beside a copy set aside (IDENTITY ORIGIN TRANSACTIONS, the
# applied and retrieved ones), which aside_on_volume reads back
aside_facts() { printf '%s\t%s\t%s\n' "$(fact 1 "$1")" "$(fact 2 "$1")" "$(holds "$1")"; }

# aside_on_volume: the ASIDE field of this volume, from the facts recorded beside each copy
# set aside under DATA_ROOT/set-aside (lib.sh set_aside); "?" fields for a copy without them
aside_on_volume() {
  local dir="${DATA_ROOT:?}/set-aside" copy name line entries=()
  [[ -d $dir ]] || return 0
  for copy in "$dir"/*; do
    [[ -d $copy ]] || continue
    name=${copy##*/}
    line=''
    [[ ! -s $copy.facts ]] || line=$(head -n1 "$copy.facts")
    if [[ $line =~ ^([A-Za-z0-9._:-]+)$'\t'([0-9A-Za-z-]+)$'\t'([^|;]*)$ ]]; then
      entries+=("$name|${BASH_REMATCH[1]}|${BASH_REMATCH[2]}|${BASH_REMATCH[3]}")
    else
      entries+=("$name|$UNKNOWN|$UNKNOWN|$UNKNOWN")
    fi
  done
  (IFS=';'; printf '%s\n' "${entries[*]}")
}

# aside_rows_sql ASIDE: this volume's set-aside copies as the rows of mysql_cluster.set_aside
# (on this server only, never binary-logged; a copy cloned from a peer carries the peer's rows,
# which this replaces)
aside_rows_sql() {
  local entry name id origin gtids
  printf 'SET SESSION sql_log_bin = 0;\n'
  [[ ${ENGINE:?} != mysql ]] || printf 'SET @ro = @@GLOBAL.super_read_only;\nSET GLOBAL super_read_only = OFF;\n'
  printf 'CREATE DATABASE IF NOT EXISTS mysql_cluster;\n'
  set_aside_table_sql
  printf 'DELETE FROM mysql_cluster.set_aside;\n'
  while IFS= read -r entry; do
    [[ -n $entry ]] || continue
    IFS='|' read -r name id origin gtids <<<"$entry"
    printf 'INSERT INTO mysql_cluster.set_aside VALUES (%s, %s, %s, %s);\n' "$(sql_string "$name")" \
      "$(sql_string "$id")" "$(sql_string "$origin")" "$(sql_string "$gtids")"
  done < <(tr ';' '\n' <<<"$1")
  [[ $ENGINE != mysql ]] || printf 'SET GLOBAL super_read_only = @ro;\n'
}

# peer_client_cnf: the replication account's option file for asking peers (mode 600, in RUN_DIR),
# written from the Secret at each use (a rotated password applies at once)
peer_client_cnf() {
  local cnf="${RUN_DIR:?}/peer.cnf"
  write_client_cnf "$cnf" "${REPLICATION_USER:?}" "$(credential replication-password)" "${SOCKET:?}"
  printf '%s\n' "$cnf"
}

# peer_tls_options HOST: encrypt and verify the peer's certificate when TLS is on; without TLS,
# MySQL's caching_sha2_password needs the server's RSA key over plain TCP
peer_tls_options() {
  if [[ -n ${TLS_CA:-} && ${ENGINE:?} == mariadb ]]; then
    printf '%s\n' --ssl "--ssl-ca=$TLS_CA" --ssl-verify-server-cert
  elif [[ -n ${TLS_CA:-} ]]; then
    printf '%s\n' --ssl-mode=VERIFY_IDENTITY "--ssl-ca=$TLS_CA"
  elif [[ ${ENGINE:?} == mysql ]]; then
    printf '%s\n' --get-server-public-key
  else
    # MariaDB 11.x clients want SSL with a verified certificate by default, which a 10.11 server
    # without tls cannot offer: during a rolling upgrade 10.11 -> 11.x an upgraded pod could not
    # read pod 0's facts. Without tls, peer queries are plaintext on every version, as documented.
    printf '%s\n' --skip-ssl
  fi
}

# peer_facts ORDINAL: the facts of pod ORDINAL; status 1 when it does not answer, status 2 (and the
# problem on stderr) when its answer is not well formed: the caller must not read it as "no data"
peer_facts() {
  local answer facts problem
  answer=$(member_facts_sql | peer_client "$1" --batch 2>/dev/null) || [[ $answer == *$'\n'F$'\t'* ]] || return 1
  facts=$(facts_of_answer <<<"$answer") || { printf 'pod %s answered without its facts\n' "$1" >&2; return 2; }
  problem=$(facts_problem "$facts") || { printf 'pod %s: %s\n' "$1" "$problem" >&2; return 2; }
  printf '%s\n' "$facts"
}

# peer_sql ORDINAL: runs the SQL on stdin on pod ORDINAL as the replication account, printing the
# answer (no column names)
peer_sql() { peer_client "$1" --batch --skip-column-names; }

# peer_client ORDINAL [client options]: the client connected to pod ORDINAL as the replication
# account (its TLS options, PEER_CONNECT_TIMEOUT_SECONDS, 3 s by default)
peer_client() {
  local cnf tls host=$1
  shift
  cnf=$(peer_client_cnf)
  mapfile -t tls < <(peer_tls_options)
  client "$cnf" --connect-timeout="${PEER_CONNECT_TIMEOUT_SECONDS:-3}" -h "$(peer_host "$host")" -P "${MYSQL_PORT:?}" "${tls[@]}" "$@"
}

# peer_line ORDINAL: "ORDINAL<TAB>FACTS" for the decisions: FACTS "-" when the pod does not answer,
# "?" when its answer is not well formed (logged: an operator sees which pod and why)
peer_line() {
  local facts status=0
  facts=$(peer_facts "$1") || status=$?
  case $status in
    0) printf '%s\t%s\n' "$1" "$facts" ;;
    1) printf '%s\t-\n' "$1" ;;
    *) printf '%s\t%s\n' "$1" "$UNKNOWN" ;;
  esac
}

# peer_lines: peer_line of every other pod, 0 included when this is a replica; status 1 when the
# topology cannot be read (never "no peers")
peer_lines() {
  local count n self
  count=$(expected_members) || return 1
  self=$(pod_ordinal "${POD_NAME:?}")
  for ((n = 0; n < count; n++)); do
    ((n == self)) || peer_line "$n"
  done
}

# fact N FACTS: field N of a facts line (cut keeps empty fields; read with IFS=tab would not)
fact() { cut -f"$1" <<<"$2"; }

# local_facts CNF: this pod's own facts over the socket, with the set-aside copies of its volume as
# this agent sees them; status 2 (the problem on stderr) when they are not well formed
local_facts() {
  local answer facts problem
  answer=$(facts_query "$1") || [[ $answer == *$'\n'F$'\t'* ]] || return 1
  facts=$(facts_of_answer <<<"$answer") || { printf 'this server answered without its facts\n' >&2; return 2; }
  problem=$(facts_problem "$facts") || { printf 'this server: %s\n' "$problem" >&2; return 2; }
  printf '%s\n' "$facts"
}

# expected_members: how many pods the StatefulSet has now (the topology file follows scaling
# without restarting pods); status 1 and the reason on stderr when the file is unreadable
expected_members() {
  local n
  # (a $(<file) that fails ends the whole script under errexit, whatever follows it)
  if ! [[ -r ${TOPOLOGY_FILE:?} ]] || ! n=$(cat "$TOPOLOGY_FILE" 2>/dev/null); then
    printf 'cannot read the topology file %s\n' "$TOPOLOGY_FILE" >&2
    return 1
  fi
  [[ $n =~ ^[1-9][0-9]{0,3}$ ]] || { printf 'the topology file %s holds "%s", not a replica count\n' "$TOPOLOGY_FILE" "$n" >&2; return 1; }
  printf '%d\n' "$n"
}

# has_data FACTS: a member with data of some cluster (not an empty pod)
has_data() {
  local id
  id=$(fact 1 "$1")
  [[ -n $id && $id != "$EMPTY_IDENTITY" ]]
}

# holds FACTS: every transaction a live copy has, applied or only retrieved (rule 10)
holds() {
  local retrieved
  retrieved=$(fact 6 "$1")
  [[ $retrieved != "$UNKNOWN" ]] || retrieved=''
  printf '%s\n' "$(fact 3 "$1")${retrieved:+,$retrieved}"
}

# unapplied FACTS: what a live copy retrieved and has not applied yet, readable (empty when none)
unapplied() {
  local rest
  rest=$(gtid_subtract "$(fact 6 "$1")" "$(fact 3 "$1")") || return 1
  [[ -z $rest ]] || gtid_text <<<"$rest"
}

# extra_of A_ORIGIN A_SET B_SET foreign|own: A's transactions missing from B, by where they came
# from: "own" ones A committed itself (errant on a replica), "foreign" ones mean B is behind A.
# Status 1 when a set does not parse: the caller must not read that as "nothing missing".
extra_of() {
  local rest origin lo hi kind
  rest=$(gtid_subtract "$2" "$3") || return 1
  while read -r origin lo hi; do
    [[ -n $origin ]] || continue
    kind=foreign
    if origin_is_server "$origin" "$1"; then kind=own; fi
    [[ $kind != "$4" ]] || printf '%s %s %s\n' "$origin" "$lo" "$hi"
  done <<<"$rest"
}

# foreign_extra A_FACTS B_FACTS: what live copy A holds (applied or retrieved) and B lacks, apart
# from A's own errant transactions: B is behind A
foreign_extra() { extra_of "$(fact 2 "$1")" "$(holds "$1")" "$(holds "$2")" foreign; }

# own_extra A_FACTS B_FACTS: what A committed itself and B lacks (errant on a replica)
own_extra() { extra_of "$(fact 2 "$1")" "$(holds "$1")" "$(holds "$2")" own; }

# aside_copies FACTS_LINES: "WHERE<TAB>IDENTITY<TAB>ORIGIN<TAB>GTIDS" for every copy set aside on the
# members of FACTS_LINES ("ORDINAL<TAB>FACTS"), WHERE being "pod N's set-aside copy NAME"
aside_copies() {
  local line ordinal facts entry name id origin gtids
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    ordinal=${line%%$'\t'*} facts=${line#*$'\t'}
    while IFS= read -r entry; do
      [[ -n $entry ]] || continue
      IFS='|' read -r name id origin gtids <<<"$entry"
      printf "pod %s's set-aside copy %s\t%s\t%s\t%s\n" "$ordinal" "$name" "$id" "$origin" "$gtids"
    done < <(tr ';' '\n' <<<"$(fact 7 "$facts")")
  done <<<"$1"
}

# unknown_parts LINES: the members ("ORDINAL<TAB>FACTS") whose retrieved set or set-aside copies
# could not be read, or hold a copy set aside without recorded facts: " pod N (what)" each
unknown_parts() {
  local line ordinal facts
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    ordinal=${line%%$'\t'*} facts=${line#*$'\t'}
    [[ $(fact 6 "$facts") != "$UNKNOWN" ]] || printf ' pod %s (its retrieved transactions)' "$ordinal"
    [[ $(fact 7 "$facts") != "$UNKNOWN" ]] || printf ' pod %s (its set-aside copies)' "$ordinal"
    [[ $(fact 7 "$facts") != *"|$UNKNOWN|"* ]] || printf ' pod %s (a set-aside copy without recorded facts)' "$ordinal"
  done <<<"$1"
}

# decide_seed LOCAL_ASIDE PEERS: for an empty pod 0. LOCAL_ASIDE is the ASIDE field of pod 0's own
# volume; PEERS holds "ORDINAL<TAB>FACTS" lines, FACTS "-" when the pod did not answer and "?"
# when its answer was not well formed. Every copy counts, set aside or not (rule 9); what a peer
# retrieved counts as well as what it applied (rule 10); an errant peer is never the source.
# Verdicts: init | wait REASON | reseed ORDINAL REASON | halt REASON
decide_seed() {
  local line ordinal facts missing=() garbled=() data=() unknown identities id best='' candidate other
  local copies='' copy where cid corigin cgtids rest errant pending all
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    ordinal=${line%%$'\t'*} facts=${line#*$'\t'}
    if [[ $facts == - ]]; then missing+=("$ordinal")
    elif [[ $facts == "$UNKNOWN" ]] || ! facts_problem "$facts" >/dev/null; then garbled+=("$ordinal")
    elif has_data "$facts"; then data+=("$line")
    fi
  done <<<"$2"
  if ((${#missing[@]} > 0)); then
    printf 'wait pods %s have not answered: an empty pod 0 never starts a new cluster while a peer may hold its data\n' "${missing[*]}"
    return 0
  fi
  if ((${#garbled[@]} > 0)); then
    printf 'wait pods %s answered facts that do not parse: an empty pod 0 decides only on facts it can read\n' "${garbled[*]}"
    return 0
  fi
  aside_problem "$1" >/dev/null || { printf 'wait the set-aside copies on this volume have malformed facts\n'; return 0; }
  all=$(printf '%s\n' "$2"; printf '0\t%s\t%s\t\t\t0\t\t%s\n' "$EMPTY_IDENTITY" 0 "$1")
  unknown=$(unknown_parts "$(grep -v $'\t-$' <<<"$all")")
  if [[ -n $unknown ]]; then
    printf 'wait these facts could not be read:%s; an empty pod 0 decides only when every copy is known\n' "$unknown"
    return 0
  fi
  copies=$(aside_copies "$all")
  identities=$( { for line in "${data[@]}"; do fact 2 "$line"; done; } | sort -u)
  if [[ -z $identities ]]; then
    if [[ -z $copies ]]; then
      printf 'init every pod is empty: a new cluster\n'
      return 0
    fi
    printf 'halt no pod serves data, but copies are set aside (%s): pod 0 never starts a new cluster while one exists; restore one or free them (docs/operations.md)\n' \
      "$(cut -f1 <<<"$copies" | paste -sd, - | sed 's/,/, /g')"
    return 0
  fi
  if [[ $identities == *$'\n'* ]]; then
    printf 'halt peers hold data of different clusters (%s): an operator must choose\n' "${identities//$'\n'/, }"
    return 0
  fi
  id=$identities
  # the most advanced: a live peer that holds every other copy's transactions (live or set aside,
  # of this cluster), apart from each copy's own errant ones; an errant peer is never the source
  local errant_best=''
  for candidate in "${data[@]}"; do
    best=${candidate%%$'\t'*} facts=${candidate#*$'\t'}
    for other in "${data[@]}"; do
      rest=$(foreign_extra "${other#*$'\t'}" "$facts") || { printf 'wait %s\n' "$NOT_COMPARED"; return 0; }
      [[ -z $rest ]] || { best=''; break; }
    done
    if [[ -n $best ]]; then
      while IFS=$'\t' read -r where cid corigin cgtids; do
        [[ -n $where && $cid == "$id" ]] || continue
        rest=$(extra_of "$corigin" "$cgtids" "$(holds "$facts")" foreign) || { printf 'wait %s\n' "$NOT_COMPARED"; return 0; }
        [[ -z $rest ]] || { best=''; copy=$where; break; }
      done <<<"$copies"
    fi
    if [[ -n $best ]]; then
      errant=$(extra_of "$(fact 2 "$facts")" "$(holds "$facts")" "" own) || { printf 'wait %s\n' "$NOT_COMPARED"; return 0; }
      [[ -z $errant ]] && break
      errant_best="pod $best ($(gtid_text <<<"$errant"))"
      best=''
    fi
  done
  if [[ -z $best ]]; then
    if [[ -n $errant_best ]]; then
      printf 'halt the only copies that hold every transaction of this cluster have errant transactions of their own: %s; such a copy is never a source: an operator must choose\n' "$errant_best"
    elif [[ -n ${copy:-} ]]; then
      printf 'halt %s holds transactions of this cluster that no live copy has: an operator must restore it or free it (docs/operations.md)\n' "$copy"
    else
      printf 'halt the peers have diverged (no peer holds every other peer'"'"'s transactions): an operator must choose\n'
    fi
    return 0
  fi
  pending=$(unapplied "$facts") || { printf 'wait %s\n' "$NOT_COMPARED"; return 0; }
  if [[ -n $pending ]]; then
    printf 'wait pod %s holds the most advanced data but has not applied all it retrieved (%s): it is copied once it has\n' "$best" "$pending"
    return 0
  fi
  printf 'reseed %s it holds the most advanced data of this cluster\n' "$best"
}

# decide_primary LOCAL PEERS: pod 0 with data, before it takes writes. PEERS as for decide_seed
# (those that answered; the agent decides how long to wait for the others).
# Verdicts: promote | set-aside REASON | halt REASON | wait REASON
decide_primary() {
  local local_facts=$1 line ordinal facts local_id id ahead='' others='' same=0 bad='' problem
  local unknown copies where cid corigin cgtids rest pending
  problem=$(facts_problem "$local_facts") || { printf 'wait this server: %s\n' "$problem"; return 0; }
  local_id=$(fact 1 "$local_facts")
  [[ $local_id != "$EMPTY_IDENTITY" ]] || { printf 'halt this data directory has no cluster identity: it was not made by this component\n'; return 0; }
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    ordinal=${line%%$'\t'*} facts=${line#*$'\t'}
    [[ $facts != - ]] || continue
    if [[ $facts == "$UNKNOWN" ]] || ! facts_problem "$facts" >/dev/null; then bad+=" $ordinal"; continue; fi
    has_data "$facts" || continue
    id=$(fact 1 "$facts")
    if [[ $id != "$local_id" ]]; then others+=" $ordinal"; continue; fi
    same=$((same + 1))
    rest=$(foreign_extra "$facts" "$local_facts") || { printf 'wait %s\n' "$NOT_COMPARED"; return 0; }
    [[ -z $rest ]] || ahead+=" $ordinal"
  done <<<"$2"
  [[ -z $bad ]] || { printf 'wait pods%s answered facts that do not parse\n' "$bad"; return 0; }
  unknown=$(unknown_parts "$(printf '0\t%s\n%s\n' "$local_facts" "$2" | grep -v $'\t-$')")
  [[ -z $unknown ]] || { printf 'wait these facts could not be read:%s\n' "$unknown"; return 0; }
  if [[ -n $others && $same == 0 ]]; then
    printf 'halt this volume belongs to cluster %s but pods%s hold another cluster: an operator must choose\n' "$local_id" "$others"
    return 0
  fi
  if [[ -n $ahead ]]; then
    printf 'set-aside pods%s hold transactions of this cluster that this copy lacks (an older copy): re-seeding from the most advanced\n' "$ahead"
    return 0
  fi
  copies=$(aside_copies "$(printf '0\t%s\n%s\n' "$local_facts" "$2" | grep -v $'\t-$')")
  while IFS=$'\t' read -r where cid corigin cgtids; do
    [[ -n $where && $cid == "$local_id" ]] || continue
    rest=$(extra_of "$corigin" "$cgtids" "$(holds "$local_facts")" foreign) || { printf 'wait %s\n' "$NOT_COMPARED"; return 0; }
    if [[ -n $rest ]]; then
      printf 'halt %s holds transactions of this cluster that this copy lacks (%s): an operator must restore it or free it (docs/operations.md)\n' "$where" "$(gtid_text <<<"$rest")"
      return 0
    fi
  done <<<"$copies"
  pending=$(unapplied "$local_facts") || { printf 'wait %s\n' "$NOT_COMPARED"; return 0; }
  [[ -z $pending ]] || { printf 'wait this copy has not applied all it retrieved (%s)\n' "$pending"; return 0; }
  printf 'promote\n'
}

# decide_replica LOCAL SOURCE IO_ERRNO [IO_ERROR]: a replica facing pod 0. Re-cloning is the narrow
# remedy of rule 6: the source lacks binary logs this replica needs (MySQL: its purged set;
# MariaDB: its own error saying so), never a blanket error number.
# Verdicts: replicate | halt REASON | reclone REASON | wait REASON
decide_replica() {
  local local_facts=$1 source_facts=$2 errno=$3 io_error=${4:-} local_id source_id extra errant problem needed
  problem=$(facts_problem "$local_facts") || { printf 'wait this server: %s\n' "$problem"; return 0; }
  [[ $source_facts != "$UNKNOWN" ]] || { printf 'wait pod 0 answered facts that do not parse\n'; return 0; }
  problem=$(facts_problem "$source_facts") || { printf 'wait pod 0: %s\n' "$problem"; return 0; }
  [[ $errno =~ ^[0-9]+$ ]] || { printf 'wait the replication error number "%s" is not a number\n' "$errno"; return 0; }
  [[ $(fact 6 "$local_facts") != "$UNKNOWN" ]] || { printf 'wait this replica'"'"'s retrieved transactions could not be read\n'; return 0; }
  local_id=$(fact 1 "$local_facts") source_id=$(fact 1 "$source_facts")
  has_data "$source_facts" || { printf 'wait pod 0 has no data yet (it is being seeded)\n'; return 0; }
  if [[ $source_id != "$local_id" ]]; then
    printf 'halt the source belongs to cluster %s, this copy to %s\n' "$source_id" "$local_id"
    return 0
  fi
  extra=$(foreign_extra "$local_facts" "$source_facts") || { printf 'wait %s\n' "$NOT_COMPARED"; return 0; }
  errant=$(own_extra "$local_facts" "$source_facts") || { printf 'wait %s\n' "$NOT_COMPARED"; return 0; }
  if [[ -n $errant ]]; then
    printf 'halt errant transactions on this replica, not on the source: %s\n' "$(gtid_text <<<"$errant")"
    return 0
  elif [[ -n $extra ]]; then
    printf 'halt the source is behind this replica (lacks %s): pod 0 re-seeds itself from the most advanced peer\n' "$(gtid_text <<<"$extra")"
    return 0
  fi
  # MySQL: what the source purged and this replica has not got
  needed=$(gtid_subtract "$(fact 4 "$source_facts")" "$(holds "$local_facts")") || { printf 'wait %s\n' "$NOT_COMPARED"; return 0; }
  # MariaDB reports no purged set: its own 1236 error says which case it is
  if [[ -z $needed && ${ENGINE:?} == mariadb && $errno == 1236 ]]; then
    case $io_error in
      *"binlog files have been purged"*) needed=purged ;;
      *diverged*) printf 'halt pod 0 refuses this replica as diverged: error %s: %s\n' "$errno" "${io_error:0:300}"; return 0 ;;
    esac
  fi
  if [[ -n $needed ]]; then
    # a pod 0 still settling (re-seeded, not yet taking writes) has no binary log to judge by yet
    if [[ $(fact 5 "$source_facts") == 1 ]]; then
      printf 'wait pod 0 is not taking writes yet; it lacks binary logs this replica needs\n'
    else
      printf 'reclone the source purged binary logs this replica still needs\n'
    fi
    return 0
  fi
  printf 'replicate\n'
}
