/**
 * The election state saved beside the database (node/registryFile.ts): used at start-up only when
 * it follows a block of the stored chain, otherwise removed and the chain replayed.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Block,
  type Hex,
  CONFIG_TYPE,
  ElectionRegistry,
  Signer,
  generateKeyPair,
  parseGenesis,
  signElectionTx,
} from '@poa-vote/shared';
import { REGISTRY_FILE, RegistrySaver, loadRegistry } from '../../../src/node/registryFile.js';
import { silentLogger } from '../../../src/node/logger.js';

const keys = [1, 2, 3].map(() => generateKeyPair());
const op = generateKeyPair();
const genesis = parseGenesis({
  chainId: 9,
  genesisTime: 0,
  authorities: keys.map((k, i) => ({ id: `validator-${i + 1}`, publicKey: k.publicKey })),
  electionOperator: op.publicKey,
});
const hashOf = (h: number): Hex => `0x${h.toString(16).padStart(64, '0')}`;

/** A registry with a plain election configured at block 1 and `votes` votes after it. */
function registry(votes: number): ElectionRegistry {
  const r = new ElectionRegistry(genesis);
  const cfg = signElectionTx(genesis, new Signer(op.privateKey), 'election', 'p', {
    type: CONFIG_TYPE,
    v: 1,
    electionId: 'p',
    candidates: ['a', 'b'],
    ballotFormat: 'plain',
    minSelections: 1,
    maxSelections: 1,
    openHeight: 2,
    closeHeight: 100,
  });
  r.apply({ header: { height: 1 }, transactions: [cfg] } as unknown as Block);
  for (let k = 0; k < votes; k++)
    r.apply({
      header: { height: r.height + 1 },
      transactions: [{ from: `v${k}`, to: 'election-p', data: '{"candidate_id":"a"}' }],
    } as unknown as Block);
  return r;
}

describe('the saved election state', () => {
  it('is restored when it follows a stored block, and refused (then removed) otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-'));
    const r = registry(4);
    const saver = new RegistrySaver(dir, r, silentLogger, 2);
    saver.onFinalized(5, hashOf(5));
    await saver.flush(-1, undefined);
    expect(existsSync(join(dir, REGISTRY_FILE))).toBe(true);
    const back = await loadRegistry(dir, genesis, async (h) => (h <= 7 ? hashOf(h) : undefined), silentLogger);
    expect(back?.height).toBe(5);
    expect(back?.snapshot()).toEqual(r.snapshot());
    // Another block at that height (a wiped and re-synced fork, another chain): not used, removed.
    const other = await loadRegistry(dir, genesis, async () => hashOf(99), silentLogger);
    expect(other).toBeUndefined();
    expect(existsSync(join(dir, REGISTRY_FILE))).toBe(false);
    // Ahead of the stored chain (the database lost its last blocks): not used.
    await new RegistrySaver(dir, r, silentLogger, 1).flush(5, hashOf(5));
    expect(await loadRegistry(dir, genesis, async (h) => (h <= 4 ? hashOf(h) : undefined), silentLogger)).toBe(
      undefined,
    );
    // Unreadable, or of another chain: not used.
    writeFileSync(join(dir, REGISTRY_FILE), '{"type":');
    expect(await loadRegistry(dir, genesis, async (h) => hashOf(h), silentLogger)).toBeUndefined();
    await new RegistrySaver(dir, r, silentLogger, 1).flush(5, hashOf(5));
    const otherChain = parseGenesis({ ...genesis, chainId: 10 });
    expect(await loadRegistry(dir, otherChain, async (h) => hashOf(h), silentLogger)).toBeUndefined();
    // Nothing saved: nothing restored.
    expect(await loadRegistry(dir, genesis, async (h) => hashOf(h), silentLogger)).toBeUndefined();
  });

  it('is saved every `everyBlocks` blocks, only for the block the registry is at', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-'));
    const r = registry(2);
    const saver = new RegistrySaver(dir, r, silentLogger, 5);
    saver.onFinalized(3, hashOf(3));
    await saver.flush(-1, undefined);
    expect(existsSync(join(dir, REGISTRY_FILE))).toBe(false);
    for (let k = 0; k < 5; k++) r.apply({ header: { height: r.height + 1 }, transactions: [] } as unknown as Block);
    // The database caught up with block 7 while the registry is at 8: no save of a mismatched pair.
    saver.onFinalized(7, hashOf(7));
    await saver.flush(-1, undefined);
    expect(existsSync(join(dir, REGISTRY_FILE))).toBe(false);
    saver.onFinalized(8, hashOf(8));
    await saver.flush(-1, undefined);
    const back = await loadRegistry(dir, genesis, async (h) => hashOf(h), silentLogger);
    expect(back?.height).toBe(8);
    expect(() => new RegistrySaver(dir, r, silentLogger, 0)).toThrow(/everyBlocks/);
  });
});
