#!/usr/bin/env bash
# npm run test:k8s: the real pulumi CLI, Kubernetes provider and control plane. Builds or reuses
# the tools (tools/build-real.sh), starts a fresh local cluster (local-cluster/up.sh), runs the
# suites in tests/k8s (extra arguments go to mocha, e.g. --grep "^.* 6\."), and removes the cluster again (its logs are copied first when a test fails).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

[[ $(id -u) == 0 ]] || { echo "test:k8s needs root (the local cluster runs pods as namespaces); it did NOT run." >&2; exit 1; }
export LOCAL_CLUSTER_DIR=${LOCAL_CLUSTER_DIR:-/var/lib/mysql-cluster-k8s-test}
tools/build-real.sh >/dev/null
# the images the pods use: the host's MariaDB packages and the MySQL root (as test:e2e makes them)
npx ts-node -e 'require("./tests/e2e/images").ensureImages(console.log).catch((e: unknown) => { console.error(e); process.exit(1); })'
local-cluster/down.sh --purge >/dev/null 2>&1 || true
local-cluster/up.sh
status=0
npx mocha --config tests/k8s/.mocharc.json "$@" || status=$?
if ((status != 0)); then
  keep=/tmp/mysql-cluster-k8s-logs
  rm -rf "$keep" && mkdir -p "$keep"
  cp -r "$LOCAL_CLUSTER_DIR/logs" "$keep/control-plane" 2>/dev/null || true
  find "$LOCAL_CLUSTER_DIR/node/pods" -name '*.log' -exec cp --parents {} "$keep" \; 2>/dev/null || true
  cp /tmp/mysql-cluster-k8s-*/logs/pulumi.log "$keep/" 2>/dev/null || true
  echo "test:k8s failed; logs kept in $keep" >&2
fi
local-cluster/down.sh --purge
exit "$status"
