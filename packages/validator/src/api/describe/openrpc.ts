/**
 * The OpenRPC document of the JSON-RPC API (rpc.discover, GET /openrpc.json), generated from the
 * registered methods themselves: each method's params are the zod schema the server validates
 * with (z.toJSONSchema; checked params carry the JSON Schema of what they accept), its result the
 * schema its answers are tested against. A method added to the server is described by adding it.
 */
import { z } from 'zod';
import type { RpcMethod } from '../jsonrpc/types.js';

/** The OpenRPC version the document follows. */
export const OPENRPC_VERSION = '1.3.2';

export interface OpenRpcInfo {
  title: string;
  version: string;
  description?: string;
}

type JsonSchema = Record<string, unknown>;

/** A zod schema as a JSON Schema (draft 2020-12) fragment, without its `$schema` member. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  return rest;
}

/** One method's OpenRPC description. */
function describeMethod(name: string, m: RpcMethod<unknown>): JsonSchema {
  const tuple = jsonSchemaOf(m.params, 'input');
  const items = (tuple.prefixItems as JsonSchema[] | undefined) ?? [];
  const required = typeof tuple.minItems === 'number' ? tuple.minItems : items.length;
  const params = items.map((schema, i) => ({ name: m.paramNames[i] ?? `param${i}`, required: i < required, schema }));
  const out: JsonSchema = {
    name,
    paramStructure: 'either',
    params,
    result: { name: 'result', schema: m.result ? jsonSchemaOf(m.result, 'output') : {} },
  };
  if (m.summary !== undefined) out.summary = m.summary;
  return out;
}

/** The OpenRPC document of a set of methods (sorted by name), plus rpc.discover itself. */
export function openRpcDocument(methods: readonly [string, RpcMethod<unknown>][], info: OpenRpcInfo): JsonSchema {
  const described = [...methods]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, m]) => describeMethod(name, m));
  return {
    openrpc: OPENRPC_VERSION,
    info,
    servers: [
      { name: 'this validator', url: '/rpc', summary: 'POST /rpc (or /), and WebSocket /ws for eth_subscribe' },
    ],
    methods: described,
  };
}
