/**
 * The client against three real validator processes: round robin spreads votes over every
 * validator (each one really took the votes the client says it took), and every vote ends
 * finalized exactly once, with exact results on every validator and in the client's recount.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Hex } from '@poa-vote/shared';
import { type AckedVote, TestNetwork, auditNetwork, getJson } from '@poa-vote/test-utils';
import { type VoteInput, type VotingClient, createVotingClient, voteTransaction } from '../../src/index.js';
import { ackedVote, ballot, validatorsOf } from './helpers/network.js';

const SLOT_MS = 400;
/** Uneven on purpose: a count moved from one candidate to another would show. */
const CANDIDATES = ['alice', 'alice', 'bob', 'bob', 'carol', 'alice', 'dave'];

describe('round robin over three validators', () => {
  let net: TestNetwork;
  let client: VotingClient;
  const acked = new Map<Hex, AckedVote>();
  const accepted: { hash: Hex; submissionId: string; validator: string }[] = [];
  const expected: Record<string, number> = {};

  const vote = (voter: string, n: number, transactionId?: string): { input: VoteInput; candidate: string } => {
    const candidate = CANDIDATES[n % CANDIDATES.length]!;
    return {
      input: {
        voterId: voter,
        electionId: 1,
        encryptedVote: ballot(candidate),
        ...(transactionId ? { transactionId } : {}),
      },
      candidate,
    };
  };
  const record = (
    input: VoteInput,
    candidate: string,
    r: { hash: Hex; submissionId: string; validator: string },
  ): void => {
    acked.set(r.hash, ackedVote(input, candidate, r.validator, Date.now()));
    accepted.push(r);
    expected[candidate] = (expected[candidate] ?? 0) + 1;
  };

  beforeAll(async () => {
    net = await TestNetwork.create({ slotMs: SLOT_MS });
    await net.start();
    await net.waitHealthy();
    client = createVotingClient({
      validators: validatorsOf(net),
      genesis: net.genesis,
      strategy: 'round-robin',
      healthCheckIntervalMs: 500,
    });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await net?.stop();
  }, 30_000);

  it('sends single votes to every validator in turn, and each validator really took the ones the client names', async () => {
    const byValidator: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const { input, candidate } = vote(`rr-${i}`, i, `rr-submission-${i}`);
      const r = await client.submitVote(input);
      expect(r.hash).toBe(voteTransaction(input).hash);
      expect(r.submissionId).toBe(`rr-submission-${i}`);
      record(input, candidate, r);
      byValidator[r.validator] = (byValidator[r.validator] ?? 0) + 1;
    }
    expect(Object.keys(byValidator).sort()).toEqual(['validator-1', 'validator-2', 'validator-3']);
    for (const n of Object.values(byValidator)) expect(n).toBeGreaterThanOrEqual(5);
    // A submission id is known only to the validator that received it: the validator side of the claim.
    for (const a of accepted) {
      for (const v of net.validators) {
        const { status, body } = await getJson(`${v.url}/transactions/${a.submissionId}`);
        // The id resolves to the hash (a 404 can carry it too, for a vote between mempool and disk).
        const resolved: unknown = body.hash ?? body.state?.hash;
        if (v.id === a.validator) expect(resolved).toBe(a.hash);
        else expect({ status, resolved }).toEqual({ status: 404, resolved: undefined });
      }
    }
  }, 60_000);

  it('sends batches of votes (submitVotes) to different validators, one result per vote', async () => {
    const batch = Array.from({ length: 60 }, (_, k) => vote(`rr-batch-${k}`, k + 30));
    const results = await client.submitVotes(
      batch.map((b) => b.input),
      { batchSize: 20 },
    );
    expect(results).toHaveLength(60);
    const batchValidators = new Set<string>();
    results.forEach((r, k) => {
      if (!r.ok) throw new Error(`vote ${k} failed: ${r.error.message}`);
      expect(r.hash).toBe(voteTransaction(batch[k]!.input).hash);
      record(batch[k]!.input, batch[k]!.candidate, r);
      batchValidators.add(r.validator);
    });
    // Three batches of 20, in turn: three validators.
    expect(batchValidators.size).toBe(3);
    for (let k = 0; k < 60; k += 20)
      expect(new Set(results.slice(k, k + 20).map((r) => r.ok && r.validator)).size).toBe(1);
  }, 60_000);

  it('confirms every vote as finalized, each exactly once on every validator, with exact results everywhere', async () => {
    const statuses = await Promise.all(
      accepted.map((a) => client.waitForConfirmation(a.hash, { validator: a.validator, timeoutMs: 30_000 })),
    );
    statuses.forEach((s, k) => {
      expect(s.state).toBe('finalized');
      expect(s.hash).toBe(accepted[k]!.hash);
      expect(s.blockNumber).toBeGreaterThan(0);
    });
    // Walk every validator's chain from the genesis and count each transaction hash.
    const audit = await auditNetwork({
      genesis: net.genesis,
      urls: net.validators.map((v) => v.url),
      live: [0, 1, 2],
      electionId: '1',
      acked,
    });
    expect(audit.problems).toEqual([]);
    expect(audit.figures).toMatchObject({ acked: 90, finalized: 90, lost: 0, doubled: 0, unacknowledgedOnChain: 0 });

    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(total).toBe(90);
    for (const v of net.validators) {
      const { body } = await getJson(`${v.url}/results?election_id=1`);
      expect(body.results).toEqual(expected);
      expect(body.total).toBe(90);
    }
    const agreed = await client.getResults(1, { quorum: 3 });
    expect(agreed.counts).toEqual(expected);
    expect(agreed.quorum?.validators.sort()).toEqual(['validator-1', 'validator-2', 'validator-3']);

    // The client's own recount of the verified chain agrees, and the published results match it.
    const integrity = await client.verifyBlockchainIntegrity();
    expect(integrity.errors).toEqual([]);
    expect(integrity.valid).toBe(true);
    expect(integrity.checkedBlocks).toBe(integrity.height);
    const tally = await client.tallyElection(1);
    expect(tally.counts).toEqual(expected);
    expect(tally.duplicateVotes).toBe(0);
    const cmp = await client.compareWithResults(1);
    expect(cmp.differences).toEqual([]);
    expect(cmp.match).toBe(true);
  }, 90_000);
});
