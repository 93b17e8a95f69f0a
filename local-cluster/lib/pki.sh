# shellcheck shell=bash
# shellcheck disable=SC2154 # pki, log_dir, node_name, api_port: common.sh; kubectl: up.sh
# Certificates and keys of the local cluster under $pki (sourced by up.sh after common.sh).
# Made once; kept across down/up unless down.sh --purge. One CA signs everything.

# cert NAME SUBJECT EXTENSIONS: key and certificate NAME signed by the CA, unless they exist.
cert() {
  [[ -f $pki/$1.crt && -f $pki/$1.key ]] && return 0
  printf '%s\n' "$3" >"$pki/$1.ext"
  openssl req -new -newkey rsa:2048 -nodes -subj "$2" -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>>"$log_dir/openssl.log"
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -extfile "$pki/$1.ext" -out "$pki/$1.crt" 2>>"$log_dir/openssl.log"
  rm -f "$pki/$1.csr" "$pki/$1.ext"
}

make_pki() {
  local client_ext server_ext
  mkdir -p "$pki"
  chmod 700 "$pki"
  if [[ ! -f $pki/ca.crt ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=mysql-cluster-local-ca" \
      -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>>"$log_dir/openssl.log"
  fi
  client_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  server_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth"
  cert apiserver "/CN=kube-apiserver" "$server_ext
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin "/O=system:masters/CN=kubernetes-admin" "$client_ext"
  cert controller-manager "/CN=system:kube-controller-manager" "$client_ext"
  cert scheduler "/CN=system:kube-scheduler" "$client_ext"
  # The agent also provisions volumes and reads every Secret: cluster-admin, not the node identity.
  cert node-agent "/O=system:masters/CN=local-cluster-node-agent" "$client_ext"
  # kube-apiserver -> kubelet endpoint (kubectl logs), and that endpoint's serving certificate.
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client_ext"
  cert kubelet "/O=system:nodes/CN=system:node:$node_name" "$server_ext
subjectAltName=IP:127.0.0.1,DNS:$node_name,DNS:localhost"
  if [[ ! -f $pki/sa.key ]]; then
    openssl genrsa -out "$pki/sa.key" 2048 2>>"$log_dir/openssl.log"
    openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>>"$log_dir/openssl.log"
  fi
}

# kubeconfig FILE USER: a kubeconfig for the API server with USER's client certificate, embedded.
kubeconfig() {
  local file=$1 user=$2
  "$kubectl" --kubeconfig="$file" config set-cluster local --server="https://127.0.0.1:$api_port" \
    --certificate-authority="$pki/ca.crt" --embed-certs >/dev/null
  "$kubectl" --kubeconfig="$file" config set-credentials "$user" \
    --client-certificate="$pki/$user.crt" --client-key="$pki/$user.key" --embed-certs >/dev/null
  "$kubectl" --kubeconfig="$file" config set-context local --cluster=local --user="$user" >/dev/null
  "$kubectl" --kubeconfig="$file" config use-context local >/dev/null
  chmod 600 "$file"
}
