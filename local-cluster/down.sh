#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stops the local cluster that up.sh started: the node agent, the control plane, then every
# pod (net.sh down kills what runs in the pods' network namespaces and removes them).
#
#   local-cluster/down.sh           keep the state (etcd data, certificates, volumes, logs):
#                                   the next up.sh brings the same cluster back, pods restarted
#   local-cluster/down.sh --purge   also delete $LOCAL_CLUSTER_DIR
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

purge=0
case ${1:-} in
'') ;;
--purge) purge=1 ;;
*) die "usage: $0 [--purge]" ;;
esac
[[ $(id -u) == 0 ]] || die "needs root"

# Processes, newest first; pods after the agent so that nothing restarts them.
for ((i = ${#components[@]} - 1; i >= 0; i--)); do
  stop_component "${components[i]}"
done
log "removing the pods' network namespaces ($pod_net-*)"
"$infra_dir/net.sh" down "$pod_net"

if ((purge)); then
  [[ -d $state_dir && $state_dir != / ]] || die "refusing to purge '$state_dir'"
  log "purging $state_dir"
  rm -rf --one-file-system "$state_dir"
else
  log "state kept in $state_dir (down.sh --purge removes it)"
fi
log "local cluster is down"
