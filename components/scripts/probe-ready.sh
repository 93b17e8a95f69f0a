#!/usr/bin/env bash
# probe-ready: readiness. The primary answers; a replica also has both replication threads
# running and lags at most MAX_REPLICA_LAG_SECONDS, so a broken replica leaves the read Service.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=replication.sh
source "$here/replication.sh"

cnf="${RUN_DIR:?}/root.cnf"
[[ -f $cnf ]] || die "server not set up yet"
if (($(pod_ordinal "${POD_NAME:?}") == 0)); then
  sql "$cnf" -e 'SELECT 1' >/dev/null
  exit 0
fi
replication_words
status=$("${MYSQL_CLIENT:?}" --defaults-file="$cnf" --connect-timeout=5 --vertical -e "$SHOW_REPLICA")
if needs_reclone "$status"; then
  # run-mysql.sh re-clones on the next container start; probe-alive.sh makes that start happen
  touch "${DATA_ROOT:?}/$RECLONE_MARKER"
  die "the primary purged binary logs this replica needs: re-clone requested"
fi
reason=$(replica_health "$status" "${MAX_REPLICA_LAG_SECONDS:?}") || die "$reason"
