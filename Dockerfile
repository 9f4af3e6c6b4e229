# syntax=docker/dockerfile:1
# The validator image. One image serves every validator and the one-shot `init` service of
# docker-compose.yml. Entry point: `poa-validator` (default command `start`, configured by POA_* env).

# ---- build: compile TypeScript with the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first, so the npm ci layer stays cached until dependencies change.
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/validator/package.json packages/validator/
COPY packages/client/package.json packages/client/
COPY packages/explorer/package.json packages/explorer/
COPY packages/test-utils/package.json packages/test-utils/
RUN npm ci --no-audit --no-fund
COPY packages/shared packages/shared
COPY packages/validator packages/validator
COPY packages/explorer packages/explorer
RUN npx tsc -b packages/shared packages/validator && node packages/explorer/build.mjs

# ---- runtime: production dependencies and compiled output only ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/validator/package.json packages/validator/
COPY packages/client/package.json packages/client/
COPY packages/explorer/package.json packages/explorer/
COPY packages/test-utils/package.json packages/test-utils/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/packages/shared/dist packages/shared/dist
COPY --from=build /app/packages/validator/dist packages/validator/dist
# The explorer page the validator serves at /explorer/ (static files only).
COPY --from=build /app/packages/explorer/dist packages/explorer/dist
COPY docker/ docker/
RUN chmod +x packages/validator/dist/cli/main.js docker/*.sh \
 && ln -s /app/packages/validator/dist/cli/main.js /usr/local/bin/poa-validator \
 && mkdir -p /var/lib/poa/data /var/lib/poa/keys /var/lib/poa/genesis \
 && chown -R node:node /var/lib/poa

# Defaults for `start`; docker-compose.yml (or `docker run -e`) overrides them per validator.
# Write access is deliberately not defaulted: `start` exits 2 until POA_API_TOKENS_FILE (API
# tokens) or POA_INSECURE_OPEN_WRITES=1 (devnets) is set.
# A fresh named volume mounted on /var/lib/poa/data inherits node:node ownership from the image.
ENV POA_GENESIS=/var/lib/poa/genesis/genesis.json \
    POA_KEY_FILE=/var/lib/poa/keys/key.json \
    POA_DATA_DIR=/var/lib/poa/data \
    POA_RPC_HOST=0.0.0.0 \
    POA_RPC_PORT=8545 \
    POA_P2P_HOST=0.0.0.0 \
    POA_P2P_PORT=30303 \
    POA_LOG_LEVEL=info
# V8 heap limit of a validator (VALIDATOR_HEAP_MB in src/cli/start.ts; docs/DEPLOYMENT.md): its live
# heap stays ~70-80 MB however long the chain, and without a limit V8 lets garbage grow RSS to 500 MB+;
# a young generation of 8 MB semi-spaces (16 by default) takes another ~30 MB off the RSS. Trading
# memory for CPU (V8's heap growing factor) is POA_HEAP_GROWING_PERCENT, not a NODE_OPTIONS flag.
# One V8 helper thread (for the collector's concurrent and parallel work) instead of four: three
# validators on two cores (compose, devnet) spent CPU on helpers waiting for each other, and one
# took ~9 % more batched votes/s (docs/PERFORMANCE.md, "One V8 helper thread").
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=8 --v8-pool-size=1"
# Two glibc malloc arenas instead of eight per core: 13-24 MB less RSS over a 600,000-vote soak
# (docs/PERFORMANCE.md, "With the deployed flags, and malloc arenas").
ENV MALLOC_ARENA_MAX=2

USER node
EXPOSE 8545 30303
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.POA_RPC_PORT||8545)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["poa-validator"]
CMD ["start"]
