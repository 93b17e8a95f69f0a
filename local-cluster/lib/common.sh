# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file
# Settings and helpers shared by up.sh, down.sh and selftest.sh (sourced, not run).
#
# Environment (defaults in brackets):
#   LOCAL_CLUSTER_DIR        state: pki, kubeconfigs, etcd data, logs, pods, volumes [/var/lib/mysql-cluster-local]
#   LOCAL_CLUSTER_NODE       node name [local-node]
#   LOCAL_CLUSTER_NET        net.sh network of the pods, [a-z0-9]+ [lcnode]
#   LOCAL_CLUSTER_POD_PREFIX pod addresses <prefix>.x.y/16 [127.20]
#   LOCAL_CLUSTER_API_PORT   kube-apiserver on 127.0.0.1 [6443]
#   LOCAL_CLUSTER_ETCD_PORT  etcd client port; the peer port is the next one [2379]
#   LOCAL_CLUSTER_AGENT      "none": up.sh starts no node agent (the caller runs one) [start]
#   LOCAL_CLUSTER_KCM_PORT, LOCAL_CLUSTER_SCHEDULER_PORT, LOCAL_CLUSTER_KUBELET_PORT [10257, 10259, 10250]

lc_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo_root=$(cd "$lc_root/.." && pwd)
state_dir=${LOCAL_CLUSTER_DIR:-/var/lib/mysql-cluster-local}
node_name=${LOCAL_CLUSTER_NODE:-local-node}
pod_net=${LOCAL_CLUSTER_NET:-lcnode}
pod_prefix=${LOCAL_CLUSTER_POD_PREFIX:-127.20}
api_port=${LOCAL_CLUSTER_API_PORT:-6443}
etcd_port=${LOCAL_CLUSTER_ETCD_PORT:-2379}
etcd_peer_port=$((etcd_port + 1))
kcm_port=${LOCAL_CLUSTER_KCM_PORT:-10257}
scheduler_port=${LOCAL_CLUSTER_SCHEDULER_PORT:-10259}
kubelet_port=${LOCAL_CLUSTER_KUBELET_PORT:-10250}
pki=$state_dir/pki
run_dir=$state_dir/run
log_dir=$state_dir/logs
admin_kubeconfig=$state_dir/admin.kubeconfig
infra_dir=$repo_root/tests/e2e/infra
# Started in this order, stopped in the reverse one.
components=(etcd kube-apiserver kube-controller-manager kube-scheduler node-agent)

log() { printf '[local-cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# pid_of NAME: the pid in run/NAME.pid if that process still runs the expected program.
pid_of() {
  local file=$run_dir/$1.pid pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  grep -qaF -- "$(<"$run_dir/$1.cmd")" "/proc/$pid/cmdline" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

# stop_component NAME [SECONDS]: SIGTERM to the process group we started, SIGKILL after SECONDS [20].
stop_component() {
  local name=$1 wait=${2:-20} pid i
  if ! pid=$(pid_of "$name"); then
    rm -f "$run_dir/$name.pid"
    return 0
  fi
  log "stopping $name (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop in ${wait}s; SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$run_dir/$name.pid"
}
