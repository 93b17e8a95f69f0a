#!/usr/bin/env bash
# Build (or reuse) the Prometheus MySQL exporter the `prom/mysqld-exporter:<version>` image ships,
# from its Go module (the only source these machines reach), and print the binary's path.
#
# Env:
#   EXPORTER_VERSION  module version (default v0.16.0, the component's default image tag)
#   EXPORTER_CACHE    where binaries are kept by version (default /var/cache/mysql-cluster-e2e)
#
# The binary is built in a temp dir and renamed into place, so a crash leaves no half-built one.
set -euo pipefail

version=${EXPORTER_VERSION:-v0.16.0}
cache=${EXPORTER_CACHE:-/var/cache/mysql-cluster-e2e}
module=github.com/prometheus/mysqld_exporter
out=$cache/mysqld_exporter-$version

log() { printf 'build-exporter: %s\n' "$*" >&2; }

if [[ -x $out ]]; then
  log "reusing $out"
  printf '%s\n' "$out"
  exit 0
fi
command -v go >/dev/null || { log "go is needed to build $module $version"; exit 1; }
mkdir -p "$cache"
work=$(mktemp -d "$cache/.build-exporter.XXXXXX")
trap 'rm -rf "$work"' EXIT
started=$SECONDS
log "building $module $version (go build; a cold build downloads its modules, ~1-2 min)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=mod
(
  cd "$work"
  go mod init exporter-build >/dev/null 2>&1
  go mod edit -require="$module@$version"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$module" >tools.go
  go mod tidy
  go build -trimpath -buildvcs=false \
    -ldflags "-X github.com/prometheus/common/version.Version=${version#v} -X github.com/prometheus/common/version.Branch=HEAD" \
    -o "$work/mysqld_exporter" "$module"
) >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 1; }
"$work/mysqld_exporter" --version >/dev/null 2>&1 || { log "the built exporter does not run"; exit 1; }
mv -f "$work/mysqld_exporter" "$out"
log "built $out in $((SECONDS - started)) s"
printf '%s\n' "$out"
