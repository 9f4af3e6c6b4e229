/** What the method groups are built from. */
import type { WriteGate } from '../../auth/writeGate.js';
import type { NodeApiBackend } from '../../interface.js';
import type { RpcMethod } from '../types.js';

/** Methods by name, as a group file provides them. */
export type MethodTable = Record<string, RpcMethod<unknown>>;

export interface MethodDeps {
  backend: NodeApiBackend;
  /** Credentials, write rates and submission-id binding of eth_sendTransaction (none: straight to the node). */
  writeGate?: WriteGate;
}
