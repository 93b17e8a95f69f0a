#!/usr/bin/env bash
# Builds a real Kubernetes control plane from the Go module proxy, pinned by
# tools/versions.env:
#   etcd-<ETCD_VERSION>/              etcd, etcdctl
#   kubernetes-<KUBERNETES_VERSION>/  kube-apiserver, kube-controller-manager,
#                                     kube-scheduler, kubectl
# under ${TOOLS_CACHE:-$HOME/.cache/mysql-cluster/tools}. A piece whose binaries are
# already there is not built again. Needs only Go (1.26+, the modules' go line), the
# module proxy and a base Debian (bash, coreutils, sed, grep, util-linux for flock and
# setsid); the wrapper modules are generated under <cache>/work/.
#
# Neither go.etcd.io/etcd/server/v3 nor k8s.io/kubernetes can be `go install`ed (their
# go.mod files have replace lines), so each piece is built from a small generated module
# that requires it. k8s.io/kubernetes requires its staging modules (k8s.io/api,
# k8s.io/client-go, ...) at v0.0.0 and replaces them with ./staging/...; the wrapper
# replaces each of them with the published k8s.io/<name> v0.<minor>.<patch> instead.
#
# Concurrent runs are safe: a run waits (flock) while another builds the same piece.
# Environment: TOOLS_CACHE (cache root), VERSIONS_FILE (pins; default ../versions.env).
# The last lines printed are ETCD_BIN_DIR=... and KUBERNETES_BIN_DIR=...
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
versions_file=${VERSIONS_FILE:-$script_dir/../versions.env}
# shellcheck source=tools/versions.env disable=SC1091
source "$versions_file"

: "${ETCD_VERSION:?ETCD_VERSION is not set in $versions_file}"
: "${KUBERNETES_VERSION:?KUBERNETES_VERSION is not set in $versions_file}"

cache_root=${TOOLS_CACHE:-${HOME:?}/.cache/mysql-cluster/tools}
etcd_dir=$cache_root/etcd-$ETCD_VERSION
kubernetes_dir=$cache_root/kubernetes-$KUBERNETES_VERSION
etcd_bins=(etcd etcdctl)
kubernetes_bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)

# Use exactly the installed Go (never fetch a toolchain), build static binaries.
export GOTOOLCHAIN=local CGO_ENABLED=0

log() { printf '[kubernetes.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "error: $*" >&2; exit 1; }
duration() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

command -v go >/dev/null || die "go is not on PATH"
log "using $(go version)"

# The background command of ours (a go command, leader of its own process group, so that
# its compile and link processes are stopped with it if this script is interrupted).
bg_pid=
cleanup() {
  if [[ -n $bg_pid ]] && kill -0 "$bg_pid" 2>/dev/null; then
    kill -TERM -- "-$bg_pid" 2>/dev/null || kill -TERM "$bg_pid" 2>/dev/null || true
    wait "$bg_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_step LABEL DIR LOGFILE UNIT CMD...: runs CMD in DIR with its output in LOGFILE and
# prints a progress line once a minute: the lines of output so far, as UNIT (go get
# prints a line per module it downloads, go build -v one per package it compiles).
run_step() {
  local label=$1 dir=$2 logfile=$3 unit=$4 start=$SECONDS next=60 status=0
  shift 4
  log "$label (log: $logfile)"
  # (No job control here, so the subshell is no group leader: setsid makes it one in place.)
  (cd "$dir" && exec setsid "$@") >"$logfile" 2>&1 </dev/null &
  bg_pid=$!
  while kill -0 "$bg_pid" 2>/dev/null; do
    sleep 2
    if ((SECONDS - start >= next)); then
      log "  ... $(duration $((SECONDS - start))) elapsed, $(wc -l <"$logfile") $unit"
      next=$((next + 60))
    fi
  done
  wait "$bg_pid" || status=$?
  bg_pid=
  if ((status != 0)); then
    tail -n 60 "$logfile" >&2
    die "$label failed (exit $status) after $(duration $((SECONDS - start))); full log: $logfile"
  fi
  log "  done: $label in $(duration $((SECONDS - start)))"
}

# have_bins DIR NAME...: true when every DIR/NAME is an executable file.
have_bins() {
  local dir=$1 name
  shift
  for name in "$@"; do
    [[ -x $dir/$name ]] || return 1
  done
}

# lock PIECE-VERSION: takes the lock of that build (waiting while another run holds it),
# so that two runs never build in the same work dir at once; unlock releases it. (Were
# this script killed, a go command it started keeps the lock until it exits.)
lock_fd=
lock() {
  local file=$cache_root/work/$1.lock
  mkdir -p "$cache_root/work"
  exec {lock_fd}>"$file"
  if ! flock -n "$lock_fd"; then
    log "waiting: another run is building $1 (lock: $file)"
    flock "$lock_fd"
  fi
}
unlock() {
  exec {lock_fd}>&-
  lock_fd=
}

# module_time MODULE@VERSION: the version's commit time from the proxy (for buildDate).
module_time() {
  (cd "$cache_root" && go list -m -f '{{with .Time}}{{.UTC.Format "2006-01-02T15:04:05Z"}}{{end}}' "$1")
}

build_etcd() {
  local version=$ETCD_VERSION
  if have_bins "$etcd_dir" "${etcd_bins[@]}"; then
    log "cached: etcd $version"
    return
  fi
  lock "etcd-$version"
  if have_bins "$etcd_dir" "${etcd_bins[@]}"; then
    log "cached: etcd $version (built by the run we waited for)"
    unlock
    return
  fi
  log "building: etcd $version (go.etcd.io/etcd/server/v3, go.etcd.io/etcd/etcdctl/v3)"
  local start=$SECONDS work=$cache_root/work/etcd-$version
  rm -rf "$work"
  mkdir -p "$work"
  cat >"$work/go.mod" <<EOF
// Generated by tools/build/kubernetes.sh: builds etcd $version from the module proxy.
module mysql-cluster.local/build/etcd

go 1.26.0

require (
	go.etcd.io/etcd/etcdctl/v3 $version
	go.etcd.io/etcd/server/v3 $version
)
EOF
  # go.etcd.io/etcd/server/v3 is itself the etcd main package (main.go calls etcdmain.Main).
  local pkgs=(go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3)
  run_step "etcd $version: resolve and download modules" "$work" "$work/get.log" "lines of go get output" \
    go get "${pkgs[@]/%/@$version}"
  local ldflags="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$version"
  rm -rf "$work/out"
  mkdir -p "$work/out"
  local total
  total=$(cd "$work" && go list -deps "${pkgs[@]}" | wc -l)
  run_step "etcd $version: compile etcd, etcdctl" "$work" "$work/build.log" \
    "packages compiled (of at most $total; cached ones are skipped)" \
    go build -v -trimpath -ldflags "$ldflags" -o "$work/out/" "${pkgs[@]}"
  mv "$work/out/server" "$work/out/etcd"
  local reported
  reported=$("$work/out/etcd" --version)
  echo "  ${reported//$'\n'/$'\n'  }"
  [[ $reported == *"etcd Version: ${version#v}"$'\n'* ]] || die "etcd reports a version other than $version"
  rm -rf "$etcd_dir"
  mv "$work/out" "$etcd_dir"
  unlock
  log "built: etcd $version in $(duration $((SECONDS - start))) -> $etcd_dir"
}

build_kubernetes() {
  local version=$KUBERNETES_VERSION
  if have_bins "$kubernetes_dir" "${kubernetes_bins[@]}"; then
    log "cached: kubernetes $version"
    return
  fi
  lock "kubernetes-$version"
  if have_bins "$kubernetes_dir" "${kubernetes_bins[@]}"; then
    log "cached: kubernetes $version (built by the run we waited for)"
    unlock
    return
  fi
  [[ $version =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || die "KUBERNETES_VERSION must look like v1.Y.Z, not $version"
  local minor=${BASH_REMATCH[1]} staging_version="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
  log "building: kubernetes $version (k8s.io/kubernetes, staging modules at $staging_version): ${kubernetes_bins[*]}"
  local start=$SECONDS work=$cache_root/work/kubernetes-$version
  rm -rf "$work"
  mkdir -p "$work"

  # The staging modules: k8s.io/kubernetes's own replace lines into ./staging/ for modules
  # that it also requires (sample-cli-plugin and sample-controller are not required).
  local gomod
  gomod=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$version" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  [[ -f $gomod ]] || die "could not download k8s.io/kubernetes@$version"
  local staging=() name
  while read -r name; do
    if grep -Eq "^[[:space:]]+$name v0\.0\.0([[:space:]]|$)" "$gomod"; then
      staging+=("$name")
    fi
  done < <(sed -n 's|^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*|\1|p' "$gomod")
  ((${#staging[@]} > 10)) || die "found only ${#staging[@]} staging modules in $gomod"
  log "  ${#staging[@]} staging modules: ${staging[*]}"

  {
    echo "// Generated by tools/build/kubernetes.sh: builds Kubernetes $version from the module proxy."
    echo "module mysql-cluster.local/build/kubernetes"
    echo
    echo "go 1.26.0"
    echo
    echo "require k8s.io/kubernetes $version"
    echo
    echo "replace ("
    for name in "${staging[@]}"; do
      printf '\t%s => %s %s\n' "$name" "$name" "$staging_version"
    done
    echo ")"
  } >"$work/go.mod"

  local cmd pkgs=()
  for cmd in "${kubernetes_bins[@]}"; do
    pkgs+=("k8s.io/kubernetes/cmd/$cmd")
  done
  run_step "kubernetes $version: resolve and download modules" "$work" "$work/get.log" "lines of go get output" \
    go get "${pkgs[@]/%/@$version}"

  # The same version variables as kubernetes' hack/lib/version.sh, in both packages.
  local build_date key value ldflags="-s -w"
  build_date=$(module_time "k8s.io/kubernetes@$version")
  for key in gitVersion="$version" gitMajor=1 gitMinor="$minor" gitTreeState=archive \
    buildDate="${build_date:-1970-01-01T00:00:00Z}"; do
    value=${key#*=}
    key=${key%%=*}
    ldflags+=" -X k8s.io/component-base/version.$key=$value -X k8s.io/client-go/pkg/version.$key=$value"
  done
  rm -rf "$work/out"
  mkdir -p "$work/out"
  local total
  total=$(cd "$work" && go list -deps "${pkgs[@]}" | wc -l)
  run_step "kubernetes $version: compile ${kubernetes_bins[*]}" \
    "$work" "$work/build.log" "packages compiled (of at most $total; cached ones are skipped)" \
    go build -v -trimpath -ldflags "$ldflags" -o "$work/out/" "${pkgs[@]}"
  local reported
  for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
    reported=$("$work/out/$cmd" --version)
    echo "  $cmd: $reported"
    [[ $reported == "Kubernetes $version" ]] || die "$cmd reports $reported, not Kubernetes $version"
  done
  "$work/out/kubectl" version --client | sed 's/^/  /'
  rm -rf "$kubernetes_dir"
  mv "$work/out" "$kubernetes_dir"
  unlock
  log "built: kubernetes $version in $(duration $((SECONDS - start))) -> $kubernetes_dir"
}

mkdir -p "$cache_root"
build_etcd
build_kubernetes
echo "ETCD_BIN_DIR=$etcd_dir"
echo "KUBERNETES_BIN_DIR=$kubernetes_dir"
