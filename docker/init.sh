#!/bin/sh
# One-shot provisioning of docker-compose.yml (service `init`, runs as root):
#   - a key per validator in its own volume: /var/lib/poa/keys/<id>/key.json (mode 0600),
#     kept if it already exists;
#   - one genesis listing them: /var/lib/poa/genesis/genesis.json, kept if it already exists.
# Then hands the files to the `node` user the validators run as. Safe to re-run.
# Settings: POA_VALIDATORS (ids, space-separated), POA_CHAIN_ID, POA_SLOT_MS, POA_QUORUM,
# POA_GENESIS_DELAY (time from now to slot 0, e.g. 15s); paths: POA_KEYS_ROOT, POA_GENESIS.
set -eu

VALIDATORS="${POA_VALIDATORS:-validator-1 validator-2 validator-3}"
CHAIN_ID="${POA_CHAIN_ID:-1337}"
SLOT_MS="${POA_SLOT_MS:-1000}"
QUORUM="${POA_QUORUM:-majority}"
GENESIS_DELAY="${POA_GENESIS_DELAY:-15s}"
KEYS_ROOT="${POA_KEYS_ROOT:-/var/lib/poa/keys}"
GENESIS="${POA_GENESIS:-/var/lib/poa/genesis/genesis.json}"
OWNER="${POA_OWNER:-node:node}"

set --
for id in $VALIDATORS; do
  pub=$(poa-validator keygen --out "$KEYS_ROOT/$id/key.json" --reuse)
  echo "init: $id public key $pub"
  set -- "$@" --authority "$id:$pub"
done

if [ -f "$GENESIS" ]; then
  echo "init: keeping existing $GENESIS (remove the volumes, docker-compose down -v, to start a new chain)"
else
  poa-validator genesis "$@" --chain-id "$CHAIN_ID" --slot-ms "$SLOT_MS" --quorum "$QUORUM" \
    --genesis-time "now+$GENESIS_DELAY" --out "$GENESIS"
fi

chown -R "$OWNER" "$KEYS_ROOT" "$(dirname "$GENESIS")"
chmod 0644 "$GENESIS"
echo "init: done"
