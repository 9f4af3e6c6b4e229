/** Test harness for real validator processes: the network, its links, a vote load, and the checks. */
export { CLI, TestNetwork, type NetworkOptions, type ProcExit, type ValidatorProc } from './testNetwork.js';
export { freePort } from './freePort.js';
export { fetchHealth, finalizedHeight, getJson, rpc, rpcBatch } from './http.js';
export { sleep, waitFor } from './waitFor.js';
export { TcpProxy } from './tcpProxy.js';
export { ProxyMesh, authorityPeerId } from './proxyMesh.js';
export { VoteLoad, ballot, type AckedVote, type VoteLoadOptions } from './voteLoad.js';
export { FinalityMonitor, type HeightSample } from './finalityMonitor.js';
export { auditNetwork, type AuditFigures, type AuditOptions, type AuditReport } from './chainAudit.js';
