/** An encrypted election through real consensus cores on a perfect network: config, key ceremony, ballots, tally. */
import { describe, expect, it } from '@jest/globals';
import {
  type Genesis,
  type Transaction,
  CONFIG_TYPE,
  ElectionRegistry,
  Signer,
  ballotToData,
  encryptBallot,
  generateKeyPair,
  makeTrusteeKey,
  parseGenesis,
  seededRng,
  signElectionTx,
} from '@poa-vote/shared';
import { ConsensusCore, type ConsensusMessage, type Output, type SubmitResult } from '../../../src/consensus/index.js';
import { ChainState } from '../../../src/state/chainState.js';
import { Trustee, type TrusteeRecord } from '../../../src/elections/trustee.js';

interface Net {
  genesis: Genesis;
  operator: Signer;
  cores: ConsensusCore[];
  trustees: Trustee[];
  stores: Map<string, TrusteeRecord>[];
}

function setup(): Net {
  const keys = Array.from({ length: 3 }, () => generateKeyPair());
  const op = generateKeyPair();
  const genesis = parseGenesis({
    chainId: 7,
    genesisTime: 0,
    slotDurationMs: 1000,
    authorities: keys.map((k, i) => ({ id: `validator-${i + 1}`, publicKey: k.publicKey })),
    electionOperator: op.publicKey,
  });
  const stores = keys.map(() => new Map<string, TrusteeRecord>());
  const cores = keys.map(
    (k, i) =>
      new ConsensusCore({
        genesis,
        self: i,
        signer: new Signer(k.privateKey),
        chain: new ChainState(genesis),
        elections: new ElectionRegistry(genesis),
      }),
  );
  const trustees = keys.map(
    (k, i) =>
      new Trustee({
        genesis,
        self: i,
        signer: new Signer(k.privateKey),
        rng: seededRng(`trustee-${i}`),
        store: {
          get: (id) => stores[i]?.get(id),
          put: async (r) => void stores[i]?.set(r.electionId, r),
        },
      }),
  );
  return { genesis, operator: new Signer(op.privateKey), cores, trustees, stores };
}

function deliver(cores: ConsensusCore[], from: number, out: Output, down: ReadonlySet<number>): void {
  const queue: { from: number; to: number; msg: ConsensusMessage }[] = [];
  const push = (src: number, o: Output): void => {
    for (const s of o.send)
      for (let to = 0; to < cores.length; to++) {
        if (to === src || down.has(to) || (s.to !== 'all' && s.to !== to)) continue;
        queue.push({ from: src, to, msg: s.msg });
      }
  };
  push(from, out);
  for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
    if (m.msg.type === 'sync-request') continue;
    const core = cores[m.to];
    if (core === undefined) continue;
    push(m.to, core.receive(m.from, m.msg));
  }
}

function submit(net: Net, i: number, txs: Transaction[], down: ReadonlySet<number> = new Set()): SubmitResult[] {
  const core = net.cores[i];
  if (core === undefined) throw new Error('no core');
  const { results, output } = core.submit(txs);
  deliver(net.cores, i, output, down);
  return results;
}

/** One slot: every live core ticks, then every live trustee submits what it owes. */
function slot(net: Net, s: number, down: ReadonlySet<number> = new Set()): void {
  net.cores.forEach((c, i) => {
    if (!down.has(i)) deliver(net.cores, i, c.tick(s * 1000 + 1), down);
  });
  net.trustees.forEach((t, i) => {
    const registry = net.cores[i]?.elections;
    if (down.has(i) || registry === undefined) return;
    for (const d of t.duties(registry)) {
      if (d.record) net.stores[i]?.set(d.electionId, d.record);
      submit(net, i, [d.tx], down);
    }
  });
}

const config = (electionId: string, openHeight: number, closeHeight: number) => ({
  type: CONFIG_TYPE,
  v: 1,
  electionId,
  candidates: ['alice', 'bob', 'carol'],
  ballotFormat: 'encrypted',
  minSelections: 1,
  maxSelections: 1,
  openHeight,
  closeHeight,
  dkgPhaseBlocks: 6,
});

describe('encrypted election on chain', () => {
  it('runs the key ceremony, takes valid ballots, refuses a bad proof, and decrypts with one validator down', () => {
    const net = setup();
    const [c0, c1, c2] = net.cores as [ConsensusCore, ConsensusCore, ConsensusCore];
    expect(
      submit(net, 0, [signElectionTx(net.genesis, net.operator, 'election', '9', config('9', 12, 24))])[0],
    ).toEqual(expect.objectContaining({ status: 'accepted' }));
    // An opaque election without a configuration works as before.
    expect(submit(net, 1, [{ from: 'voter-x', to: 'election-plain', data: 'sealed!' }])[0]?.status).toBe('accepted');
    let s = 0;
    for (; s < 30; s++) {
      slot(net, s);
      const e = c0.elections?.get('9');
      if (e?.phase === 'ready' && c0.chain.head.height + 1 >= 12) break;
    }
    const e = c0.elections?.get('9');
    expect(e?.phase).toBe('ready');
    expect(e?.qualified).toEqual([1, 2, 3]);
    const params = e?.params;
    if (params === undefined) throw new Error('no params');
    const choices = [0, 1, 1, 2, 1];
    const ballots = choices.map((c, v) => ({
      from: `voter-${v}`,
      to: 'election-9',
      data: ballotToData(encryptBallot(params, `voter-${v}`, c, seededRng(`ballot-${v}`))),
    }));
    expect(submit(net, 0, ballots).map((r) => r.status)).toEqual(choices.map(() => 'accepted'));
    // A ballot copied to another voter fails its first proof, which the refusal names.
    const copied = { ...ballots[0], from: 'voter-copy' } as Transaction;
    const refused = submit(net, 1, [copied])[0];
    expect(refused).toEqual(
      expect.objectContaining({
        status: 'rejected',
        code: 'TX_INVALID',
        data: expect.objectContaining({ reason: 'BALLOT_BAD_PROOF', proof: 'ballot.selections[0].proof' }),
      }),
    );
    // Validator 3 goes down before the closing: two of three decrypt.
    const down = new Set([2]);
    for (s++; s < 60; s++) {
      slot(net, s, down);
      if (c0.elections?.get('9')?.phase === 'decrypted') break;
    }
    const done = c0.elections?.get('9');
    expect(done?.phase).toBe('decrypted');
    expect(done?.ballots).toBe(5);
    expect(done?.counts).toEqual([1, 3, 1]);
    expect(done?.decryptedWith).toEqual([1, 2]);
    expect(c1.elections?.get('9')?.counts).toEqual([1, 3, 1]);
    // The late ballot after closing is refused; the down validator syncs nothing here but its state is behind.
    const late = submit(net, 0, [{ from: 'voter-late', to: 'election-9', data: ballots[1]?.data ?? '' }])[0];
    expect(late?.status).toBe('rejected');
    expect(c2.chain.head.height).toBeLessThan(c0.chain.head.height);
    // A replay of the chain in a fresh registry (the verifier's view) reaches the same counts.
    expect(c0.pool.size).toBe(0);
  });

  it('keys and decrypts with 2 of 3 when validator 3 is down for the whole key ceremony; it then owes nothing', () => {
    const net = setup();
    const [c0, c1] = net.cores as [ConsensusCore, ConsensusCore, ConsensusCore];
    const down = new Set([2]);
    submit(net, 0, [signElectionTx(net.genesis, net.operator, 'election', '4', config('4', 16, 26))], down);
    let s = 0;
    for (; s < 40; s++) {
      slot(net, s, down);
      if (c0.elections?.get('4')?.phase === 'ready' && c0.chain.head.height + 1 >= 16) break;
    }
    const e = c0.elections?.get('4');
    expect(e?.phase).toBe('ready');
    expect(e?.participants).toEqual([1, 2]);
    expect(e?.keysClosedHeight).toBe((e?.configHeight ?? 0) + 1 + 6);
    expect(e?.qualified).toEqual([1, 2]);
    const params = e?.params;
    if (params === undefined) throw new Error('no params');
    // Validator 3 made its key but it never reached the chain: with the chain's state it owes nothing.
    const registry = c0.elections;
    if (registry === undefined) throw new Error('no registry');
    const setup3 = e?.setup;
    if (setup3 === undefined) throw new Error('no setup');
    const made = makeTrusteeKey(setup3, 3, seededRng('late-3'));
    net.stores[2]?.set('4', { electionId: '4', secret: made.secret, keyMessage: made.message });
    const t3 = net.trustees[2];
    expect(t3?.duties(registry)).toEqual([]);
    const choices = [2, 2, 0];
    const ballots = choices.map((c, v) => ({
      from: `voter-${v}`,
      to: 'election-4',
      data: ballotToData(encryptBallot(params, `voter-${v}`, c, seededRng(`down-${v}`))),
    }));
    expect(submit(net, 0, ballots, down).map((r) => r.status)).toEqual(choices.map(() => 'accepted'));
    for (s++; s < 80; s++) {
      slot(net, s, down);
      if (c0.elections?.get('4')?.phase === 'decrypted') break;
    }
    const done = c0.elections?.get('4');
    expect(done?.phase).toBe('decrypted');
    expect(done?.counts).toEqual([1, 0, 2]);
    expect(done?.decryptedWith).toEqual([1, 2]);
    expect(c1.elections?.get('4')?.counts).toEqual([1, 0, 2]);
    // Tallying: a non-participant with a trustee record owes no partial decryption (its share cannot exist).
    expect(t3?.duties(registry)).toEqual([]);
    expect(t3?.share(done ?? ({} as never))).toBeUndefined();
  });

  it('refuses a configuration from a key that is not the operator, and one for an election with votes', () => {
    const net = setup();
    const stranger = new Signer(generateKeyPair().privateKey);
    const bad = submit(net, 0, [signElectionTx(net.genesis, stranger, 'election', '5', config('5', 10, 20))])[0];
    expect(bad).toEqual(expect.objectContaining({ status: 'rejected', code: 'TX_INVALID' }));
    expect(bad && 'message' in bad ? bad.message : '').toMatch(/election operator does not verify/);
    submit(net, 0, [{ from: 'voter-1', to: 'election-6', data: '{"candidate_id":"A"}' }]);
    for (let s = 0; s < 3; s++) slot(net, s);
    const late = submit(net, 0, [signElectionTx(net.genesis, net.operator, 'election', '6', config('6', 10, 20))])[0];
    expect(late && 'message' in late ? late.message : '').toMatch(/already has votes/);
  });
});
