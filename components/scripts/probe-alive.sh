#!/usr/bin/env bash
# probe-alive: startup and liveness. The server answers an authenticated query.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -f ${RUN_DIR:?}/root.cnf ]] || die "server not set up yet"
# a replica that must re-clone is restarted; run-mysql.sh does the re-clone
[[ ! -f ${DATA_ROOT:?}/$RECLONE_MARKER ]] || die "re-clone requested: restarting the server container"
sql "$RUN_DIR/root.cnf" -e 'SELECT 1' >/dev/null
