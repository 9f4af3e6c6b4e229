/** What the method groups are built from. */
import type { NodeApiBackend } from '../../interface.js';
import type { RpcMethod } from '../types.js';

/** Methods by name, as a group file provides them. */
export type MethodTable = Record<string, RpcMethod<any>>;

export interface MethodDeps {
  backend: NodeApiBackend;
}
