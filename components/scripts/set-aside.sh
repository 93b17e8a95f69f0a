#!/usr/bin/env bash
# set-aside: the operator's command for a pod that must not keep its copy (errant transactions,
# another cluster's volume): kubectl exec POD -c member -- bash /opt/mysql-cluster/set-aside.sh "why"
# The server stops; at its next start the copy is renamed to DATA_ROOT/set-aside/<time>-<pod>
# (never deleted) and the pod copies its cluster again.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=gtid.sh
source "$here/gtid.sh"
# shellcheck source=replication.sh
source "$here/replication.sh"
# shellcheck source=members.sh
source "$here/members.sh"

reason="operator: ${1:?usage: set-aside.sh REASON}"
# the copy's identity and transactions are recorded beside it: it still counts (rule 9)
facts=$(local_facts "${RUN_DIR:?}/admin.cnf") || die "this copy's facts could not be read; nothing was changed"
aside_facts "$facts" >"${DATA_ROOT:?}/$SET_ASIDE_FACTS"
printf '%s\n' "$reason" >"${DATA_ROOT:?}/$SET_ASIDE_MARKER"
sync
log "the copy is set aside at the server's next start ($reason); stopping the server"
sql "${RUN_DIR:?}/admin.cnf" -e 'SHUTDOWN'
