#!/usr/bin/env bash
# Starts a real, node-less Kubernetes control plane on 127.0.0.1 from the binaries that
# tools/build/kubernetes.sh builds (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler), and smoke-tests it with kubectl: /readyz, version, a namespace, a
# StatefulSet whose controller creates Pods (Pending: there is no node) and PVCs.
#
#   tools/smoke-control-plane.sh           start, run the smoke test, stop
#   tools/smoke-control-plane.sh --serve   start, print KUBECONFIG=..., run until
#                                          interrupted (Ctrl-C / SIGTERM)
#
# Certificates, keys, kubeconfigs, etcd data and logs go to a fresh temp dir
# (CONTROL_PLANE_DIR to choose it), removed at exit unless KEEP_CONTROL_PLANE_DIR=1.
# Every process listens on 127.0.0.1 only, on free ports picked at start; all of them
# are stopped at exit. Needs openssl.
set -euo pipefail

mode=smoke
case ${1:-} in
'') ;;
--serve) mode=serve ;;
*)
  echo "usage: $0 [--serve]" >&2
  exit 2
  ;;
esac

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '[control-plane %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

command -v openssl >/dev/null || {
  echo "openssl is needed (apt-get install openssl)" >&2
  exit 1
}

# The binaries: built (or found cached) by the build script, which prints their dirs.
# (Its progress is shown on stderr as it runs.)
build_out=$("$repo/tools/build/kubernetes.sh" | while IFS= read -r line; do
  printf '%s\n' "$line" >&2
  printf '%s\n' "$line"
done)
etcd_bin=$(sed -n 's/^ETCD_BIN_DIR=//p' <<<"$build_out")
kube_bin=$(sed -n 's/^KUBERNETES_BIN_DIR=//p' <<<"$build_out")
[[ -x $etcd_bin/etcd && -x $kube_bin/kube-apiserver ]] || {
  echo "$build_out" >&2
  echo "tools/build/kubernetes.sh did not produce the binaries" >&2
  exit 1
}

dir=${CONTROL_PLANE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/mysql-cluster-control-plane.XXXXXX")}
mkdir -p "$dir/pki" "$dir/logs"
chmod 700 "$dir"

names=()
pids=()
failed=0
# stop I SECONDS: SIGTERM to process I, then SIGKILL if it has not exited after SECONDS.
stop() {
  local pid=${pids[$1]} start=$SECONDS
  kill "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && ((SECONDS - start < $2)); do
    sleep 0.2
  done
  if kill -KILL "$pid" 2>/dev/null; then
    log "killed ${names[$1]} (still running ${2}s after SIGTERM)"
  else
    log "stopped ${names[$1]} ($((SECONDS - start))s)"
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$? i
  trap - EXIT INT TERM
  # In reverse start order: clients first, etcd last (kube-apiserver's graceful shutdown
  # hangs for minutes, retrying etcd, if etcd is gone first).
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    stop "$i" 20
  done
  if ((status != 0 || failed)); then
    for i in "${!names[@]}"; do
      echo "----- last lines of ${names[i]}.log -----" >&2
      tail -n 25 "$dir/logs/${names[i]}.log" >&2 || true
    done
  fi
  if [[ ${KEEP_CONTROL_PLANE_DIR:-0} == 1 ]]; then
    log "kept $dir"
  else
    rm -rf "$dir"
  fi
  exit "$status"
}
trap cleanup EXIT
if [[ $mode == serve ]]; then
  trap 'exit 0' INT TERM # the normal way to stop a served control plane
else
  trap 'exit 130' INT
  trap 'exit 143' TERM
fi

fail() {
  failed=1
  log "FAILED: $*" >&2
  exit 1
}

# start NAME CMD...: runs CMD in the background with its output in logs/NAME.log.
start() {
  local name=$1
  shift
  "$@" >"$dir/logs/$name.log" 2>&1 &
  names+=("$name")
  pids+=("$!")
  log "started $name (pid $!)"
}

check_alive() {
  local i
  for i in "${!pids[@]}"; do
    kill -0 "${pids[i]}" 2>/dev/null || fail "${names[i]} exited"
  done
}

# wait_for WHAT SECONDS CMD...: retries CMD once a second until it succeeds.
wait_for() {
  local what=$1 deadline=$((SECONDS + $2)) start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    check_alive
    ((SECONDS < deadline)) || fail "timed out waiting for $what"
    sleep 1
  done
  log "ok: $what ($((SECONDS - start))s)"
}

# A free port on 127.0.0.1 (nothing accepts connections on it), not handed out before.
used_ports=" "
free_port() {
  local port _
  for _ in {1..100}; do
    port=$((20000 + RANDOM % 12000))
    [[ $used_ports == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      used_ports+="$port "
      echo "$port"
      return
    fi
  done
  fail "no free port found"
}
etcd_port=$(free_port)
etcd_peer_port=$(free_port)
apiserver_port=$(free_port)
kcm_port=$(free_port)
scheduler_port=$(free_port)
service_cidr=10.96.0.0/16
service_ip=10.96.0.1 # first address of service_cidr: the kubernetes Service

# --- certificates and keys ---------------------------------------------------------
pki=$dir/pki
ossl() { openssl "$@" 2>>"$dir/logs/openssl.log"; }
# ca NAME CN: a self-signed CA.
ca() {
  ossl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$2" \
    -keyout "$pki/$1.key" -out "$pki/$1.crt"
}
# cert CA NAME SUBJECT EXTENSIONS: a key and a certificate signed by CA.
cert() {
  printf '%s\n' "$4" >"$pki/$2.ext"
  ossl req -new -newkey rsa:2048 -nodes -subj "$3" -keyout "$pki/$2.key" -out "$pki/$2.csr"
  ossl x509 -req -in "$pki/$2.csr" -CA "$pki/$1.crt" -CAkey "$pki/$1.key" -CAcreateserial \
    -days 3650 -extfile "$pki/$2.ext" -out "$pki/$2.crt"
}
client_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
ca ca mysql-cluster-local-ca
cert ca apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:$service_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert ca admin "/O=system:masters/CN=kubernetes-admin" "$client_ext"
cert ca controller-manager "/CN=system:kube-controller-manager" "$client_ext"
cert ca scheduler "/CN=system:kube-scheduler" "$client_ext"
# The front proxy (aggregation layer) CA and client: the apiserver publishes this CA in
# kube-system/extension-apiserver-authentication, which the controller manager's and the
# scheduler's delegated authentication read (without it they log errors every few seconds).
ca front-proxy-ca mysql-cluster-local-front-proxy-ca
cert front-proxy-ca front-proxy-client "/CN=front-proxy-client" "$client_ext"
# The service-account token signing key pair.
ossl genrsa -out "$pki/sa.key" 2048
ossl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
log "certificates and keys in $pki"

# kubeconfig NAME: a kubeconfig for the apiserver with the NAME client certificate.
kubeconfig() {
  local file=$dir/$1.kubeconfig
  "$kube_bin/kubectl" --kubeconfig="$file" config set-cluster local \
    --server="https://127.0.0.1:$apiserver_port" --certificate-authority="$pki/ca.crt" --embed-certs >/dev/null
  "$kube_bin/kubectl" --kubeconfig="$file" config set-credentials "$1" \
    --client-certificate="$pki/$1.crt" --client-key="$pki/$1.key" --embed-certs >/dev/null
  "$kube_bin/kubectl" --kubeconfig="$file" config set-context local --cluster=local --user="$1" >/dev/null
  "$kube_bin/kubectl" --kubeconfig="$file" config use-context local >/dev/null
}
kubeconfig admin
kubeconfig controller-manager
kubeconfig scheduler
export KUBECONFIG=$dir/admin.kubeconfig
kubectl() { "$kube_bin/kubectl" "$@"; }

# --- etcd ----------------------------------------------------------------------------
start etcd "$etcd_bin/etcd" \
  --name=local \
  --data-dir="$dir/etcd" \
  --listen-client-urls="http://127.0.0.1:$etcd_port" \
  --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster="local=http://127.0.0.1:$etcd_peer_port" \
  --unsafe-no-fsync \
  --log-level=warn
wait_for "etcd healthy on 127.0.0.1:$etcd_port" 60 \
  "$etcd_bin/etcdctl" --endpoints="http://127.0.0.1:$etcd_port" endpoint health

# --- kube-apiserver ------------------------------------------------------------------
start kube-apiserver "$kube_bin/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 \
  --secure-port="$apiserver_port" \
  --tls-cert-file="$pki/apiserver.crt" \
  --tls-private-key-file="$pki/apiserver.key" \
  --client-ca-file="$pki/ca.crt" \
  --requestheader-client-ca-file="$pki/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User \
  --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$pki/front-proxy-client.crt" \
  --proxy-client-key-file="$pki/front-proxy-client.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$pki/sa.pub" \
  --service-account-signing-key-file="$pki/sa.key" \
  --service-cluster-ip-range="$service_cidr" \
  --authorization-mode=Node,RBAC \
  --allow-privileged=true \
  --endpoint-reconciler-type=none \
  --profiling=false
wait_for "kube-apiserver /readyz on https://127.0.0.1:$apiserver_port" 120 kubectl get --raw /readyz

# --- kube-controller-manager and kube-scheduler ----------------------------------------
start kube-controller-manager "$kube_bin/kube-controller-manager" \
  --kubeconfig="$dir/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$dir/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$dir/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$kcm_port" \
  --leader-elect=false \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$pki/sa.key" \
  --root-ca-file="$pki/ca.crt" \
  --cluster-signing-cert-file="$pki/ca.crt" \
  --cluster-signing-key-file="$pki/ca.key" \
  --service-cluster-ip-range="$service_cidr" \
  --profiling=false
start kube-scheduler "$kube_bin/kube-scheduler" \
  --kubeconfig="$dir/scheduler.kubeconfig" \
  --authentication-kubeconfig="$dir/scheduler.kubeconfig" \
  --authorization-kubeconfig="$dir/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$scheduler_port" \
  --leader-elect=false \
  --profiling=false
# Their /healthz is open to anyone (always-allow path); reached with kubectl, no curl needed.
wait_for "kube-controller-manager /healthz on 127.0.0.1:$kcm_port" 60 \
  kubectl --server="https://127.0.0.1:$kcm_port" --insecure-skip-tls-verify get --raw /healthz
wait_for "kube-scheduler /healthz on 127.0.0.1:$scheduler_port" 60 \
  kubectl --server="https://127.0.0.1:$scheduler_port" --insecure-skip-tls-verify get --raw /healthz

if [[ $mode == serve ]]; then
  log "control plane is up; Ctrl-C stops it"
  echo "KUBECONFIG=$KUBECONFIG"
  echo "CONTROL_PLANE_DIR=$dir"
  while check_alive; do sleep 1; done
  exit 0
fi

# --- smoke test ----------------------------------------------------------------------
log "kubectl get --raw /readyz: $(kubectl get --raw /readyz)"
kubectl version | sed 's/^/  /'
kubectl create namespace smoke
wait_for "default ServiceAccount in namespace smoke (serviceaccount controller)" 60 \
  kubectl -n smoke get serviceaccount default
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Service
metadata: {name: web, namespace: smoke}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: smoke}
spec:
  serviceName: web
  replicas: 2
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.invalid/web:1
          volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
EOF
wait_for "Pods web-0 and web-1 (statefulset controller)" 60 kubectl -n smoke get pod web-0 web-1
wait_for "PVCs data-web-0 and data-web-1 (statefulset controller)" 60 kubectl -n smoke get pvc data-web-0 data-web-1
unschedulable() {
  [[ $(kubectl -n smoke get pod web-0 \
    -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}') == Unschedulable ]]
}
wait_for "web-0 marked Unschedulable by kube-scheduler (no nodes)" 60 unschedulable
has_endpointslice() {
  [[ -n $(kubectl -n smoke get endpointslices -l kubernetes.io/service-name=web -o name) ]]
}
wait_for "EndpointSlice for Service web (endpointslice controller)" 60 has_endpointslice
kubectl -n smoke get statefulset,pods,pvc,endpointslices | sed 's/^/  /'
log "smoke test passed"
