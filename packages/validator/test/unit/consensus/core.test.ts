import { describe, expect, it } from '@jest/globals';
import { type FinalizedBlock, type Genesis, type Transaction, emptyStateRoot } from '@poa-vote/shared';
import { finalize, finalizedChain, leaderBlock, makeTestChain } from '@poa-vote/test-utils';
import { ConsensusCore, type ConsensusMessage, type Output } from '../../../src/consensus/index.js';
import { ChainState } from '../../../src/state/chainState.js';

function setup(n = 3): { genesis: Genesis; cores: ConsensusCore[] } {
  const { genesis, signers } = makeTestChain({ n, chainId: 7, genesisTime: 0 });
  const cores = signers.map(
    (signer, i) => new ConsensusCore({ genesis, self: i, signer, chain: new ChainState(genesis) }),
  );
  return { genesis, cores };
}

/** Deliver every message at once (a perfect network), returning everything that was sent. */
function deliver(
  cores: ConsensusCore[],
  from: number,
  out: Output,
  down = new Set<number>(),
  record?: (node: number, out: Output) => void,
): void {
  record?.(from, out);
  const queue: { from: number; to: number; msg: ConsensusMessage }[] = [];
  const push = (src: number, o: Output) => {
    for (const s of o.send) {
      for (let to = 0; to < cores.length; to++) {
        if (to === src || down.has(to) || (s.to !== 'all' && s.to !== to)) continue;
        queue.push({ from: src, to, msg: s.msg });
      }
    }
  };
  push(from, out);
  while (queue.length > 0) {
    const m = queue.shift()!;
    if (m.msg.type === 'sync-request') continue;
    const o = cores[m.to]!.receive(m.from, m.msg);
    record?.(m.to, o);
    push(m.to, o);
  }
}

const vote = (i: number, election = '1'): Transaction => ({
  from: `voter-${i}`,
  to: `election-${election}`,
  data: `{"candidate_id":"A${i % 2}"}`,
});

describe('ConsensusCore on a perfect network', () => {
  it('finalizes one block per slot with a 2-of-3 certificate that verifies from genesis', () => {
    const { cores } = setup();
    const sub = cores[0]!.submit([vote(1), vote(2)]);
    expect(sub.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    deliver(cores, 0, sub.output);
    for (let slot = 0; slot < 5; slot++) {
      for (let i = 0; i < 3; i++) deliver(cores, i, cores[i]!.tick(slot * 1000 + 1));
    }
    for (const c of cores) expect(c.chain.head.height).toBeGreaterThanOrEqual(4);
    expect(new Set(cores.map((c) => c.chain.head.hash)).size).toBe(1);
    expect(cores[1]!.chain.voterTx('election-1\u0000voter-1')).toBeDefined();
    expect(cores[2]!.pool.size).toBe(0);
  });

  it('keeps finalizing with one validator down, and never with two down', () => {
    const { cores } = setup();
    const down = new Set([2]);
    for (let slot = 0; slot < 6; slot++)
      for (const i of [0, 1]) deliver(cores, i, cores[i]!.tick(slot * 1000 + 1), down);
    expect(cores[0]!.chain.head.height).toBe(4); // slots 2 and 5 belong to the crashed leader
    const alone = new Set([1, 2]);
    const h = cores[0]!.chain.head.height;
    for (let slot = 6; slot < 12; slot++) deliver(cores, 0, cores[0]!.tick(slot * 1000 + 1), alone);
    expect(cores[0]!.chain.head.height).toBe(h);
  });

  it('refuses a second, different vote by the same voter and accepts identical retries', () => {
    const { cores } = setup();
    const first = cores[0]!.submit([vote(1)]).results[0]!;
    const again = cores[0]!.submit([vote(1)]).results[0]!;
    const other = cores[0]!.submit([{ ...vote(1), data: 'different' }]).results[0]!;
    expect(again).toEqual({ status: 'known', hash: first.hash, finalized: false, replicated: false });
    expect(other).toMatchObject({ status: 'rejected', code: 'TX_DOUBLE_VOTE', conflictsWith: first.hash });
  });

  it('syncs certified blocks from a peer and refuses a sync answer whose certificate does not certify the block', () => {
    const { cores } = setup();
    const finalized: FinalizedBlock[] = [];
    const record = (node: number, out: Output) => {
      if (node === 0)
        for (const op of out.persist)
          if (op.kind === 'finalize') finalized.push({ block: op.block, certificate: op.certificate });
    };
    const down = new Set([2]);
    for (let slot = 0; slot < 4; slot++)
      for (const i of [0, 1]) deliver(cores, i, cores[i]!.tick(slot * 1000 + 1), down, record);
    expect(finalized.length).toBeGreaterThanOrEqual(2);
    const late = cores[2]!;
    late.tick(4000);
    // a certificate of another block: refused, nothing applied
    const forged = late.receive(0, {
      type: 'sync-response',
      blocks: [{ block: finalized[0]!.block, certificate: finalized[1]!.certificate }],
    });
    expect(forged.events).toContainEqual(expect.objectContaining({ type: 'invalid-message', code: 'CERT_INVALID' }));
    expect(late.chain.head.height).toBe(0);
    // the real blocks: applied in order, and the core asks for more since it made progress
    const out = late.receive(0, { type: 'sync-response', blocks: finalized });
    expect(late.chain.head).toEqual(cores[0]!.chain.head);
    expect(out.persist.filter((op) => op.kind === 'finalize')).toHaveLength(finalized.length);
    expect(out.send).toContainEqual({
      to: 0,
      msg: { type: 'sync-request', fromHeight: finalized.length + 1, max: 64 },
    });
  });

  it('refuses a certified block whose stateRoot is not the state after its parent, and agrees on the root', () => {
    const chain = makeTestChain({ n: 3, chainId: 7, genesisTime: 0 });
    const { genesis, signers } = chain;
    const [b1] = finalizedChain(chain, 1, () => [vote(1), vote(2)]);
    const tip = { hash: b1!.block.hash, height: 1, slot: b1!.block.header.slot };
    const good = leaderBlock(chain, { height: 2, slot: tip.slot + 1, parentHash: tip.hash, transactions: [vote(3)] });
    // Same block, but claiming the state before block 1's votes: certified by a quorum all the same.
    const bad = leaderBlock(chain, {
      height: 2,
      slot: tip.slot + 1,
      parentHash: tip.hash,
      transactions: [vote(3)],
      stateRoot: emptyStateRoot(),
    });
    const node = new ConsensusCore({ genesis, self: 2, signer: signers[2]!, chain: new ChainState(genesis) });
    node.tick(10_000);
    const refused = node.receive(0, { type: 'sync-response', blocks: [b1!, finalize(chain, bad)] });
    expect(refused.events).toContainEqual(
      expect.objectContaining({ type: 'invalid-message', code: 'BLOCK_BAD_STATE_ROOT' }),
    );
    expect(node.chain.head.height).toBe(1);
    // Control: the block with the right root is applied.
    node.receive(0, { type: 'sync-response', blocks: [finalize(chain, good)] });
    expect(node.chain.head.height).toBe(2);
    // Validators that finalize together hold the same root.
    const { cores } = setup();
    cores[0]!.submit([vote(7), vote(8)]);
    for (let slot = 0; slot < 4; slot++) for (const i of [0, 1, 2]) deliver(cores, i, cores[i]!.tick(slot * 1000 + 1));
    expect(cores[0]!.chain.head.height).toBeGreaterThan(1);
    expect(new Set(cores.map((c) => c.chain.stateRoot)).size).toBe(1);
    expect(cores[0]!.chain.stateRoot).not.toBe(emptyStateRoot());
  });
});

describe('ConsensusCore with an empty-block interval', () => {
  const idleRun = (emptyBlockIntervalSlots: number) => {
    const { genesis, signers } = makeTestChain({ n: 3, chainId: 7, genesisTime: 0 });
    const cores = signers.map(
      (signer, i) =>
        new ConsensusCore({
          genesis,
          self: i,
          signer,
          chain: new ChainState(genesis),
          options: { emptyBlockIntervalSlots },
        }),
    );
    const tick = (slot: number) => {
      for (let i = 0; i < 3; i++) deliver(cores, i, cores[i]!.tick(slot * 1000 + 1));
    };
    for (let slot = 0; slot < 13; slot++) tick(slot);
    return { cores, tick };
  };

  it('makes an empty block only every N slots while idle, and a block for a vote at the next slot (control: every slot with 1)', () => {
    const every = idleRun(1);
    expect(every.cores[0]!.chain.head.height).toBeGreaterThanOrEqual(12);
    const sparse = idleRun(4);
    const idleHeight = sparse.cores[0]!.chain.head.height;
    expect(idleHeight).toBeGreaterThanOrEqual(2);
    expect(idleHeight).toBeLessThanOrEqual(4);
    for (const c of sparse.cores) expect(c.chain.head.height).toBe(idleHeight);
    // A vote held by a quorum does not wait for the interval: the next slot's leader proposes it.
    const sub = sparse.cores[1]!.submit([vote(1)]);
    deliver(sparse.cores, 1, sub.output);
    expect(sparse.cores[1]!.isReplicated(sub.results[0]!.hash)).toBe(true);
    sparse.tick(13);
    for (const c of sparse.cores) {
      expect(c.chain.head.height).toBe(idleHeight + 1);
      expect(c.chain.voterTx('election-1\u0000voter-1')).toBe(sub.results[0]!.hash);
    }
  });
});
