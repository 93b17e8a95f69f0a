#!/usr/bin/env bash
# Builds, or reuses from the cache, every real piece the Kubernetes tests and the local cluster
# need, pinned in tools/versions.env: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl (tools/build/kubernetes.sh); the pulumi CLI, its Node, Python, Go and YAML language hosts, gen-sdk
# and the Kubernetes provider (tools/build/pulumi.sh). Cached by version under
# ${TOOLS_CACHE:-$HOME/.cache/mysql-cluster/tools}: a second run builds nothing.
# Progress on stderr; stdout is only the bin directories (KEY_BIN_DIR=dir lines).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
start=$SECONDS
log() { printf '[build-real %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# build PIECE_SCRIPT: runs it; its KEY_BIN_DIR= lines to stdout, everything else to stderr
build() {
  local line
  "$1" 2>&1 | while IFS= read -r line; do
    if [[ $line =~ ^[A-Z_]+_BIN_DIR= ]]; then printf '%s\n' "$line"; else printf '%s\n' "$line" >&2; fi
  done
}

command -v go >/dev/null || { log "error: Go is needed (1.26); it builds every piece from the Go module proxy"; exit 1; }
log "building or reusing the control plane (etcd, Kubernetes), then Pulumi (CLI, Node host, Kubernetes provider)"
build "$here/build/kubernetes.sh"
build "$here/build/pulumi.sh"
log "all tools ready in $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s"
