# shellcheck shell=bash
# What each member holds (cluster identity, transaction set) and the one place that decides what
# a member may do with it: initialise, clone, re-seed, replicate, serve, or stop and say why.
# Sourced. The decide_* functions are pure (facts in, one verdict line out) and table-tested.
#
# A member's facts are one tab-separated line: IDENTITY ORIGIN GTIDS PURGED READ_ONLY
#   IDENTITY  the cluster identity created at the first initialisation and carried by every copy;
#             "EMPTY" from a pod that has no data yet; "" from a server the component did not make
#   ORIGIN    the server's own transaction origin (MySQL server_uuid, MariaDB server_id)
#   GTIDS     every transaction it holds; PURGED  those it no longer has binary logs for (MySQL)
#   READ_ONLY 1 until the member agent lets pod 0 take writes (every server starts read-only)

# shellcheck disable=SC2034 # read by the scripts that source this file
readonly EMPTY_IDENTITY=EMPTY

# member_facts_sql: the one query that reads a member's facts, the same locally and from a peer
member_facts_sql() {
  local identity="IFNULL((SELECT id FROM mysql_cluster.identity LIMIT 1), '')"
  if [[ ${ENGINE:?} == mariadb ]]; then
    printf "SELECT %s, @@server_id, CONCAT_WS(',', NULLIF(@@GLOBAL.gtid_binlog_state, ''), NULLIF(@@GLOBAL.gtid_slave_pos, '')), '', @@GLOBAL.read_only;\n" "$identity"
  else
    printf "SELECT %s, @@server_uuid, REPLACE(@@GLOBAL.gtid_executed, '\\\\n', ''), REPLACE(@@GLOBAL.gtid_purged, '\\\\n', ''), @@GLOBAL.read_only;\n" "$identity"
  fi
}

# identity_sql ID: the identity table, written once at the first initialisation (not binlogged: every
# copy carries it in its data); the replication account may read it, so peers can compare
identity_sql() {
  printf 'CREATE DATABASE IF NOT EXISTS mysql_cluster;\n'
  printf 'CREATE TABLE IF NOT EXISTS mysql_cluster.identity (id VARCHAR(64) NOT NULL PRIMARY KEY, created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB;\n'
  printf 'INSERT INTO mysql_cluster.identity (id) VALUES (%s);\n' "$(sql_string "$1")"
  printf 'GRANT SELECT ON mysql_cluster.* TO %s@%s;\n' "$(sql_string "${REPLICATION_USER:?}")" "'%'"
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

# peer_facts ORDINAL: the facts of pod ORDINAL, or status 1 when it does not answer
peer_facts() {
  local host cnf tls
  host=$(peer_host "$1")
  cnf=$(peer_client_cnf)
  mapfile -t tls < <(peer_tls_options)
  member_facts_sql | "${MYSQL_CLIENT:?}" --defaults-file="$cnf" --batch --skip-column-names \
    --connect-timeout="${PEER_CONNECT_TIMEOUT_SECONDS:-3}" -h "$host" -P "${MYSQL_PORT:?}" "${tls[@]}" 2>/dev/null
}

# fact N FACTS: field N of a facts line (cut keeps empty fields; read with IFS=tab would not)
fact() { cut -f"$1" <<<"$2"; }

# local_facts CNF: this pod's own facts over the socket
local_facts() { member_facts_sql | sql "$1"; }

# expected_members: how many pods the StatefulSet has now (the topology file follows scaling
# without restarting pods)
expected_members() {
  local n
  n=$(<"${TOPOLOGY_FILE:?}") || die "cannot read $TOPOLOGY_FILE"
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "$TOPOLOGY_FILE holds '$n', not a replica count"
  printf '%d\n' "$n"
}

# has_data FACTS: a member with data of some cluster (not an empty pod, not a foreign server)
has_data() {
  local id
  id=$(fact 1 "$1")
  [[ -n $id && $id != "$EMPTY_IDENTITY" ]]
}

# foreign_extra A_FACTS B_FACTS: transactions A holds that B lacks and that A did not commit
# itself, i.e. B is behind A (A's own extra transactions are A's errant ones, not B's gap)
foreign_extra() { extra_of "$1" "$2" foreign; }

# own_extra A_FACTS B_FACTS: transactions A holds that B lacks and that A committed itself (errant)
own_extra() { extra_of "$1" "$2" own; }

# extra_of A_FACTS B_FACTS foreign|own: A's transactions missing from B, by where they came from
extra_of() {
  local a_origin rest origin lo hi own
  a_origin=$(fact 2 "$1")
  rest=$(gtid_subtract "$(fact 3 "$1")" "$(fact 3 "$2")") || return 1
  while read -r origin lo hi; do
    [[ -n $origin ]] || continue
    own=foreign
    if origin_is_server "$origin" "$a_origin"; then own=own; fi
    if [[ $own == "$3" ]]; then printf '%s %s %s\n' "$origin" "$lo" "$hi"; fi
  done <<<"$rest"
}

# decide_seed PEERS: for an empty pod 0; PEERS holds "ORDINAL<TAB>FACTS" lines, FACTS "-" when the
# pod did not answer. Verdicts: init | wait REASON | reseed ORDINAL REASON | halt REASON
decide_seed() {
  local line ordinal facts missing=() data=() identities best='' candidate other
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    ordinal=${line%%$'\t'*} facts=${line#*$'\t'}
    if [[ $facts == - ]]; then missing+=("$ordinal")
    elif has_data "$facts"; then data+=("$line")
    fi
  done <<<"$1"
  if ((${#missing[@]} > 0)); then
    printf 'wait pods %s have not answered: an empty pod 0 never starts a new cluster while a peer may hold its data\n' "${missing[*]}"
    return 0
  fi
  if ((${#data[@]} == 0)); then
    printf 'init every pod is empty: a new cluster\n'
    return 0
  fi
  identities=$(for line in "${data[@]}"; do fact 2 "$line"; done | sort -u)
  if [[ $identities == *$'\n'* ]]; then
    printf 'halt peers hold data of different clusters (%s): an operator must choose\n' "${identities//$'\n'/, }"
    return 0
  fi
  # the most advanced: a peer that every other peer's transactions are in, apart from their own errant ones
  for candidate in "${data[@]}"; do
    best=${candidate%%$'\t'*}
    for other in "${data[@]}"; do
      if [[ -n $(foreign_extra "${other#*$'\t'}" "${candidate#*$'\t'}") ]]; then best=''; break; fi
    done
    [[ -z $best ]] || break
  done
  if [[ -z $best ]]; then
    printf 'halt the peers have diverged (no peer holds every other peer'"'"'s transactions): an operator must choose\n'
    return 0
  fi
  printf 'reseed %s it holds the most advanced data of this cluster\n' "$best"
}

# decide_primary LOCAL PEERS: pod 0 with data, before it takes writes. PEERS as for decide_seed
# (those that answered). Verdicts: promote | set-aside REASON | halt REASON
decide_primary() {
  local local_facts=$1 line ordinal facts local_id id ahead='' others='' same=0
  local_id=$(fact 1 "$local_facts")
  [[ -n $local_id && $local_id != "$EMPTY_IDENTITY" ]] || { printf 'halt this data directory has no cluster identity: it was not made by this component\n'; return 0; }
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    ordinal=${line%%$'\t'*} facts=${line#*$'\t'}
    if [[ $facts == - ]] || ! has_data "$facts"; then continue; fi
    id=$(fact 1 "$facts")
    if [[ $id != "$local_id" ]]; then others+=" $ordinal"; continue; fi
    same=$((same + 1))
    [[ -z $(foreign_extra "$facts" "$local_facts") ]] || ahead+=" $ordinal"
  done <<<"$2"
  if [[ -n $others && $same == 0 ]]; then
    printf 'halt this volume belongs to cluster %s but pods%s hold another cluster: an operator must choose\n' "$local_id" "$others"
  elif [[ -n $ahead ]]; then
    printf 'set-aside pods%s hold transactions of this cluster that this copy lacks (an older copy): re-seeding from the most advanced\n' "$ahead"
  else
    printf 'promote\n'
  fi
}

# decide_replica LOCAL SOURCE IO_ERRNO: a replica facing pod 0. Verdicts: replicate |
# halt REASON | reclone REASON | wait REASON
decide_replica() {
  local local_facts=$1 source_facts=$2 errno=$3 local_id source_id extra errant
  local_id=$(fact 1 "$local_facts") source_id=$(fact 1 "$source_facts")
  has_data "$source_facts" || { printf 'wait pod 0 has no data yet (it is being seeded)\n'; return 0; }
  if [[ $source_id != "$local_id" ]]; then
    printf 'halt the source belongs to cluster %s, this copy to %s\n' "$source_id" "${local_id:-none}"
    return 0
  fi
  extra=$(foreign_extra "$local_facts" "$source_facts") || return 1
  errant=$(own_extra "$local_facts" "$source_facts") || return 1
  if [[ -n $errant ]]; then
    printf 'halt errant transactions on this replica, not on the source: %s\n' "$(gtid_text <<<"$errant")"
  elif [[ -n $extra ]]; then
    printf 'halt the source is behind this replica (lacks %s): pod 0 re-seeds itself from the most advanced peer\n' "$(gtid_text <<<"$extra")"
  elif [[ -n $(gtid_subtract "$(fact 4 "$source_facts")" "$(fact 3 "$local_facts")") || $errno == 1236 || $errno == 13114 ]]; then
    # a pod 0 still settling (re-seeded, not yet taking writes) has no binary log to judge by yet
    if [[ $(fact 5 "$source_facts") == 1 ]]; then
      printf 'wait pod 0 is not taking writes yet; it lacks binary logs this replica needs\n'
    else
      printf 'reclone the source purged binary logs this replica still needs\n'
    fi
  else
    printf 'replicate\n'
  fi
}
