#!/usr/bin/env bash
# probe-ready: readiness. The member agent's verdict: pod 0 takes writes; a replica replicates from
# a source that holds all it has, with both threads running and lag at most MAX_REPLICA_LAG_SECONDS
# (or the source away, its I/O thread reconnecting, for at most that long).
# Anything else takes the pod out of the Services, with the agent's reason as the probe's message.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=replication.sh
source "$here/replication.sh"

cnf="${RUN_DIR:?}/admin.cnf"
[[ -f $cnf ]] || die "server not set up yet"
IFS=$'\t' read -r state message <"$RUN_DIR/member.state" 2>/dev/null || die "the member agent has not reported yet"
if (($(pod_ordinal "${POD_NAME:?}") == 0)); then
  [[ $state == primary ]] || die "$state: $message"
  server_answers "$cnf" || die "the server does not answer"
  exit 0
fi
[[ $state == replicating ]] || die "$state: $message"
server_answers "$cnf" || die "the server does not answer"
status=$(replica_status "$cnf")
# seconds since the member agent last saw the I/O thread running (reads go on through a short outage)
away=''
if [[ -f $RUN_DIR/io-running-at ]]; then away=$(($(date +%s) - $(<"$RUN_DIR/io-running-at"))); fi
reason=$(replica_health "$status" "${MAX_REPLICA_LAG_SECONDS:?}" "$away") || die "$reason"
