/** Trustee records survive a restart: written 0600 beside the key, read back by a new store. */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electionSetup, makeTrusteeKey, seededRng } from '@poa-vote/shared';
import { TrusteeFileStore } from '../../../src/node/trusteeStore.js';

describe('TrusteeFileStore', () => {
  it('keeps an election secret across instances, in a 0600 file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'trustee-')), 'key.json.trustee');
    const setup = electionSetup({
      chainId: 1,
      electionId: 'e1',
      candidates: ['a', 'b'],
      minSelections: 1,
      maxSelections: 1,
      trustees: ['v1', 'v2', 'v3'],
      threshold: 2,
    });
    const { secret, message } = makeTrusteeKey(setup, 2, seededRng('store'));
    const store = new TrusteeFileStore(dir);
    expect(store.get('e1')).toBeUndefined();
    await store.put({ electionId: 'e1', secret, keyMessage: message });
    expect(readdirSync(dir)).toEqual(['election-e1.json']);
    expect(statSync(join(dir, 'election-e1.json')).mode & 0o777).toBe(0o600);
    const again = new TrusteeFileStore(dir);
    expect(again.get('e1')).toEqual({ electionId: 'e1', secret, keyMessage: message });
    expect(again.size).toBe(1);
  });
});
