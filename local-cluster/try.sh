#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The README's first command: builds or reuses the real tools, starts the local cluster, runs the
# real `pulumi up` of this repo's stack against it (local file backend under $LOCAL_CLUSTER_DIR),
# prints the stack outputs and checks replication: a row written through the primary endpoint is
# read back through the read endpoint. `local-cluster/down.sh --purge` tears it all down.
#
#   local-cluster/try.sh      (root; settings as up.sh, plus PULUMI_CONFIG_PASSPHRASE)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
[[ $(id -u) == 0 ]] || die "needs root (the local cluster runs pods as namespaces)"
cd "$repo_root"
# the project's Node.js (22, from the npm registry, cached by version) for npm, ts-node and pulumi
node_bin=$(tools/node.sh)
export PATH="$node_bin:$PATH"
[[ -d node_modules ]] || { log "installing the stack's packages (npm ci)"; npm ci --no-audit --no-fund; }

log "building or reusing the real tools (tools/build-real.sh)"
bins=$(tools/build-real.sh)
pulumi_bin=$(sed -n 's/^PULUMI_BIN_DIR=//p' <<<"$bins")
kube_bin=$(sed -n 's/^KUBERNETES_BIN_DIR=//p' <<<"$bins")
export PATH="$pulumi_bin:$kube_bin:$PATH"
local-cluster/up.sh

export KUBECONFIG=$admin_kubeconfig
export PULUMI_HOME=$state_dir/pulumi-home PULUMI_BACKEND_URL=file://$state_dir/pulumi-state
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-local-cluster}
export PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$state_dir/pulumi-state"
# a new stack: a small MariaDB cluster (its server comes from this machine's Debian packages)
# with an application account; an existing one keeps its configuration
if ! pulumi stack select local --non-interactive 2>/dev/null; then
  pulumi stack init local --non-interactive
  for setting in engine=mariadb replicas=3 storageSize=1Gi cpuRequest=100m memoryRequest=256Mi database=appdb user=app; do
    pulumi config set "${setting%%=*}" "${setting#*=}"
  done
fi
pulumi up --yes --non-interactive
pulumi stack output

# replication check, from inside pods 1 and 2, with the application password on stdin only
name=$(pulumi config get clusterName 2>/dev/null || echo mysql)
namespace=$(pulumi config get namespace 2>/dev/null || echo default)
primary=$(pulumi stack output primaryEndpoint --json | jq -r .host)
read_host=$(pulumi stack output readEndpoint --json | jq -r .host)
password=$(kubectl -n "$namespace" get secret "$name-credentials" -o jsonpath='{.data.user-password}' | base64 -d)
client() {
  # shellcheck disable=SC2016 # expanded by the pod's shell
  printf '%s\n' "$password" | local-cluster/kexec.sh "$namespace/$name-$1" -c mysql -- bash -c \
    'IFS= read -r MYSQL_PWD; export MYSQL_PWD; exec "$(command -v mariadb || command -v mysql)" -h "$1" -u app --batch --skip-column-names appdb -e "$2"' client "$2" "$3"
}
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
client 1 "$primary" "CREATE TABLE IF NOT EXISTS try_replication (id INT AUTO_INCREMENT PRIMARY KEY, at VARCHAR(32)); INSERT INTO try_replication (at) VALUES ('$stamp')"
for _ in $(seq 30); do
  if [[ $(client 2 "$read_host" "SELECT COUNT(*) FROM try_replication WHERE at = '$stamp'") == 1 ]]; then
    log "replication check: a row written through $primary was read back through $read_host"
    log "kubectl: export KUBECONFIG=$KUBECONFIG PATH=\"$kube_bin:\$PATH\"; tear down: local-cluster/down.sh --purge"
    exit 0
  fi
  sleep 1
done
die "replication check: the row written through $primary did not appear through $read_host"
