#!/usr/bin/env bash
# run-mysql: the server container. Sets a copy aside when the member agent asked for it, fills an
# empty volume (clone-mysql.sh decides how), then execs the server in the foreground, read-only
# and without replication: the member sidecar decides what it may do.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"

# the local administrator's option file (socket authentication, no password): probes, the member
# agent and operators use it, so a Secret that no longer matches the data is repaired, not fatal
write_admin_cnf "${RUN_DIR:?}/admin.cnf" "${SOCKET:?}"
require_credentials root-password replication-password backup-password
# probe-alive.sh counts a pod that is still copying or starting as alive while its copy moves (a
# clone of any size is never cut short by a probe, wherever it runs); it removes this file once
# the server answers
date +%s >"$RUN_DIR/starting"
heartbeat

# 1. a copy that cannot join is renamed aside, never removed (reason from the member agent)
marker="${DATA_ROOT:?}/$SET_ASIDE_MARKER"
if [[ -f $marker ]]; then
  [[ ! -d ${DATADIR:?} ]] || set_aside "$(<"$marker")"
  rm -f "$marker"
  sync
fi

# 2. an empty volume: a new cluster, a re-seed, or a copy of a peer
if [[ ! -d ${DATADIR:?} ]]; then
  bash "$here/clone-mysql.sh" || die "$POD_NAME has no data and could not get any"
fi
# 3. pod 0 takes writes as a new transaction origin at every start (rule 11), so the numbers a
#    restored or older copy of pod 0 hands out can never pass for those of transactions it lost.
#    MySQL names its transactions by the server_uuid, which a missing auto.cnf renews (auto.cnf
#    holds no data). MariaDB numbers them per replication domain: pod 0 writes in a domain of its
#    own, new at each start and random (1 in 2^31 to meet another's), so every domain has one
#    writer and its last GTID, which a backup records, stands for all of it.
args=()
if (($(pod_ordinal "${POD_NAME:?}") == 0)); then
  if [[ ${ENGINE:?} == mysql ]]; then
    rm -f "$DATADIR/auto.cnf"
  else
    domain=$(new_domain_id) || die "cannot draw a replication domain id for this start"
    args+=("--gtid-domain-id=$domain")
    log "this start of pod 0 writes in replication domain $domain"
  fi
fi
log "starting the server"
exec "${MYSQLD:?}" --defaults-file="${CONF_FILE:?}" "${args[@]}"
