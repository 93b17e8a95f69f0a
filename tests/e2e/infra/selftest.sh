#!/usr/bin/env bash
# Self-test of the pod emulation: a net with three pods, MariaDB (host root) in db-0,
# MySQL 9 (debootstrapped root) in db-2, clients in db-1 reaching both by address and
# by hosts-file name; then teardown and a check that nothing is left.
# Env: MYSQL_ROOTFS (see build-image-root.sh), SELFTEST_NET (default podselftest).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
net=${SELFTEST_NET:-podselftest}
mysql_root=${MYSQL_ROOTFS:-/var/cache/mysql-cluster-e2e/mysql-sid-root}
mysql_uid=$(id -u mysql) mysql_gid=$(id -g mysql)
sock=/run/mysqld/mysqld.sock
started=$SECONDS
work=/tmp/pod-selftest-$net
pids=()

log() { printf 'selftest: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  "$here/net.sh" down "$net" || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# pod_cmd POD ROOT MOUNTS: sets pod_cmd to the command prefix running one container
# of POD as the mysql user (an array, so `"${pod_cmd[@]}" ... &` yields its pid).
pod_cmd() {
  pod_cmd=(env "POD_NETNS=$net-$1" "POD_HOSTNAME=$1" "POD_ROOT=$2" "POD_MOUNTS=$3"
    "POD_HOSTS_FILE=$work/hosts" "POD_UID=$mysql_uid" "POD_GID=$mysql_gid"
    "POD_ENV_FILE=$work/env" "$here/pod-exec.sh")
}
in_pod() { pod_cmd "$1" "$2" "$3"; shift 3; "${pod_cmd[@]}" "$@"; }

# Start clean: whatever a killed earlier run left goes first.
"$here/build-image-root.sh" >/dev/null
"$here/net.sh" down "$net"
rm -rf --one-file-system "$work"
mkdir -m 0700 "$work"

# The secret only ever travels in the env file and on stdin.
password="pw-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
printf 'PROBE_PASSWORD=%s\0' "$password" >"$work/env"
printf '%s\n' "$password" >"$work/password" # a pattern file: grep's argv stays clean

# Network: three pods, names resolved through each pod's /etc/hosts.
"$here/net.sh" up "$net"
n=11
for pod in db-0 db-1 db-2; do
  "$here/net.sh" pod-add "$net" "$pod" "127.10.0.$n/16"
  echo "127.10.0.$n $pod.db.default.svc.cluster.local $pod.db $pod" >>"$work/hosts"
  n=$((n + 1))
done

# Network: pods talk to each other, never to the host's loopback.
port=$((20000 + RANDOM % 10000))
in_pod db-0 "" "" timeout 10 socat -u TCP-LISTEN:$port OPEN:/dev/null &
sleep 0.5
in_pod db-1 "" "" socat -u /dev/null "TCP:db-0.db:$port" || fail "db-1 cannot reach db-0.db:$port"
wait $! || fail "listener in db-0 failed"
timeout 10 socat -u "TCP-LISTEN:$port,bind=127.0.0.1" OPEN:/dev/null &
host_listener=$!
sleep 0.5
if in_pod db-1 "" "" socat -u /dev/null "TCP:127.0.0.1:$port" 2>/dev/null; then
  fail "the host's 127.0.0.1 answered inside a pod"
fi
socat -u /dev/null "TCP:127.0.0.1:$port"
wait "$host_listener"
log "ok: pod-to-pod TCP by name; host loopback unreachable from pods"

# volumes POD: the POD_MOUNTS of a database pod: datadir volume and a socket dir
# shared by its containers (as an emptyDir would be).
volumes() { printf '%s\n%s' "$work/$1-data:/var/lib/mysql" "$work/$1-run:/run/mysqld"; }

# start_server POD ROOT MOUNTS CMD...: a long-running container, its pid remembered.
start_server() {
  pod_cmd "$1" "$2" "$3"
  "${pod_cmd[@]}" "${@:4}" >"$work/$1.log" 2>&1 &
  pids+=("$!")
}

# wait_ready POD ROOT MOUNTS ADMIN-USER: ping over the shared socket until it answers.
wait_ready() {
  local i
  for i in $(seq 1 120); do
    if in_pod "$1" "$2" "$3" mysqladmin --no-defaults -S "$sock" -u "$4" ping >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.5
  done
  cat "$work/$1.log" >&2
  fail "server in $1 did not become ready (try $i)"
}

# check_engine POD ROOT ADMIN-USER: create a user over the socket, then connect from
# db-1 by address and by name, and check the answer comes from the right server.
check_engine() {
  local pod=$1 root=$2 admin=$3 mounts addr target answer
  mounts=$(volumes "$pod")
  wait_ready "$pod" "$root" "$mounts" "$admin"
  # shellcheck disable=SC2016 # expanded inside the pod
  in_pod "$pod" "$root" "$mounts" bash -c 'mysql --no-defaults -S "$1" -u "$2" <<<"
    CREATE USER probe@\"%\" IDENTIFIED BY \"$PROBE_PASSWORD\";
    GRANT ALL ON *.* TO probe@\"%\";"' _ "$sock" "$admin"
  if grep -qF -f "$work/password" /proc/[0-9]*/cmdline 2>/dev/null; then fail "password in a process argv"; fi
  addr=$(awk -v p="$pod" '$4 == p { print $1 }' "$work/hosts")
  for target in "$addr" "$pod.db"; do
    # shellcheck disable=SC2016 # expanded inside the pod
    answer=$(in_pod db-1 "$root" "" bash -c 'mysql --defaults-file=<(printf "[client]\nuser=probe\npassword=%s\n" "$PROBE_PASSWORD") \
      -h "$1" -N -B -e "SELECT CONCAT(@@hostname, \" \", @@version)"' _ "$target") ||
      fail "db-1 cannot query $target"
    case "$answer" in "$pod "*) ;; *) fail "db-1 -> $target answered '$answer'" ;; esac
    log "ok: db-1 -> $target: $answer"
  done
}

# stop_server: TERM the last server's process group and wait for a clean exit.
stop_server() {
  local pid=${pids[-1]}
  kill -TERM -- "-$pid"
  wait "$pid" || fail "server (pid $pid) exited with $?"
  unset 'pids[-1]'
}

# MariaDB 10.11 from the host root in db-0.
install -d -o mysql -g mysql "$work/db-0-data" "$work/db-0-run" "$work/db-2-data" "$work/db-2-run"
in_pod db-0 "" "$(volumes db-0)" mariadb-install-db --no-defaults --datadir=/var/lib/mysql \
  --user=mysql --skip-test-db >"$work/db-0-install.log" 2>&1 || { cat "$work/db-0-install.log"; fail "install-db"; }
start_server db-0 "" "$(volumes db-0)" mariadbd --no-defaults --datadir=/var/lib/mysql \
  --socket="$sock" --bind-address=0.0.0.0 --skip-name-resolve
check_engine db-0 "" mysql
stop_server

# MySQL 9 from the debootstrapped root in db-2 (datadir is a subdirectory of the volume).
in_pod db-2 "$mysql_root" "$(volumes db-2)" mysqld --no-defaults --initialize-insecure \
  --datadir=/var/lib/mysql/data >"$work/db-2-install.log" 2>&1 || { cat "$work/db-2-install.log"; fail "initialize"; }
start_server db-2 "$mysql_root" "$(volumes db-2)" mysqld --no-defaults --datadir=/var/lib/mysql/data \
  --socket="$sock" --bind-address=0.0.0.0 --mysqlx=OFF --skip-name-resolve
check_engine db-2 "$mysql_root" root
stop_server

# Teardown, then nothing may be left: no netns, no pod mounts in any namespace, no pod process.
for pod in db-0 db-1 db-2; do
  [ -z "$(ip netns pids "$net-$pod")" ] || fail "processes left in pod $pod"
done
"$here/net.sh" down "$net"
if compgen -G "/run/netns/$net-*" >/dev/null; then fail "netns left: $(ls /run/netns)"; fi
if grep -l -e pod-root -e pod-layer /proc/[0-9]*/mountinfo 2>/dev/null; then fail "pod mounts left"; fi
if findmnt -rn -o TARGET | grep -qF "$work"; then fail "mounts under $work left"; fi
log "ok: teardown left nothing"
log "PASS in $((SECONDS - started)) s"
