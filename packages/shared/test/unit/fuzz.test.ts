/**
 * Property-based fuzzing (fast-check) of the protocol's validation rules for untrusted objects:
 * parseTransaction, validateVote, validateBlock and validateProposal (with a polka).
 *
 * FUZZ_RUNS inputs per target (the convention of the JSON-RPC fuzz test): 100,000 by default, as
 * in CI (about 45 s for all targets here); FUZZ_RUNS=2000 for a quick local run. Inputs: valid objects with
 * one field replaced or dropped, and arbitrary JSON. Properties: only ProtocolError is thrown; an
 * accepted object is a fixed point of its validator; a signed object is accepted only exactly as
 * it was signed (extra fields stripped); an accepted transaction satisfies every rule.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

// CI replays a fixed seed, so a run fails only for a change in the code; FUZZ_SEED=<n> explores
// others (fast-check prints the seed and path of any counterexample, to replay it).
fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20261129) });
import {
  type Hex,
  ProtocolError,
  createProposal,
  createVote,
  genesisHash,
  parseTransaction,
  txSize,
  validateBlock,
  validateProposal,
  validateVote,
} from '@poa-vote/shared';
import { makeBlock, makeCertificate, makeChain, tx } from './fixtures.js';

/** Per-target default (measured: all fuzz targets of the repository stay near 4 minutes in CI). */
const FUZZ_DEFAULT = 100_000;
const RUNS = Number(process.env.FUZZ_RUNS ?? FUZZ_DEFAULT);

const chain = makeChain({ n: 3 });
const g = chain.genesis;
const block = makeBlock(chain, {
  height: 1,
  slot: 4,
  parentHash: genesisHash(g),
  transactions: [tx(1), tx(2, '1', 'bob')],
});
const polka = makeCertificate(chain, 'prevote', block, [0, 2]);
// A re-proposal at a later slot carrying the block's polka (validRound = the polka's slot).
const proposal = createProposal(g, chain.signers[5 % 3]!, { slot: 5, block, validRound: 4, polka });
const vote = createVote(g, chain.signers[1]!, 1, { type: 'precommit', height: 1, slot: 4, blockHash: block.hash });
const transaction = { from: 'voter-7', to: 'election-9', data: 'eyJjYW5kaWRhdGVfaWQiOiJBIn0=' };
const HASH = `0x${'ab'.repeat(32)}` as Hex;

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    -1,
    0,
    1,
    2,
    3,
    4,
    5,
    2 ** 53,
    1.5,
    '',
    '0x',
    HASH,
    '\ud800',
    'x'.repeat(20_000),
    'election-1',
    'prevote',
    'precommit',
    null,
    [],
    {},
    true,
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
);

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

function mutate(v: unknown, path: (string | number)[], value: unknown, drop: boolean): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(v);
  let at = copy as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (drop && !Array.isArray(at)) delete at[last];
  else Object.defineProperty(at, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** `base` with one field replaced or dropped, `base` itself, or arbitrary JSON. */
function around(base: unknown): fc.Arbitrary<unknown> {
  const ps = paths(base);
  const mutated = fc
    .tuple(fc.nat(ps.length - 1), junk, fc.boolean())
    .map(([k, value, drop]) => mutate(base, ps[k]!, value, drop));
  return fc.oneof(
    { weight: 8, arbitrary: mutated },
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.constant(structuredClone(base)) },
  );
}

/** fn's result, or undefined when it threw a ProtocolError; anything else fails the property. */
function protocolOnly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw new Error(`unexpected ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return undefined;
  }
}

describe('fuzz: protocol validation', () => {
  it('fixtures are valid', () => {
    expect(validateVote(g, vote)).toEqual(vote);
    expect(validateBlock(g, block)).toEqual(block);
    expect(validateProposal(g, proposal)).toEqual(proposal);
    expect(parseTransaction(transaction, g.limits.maxTxBytes)).toEqual(transaction);
  });

  it('parseTransaction: only ProtocolError; an accepted transaction meets every rule', () => {
    const arb = fc.oneof(
      around(transaction),
      fc.record({
        from: fc.string(),
        to: fc.oneof(fc.constant('election-1'), fc.string()),
        data: fc.string({ unit: 'binary' }),
      }),
    );
    fc.assert(
      fc.property(arb, (input) => {
        const t = protocolOnly(() => parseTransaction(input, g.limits.maxTxBytes));
        if (t === undefined) return;
        expect(Object.keys(t).sort()).toEqual(['data', 'from', 'to']);
        expect(/^[\x21-\x7e]{1,128}$/.test(t.from)).toBe(true);
        expect(/^election-[A-Za-z0-9_.-]{1,64}$/.test(t.to)).toBe(true);
        expect(t.data.length > 0 && (t.data as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
        expect(txSize(t)).toBeLessThanOrEqual(g.limits.maxTxBytes);
        expect(parseTransaction(t, g.limits.maxTxBytes)).toEqual(t);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  it('validateVote: only ProtocolError; accepted only as signed', () => {
    fc.assert(
      fc.property(around(vote), (input) => {
        const v = protocolOnly(() => validateVote(g, input));
        if (v !== undefined) expect(v).toEqual(vote);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  it('validateBlock: only ProtocolError; accepted only as signed', () => {
    fc.assert(
      fc.property(around(block), (input) => {
        const b = protocolOnly(() => validateBlock(g, input));
        if (b !== undefined) expect(b).toEqual(block);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  it('validateProposal (with a polka): only ProtocolError; accepted only as signed', () => {
    fc.assert(
      fc.property(around(proposal), (input) => {
        const p = protocolOnly(() => validateProposal(g, input));
        if (p !== undefined) expect(p).toEqual(proposal);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
