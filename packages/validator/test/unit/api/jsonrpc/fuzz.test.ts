/**
 * Property-based fuzzing (fast-check) of the JSON-RPC request parser, the dispatcher and the
 * param validators. FUZZ_RUNS inputs per target (default 100,000, as in CI; FUZZ_RUNS=2000 for a
 * quick local run). Properties: nothing throws or rejects, every reply is valid JSON-RPC 2.0,
 * ids come back only when valid, and no validator accepts a value its rule refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

// CI replays a fixed seed, so a run fails only for a change in the code; FUZZ_SEED=<n> explores
// others (fast-check prints the seed and path of any counterexample, to replay it).
fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20261129) });
import { isHex } from '@poa-vote/shared';
import { JsonRpcServer } from '../../../../src/api/jsonrpc/server.js';
import { mapBackendError, registerNodeMethods } from '../../../../src/api/jsonrpc/methods/index.js';
import {
  BLOCK_TAGS,
  blockNumberParam,
  blockRefParam,
  hashParam,
  isWellFormedString,
  txRefParam,
} from '../../../../src/api/jsonrpc/params.js';
import { deeperThan, scanJson } from '../../../../src/api/jsonrpc/scan.js';
import type { RpcSession } from '../../../../src/api/jsonrpc/types.js';
import { FakeBackend } from '../fakeBackend.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
const session: RpcSession = { transport: 'http' };
const LIMITS = { maxBatchItems: 20, maxResponseBytes: 64 * 1024, maxIdBytes: 64, maxJsonDepth: 8, yieldEveryMs: 10 };
const CODES = new Set([-32700, -32600, -32601, -32602, -32603, -32002, -32005, -32010, -32011, -32012]);
const METHODS = [
  'eth_chainId',
  'eth_blockNumber',
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_getTransactionReceipt',
  'eth_getTransactionByHash',
  'eth_sendTransaction',
  'poa_getTransactionStatus',
  'poa_getCertificate',
  'poa_getFinalizedBlock',
  'eth_subscribe',
  'net_version',
  'nope',
  '',
  '__proto__',
  'constructor',
];

let unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => void process.off('unhandledRejection', onUnhandled));

function makeServer(): JsonRpcServer {
  const backend = new FakeBackend();
  backend.finalizePending();
  return registerNodeMethods(new JsonRpcServer({ mapError: mapBackendError, limits: LIMITS }), { backend });
}

/** A valid id as the server must echo it, or undefined for an id it must refuse. */
function acceptableId(id: unknown): boolean {
  if (id === null || (typeof id === 'number' && Number.isFinite(id))) return true;
  return typeof id === 'string' && Buffer.byteLength(id) <= LIMITS.maxIdBytes && isWellFormedString(id);
}

/** Check one response object against JSON-RPC 2.0 and this server's rules. */
function checkResponse(r: any, request?: unknown): void {
  expect(r.jsonrpc).toBe('2.0');
  expect('result' in r !== 'error' in r).toBe(true);
  if ('error' in r) {
    expect(CODES.has(r.error.code)).toBe(true);
    expect(typeof r.error.message).toBe('string');
    expect(r.error.message).not.toMatch(/\n\s+at /); // never a stack trace
  }
  if (r.id !== null) expect(acceptableId(r.id)).toBe(true);
  if (request && typeof request === 'object' && !Array.isArray(request)) {
    const q = request as Record<string, unknown>;
    // A request that breaks the envelope rules is never executed.
    if ('result' in r) {
      expect(q.jsonrpc).toBe('2.0');
      expect(typeof q.method).toBe('string');
      expect(acceptableId(q.id)).toBe(true);
      // Echoed as the same JSON value: JSON has one zero, so an id of -0 comes back as 0.
      expect(JSON.stringify(r.id)).toBe(JSON.stringify(q.id));
    }
  }
}

function checkReply(text: string | undefined, request?: unknown): void {
  if (text === undefined) return;
  expect(Buffer.byteLength(text)).toBeLessThan(LIMITS.maxResponseBytes + 64 * 1024);
  const parsed = JSON.parse(text);
  if (Array.isArray(parsed)) {
    expect(parsed.length).toBeGreaterThan(0);
    expect(parsed.length).toBeLessThanOrEqual(LIMITS.maxBatchItems);
    for (const r of parsed) checkResponse(r);
  } else {
    checkResponse(parsed, request);
  }
}

const idArb = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constant('\ud800'),
  fc.constant('\ufffd'),
  fc.object(),
  fc.boolean(),
);
const hex64 = fc.stringMatching(/^0x[0-9a-fA-F]{64}$/);
const paramArb = fc.oneof(
  fc.anything(),
  hex64,
  fc.constantFrom(...BLOCK_TAGS),
  fc.stringMatching(/^0x[0-9a-f]{1,14}$/),
  fc.record({ from: fc.string(), to: fc.oneof(fc.constant('election-1'), fc.string()), data: fc.string() }),
);
const requestArb = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('2.0'), fc.anything()),
    method: fc.oneof(fc.constantFrom(...METHODS), fc.anything()),
    id: idArb,
    params: fc.oneof(fc.array(paramArb, { maxLength: 3 }), fc.dictionary(fc.string(), paramArb), fc.anything()),
  },
  { requiredKeys: [] },
);

/** Arrays and objects nested `depth` deep. */
const deepArb = fc.integer({ min: 1, max: 40 }).map((d) => `${'['.repeat(d)}1${']'.repeat(d)}`);

describe(`JSON-RPC fuzzing (${RUNS} inputs per target)`, () => {
  const rpc = makeServer();

  it('serveText: arbitrary text never throws and always answers valid JSON-RPC', async () => {
    unhandled = [];
    const textArb = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.json({ maxDepth: 12 }),
      requestArb.map((r) => JSON.stringify(r)),
      fc.array(requestArb, { minLength: 0, maxLength: 25 }).map((b) => JSON.stringify(b)),
      deepArb,
    );
    await fc.assert(
      fc.asyncProperty(textArb, async (text) => {
        const reply = await rpc.serveText(text, session);
        checkReply(reply);
        if (!scanJson(text, LIMITS.maxJsonDepth, LIMITS.maxBatchItems).ok)
          expect(JSON.parse(reply!).error.code).toBeLessThan(-32000);
      }),
      { numRuns: RUNS },
    );
    expect(unhandled).toEqual([]);
  }, 600_000);

  it('serve: arbitrary request objects are answered per the spec, invalid envelopes never executed', async () => {
    unhandled = [];
    await fc.assert(
      fc.asyncProperty(fc.oneof(requestArb, fc.anything()), async (request) => {
        const reply = await rpc.serve(request, session);
        if (deeperThan(request, LIMITS.maxJsonDepth)) expect(JSON.parse(reply!).error.code).toBe(-32600);
        else checkReply(reply, request);
      }),
      { numRuns: RUNS },
    );
    expect(unhandled).toEqual([]);
  }, 600_000);

  it('param validators accept only what their rule allows', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          hex64,
          fc.string({ unit: 'binary' }),
          fc.stringMatching(/^0x[0-9a-fA-F]{0,20}$/),
          fc.constantFrom(...BLOCK_TAGS),
          fc.integer(),
          fc.double(),
        ),
        (v) => {
          const h = hashParam.safeParse(v);
          if (h.success) expect(isHex(h.data, 32)).toBe(true);
          const t = txRefParam.safeParse(v);
          if (t.success) {
            expect(typeof t.data).toBe('string');
            expect(t.data.length).toBeGreaterThan(0);
            expect(t.data.length).toBeLessThanOrEqual(256);
            expect(isWellFormedString(t.data)).toBe(true);
          }
          const b = blockRefParam.safeParse(v);
          if (b.success) {
            if ('tag' in b.data) expect(BLOCK_TAGS).toContain(b.data.tag);
            else expect(Number.isSafeInteger(b.data.number) && b.data.number >= 0).toBe(true);
          }
          const n = blockNumberParam.safeParse(v);
          if (n.success) expect(Number.isSafeInteger(n.data) && n.data >= 0).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  }, 600_000);
});
