#!/usr/bin/env bash
# probe-alive: startup and liveness. The server answers an authenticated query; a pod still copying
# its data or starting its server is alive too (run-mysql.sh's marker).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -f ${RUN_DIR:?}/admin.cnf ]] || die "server not set up yet"
if server_answers "$RUN_DIR/admin.cnf"; then
  rm -f "$RUN_DIR/starting"
  exit 0
fi
[[ -f $RUN_DIR/starting ]] || die "the server does not answer"
since=$(($(date +%s) - $(<"$RUN_DIR/starting")))
((since < ${SETUP_TIMEOUT_SECONDS:?})) || die "still not answering ${since} s after the container started"
log "copying data or starting for ${since} s"
