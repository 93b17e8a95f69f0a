#!/usr/bin/env bash
# pre-stop: runs before the kubelet's SIGTERM. A replica stops its replication threads first, so
# the server's shutdown does not wait on an event in flight; SIGTERM then shuts InnoDB down cleanly
# within terminationGracePeriodSeconds. Replication starts again by itself on the next start.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=replication.sh
source "$here/replication.sh"

cnf="${RUN_DIR:?}/root.cnf"
[[ -f $cnf ]] || exit 0
if (($(pod_ordinal "${POD_NAME:?}") > 0)); then
  replication_words
  sql "$cnf" -e "$STOP_REPLICA" || log "could not stop replication; the server stops it while shutting down"
fi
log "ready for SIGTERM"
