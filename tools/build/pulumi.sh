#!/usr/bin/env bash
# Builds the real Pulumi pieces that `pulumi preview/up` of a TypeScript program needs,
# from the Go module proxy only, pinned by the "Pulumi" section of tools/versions.env:
#
#   pulumi-<PULUMI_VERSION>/
#       pulumi                         the CLI/engine (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
#   pulumi-language-nodejs-<PULUMI_LANGUAGE_NODEJS_VERSION>/
#       pulumi-language-nodejs         the Node.js language host
#       pulumi-resource-pulumi-nodejs  the dynamic-provider shim of pulumi's release archive
#   pulumi-language-python-<PULUMI_LANGUAGE_PYTHON_VERSION>/
#       pulumi-language-python         the Python language host
#       pulumi-language-python-exec    the script it runs programs with (from the same sdk/v3)
#   pulumi-language-go-<PULUMI_LANGUAGE_GO_VERSION>/
#       pulumi-language-go             the Go language host
#   pulumi-language-yaml-<PULUMI_LANGUAGE_YAML_VERSION>/
#       pulumi-language-yaml           the YAML language host (github.com/pulumi/pulumi-yaml)
#   pulumi-resource-kubernetes-<PULUMI_KUBERNETES_VERSION>-<commit>/
#       pulumi-resource-kubernetes     the Kubernetes provider (pulumi-kubernetes/provider/v4)
#   gen-sdk-<PULUMI_VERSION>-<hash of tools/gen-sdk/main.go>/
#       gen-sdk                        writes a package's Python or Go SDK from its schema with the CLI
#                                      release's code generator (tools/gen-sdk/main.go)
#   pulumi-bin-<all of the above>/     hard links to all of them: the one dir to put on PATH
#
# under ${TOOLS_CACHE:-$HOME/.cache/mysql-cluster/tools}. A piece whose binaries are
# already there is not built again ("cached: ..."). The generated wrapper modules live
# under <cache>/work/ (never in the checkout). Needs only Go (>= 1.26.6, the go line of
# pulumi/pkg/v3), the Go module proxy, and a shell; node is needed only at run time.
#
# Why each piece is built the way it is:
# - pkg/v3 cannot be `go install`ed (its go.mod has replace lines), so a generated wrapper
#   module requires pkg/v3 and sdk/v3 at PULUMI_VERSION and copies the non-local replace
#   lines of pkg/v3's own go.mod (github.com/atotto/clipboard => tgummerer/clipboard);
#   flags as in pulumi's release build: CGO_ENABLED=0, -tags osusergo,grpcnotrace,
#   -X .../sdk/v3/go/common/version.Version=v<version>.
# - The language host module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
#   is not served by the module proxy reachable here (403 "This module version is not
#   available" for @v/list, @latest and every query), and the pkg/v3 v3.270.0 zip is not
#   served either. The Node language host was part of the sdk/v3 module itself up to
#   sdk/v3 v3.68.0 (package github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs;
#   from v3.69.0 on it is a separate module), so it is built from that sdk/v3 release in a
#   wrapper module of its own. Current engines still speak to such a host (they fall back
#   from GetRequiredPackages to GetRequiredPlugins), and the current Node SDK's
#   cmd/run still takes the arguments it passes.
# - pulumi-resource-pulumi-nodejs is the shell shim shipped in the sdk/v3 module
#   (nodejs/dist/), copied from sdk/v3 at PULUMI_VERSION.
# - The proxy serves a single pseudo-version of pulumi-kubernetes/provider/v4; its
#   cmd/pulumi-resource-kubernetes embeds schema-embed.json and terraform-mapping-embed.json,
#   which are not in the module zip: the cmd's files are copied into a wrapper module,
#   the embeds are made by the module's own generator (`VERSION=... go run generate.go`,
#   as its Makefile's k8sprovider target does), then it is built with
#   -X .../provider/v4/pkg/version.Version=PULUMI_KUBERNETES_VERSION so the engine sees the
#   version the @pulumi/kubernetes SDK asks for.
#
# Environment: TOOLS_CACHE (cache root), VERSIONS_FILE (pins; default ../versions.env).
# Progress goes to stderr; the last lines on stdout are PULUMI_BIN_DIR=<dir> and an
# `export PATH=...` line.
#
# With the binaries on PATH, tests run pulumi offline with e.g.
#   PULUMI_HOME=<own dir> PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
#   PULUMI_CONFIG_PASSPHRASE=... pulumi login file://<dir>
# The engine then takes pulumi-language-nodejs next to `pulumi` (as a bundled plugin) and
# pulumi-resource-kubernetes from PATH (it prints a warning "using pulumi-resource-kubernetes
# from $PATH"); `pulumi plugin install resource kubernetes <version> --file <binary>` into
# PULUMI_HOME avoids that warning.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
versions_file=${VERSIONS_FILE:-$script_dir/../versions.env}
# shellcheck source=tools/versions.env disable=SC1091
source "$versions_file"

: "${PULUMI_VERSION:?PULUMI_VERSION is not set in $versions_file}"
: "${PULUMI_LANGUAGE_NODEJS_VERSION:?PULUMI_LANGUAGE_NODEJS_VERSION is not set in $versions_file}"
: "${PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION:?PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION is not set in $versions_file}"
: "${PULUMI_KUBERNETES_VERSION:?PULUMI_KUBERNETES_VERSION is not set in $versions_file}"
: "${PULUMI_LANGUAGE_PYTHON_VERSION:?PULUMI_LANGUAGE_PYTHON_VERSION is not set in $versions_file}"
: "${PULUMI_LANGUAGE_GO_VERSION:?PULUMI_LANGUAGE_GO_VERSION is not set in $versions_file}"
: "${PULUMI_LANGUAGE_YAML_VERSION:?PULUMI_LANGUAGE_YAML_VERSION is not set in $versions_file}"

cache_root=${TOOLS_CACHE:-${HOME:?}/.cache/mysql-cluster/tools}
work_root=$cache_root/work

pulumi_mod=github.com/pulumi/pulumi/pkg/v3
sdk_mod=github.com/pulumi/pulumi/sdk/v3
k8s_mod=github.com/pulumi/pulumi-kubernetes/provider/v4
# The provider's commit (last part of its pseudo-version) keys its cache dir, since the
# version it reports is set by us.
k8s_commit=${PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION##*-}

cli_dir=$cache_root/pulumi-$PULUMI_VERSION
lang_dir=$cache_root/pulumi-language-nodejs-$PULUMI_LANGUAGE_NODEJS_VERSION
k8s_dir=$cache_root/pulumi-resource-kubernetes-$PULUMI_KUBERNETES_VERSION-$k8s_commit
python_dir=$cache_root/pulumi-language-python-$PULUMI_LANGUAGE_PYTHON_VERSION
go_dir=$cache_root/pulumi-language-go-$PULUMI_LANGUAGE_GO_VERSION
gen_sdk_src=$script_dir/../gen-sdk/main.go
gen_sdk_dir=$cache_root/gen-sdk-$PULUMI_VERSION-$(sha256sum "$gen_sdk_src" | cut -c1-12)
yaml_dir=$cache_root/pulumi-language-yaml-$PULUMI_LANGUAGE_YAML_VERSION
bin_dir=$cache_root/pulumi-bin-$PULUMI_VERSION-nodejs-$PULUMI_LANGUAGE_NODEJS_VERSION-python-$PULUMI_LANGUAGE_PYTHON_VERSION-go-$PULUMI_LANGUAGE_GO_VERSION-yaml-$PULUMI_LANGUAGE_YAML_VERSION-kubernetes-$PULUMI_KUBERNETES_VERSION-$k8s_commit

# Use exactly the installed Go (never fetch a toolchain); static binaries; ignore any
# go.work above the work dirs.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOWORK=off
build_tags=osusergo,grpcnotrace

log() { printf '[pulumi.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
duration() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

command -v go >/dev/null || die "go is not on PATH"
log "using $(go version); cache: $cache_root"

# A background command of ours, killed if this script is interrupted.
bg_pid=
cleanup() {
  if [[ -n $bg_pid ]] && kill -0 "$bg_pid" 2>/dev/null; then
    kill "$bg_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_step LABEL DIR LOGFILE [TOTAL] -- CMD...: runs CMD in DIR with its output in
# LOGFILE, printing a progress line every 30 seconds: elapsed time and the lines of
# output so far (for `go build -v`: packages compiled, out of TOTAL packages if given).
run_step() {
  local label=$1 dir=$2 logfile=$3 total='' start=$SECONDS next=30 status=0 lines
  shift 3
  if [[ $1 != -- ]]; then
    total=$1
    shift
  fi
  shift # --
  log "$label (log: $logfile)"
  (cd "$dir" && exec "$@") >"$logfile" 2>&1 &
  bg_pid=$!
  while kill -0 "$bg_pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - start >= next)); then
      lines=$(wc -l <"$logfile")
      if [[ -n $total ]]; then
        log "  ... $label: $(duration $((SECONDS - start))), $lines of ~$total packages compiled"
      else
        log "  ... $label: $(duration $((SECONDS - start))), $lines lines of output"
      fi
      next=$((next + 30))
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

# module_dir MODULE@VERSION: downloads a module (if needed) and prints its directory in
# the module cache.
module_dir() {
  local json dir
  json=$(go mod download -json "$1") || die "go mod download $1 failed: $json"
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [[ -n $dir && -d $dir ]] || die "no module directory for $1 in: $json"
  printf '%s\n' "$dir"
}

# copy_replaces GOMOD: adds to the go.mod in the current directory the replace lines of
# GOMOD that point at another module version (local-path replaces, which only make sense
# inside the upstream repository, are left out).
copy_replaces() {
  local line lhs rhs old_path old_ver new_path new_ver
  while IFS= read -r line; do
    line=${line%%//*}
    [[ $line == *'=>'* ]] || continue
    lhs=${line%%=>*}
    rhs=${line#*=>}
    read -r old_path old_ver <<<"$lhs" || true
    read -r new_path new_ver <<<"$rhs" || true
    if [[ $new_path == .* || $new_path == /* || -z $new_ver ]]; then
      continue
    fi
    log "  replace $old_path${old_ver:+ $old_ver} => $new_path $new_ver (from upstream go.mod)"
    go mod edit -replace="$old_path${old_ver:+@$old_ver}=$new_path@$new_ver"
  done < <(awk '
    /^replace[ \t]*\(/ { block = 1; next }
    block && /^\)/     { block = 0; next }
    block              { print; next }
    /^replace[ \t]/    { sub(/^replace[ \t]+/, ""); print }
  ' "$1")
}

# init_wrapper WORK NAME UPSTREAM_GOMOD REQUIREMENT...: a wrapper module NAME in WORK at the go
# version of UPSTREAM_GOMOD, requiring each MODULE@VERSION, with the upstream's non-local replaces.
init_wrapper() {
  local work=$1 name=$2 upstream=$3 requirement
  shift 3
  (
    cd "$work"
    go mod init "$name" >/dev/null 2>&1
    go mod edit -go="$(go mod edit -json "$upstream" | sed -n 's/^[[:space:]]*"Go": "\(.*\)",\{0,1\}$/\1/p')"
    for requirement in "$@"; do go mod edit -require="$requirement"; done
    copy_replaces "$upstream"
  )
}

# new_work_dir NAME: prints a fresh, empty work dir <cache>/work/NAME.
new_work_dir() {
  local dir=$work_root/$1
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '%s\n' "$dir"
}

# write_tools_go DIR IMPORT...: a build-ignored file that makes `go mod tidy` keep the
# requirements of the packages we build.
write_tools_go() {
  local dir=$1 pkg
  shift
  {
    printf '//go:build tools\n\n// Generated by tools/build/pulumi.sh.\npackage tools\n\nimport (\n'
    for pkg in "$@"; do printf '\t_ "%s"\n' "$pkg"; done
    printf ')\n'
  } >"$dir/tools.go"
}

# go_build LABEL WORKDIR OUT LDFLAGS PKG: `go build -v` with a progress count.
go_build() {
  local label=$1 work=$2 out=$3 ldflags=$4 pkg=$5 total
  total=$(cd "$work" && go list -tags "$build_tags" -deps "$pkg" | wc -l) ||
    die "go list -deps $pkg failed"
  run_step "$label: go build ($total packages in the build; cached ones are not listed)" \
    "$work" "$work/build.log" "$total" -- \
    go build -v -buildvcs=false -tags "$build_tags" -ldflags "$ldflags" -o "$out" "$pkg"
}

# have PIECE VERSION DIR FILE...: true (and says so) if all FILEs are in DIR already.
have() {
  local piece=$1 version=$2 dir=$3 f
  shift 3
  for f in "$@"; do
    [[ -x $dir/$f ]] || return 1
  done
  log "cached: $piece $version ($dir)"
}

# --- pulumi CLI ---------------------------------------------------------------------------
build_cli() {
  have pulumi "$PULUMI_VERSION" "$cli_dir" pulumi && return 0
  local start=$SECONDS work pkg_dir
  log "building: pulumi $PULUMI_VERSION ($pulumi_mod + $sdk_mod v$PULUMI_VERSION)"
  work=$(new_work_dir "pulumi-$PULUMI_VERSION")
  pkg_dir=$(module_dir "$pulumi_mod@v$PULUMI_VERSION")
  init_wrapper "$work" pulumi-cli-build "$pkg_dir/go.mod" "$pulumi_mod@v$PULUMI_VERSION" "$sdk_mod@v$PULUMI_VERSION"
  write_tools_go "$work" "$pulumi_mod/cmd/pulumi"
  run_step "pulumi: go mod tidy (downloads the modules)" "$work" "$work/tidy.log" -- go mod tidy
  go_build pulumi "$work" "$work/out/pulumi" \
    "-X $sdk_mod/go/common/version.Version=v$PULUMI_VERSION" "$pulumi_mod/cmd/pulumi"
  PULUMI_HOME=$work/pulumi-home PULUMI_SKIP_UPDATE_CHECK=1 "$work/out/pulumi" version >/dev/null ||
    die "the built pulumi does not run"
  mkdir -p "$cli_dir"
  mv -f "$work/out/pulumi" "$cli_dir/pulumi"
  log "built: pulumi $PULUMI_VERSION in $(duration $((SECONDS - start))) -> $cli_dir"
}

# --- Node.js language host + dynamic-provider shim -----------------------------------------
build_language_nodejs() {
  have pulumi-language-nodejs "$PULUMI_LANGUAGE_NODEJS_VERSION" "$lang_dir" \
    pulumi-language-nodejs pulumi-resource-pulumi-nodejs && return 0
  local start=$SECONDS work sdk_dir shim_dir pkg=$sdk_mod/nodejs/cmd/pulumi-language-nodejs
  log "building: pulumi-language-nodejs $PULUMI_LANGUAGE_NODEJS_VERSION ($pkg from $sdk_mod v$PULUMI_LANGUAGE_NODEJS_VERSION)"
  work=$(new_work_dir "pulumi-language-nodejs-$PULUMI_LANGUAGE_NODEJS_VERSION")
  sdk_dir=$(module_dir "$sdk_mod@v$PULUMI_LANGUAGE_NODEJS_VERSION")
  [[ -f $sdk_dir/nodejs/cmd/pulumi-language-nodejs/main.go ]] ||
    die "$sdk_mod v$PULUMI_LANGUAGE_NODEJS_VERSION has no nodejs/cmd/pulumi-language-nodejs (it moved to a module of its own after v3.68.0)"
  init_wrapper "$work" pulumi-language-nodejs-build "$sdk_dir/go.mod" "$sdk_mod@v$PULUMI_LANGUAGE_NODEJS_VERSION"
  write_tools_go "$work" "$pkg"
  run_step "pulumi-language-nodejs: go mod tidy (downloads the modules)" "$work" "$work/tidy.log" -- go mod tidy
  go_build pulumi-language-nodejs "$work" "$work/out/pulumi-language-nodejs" \
    "-X $sdk_mod/go/common/version.Version=v$PULUMI_LANGUAGE_NODEJS_VERSION" "$pkg"
  # The shim comes from the sdk/v3 release of the CLI: it runs the dynamic-provider entry
  # point of the @pulumi/pulumi package installed next to the program.
  shim_dir=$(module_dir "$sdk_mod@v$PULUMI_VERSION")/nodejs/dist
  [[ -f $shim_dir/pulumi-resource-pulumi-nodejs ]] || die "no pulumi-resource-pulumi-nodejs in $shim_dir"
  install -m 0755 "$shim_dir/pulumi-resource-pulumi-nodejs" "$work/out/pulumi-resource-pulumi-nodejs"
  mkdir -p "$lang_dir"
  mv -f "$work/out/pulumi-resource-pulumi-nodejs" "$work/out/pulumi-language-nodejs" "$lang_dir/"
  log "built: pulumi-language-nodejs $PULUMI_LANGUAGE_NODEJS_VERSION in $(duration $((SECONDS - start))) -> $lang_dir"
}

# --- Python language host ------------------------------------------------------------------
# Part of sdk/v3 up to v3.68.0 (like the Node host); its exec script comes from the same release.
build_language_python() {
  have pulumi-language-python "$PULUMI_LANGUAGE_PYTHON_VERSION" "$python_dir" pulumi-language-python && return 0
  local start=$SECONDS work sdk_dir pkg=$sdk_mod/python/cmd/pulumi-language-python
  log "building: pulumi-language-python $PULUMI_LANGUAGE_PYTHON_VERSION ($pkg from $sdk_mod v$PULUMI_LANGUAGE_PYTHON_VERSION)"
  work=$(new_work_dir "pulumi-language-python-$PULUMI_LANGUAGE_PYTHON_VERSION")
  sdk_dir=$(module_dir "$sdk_mod@v$PULUMI_LANGUAGE_PYTHON_VERSION")
  [[ -f $sdk_dir/python/cmd/pulumi-language-python/main.go ]] ||
    die "$sdk_mod v$PULUMI_LANGUAGE_PYTHON_VERSION has no python/cmd/pulumi-language-python"
  init_wrapper "$work" pulumi-language-python-build "$sdk_dir/go.mod" "$sdk_mod@v$PULUMI_LANGUAGE_PYTHON_VERSION"
  write_tools_go "$work" "$pkg"
  run_step "pulumi-language-python: go mod tidy (downloads the modules)" "$work" "$work/tidy.log" -- go mod tidy
  go_build pulumi-language-python "$work" "$work/out/pulumi-language-python" \
    "-X $sdk_mod/go/common/version.Version=v$PULUMI_LANGUAGE_PYTHON_VERSION" "$pkg"
  install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$work/out/pulumi-language-python-exec"
  mkdir -p "$python_dir"
  mv -f "$work/out/pulumi-language-python" "$work/out/pulumi-language-python-exec" "$python_dir/"
  log "built: pulumi-language-python $PULUMI_LANGUAGE_PYTHON_VERSION in $(duration $((SECONDS - start))) -> $python_dir"
}

# --- Go language host ----------------------------------------------------------------------
# Part of sdk/v3 up to v3.62.0 (go/pulumi-language-go).
build_language_go() {
  have pulumi-language-go "$PULUMI_LANGUAGE_GO_VERSION" "$go_dir" pulumi-language-go && return 0
  local start=$SECONDS work sdk_dir pkg=$sdk_mod/go/pulumi-language-go
  log "building: pulumi-language-go $PULUMI_LANGUAGE_GO_VERSION ($pkg from $sdk_mod v$PULUMI_LANGUAGE_GO_VERSION)"
  work=$(new_work_dir "pulumi-language-go-$PULUMI_LANGUAGE_GO_VERSION")
  sdk_dir=$(module_dir "$sdk_mod@v$PULUMI_LANGUAGE_GO_VERSION")
  [[ -f $sdk_dir/go/pulumi-language-go/main.go ]] ||
    die "$sdk_mod v$PULUMI_LANGUAGE_GO_VERSION has no go/pulumi-language-go (it moved to a module of its own after v3.62.0)"
  init_wrapper "$work" pulumi-language-go-build "$sdk_dir/go.mod" "$sdk_mod@v$PULUMI_LANGUAGE_GO_VERSION"
  write_tools_go "$work" "$pkg"
  run_step "pulumi-language-go: go mod tidy (downloads the modules)" "$work" "$work/tidy.log" -- go mod tidy
  go_build pulumi-language-go "$work" "$work/out/pulumi-language-go" \
    "-X $sdk_mod/go/common/version.Version=v$PULUMI_LANGUAGE_GO_VERSION" "$pkg"
  mkdir -p "$go_dir"
  mv -f "$work/out/pulumi-language-go" "$go_dir/"
  log "built: pulumi-language-go $PULUMI_LANGUAGE_GO_VERSION in $(duration $((SECONDS - start))) -> $go_dir"
}

# --- YAML language host --------------------------------------------------------------------
build_language_yaml() {
  have pulumi-language-yaml "$PULUMI_LANGUAGE_YAML_VERSION" "$yaml_dir" pulumi-language-yaml && return 0
  local start=$SECONDS work mod=github.com/pulumi/pulumi-yaml mod_dir pkg
  pkg=$mod/cmd/pulumi-language-yaml
  log "building: pulumi-language-yaml $PULUMI_LANGUAGE_YAML_VERSION ($pkg)"
  work=$(new_work_dir "pulumi-language-yaml-$PULUMI_LANGUAGE_YAML_VERSION")
  mod_dir=$(module_dir "$mod@v$PULUMI_LANGUAGE_YAML_VERSION")
  init_wrapper "$work" pulumi-language-yaml-build "$mod_dir/go.mod" "$mod@v$PULUMI_LANGUAGE_YAML_VERSION"
  write_tools_go "$work" "$pkg"
  run_step "pulumi-language-yaml: go mod tidy (downloads the modules)" "$work" "$work/tidy.log" -- go mod tidy
  go_build pulumi-language-yaml "$work" "$work/out/pulumi-language-yaml" \
    "-X $mod/pkg/version.Version=v$PULUMI_LANGUAGE_YAML_VERSION" "$pkg"
  mkdir -p "$yaml_dir"
  mv -f "$work/out/pulumi-language-yaml" "$yaml_dir/"
  log "built: pulumi-language-yaml $PULUMI_LANGUAGE_YAML_VERSION in $(duration $((SECONDS - start))) -> $yaml_dir"
}

# --- gen-sdk: the Python and Go SDK generator -----------------------------------------------
# The CLI's wrapper module already requires pkg/v3 at PULUMI_VERSION: gen-sdk starts from its
# go.mod and go.sum.
build_gen_sdk() {
  have gen-sdk "$PULUMI_VERSION" "$gen_sdk_dir" gen-sdk && return 0
  local start=$SECONDS work cli_work=$work_root/pulumi-$PULUMI_VERSION
  log "building: gen-sdk (tools/gen-sdk/main.go, pkg/v3 v$PULUMI_VERSION codegen)"
  [[ -f $cli_work/go.mod && -f $cli_work/go.sum ]] || die "no $cli_work/go.mod: the pulumi CLI's wrapper module (built first) is gone; remove $cli_dir to rebuild both"
  work=$(new_work_dir "gen-sdk-$PULUMI_VERSION")
  cp "$cli_work/go.mod" "$cli_work/go.sum" "$gen_sdk_src" "$work/"
  # the Go code generator's imports are not all in the CLI's build: tidy adds what is missing
  run_step "gen-sdk: go mod tidy" "$work" "$work/tidy.log" -- go mod tidy
  go_build gen-sdk "$work" "$work/out/gen-sdk" "" .
  mkdir -p "$gen_sdk_dir"
  mv -f "$work/out/gen-sdk" "$gen_sdk_dir/"
  log "built: gen-sdk in $(duration $((SECONDS - start))) -> $gen_sdk_dir"
}

# --- Kubernetes provider -------------------------------------------------------------------
build_kubernetes_provider() {
  have pulumi-resource-kubernetes "$PULUMI_KUBERNETES_VERSION ($k8s_mod $PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION)" \
    "$k8s_dir" pulumi-resource-kubernetes && return 0
  local start=$SECONDS work mod_dir cmd_dir f
  log "building: pulumi-resource-kubernetes $PULUMI_KUBERNETES_VERSION ($k8s_mod $PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION)"
  work=$(new_work_dir "pulumi-resource-kubernetes-$PULUMI_KUBERNETES_VERSION-$k8s_commit")
  mod_dir=$(module_dir "$k8s_mod@$PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION")
  cmd_dir=$mod_dir/cmd/pulumi-resource-kubernetes
  for f in main.go generate.go schema.json terraform-mapping.json; do
    [[ -f $cmd_dir/$f ]] || die "no $f in $cmd_dir"
    install -m 0644 "$cmd_dir/$f" "$work/$f"
  done
  # Its only replace line is pulumi-kubernetes/sdk/v4 => ../sdk (a local path): the
  # wrapper takes sdk/v4 at the version the provider's go.mod requires instead.
  init_wrapper "$work" pulumi-resource-kubernetes-build "$mod_dir/go.mod" "$k8s_mod@$PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION"
  # generate.go (build-ignored) imports pulumi's codegen/schema: keep it in go.sum.
  write_tools_go "$work" github.com/pulumi/pulumi/pkg/v3/codegen/schema
  run_step "pulumi-resource-kubernetes: go mod tidy (downloads the modules)" "$work" "$work/tidy.log" -- go mod tidy
  run_step "pulumi-resource-kubernetes: generate schema-embed.json, terraform-mapping-embed.json (go run generate.go)" \
    "$work" "$work/generate.log" -- env VERSION="$PULUMI_KUBERNETES_VERSION" go run -tags "$build_tags" generate.go
  for f in schema-embed.json terraform-mapping-embed.json; do
    [[ -s $work/$f ]] || die "generate.go did not write $f"
  done
  go_build pulumi-resource-kubernetes "$work" "$work/out/pulumi-resource-kubernetes" \
    "-X $k8s_mod/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" .
  mkdir -p "$k8s_dir"
  mv -f "$work/out/pulumi-resource-kubernetes" "$k8s_dir/pulumi-resource-kubernetes"
  log "built: pulumi-resource-kubernetes $PULUMI_KUBERNETES_VERSION in $(duration $((SECONDS - start))) -> $k8s_dir"
}

# --- one dir for PATH ----------------------------------------------------------------------
# Hard links (copies across file systems), so that the engine, which resolves its own
# executable's path, finds the language host and the shim next to `pulumi` as bundled
# plugins.
link_bin_dir() {
  local src
  mkdir -p "$bin_dir"
  for src in "$cli_dir/pulumi" "$lang_dir/pulumi-language-nodejs" \
    "$lang_dir/pulumi-resource-pulumi-nodejs" "$python_dir/pulumi-language-python" \
    "$python_dir/pulumi-language-python-exec" "$go_dir/pulumi-language-go" "$yaml_dir/pulumi-language-yaml" "$gen_sdk_dir/gen-sdk" \
    "$k8s_dir/pulumi-resource-kubernetes"; do
    if [[ ! $bin_dir/${src##*/} -ef $src ]]; then
      ln -f "$src" "$bin_dir/" 2>/dev/null || cp -f "$src" "$bin_dir/"
    fi
  done
}

total_start=$SECONDS
build_cli
build_language_nodejs
build_language_python
build_language_go
build_language_yaml
build_gen_sdk
build_kubernetes_provider
link_bin_dir
log "all pieces ready in $(duration $((SECONDS - total_start)))"
log "  pulumi $PULUMI_VERSION: $cli_dir"
log "  pulumi-language-nodejs $PULUMI_LANGUAGE_NODEJS_VERSION: $lang_dir"
log "  pulumi-language-python $PULUMI_LANGUAGE_PYTHON_VERSION: $python_dir"
log "  pulumi-language-go $PULUMI_LANGUAGE_GO_VERSION: $go_dir"
log "  pulumi-language-yaml $PULUMI_LANGUAGE_YAML_VERSION: $yaml_dir"
log "  pulumi-resource-kubernetes $PULUMI_KUBERNETES_VERSION: $k8s_dir"
log "put on PATH: $bin_dir"
printf 'PULUMI_BIN_DIR=%s\n' "$bin_dir"
# shellcheck disable=SC2016 # $PATH is for the reader's shell
printf 'export PATH="%s:$PATH"\n' "$bin_dir"
