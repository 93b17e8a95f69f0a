#!/usr/bin/env bash
# Builds, or reuses from the cache, every real piece the Kubernetes tests and the local cluster
# need, pinned in tools/versions.env: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl (tools/build/kubernetes.sh); the pulumi CLI, its Node language host
# and the Kubernetes provider (tools/build/pulumi.sh). Cached by version under
# ${TOOLS_CACHE:-$HOME/.cache/mysql-cluster/tools}: a second run builds nothing.
# Progress on stderr; the last lines on stdout are the bin directories (KEY=dir).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
start=$SECONDS
log() { printf '[build-real %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

command -v go >/dev/null || { log "error: Go is needed (1.26); it builds every piece from the Go module proxy"; exit 1; }
log "building or reusing the control plane (etcd, Kubernetes), then Pulumi (CLI, Node host, Kubernetes provider)"
kubernetes=$("$here/build/kubernetes.sh" | tee /dev/stderr | grep -E '^[A-Z_]+_BIN_DIR=')
pulumi=$("$here/build/pulumi.sh" | tee /dev/stderr | grep -E '^PULUMI_BIN_DIR=')
log "all tools ready in $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s"
printf '%s\n' "$kubernetes" "$pulumi"
