/**
 * Test helpers shared by the packages' tests, the benchmark and the devnet: chain fixtures, test
 * loggers, the validator launcher, a network of real validator processes, its links (TCP
 * proxies), a vote load, finality monitoring and the chain audit.
 */
export {
  GENESIS_TIME,
  clone,
  finalize,
  finalizedChain,
  fixtureStateRoot,
  genesisTip,
  leaderBlock,
  makeTestChain,
  voteCertificate,
  voteTx,
  type ChainOptions,
  type ChainTip,
  type TestChain,
} from './chainFixtures.js';
export { quietLogger, recordingLogger, type LogLevel, type LogLine, type RecordingLogger } from './logger.js';
export {
  OPEN_WRITE_ARGS,
  REPO_ROOT,
  STOP_GRACE_MS,
  VALIDATOR_CLI,
  assertPortsFree,
  requireBuilt,
  spawnValidator,
  startArgs,
  stopValidators,
  type LaunchNode,
  type LaunchOptions,
  type ValidatorExit,
  type ValidatorProcess,
} from './launcher.js';
export { CLI, TestNetwork, type NetworkOptions, type ProcExit, type ValidatorProc } from './testNetwork.js';
export { freePort } from './freePort.js';
export { fetchHealth, finalizedHeight, getJson, rpc, rpcBatch } from './http.js';
export { sleep, waitFor, waitForValue } from './waitFor.js';
export { logRecords } from './logFile.js';
export { TcpProxy } from './tcpProxy.js';
export { ValidatorProxy, type Rewrite } from './validatorProxy.js';
export { ProxyMesh, authorityPeerId } from './proxyMesh.js';
export { VoteLoad, ballot, type AckedVote, type VoteLoadOptions } from './voteLoad.js';
export { FinalityMonitor, type HeightSample } from './finalityMonitor.js';
export { auditNetwork, type AuditFigures, type AuditOptions, type AuditReport } from './chainAudit.js';
