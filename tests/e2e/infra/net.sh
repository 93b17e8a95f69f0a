#!/usr/bin/env bash
# Emulated pod network: one bridge namespace per net, one namespace per pod.
#
#   net.sh up      <net>                 namespace <net>-br holding bridge br0
#   net.sh down    <net>                 delete every <net>-* namespace (kills what runs there)
#   net.sh pod-add <net> <pod> <addr/len> namespace <net>-<pod>: lo, eth0 on the bridge
#   net.sh pod-del <net> <pod>           delete the pod namespace (kills what runs there)
#
# Pod addresses come from 127.0.0.0/8 (e.g. 127.10.0.11/16) so that no traffic can
# ever leave the machine. Each pod keeps its own 127.0.0.1 on lo; the host's lo is
# not reachable from any pod, since no namespace of a net has a link to the host.
# Every subcommand is idempotent. <net> is [a-z0-9]+ (no dash), so that "<net>-" is
# a prefix no other net shares and `down` finds everything even after a crash.
set -euo pipefail

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { printf 'net.sh: %s\n' "$*" >&2; exit 1; }

check_net() { [[ $1 =~ ^[a-z0-9]+$ ]] || die "net name must match [a-z0-9]+, got '$1'"; }
check_pod() {
  [[ $1 =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || die "pod name must be a DNS label, got '$1'"
  [ "$1" != br ] || die "pod name 'br' is reserved for the bridge namespace"
}

ns_works() { ip netns exec "$1" true 2>/dev/null; }

# A netns whose mount is missing (crash between mkdir and mount) is replaced.
ensure_ns() {
  ns_works "$1" && return 0
  ip netns delete "$1" 2>/dev/null || true
  ip netns add "$1"
}

# Kill what still runs in the namespace, then delete it; a netns stays alive while
# any process is in it, and a stray mysqld would keep its port and datadir.
delete_ns() {
  local ns=$1 pids
  [ -e "/run/netns/$ns" ] || return 0
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] || break
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL $pids 2>/dev/null || true
    sleep 0.2
  done
  [ -z "$(ip netns pids "$ns" 2>/dev/null || true)" ] || die "processes survive in $ns"
  ip netns delete "$ns"
}

# Bridge-side veth name: IFNAMSIZ is 16, so long pod names use a checksum instead.
veth_name() {
  local name="v-$1"
  if [ ${#name} -gt 15 ]; then name="v-$(printf %s "$1" | cksum | cut -d' ' -f1)"; fi
  printf %s "$name"
}

net_up() {
  local br_ns="$1-br"
  ensure_ns "$br_ns"
  ip -n "$br_ns" link show br0 >/dev/null 2>&1 || ip -n "$br_ns" link add br0 type bridge
  ip -n "$br_ns" link set lo up
  ip -n "$br_ns" link set br0 up
}

net_down() {
  local path
  # Pods first: deleting a pod namespace removes its veth pair from the bridge.
  # The glob also finds entries a crash left unmounted, which `ip netns list` chokes on.
  for path in /run/netns/"$1"-*; do
    if [ ! -e "$path" ] || [ "${path##*/}" = "$1-br" ]; then continue; fi
    delete_ns "${path##*/}"
  done
  delete_ns "$1-br"
}

pod_add() {
  local net=$1 pod=$2 addr=$3 br_ns="$1-br" pod_ns="$1-$2" veth old
  [[ $addr =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$ ]] || die "address must be 127.x.y.z/len, got '$addr'"
  veth=$(veth_name "$pod")
  net_up "$net"
  ensure_ns "$pod_ns"
  # Loopback-range addresses on a non-lo device are martians unless route_localnet
  # is set: it governs input (ARP and IP) and output source checks, per device.
  ip netns exec "$pod_ns" sysctl -qw net.ipv4.conf.all.route_localnet=1 \
    net.ipv4.conf.default.route_localnet=1
  # lo comes up with 127.0.0.1/8, i.e. `local 127.0.0.0/8`: every 127.x peer would
  # be this pod itself. Keep only 127.0.0.1/32 so other 127.x go out of eth0.
  ip -n "$pod_ns" link set lo up
  ip -n "$pod_ns" addr del 127.0.0.1/8 dev lo 2>/dev/null || true
  ip -n "$pod_ns" addr replace 127.0.0.1/32 dev lo
  if ! ip -n "$pod_ns" link show eth0 >/dev/null 2>&1; then
    ip -n "$br_ns" link del "$veth" 2>/dev/null || true
    ip -n "$br_ns" link add "$veth" type veth peer name eth0 netns "$pod_ns"
  fi
  ip netns exec "$pod_ns" sysctl -qw net.ipv4.conf.eth0.route_localnet=1
  ip -n "$br_ns" link set "$veth" master br0 up
  # One address per pod: drop any other one left by an earlier pod-add.
  for old in $(ip -n "$pod_ns" -4 addr show dev eth0 | awk '/inet /{print $2}'); do
    [ "$old" = "$addr" ] || ip -n "$pod_ns" addr del "$old" dev eth0
  done
  ip -n "$pod_ns" addr replace "$addr" dev eth0
  ip -n "$pod_ns" link set eth0 up
}

pod_del() {
  local veth
  veth=$(veth_name "$2")
  delete_ns "$1-$2"
  # The veth pair dies with the pod namespace; this covers a crash before the move.
  if ns_works "$1-br"; then ip -n "$1-br" link del "$veth" 2>/dev/null || true; fi
}

[ $# -ge 2 ] || usage
cmd=$1 net=$2
check_net "$net"
case "$cmd" in
  up) [ $# -eq 2 ] || usage; net_up "$net" ;;
  down) [ $# -eq 2 ] || usage; net_down "$net" ;;
  pod-add) [ $# -eq 4 ] || usage; check_pod "$3"; pod_add "$net" "$3" "$4" ;;
  pod-del) [ $# -eq 3 ] || usage; check_pod "$3"; pod_del "$net" "$3" ;;
  *) usage ;;
esac
