/**
 * Tampering against real processes: validator 1 is reached through a proxy that rewrites what
 * it serves (a vote inside a block, a certificate signature, the published tally, the authority
 * list). The client must catch each one: verifyBlockchainIntegrity and tallyElection against the
 * genesis, compareWithResults against its own recount, quorum reads against the other validators.
 * The same checks through the proxy while it is honest pass, so what fails is the tampering.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { BlockchainBody, FinalizedBlock, Hex } from '@poa-vote/shared';
import { TestNetwork, ValidatorProxy } from '@poa-vote/test-utils';
import {
  QuorumDisagreementError,
  VerificationError,
  type VoteInput,
  type VotingClient,
  createVotingClient,
} from '../../src/index.js';
import { ballot, validatorsOf } from './helpers/network.js';

const SLOT_MS = 400;
const EXPECTED = { alice: 6, bob: 4, carol: 2 };

/** Flip the last hex digit of a 0x-hex string. */
function flipLastHex(h: string): string {
  const last = h.at(-1)!;
  return `${h.slice(0, -1)}${last === '0' ? '1' : '0'}`;
}

describe('a validator that tampers with what it serves', () => {
  let net: TestNetwork;
  let proxy: ValidatorProxy;
  let client: VotingClient;
  /** Height of the block holding the first vote, and the vote's index in it. */
  let target: { height: number; index: number; hash: Hex };

  beforeAll(async () => {
    net = await TestNetwork.create({ slotMs: SLOT_MS });
    await net.start();
    await net.waitHealthy();
    proxy = await ValidatorProxy.start(net.validators[0]!.rpcPort);
    const setup = createVotingClient({ validators: validatorsOf(net), genesis: net.genesis, healthCheckIntervalMs: 0 });
    try {
      const votes: VoteInput[] = Object.entries(EXPECTED).flatMap(([candidate, n]) =>
        Array.from({ length: n }, (_, k) => ({
          voterId: `tamper-${candidate}-${k}`,
          electionId: 1,
          encryptedVote: ballot(candidate),
        })),
      );
      const results = await setup.submitVotes(votes);
      const hashes = results.map((r) => {
        if (!r.ok) throw new Error(`setup vote failed: ${r.error.message}`);
        return r.hash;
      });
      const statuses = await Promise.all(hashes.map((h) => setup.waitForConfirmation(h, { timeoutMs: 30_000 })));
      const first = statuses[0]!;
      target = { height: first.blockNumber!, index: first.transactionIndex ?? 0, hash: hashes[0]! };
    } finally {
      setup.close();
    }
  }, 90_000);

  beforeEach(() => {
    proxy.rewrite = undefined;
    // A fresh client per test: tallies are cached per client.
    client = createVotingClient({
      validators: validatorsOf(net, (i) => (i === 0 ? proxy.url : undefined)),
      genesis: net.genesis,
      healthCheckIntervalMs: 500,
    });
  });

  afterEach(() => {
    client?.close();
    if (proxy) proxy.rewrite = undefined;
  });

  afterAll(async () => {
    await proxy?.close();
    await net?.stop();
  }, 30_000);

  it('honest, the proxied validator passes every check', async () => {
    const integrity = await client.verifyBlockchainIntegrity({ validator: 'validator-1' });
    expect(integrity.errors).toEqual([]);
    expect(integrity.valid).toBe(true);
    expect(integrity.validators).toContain('validator-1');
    const cmp = await client.compareWithResults(1, { validator: 'validator-1' });
    expect(cmp.match).toBe(true);
    expect(cmp.tally.counts).toEqual(EXPECTED);
    const agreed = await client.getResults(1, { quorum: 3 });
    expect(agreed.counts).toEqual(EXPECTED);
    await client.getBlockchain({ quorum: 3 });
    expect(proxy.counts.http).toBeGreaterThan(0);
    expect(proxy.counts.rewritten).toBe(0);
  }, 60_000);

  it('a vote rewritten inside a finalized block: verifyBlockchainIntegrity and tallyElection reject the chain', async () => {
    proxy.rewrite = (path, body) => {
      if (path !== `/blocks/${target.height}`) return undefined;
      const copy = structuredClone(body) as FinalizedBlock;
      copy.block.transactions[target.index]!.data = ballot('mallory');
      return copy;
    };
    const integrity = await client.verifyBlockchainIntegrity({ validator: 'validator-1' });
    expect(proxy.counts.rewritten).toBeGreaterThan(0);
    expect(integrity.valid).toBe(false);
    expect(integrity.height).toBe(target.height - 1);
    expect(integrity.errors).toHaveLength(1);
    expect(integrity.errors[0]).toContain(`block ${target.height} (from validator-1)`);

    const tally = client.tallyElection(1, { validator: 'validator-1' });
    await expect(tally).rejects.toBeInstanceOf(VerificationError);
    await expect(tally).rejects.toMatchObject({ height: target.height - 1 });

    // The same chain from an honest validator verifies: the fault is validator-1's alone.
    const honest = await client.verifyBlockchainIntegrity({ validator: 'validator-2' });
    expect(honest.valid).toBe(true);
  }, 60_000);

  it('a forged signature in a block certificate: verifyBlockchainIntegrity rejects the chain', async () => {
    proxy.rewrite = (path, body) => {
      if (path !== `/blocks/${target.height}`) return undefined;
      const copy = structuredClone(body) as FinalizedBlock;
      const first = copy.certificate.signatures[0]!;
      first.signature = flipLastHex(first.signature) as Hex;
      return copy;
    };
    const integrity = await client.verifyBlockchainIntegrity({ validator: 'validator-1' });
    expect(integrity.valid).toBe(false);
    expect(integrity.height).toBe(target.height - 1);
    expect(integrity.errors[0]).toContain(`block ${target.height} (from validator-1)`);
    expect(integrity.errors[0]).toMatch(/signature/);
  }, 60_000);

  it('a tally rewritten in /results: compareWithResults reports the difference and a quorum read refuses it', async () => {
    // One vote moved from alice to bob: a lower count, whichever height the others are at.
    proxy.rewrite = (path, body) => {
      if (!path.startsWith('/results')) return undefined;
      const answer = body as { results: Record<string, number> };
      const forged = { ...answer.results, alice: answer.results.alice! - 1, bob: answer.results.bob! + 1 };
      return { ...answer, results: forged, counts: forged };
    };
    const cmp = await client.compareWithResults(1, { validator: 'validator-1' });
    expect(cmp.validator).toBe('validator-1');
    expect(cmp.match).toBe(false);
    expect(cmp.differences).toEqual([
      { candidate: 'alice', tally: 6, reported: 5 },
      { candidate: 'bob', tally: 4, reported: 5 },
    ]);
    expect(cmp.totals).toEqual({ tally: 12, reported: 12 });

    const quorum = client.getResults(1, { quorum: 3 });
    await expect(quorum).rejects.toBeInstanceOf(QuorumDisagreementError);
    const err = (await quorum.catch((e: unknown) => e)) as QuorumDisagreementError;
    const forged = err.answers.find((a) => a.validator === 'validator-1');
    expect(forged?.value).toMatchObject({ counts: { alice: 5, bob: 5, carol: 2 } });
    expect(
      err.answers.filter((a) => a.validator !== 'validator-1').map((a) => (a.value as { counts: unknown }).counts),
    ).toEqual([EXPECTED, EXPECTED]);

    // An honest validator's results match the recount.
    expect((await client.compareWithResults(1, { validator: 'validator-2' })).match).toBe(true);
  }, 60_000);

  it('a rewritten authority list in /blockchain: a quorum read refuses it', async () => {
    proxy.rewrite = (path, body) => {
      if (!path.startsWith('/blockchain')) return undefined;
      const copy = structuredClone(body) as BlockchainBody;
      copy.authorities[0]!.id = 'mallory';
      return copy;
    };
    await expect(client.getBlockchain({ quorum: 3 })).rejects.toBeInstanceOf(QuorumDisagreementError);
    expect(proxy.counts.rewritten).toBeGreaterThan(0);
  }, 60_000);
});
