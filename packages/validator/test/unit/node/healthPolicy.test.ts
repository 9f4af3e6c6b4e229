/** When /health calls a node stale: ten slots without a block, or N + 9 with an empty-block interval of N. */
import { describe, expect, it } from '@jest/globals';
import { slotStart } from '@poa-vote/shared';
import { makeTestChain } from '@poa-vote/test-utils';
import { HealthPolicy } from '../../../src/node/healthPolicy.js';
import { silentLogger } from '../../../src/util/logger.js';

const { genesis } = makeTestChain({ n: 3, chainId: 7, genesisTime: 0 });
const head = { height: 40, hash: `0x${'aa'.repeat(32)}`, slot: 100 };

function reportAt(slotsSinceHead: number, emptyBlockIntervalSlots?: number) {
  const policy = new HealthPolicy({
    genesis,
    nodeId: 'validator-1',
    db: { head: () => head } as never,
    core: { candidate: undefined, chain: { head }, height: head.height + 1, vouching: true, slot: 100 } as never,
    peerCount: () => 2,
    now: () => slotStart(genesis, head.slot) + slotsSinceHead * genesis.slotDurationMs + 1,
    logger: silentLogger,
    ...(emptyBlockIntervalSlots !== undefined ? { emptyBlockIntervalSlots } : {}),
  });
  return policy.report();
}

describe('HealthPolicy: the last block’s age', () => {
  it('allows 10 slots without a block by default, and N + 9 with an empty-block interval of N', () => {
    expect(reportAt(9).healthy).toBe(true);
    // Control: the default calls 15 slots without a block stale.
    const stale = reportAt(15);
    expect(stale.healthy).toBe(false);
    expect(stale.reasons.join()).toMatch(/no block finalized for 15 s/);
    // An idle chain making a block every 10 slots is not stale at 15, and is at 20.
    expect(reportAt(15, 10).healthy).toBe(true);
    expect(reportAt(20, 10).healthy).toBe(false);
  });
});
