/** formatHealth reads the snapshot sync progress of a node that started from a snapshot, and nothing for one that did not. */
import { describe, expect, it } from '@jest/globals';
import { formatHealth } from '../../../src/formatters/health.js';

const body = {
  status: 'healthy',
  healthy: true,
  node_id: 'validator-3',
  chain_id: 1337,
  head_height: 120,
  finalized_height: 120,
  peers: 2,
  syncing: false,
  recovering: false,
  last_block_age_ms: 300,
  slot: 240,
  reasons: [],
};

describe('formatHealth', () => {
  it('maps snapshot_sync when the node reports it', () => {
    const h = formatHealth(
      { ...body, snapshot_sync: { snapshot_height: 105, backfilled_to: 40, backfill_complete: false } },
      200,
    );
    expect(h.snapshotSync).toEqual({ snapshotHeight: 105, backfilledTo: 40, backfillComplete: false });
    expect(h.healthy).toBe(true);
  });

  it('has no snapshotSync for a node that replayed, and refuses a malformed one', () => {
    expect(formatHealth(body, 200).snapshotSync).toBeUndefined();
    expect(() => formatHealth({ ...body, snapshot_sync: { snapshot_height: -1 } }, 200)).toThrow();
  });
});
