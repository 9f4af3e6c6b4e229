#!/usr/bin/env bash
# docker-compose.yml proven on a real engine (issue 15). As root, on Debian bookworm:
#   1. a Docker engine: installs docker.io + docker-compose (apt) and starts dockerd if none answers;
#   2. the base image the Dockerfile starts FROM, made locally when absent (no image registry is
#      reachable): a debootstrap minbase bookworm (rootfs cached under $POA_BASE_CACHE, default
#      /var/cache/poa-base), this machine's node and npm, a `node` user (uid 1000), and the CA
#      bundle $NODE_EXTRA_CA_CERTS names, with the same variable set in the image; `docker import`;
#   3. builds the validator image, `docker-compose up -d`, waits for three healthy validators;
#   4. submits votes through the client package (packages/client/dist: run `npm run build` first)
#      from the host to 127.0.0.1:8001-8003;
#   5. kills validator-2's process with SIGKILL (from the host: `docker kill` would count as a
#      stop asked by the user, which no restart policy undoes), checks the restart policy
#      brings it back (healthy) and that it catches up;
#   6. submits more votes, checks identical results on all three validators;
#   7. `docker-compose down -v`.
# Prints the duration of each step. Exit 0 on success; any failure prints the compose logs.
# Options (env): POA_BASE_CACHE, POA_COMPOSE_PROJECT (default poa-compose-check), KEEP=1 (leave
# the network up), DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT="${POA_COMPOSE_PROJECT:-poa-compose-check}"
CACHE="${POA_BASE_CACHE:-/var/cache/poa-base}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BASE_IMAGE="$(awk 'toupper($1)=="FROM"{print $2; exit}' Dockerfile)"
# The engine's own client (Debian docker.io), not another docker binary earlier in PATH.
DOCKER="$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker || echo docker)"
DC=(docker-compose -p "$PROJECT" -f docker-compose.yml)
T_START=$(date +%s.%N)
TIMINGS=()

now() { date +%s.%N; }
log() { printf '[compose-check %6.1fs] %s\n' "$(echo "$(now) - $T_START" | bc)" "$*"; }
fail() { log "FAIL: $*"; exit 1; }
STEP_NAME=""; STEP_T0=""
step() { # step "name": ends the previous step, starts the next
  if [ -n "$STEP_NAME" ]; then
    local d; d=$(echo "$(now) - $STEP_T0" | bc); TIMINGS+=("$(printf '%-34s %6.1f s' "$STEP_NAME" "$d")")
  fi
  STEP_NAME="$1"; STEP_T0=$(now); [ -n "$1" ] && log "== $1"
  return 0
}
on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && command -v docker-compose >/dev/null 2>&1 && "$DOCKER" info >/dev/null 2>&1; then
    echo "---- docker-compose ps / logs (tail) ----"
    "${DC[@]}" ps || true
    "${DC[@]}" logs --no-color --tail 40 || true
  fi
  if [ "${KEEP:-0}" != 1 ] && command -v docker-compose >/dev/null 2>&1 && "$DOCKER" info >/dev/null 2>&1; then
    "${DC[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  exit $rc
}
trap on_exit EXIT

[ "$(id -u)" = 0 ] || fail "run as root (it installs and starts a Docker engine)"
[ -f packages/client/dist/index.js ] || fail "packages/client/dist missing: run npm ci && npm run build first"

# ---- 1. engine ----
step "engine"
if ! "$DOCKER" info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker-compose >/dev/null 2>&1; then
    log "installing docker.io docker-compose (apt-get)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose >/dev/null) \
      || fail "could not install docker.io / docker-compose with apt-get"
    DOCKER=/usr/bin/docker
  fi
  log "starting dockerd (log: /var/log/poa-dockerd.log)"
  nohup dockerd >/var/log/poa-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 1; done
  "$DOCKER" info >/dev/null 2>&1 || { tail -20 /var/log/poa-dockerd.log; fail "dockerd did not come up in 60 s"; }
fi
command -v docker-compose >/dev/null 2>&1 || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null) || fail "could not install docker-compose"; }
log "engine $("$DOCKER" version --format '{{.Server.Version}}'), $(docker-compose version --short)"

# ---- 2. base image ----
step "base image ($BASE_IMAGE)"
if "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "$BASE_IMAGE present"
else
  mkdir -p "$CACHE"
  ROOTFS_TAR="$CACHE/bookworm-minbase.tar"
  if [ ! -f "$ROOTFS_TAR" ]; then
    command -v debootstrap >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null) || fail "could not install debootstrap"
    log "debootstrap --variant=minbase bookworm (cached in $ROOTFS_TAR)"
    rm -rf "$CACHE/rootfs.tmp"
    debootstrap --variant=minbase bookworm "$CACHE/rootfs.tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
      || { tail -20 "$CACHE/debootstrap.log"; fail "debootstrap failed"; }
    rm -rf "$CACHE/rootfs.tmp/var/cache/apt/archives/"*.deb "$CACHE/rootfs.tmp/var/lib/apt/lists/"*
    tar -C "$CACHE/rootfs.tmp" -cf "$ROOTFS_TAR.part" . && mv "$ROOTFS_TAR.part" "$ROOTFS_TAR"
    rm -rf "$CACHE/rootfs.tmp"
  fi
  NODE_BIN="$(command -v node)"; NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  CA="${NODE_EXTRA_CA_CERTS:-}"
  WORK="$(mktemp -d /tmp/poa-base.XXXXXX)"
  tar -C "$WORK" -xf "$ROOTFS_TAR"
  install -m 0755 "$NODE_BIN" "$WORK/usr/local/bin/node"
  mkdir -p "$WORK/usr/local/lib/node_modules" && cp -a "$NPM_DIR" "$WORK/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$WORK/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$WORK/usr/local/bin/npx"
  grep -q '^node:' "$WORK/etc/group" || echo 'node:x:1000:' >>"$WORK/etc/group"
  grep -q '^node:' "$WORK/etc/passwd" || echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$WORK/etc/passwd"
  grep -q '^node:' "$WORK/etc/shadow" || echo 'node:!:19000:0:99999:7:::' >>"$WORK/etc/shadow"
  mkdir -p "$WORK/home/node" && chown 1000:1000 "$WORK/home/node"
  CHANGES=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["node"]')
  if [ -n "$CA" ] && [ -f "$CA" ]; then
    mkdir -p "$WORK/usr/local/share/poa" && cp "$CA" "$WORK/usr/local/share/poa/extra-ca.pem"
    CHANGES+=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/poa/extra-ca.pem')
  fi
  tar -C "$WORK" -c . | "$DOCKER" import "${CHANGES[@]}" - "$BASE_IMAGE" >/dev/null
  rm -rf "$WORK"
  "$DOCKER" run --rm "$BASE_IMAGE" node -e 'console.log("base image: node " + process.version)'
fi

# ---- 3. build, up, healthy ----
step "image build"
"${DC[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
"${DC[@]}" build -q validator-1 >/dev/null || fail "image build failed"
step "up -d (init + 3 validators)"
"${DC[@]}" up -d >/dev/null 2>&1 || { "${DC[@]}" up -d; fail "docker-compose up failed"; }
cid() { "${DC[@]}" ps -q "$1"; }
health() { "$DOCKER" inspect -f '{{.State.Health.Status}}' "$(cid "$1")" 2>/dev/null || echo none; }
wait_healthy() { # wait_healthy timeout_s service...
  local timeout=$1; shift
  local t0; t0=$(date +%s)
  while :; do
    local all=1 s states=""
    for s in "$@"; do local h; h=$(health "$s"); states+="$s=$h "; [ "$h" = healthy ] || all=0; done
    [ $all = 1 ] && { log "healthy: $states"; return 0; }
    [ $(( $(date +%s) - t0 )) -ge "$timeout" ] && fail "not healthy after ${timeout}s: $states"
    sleep 1
  done
}
step "three healthy validators"
wait_healthy 120 validator-1 validator-2 validator-3

# ---- 4. votes through the client package ----
GENESIS="$(mktemp /tmp/poa-compose-genesis.XXXXXX.json)"
"${DC[@]}" exec -T validator-1 cat /var/lib/poa/genesis/genesis.json >"$GENESIS"
votes() { # votes <first> <count> [quorum]: submit, wait until final, print counts read from <quorum> validators (default 3)
  node --input-type=module - "$GENESIS" "$1" "$2" "${3:-3}" <<'EOF'
import { readFileSync } from 'node:fs';
import { createVotingClient } from './packages/client/dist/index.js';
const [genesisFile, first, count, quorum] = process.argv.slice(2);
const client = createVotingClient({
  validators: [1, 2, 3].map((i) => ({ nodeId: `validator-${i}`, rpcUrl: `http://127.0.0.1:${8000 + i}` })),
  genesis: JSON.parse(readFileSync(genesisFile, 'utf8')),
  healthCheckIntervalMs: 500,
});
const candidates = ['alice', 'bob', 'carol'];
const votes = Array.from({ length: Number(count) }, (_, k) => {
  const n = Number(first) + k;
  return { voterId: `compose-voter-${n}`, electionId: 1, encryptedVote: JSON.stringify({ candidate_id: candidates[n % 3] }), transactionId: `compose-${n}` };
});
const t0 = Date.now();
const done = await Promise.all(votes.map((v) => client.submitVote({ ...v, until: 'finalized', confirmation: { timeoutMs: 60_000 } })));
const by = {};
for (const d of done) by[d.validator] = (by[d.validator] ?? 0) + 1;
const results = await client.getResults(1, { quorum: Number(quorum) });
console.log(`${done.length} votes acknowledged and final in ${Date.now() - t0} ms (taken by ${JSON.stringify(by)}); results ${JSON.stringify(results.counts)} total ${results.total}, quorum of ${quorum} ${results.quorum?.agreement}`);
client.close();
EOF
}
step "10 votes through the client"
votes 0 10 | sed 's/^/  /' || fail "votes through the client failed"

# ---- 5. SIGKILL and the restart policy ----
step "SIGKILL validator-2, restarted"
V2="$(cid validator-2)"
RESTARTS0=$("$DOCKER" inspect -f '{{.RestartCount}}' "$V2")
# SIGKILL to the validator's process from the host, as a crash or the OOM killer would. Not
# `docker kill -s KILL`: the engine records that as a stop asked by the user, and restart
# policies (unless-stopped and always alike) then leave the container down (measured here with
# Docker 20.10: exit 137, not restarted).
PID=$("$DOCKER" inspect -f '{{.State.Pid}}' "$V2")
kill -KILL "$PID"
log "validator-2's process (host pid $PID) killed with SIGKILL (restart count was $RESTARTS0)"
for _ in $(seq 1 60); do
  [ "$("$DOCKER" inspect -f '{{.RestartCount}}' "$V2")" -gt "$RESTARTS0" ] && [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$V2")" = true ] && break
  sleep 0.5
done
[ "$("$DOCKER" inspect -f '{{.RestartCount}}' "$V2")" -gt "$RESTARTS0" ] || fail "validator-2 was not restarted by the restart policy (state: $("$DOCKER" inspect -f '{{.State.Status}} exit {{.State.ExitCode}}' "$V2"))"
log "validator-2 restarted by the policy (restart count $("$DOCKER" inspect -f '{{.RestartCount}}' "$V2")); votes while it is down or catching up:"
# Results from 2 of 3 here: validator-2 may still be starting (asking all three failed when the
# votes were final before it answered again).
votes 10 10 2 | sed 's/^/  /' || fail "votes during the restart failed"
step "validator-2 healthy and caught up"
wait_healthy 120 validator-2
height() { curl -sf "http://127.0.0.1:$1/blockchain" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.finalized_height ?? j.finalizedHeight ?? j.height ?? -1)})'; }
TARGET=$(height 8001)
for _ in $(seq 1 60); do [ "$(height 8002)" -ge "$TARGET" ] && break; sleep 0.5; done
[ "$(height 8002)" -ge "$TARGET" ] || fail "validator-2 at height $(height 8002), validator-1 was at $TARGET"
log "validator-2 at height $(height 8002) >= $TARGET (validator-1's height when it became healthy)"

# ---- 6. results on all three ----
step "results on all three"
votes 20 10 | sed 's/^/  /' || fail "votes after the restart failed"
sleep 1
R1=$(curl -sf 'http://127.0.0.1:8001/results?election_id=1' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(JSON.stringify(j.counts ?? j.results ?? j))})')
for p in 8001 8002 8003; do
  for _ in $(seq 1 20); do
    R=$(curl -sf "http://127.0.0.1:$p/results?election_id=1" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(JSON.stringify(j.counts ?? j.results ?? j))})')
    [ "$R" = "$R1" ] && break; sleep 0.5
  done
  log "127.0.0.1:$p /results?election_id=1 -> $R"
  [ "$R" = "$R1" ] || fail "validator on $p disagrees: $R vs $R1"
done
echo "$R1" | grep -q '"alice":10' && echo "$R1" | grep -q '"bob":10' && echo "$R1" | grep -q '"carol":10' || fail "expected 10 votes each for alice, bob, carol: $R1"
rm -f "$GENESIS"

# ---- 7. down ----
if [ "${KEEP:-0}" = 1 ]; then
  step ""; log "KEEP=1: leaving the network up (docker-compose -p $PROJECT down -v to remove it)"
else
  step "down -v"
  "${DC[@]}" down -v --remove-orphans >/dev/null 2>&1
  step ""
fi
log "OK. Step timings:"
for t in "${TIMINGS[@]}"; do echo "  $t"; done
printf '  %-34s %6.1f s\n' "total" "$(echo "$(now) - $T_START" | bc)"
