/** The client's recount and /results reading with candidates named like Object.prototype members. */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  InvalidResponseError,
  TallyCache,
  createVotingClient,
  type ElectionTally,
  type VotingClient,
} from '@poa-vote/client';
import { MAX_CANDIDATES_PER_ELECTION, OTHER, type Hex } from '@poa-vote/shared';
import { formatResults } from '../../../src/formatters/results.js';
import { makeChain, vote, type TestChain } from '../helpers/chain.js';
import { FakeValidator, startValidators } from '../helpers/fakeValidator.js';

const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
// What a validator sends, built as JSON text: JSON.parse makes "__proto__" an own property.
const COUNTS_JSON = '{"__proto__":2,"alice":1,"constructor":2,"hasOwnProperty":2,"toString":2,"valueOf":2}';

let chain: TestChain;
let fakes: FakeValidator[] = [];
let client: VotingClient | undefined;

beforeAll(() => {
  chain = makeChain([
    HOSTILE.map((c, i) => vote(`a${i}`, '7', c)).concat([vote('z', '7', 'alice')]),
    HOSTILE.map((c, i) => vote(`b${i}`, '7', c)),
  ]);
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

async function serve(c: TestChain = chain): Promise<VotingClient> {
  const { blocks, genesis } = c;
  fakes = await startValidators(1, { blocks, finalizedHeight: blocks.length });
  client = createVotingClient({
    validators: fakes.map((f) => f.config),
    genesis,
    healthCheckIntervalMs: 0,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  });
  return client;
}

describe('hostile candidate names', () => {
  it('formatResults keeps every candidate as an own count', () => {
    const r = formatResults(JSON.parse(`{"election_id":"7","results":${COUNTS_JSON},"total":11,"height":2}`));
    expect(Object.keys(r.counts).sort()).toEqual([
      '__proto__',
      'alice',
      'constructor',
      'hasOwnProperty',
      'toString',
      'valueOf',
    ]);
    for (const c of HOSTILE) expect(Object.getOwnPropertyDescriptor(r.counts, c)?.value).toBe(2);
  });

  it('tallyElection counts them', async () => {
    const c = await serve();
    const t = await c.tallyElection(7);
    expect(t.total).toBe(11);
    expect(Object.keys(t.counts)).toEqual([
      '__proto__',
      'alice',
      'constructor',
      'hasOwnProperty',
      'toString',
      'valueOf',
    ]);
    for (const h of HOSTILE) expect(Object.getOwnPropertyDescriptor(t.counts, h)?.value).toBe(2);
  });

  it('compareWithResults agrees with honest results naming them', async () => {
    const c = await serve();
    fakes[0]!.results = JSON.parse(
      `{"election_id":"7","results":${COUNTS_JSON},"counts":${COUNTS_JSON},"total":11,"height":2}`,
    ) as Record<string, unknown>;
    const r = await c.compareWithResults(7);
    expect(r.differences).toEqual([]);
    expect(r.match).toBe(true);
  });

  it('compareWithResults flags a missing prototype-named candidate', async () => {
    const c = await serve();
    fakes[0]!.results = { election_id: '7', results: { alice: 1 }, total: 11, height: 2 };
    const r = await c.compareWithResults(7);
    expect(r.match).toBe(false);
    expect(r.differences).toEqual(
      HOSTILE.slice()
        .sort()
        .map((candidate) => ({ candidate, tally: 2, reported: 0 })),
    );
  });
});

describe('bounded candidate lists', () => {
  it('recounts new names beyond MAX_CANDIDATES_PER_ELECTION under "other", as validators count them', async () => {
    const many = Array.from({ length: MAX_CANDIDATES_PER_ELECTION }, (_, i) => vote(`v${i}`, '9', `c${i}`));
    const big = makeChain([many, [vote('late1', '9', 'late'), vote('again', '9', 'c1'), vote('late2', '9', 'later')]]);
    const client2 = await serve(big);
    const t = await client2.tallyElection(9);
    expect(t.total).toBe(MAX_CANDIDATES_PER_ELECTION + 3);
    expect(Object.keys(t.counts)).toHaveLength(MAX_CANDIDATES_PER_ELECTION + 1);
    expect(t.counts[OTHER]).toBe(2);
    expect(t.counts.c1).toBe(2);
    expect(t.counts.late).toBeUndefined();
  });

  it('refuses /results listing more buckets than a tally can hold', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < MAX_CANDIDATES_PER_ELECTION + 3; i++) counts[`c${i}`] = 1;
    expect(() =>
      formatResults({ election_id: '7', results: counts, total: MAX_CANDIDATES_PER_ELECTION + 3, height: 1 }),
    ).toThrow(InvalidResponseError);
    delete counts.c0;
    expect(Object.keys(formatResults({ election_id: '7', results: counts, total: 1, height: 1 }).counts)).toHaveLength(
      MAX_CANDIDATES_PER_ELECTION + 2,
    );
  });

  it('keeps at most maxElections tallies, least recently used evicted', () => {
    const cache = new TallyCache({ maxElections: 2 });
    const gh = `0x${'00'.repeat(32)}` as Hex;
    const t = (): ElectionTally => ({
      cursor: { height: 0, hash: gh, slot: 0 } as ElectionTally['cursor'],
      counts: new Map(),
      total: 0,
      voters: new Set(),
      duplicateVotes: 0,
    });
    cache.set(gh, '1', t());
    cache.set(gh, '2', t());
    expect(cache.get(gh, '1')).toBeDefined(); // 1 is now the most recently used
    cache.set(gh, '3', t());
    expect(cache.size).toBe(2);
    expect(cache.get(gh, '2')).toBeUndefined();
    expect(cache.get(gh, '1')).toBeDefined();
    expect(cache.get(gh, '3')).toBeDefined();
    expect(() => new TallyCache({ maxElections: 0 })).toThrow(/maxElections/);
  });
});
