/**
 * LevelDB's open tables are the part of a validator's memory that grew with the chain: each open
 * table keeps its index and bloom filter mapped (file pages in the RSS), and LevelDB keeps up to
 * `max_open_files` of them (1,000 by default: ~2 GB of 2 MB tables). ChainDb caps them
 * (`maxOpenFiles`, default 128). Counted here from the process's own mappings of the database's
 * table files, against LevelDB's default as the control.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ChainDb, DEFAULT_MAX_OPEN_FILES, DbError, LevelKv, MIN_MAX_OPEN_FILES } from '../../../../src/db/index.js';
import { makeChain, tempDir } from '../fixtures.js';

/** Distinct table files of `dir` mapped into this process now. */
function mappedTables(dir: string): number {
  const tables = new Set<string>();
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const path = line.slice(line.indexOf('/'));
    if (line.includes('/') && path.startsWith(`${dir}/`) && path.endsWith('.ldb')) tables.add(path);
  }
  return tables.size;
}

const ENTRIES = 60_000;
/** ~4 KB of JSON per entry: ~240 MB, over 100 tables of LevelDB's 2 MB. */
const value = (): string => randomBytes(3_000).toString('base64');
const key = (i: number): Buffer => {
  const b = Buffer.alloc(5);
  b[0] = 0x7f;
  // Scattered: keys written in order would each land in a table of their own at level 2 (no
  // overlap, no compaction), where a validator's hashes and voter ids overlap everywhere.
  b.writeUInt32BE(Math.imul(i, 2654435761) >>> 0, 1);
  return b;
};

/** Fill a store with ~240 MB, then read one key in every 100 (every table): tables mapped after. */
async function tablesMappedAfterReads(maxOpenFiles: number): Promise<number> {
  const { dir, cleanup } = await tempDir();
  const kv = await LevelKv.open(dir, { maxOpenFiles });
  try {
    for (let i = 0; i < ENTRIES; i += 500) {
      const ops = [];
      for (let j = i; j < i + 500; j++) ops.push({ type: 'put' as const, key: key(j), value: value() });
      await kv.write(ops);
    }
    const keys = Array.from({ length: ENTRIES / 100 }, (_, n) => key(n * 100 + 7));
    const got = await kv.getMany(keys);
    expect(got.every((v) => typeof v === 'string' && v.length === 4_000)).toBe(true);
    return mappedTables(dir);
  } finally {
    await kv.close();
    await cleanup();
  }
}

describe("LevelDB's open tables", () => {
  it('stay at most maxOpenFiles - 10 however many tables the database has (LevelDB default: all of them)', async () => {
    // Control: LevelDB's default keeps every table it has read open and mapped.
    const uncapped = await tablesMappedAfterReads(1_000);
    expect(uncapped).toBeGreaterThan(80);
    // Capped at LevelDB's floor: 64 tables at most, the rest reopened when read.
    const capped = await tablesMappedAfterReads(MIN_MAX_OPEN_FILES);
    expect(capped).toBeLessThanOrEqual(MIN_MAX_OPEN_FILES - 10);
  }, 120_000);

  it('ChainDb caps them by default and refuses a cap LevelDB would raise', async () => {
    expect(DEFAULT_MAX_OPEN_FILES).toBeLessThan(1_000);
    const { dir, cleanup } = await tempDir();
    try {
      const { genesis } = makeChain();
      const err = await ChainDb.open(dir, genesis, { maxOpenFiles: 64 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).message).toMatch(/maxOpenFiles must be an integer of at least 74, got 64/);
      const db = await ChainDb.open(dir, genesis, { maxOpenFiles: MIN_MAX_OPEN_FILES });
      await db.close();
    } finally {
      await cleanup();
    }
  });
});
