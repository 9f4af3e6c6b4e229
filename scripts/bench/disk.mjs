// Bytes on disk of a directory tree (allocated blocks, as du counts them, and apparent size).
import { readdirSync, lstatSync } from 'node:fs';
import { Level } from 'level';
import { join } from 'node:path';

/** {allocated, apparent} bytes under dir; 0 for a missing dir. */
export function diskUsage(dir) {
  let allocated = 0;
  let apparent = 0;
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        try {
          const st = lstatSync(p);
          allocated += st.blocks * 512;
          apparent += st.size;
        } catch {
          /* removed meanwhile (compaction) */
        }
      }
    }
  };
  walk(dir);
  return { allocated, apparent };
}

/**
 * Bytes of a (closed) LevelDB directory once fully compacted: the write-ahead log and overwritten
 * or deleted entries are gone, so the figure does not depend on when the run happened to stop.
 */
export async function compactedUsage(dir) {
  const db = new Level(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer', createIfMissing: false });
  await db.open();
  try {
    await db.compactRange(Buffer.from([0]), Buffer.from([255]));
  } finally {
    await db.close();
  }
  return diskUsage(dir);
}
