/**
 * Trustee records (an election secret and the key message published with it) kept as files
 * beside the validator's key material, never on chain: one `election-<id>.json` per election,
 * mode 0600, written to a temporary file, fsynced and renamed before the key transaction leaves,
 * so a restarted validator still holds the secret behind the key the chain already has.
 */
import { accessSync, constants, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrusteeRecord, TrusteeStore } from '../elections/trustee.js';
import { writeFileDurably } from '../util/durableFile.js';

const FILE_RE = /^election-([A-Za-z0-9_.-]{1,64})\.json$/;

/** A directory of trustee records, all read once at start-up. */
export class TrusteeFileStore implements TrusteeStore {
  readonly dir: string;
  readonly #records = new Map<string, TrusteeRecord>();

  constructor(dir: string) {
    this.dir = dir;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // Checked at start, not at the first election: a read-only key volume must not surface mid-ceremony.
      accessSync(dir, constants.W_OK);
    } catch (err) {
      throw new Error(
        `trustee directory ${dir} is not writable (${(err as Error).message}): set --trustee-dir / POA_TRUSTEE_DIR to a writable directory`,
      );
    }
    for (const name of readdirSync(dir)) {
      const m = FILE_RE.exec(name);
      if (m?.[1] === undefined) continue;
      const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as TrusteeRecord;
      if (record.electionId === m[1]) this.#records.set(m[1], record);
    }
  }

  get size(): number {
    return this.#records.size;
  }

  get(electionId: string): TrusteeRecord | undefined {
    return this.#records.get(electionId);
  }

  async put(record: TrusteeRecord): Promise<void> {
    await writeFileDurably(this.dir, `election-${record.electionId}.json`, `${JSON.stringify(record)}\n`);
    this.#records.set(record.electionId, record);
  }
}
