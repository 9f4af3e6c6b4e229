/**
 * Quorum-durable acknowledgements in the consensus core (docs/DURABILITY.md): a vote counts as
 * replicated once a quorum of validators acknowledged holding it; only replicated votes are
 * proposed; a validator that lost its pool vouches for nothing until it has read every peer's.
 */
import { describe, expect, it } from '@jest/globals';
import { type Genesis, type Transaction, Signer, generateKeyPair, parseGenesis, txHash } from '@poa-vote/shared';
import { makeTestChain } from '@poa-vote/test-utils';
import { ConsensusCore, type ConsensusMessage, type CoreEvent, type Output } from '../../../src/consensus/index.js';
import { ChainState } from '../../../src/state/chainState.js';

interface Net {
  genesis: Genesis;
  cores: ConsensusCore[];
  keys: { privateKey: `0x${string}` }[];
}

function setup(n = 3, recovering: boolean[] = []): Net {
  const { genesis, keys } = makeTestChain({ n, chainId: 7, genesisTime: 0 });
  const cores = keys.map(
    (k, i) =>
      new ConsensusCore({
        genesis,
        self: i,
        signer: new Signer(k.privateKey),
        chain: new ChainState(genesis),
        options: { epoch: i, recovering: recovering[i] ?? false, recoveryGraceSlots: 0 },
      }),
  );
  return { genesis, cores, keys };
}

/** Deliver messages breadth-first among the live cores; returns every event per node. */
function deliver(
  cores: ConsensusCore[],
  from: number,
  out: Output,
  down = new Set<number>(),
  drop?: (m: { from: number; to: number; msg: ConsensusMessage }) => boolean,
): CoreEvent[][] {
  const events: CoreEvent[][] = cores.map(() => []);
  events[from]!.push(...out.events);
  const queue: { from: number; to: number; msg: ConsensusMessage }[] = [];
  const push = (src: number, o: Output): void => {
    for (const s of o.send) {
      for (let to = 0; to < cores.length; to++) {
        if (to === src || down.has(to) || (s.to !== 'all' && s.to !== to)) continue;
        const m = { from: src, to, msg: s.msg };
        if (!drop?.(m)) queue.push(m);
      }
    }
  };
  push(from, out);
  while (queue.length > 0) {
    const m = queue.shift()!;
    if (m.msg.type === 'sync-request') continue;
    const o = cores[m.to]!.receive(m.from, m.msg);
    events[m.to]!.push(...o.events);
    push(m.to, o);
  }
  return events;
}

const vote = (i: number, candidate = 'A'): Transaction => ({
  from: `voter-${i}`,
  to: 'election-1',
  data: `{"candidate_id":"${candidate}"}`,
});
const replicated = (events: CoreEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'tx-replicated' ? e.hashes : []));

describe('quorum acknowledgement of votes', () => {
  it('a vote is replicated only once a peer acknowledged holding it, and the event says so', () => {
    const { cores } = setup();
    const tx = vote(1);
    const sub = cores[0]!.submit([tx]);
    expect(sub.results[0]).toMatchObject({ status: 'accepted', replicated: false });
    // The batch goes out with an id, in the same output as the pool write.
    const batch = sub.output.send.find((s) => s.msg.type === 'txs');
    expect(batch?.msg).toMatchObject({ type: 'txs', batch: { epoch: 0, seq: 0 } });
    expect(sub.output.persist.map((p) => p.kind)).toEqual(['pool-add']);
    expect(cores[0]!.isReplicated(txHash(tx))).toBe(false);

    const events = deliver(cores, 0, sub.output);
    expect(replicated(events[0]!)).toEqual([txHash(tx)]);
    expect(cores[0]!.isReplicated(txHash(tx))).toBe(true);
    // A non-origin knows the origin and itself hold it: a quorum of 3.
    expect(cores[1]!.isReplicated(txHash(tx))).toBe(true);
  });

  it('with every peer unreachable a vote stays accepted, is re-gossiped later, and is never proposed', () => {
    const { cores } = setup();
    const tx = vote(1);
    const sub = cores[0]!.submit([tx]);
    const down = new Set([1, 2]);
    deliver(cores, 0, sub.output, down);
    expect(cores[0]!.isReplicated(txHash(tx))).toBe(false);
    // Slot 0 and 3 are led by validator 0: the block it proposes must not carry the lone vote.
    for (const slot of [0, 3]) {
      const out = cores[0]!.tick(slot * 1000 + 1);
      const proposal = out.send.find((s) => s.msg.type === 'proposal');
      expect(proposal?.msg.type === 'proposal' && proposal.msg.proposal.block.transactions.length).toBe(0);
      if (slot === 3) {
        // Waited regossipAfterSlots slots: gossiped again, in a new batch.
        expect(out.send.some((s) => s.msg.type === 'txs' && s.msg.txs.length === 1)).toBe(true);
        deliver(cores, 0, out);
      }
    }
    expect(cores[0]!.isReplicated(txHash(tx))).toBe(true);
  });

  it('of two votes of one voter racing through different validators, at most one is replicated, and the other is dropped', () => {
    const { cores } = setup();
    const a = vote(7, 'A');
    const b = vote(7, 'B');
    const subA = cores[0]!.submit([a]);
    const subB = cores[1]!.submit([b]);
    // Validator 2 hears A first; each origin refuses the other's vote.
    const evA = deliver(cores, 0, subA.output);
    const evB = deliver(cores, 1, subB.output);
    expect(cores[0]!.isReplicated(txHash(a))).toBe(true);
    expect(replicated(evA[0]!)).toEqual([txHash(a)]);
    expect(cores[1]!.pool.has(txHash(b))).toBe(false);
    const rejected = evB[1]!.find((e) => e.type === 'tx-rejected');
    expect(rejected).toMatchObject({ type: 'tx-rejected', hash: txHash(b), conflictsWith: txHash(a) });
    expect(replicated(evB[1]!)).toEqual([]);
  });

  it('refuses a vote larger than the genesis limit at admission, naming the limit', () => {
    const { cores } = setup();
    const big: Transaction = { from: 'voter-1', to: 'election-1', data: 'x'.repeat(20_000) };
    const { results, output } = cores[0]!.submit([big]);
    expect(results[0]).toMatchObject({ status: 'rejected', code: 'TX_TOO_LARGE' });
    expect(results[0]?.status === 'rejected' && results[0].message).toMatch(/maxTxBytes is 16384/);
    expect(output.persist).toEqual([]);
    expect(output.send).toEqual([]);
  });
});

describe('one bad transaction cannot wedge a height', () => {
  // Before admission checked the genesis limit, a 20 KB vote sent to each validator was taken,
  // proposed by each at its turn, and refused by its peers: no slot ever finalized again.
  it('an oversized vote left in every pool (as by an older version) is never proposed; blocks keep finalizing', () => {
    const keys = Array.from({ length: 3 }, () => generateKeyPair());
    const genesis = parseGenesis({
      chainId: 7,
      genesisTime: 0,
      slotDurationMs: 1000,
      authorities: keys.map((k, i) => ({ id: `v${i}`, publicKey: k.publicKey })),
    });
    const big: Transaction = { from: 'voter-x', to: 'election-1', data: 'x'.repeat(20_000) };
    // Even marked replicated, the leader leaves it out: its peers would refuse the block.
    const cores = keys.map(
      (k, i) =>
        new ConsensusCore({
          genesis,
          self: i,
          signer: new Signer(k.privateKey),
          chain: new ChainState(genesis),
          pool: [big],
          replicated: new Set([txHash(big)]),
          options: { epoch: i },
        }),
    );
    const good = vote(1);
    deliver(cores, 0, cores[0]!.submit([good]).output);
    for (let slot = 0; slot < 6; slot++) for (let i = 0; i < 3; i++) deliver(cores, i, cores[i]!.tick(slot * 1000 + 1));
    for (const c of cores) expect(c.chain.head.height).toBeGreaterThanOrEqual(5);
    expect(cores[2]!.chain.voterTx('election-1\u0000voter-1')).toBe(txHash(good));
    expect(cores[1]!.chain.voterTx('election-1\u0000voter-x')).toBeUndefined();
  });
});

describe('a validator that lost its pool', () => {
  it('takes no votes and vouches for nothing until it has read every peer, then vouches', () => {
    const { cores } = setup(3, [false, false, true]);
    const r = cores[2]!.submit([vote(1)]);
    expect(r.results[0]).toMatchObject({ status: 'rejected', code: 'RECOVERING' });

    // A vote through validator 0 while 2 recovers: 2 pools it but does not acknowledge it.
    const tx = vote(2);
    const sub = cores[0]!.submit([tx]);
    const ev = deliver(cores, 0, sub.output, new Set([1]));
    expect(replicated(ev[0]!)).toEqual([]);
    expect(cores[2]!.pool.has(txHash(tx))).toBe(true);
    expect(cores[2]!.vouching).toBe(false);

    // Entering a slot, it asks both peers for their pools; with 1 down it cannot finish.
    deliver(cores, 2, cores[2]!.tick(1), new Set([1]));
    expect(cores[2]!.vouching).toBe(false);
    // Two slots later it asks again; now everyone answers.
    const events = deliver(cores, 2, cores[2]!.tick(2001));
    expect(cores[2]!.vouching).toBe(true);
    expect(events[2]!.some((e) => e.type === 'recovered')).toBe(true);
  });

  it('replaces a vote it picked up meanwhile with the conflicting one a quorum holds', () => {
    const { cores } = setup(3, [false, false, true]);
    // A is acknowledged by validators 0 and 1 before validator 2 recovers.
    const a = vote(9, 'A');
    deliver(cores, 0, cores[0]!.submit([a]).output, new Set([2]));
    expect(cores[0]!.isReplicated(txHash(a))).toBe(true);
    // Validator 2 then hears a conflicting B directly (as if from a proposal of a faulty peer).
    const b = vote(9, 'B');
    const o = cores[2]!.receive(1, { type: 'txs', txs: [b] });
    expect(o.persist[0]).toMatchObject({ kind: 'pool-add' });
    expect(cores[2]!.pool.has(txHash(b))).toBe(true);
    // Reading validator 0's pool: A is held by a quorum, so it replaces B.
    cores[2]!.tick(1); // enters slot 0: from now on it reads its peers' pools
    const out = cores[2]!.receive(0, {
      type: 'pool-response',
      entries: [{ tx: a, holders: [0, 1], replicated: true }],
      next: 0,
      done: true,
      height: 0,
    });
    expect(cores[2]!.pool.has(txHash(a))).toBe(true);
    expect(cores[2]!.pool.has(txHash(b))).toBe(false);
    expect(out.persist.map((p) => p.kind)).toEqual(['pool-add', 'pool-remove', 'pool-replicated']);
  });

  it('keeps what it holds when the peer reports a conflicting vote that no quorum is known to hold', () => {
    const { cores } = setup(3, [false, false, true]);
    const b = vote(9, 'B');
    cores[2]!.receive(1, { type: 'txs', txs: [b] });
    const a = vote(9, 'A');
    cores[2]!.tick(1);
    cores[2]!.receive(0, {
      type: 'pool-response',
      entries: [{ tx: a, holders: [0], replicated: false }],
      next: 0,
      done: true,
      height: 0,
    });
    expect(cores[2]!.pool.has(txHash(b))).toBe(true);
    expect(cores[2]!.pool.has(txHash(a))).toBe(false);
  });
});
