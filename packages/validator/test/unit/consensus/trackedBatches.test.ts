/** The core's record of recent gossip batches (to attribute acknowledgements) is bounded by hashes too. */
import { describe, expect, it } from '@jest/globals';
import { Signer, type Transaction, txHash } from '@poa-vote/shared';
import { makeTestChain } from '@poa-vote/test-utils';
import { ConsensusCore } from '../../../src/consensus/index.js';
import { ChainState } from '../../../src/state/chainState.js';

const vote = (voter: string): Transaction => ({ from: voter, to: 'election-1', data: 'x' });

describe('tracked gossip batches', () => {
  it('forgets the oldest batches once they hold more than maxTrackedTxs hashes', () => {
    const { genesis, keys } = makeTestChain({ n: 3, chainId: 7, genesisTime: 0 });
    const key = keys[0];
    if (key === undefined) throw new Error('no key');
    const core = new ConsensusCore({
      genesis,
      self: 0,
      signer: new Signer(key.privateKey),
      chain: new ChainState(genesis),
      options: { epoch: 0, maxTrackedTxs: 3 },
    });
    core.tick(0);
    const a = [vote('a1'), vote('a2')];
    const b = [vote('b1'), vote('b2')];
    core.submit(a); // batch 0:0
    core.submit(b); // batch 0:1: 2 + 2 hashes > 3, so batch 0:0 is forgotten
    const ack = (seq: number) => ({ type: 'acks' as const, acks: [{ origin: 0, epoch: 0, seq, refused: [] }] });
    core.receive(1, ack(0));
    core.receive(1, ack(1));
    expect(a.map((t) => core.isReplicated(txHash(t)))).toEqual([false, false]);
    expect(b.map((t) => core.isReplicated(txHash(t)))).toEqual([true, true]);
  });
});
