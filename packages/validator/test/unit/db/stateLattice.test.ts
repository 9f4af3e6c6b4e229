/**
 * The state commitment in storage: the lattice is written with each finalized block and restored
 * at open without a recomputation; a database whose lattice is missing or stale (schema 3, or a
 * batch without one) gets it recomputed from its voter index and tallies, and is marked schema 4.
 * A database snapshot is a consistent view (later writes do not show in it).
 */
import { describe, expect, it } from '@jest/globals';
import { type Transaction, bytesToHex, generateKeyPair } from '@poa-vote/shared';
import { finalizedChain, makeTestChain } from '@poa-vote/test-utils';
import { ChainDb } from '../../../src/db/index.js';
import { MemoryKv } from '../../../src/db/kv/index.js';
import { ChainRepositories, MetaKey } from '../../../src/db/repositories/index.js';
import { SCHEMA_VERSION } from '../../../src/db/schema.js';
import { ChainState } from '../../../src/state/chainState.js';

const chain = makeTestChain({ n: 3 });
const { genesis } = chain;
const vote = (i: number): Transaction => ({
  from: `v${i}`,
  to: `election-${i % 2}`,
  data: `{"candidate_id":"c${i % 3}"}`,
});
const blocks = finalizedChain(chain, 5, (h) => [vote(2 * h), vote(2 * h + 1)]);

/** Apply the blocks as a validator does: each finalize op carries the core's lattice. */
async function stored(withLattice: boolean): Promise<{ kv: MemoryKv; state: ChainState }> {
  const kv = new MemoryKv();
  const db = await ChainDb.inMemory(genesis, {}, kv);
  const state = new ChainState(genesis);
  for (const fb of blocks) {
    state.apply(fb.block);
    await db.apply([
      {
        kind: 'finalize',
        ...fb,
        ...(withLattice ? { lattice: state.commitment.lattice.bytes() } : {}),
      },
    ]);
  }
  await db.close();
  return { kv, state };
}

describe('state lattice in storage', () => {
  it('is stored with each block and restored at open, equal to the core commitment', async () => {
    const { kv, state } = await stored(true);
    const meta = await new ChainRepositories(kv.reopen()).meta.read(MetaKey.stateLattice);
    expect(meta).toEqual({ height: 5, lattice: bytesToHex(state.commitment.lattice.bytes()) });
    const db = await ChainDb.inMemory(genesis, {}, kv.reopen());
    expect(db.loadedCommitment.root()).toBe(state.stateRoot);
    // The restored commitment keeps advancing like the core's (its tallies were read back too).
    const next = finalizedChain(chain, 1, () => [vote(50), vote(51)], {
      hash: blocks[4]!.block.hash,
      height: 5,
      slot: blocks[4]!.block.header.slot,
    })[0]!;
    expect(next.block.header.stateRoot).toBe(state.stateRoot);
    const restored = new ChainState(genesis, { head: db.head(), voters: [] }, { commitment: db.loadedCommitment });
    restored.apply(next.block);
    state.apply(next.block);
    expect(restored.stateRoot).toBe(state.stateRoot);
  });

  it('is recomputed from the stored state when missing (an older schema, or batches without it)', async () => {
    const { kv, state } = await stored(false);
    const repos = new ChainRepositories(kv.reopen());
    await repos.kv.write([repos.meta.write(MetaKey.schemaVersion, 3)]);
    expect(await repos.meta.read(MetaKey.stateLattice)).toBeUndefined();
    const db = await ChainDb.inMemory(genesis, {}, kv.reopen());
    expect(db.loadedCommitment.root()).toBe(state.stateRoot);
    expect(await repos.meta.read(MetaKey.schemaVersion)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(7);
    expect((await repos.meta.read(MetaKey.stateLattice))?.height).toBe(5);
  });

  it('refuses a schema 5 database of a chain with an election operator (its state lacks the election records)', async () => {
    const elections = makeTestChain({ n: 3, electionOperator: generateKeyPair().publicKey });
    const kv = new MemoryKv();
    const db = await ChainDb.inMemory(elections.genesis, {}, kv);
    for (const fb of finalizedChain(elections, 2, (h) => [vote(2 * h)])) await db.apply([{ kind: 'finalize', ...fb }]);
    await db.close();
    const repos = new ChainRepositories(kv.reopen());
    await repos.kv.write([repos.meta.write(MetaKey.schemaVersion, 5)]);
    await expect(ChainDb.inMemory(elections.genesis, {}, kv.reopen())).rejects.toThrow(
      /schema version 5, whose state does not hold the election registry .* start this validator from an empty data directory/,
    );
    // The same database at schema 6 opens (the control).
    await repos.kv.write([repos.meta.write(MetaKey.schemaVersion, 6)]);
    const reopened = await ChainDb.inMemory(elections.genesis, {}, kv.reopen());
    expect(reopened.head().height).toBe(2);
    await reopened.close();
  });

  it('serves a snapshot from one consistent view of the database', async () => {
    const { kv } = await stored(true);
    const db = await ChainDb.inMemory(genesis, {}, kv.reopen());
    const reader = await db.openStateSnapshot();
    expect(reader?.head.block.header.height).toBe(5);
    // A write after the snapshot was taken does not show in it.
    const more = finalizedChain(chain, 1, () => [vote(77)], {
      hash: blocks[4]!.block.hash,
      height: 5,
      slot: blocks[4]!.block.header.slot,
    })[0]!;
    await db.apply([{ kind: 'finalize', ...more }]);
    let voters = 0;
    for await (const batch of reader?.entries() ?? []) voters += batch.filter((e) => e.kind === 'voter').length;
    await reader?.close();
    expect(voters).toBe(10);
  });
});
