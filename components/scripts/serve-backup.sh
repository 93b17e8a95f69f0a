#!/usr/bin/env bash
# serve-backup: sidecar of the stream flavors. Serves this pod's physical backup on BACKUP_PORT
# to peers that present the backup secret; each connection in its own handler, so a silent client
# holds nothing but its own handler for a few seconds.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"

# 1. the backup user's credentials, for send-backup.sh
require_credentials backup-password
write_client_cnf "${RUN_DIR:?}/backup.cnf" "${BACKUP_USER:?}" "$(credential backup-password)" "${SOCKET:?}"

# 2. nothing to serve until the local server answers as the backup user
until server_answers "$RUN_DIR/backup.cnf"; do sleep 1; done
log "serving backups on port ${BACKUP_PORT:?}"

# 3. a handler per connection (send-backup.sh streams one backup at a time)
handler="$here/send-backup.sh"
while true; do
  if command -v socat >/dev/null; then
    socat -b 65536 -t "${TRANSFER_IDLE_TIMEOUT_SECONDS:?}" "TCP-LISTEN:$BACKUP_PORT,reuseaddr,fork,max-children=8" \
      "EXEC:bash $handler" || log "backup listener ended with an error"
  elif command -v ncat >/dev/null; then
    ncat --listen --keep-open --max-conns 8 "$BACKUP_PORT" --exec "/bin/bash $handler" ||
      log "backup listener ended with an error"
  else
    die "neither socat nor ncat is installed in this image"
  fi
  sleep 1
done
