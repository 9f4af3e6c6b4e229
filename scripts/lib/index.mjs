// Helpers shared by the devnet and demo scripts, the benchmark and the end-to-end tests.
export { REPO_ROOT, VALIDATOR_BIN, VALIDATOR_CLI_LIB, CLIENT_LIB, requireBuilt } from './paths.mjs';
export { devnetLayout, prepareDevnet } from './devnetFiles.mjs';
export { spawnValidator, stopValidators, assertPortsFree, STOP_GRACE_MS } from './validatorProcess.mjs';
export { fetchHealth, waitForHealth } from './health.mjs';
export { formatLogLine, processPrefix, pipeLines } from './output.mjs';
