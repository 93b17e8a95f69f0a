#!/usr/bin/env bash
# Runs a command in a container of a local-cluster pod: the stand-in for `kubectl exec`
# (the node agent does not serve exec; see README.md). Same namespaces, root filesystem,
# mounts, user and environment as the container (pod-exec.sh with the agent's exec.json).
#
#   local-cluster/kexec.sh NAMESPACE/POD [-c CONTAINER] -- COMMAND [ARG...]
#
# stdin, stdout, stderr and the exit code are the command's. Default container: the first.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() { sed -n '6p' "$0" | sed 's/^# *//' >&2; exit 2; }
[[ $# -ge 3 && $1 == */* ]] || usage
namespace=${1%%/*} pod=${1#*/} container=
shift
if [[ $1 == -c ]]; then container=$2; shift 2; fi
[[ ${1:-} == -- ]] || usage
shift
[[ $# -gt 0 ]] || usage

# The pod's newest directory (a recreated StatefulSet pod has a new uid, hence a new one).
info=$(find "$state_dir/node/pods" -maxdepth 2 -path "*/${namespace}_${pod}_*/exec.json" -printf '%T@ %p\n' 2>/dev/null |
  sort -rn | head -n 1 | cut -d' ' -f2-)
[[ -n $info ]] || die "pod $namespace/$pod is not running on this node (no exec.json under $state_dir/node/pods)"
if [[ -z $container ]]; then container=$(jq -r 'keys_unsorted[0]' "$info"); fi
mapfile -d '' vars < <(jq -j --arg c "$container" '.[$c] // error("no container \($c)") | to_entries[] | "\(.key)=\(.value)\u0000"' "$info")
exec env "${vars[@]}" "$infra_dir/pod-exec.sh" "$@"
