#!/usr/bin/env bash
# clone-mysql: fills an empty data volume, never one that holds data. Pod 0 starts a new cluster
# only when every peer answers empty, and is re-seeded from the most advanced peer when one holds
# this cluster's data; a replica copies a ready peer of its primary's cluster. Run as the init
# container, and by run-mysql.sh after a copy was set aside.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=gtid.sh
source "$here/gtid.sh"
# shellcheck source=members.sh
source "$here/members.sh"
# shellcheck source=accounts.sh
source "$here/accounts.sh"
# shellcheck source=initialize.sh
source "$here/initialize.sh"
# shellcheck source=replication.sh
source "$here/replication.sh"

ordinal=$(pod_ordinal "${POD_NAME:?}")
trap stop_setup_server EXIT

# 1. a data directory is only ever renamed into place complete, so its presence means: keep it
if [[ -d ${DATADIR:?} ]]; then
  log "data directory present: clone skipped"
  exit 0
fi

# 2. the method's clone_from_peer HOST TARGET (CLONE plugin or backup stream)
case ${BOOTSTRAP_METHOD:?} in
  clone | stream) ;;
  *) die "BOOTSTRAP_METHOD must be 'clone' or 'stream', got '$BOOTSTRAP_METHOD'" ;;
esac
# shellcheck source=bootstrap-stream.sh
source "$here/bootstrap-$BOOTSTRAP_METHOD.sh"
require_credentials root-password replication-password backup-password
[[ -z ${APP_USER:-} ]] || require_credentials user-password

# gtid_sql: on MySQL the decisions' set arithmetic is the server's own (GTID_SUBTRACT), done by a
# peer this pod reads anyway (it has no server of its own yet): pod 0 for a replica, the first
# peer that answered for an empty pod 0; gtid.sh's result must agree with it
arith_peer=''
if [[ ${ENGINE:?} == mysql ]]; then
  gtid_sql() {
    [[ -n $arith_peer ]] || { printf 'no peer answered to compute GTID_SUBTRACT\n' >&2; return 1; }
    peer_sql "$arith_peer"
  }
fi

# copy_from DONOR: a complete copy of pod DONOR renamed into place, marked for run-mysql/member
# to finish (replication position, or a re-seeded primary's transaction state)
copy_from() {
  local host staging="${DATA_ROOT:?}/clone.tmp"
  host=$(peer_host "$1")
  stop_setup_server # the empty-member server, if one answered for this pod
  rm -rf "$staging" # an unfinished copy from an earlier attempt; never a data directory
  log "cloning from $host"
  if ! clone_from_peer "$host" "$staging"; then
    log "clone from $host failed"
    return 1
  fi
  printf '%s\n' "$BOOTSTRAP_METHOD" >"$staging/$PENDING_MARKER"
  sync -f "$staging/$PENDING_MARKER" 2>/dev/null || sync
  mv "$staging" "$DATADIR"
  log "clone from $host complete"
}

# seed_primary: pod 0 asks every peer; a verdict per round, said once until it changes. Every copy
# counts: pod 0's own volume may hold copies set aside too
seed_primary() {
  local peers n verdict
  if ! peers=$(peer_lines 2>"$RUN_DIR/peers.err"); then
    say "wait $(<"$RUN_DIR/peers.err")"
    return 1
  fi
  arith_peer=$(awk -F'\t' -v unknown="$UNKNOWN" '$2 != "-" && $2 != unknown { print $1; exit }' <<<"$peers")
  verdict=$(decide_seed "$(aside_on_volume)" "$peers")
  case $verdict in
    init*) initialize_primary && return 0 ;;
    reseed*) read -r _ n _ <<<"$verdict"; say "- re-seeding from pod $n: ${verdict#reseed "$n" }"; copy_from "$n" && return 0 ;;
    *) say "$verdict" ;;
  esac
  return 1
}

# clone_replica: the primary's cluster decides what counts as a donor: same identity, nothing the
# primary lacks, no errant transactions of its own (never a donor); nearest pod first (pod N-1 ...
# pod 0) to spread the load. A pod 0 whose answer does not parse is not a source.
clone_replica() {
  local source donor facts problem
  if ! source=$(peer_facts 0 2>"$RUN_DIR/peers.err") || ! has_data "$source"; then
    problem=$(<"$RUN_DIR/peers.err")
    say "wait pod 0 has no data yet or does not answer${problem:+ ($problem)}"
    [[ -n ${SETUP_SERVER_PID:-} ]] || start_empty_member || stop_setup_server
    return 1
  fi
  arith_peer=0
  for ((donor = ordinal - 1; donor >= 0; donor--)); do
    facts=$source
    if ((donor > 0)); then
      # the donor first, then the source again: a later snapshot of the source holds all an earlier
      # one of a replica had (the other order mistakes its newest transactions for errant ones)
      if ! facts=$(peer_facts "$donor") || ! source=$(peer_facts 0); then continue; fi
      if [[ -n $(own_extra "$facts" "$source" || echo unreadable) ]]; then
        log "pod $donor holds transactions of its own (errant) or sets that do not parse: never a donor"
        continue
      fi
    fi
    [[ $(fact 1 "$facts") == "$(fact 1 "$source")" ]] || continue
    gtid_subset "$(holds "$facts")" "$(holds "$source")" || continue
    # a donor is a pod that can serve a copy now, not only one whose server answers
    if ! peer_serves "$(peer_host "$donor")"; then
      log "pod $donor answers but cannot serve a copy now (its backup listener is not up, or it streams one): not a donor this round"
      continue
    fi
    copy_from "$donor" && return 0
  done
  say "wait no peer of pod 0's cluster could be copied yet"
  return 1
}

# say VERDICT: logs a verdict when it differs from the last one, and every minute while it lasts
last_said='' last_said_at=0
say() {
  if [[ $1 != "$last_said" ]] || ((SECONDS - last_said_at >= 60)); then
    log "${1#* }"
    last_said=$1 last_said_at=$SECONDS
  fi
}

# 3. decide again every few seconds until the volume holds data; no timeout: waiting is safe
# each round beats: waiting for a peer is safe, and no probe restarts a pod for it (rule 8)
until { heartbeat; if ((ordinal == 0)); then seed_primary; else clone_replica; fi; }; do
  sleep "${MEMBER_POLL_SECONDS:-2}"
done
