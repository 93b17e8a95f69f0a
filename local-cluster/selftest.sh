#!/usr/bin/env bash
# Self-test of the local cluster: type-check and unit tests of the node agent, then, on a
# running cluster (started by up.sh here if none runs, and stopped again at the end), a
# StatefulSet of 2 trivial pods with a headless Service (selftest/web.yaml): pods Running
# and Ready, PVCs Bound, logs, DNS names and pod-to-pod TCP, Secret env and ConfigMap
# volume (and its update), a container restart, pod deletion and recreation with its data,
# graceful scale-down with preStop, volume expansion, PV reclaim. About 2-3 minutes.
#
#   local-cluster/selftest.sh      (SELFTEST_NAMESPACE, default lc-selftest)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ns=${SELFTEST_NAMESPACE:-lc-selftest}
started_cluster=0
started=$SECONDS
pass() { log "ok: $*"; }
fail() { log "FAIL: $*"; exit 1; }
cleanup() {
  local status=$?
  if ((status != 0)) && [[ -f $log_dir/node-agent.log ]]; then tail -n 40 "$log_dir/node-agent.log" >&2; fi
  if ((started_cluster)); then "$lc_root/down.sh" || true; fi
}
trap cleanup EXIT

# until_ok WHAT SECONDS CMD...: retries CMD every second until it succeeds.
until_ok() {
  local what=$1 timeout=$2 deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${timeout}s waiting for: $what"
    sleep 1
  done
  pass "$what"
}

# Static checks first: they need no cluster.
(cd "$repo_root" && npx tsc -p local-cluster/tsconfig.json) || fail "type-check"
pass "type-check (tsc -p local-cluster/tsconfig.json)"
(cd "$repo_root" && TS_NODE_PROJECT=local-cluster/tsconfig.json npx mocha --no-config -r ts-node/register \
  'local-cluster/test/*.test.ts' --reporter dot) >&2 || fail "unit tests"
shellcheck -x "$lc_root"/*.sh "$lc_root"/lib/*.sh || fail "shellcheck"
pass "shellcheck"

if ! pid_of node-agent >/dev/null || ! pid_of kube-apiserver >/dev/null; then
  log "no local cluster runs; starting one"
  started_cluster=1
  "$lc_root/up.sh" >/dev/null
fi
export KUBECONFIG=$admin_kubeconfig
kubectl=$(<"$state_dir/kube-bin-dir")/kubectl
k() { "$kubectl" -n "$ns" "$@"; }
jp() { k get "$1" "$2" -o "jsonpath=$3"; }
kx() { "$lc_root/kexec.sh" "$ns/$1" -- "${@:2}"; }

# The workload.
"$kubectl" delete namespace "$ns" --ignore-not-found --wait=true >/dev/null
"$kubectl" create namespace "$ns" >/dev/null
until_ok "ServiceAccount $ns/default" 60 k get serviceaccount default
k apply -f "$lc_root/selftest/web.yaml" >/dev/null
until_ok "StatefulSet web: 2 pods Running and Ready" 240 k rollout status statefulset/web --timeout=5s
k get pods -o wide >&2
for n in 0 1; do
  [[ $(jp pvc "data-web-$n" '{.status.phase}') == Bound ]] || fail "PVC data-web-$n is not Bound"
done
pass "PVCs data-web-0, data-web-1 Bound"

# Logs: through the API server and the agent's kubelet endpoint, and on disk.
k logs web-0 --tail=2 | grep -q "tick .* on web-0" || fail "kubectl logs web-0"
pass "kubectl logs web-0: $(k logs web-0 --tail=1)"

# DNS (hosts file) and pod-to-pod TCP by name.
ip0=$(jp pod web-0 '{.status.podIP}') ip1=$(jp pod web-1 '{.status.podIP}')
[[ $(kx web-1 getent hosts "web-0.web.$ns.svc.cluster.local") == "$ip0 "* ]] || fail "web-0's name from web-1"
[[ $(kx web-1 getent hosts "web-read.$ns.svc" | cut -d' ' -f1) =~ ^($ip0|$ip1)$ ]] || fail "web-read from web-1"
# shellcheck disable=SC2016 # expanded in the pod
answer=$(kx web-1 bash -c 'exec 3<>/dev/tcp/web-0.web/8080 && cat <&3')
[[ $answer == "hello from web-0" ]] || fail "web-1 -> web-0.web:8080 answered '$answer'"
pass "DNS and TCP: web-1 -> web-0.web:8080 ($ip0): $answer"

# Secret env, ConfigMap volume with its mode, and a ConfigMap update reaching the running pod.
want=$(printf %s selftest-Pw-0815 | sha256sum)
# shellcheck disable=SC2016 # expanded in the pod
[[ $(kx web-0 bash -c 'printf %s "$WEB_PASSWORD" | sha256sum') == "$want" ]] || fail "WEB_PASSWORD from the Secret"
[[ $(kx web-0 stat -L -c %a /etc/web/greeting) == 440 ]] || fail "ConfigMap file mode (defaultMode 0440)"
k patch configmap web-config -p '{"data":{"greeting":"hello v2"}}' >/dev/null
greeting_v2() { [[ $(kx web-0 cat /etc/web/greeting) == "hello v2" ]]; }
until_ok "Secret env, ConfigMap mode 0440, ConfigMap update seen in the pod" 90 greeting_v2

# A container killed with SIGKILL is restarted: restartCount 1, last exit 137.
main_pid=
for pid in $(ip netns pids "$pod_net-$ns-web-1"); do
  if grep -qa 'while true; do echo "tick' "/proc/$pid/cmdline" 2>/dev/null; then main_pid=$pid; fi
done
[[ -n $main_pid ]] || fail "no main process found in web-1 (netns $pod_net-$ns-web-1)"
kill -KILL "$main_pid"
restarted() { [[ $(jp pod web-1 '{.status.containerStatuses[0].restartCount}') -ge 1 &&
  $(jp pod web-1 '{.status.containerStatuses[0].lastState.terminated.exitCode}') == 137 ]]; }
until_ok "container restarted after SIGKILL (restartCount >= 1, lastState exit 137)" 60 restarted

# Deleting a pod: the StatefulSet controller recreates it, with the same PVC and its data.
uid0=$(jp pod web-0 '{.metadata.uid}')
k delete pod web-0 --wait=false >/dev/null
recreated() { [[ $(jp pod web-0 '{.metadata.uid}') != "$uid0" ]] && k wait --for=condition=Ready pod/web-0 --timeout=1s; }
until_ok "web-0 deleted and recreated by the StatefulSet controller" 120 recreated
[[ $(kx web-0 wc -l /data/boots | cut -d' ' -f1) == 2 ]] || fail "web-0's /data/boots should have 2 boots"
[[ $(kx web-0 cat /data/prestop) == "preStop ran" ]] || fail "preStop of the deleted web-0"
pass "recreated web-0 kept its volume (2 boots) and ran preStop before"

# Scale down: web-1 goes gracefully (preStop, SIGTERM handled, object removed by the agent).
web1_dir=$(find "$state_dir/node/pods" -maxdepth 1 -name "${ns}_web-1_$(jp pod web-1 '{.metadata.uid}')")
k scale statefulset web --replicas=1 >/dev/null
gone() { ! k get pod web-1; }
until_ok "scaled to 1: web-1 deleted" 60 gone
grep -q "got SIGTERM" "$web1_dir"/logs/web-1-web-*.log || fail "web-1 did not log SIGTERM (logs in $web1_dir/logs)"
[[ ! -e /run/netns/$pod_net-$ns-web-1 ]] || fail "web-1's network namespace is still there"
pass "web-1 stopped gracefully (SIGTERM handled; logs kept in $web1_dir/logs; netns removed)"

# Volume expansion, then reclaim of a deleted claim's volume.
k patch pvc data-web-0 -p '{"spec":{"resources":{"requests":{"storage":"32Mi"}}}}' >/dev/null
expanded() { [[ $(jp pvc data-web-0 '{.status.capacity.storage}') == 32Mi &&
  $("$kubectl" get pv "$(jp pvc data-web-0 '{.spec.volumeName}')" -o 'jsonpath={.spec.capacity.storage}') == 32Mi ]]; }
until_ok "PVC data-web-0 expanded to 32Mi (PV and PVC status)" 60 expanded
pv1=$(jp pvc data-web-1 '{.spec.volumeName}')
k delete pvc data-web-1 >/dev/null
pv_gone() { ! "$kubectl" get pv "$pv1" && [[ ! -e $state_dir/volumes/$pv1 ]]; }
until_ok "PVC data-web-1 deleted: PV $pv1 and its directory reclaimed" 60 pv_gone

"$kubectl" delete namespace "$ns" --wait=true --timeout=120s >/dev/null || fail "namespace $ns did not go away"
pass "namespace $ns deleted (pods stopped by the agent)"
log "PASS in $((SECONDS - started)) s"
