#!/usr/bin/env bash
# init-mysql: writes this pod's complete server option file from the ConfigMap fragments.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# 1. role from the ordinal: pod 0 is the primary, every other pod a read-only replica
ordinal=$(pod_ordinal "${POD_NAME:?}")
role=replica
((ordinal == 0)) && role=primary

# 2. base + role + user settings, then the per-pod identity (0 is not a valid server id)
staging="${CONF_FILE:?}.tmp"
{
  cat "${CONFIG_DIR:?}/base.cnf" "$CONFIG_DIR/$role.cnf" "$CONFIG_DIR/extra.cnf"
  printf '\n[mysqld]\n# per pod, written by init-mysql\nserver-id=%d\nreport-host=%s\n' \
    "$((${SERVER_ID_BASE:?} + ordinal))" "$(peer_host "$ordinal")"
} >"$staging"
mv -f "$staging" "$CONF_FILE"
log "configured $POD_NAME as $role (server-id $((SERVER_ID_BASE + ordinal)))"
