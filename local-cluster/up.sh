#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Starts a local Kubernetes cluster on this machine: etcd, kube-apiserver,
# kube-controller-manager and kube-scheduler on 127.0.0.1 (built from the Go module proxy
# by tools/build/kubernetes.sh, or reused from its cache), and the project's node agent
# (node-agent/main.ts), which runs pods as network namespaces and processes. Idempotent:
# what already runs is kept. Prints `export KUBECONFIG=...` last.
#
#   local-cluster/up.sh        (settings: see lib/common.sh; state in $LOCAL_CLUSTER_DIR)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/pki.sh
source "$lc_root/lib/pki.sh"

[[ $(id -u) == 0 ]] || die "needs root (network namespaces, mounts)"
for tool in openssl ip nsenter unshare setpriv perl mariadbd; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install openssl iproute2 util-linux perl mariadb-server)"
done
mkdir -p "$state_dir" "$run_dir" "$log_dir"
chmod 700 "$state_dir"

# Tools: built once per version, then cached.
log "building or reusing etcd and Kubernetes (tools/build/kubernetes.sh; log: $log_dir/build.log)"
# progress on the terminal (a cold build takes half an hour), and in the log
"$repo_root/tools/build/kubernetes.sh" 2>&1 | tee "$log_dir/build.log" >&2 || die "tools/build/kubernetes.sh failed; see $log_dir/build.log"
build_out=$(<"$log_dir/build.log")
etcd_bin=$(sed -n 's/^ETCD_BIN_DIR=//p' <<<"$build_out")
kube_bin=$(sed -n 's/^KUBERNETES_BIN_DIR=//p' <<<"$build_out")
[[ -x $etcd_bin/etcd && -x $kube_bin/kube-apiserver ]] || die "no binaries from tools/build/kubernetes.sh; see $log_dir/build.log"
kubectl=$kube_bin/kubectl
printf '%s\n' "$kube_bin" >"$state_dir/kube-bin-dir"

# Certificates and kubeconfigs.
make_pki
kubeconfig "$admin_kubeconfig" admin
for user in controller-manager scheduler node-agent; do kubeconfig "$state_dir/$user.kubeconfig" "$user"; done
k() { "$kubectl" --kubeconfig="$admin_kubeconfig" "$@"; }

# start NAME CMD...: runs CMD in its own session, output appended to logs/NAME.log, unless it runs.
start() {
  local name=$1 pid
  shift
  if pid=$(pid_of "$name"); then
    log "$name already running (pid $pid)"
    return 0
  fi
  printf '%s' "${START_MATCH:-$1}" >"$run_dir/$name.cmd"
  setsid "$@" >>"$log_dir/$name.log" 2>&1 </dev/null &
  printf '%s\n' "$!" >"$run_dir/$name.pid"
  log "started $name (pid $!, log $log_dir/$name.log)"
}

# wait_for WHAT SECONDS NAME CMD...: retries CMD every second; fails early when NAME died.
wait_for() {
  local what=$1 deadline=$((SECONDS + $2)) name=$3
  shift 3
  until "$@" >/dev/null 2>&1; do
    pid_of "$name" >/dev/null || { tail -n 30 "$log_dir/$name.log" >&2; die "$name exited while waiting for $what"; }
    ((SECONDS < deadline)) || { tail -n 30 "$log_dir/$name.log" >&2; die "timed out waiting for $what"; }
    sleep 1
  done
  log "ok: $what"
}

# Control plane.
start etcd "$etcd_bin/etcd" --name=local --data-dir="$state_dir/etcd" \
  --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster="local=http://127.0.0.1:$etcd_peer_port" --unsafe-no-fsync --log-level=warn
wait_for "etcd on 127.0.0.1:$etcd_port" 60 etcd "$etcd_bin/etcdctl" --endpoints="http://127.0.0.1:$etcd_port" endpoint health

# --endpoint-reconciler-type=none: the kubernetes Service's Endpoints would hold 127.0.0.1,
# which Endpoints validation refuses (loopback); see README.md.
start kube-apiserver "$kube_bin/kube-apiserver" --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" --client-ca-file="$pki/ca.crt" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
  --service-cluster-ip-range=10.96.0.0/16 --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --allow-privileged=true --endpoint-reconciler-type=none --profiling=false \
  --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$pki/ca.crt" --kubelet-preferred-address-types=InternalIP
wait_for "kube-apiserver on https://127.0.0.1:$api_port" 120 kube-apiserver k get --raw /readyz

start kube-controller-manager "$kube_bin/kube-controller-manager" --kubeconfig="$state_dir/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$state_dir/controller-manager.kubeconfig" --authorization-kubeconfig="$state_dir/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$kcm_port" --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
  --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
  --service-cluster-ip-range=10.96.0.0/16 --profiling=false
start kube-scheduler "$kube_bin/kube-scheduler" --kubeconfig="$state_dir/scheduler.kubeconfig" \
  --authentication-kubeconfig="$state_dir/scheduler.kubeconfig" --authorization-kubeconfig="$state_dir/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$scheduler_port" --leader-elect=false --profiling=false
wait_for "kube-controller-manager on 127.0.0.1:$kcm_port" 60 kube-controller-manager \
  k --server="https://127.0.0.1:$kcm_port" --insecure-skip-tls-verify get --raw /healthz
wait_for "kube-scheduler on 127.0.0.1:$scheduler_port" 60 kube-scheduler \
  k --server="https://127.0.0.1:$scheduler_port" --insecure-skip-tls-verify get --raw /healthz
wait_for "ServiceAccount default/default" 60 kube-controller-manager k -n default get serviceaccount default
# volumeBindingMode is immutable: a class from an older up.sh is replaced (its volumes stay)
if ! k apply -f "$lc_root/manifests/storage-class.yaml" >/dev/null 2>&1; then
  k delete storageclass local-dir >/dev/null
  k apply -f "$lc_root/manifests/storage-class.yaml" >/dev/null
fi
log "ok: StorageClass local-dir (default)"

if [[ ${LOCAL_CLUSTER_AGENT:-start} == none ]]; then
  # the caller runs the agent itself (the e2e suite, in its own process: node-agent/agent.ts)
  log "node agent not started (LOCAL_CLUSTER_AGENT=none)"
else
  # The node agent (ts-node, type-checked by selftest.sh / tsc instead of at every start). Its
  # log is appended to: only what this start writes counts (the Node object may be left over).
  agent_log_start=0
  if ! pid_of node-agent >/dev/null; then agent_log_start=$(stat -c %s "$log_dir/node-agent.log" 2>/dev/null || echo 0); fi
  START_MATCH=node-agent/main.ts start node-agent env KUBECONFIG="$state_dir/node-agent.kubeconfig" \
    NODE_NAME="$node_name" LOCAL_CLUSTER_DIR="$state_dir" LOCAL_CLUSTER_NET="$pod_net" LOCAL_CLUSTER_POD_PREFIX="$pod_prefix" \
    KUBELET_PORT="$kubelet_port" KUBELET_CERT="$pki/kubelet.crt" KUBELET_KEY="$pki/kubelet.key" KUBELET_CA="$pki/ca.crt" \
    TS_NODE_TRANSPILE_ONLY=1 "$repo_root/node_modules/.bin/ts-node" "$lc_root/node-agent/main.ts"
  node_ready() {
    [[ $(k get node "$node_name" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]] &&
      tail -c +$((agent_log_start + 1)) "$log_dir/node-agent.log" | grep -q "node $node_name is Ready"
  }
  wait_for "node $node_name Ready" 120 node-agent node_ready
  k get nodes -o wide >&2
fi

log "local cluster is up; state in $state_dir; stop it with local-cluster/down.sh"
log "pods' logs: $state_dir/node/pods/<namespace>_<pod>_<uid>/logs/, agent log: $log_dir/node-agent.log"
echo "export KUBECONFIG=$admin_kubeconfig"
echo "export PATH=$kube_bin:\$PATH"
