/**
 * The election state kept beside the chain database, so that a restart replays only the blocks
 * after it instead of the whole chain: `<data dir>/elections-state.json`, a snapshot of the
 * ElectionRegistry (ElectionRegistry.snapshot) and the hash of the block it follows. Outside the
 * database (its schema is unchanged): written to a temporary file, fsynced and renamed, every
 * `everyBlocks` finalized blocks and at shutdown. At start-up it is used only if the stored chain
 * holds a block with that hash at that height; anything else (missing, unreadable, another chain
 * or fork, ahead of the stored chain) falls back to the full replay, with a log line saying why.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ElectionRegistry, type Genesis, type Hex } from '@poa-vote/shared';
import type { Logger } from './logger.js';
import { writeFileDurably } from '../util/durableFile.js';

export const REGISTRY_FILE = 'elections-state.json';
const FILE_TYPE = 'poa-validator/elections-state';

interface RegistryFileBody {
  type: typeof FILE_TYPE;
  v: 1;
  height: number;
  blockHash: Hex;
  registry: unknown;
}

/** Write the registry's state after the block `blockHash` at its height, atomically and durably. */
export async function saveRegistry(dir: string, registry: ElectionRegistry, blockHash: Hex): Promise<void> {
  const body: RegistryFileBody = {
    type: FILE_TYPE,
    v: 1,
    height: registry.height,
    blockHash,
    registry: registry.snapshot(),
  };
  await writeFileDurably(dir, REGISTRY_FILE, `${JSON.stringify(body)}\n`);
}

/**
 * The saved registry if it follows a block of the stored chain (`hashAt(height)` is that block's
 * hash, undefined past the stored head); otherwise undefined, and the caller replays from the genesis.
 */
export async function loadRegistry(
  dir: string,
  genesis: Genesis,
  hashAt: (height: number) => Promise<Hex | undefined>,
  logger: Logger,
): Promise<ElectionRegistry | undefined> {
  const file = join(dir, REGISTRY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const body = JSON.parse(text) as Partial<RegistryFileBody>;
    if (body.type !== FILE_TYPE || body.v !== 1 || typeof body.height !== 'number')
      throw new Error(`not a ${FILE_TYPE} version 1 file`);
    const stored = body.height === 0 ? undefined : await hashAt(body.height);
    if (body.height !== 0 && stored !== body.blockHash)
      throw new Error(
        `it follows block ${body.height} ${body.blockHash}, the stored chain has ${stored ?? 'no block'} there`,
      );
    const registry = ElectionRegistry.restore(genesis, body.registry, { verify: false });
    if (registry.height !== body.height) throw new Error(`its registry is at height ${registry.height}`);
    return registry;
  } catch (err) {
    logger.warn({ file, err: (err as Error).message }, 'election state file not used: replaying the chain');
    await rm(file, { force: true });
    return undefined;
  }
}

/** Saves the registry every `everyBlocks` finalized blocks (one write at a time) and on request. */
export class RegistrySaver {
  readonly #dir: string;
  readonly #registry: ElectionRegistry;
  readonly #everyBlocks: number;
  readonly #logger: Logger;
  #savedHeight: number;
  #writing: Promise<void> | undefined;

  constructor(dir: string, registry: ElectionRegistry, logger: Logger, everyBlocks = 500) {
    if (!Number.isSafeInteger(everyBlocks) || everyBlocks < 1)
      throw new RangeError(`everyBlocks must be a positive integer, got ${everyBlocks}`);
    this.#dir = dir;
    this.#registry = registry;
    this.#everyBlocks = everyBlocks;
    this.#logger = logger;
    // Nothing saved yet in this run: the first block after a start that replayed is saved soon.
    this.#savedHeight = -1;
  }

  /**
   * A block is durable in the database: save if it is the registry's last applied block (the
   * registry may already be ahead of the database) and enough blocks passed since the last save.
   */
  onFinalized(height: number, blockHash: Hex): void {
    if (this.#writing !== undefined || height !== this.#registry.height) return;
    if (height - this.#savedHeight < this.#everyBlocks) return;
    this.#save(height, blockHash);
  }

  /** Save now if the registry is at `height` (shutdown), and wait for any write in flight. */
  async flush(height: number, blockHash: Hex | undefined): Promise<void> {
    await this.#writing;
    if (blockHash !== undefined && height === this.#registry.height && height !== this.#savedHeight)
      this.#save(height, blockHash);
    await this.#writing;
  }

  #save(height: number, blockHash: Hex): void {
    this.#writing = saveRegistry(this.#dir, this.#registry, blockHash)
      .then(() => {
        this.#savedHeight = height;
      })
      .catch((err: unknown) => this.#logger.warn({ err }, 'could not save the election state'))
      .finally(() => {
        this.#writing = undefined;
      });
  }
}
