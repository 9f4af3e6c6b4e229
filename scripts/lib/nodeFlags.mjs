// The node flags a validator is deployed with: the Docker image's NODE_OPTIONS (Dockerfile) and
// VALIDATOR_HEAP_MB (packages/validator/src/cli/start.ts) say the same; docs/DEPLOYMENT.md says why.
// The devnet, the benchmark and the soak run validators with them unless told otherwise, so that
// their memory and CPU figures are a deployed validator's.
export const VALIDATOR_NODE_ARGS = Object.freeze([
  '--max-old-space-size=256',
  '--max-semi-space-size=8',
  '--v8-pool-size=1',
]);
