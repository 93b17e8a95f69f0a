#!/usr/bin/env bash
# serve-backup: sidecar of the stream flavors. Serves this pod's physical backup on BACKUP_PORT,
# one connection at a time, only to a peer that presents the backup secret.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"

# 1. the backup user's credentials, for send-backup.sh
write_client_cnf "${RUN_DIR:?}/backup.cnf" "${BACKUP_USER:?}" "${BACKUP_PASSWORD:?}" "${SOCKET:?}"

# 2. nothing to serve until the local server answers as the backup user
until server_answers "$RUN_DIR/backup.cnf"; do sleep 2; done
log "serving backups on port ${BACKUP_PORT:?}"

# 3. one listener per connection: a second receiver is refused and retries, it never shares a stream
handler="$here/send-backup.sh"
while true; do
  if command -v socat >/dev/null; then
    socat -t "${TRANSFER_IDLE_TIMEOUT_SECONDS:?}" "TCP-LISTEN:$BACKUP_PORT,reuseaddr" "EXEC:bash $handler" ||
      log "backup connection ended with an error"
  elif command -v ncat >/dev/null; then
    ncat --listen "$BACKUP_PORT" --exec "/bin/bash $handler" || log "backup connection ended with an error"
  else
    die "neither socat nor ncat is installed in this image"
  fi
done
