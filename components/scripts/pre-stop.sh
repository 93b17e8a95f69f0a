#!/usr/bin/env bash
# pre-stop: runs before the kubelet's SIGTERM, so no shutdown waits on a peer. A replica stops its
# replication threads (no event in flight); the primary ends its binary-log dump connections (a
# peer that is already gone would hold them until a network timeout). SIGTERM then shuts InnoDB
# down cleanly; replicas reconnect by themselves.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=replication.sh
source "$here/replication.sh"

cnf="${RUN_DIR:?}/admin.cnf"
[[ -f $cnf ]] || exit 0
if (($(pod_ordinal "${POD_NAME:?}") > 0)); then
  replication_words
  sql "$cnf" -e "$STOP_REPLICA" || log "could not stop replication; the server stops it while shutting down"
else
  # MySQL: refuse the replicas' immediate reconnects (they lack CONNECTION_ADMIN) before ending them
  [[ ${ENGINE:?} != mysql ]] || sql "$cnf" -e 'SET GLOBAL offline_mode = ON' || log "could not set offline_mode"
  # the ids first: one administrator connection at a time (lib.sh, sql)
  if ids=$(sql "$cnf" -e "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'"); then
    for id in $ids; do sql "$cnf" -e "KILL $id" 2>/dev/null || true; done
  else
    log "could not end the dump connections; the server ends them while shutting down"
  fi
fi
log "ready for SIGTERM"
