#!/usr/bin/env bash
# Installs the one Node.js this project supports (the LTS release in .node-version) and the npm
# release bundled with it, both at exact versions from the npm registry: node-linux-<arch> carries
# the official Node.js build (bin/node only), npm is npm itself. Cached outside the checkout by
# version, under ${NODE_CACHE:-$HOME/.cache/mysql-cluster/node}/<version>: a second run downloads
# nothing. Fetching needs an npm of any version (e.g. Debian's `apt-get install npm`).
# Prints the bin directory (node, npm, npx) to put first on PATH:
#   PATH="$(tools/node.sh):$PATH"
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
node_version=$(tr -d '[:space:]' <"$repo_root/.node-version")
# the npm that the official Node.js 22.21.0 release bundles (its CHANGELOG: "upgrade npm to 10.9.4")
npm_version=10.9.4
log() { printf '[node.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $node_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die ".node-version holds '$node_version', not an exact version"
case $(uname -m) in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) die "no node-linux package for $(uname -m)" ;;
esac

cache=${NODE_CACHE:-$HOME/.cache/mysql-cluster/node}
dir=$cache/$node_version-npm-$npm_version
bin=$dir/node_modules/.bin
installed() { [[ -x $1/node && $("$1/node" --version 2>/dev/null) == "v$node_version" && -x $1/npm ]]; }

if ! installed "$bin"; then
  command -v npm >/dev/null || die "an npm is needed to fetch node-linux-$arch@$node_version from the registry (Debian: apt-get install npm)"
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.install.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  log "installing node-linux-$arch@$node_version and npm@$npm_version from the npm registry into $dir"
  npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --loglevel=error \
    "node-linux-$arch@$node_version" "npm@$npm_version" >&2
  installed "$tmp/node_modules/.bin" || die "node-linux-$arch@$node_version did not install a working node $node_version"
  rm -rf "$dir"
  mv "$tmp" "$dir"
fi
printf '%s\n' "$bin"
