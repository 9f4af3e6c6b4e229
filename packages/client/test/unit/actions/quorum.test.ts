import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  InvalidArgumentError,
  NoHealthyValidatorError,
  QuorumDisagreementError,
  createVotingClient,
  type VotingClient,
} from '@poa-vote/client';
import { makeChain, vote, type TestChain } from '../helpers/chain.js';
import { FakeValidator, startValidators } from '../helpers/fakeValidator.js';

let chain: TestChain;
let fakes: FakeValidator[] = [];
let client: VotingClient | undefined;

beforeAll(() => {
  chain = makeChain([[vote('v1', '7', 'alice')], [vote('v2', '7', 'bob')], [vote('v3', '7', 'alice')]]);
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

async function start(n = 3): Promise<VotingClient> {
  fakes = await startValidators(n, { blocks: chain.blocks, finalizedHeight: 3 });
  client = createVotingClient({
    validators: fakes.map((f) => f.config),
    healthCheckIntervalMs: 0,
    requestTimeoutMs: 300,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  });
  return client;
}

function results(counts: Record<string, number>, height: number): Record<string, unknown> {
  return { election_id: '7', results: counts, counts, total: Object.values(counts).reduce((a, b) => a + b, 0), height };
}

describe('getResults', () => {
  it('reads one validator without a quorum', async () => {
    const c = await start();
    fakes[0]!.results = results({ alice: 2, bob: 1 }, 3);
    const r = await c.getResults(7);
    expect(r).toEqual({ electionId: '7', counts: { alice: 2, bob: 1 }, total: 3, height: 3, validator: 'validator-1' });
    expect(fakes[0]!.requests).toContain('GET /results');
  });

  it('accepts agreeing answers of k validators at one height', async () => {
    const c = await start();
    for (const f of fakes) f.results = results({ alice: 2, bob: 1 }, 3);
    const r = await c.getResults(7, { quorum: 3 });
    expect(r.counts).toEqual({ alice: 2, bob: 1 });
    expect(r.quorum).toEqual({
      validators: expect.arrayContaining(['validator-1', 'validator-2', 'validator-3']),
      heights: [3, 3, 3],
      agreement: 'exact',
    });
  });

  it('throws QuorumDisagreementError showing each answer when one validator lies', async () => {
    const c = await start();
    for (const f of fakes) f.results = results({ alice: 2, bob: 1 }, 3);
    fakes[1]!.results = results({ alice: 1, bob: 2 }, 3);
    const err = await c.getResults(7, { quorum: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuorumDisagreementError);
    const answers = (err as QuorumDisagreementError).answers;
    expect(answers.map((a) => a.validator).sort()).toEqual(['validator-1', 'validator-2', 'validator-3']);
    expect(answers.find((a) => a.validator === 'validator-2')!.value).toMatchObject({ counts: { alice: 1, bob: 2 } });
    expect((err as Error).message).toMatch(/validator-2 at height 3: .*"alice":1/);
  });

  it('at different heights compares what is comparable: counts only grow, same block at the lower height', async () => {
    const c = await start(2);
    fakes[0]!.results = results({ alice: 1, bob: 1 }, 2);
    fakes[1]!.results = results({ alice: 2, bob: 1 }, 3);
    const ok = await c.getResults(7, { quorum: 2 });
    expect(ok.quorum!.agreement).toBe('consistent');
    expect(ok.height).toBe(3);
    expect(ok.validator).toBe('validator-2');
    expect(fakes[0]!.requests).toContain('GET /blocks/2');

    fakes[1]!.results = results({ alice: 3, bob: 0 }, 3);
    await expect(c.getResults(7, { quorum: 2 })).rejects.toThrow(/votes for bob fell from 1 to 0/);
  });

  it('detects validators on different chains through the block at the common height', async () => {
    const c = await start(2);
    const fork = makeChain([[vote('v1', '7', 'alice')], [vote('v2', '7', 'bob')], [vote('v3', '7', 'alice')]]);
    fakes[1]!.blocks = fork.blocks;
    for (const f of fakes) f.results = results({ alice: 2, bob: 1 }, 3);
    await expect(c.getResults(7, { quorum: 2 })).rejects.toThrow(/different finalized blocks at height 3/);
  });

  it('replaces a failing validator, and fails when fewer than k answer', async () => {
    const c = await start(3);
    for (const f of fakes) f.results = results({ alice: 2, bob: 1 }, 3);
    await fakes[0]!.close();
    const r = await c.getResults(7, { quorum: 2 });
    expect(r.quorum!.validators.sort()).toEqual(['validator-2', 'validator-3']);
    await expect(c.getResults(7, { quorum: 3 })).rejects.toBeInstanceOf(NoHealthyValidatorError);
    fakes = fakes.slice(1);
  });

  it('rejects a quorum larger than the pool', async () => {
    const c = await start(2);
    await expect(c.getResults(7, { quorum: 3 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.getResults('bad id!')).rejects.toThrow(/electionId/);
  });
});

describe('getBlockchain', () => {
  it('normalizes the summary', async () => {
    const c = await start(1);
    const b = await c.getBlockchain({ electionId: 7 });
    expect(b).toMatchObject({
      chainId: 1337,
      finalizedHeight: 3,
      headHash: chain.blocks[2]!.block.hash,
      verification: { chainValid: true },
      validator: 'validator-1',
    });
    expect(b.authorities.map((a) => a.id)).toEqual(['validator-1', 'validator-2', 'validator-3']);
  });

  it('compares finalized data across a quorum', async () => {
    const c = await start();
    const ok = await c.getBlockchain({ quorum: 3 });
    expect(ok.quorum!.agreement).toBe('exact');
    fakes[2]!.blockchain = {
      chain_id: 1337,
      height: 3,
      finalized_height: 3,
      authorities: ['validator-1', 'validator-2', 'validator-3'],
      vote_count: 9,
      verification: {},
    };
    const err = await c.getBlockchain({ quorum: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuorumDisagreementError);
    expect((err as QuorumDisagreementError).answers).toHaveLength(3);
  });
});
