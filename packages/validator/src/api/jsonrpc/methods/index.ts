/** All JSON-RPC methods of the node, and the translation of backend errors. */
import { ProtocolError } from '@poa-vote/shared';
import { JsonRpcError, invalidParams } from '../errors.js';
import type { JsonRpcServer } from '../server.js';
import type { MethodDeps } from './context.js';
import { ethMethods } from './eth.js';
import { netMethods } from './net.js';
import { poaMethods } from './poa.js';
import { proofMethods } from './proof.js';
import { web3Methods } from './web3.js';
import { discoverMethod } from './rpc.js';

export { ethMethods, submitError, blockByRef, SUBSCRIPTION_TOPICS, type SubscriptionTopic } from './eth.js';
export { netMethods } from './net.js';
export { poaMethods } from './poa.js';
export { proofMethods } from './proof.js';
export { web3Methods } from './web3.js';
export { discoverMethod } from './rpc.js';
export type { MethodDeps, MethodTable } from './context.js';

/** Register every method group on a dispatcher. */
export function registerNodeMethods(server: JsonRpcServer, deps: MethodDeps): JsonRpcServer {
  for (const table of [ethMethods(deps), netMethods(deps), web3Methods(deps), poaMethods(deps), proofMethods(deps)]) {
    for (const [name, method] of Object.entries(table)) server.register(name, method);
  }
  server.register('rpc.discover', discoverMethod(server, deps.backend.clientVersion));
  return server;
}

/** Protocol rule violations the backend throws about a transaction are the caller's bad params. */
export function mapBackendError(e: unknown): JsonRpcError | undefined {
  if (e instanceof ProtocolError && e.code.startsWith('TX_'))
    return invalidParams(e.message, { code: e.code, ...e.data });
  return undefined;
}
