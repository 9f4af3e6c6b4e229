/**
 * Property-based fuzzing (fast-check) of what a peer or an HTTP client controls: the gossip
 * decoders (every topic, including `acks` and `txs` with `batch`), the direct-message decoder
 * (`pool-request`, `pool-response`, `sync-response`, `block-response` and the gossip kinds), the
 * sync and block request/response decoders, and the HTTP query parsing.
 *
 * FUZZ_RUNS inputs per target (the convention of test/unit/api/jsonrpc/fuzz.test.ts): 100,000 by
 * default, as in CI (about 70 s for all targets here); FUZZ_RUNS=2000 for a quick local run. Inputs: mostly-valid messages with one field mutated, and arbitrary JSON.
 * Properties: only the module's own typed error is thrown; nothing rejects unhandled; an accepted
 * message is a fixed point of its validator (validating the output again gives the same), and a
 * signed object is accepted only as it was signed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

// CI replays a fixed seed, so a run fails only for a change in the code; FUZZ_SEED=<n> explores
// others (fast-check prints the seed and path of any counterexample, to replay it).
fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20261129) });
import { fixtureStateRoot } from '@poa-vote/test-utils';
import { type Hex, ProtocolError, createBlock, isHex, utf8ToBytes } from '@poa-vote/shared';
import {
  AuthorityBook,
  GOSSIP_KINDS,
  GossipKind,
  GossipValidationError,
  NetworkError,
  type ReqRespContext,
  encodeMessage,
  parseBlockRequest,
  parseSyncRequest,
  validateBlockResponse,
  validateDirectMessage,
  validateFinalizedBlocks,
  validateGossipData,
} from '../../../src/network/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import type { ConsensusMessage } from '../../../src/consensus/interface.js';
import { blockPathRef, electionIdQuery } from '../../../src/api/http/query.js';
import { HttpError } from '../../../src/api/http/respond.js';
import { makeBlock, makeChain, makeFinalized, makeProposal, makeVote, tx } from './fixtures.js';

/** Per-target default: measured (see docs/SECURITY.md) to keep all fuzz targets near 4 minutes in CI. */
const FUZZ_DEFAULT = 100_000;
const RUNS = Number(process.env.FUZZ_RUNS ?? FUZZ_DEFAULT);

const chain = makeChain(3);
const ctx: ReqRespContext = {
  genesis: chain.genesis,
  book: new AuthorityBook(chain.genesis),
  logger: silentLogger,
  maxMessageBytes: 1 << 20,
  maxTxBatchBytes: 1 << 16,
  maxTxsPerMessage: 64,
  requestTimeoutMs: 1000,
  maxSyncBlocks: 8,
};

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));

// Valid messages of every kind, as honest peers send them.
const proposal = makeProposal(chain, 3, [tx(1), tx(2)]);
const vote = makeVote(chain, 2, 3, proposal.block.hash);
const b1 = makeBlock(chain, 1, [tx(1)]);
const fb1 = makeFinalized(chain, b1);
const b2 = createBlock(
  chain.genesis,
  { height: 2, slot: 2, parentHash: b1.hash, proposer: 2, transactions: [tx(2)], stateRoot: fixtureStateRoot(b1.hash) },
  chain.signers[2]!,
);
const fb2 = makeFinalized(chain, b2);
const HASH = `0x${'ab'.repeat(32)}` as Hex;
const VALID: Record<string, unknown> = {
  proposal: { type: 'proposal', proposal },
  vote: { type: 'vote', vote },
  status: { type: 'status', status: { height: 3, slot: 9, headHash: HASH } },
  txs: { type: 'txs', txs: [tx(1), tx(2)] },
  txsBatch: { type: 'txs', txs: [tx(3)], batch: { epoch: 1, seq: 7 } },
  acks: {
    type: 'acks',
    acks: [
      { origin: 1, epoch: 2, seq: 3, refused: [{ hash: HASH, reason: 'conflict', conflictsWith: HASH }] },
      { origin: 0, epoch: 0, seq: 0, refused: [] },
    ],
  },
  poolRequest: { type: 'pool-request', cursor: 5 },
  poolResponse: {
    type: 'pool-response',
    entries: [{ tx: tx(4), holders: [0, 2], replicated: true }],
    next: -1,
    done: true,
    height: 4,
  },
  syncResponse: { type: 'sync-response', blocks: [fb1, fb2] },
  blockResponse: { type: 'block-response', block: b1 },
};

/** A value to put where a field was: anything JSON, or a near miss of the usual types. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    -1,
    0,
    1,
    2,
    3,
    2 ** 53,
    -0,
    1.5,
    '',
    '0x',
    HASH,
    `${HASH}0`,
    '\ud800',
    '__proto__',
    null,
    [],
    {},
    true,
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
);

/** Every path to a leaf or a container inside a JSON-like value (bounded). */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 400) return out;
  out.push(prefix);
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      paths(x, [...prefix, i], out);
    });
  } else if (v !== null && typeof v === 'object')
    for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

/** A deep copy of `v` with the value at `path` replaced (or, with `drop`, deleted). */
function mutate(v: unknown, path: (string | number)[], value: unknown, drop: boolean): unknown {
  const copy = structuredClone(v);
  if (path.length === 0) return value;
  let at = copy as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (drop && !Array.isArray(at)) delete at[last];
  else Object.defineProperty(at, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** One of the valid messages with one field replaced or dropped, or arbitrary JSON. */
function messageArb(names: string[]): fc.Arbitrary<unknown> {
  const mutated = fc.constantFrom(...names).chain((name) => {
    const base = VALID[name];
    const ps = paths(base);
    return fc
      .tuple(fc.nat(ps.length - 1), junk, fc.boolean())
      .map(([k, value, drop]) => mutate(base, ps[k]!, value, drop));
  });
  return fc.oneof(
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.constantFrom(...names.map((n) => VALID[n])) },
  );
}

/** The wire bytes of a value, sometimes truncated or not JSON at all. */
function wireArb(names: string[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 8, arbitrary: messageArb(names).map((m) => encodeMessage(m as ConsensusMessage)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
    {
      weight: 1,
      arbitrary: messageArb(names).chain((m) => {
        const b = encodeMessage(m as ConsensusMessage);
        return fc.nat(b.length).map((n) => b.slice(0, n));
      }),
    },
  );
}

/** Run `fn`; it may return or throw one of `types`, nothing else. */
function only<T>(types: (new (...a: never[]) => Error)[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!types.some((t) => e instanceof t))
      throw new Error(`unexpected ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return undefined;
  }
}

/** Signed objects are accepted only as signed: an accepted vote/proposal/block equals the original. */
function checkSigned(msg: ConsensusMessage): void {
  if (msg.type === 'vote') expect(msg.vote).toEqual(vote);
  if (msg.type === 'proposal') expect(msg.proposal).toEqual(proposal);
  if (msg.type === 'block-response') expect(msg.block).toEqual(b1);
}

const GOSSIP_NAMES: Record<GossipKind, string[]> = {
  [GossipKind.proposal]: ['proposal', 'vote'],
  [GossipKind.vote]: ['vote', 'status'],
  [GossipKind.status]: ['status', 'txs'],
  [GossipKind.txs]: ['txs', 'txsBatch', 'acks'],
  [GossipKind.acks]: ['acks', 'txsBatch'],
};

describe('fuzz: gossip decoders', () => {
  for (const kind of GOSSIP_KINDS) {
    it(`validateGossipData(${kind}): only GossipValidationError; accepted = fixed point; signed objects only as signed`, () => {
      fc.assert(
        fc.property(wireArb(GOSSIP_NAMES[kind]), (data) => {
          const msg = only([GossipValidationError], () => validateGossipData(ctx, kind, data));
          if (msg === undefined) return;
          expect(msg.type).toBe(kind);
          expect(validateGossipData(ctx, kind, encodeMessage(msg))).toEqual(msg);
          checkSigned(msg);
          if (msg.type === 'status')
            expect(
              Number.isSafeInteger(msg.status.height) && msg.status.height >= 1 && isHex(msg.status.headHash, 32),
            ).toBe(true);
          if (msg.type === 'acks')
            for (const a of msg.acks)
              expect(a.origin < chain.genesis.authorities.length && a.refused.every((r) => isHex(r.hash, 32))).toBe(
                true,
              );
        }),
        { numRuns: RUNS },
      );
      expect(unhandled).toEqual([]);
    }, 600_000);
  }
});

describe('fuzz: req/resp decoders', () => {
  it('validateDirectMessage: every kind incl. pool-request/pool-response/sync-response/block-response', () => {
    fc.assert(
      fc.property(wireArb(Object.keys(VALID)), (data) => {
        const msg = only([GossipValidationError], () => validateDirectMessage(ctx, data));
        if (msg === undefined) return;
        expect(validateDirectMessage(ctx, encodeMessage(msg))).toEqual(msg);
        checkSigned(msg);
        if (msg.type === 'pool-response')
          for (const e of msg.entries)
            expect(e.holders.every((h) => Number.isSafeInteger(h) && h >= 0 && h < 3)).toBe(true);
        if (msg.type === 'pool-request') expect(Number.isSafeInteger(msg.cursor) && msg.cursor >= -1).toBe(true);
      }),
      { numRuns: RUNS },
    );
    expect(unhandled).toEqual([]);
  }, 600_000);

  it('parseSyncRequest, validateFinalizedBlocks, parseBlockRequest, validateBlockResponse', () => {
    const syncReq = { fromHeight: 1, max: 4 };
    const arb = fc.oneof(
      fc.tuple(
        fc.constant('sync-req'),
        fc.oneof(
          fc.jsonValue(),
          fc
            .nat(paths(syncReq).length - 1)
            .chain((k) => fc.tuple(junk, fc.boolean()).map(([v, d]) => mutate(syncReq, paths(syncReq)[k]!, v, d))),
        ),
      ),
      fc.tuple(
        fc.constant('sync-resp'),
        messageArb(['syncResponse']).map((m) => (m as { blocks?: unknown } | null)?.blocks ?? m),
      ),
      fc.tuple(
        fc.constant('block-req'),
        fc.oneof(
          fc.jsonValue(),
          junk.map((h) => ({ hash: h })),
          fc.constant({ hash: b1.hash }),
        ),
      ),
      fc.tuple(
        fc.constant('block-resp'),
        messageArb(['blockResponse']).map((m) => (m as { block?: unknown } | null)?.block ?? m),
      ),
    );
    fc.assert(
      fc.property(arb, ([target, input]) => {
        switch (target) {
          case 'sync-req': {
            const r = only([NetworkError], () => parseSyncRequest(input, ctx.maxSyncBlocks));
            if (r)
              expect(
                Number.isSafeInteger(r.fromHeight) && r.fromHeight >= 1 && r.max >= 1 && r.max <= ctx.maxSyncBlocks,
              ).toBe(true);
            return;
          }
          case 'sync-resp': {
            const r = only([NetworkError], () =>
              validateFinalizedBlocks(chain.genesis, input, { fromHeight: 1, max: ctx.maxSyncBlocks }),
            );
            if (r) {
              r.forEach((fb, i) => {
                expect(fb.block.header.height).toBe(i + 1);
              });
            }
            return;
          }
          case 'block-req': {
            const r = only([NetworkError], () => parseBlockRequest(input));
            if (r) expect(isHex(r.hash, 32)).toBe(true);
            return;
          }
          default: {
            const r = only([NetworkError], () => validateBlockResponse(ctx, input, b1.hash));
            if (r) expect(r).toEqual(b1);
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(unhandled).toEqual([]);
  }, 600_000);
});

describe('fuzz: HTTP query parsing', () => {
  it('electionIdQuery and blockPathRef: only HttpError (400); accepted values match their rules', () => {
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.stringMatching(/^[A-Za-z0-9_.-]{1,70}$/),
      fc.stringMatching(/^(0x)?[0-9a-fA-F]{0,70}$/),
      fc.stringMatching(/^\d{1,20}$/),
      fc.constantFrom('latest', 'finalized', '', '0x', '0x0', '00', HASH, HASH.toUpperCase()),
    );
    // Express's parser gives a string, an array of strings (repeated key) or an object (a[b]=c).
    const query = fc.oneof(
      value,
      fc.array(value, { maxLength: 3 }),
      fc.dictionary(fc.string(), value),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(query, value, fc.boolean(), (q, path, required) => {
        const id = only([HttpError], () => electionIdQuery(q, required as true));
        if (id !== undefined) expect(/^[A-Za-z0-9_.-]{1,64}$/.test(id)).toBe(true);
        const ref = only([HttpError], () => blockPathRef(path));
        if (ref && 'height' in ref) expect(Number.isSafeInteger(ref.height) && ref.height >= 0).toBe(true);
        if (ref && 'hash' in ref) expect(isHex(ref.hash, 32) && ref.hash === ref.hash.toLowerCase()).toBe(true);
      }),
      { numRuns: RUNS },
    );
    try {
      electionIdQuery(['1', '2'], true);
    } catch (e) {
      expect((e as HttpError).status).toBe(400);
    }
    expect(unhandled).toEqual([]);
  }, 600_000);
});

// Guard against the fixtures drifting into invalid messages (the properties above would then test nothing).
describe('fuzz fixtures', () => {
  it('every base message is valid', () => {
    for (const [name, m] of Object.entries(VALID)) {
      expect(() => validateDirectMessage(ctx, encodeMessage(m as ConsensusMessage))).not.toThrow();
      void name;
    }
    expect(() => only([ProtocolError], () => utf8ToBytes('x'))).not.toThrow();
  });
});
