/**
 * Snapshot sync on an election chain (the election registry is part of the committed state): three
 * validators with an election operator run an encrypted election (key ceremony, 6 ballots), a plain
 * election and votes to an unconfigured election; before the encrypted election closes, validator 3
 * is killed, its data directory deleted, and it is restarted with `--sync-mode snapshot`. It must
 * install a verified snapshot (not replay the chain), restore the registry from the committed
 * entries, serve the same /elections/:id records and /results as validator 1, refuse to configure
 * the election that already has votes, and then (its trustee share is kept outside the data
 * directory) follow the election to its decryption, which verifyElection recomputes from the chain.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CONFIG_TYPE, Signer, generateKeyPair, signElectionTx } from '@poa-vote/shared';
import {
  TestNetwork,
  fetchHealth,
  finalizedHeight,
  getJson,
  logRecords,
  rpc,
  waitForValue,
} from '@poa-vote/test-utils';
import { type VotingClient, createVotingClient, encryptBallot } from '../../src/index.js';
import { validatorsOf } from './helpers/network.js';

const SLOT_MS = 500;
const VICTIM = 2;
const ENC = 'enc-snap';
const PLAIN = 'plain-snap';
const FREE = 'free-snap';
const DKG_PHASE_BLOCKS = 4;
/** Blocks between the opening and the closing of the encrypted election: room for the ballots and the resync. */
const OPEN_BLOCKS = 40;
const CHOICES = ['yes', 'no', 'yes', 'yes', 'no', 'yes'];
const PLAIN_CHOICES = ['a', 'b', 'a'];

const ballot = (c: string): string => Buffer.from(JSON.stringify({ candidate_id: c })).toString('base64');

type Body = Record<string, unknown>;

describe('snapshot sync of a validator on an election chain', () => {
  let net: TestNetwork;
  let client: VotingClient;
  const op = generateKeyPair();

  beforeAll(async () => {
    net = await TestNetwork.create({
      slotMs: SLOT_MS,
      genesisExtra: { electionOperator: op.publicKey },
      extraArgs: (i) => (i === VICTIM ? ['--sync-mode', 'snapshot', '--snapshot-min-height', '4'] : []),
    });
    await net.start();
    await net.waitHealthy();
    // The client talks to the two validators that stay up (validator 3 is down for a while).
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

  it('restores the election registry from a verified snapshot and takes part in the decryption', async () => {
    const [v1, , v3] = net.validators as [
      (typeof net.validators)[0],
      (typeof net.validators)[0],
      (typeof net.validators)[0],
    ];
    const operator = new Signer(op.privateKey);
    const send = async (url: string, tx: { from: string; to: string; data: string }) =>
      (await rpc(url, 'eth_sendTransaction', [tx])) as { result?: string; error?: { code: number; message: string } };
    const record = async (url: string, id: string): Promise<Body> => {
      const r = await getJson(`${url}/elections/${id}`);
      if (r.status !== 200) throw new Error(`GET /elections/${id}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as Body;
    };
    /** Validator 1's and validator 3's answers from `get` once they are the same (read at the same height). */
    const sameOn = (what: string, get: (url: string) => Promise<Body>, ok: (b: Body) => boolean = () => true) =>
      waitForValue(
        async () => {
          const [a, b] = await Promise.all([get(v1.url), get(v3.url)]);
          return ok(a) && JSON.stringify(a) === JSON.stringify(b) ? { a, b } : undefined;
        },
        30_000,
        what,
      );

    // 1. The configurations: an encrypted election, a plain one, and votes to an unconfigured one.
    const h = await finalizedHeight(v1.url);
    const plainOpen = h + 4;
    // The key ceremony has three phases of at most DKG_PHASE_BLOCKS each (shorter with all trustees up).
    const openHeight = h + 3 * DKG_PHASE_BLOCKS + 8;
    const closeHeight = openHeight + OPEN_BLOCKS;
    const encConfig = {
      type: CONFIG_TYPE,
      v: 1,
      electionId: ENC,
      candidates: ['yes', 'no'],
      ballotFormat: 'encrypted',
      minSelections: 1,
      maxSelections: 1,
      openHeight,
      closeHeight,
      dkgPhaseBlocks: DKG_PHASE_BLOCKS,
    };
    const plainConfig = {
      type: CONFIG_TYPE,
      v: 1,
      electionId: PLAIN,
      candidates: ['a', 'b'],
      ballotFormat: 'plain',
      openHeight: plainOpen,
      closeHeight: plainOpen + 10_000,
    };
    for (const [id, config] of [
      [ENC, encConfig],
      [PLAIN, plainConfig],
    ] as const) {
      const tx = signElectionTx(net.genesis, operator, 'election', id, config);
      await client.submitVote({ voterId: tx.from, electionId: id, encryptedVote: tx.data, until: 'finalized' });
    }
    for (let k = 0; k < 3; k++) {
      const r = await send(v1.url, { from: `free-voter-${k}`, to: `election-${FREE}`, data: ballot('x') });
      expect(r.error).toBeUndefined();
    }

    // 2. The key ceremony with the three trustees, then the ballots.
    const params = await waitForValue(() => client.getElectionParams(ENC), 60_000, 'the election key');
    expect(params.setup.trustees).toEqual(['validator-1', 'validator-2', 'validator-3']);
    const ready = await record(v1.url, ENC);
    expect(ready.participants).toEqual(['validator-1', 'validator-2', 'validator-3']);
    expect(ready.qualified).toEqual([1, 2, 3]);
    await net.waitHeight(0, Math.max(openHeight, plainOpen), 60_000);
    const results = await client.submitVotes(
      CHOICES.map((c, k) => ({
        voterId: `voter-${k}`,
        electionId: ENC,
        encryptedVote: encryptBallot(params, c, { voterId: `voter-${k}` }),
      })),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    for (const [k, c] of PLAIN_CHOICES.entries()) {
      const r = await send(v1.url, { from: `plain-voter-${k}`, to: `election-${PLAIN}`, data: ballot(c) });
      expect(r.error).toBeUndefined();
    }
    await waitForValue(
      async () => {
        const [e, p, f] = await Promise.all([
          record(v1.url, ENC),
          getJson(`${v1.url}/results?election_id=${PLAIN}`),
          getJson(`${v1.url}/results?election_id=${FREE}`),
        ]);
        const done = e.ballots === CHOICES.length && p.body.total === PLAIN_CHOICES.length && f.body.total === 3;
        return done ? true : undefined;
      },
      30_000,
      'the ballots finalized',
    );

    // 3. Before the closing: validator 3 killed, wiped, and restarted in snapshot mode.
    await net.kill(VICTIM);
    net.wipe(VICTIM);
    const logFrom = existsSync(v3.logFile) ? statSync(v3.logFile).size : 0;
    const killedAt = await finalizedHeight(v1.url);
    expect(killedAt).toBeLessThan(closeHeight);
    const tRestart = Date.now();
    await net.start(VICTIM);
    await net.waitHealthy([VICTIM], 60_000);
    const installed = await waitForValue(
      async () => logRecords(v3.logFile, 'snapshot sync: verified state installed', logFrom)[0],
      30_000,
      'the snapshot installed',
    );
    const restored = await waitForValue(
      async () => logRecords(v3.logFile, 'election state restored from the committed state', logFrom)[0],
      30_000,
      'the election state restored',
    );
    const health = await fetchHealth(v3.url);
    const snap = health?.body.snapshot_sync as { snapshot_height?: number } | undefined;
    process.stdout.write(
      `election snapshot sync: killed at ${killedAt}, closeHeight ${closeHeight}, installed ${JSON.stringify(installed)}, restored ${JSON.stringify(restored)}, health ${JSON.stringify(snap)}, healthy after ${Date.now() - tRestart} ms\n`,
    );
    expect(snap?.snapshot_height).toBeGreaterThan(0);
    expect(installed.height).toBe(snap?.snapshot_height);
    // Not a replay: the registry came from the snapshot's entries, at its height.
    expect(restored).toMatchObject({ height: snap?.snapshot_height, elections: 2 });
    // Its entries: one per configured election and one `voted` (the unconfigured election).
    expect(restored.entries).toBe(3);
    expect(logRecords(v3.logFile, 'snapshot sync: the genesis has an election operator', logFrom)).toEqual([]);
    // A snapshot brings the state, not the pool: like any wiped validator it reads its peers' pools
    // before it vouches for a vote (docs/DURABILITY.md), also across the reopen after the install.
    expect(
      logRecords(
        v3.logFile,
        "no pool on disk (new or wiped data directory): reading every peer's pool before taking votes",
        logFrom,
      ),
    ).toHaveLength(1);
    expect(snap?.snapshot_height).toBeLessThan(closeHeight);

    // 4. The restored registry is the chain's.
    const enc = await sameOn(`validator 3's /elections/${ENC}`, (u) => record(u, ENC));
    expect(enc.b.ballots).toBe(CHOICES.length);
    expect(enc.b.aggregate).toBeDefined();
    expect(['ready', 'tallying', 'decrypted']).toContain(enc.b.phase);
    const plain = await sameOn(`validator 3's /elections/${PLAIN}`, (u) => record(u, PLAIN));
    expect(plain.b.ballots).toBe(PLAIN_CHOICES.length);
    const plainResults = await sameOn(
      `validator 3's /results?election_id=${PLAIN}`,
      async (u) => (await getJson(`${u}/results?election_id=${PLAIN}`)).body as Body,
    );
    expect(plainResults.b.counts).toMatchObject({ a: 2, b: 1 });
    expect(plainResults.b.total).toBe(PLAIN_CHOICES.length);
    expect((await getJson(`${v3.url}/elections/${FREE}`)).status).toBe(404);
    // The unconfigured election has votes on chain: validator 3 knows it and refuses its configuration.
    const freeConfig = {
      ...plainConfig,
      electionId: FREE,
      openHeight: closeHeight + 100,
      closeHeight: closeHeight + 200,
    };
    const refused = await send(v3.url, signElectionTx(net.genesis, operator, 'election', FREE, freeConfig));
    expect(refused.result).toBeUndefined();
    expect(refused.error).toMatchObject({
      code: -32602,
      message: expect.stringMatching(`election ${FREE} already has votes on chain: it can no longer be configured`),
    });
    // And a configured election cannot be configured again: a new configuration (the identical
    // transaction would be answered with its hash, as it is on chain) is refused as the operator's
    // second vote in that election, its first being final (the snapshot's voter entries).
    const reconfig = { ...plainConfig, closeHeight: plainConfig.closeHeight + 1 };
    const again = await send(v3.url, signElectionTx(net.genesis, operator, 'election', PLAIN, reconfig));
    expect(again.result).toBeUndefined();
    expect(again.error?.code).toBe(-32010);
    expect(again.error?.message).toMatch(`already voted in election-${PLAIN}`);

    // 5. The closing and the decryption, with validator 3 (its share survived the wipe).
    expect(existsSync(join(net.dir, 'key-3.json.trustee', `election-${ENC}.json`))).toBe(true);
    await net.waitHeight(0, closeHeight + 1, 60_000);
    const partialsOf = (b: Body) =>
      (b.transactions as { kind: string; authority?: string }[]).filter((t) => t.kind === 'partial');
    // Decrypted, and validator 3's partial decryption on chain too (it may come after the threshold's).
    const decrypted = await sameOn(
      `validator 3's /elections/${ENC} decrypted, with its partial decryption`,
      (u) => record(u, ENC),
      (b) => b.phase === 'decrypted' && partialsOf(b).some((t) => t.authority === 'validator-3'),
    );
    expect(decrypted.b.counts).toEqual({ yes: 4, no: 2 });
    const partials = partialsOf(decrypted.a);
    process.stdout.write(
      `election snapshot sync: decrypted with ${JSON.stringify(decrypted.a.decrypted_with)}, partials from ${partials.map((t) => t.authority).join(', ')}, total ${Date.now() - tRestart} ms after the restart\n`,
    );
    const report = await client.verifyElection(ENC, { validator: 'validator-1' });
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts).toEqual({ yes: 4, no: 2 });
    expect(net.unexpectedExits()).toEqual([]);
  }, 240_000);
});
