/**
 * The key ceremony of an encrypted election with a validator down (issue 14): validator 3 is down
 * from before the configuration, so its key misses the key phase; the ceremony goes on at the
 * phase's deadline with the two others as its participants, they deal, hold the shares and decrypt,
 * verifyElection recomputes it all from the chain, and when validator 3 comes back it replays the
 * chain to the same result and takes no part in that election.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_TYPE, Signer, generateKeyPair, signElectionTx } from '@poa-vote/shared';
import { TestNetwork, finalizedHeight, waitForValue } from '@poa-vote/test-utils';
import { type VotingClient, createVotingClient, encryptBallot } from '../../src/index.js';
import { validatorsOf } from './helpers/network.js';

const SLOT_MS = 600;
const ID = 'enc-down';
const DKG_PHASE_BLOCKS = 6;

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

describe('an encrypted election whose key ceremony runs while validator 3 is down', () => {
  let net: TestNetwork;
  let client: VotingClient;
  const op = generateKeyPair();

  beforeAll(async () => {
    net = await TestNetwork.create({ slotMs: SLOT_MS, genesisExtra: { electionOperator: op.publicKey } });
    await net.start();
    await net.waitHealthy();
    await net.kill(2);
    client = createVotingClient({
      validators: validatorsOf(net).slice(0, 2),
      genesis: net.genesis,
      healthCheckIntervalMs: 0,
    });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await net?.stop();
  }, 30_000);

  it('keys with 2 of 3 after the key phase deadline, decrypts with them, and validator 3 takes no part', async () => {
    const h = await finalizedHeight(net.validators[0]?.url ?? '');
    // The key phase waits DKG_PHASE_BLOCKS for the missing key, then dealings and complaints.
    const openHeight = h + 4 * DKG_PHASE_BLOCKS;
    const closeHeight = openHeight + 12;
    const config = {
      type: CONFIG_TYPE,
      v: 1,
      electionId: ID,
      candidates: ['yes', 'no'],
      ballotFormat: 'encrypted',
      minSelections: 1,
      maxSelections: 1,
      openHeight,
      closeHeight,
      dkgPhaseBlocks: DKG_PHASE_BLOCKS,
    };
    const tx = signElectionTx(net.genesis, new Signer(op.privateKey), 'election', ID, config);
    await client.submitVote({ voterId: tx.from, electionId: ID, encryptedVote: tx.data, until: 'finalized' });
    const params = await waitForValue(() => client.getElectionParams(ID), 60_000, 'the election key');
    // The short way (the key phase ended at its deadline, not with a message) agrees with the chain.
    expect(await client.getElectionParams(ID, { fullReplay: true })).toEqual(params);
    const record = await getJson<{
      participants: string[];
      keys_closed_height: number;
      config_height: number;
      qualified: number[];
      disqualified: { dealer: number; reason: string }[];
    }>(`${net.validators[0]?.url}/elections/${ID}`);
    expect(record.participants).toEqual(['validator-1', 'validator-2']);
    expect(record.keys_closed_height).toBe(record.config_height + 1 + DKG_PHASE_BLOCKS);
    expect(record.qualified).toEqual([1, 2]);
    expect(record.disqualified).toEqual([{ dealer: 3, reason: 'no election key' }]);

    await net.waitHeight(0, openHeight, 60_000);
    const choices = ['yes', 'no', 'yes', 'yes', 'no', 'yes'];
    const results = await client.submitVotes(
      choices.map((c, k) => ({
        voterId: `voter-${k}`,
        electionId: ID,
        encryptedVote: encryptBallot(params, c, { voterId: `voter-${k}` }),
      })),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    await net.waitHeight(0, closeHeight + 1, 60_000);
    const decrypted = await waitForValue(
      async () => {
        const body = await getJson<{ phase?: string; counts: Record<string, number>; verification?: unknown }>(
          `${net.validators[0]?.url}/results?election_id=${ID}`,
        );
        return body.phase === 'decrypted' ? body : undefined;
      },
      60_000,
      'the decrypted counts',
    );
    expect(decrypted.counts).toEqual({ yes: 4, no: 2 });
    expect(decrypted.verification).toMatchObject({ combined: [1, 2], threshold: 2, ballots_verified: 6 });
    const report = await client.verifyElection(ID, { validator: 'validator-1' });
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts).toEqual({ yes: 4, no: 2 });
    // Two keys, two dealings, two complaints messages.
    expect(report.checked.keyCeremonyMessages).toBe(6);
    expect(report.checked.partialDecryptions).toBe(2);

    // Validator 3 comes back: it replays the chain to the same result and owes this election nothing.
    await net.start(2);
    await net.waitHealthy([2]);
    const back = await waitForValue(
      async () => {
        const body = await getJson<{ phase?: string; counts?: Record<string, number> }>(
          `${net.validators[2]?.url}/elections/${ID}`,
        );
        return body.phase === 'decrypted' ? body : undefined;
      },
      60_000,
      'validator 3 to show the decryption',
    );
    expect(back.counts).toEqual({ yes: 4, no: 2 });
    const h3 = await finalizedHeight(net.validators[0]?.url ?? '');
    await net.waitHeight(0, h3 + 5, 30_000);
    expect(existsSync(join(net.dir, 'key-3.json.trustee', `election-${ID}.json`))).toBe(false);
    const after = await getJson<{ transactions: { kind: string; authority?: string }[] }>(
      `${net.validators[0]?.url}/elections/${ID}`,
    );
    expect(after.transactions.filter((t) => t.authority === 'validator-3')).toEqual([]);
  }, 180_000);
});
