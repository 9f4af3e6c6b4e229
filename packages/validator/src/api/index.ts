/** The API layer: JSON-RPC 2.0 over HTTP and WebSocket, REST routes, Ethereum-shaped chain data. */
export { ApiServer, type ApiServerOptions } from './server.js';
export type {
  NodeApiBackend,
  Receipt,
  TxState,
  SubmitOutcome,
  HealthReport,
  ChainVerification,
  ElectionResults,
} from './interface.js';
export { type Logger, silentLogger } from '../util/logger.js';
export * from './jsonrpc/index.js';
export {
  formatBlock,
  formatHeader,
  formatReceipt,
  formatTransaction,
  inputData,
  EMPTY_BLOOM,
  GAS_PER_TX,
  ZERO_HASH,
  EMPTY_UNCLES_HASH,
  type TxLocation,
} from './format.js';
export { createHttpApp, createRpcHandler, healthBody, HttpError } from './http/index.js';
export { SubscriptionHub, WsConnection } from './ws/index.js';
