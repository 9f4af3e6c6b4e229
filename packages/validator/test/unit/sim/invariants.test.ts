import { describe, expect, it } from '@jest/globals';
import {
  type Block,
  type Genesis,
  type QuorumCertificate,
  type Signer,
  type Transaction,
  LtHash,
  createVote,
  emptyStateRoot,
  genesisHash,
  txHash,
} from '@poa-vote/shared';
import { leaderBlock, voteCertificate } from '@poa-vote/test-utils';
import { InvariantChecker, InvariantCode, InvariantViolation } from '../../../src/sim/invariants.js';
import { scenarioGenesis } from '../../../src/sim/simulator.js';
import { ChainState } from '../../../src/state/chainState.js';

const { genesis, signers } = scenarioGenesis({ seed: 1, n: 3, quorum: 'majority' });
const vote = (i: number, data = 'A'): Transaction => ({ from: `voter-${i}`, to: 'election-1', data });

function block(
  g: Genesis,
  s: Signer[],
  height: number,
  slot: number,
  parentHash: Block['hash'],
  txs: Transaction[] = [],
): Block {
  return leaderBlock({ genesis: g, signers: s }, { height, slot, parentHash, transactions: txs });
}

function cert(b: Block, voters: number[], slot = b.header.slot): QuorumCertificate {
  return voteCertificate({ genesis, signers }, 'precommit', b, voters, slot);
}

function violation(fn: () => void): InvariantViolation {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvariantViolation) return e;
    throw e;
  }
  throw new Error('expected an invariant violation');
}

describe('InvariantChecker', () => {
  const b1 = block(genesis, signers, 1, 1, genesisHash(genesis), [vote(1), vote(2)]);
  const b1other = block(genesis, signers, 1, 2, genesisHash(genesis));

  it('accepts a node finalizing a valid certified chain, and other nodes agreeing', () => {
    const c = new InvariantChecker(genesis);
    c.onPersist(0, { kind: 'finalize', block: b1, certificate: cert(b1, [0, 1]) });
    c.onPersist(2, { kind: 'finalize', block: b1, certificate: cert(b1, [1, 2]) });
    c.onPersist(0, {
      kind: 'safety',
      state: { height: 2, lastProposedSlot: -1, lastPrevoteSlot: -1, lastPrecommitSlot: -1 },
    });
    c.onPersist(0, { kind: 'pool-add', txs: [vote(3)] });
    expect(c.globalHeight).toBe(1);
    expect(c.txCount).toBe(2);
    const chain = new ChainState(genesis);
    chain.apply(b1);
    c.checkHead(0, chain, 'test');
    expect(violation(() => c.checkHead(1, chain, 'test')).code).toBe(InvariantCode.FINALITY_REGRESSED);
  });

  it('reports a stateRoot or a persisted lattice that is not the chain state (and accepts the right ones)', () => {
    const c = new InvariantChecker(genesis);
    const state = new ChainState(genesis);
    state.apply(b1);
    // Control: the right lattice after block 1, and block 2 carrying the root of that state.
    c.onPersist(0, {
      kind: 'finalize',
      block: b1,
      certificate: cert(b1, [0, 1]),
      lattice: state.commitment.lattice.bytes(),
    });
    const b2 = block(genesis, signers, 2, 3, b1.hash, [vote(5)]);
    expect(b2.header.stateRoot).toBe(state.stateRoot);
    c.onPersist(0, { kind: 'finalize', block: b2, certificate: cert(b2, [0, 1]) });
    // A lattice that misses block 1's votes.
    expect(
      violation(() =>
        c.onPersist(1, { kind: 'finalize', block: b1, certificate: cert(b1, [0, 1]), lattice: new LtHash().bytes() }),
      ).code,
    ).toBe(InvariantCode.STATE_ROOT);
    // A block 2 whose header claims the empty state after block 1.
    const c2 = new InvariantChecker(genesis);
    c2.onPersist(0, { kind: 'finalize', block: b1, certificate: cert(b1, [0, 1]) });
    const wrong = block(genesis, signers, 2, 3, b1.hash, [vote(5)]);
    const forged = leaderBlock(
      { genesis, signers },
      { height: 2, slot: 3, parentHash: b1.hash, transactions: [vote(5)], stateRoot: emptyStateRoot() },
    );
    expect(forged.hash).not.toBe(wrong.hash);
    expect(
      violation(() => c2.onPersist(0, { kind: 'finalize', block: forged, certificate: cert(forged, [0, 1]) })).code,
    ).toBe(InvariantCode.STATE_ROOT);
  });

  it('reports two different blocks finalized at one height on different nodes', () => {
    const c = new InvariantChecker(genesis);
    c.onPersist(0, { kind: 'finalize', block: b1, certificate: cert(b1, [0, 1]) });
    expect(
      violation(() => c.onPersist(2, { kind: 'finalize', block: b1other, certificate: cert(b1other, [1, 2]) })).code,
    ).toBe(InvariantCode.AGREEMENT);
  });

  it('reports a certificate without a quorum or for another block', () => {
    const c = new InvariantChecker(genesis);
    expect(
      violation(() => c.onPersist(0, { kind: 'finalize', block: b1, certificate: cert(b1, [0]) })).message,
    ).toMatch(/CERT_NO_QUORUM/);
    const wrong = { ...cert(b1other, [0, 1]) };
    expect(violation(() => c.onPersist(0, { kind: 'finalize', block: b1, certificate: wrong })).code).toBe(
      InvariantCode.BAD_CERTIFICATE,
    );
  });

  it('reports a node re-finalizing a height or skipping one', () => {
    const c = new InvariantChecker(genesis);
    c.onPersist(0, { kind: 'finalize', block: b1, certificate: cert(b1, [0, 1]) });
    expect(violation(() => c.onPersist(0, { kind: 'finalize', block: b1, certificate: cert(b1, [0, 1]) })).code).toBe(
      InvariantCode.FINALITY_REGRESSED,
    );
    const b3 = block(genesis, signers, 3, 5, b1.hash);
    expect(
      violation(() => c.onPersist(1, { kind: 'finalize', block: b3, certificate: cert(b3, [0, 1]) })).message,
    ).toMatch(/skipping/);
  });

  it('reports a transaction or a voter finalized twice', () => {
    const c = new InvariantChecker(genesis);
    c.onPersist(0, { kind: 'finalize', block: b1, certificate: cert(b1, [0, 1]) });
    const again = block(genesis, signers, 2, 3, b1.hash, [vote(1)]);
    expect(
      violation(() => c.onPersist(0, { kind: 'finalize', block: again, certificate: cert(again, [0, 1]) })).code,
    ).toBe(InvariantCode.DUPLICATE_TX);
    const c2 = new InvariantChecker(genesis);
    c2.onPersist(0, { kind: 'finalize', block: b1, certificate: cert(b1, [0, 1]) });
    const second = block(genesis, signers, 2, 3, b1.hash, [vote(2, 'B')]);
    expect(
      violation(() => c2.onPersist(0, { kind: 'finalize', block: second, certificate: cert(second, [0, 1]) })).message,
    ).toMatch(/two final votes/);
  });

  it('reports any evidence: every simulated validator is honest', () => {
    const c = new InvariantChecker(genesis);
    const a = createVote(genesis, signers[1]!, 1, { type: 'prevote', height: 1, slot: 1, blockHash: b1.hash });
    const b = createVote(genesis, signers[1]!, 1, { type: 'prevote', height: 1, slot: 1, blockHash: b1other.hash });
    expect(
      violation(() => c.onPersist(0, { kind: 'evidence', evidence: { kind: 'double-vote', validator: 1, a, b } })).code,
    ).toBe(InvariantCode.EVIDENCE);
  });

  it('accepts acknowledged votes that are final, and reports lost ones and ones beaten by a conflicting vote', () => {
    const c = new InvariantChecker(genesis);
    c.onPersist(0, { kind: 'finalize', block: b1, certificate: cert(b1, [0, 1]) });
    const ack = (tx: Transaction) => ({ tx, hash: txHash(tx), node: 0, time: 0 });
    c.checkAcked([ack(vote(1))], () => '');
    const lost = violation(() => c.checkAcked([ack(vote(3))], () => 'details'));
    expect(lost.code).toBe(InvariantCode.LOST_TX);
    expect(lost.message).toMatch(/voter-3.*details/);
    // An acknowledgement promises the vote is counted: losing to another vote of the voter is a loss.
    const beaten = violation(() => c.checkAcked([ack(vote(2, 'B'))], () => ''));
    expect(beaten.code).toBe(InvariantCode.LOST_TX);
    expect(beaten.message).toMatch(/lost to the conflicting vote/);
  });

  it('checks after every event that an acknowledged vote is on a quorum of disks, less the disks lost', () => {
    const c = new InvariantChecker(genesis);
    const ack = (tx: Transaction) => ({ tx, hash: txHash(tx), node: 0, time: 0 });
    const open = [ack(vote(5))];
    c.checkAckedHeld(open, 2, 0, () => [0, 1]);
    c.checkAckedHeld(open, 2, 1, () => [0]);
    expect(violation(() => c.checkAckedHeld(open, 2, 0, () => [0])).code).toBe(InvariantCode.ACK_UNDER_REPLICATED);
    // Beaten by a final conflicting vote while not final itself: reported at once.
    c.onPersist(0, { kind: 'finalize', block: b1, certificate: cert(b1, [0, 1]) });
    expect(violation(() => c.checkAckedHeld([ack(vote(2, 'B'))], 2, 0, () => [0, 1])).code).toBe(InvariantCode.LOST_TX);
  });
});
