/** JSON-RPC 2.0: the transport-independent dispatcher, its errors and the node's methods. */
export { JsonRpcServer, failure, type JsonRpcServerOptions } from './server.js';
export { JsonRpcError, JsonRpcErrorCode, invalidParams, invalidRequest, type JsonRpcErrorObject } from './errors.js';
export { defineMethod } from './types.js';
export type {
  CallContext,
  CallOutcome,
  JsonRpcId,
  JsonRpcReply,
  JsonRpcResponse,
  JsonRpcSuccess,
  JsonRpcFailure,
  PushChannel,
  RpcMethod,
  RpcSession,
} from './types.js';
export { parseParams, positionalParams, BLOCK_TAGS, type BlockRef, type BlockTag } from './params.js';
export {
  registerNodeMethods,
  mapBackendError,
  SUBSCRIPTION_TOPICS,
  type SubscriptionTopic,
  type MethodDeps,
} from './methods/index.js';
