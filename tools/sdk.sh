#!/usr/bin/env bash
# npm run sdk: writes sdk/python and sdk/go from provider/schema.json (run `npm run schema` first)
# with gen-sdk (tools/gen-sdk/main.go: the pulumi CLI release's code generators), which
# tools/build/pulumi.sh builds or reuses. Both SDKs ship in the npm package; test:k8s fails when
# they are not what this writes (docs/languages.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=$(tools/build/pulumi.sh | sed -n 's/^PULUMI_BIN_DIR=//p')
[[ -x $bin/gen-sdk ]] || { echo "tools/build/pulumi.sh printed no PULUMI_BIN_DIR with gen-sdk" >&2; exit 1; }
for language in python go; do
  "$bin/gen-sdk" -schema provider/schema.json -language "$language" -out "sdk/$language"
done
