// Helpers shared by the devnet and demo scripts, the benchmark and the end-to-end tests.
export { REPO_ROOT, VALIDATOR_BIN, VALIDATOR_CLI_LIB, CLIENT_LIB, requireBuilt } from './paths.mjs';
export { devnetLayout, prepareDevnet } from './devnetFiles.mjs';
// The one validator launcher (tests, benchmark, devnet) lives in packages/test-utils (built by `npm run build`).
export { spawnValidator, stopValidators, assertPortsFree, STOP_GRACE_MS } from '@poa-vote/test-utils';
export { fetchHealth, waitForHealth } from './health.mjs';
export { VALIDATOR_NODE_ARGS } from './nodeFlags.mjs';
export { formatLogLine, processPrefix, pipeLines } from './output.mjs';
