#!/usr/bin/env bash
# Run one container process of an emulated pod: pod-exec.sh COMMAND [ARG...]
#
# Env (read here; none of it reaches the container):
#   POD_NETNS      network namespace of the pod (see net.sh), required
#   POD_HOSTNAME   UTS hostname, e.g. db-1, required
#   POD_ROOT       root filesystem (default: the host's /); always seen through a
#                  private overlay whose writable layer is a tmpfs dropped at exit
#   POD_MOUNTS     newline-separated hostpath:containerpath[:ro] bind mounts
#   POD_HOSTS_FILE file bind-mounted over /etc/hosts
#   POD_UID/POD_GID user and group to run as (default 0/0); supplementary groups cleared
#   POD_WORKDIR    working directory (default /)
#   POD_ENV_FILE   NUL-separated KEY=VALUE pairs: the container's whole environment
#                  (HOSTNAME and PATH get defaults when absent), never put in any argv
#   POD_READ_ONLY_ROOT  non-empty: the root filesystem is read-only (readOnlyRootFilesystem);
#                  volumes, /dev, /dev/shm stay writable
#
# The process keeps the pid it was started with and leads its own process group, so
# `kill PID` signals the container's main process and `kill -- -PID` all of it.
# Mounts live in a private mount namespace that dies with the process.
set -euo pipefail

die() { printf 'pod-exec: %s\n' "$*" >&2; exit 1; }
self=$(readlink -f "${BASH_SOURCE[0]}")
scratch_parent=/run/pod-exec

enter_namespaces() {
  : "${POD_NETNS:?}" "${POD_HOSTNAME:?}"
  [ $# -gt 0 ] || die "no command given"
  [ -e "/run/netns/$POD_NETNS" ] || die "no network namespace $POD_NETNS"
  if [ -n "${POD_ROOT:-}" ]; then [ -d "$POD_ROOT" ] || die "POD_ROOT $POD_ROOT is not a directory"; fi
  # overlayfs splits its options on ',' and lowerdir on ':'.
  case "${POD_ROOT:-}" in *[,:]*) die "POD_ROOT must not contain ',' or ':'" ;; esac
  if [ -n "${POD_ENV_FILE:-}" ]; then [ -r "$POD_ENV_FILE" ] || die "cannot read $POD_ENV_FILE"; fi
  mkdir -p "$scratch_parent"
  # setsid forks when already a group leader; only call it when it will not.
  local pgid
  pgid=$(ps -o pgid= -p $$ | tr -d ' ')
  local setsid=(setsid)
  if [ "$pgid" = $$ ]; then setsid=(); fi
  POD_EXEC_INSIDE=1 exec "${setsid[@]}" nsenter --net="/run/netns/$POD_NETNS" \
    unshare --mount --uts --propagation private -- bash "$self" "$@"
}

# Resolve a container path inside the new root, so that absolute symlinks in the
# image (e.g. /var/run -> /run) cannot point a mount at the host.
container_path() { chroot "$1" /usr/bin/realpath -m -- "$2"; }

bind_into_root() {
  local root=$1 source=$2 target=$3 options=${4:-} resolved
  [ -e "$source" ] || die "mount source $source does not exist"
  resolved=$root$(container_path "$root" "$target")
  if [ -d "$source" ]; then
    mkdir -p "$resolved"
  else
    mkdir -p "$(dirname "$resolved")"
    [ -e "$resolved" ] || touch "$resolved"
  fi
  mount --bind "$source" "$resolved"
  if [ "$options" = ro ]; then mount -o remount,bind,ro "$resolved"; fi
}

# Sets the global root: the container's root as seen from the host tree.
setup_root() {
  local scratch=$scratch_parent line source target options
  echo "$POD_HOSTNAME" >/proc/sys/kernel/hostname
  # The container's writable layer: an overlay over the image, upper dir on a tmpfs
  # mounted in this namespace only (the host's $scratch_parent stays empty).
  mount -t tmpfs -o mode=0755 pod-layer "$scratch"
  mkdir "$scratch/upper" "$scratch/work" "$scratch/root"
  root=$scratch/root
  mount -t overlay pod-root -o "lowerdir=${POD_ROOT:-/},upperdir=$scratch/upper,workdir=$scratch/work" "$root"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    IFS=: read -r source target options <<<"$line"
    if [ -z "$source" ] || [ -z "$target" ]; then die "bad POD_MOUNTS line: $line"; fi
    case "$options" in ""|ro|rw) ;; *) die "bad mount option '$options' in: $line" ;; esac
    bind_into_root "$root" "$source" "$target" "$options"
  done <<<"${POD_MOUNTS:-}"
  if [ -n "${POD_HOSTS_FILE:-}" ]; then bind_into_root "$root" "$POD_HOSTS_FILE" /etc/hosts; fi
}

# Exec the command with exactly the env file's environment: perl builds it from an
# inherited descriptor, so no value ever appears in an argument list.
# shellcheck disable=SC2016 # perl code, expanded by perl
load_env_and_exec='
  my ($hostname, @cmd) = @ARGV;
  %ENV = ();
  {
    open(my $fh, "<&=", 3) or die "pod-exec: fd 3: $!\n";
    local $/ = "\0";
    my $n = 0;
    while (my $kv = <$fh>) {
      $n++;
      chomp $kv;
      next if $kv eq "";
      my ($k, $v) = split /=/, $kv, 2;
      die "pod-exec: env entry $n has no KEY=\n" unless defined $v && length $k;
      $ENV{$k} = $v;
    }
    close $fh;
  }
  $ENV{HOSTNAME} //= $hostname;
  $ENV{PATH} //= "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  exec { $cmd[0] } @cmd or die "pod-exec: cannot exec $cmd[0]: $!\n";
'

run_inside() {
  setup_root
  # fd 3 carries the environment; /dev/null also hides any fd 3 the caller passed.
  exec 3<"${POD_ENV_FILE:-/dev/null}"
  # Swap roots and drop the host tree from this namespace: nothing of the host stays
  # mounted here (not even /run/netns, which would keep other pods' netns alive).
  cd "$root"
  mkdir -p .pod-exec-oldroot
  pivot_root . .pod-exec-oldroot
  cd /
  umount -l /.pod-exec-oldroot
  rmdir /.pod-exec-oldroot
  if [ -n "${POD_READ_ONLY_ROOT:-}" ]; then mount -o remount,bind,ro /; fi
  exec /usr/bin/perl -e "$load_env_and_exec" "$POD_HOSTNAME" \
    /usr/bin/setpriv --reuid="${POD_UID:-0}" --regid="${POD_GID:-0}" --clear-groups -- \
    /usr/bin/env -C "${POD_WORKDIR:-/}" -- "$@"
}

if [ -n "${POD_EXEC_INSIDE:-}" ]; then run_inside "$@"; else enter_namespaces "$@"; fi
