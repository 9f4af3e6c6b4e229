import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { VerificationError, createVotingClient, type VotingClient } from '@poa-vote/client';
import { clone, makeChain, vote, type TestChain } from '../helpers/chain.js';
import { FakeValidator, startValidators } from '../helpers/fakeValidator.js';

let chain: TestChain;
let fakes: FakeValidator[] = [];
let client: VotingClient | undefined;

beforeAll(() => {
  chain = makeChain([
    [vote('v1', '7', 'alice'), vote('v2', '7', 'bob')],
    [
      vote('v3', '7', 'alice'),
      vote('v9', '8', 'carol'),
      { from: 'v4', to: 'election-7', data: 'c2VhbGVkIGJhbGxvdA==' },
    ],
    [],
    [
      vote('v5', '7', 'alice'),
      { from: 'v6', to: 'election-7', data: `0x${Buffer.from('{"candidate":"bob"}').toString('hex')}` },
    ],
    [vote('v1', '7', 'bob')],
  ]);
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

async function serve(blocks = chain.blocks, height = blocks.length): Promise<VotingClient> {
  fakes = await startValidators(1, { blocks, finalizedHeight: height });
  client = createVotingClient({
    validators: fakes.map((f) => f.config),
    genesis: chain.genesis,
    healthCheckIntervalMs: 0,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  });
  return client;
}

describe('tallyElection', () => {
  it('counts only the election, one vote per voter, with the ballot rule', async () => {
    const c = await serve();
    const t = await c.tallyElection(7);
    expect(t).toEqual({
      electionId: '7',
      counts: { alice: 3, bob: 2, sealed: 1 },
      total: 6,
      height: 5,
      checkedBlocks: 5,
      duplicateVotes: 1,
    });
    expect((await c.tallyElection('8')).counts).toEqual({ carol: 1 });
  });

  it('continues from the last verified block on the next call', async () => {
    const c = await serve(chain.blocks, 2);
    const first = await c.tallyElection(7);
    expect(first).toMatchObject({ height: 2, total: 4, checkedBlocks: 2 });
    fakes[0]!.finalizedHeight = 5;
    const second = await c.tallyElection(7);
    expect(second).toMatchObject({ height: 5, total: 6, checkedBlocks: 3 });
    expect(fakes[0]!.requests.filter((r) => r === 'GET /blocks/1')).toHaveLength(1);
  });

  it('serializes concurrent tallies of one election (no double counting)', async () => {
    const c = await serve();
    const [a, b] = await Promise.all([c.tallyElection(7), c.tallyElection(7)]);
    expect(a.total).toBe(6);
    expect(b.total).toBe(6);
  });

  it('throws VerificationError on a tampered chain', async () => {
    const blocks = clone(chain.blocks);
    blocks[3]!.block.transactions[0]!.data = '{"candidate_id":"bob"}';
    const c = await serve(blocks);
    const err = await c.tallyElection(7).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerificationError);
    expect((err as VerificationError).height).toBe(3);
    expect((err as VerificationError).errors[0]).toMatch(/block 4/);
  });
});

describe('compareWithResults', () => {
  it('matches honest results at the same height', async () => {
    const c = await serve();
    fakes[0]!.results = {
      election_id: '7',
      results: { alice: 3, bob: 2, sealed: 1 },
      counts: { alice: 3, bob: 2, sealed: 1 },
      total: 6,
      height: 5,
    };
    const r = await c.compareWithResults(7);
    expect(r.match).toBe(true);
    expect(r.differences).toEqual([]);
    expect(r.validator).toBe('validator-1');
  });

  it('reports a tampered tally candidate by candidate', async () => {
    const c = await serve();
    fakes[0]!.results = { election_id: '7', results: { alice: 2, bob: 4, sealed: 1 }, total: 7, height: 5 };
    const r = await c.compareWithResults(7);
    expect(r.match).toBe(false);
    expect(r.differences).toEqual([
      { candidate: 'alice', tally: 3, reported: 2 },
      { candidate: 'bob', tally: 2, reported: 4 },
    ]);
    expect(r.totals).toEqual({ tally: 6, reported: 7 });
  });

  it('recounts at the height the results were published at', async () => {
    const c = await serve();
    fakes[0]!.results = { election_id: '7', results: { alice: 2, bob: 1, sealed: 1 }, total: 4, height: 2 };
    const r = await c.compareWithResults(7);
    expect(r).toMatchObject({ match: true, height: 2 });
    // That recount is kept and continued by the next tally.
    expect((await c.tallyElection(7)).checkedBlocks).toBe(3);
  });
});
