/**
 * The OpenAPI 3.1 document of the HTTP routes (GET /openapi.json). Bodies are the shared wire
 * contract's schemas (packages/shared/src/api/bodies.ts), the same ones the routes build their
 * answers from and the client parses them with, turned into JSON Schema by z.toJSONSchema.
 */
import { z } from 'zod';
import {
  blockchainBodySchema,
  certificateWireSchema,
  healthBodySchema,
  resultsBodySchema,
  txStateSchema,
} from '@poa-vote/shared';
import { jsonSchemaOf } from './openrpc.js';

type Json = Record<string, unknown>;

/** The error body of every 4xx/5xx REST answer: the message, and the parameter at fault when one is. */
export const httpErrorBodySchema = z.looseObject({ error: z.string(), param: z.string().optional() });

const rawBlock = z.looseObject({
  header: z.looseObject({ height: z.number().int().nonnegative() }),
  hash: z.string(),
  signature: z.string(),
  transactions: z.array(z.looseObject({ from: z.string(), to: z.string(), data: z.string() })),
});
/** GET /blocks/:numberOrHash body. */
export const blockBodySchema = z.object({
  height: z.number().int().nonnegative(),
  hash: z.string(),
  finalized: z.literal(true),
  block: rawBlock,
  certificate: certificateWireSchema,
});
/** GET /transactions/:hash body. */
export const transactionBodySchema = z.object({
  hash: z.string(),
  transaction: z.object({ from: z.string(), to: z.string(), data: z.string() }).nullable(),
  blockHash: z.string().nullable(),
  blockNumber: z.number().int().nonnegative().nullable(),
  transactionIndex: z.number().int().nonnegative().nullable(),
  state: txStateSchema,
});
/** GET /elections/:id body (the members every record has; encrypted elections add the key ceremony's). */
export const electionRecordBodySchema = z.looseObject({
  election_id: z.string(),
  ballot_format: z.enum(['plain', 'encrypted']),
  phase: z.string(),
  height: z.number().int().nonnegative(),
  config: z.looseObject({ electionId: z.string(), candidates: z.array(z.string()) }),
  ballots: z.number().int().nonnegative(),
  transactions: z.array(z.looseObject({ kind: z.string(), hash: z.string(), height: z.number().int() })),
});
/** GET /evidence body. */
export const evidenceBodySchema = z.object({
  count: z.number().int().nonnegative(),
  evidence: z.array(z.looseObject({ id: z.string() })),
});

const json = (schema: z.ZodType, io: 'input' | 'output' = 'input'): Json => ({
  'application/json': { schema: jsonSchemaOf(schema, io) },
});
const errorResponse = (description: string): Json => ({ description, content: json(httpErrorBodySchema) });
const electionIdParam = (required: boolean): Json => ({
  name: 'election_id',
  in: 'query',
  required,
  description: 'the <id> of "election-<id>"; anything else is answered 400 naming election_id',
  schema: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
});

/** The OpenAPI document. */
export function openApiDocument(info: { title: string; version: string }): Json {
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'HTTP routes of a validator. JSON-RPC (POST /rpc) is described by OpenRPC at GET /openrpc.json (also rpc.discover).',
    },
    paths: {
      '/health': {
        get: {
          summary: 'Whether this node can serve correct, current data',
          responses: {
            '200': { description: 'healthy', content: json(healthBodySchema) },
            '503': { description: 'unhealthy: fail over to another validator', content: json(healthBodySchema) },
          },
        },
      },
      '/results': {
        get: {
          summary: 'An election’s tally over the finalized chain (`results` and `counts` are the same tally)',
          parameters: [electionIdParam(true)],
          responses: {
            '200': { description: 'the tally', content: json(resultsBodySchema) },
            '400': errorResponse('election_id missing, repeated or not a valid id'),
          },
        },
      },
      '/elections/{id}': {
        get: {
          summary:
            'A configured election’s on-chain record: configuration, phase, key-ceremony transactions, public key, aggregate, partial decryptions, counts (docs/ELECTIONS.md)',
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              description: 'the <id> of "election-<id>"',
              schema: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
            },
          ],
          responses: {
            '200': { description: 'the record', content: json(electionRecordBodySchema) },
            '400': errorResponse('not a valid election id'),
            '404': errorResponse('not a configured election'),
          },
        },
      },
      '/blockchain': {
        get: {
          summary: 'Heights, head, authorities, an election’s vote count and the node’s audit of its chain',
          parameters: [electionIdParam(false)],
          responses: {
            '200': { description: 'the summary', content: json(blockchainBodySchema) },
            '400': errorResponse('election_id repeated or not a valid id'),
          },
        },
      },
      '/blocks/{numberOrHash}': {
        get: {
          summary: 'A finalized block with its certificate, as verifyFinalizedBlock takes them',
          parameters: [
            {
              name: 'numberOrHash',
              in: 'path',
              required: true,
              description: 'a height (12 or 0xc), a 32-byte hash, or latest / finalized',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': { description: 'the block', content: json(blockBodySchema) },
            '400': errorResponse('not a height, hash or tag'),
            '404': errorResponse('not finalized'),
          },
        },
      },
      '/transactions/{hash}': {
        get: {
          summary: 'A vote and its state, by hash or by the JSON-RPC id it was submitted under',
          parameters: [
            { name: 'hash', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 256 } },
          ],
          responses: {
            '200': { description: 'the vote', content: json(transactionBodySchema) },
            '400': errorResponse('bad reference'),
            '404': errorResponse('unknown'),
          },
        },
      },
      '/transactions/{hash}/proof': {
        get: {
          summary:
            'A finalized vote’s inclusion proof (Merkle audit path, block header, certificate) for the explorer and auditors',
          parameters: [
            { name: 'hash', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 256 } },
          ],
          responses: {
            '200': { description: 'the proof', content: { 'application/json': { schema: { type: 'object' } } } },
            '404': errorResponse('not finalized or unknown'),
          },
        },
      },
      '/genesis': {
        get: {
          summary: 'The genesis document this node runs',
          responses: {
            '200': {
              description: 'the genesis',
              content: {
                'application/json': { schema: { type: 'object', required: ['chainId', 'genesisTime', 'authorities'] } },
              },
            },
            '404': errorResponse('not published'),
          },
        },
      },
      '/explorer/': {
        get: {
          summary: 'The block explorer (static files; browsers asking for / are sent here)',
          responses: {
            '200': { description: 'HTML, scripts, styles', content: { 'text/html': { schema: { type: 'string' } } } },
            '404': errorResponse('explorer not built'),
          },
        },
      },
      '/evidence': {
        get: {
          summary: 'Stored equivocation evidence',
          responses: { '200': { description: 'the evidence', content: json(evidenceBodySchema) } },
        },
      },
      '/rpc': {
        post: {
          summary: 'JSON-RPC 2.0 (also POST /): see GET /openrpc.json',
          requestBody: { required: true, content: { 'application/json': { schema: { type: ['object', 'array'] } } } },
          responses: {
            '200': {
              description: 'JSON-RPC response(s); errors too are answered with 200',
              content: { 'application/json': { schema: { type: ['object', 'array'] } } },
            },
            '413': { description: 'body over --max-body-bytes' },
          },
        },
      },
      '/openrpc.json': {
        get: {
          summary: 'The OpenRPC document of the JSON-RPC API',
          responses: {
            '200': { description: 'OpenRPC 1.3', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: {
            '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (text exposition format)',
          responses: { '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
    },
  };
}
