#!/usr/bin/env bash
# Build (or reuse) a Debian minbase root standing in for a database image: by default Debian sid
# with MySQL 9.x server and client (mysql:*); with ROOT_PACKAGES and DEBIAN_SUITE=trixie, MariaDB
# 11.8 (mariadb:11.8).
#
# Env:
#   MYSQL_ROOTFS  where the root lives (default /var/cache/mysql-cluster-e2e/mysql-sid-root)
#   DEBIAN_MIRROR mirror for debootstrap (default http://deb.debian.org/debian)
#   DEBIAN_SUITE  suite (default sid)
#   ROOT_PACKAGES comma-separated packages (default: MySQL server core, client, bash, coreutils,
#                 procps, socat)
#   SERVER_BIN    the server binary the root must run (default /usr/sbin/mysqld); it must answer
#                 --version
#   ROOT_FILES    space-separated PATH=HOST_FILE: executables copied into the root, e.g. a binary
#                 built from source where the official image keeps it (default none)
#
# The root is built in a temp dir beside MYSQL_ROOTFS, marked complete, then renamed
# into place, so a crash never leaves a half-built root at MYSQL_ROOTFS. The marker
# records the mysql uid:gid used; a root whose marker disagrees is rebuilt.
set -euo pipefail

rootfs=${MYSQL_ROOTFS:-/var/cache/mysql-cluster-e2e/mysql-sid-root}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${DEBIAN_SUITE:-sid}
default_packages=mysql-server-core,mysql-client,bash,coreutils,procps,socat
packages=${ROOT_PACKAGES:-$default_packages}
server_bin=${SERVER_BIN:-/usr/sbin/mysqld}
marker=.mysql-cluster-e2e-complete

# The mysql ids inside the root equal the host's mysql ids, so a datadir chowned
# on the host is owned by mysql in both the host root (MariaDB) and this root.
if host_uid=$(id -u mysql 2>/dev/null) && host_gid=$(getent group mysql | cut -d: -f3); then
  mysql_uid=$host_uid mysql_gid=$host_gid
else
  mysql_uid=999 mysql_gid=999
fi
want_marker="mysql-uid=$mysql_uid mysql-gid=$mysql_gid"
# (the default root's marker predates the package list: a cached one stays valid)
[[ $packages == "$default_packages" && $suite == sid ]] || want_marker+=" suite=$suite packages=$packages"
files=${ROOT_FILES:-}
[[ -z $files ]] || want_marker+=" files=$files"

log() { printf 'build-image-root: %s\n' "$*" >&2; }

# Remove a directory without following mount points into the host (e.g. a /proc
# left mounted by a crashed debootstrap).
discard_dir() {
  local dir=$1 mnt
  [ -e "$dir" ] || return 0
  findmnt -rn -o TARGET | awk -v d="$dir/" 'index($0, d) == 1' | sort -r | while read -r mnt; do
    umount -l "$mnt" || true
  done
  rm -rf --one-file-system "$dir"
}

is_complete() {
  [ -f "$1/$marker" ] && [ "$(cat "$1/$marker")" = "$want_marker" ]
}

report_version() {
  chroot "$rootfs" "$server_bin" --version
}

# Serialise concurrent builds; the lock file lives beside the root.
mkdir -p "$(dirname "$rootfs")"
exec 9>"$rootfs.lock"
flock 9

# Under the lock, any temp dir is the leftover of a crashed build.
for stale in "$rootfs".tmp.*; do
  [ -e "$stale" ] || continue
  log "discarding leftover $stale"
  discard_dir "$stale"
done

if is_complete "$rootfs"; then
  log "reusing complete root at $rootfs"
  report_version
  exit 0
fi
if [ -e "$rootfs" ]; then
  log "discarding incomplete or outdated $rootfs"
  discard_dir "$rootfs"
fi

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

tmp=$rootfs.tmp.$$
trap 'discard_dir "$tmp"' EXIT
trap 'exit 130' INT TERM
started=$(date +%s)

# Debootstrap in a private mount namespace: the /proc and /sys it mounts into the
# target vanish with it, even when it crashes.
log "debootstrap $suite into $tmp"
unshare --mount --propagation private \
  debootstrap --variant=minbase --include="$packages" "$suite" "$tmp" "$mirror" \
  >"$tmp.log" 2>&1 || { tail -n 30 "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
rm -f "$tmp.log"

# What the server-core packages leave out: the mysql account and its runtime dirs.
if ! grep -q '^mysql:' "$tmp/etc/group"; then
  echo "mysql:x:$mysql_gid:" >>"$tmp/etc/group"
fi
if ! grep -q '^mysql:' "$tmp/etc/passwd"; then
  echo "mysql:x:$mysql_uid:$mysql_gid:MySQL Server,,,:/nonexistent:/bin/false" >>"$tmp/etc/passwd"
fi
for id_check in "passwd:$mysql_uid" "group:$mysql_gid"; do
  db=${id_check%%:*} id=${id_check#*:}
  owners=$(awk -F: -v id="$id" '$3 == id { print $1 }' "$tmp/etc/$db")
  [ "$owners" = mysql ] || { log "id $id in $db is held by: $owners"; exit 1; }
done
install -d -m 0755 -o "$mysql_uid" -g "$mysql_gid" "$tmp/run/mysqld" "$tmp/var/lib/mysql"
install -d -m 0700 -o "$mysql_uid" -g "$mysql_gid" "$tmp/var/lib/mysql-files"

for file in $files; do
  install -D -m 0755 "${file#*=}" "$tmp/${file%%=*}"
done

# Keep the image small: package caches are not needed at run time.
rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*

chroot "$tmp" "$server_bin" --version >/dev/null
echo "$want_marker" >"$tmp/$marker"
sync -f "$tmp/$marker"
mv -T "$tmp" "$rootfs"
trap - EXIT
log "built $rootfs in $(($(date +%s) - started)) s ($(du -sh "$rootfs" | cut -f1))"
report_version
