/** rpc.discover: the OpenRPC document of this server, generated from its registered methods. */
import { z } from 'zod';
import { openRpcDocument } from '../../describe/openrpc.js';
import type { JsonRpcServer } from '../server.js';
import { type RpcMethod, defineMethod } from '../types.js';

/** The rpc.discover method of a server (its document is built once, on first call, when every method is registered). */
export function discoverMethod(server: JsonRpcServer, version: string): RpcMethod<[]> {
  let doc: unknown;
  return defineMethod({
    summary: 'The OpenRPC document of this API (also GET /openrpc.json)',
    paramNames: [],
    params: z.tuple([]),
    result: z.looseObject({
      openrpc: z.string(),
      info: z.looseObject({ title: z.string(), version: z.string() }),
      methods: z.array(z.looseObject({ name: z.string() })),
    }),
    call: () => (doc ??= openRpcDocument(server.methods(), { title: 'poa-evoting validator JSON-RPC', version })),
  });
}
