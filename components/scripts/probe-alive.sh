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
# a copy of any size goes on as long as it moves: the copy (or the wait for a donor) beats at least
# every few seconds, bytes arriving; only SETUP_TIMEOUT_SECONDS without a beat counts as hung
beat=$(cat "$RUN_DIR/copy-heartbeat" 2>/dev/null) || beat=''
[[ $beat =~ ^[0-9]+$ ]] || beat=$(<"$RUN_DIR/starting")
quiet=$(($(date +%s) - beat))
since=$(($(date +%s) - $(<"$RUN_DIR/starting")))
((quiet < ${SETUP_TIMEOUT_SECONDS:?})) || die "no progress for ${quiet} s (copying or starting for ${since} s)"
log "copying data or starting for ${since} s (last progress ${quiet} s ago)"
