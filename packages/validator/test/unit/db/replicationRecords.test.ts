import { describe, it, expect, afterEach } from '@jest/globals';
import { type FinalizedBlock, type Hex, type Transaction, txHash } from '@poa-vote/shared';
import { ChainDb, SCHEMA_VERSION } from '../../../src/db/index.js';
import { MemoryKv } from '../../../src/db/kv/index.js';
import { ChainRepositories, MetaKey } from '../../../src/db/repositories/index.js';
import { ReplicationRecords } from '../../../src/db/replicationRecords.js';
import type { PersistOp } from '../../../src/consensus/interface.js';
import { ballot, buildBlocks, makeChain } from './fixtures.js';

const finalize = (fb: FinalizedBlock): PersistOp => ({
  kind: 'finalize',
  block: fb.block,
  certificate: fb.certificate,
});

/** What the two replication buckets hold. */
async function stored(kv: MemoryKv): Promise<{ records: [number, Hex[]][]; flags: Hex[] }> {
  const repos = new ChainRepositories(kv);
  const records: [number, Hex[]][] = [];
  for await (const r of repos.poolReplicatedRecords.entries()) records.push(r);
  const flags: Hex[] = [];
  for await (const [h] of repos.poolReplicated.entries()) flags.push(h);
  return { records, flags };
}

describe('replication records (the replicated flag, one record per write)', () => {
  const chain = makeChain();
  const votes = (n: number, prefix = 'v'): Transaction[] =>
    Array.from({ length: n }, (_, i) => ballot(`${prefix}${i}`, '1', 'alice'));
  const opened: ChainDb[] = [];
  const open = async (kv: MemoryKv): Promise<ChainDb> => {
    const db = await ChainDb.inMemory(chain.genesis, {}, kv);
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close().catch(() => undefined);
  });

  it('writes one record for a write that learns of many, not a key per vote, and it survives a restart', async () => {
    const kv = new MemoryKv();
    const db = await open(kv);
    const txs = votes(250);
    const hashes = txs.map((t) => txHash(t));
    await db.apply([{ kind: 'pool-add', txs }]);
    const before = kv.size;
    await db.apply([{ kind: 'pool-replicated', hashes }]);
    // One key for 250 votes (the per-vote layout wrote 250).
    expect(kv.size - before).toBe(1);
    expect(await stored(kv)).toEqual({ records: [[0, hashes]], flags: [] });
    await db.close();
    const again = await open(kv.reopen());
    expect(await again.loadPoolReplicated()).toEqual(new Set(hashes));
  });

  it('deletes a record with the last of its votes to leave the pool, by removal or by finalization', async () => {
    const kv = new MemoryKv();
    const db = await open(kv);
    const [b1] = buildBlocks(chain, 1, () => votes(3, 'f'));
    const inBlock = b1!.block.transactions;
    const other = votes(2, 'p');
    await db.apply([{ kind: 'pool-add', txs: [...inBlock, ...other] }]);
    await db.apply([{ kind: 'pool-replicated', hashes: [...inBlock, other[0]!].map((t) => txHash(t)) }]);
    await db.apply([{ kind: 'pool-replicated', hashes: [txHash(other[1]!)] }]);
    expect((await stored(kv)).records.map(([id, h]) => [id, h.length])).toEqual([
      [0, 4],
      [1, 1],
    ]);
    // Finalizing three of record 0's four votes keeps it; removing the fourth deletes it.
    await db.apply([finalize(b1!)]);
    expect((await stored(kv)).records.map(([id]) => id)).toEqual([0, 1]);
    expect(await db.loadPoolReplicated()).toEqual(new Set([txHash(other[0]!), txHash(other[1]!)]));
    await db.apply([{ kind: 'pool-remove', hashes: [txHash(other[0]!)] }]);
    expect((await stored(kv)).records.map(([id]) => id)).toEqual([1]);
    await db.apply([{ kind: 'pool-remove', hashes: [txHash(other[1]!)] }]);
    expect(await stored(kv)).toEqual({ records: [], flags: [] });
    expect(await db.loadPoolReplicated()).toEqual(new Set());
  });

  it('writes no record for votes that leave the pool in the same write, and numbers records on after a restart', async () => {
    const kv = new MemoryKv();
    const db = await open(kv);
    const txs = votes(3);
    const [a, b, c] = txs.map((t) => txHash(t)) as [Hex, Hex, Hex];
    await db.apply([
      { kind: 'pool-add', txs },
      { kind: 'pool-replicated', hashes: [a, b] },
      { kind: 'pool-remove', hashes: [a, b] },
    ]);
    expect((await stored(kv)).records).toEqual([]);
    await db.apply([{ kind: 'pool-replicated', hashes: [c] }]);
    await db.close();
    const kv2 = kv.reopen();
    const again = await open(kv2);
    const more = votes(1, 'm');
    await again.apply([
      { kind: 'pool-add', txs: more },
      { kind: 'pool-replicated', hashes: [txHash(more[0]!)] },
    ]);
    expect((await stored(kv2)).records).toEqual([
      [0, [c]],
      [1, [txHash(more[0]!)]],
    ]);
  });

  it('turns the per-vote flags of an older version into one record, and drops those of votes no longer pending', async () => {
    const kv = new MemoryKv();
    const db = await open(kv);
    const txs = votes(2);
    const [a, b] = txs.map((t) => txHash(t)) as [Hex, Hex];
    const gone = txHash(votes(1, 'gone')[0]!);
    await db.apply([{ kind: 'pool-add', txs }]);
    await db.close();
    // What a version before the records left: a flag per vote, one of them for a vote not in the pool.
    const kv2 = kv.reopen();
    const repos = new ChainRepositories(kv2);
    await kv2.write([
      repos.meta.write(MetaKey.schemaVersion, 6),
      repos.poolReplicated.put(a, true),
      repos.poolReplicated.put(gone, true),
    ]);
    const again = await open(kv2);
    expect(await repos.meta.read(MetaKey.schemaVersion)).toBe(SCHEMA_VERSION);
    expect(await again.loadPoolReplicated()).toEqual(new Set([a]));
    expect(await stored(kv2)).toEqual({ records: [[0, [a]]], flags: [] });
    // Recorded already: not recorded again. Its removal deletes its record.
    await again.apply([{ kind: 'pool-replicated', hashes: [a, b] }]);
    expect(await stored(kv2)).toEqual({
      records: [
        [0, [a]],
        [1, [b]],
      ],
      flags: [],
    });
    await again.apply([{ kind: 'pool-remove', hashes: [a] }]);
    expect(await stored(kv2)).toEqual({ records: [[1, [b]]], flags: [] });
  });

  it('changes nothing committed while a write is only planned', () => {
    const h = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}` as Hex;
    const records = new ReplicationRecords([[4, [h(1), h(2)]]]);
    const plan = records.plan();
    plan.add([h(3), h(3)]);
    plan.remove(h(1));
    plan.add([h(1)]); // left the pool and came back in the same write: recorded anew
    const delta = plan.finish();
    expect(delta).toEqual({
      record: { id: 5, hashes: [h(3), h(1)] },
      removed: [h(1)],
      deadRecords: [],
    });
    expect(records.hashes()).toEqual(new Set([h(1), h(2)]));
    records.commit(delta);
    expect(records.hashes()).toEqual(new Set([h(1), h(2), h(3)]));
    expect(records.recordOf(h(1))).toBe(5);
    const second = records.plan();
    second.remove(h(2));
    expect(second.finish().deadRecords).toEqual([4]);
  });
});
