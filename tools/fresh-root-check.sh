#!/usr/bin/env bash
# The README is enough to run the unit suite: in a fresh Debian 12 root (debootstrap minbase), a
# clone of this repository's HEAD runs the README's setup block for the tests (the ```sh block after
# the `fresh-root-check: setup` marker in "## Run the tests"), then the README's `npm test` line,
# both verbatim, as root, with no stdin. A step missing from the README fails the check. CI runs it.
#
# Env (all optional):
#   FRESH_ROOT_MIRROR          Debian mirror (default http://deb.debian.org/debian)
#   FRESH_ROOT_SECURITY_MIRROR security mirror (default http://deb.debian.org/debian-security)
#   FRESH_ROOT_SUITE           Debian suite (default bookworm)
#   FRESH_ROOT_CACHE           pristine root tarballs and download caches
#                              (default $HOME/.cache/mysql-cluster/fresh-root)
#   FRESH_ROOT_MAX_AGE_DAYS    a cached root older than this is built again (default 7)
#   FRESH_ROOT_DOWNLOAD_CACHE  1 (default): keep apt's .debs and npm's cache between runs (every
#                              step still runs; only downloads are saved); 0: download everything
#   FRESH_ROOT_WORK            where the root is unpacked (default /var/tmp)
#   FRESH_ROOT_REV             commit to check (default HEAD)
#   FRESH_ROOT_KEEP            1: keep the unpacked root after the run (default 0)
#   FRESH_ROOT_LOG             full log of the run (default /tmp/mysql-cluster-fresh-root.log)
#   FRESH_ROOT_DRY_RUN         1: print the setup block and test command read from the working
#                              tree's README.md, and stop (no root needed; the unit suite uses it)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mirror=${FRESH_ROOT_MIRROR:-http://deb.debian.org/debian}
security_mirror=${FRESH_ROOT_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
suite=${FRESH_ROOT_SUITE:-bookworm}
cache=${FRESH_ROOT_CACHE:-$HOME/.cache/mysql-cluster/fresh-root}
max_age_days=${FRESH_ROOT_MAX_AGE_DAYS:-7}
download_cache=${FRESH_ROOT_DOWNLOAD_CACHE:-1}
work=${FRESH_ROOT_WORK:-/var/tmp}
rev=${FRESH_ROOT_REV:-HEAD}
keep=${FRESH_ROOT_KEEP:-0}
log_file=${FRESH_ROOT_LOG:-/tmp/mysql-cluster-fresh-root.log}
checkout=/root/mysql-cluster # where the clone lies inside the root
host_ca_in_root=/etc/fresh-root-host-extra-ca-certs.crt
started=$SECONDS
stage_started=$SECONDS

say() { printf '[fresh-root %4d s] %s\n' "$((SECONDS - started))" "$*"; }
die() { say "error: $*" >&2; exit 1; }
stage() { say "$* (previous stage: $((SECONDS - stage_started)) s)"; stage_started=$SECONDS; }

# readme_setup / readme_test_command: what the "## Run the tests" section of the README (text in
# $readme) gives
readme_section() {
  local line in_section=0
  while IFS= read -r line; do
    if [[ $line == '## Run the tests' ]]; then in_section=1; continue; fi
    [[ $in_section == 1 && $line == '## '* ]] && break
    [[ $in_section == 1 ]] && printf '%s\n' "$line"
  done <<<"$readme"
}
readme_setup() {
  local line state=before
  while IFS= read -r line; do
    case $state in
      before) [[ $line == '<!-- fresh-root-check: setup'* ]] && state=marker ;;
      marker) [[ $line == '```sh' ]] && state=block || return 1 ;;
      block) [[ $line == '```' ]] && return 0; printf '%s\n' "$line" ;;
    esac
  done < <(readme_section)
  return 1
}
readme_test_command() {
  local line in_block=0
  while IFS= read -r line; do
    [[ $line == '```'* ]] && { in_block=$((1 - in_block)); continue; }
    if [[ $in_block == 1 && $line =~ ^npm\ test([[:space:]]|$) ]]; then printf '%s\n' "$line"; return 0; fi
  done < <(readme_section)
  return 1
}

# unmount_all ROOT: what the inside stage mounted
unmount_all() {
  local target
  for target in "$1/root/.npm" "$1/var/cache/apt/archives" "$1/dev" "$1/sys" "$1/proc"; do
    ! mountpoint -q "$target" || umount -R "$target" || say "could not unmount $target" >&2
  done
}

# The inside stage: run in a private mount namespace (below), so nothing mounted here outlives it.
if [[ -n ${FRESH_ROOT_INSIDE:-} ]]; then
  root=$FRESH_ROOT_INSIDE
  trap 'unmount_all "$root"' EXIT
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount --rbind /dev "$root/dev"
  if [[ $download_cache == 1 ]]; then
    mkdir -p "$cache/apt-archives/partial" "$cache/npm" "$root/root/.npm"
    mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
    mount --bind "$cache/npm" "$root/root/.npm"
  fi
  extra_cas=
  [[ ! -s $root$host_ca_in_root ]] || extra_cas=1
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} ${no_proxy:+no_proxy=$no_proxy} \
    ${extra_cas:+NODE_EXTRA_CA_CERTS=$host_ca_in_root} \
    /bin/bash /root/fresh-root-steps.sh </dev/null
  exit
fi

if [[ ${FRESH_ROOT_DRY_RUN:-0} == 1 ]]; then
  readme=$(<"$repo/README.md")
  setup=$(readme_setup) || die "README.md has no \`\`\`sh block right after a '<!-- fresh-root-check: setup' line in '## Run the tests'"
  test_command=$(readme_test_command) || die "README.md's '## Run the tests' gives no 'npm test' line in a code block"
  printf '%s\n%s\n' "$setup" "$test_command"
  exit 0
fi
[[ $(id -u) == 0 ]] || die "run as root (debootstrap, chroot and mounts)"
for tool in debootstrap git unshare chroot zstd; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install -y debootstrap git util-linux zstd)"
done
[[ $max_age_days =~ ^[0-9]+$ ]] || die "FRESH_ROOT_MAX_AGE_DAYS must be a whole number of days, got '$max_age_days'"
commit=$(git -C "$repo" rev-parse --verify "$rev^{commit}") || die "FRESH_ROOT_REV '$rev' is not a commit"
readme=$(git -C "$repo" show "$commit:README.md") # the commit's, not the working tree's
setup=$(readme_setup) || die "README.md has no \`\`\`sh block right after a '<!-- fresh-root-check: setup' line in '## Run the tests'"
test_command=$(readme_test_command) || die "README.md's '## Run the tests' gives no 'npm test' line in a code block"
arch=$(dpkg --print-architecture)
say "checking that README.md's setup alone makes '$test_command' pass: Debian $suite minbase, commit ${commit:0:12}, log $log_file"
: >"$log_file"

# 1. the pristine root: a tarball per suite, architecture and day, reused for max_age_days
mkdir -p "$cache/roots"
exec 9>"$cache/roots/.lock"
flock 9
tarball=$(find "$cache/roots" -maxdepth 1 -name "$suite-minbase-$arch-*.tar.zst" -mtime "-$max_age_days" | sort | tail -n1)
if [[ -n $tarball ]]; then
  stage "reusing the pristine root $tarball"
else
  stage "debootstrap --variant=minbase $suite from $mirror (cold: no root younger than $max_age_days days in $cache/roots)"
  building=$(mktemp -d "$work/mysql-cluster-debootstrap.XXXXXX")
  trap 'rm -rf --one-file-system "$building"' EXIT
  unshare --mount --propagation private debootstrap --variant=minbase --arch="$arch" "$suite" "$building" "$mirror" >>"$log_file" 2>&1 ||
    { tail -n 30 "$log_file" >&2; die "debootstrap failed"; }
  # the sources of a fresh Debian install: the suite, its updates and its security updates
  printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
    "$mirror" "$suite" "$mirror" "$suite" "$security_mirror" "$suite" >"$building/etc/apt/sources.list"
  rm -rf "$building/var/cache/apt/archives/"*.deb "$building/var/lib/apt/lists/"*
  tarball=$cache/roots/$suite-minbase-$arch-$(date -u +%Y%m%d).tar.zst
  tar -C "$building" --numeric-owner -cf - . | zstd -q -T0 -o "$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  rm -rf --one-file-system "$building"
  trap - EXIT
  find "$cache/roots" -maxdepth 1 -name "$suite-minbase-$arch-*.tar.zst" ! -path "$tarball" -delete
  say "cached $tarball ($(du -h "$tarball" | cut -f1))"
fi
flock -u 9

# 2. a throw-away copy of it, holding a clone of the commit (nothing of this working tree)
root=$(mktemp -d "$work/mysql-cluster-fresh-root.XXXXXX")
discard_root() {
  # only the private namespace ever mounted anything under the root; refuse to delete through a mount
  if findmnt -rn -o TARGET | grep -qF "$root/"; then say "something is still mounted under $root: left in place" >&2; return; fi
  if [[ $keep == 1 ]]; then say "kept $root"; else rm -rf --one-file-system "$root"; fi
}
trap discard_root EXIT
stage "unpacking the root into $root"
zstd -q -d -c "$tarball" | tar -C "$root" --numeric-owner -xf -
# The machine's network, not the project's setup: its resolver, and the CAs it adds to Node.js's
# own (a TLS-inspecting egress proxy's, as on the machines here: NODE_EXTRA_CA_CERTS, else the CAs
# the machine added to its store), so npm reaches the registry as on this host; proxy variables are
# passed the same way.
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
if [[ -n ${NODE_EXTRA_CA_CERTS:-} ]]; then
  cp -L "$NODE_EXTRA_CA_CERTS" "$root$host_ca_in_root"
elif compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cat /usr/local/share/ca-certificates/*.crt >"$root$host_ca_in_root"
fi
# dpkg without an fsync per file: the same files, sooner (the root is thrown away)
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/fresh-root-unsafe-io"
git clone --quiet --no-hardlinks "$repo" "$root$checkout" >>"$log_file" 2>&1
git -C "$root$checkout" checkout --quiet --detach "$commit"
{
  printf 'set -euo pipefail\ncd %q\n' "$checkout"
  cat <<'STEPS'
echo "[fresh-root] README setup, as root in $PWD"
PS4='+ [$SECONDS s] '
set -x
STEPS
  printf '%s\n' "$setup"
  cat <<'STEPS'
{ set +x; } 2>/dev/null
echo "[fresh-root] README setup done in $SECONDS s; now its test command"
set -x
STEPS
  printf '%s\n' "$test_command"
} >"$root/root/fresh-root-steps.sh"

# 3. the README's setup, then its test command, in the root
stage "running README.md's setup block and '$test_command' in the root (output in $log_file)"
say "setup block:"
printf '    %s\n' "${setup//$'\n'/$'\n'    }"
# progress as it happens: each README step with its start time, then mocha's summary
set +e
FRESH_ROOT_INSIDE=$root unshare --mount --propagation private bash "${BASH_SOURCE[0]}" 2>&1 | tee -a "$log_file" |
  grep --line-buffered -E '^\+ \[[0-9]+ s\]|^\[fresh-root\]|^ +[0-9]+ (passing|failing|pending)' | sed -u 's/^/    /'
status=${PIPESTATUS[0]}
set -e
if [[ $status != 0 ]]; then
  tail -n 60 "$log_file" >&2
  die "README.md's setup and '$test_command' failed in a fresh $suite root (exit $status; full log: $log_file)"
fi
stage "passed: README.md's setup alone makes '$test_command' pass in a fresh Debian $suite root; total $((SECONDS - started)) s"
