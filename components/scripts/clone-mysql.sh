#!/usr/bin/env bash
# clone-mysql: on a replica's first start, fills the data volume with a physical copy of a peer.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=replication.sh
source "$here/replication.sh"

# 1. the primary never clones: run-mysql.sh initialises its empty volume
ordinal=$(pod_ordinal "${POD_NAME:?}")
if ((ordinal == 0)); then
  log "pod 0 is the primary: nothing to clone"
  exit 0
fi

# 2. a finished copy is renamed into place in one step, so its presence means complete;
#    a copy cut at any point never reaches DATADIR and is wiped below
if [[ -d ${DATADIR:?} ]]; then
  log "data directory present: clone skipped"
  exit 0
fi

# 3. the method's clone_from_peer HOST TARGET (CLONE plugin or backup stream)
case ${BOOTSTRAP_METHOD:?} in
  clone | stream) ;;
  *) die "BOOTSTRAP_METHOD must be 'clone' or 'stream', got '$BOOTSTRAP_METHOD'" ;;
esac
# shellcheck source=bootstrap-stream.sh
source "$here/bootstrap-$BOOTSTRAP_METHOD.sh"

# 4. nearest ready peer first (pod N-1 under OrderedReady), then the others down to the primary
staging="${DATA_ROOT:?}/clone.tmp"
for ((donor = ordinal - 1; donor >= 0; donor--)); do
  host=$(peer_host "$donor")
  rm -rf "$staging"
  log "cloning from $host"
  if clone_from_peer "$host" "$staging"; then
    # 5. record how replication must start; run-mysql.sh applies it, then removes the marker
    printf '%s\n' "$BOOTSTRAP_METHOD" >"$staging/$PENDING_MARKER"
    sync -f "$staging/$PENDING_MARKER" 2>/dev/null || sync
    mv "$staging" "$DATADIR"
    log "clone from $host complete"
    exit 0
  fi
  log "clone from $host failed"
done
rm -rf "$staging"
die "no peer could be cloned; the kubelet retries this init container"
