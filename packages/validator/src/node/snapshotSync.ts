/**
 * Starting from a snapshot (docs/DURABILITY.md, "Snapshot sync"): a validator with an empty data
 * directory asks a peer for the state at the peer's finalized head h, and keeps it only once:
 *   1. block h is valid and carries a quorum precommit certificate of the genesis authorities;
 *   2. the state commitment recomputed from the received entries equals the stateRoot of block
 *      h + 1 (the state after h), block h + 1 being finalized (quorum certificate) and linked to h.
 * Entries are written as they arrive (memory stays bounded); a refused snapshot's are deleted
 * and the next peer is tried. If no peer gives a verifiable snapshot, the node replays the chain.
 *
 * The blocks below h are then fetched in the background (`Backfill`): each must hash to the
 * parentHash of the block above it, so the chain the node ends up holding is linked from the
 * verified block down to the genesis; its votes are already in the state and are not re-applied.
 */
import {
  type FinalizedBlock,
  type Genesis,
  LtHash,
  ProtocolError,
  ProtocolErrorCode,
  genesisHash,
  validateBlock,
  verifyCertificate,
  verifyFinalizedBlock,
} from '@poa-vote/shared';
import type { ChainDb } from '../db/index.js';
import { LatticeHasher } from '../state/latticeHasher.js';
import type { BackfillState } from '../db/repositories/index.js';
import type { SnapshotTransfer } from '../network/reqresp/snapshot.js';
import type { Network } from '../network/index.js';
import type { Logger } from '../util/logger.js';

/** How a node with an empty data directory catches up. */
export type SyncMode = 'snapshot' | 'full';

export interface SnapshotSyncOptions {
  /** A peer's head must be at least this high for a snapshot to be worth it (else: replay). Default 64. */
  minHeight?: number;
  /** How long to wait for a first connected peer. Default 15 s. */
  waitPeersMs?: number;
  /** Deadline of one snapshot transfer. Default 10 min. */
  transferTimeoutMs?: number;
  /** How long to wait for block h + 1 to be final. Default 30 s. */
  bindTimeoutMs?: number;
  /** Worker threads that hash the received entries (state/latticeHasher.ts); 0: on the event loop. Default 0, a node: its cores. */
  hashWorkers?: number;
  /** The hash workers' script (tests; default: beside latticeHasher.js). */
  hashWorkerUrl?: URL | undefined;
}

export const defaultSnapshotSyncOptions: Required<SnapshotSyncOptions> = {
  minHeight: 64,
  waitPeersMs: 15_000,
  transferTimeoutMs: 10 * 60_000,
  bindTimeoutMs: 30_000,
  hashWorkers: 0,
  hashWorkerUrl: undefined,
};

/** What a successful snapshot sync measured. */
export interface SnapshotSyncResult {
  height: number;
  peer: number;
  entries: number;
  bytes: number;
  ms: number;
}

type SnapshotNetwork = Pick<Network, 'connectedAuthorities' | 'requestSnapshot' | 'requestBlocks'>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A peer's snapshot is too short to be worth it: not an error, the node replays instead. */
class TooLow extends Error {
  override readonly name = 'TooLow';
}

/**
 * Receive and verify one peer's snapshot into `db` (at genesis). Returns the transfer and the
 * verified head; throws (ProtocolError STATE_INVALID, a NetworkError, ...) when it is refused,
 * leaving imported entries for the caller to discard.
 */
export async function receiveSnapshot(
  genesis: Genesis,
  db: Pick<ChainDb, 'importStateEntries'>,
  network: SnapshotNetwork,
  peer: number,
  opts: Required<SnapshotSyncOptions>,
): Promise<{ transfer: SnapshotTransfer; head: FinalizedBlock; lattice: LtHash }> {
  const hasher = new LatticeHasher({
    workers: opts.hashWorkers,
    ...(opts.hashWorkerUrl !== undefined ? { workerUrl: opts.hashWorkerUrl } : {}),
  });
  try {
    return await receiveInto(genesis, db, network, peer, opts, hasher);
  } finally {
    await hasher.close();
  }
}

async function receiveInto(
  genesis: Genesis,
  db: Pick<ChainDb, 'importStateEntries'>,
  network: SnapshotNetwork,
  peer: number,
  opts: Required<SnapshotSyncOptions>,
  hasher: LatticeHasher,
): Promise<{ transfer: SnapshotTransfer; head: FinalizedBlock; lattice: LtHash }> {
  let head: FinalizedBlock | undefined;
  let writing: Promise<void> = Promise.resolve();
  let received = 0;
  let maxEntries = 0;
  const transfer = await network.requestSnapshot(
    peer,
    {
      onHead: async (input) => {
        const block = validateBlock(genesis, input.block);
        const certificate = verifyCertificate(genesis, input.certificate, {
          type: 'precommit',
          height: block.header.height,
          blockHash: block.hash,
        });
        if (block.header.height < opts.minHeight)
          throw new TooLow(`peer ${peer} is at height ${block.header.height}, below ${opts.minHeight}`);
        head = { block, certificate };
        // Each finalized vote adds one voter entry, and each tally bucket, total, election record
        // and "voted" mark holds at least one: a chain of height h has at most
        // 4 * maxTxPerBlock * h entries. More is a peer filling the disk, refused before it is written.
        maxEntries = 4 * genesis.limits.maxTxPerBlock * block.header.height;
      },
      onEntries: async (entries) => {
        received += entries.length;
        if (received > maxEntries)
          throw new ProtocolError(
            ProtocolErrorCode.STATE_INVALID,
            `snapshot of peer ${peer} has more than ${maxEntries} entries, the most a chain of its height holds`,
          );
        // Hashed in worker threads (at most a few frames queued), while this thread parses the
        // next frame and writes this one (at most one write in flight).
        await hasher.add(entries);
        await writing;
        writing = db.importStateEntries(entries);
        writing.catch(() => undefined);
      },
    },
    opts.transferTimeoutMs,
  );
  await writing;
  if (!transfer.served || head === undefined) throw new TooLow(`peer ${peer} has no snapshot to serve`);
  const lattice = await hasher.sum();
  const { block } = head;
  // The state after h is committed in the header of h + 1: wait for it to be final.
  const deadline = Date.now() + opts.bindTimeoutMs;
  for (;;) {
    const [next] = await network.requestBlocks(peer, block.header.height + 1, 1).catch(() => []);
    if (next !== undefined) {
      const verified = verifyFinalizedBlock(
        genesis,
        { height: block.header.height, hash: block.hash, slot: block.header.slot },
        next,
      );
      const root = lattice.root();
      if (verified.block.header.stateRoot !== root)
        throw new ProtocolError(
          ProtocolErrorCode.STATE_INVALID,
          `snapshot of peer ${peer} at height ${block.header.height} commits to ${root}, ` +
            `block ${block.header.height + 1} says ${verified.block.header.stateRoot}`,
        );
      return { transfer, head, lattice };
    }
    if (Date.now() > deadline)
      throw new ProtocolError(
        ProtocolErrorCode.STATE_INVALID,
        `block ${block.header.height + 1} (which commits to the snapshot) is not final after ${opts.bindTimeoutMs} ms`,
      );
    await sleep(250);
  }
}

/**
 * Try the connected peers in turn until one gives a verified snapshot, and install it. Returns
 * undefined when none did (the node then replays the chain from genesis).
 */
export async function syncFromSnapshot(
  genesis: Genesis,
  db: ChainDb,
  network: SnapshotNetwork,
  logger: Logger,
  options: SnapshotSyncOptions = {},
): Promise<SnapshotSyncResult | undefined> {
  const opts = { ...defaultSnapshotSyncOptions, ...options };
  const started = performance.now();
  const waitUntil = Date.now() + opts.waitPeersMs;
  while (network.connectedAuthorities().length === 0 && Date.now() < waitUntil) await sleep(200);
  // A random order (Fisher-Yates): no peer is everyone's first choice.
  const peers = [...network.connectedAuthorities()];
  for (let i = peers.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [peers[i], peers[j]] = [peers[j] as number, peers[i] as number];
  }
  if (peers.length === 0) logger.warn({}, 'snapshot sync: no peer connected; replaying the chain');
  for (const peer of peers) {
    try {
      const { transfer, head, lattice } = await receiveSnapshot(genesis, db, network, peer, opts);
      await db.installSnapshot(head, lattice);
      const result: SnapshotSyncResult = {
        height: head.block.header.height,
        peer,
        entries: transfer.entries,
        bytes: transfer.bytes,
        ms: Math.round(performance.now() - started),
      };
      logger.info({ ...result, stateRoot: lattice.root() }, 'snapshot sync: verified state installed');
      return result;
    } catch (e) {
      const err = e as Error & { code?: string };
      if (e instanceof TooLow) logger.info({ peer, reason: err.message }, 'snapshot sync: peer skipped');
      else logger.warn({ peer, code: err.code, err: err.message }, 'snapshot sync: snapshot refused');
      await db.discardImportedState();
    }
  }
  logger.warn({}, 'snapshot sync: no verifiable snapshot; replaying the chain from genesis');
  return undefined;
}

/** Blocks asked per backfill request (the sync method's own limits apply too). */
const BACKFILL_BATCH = 64;

/**
 * Downloads the blocks below the snapshot, newest first, each checked to be the parent of the
 * block above it (block rules, hash link, and its own certificate), until block 1, whose parent
 * must be the genesis. Progress is stored with each batch, so a restart resumes.
 */
export class Backfill {
  readonly #genesis: Genesis;
  readonly #db: Pick<ChainDb, 'writeBackfill' | 'backfillState'>;
  readonly #network: Pick<Network, 'connectedAuthorities' | 'requestBlocks'>;
  readonly #logger: Logger;
  #state: BackfillState | undefined;
  #stopped = false;
  #done: Promise<void> | undefined;
  #blocks = 0;
  #startedAt = 0;
  #finishedMs: number | undefined;

  constructor(init: {
    genesis: Genesis;
    db: Pick<ChainDb, 'writeBackfill' | 'backfillState'>;
    network: Pick<Network, 'connectedAuthorities' | 'requestBlocks'>;
    logger: Logger;
  }) {
    this.#genesis = init.genesis;
    this.#db = init.db;
    this.#network = init.network;
    this.#logger = init.logger;
  }

  /** Progress for /health: undefined for a node that replayed from genesis. */
  status(): { snapshotHeight: number; lowest: number; complete: boolean; blocks: number; ms?: number } | undefined {
    const s = this.#state;
    if (s === undefined) return undefined;
    return {
      snapshotHeight: s.snapshotHeight,
      lowest: s.lowest,
      complete: s.lowest <= 1,
      blocks: this.#blocks,
      ...(this.#finishedMs === undefined ? {} : { ms: this.#finishedMs }),
    };
  }

  /** Load the stored cursor and run in the background until block 1 is stored. */
  async start(): Promise<void> {
    this.#state = await this.#db.backfillState();
    if (this.#state === undefined || this.#state.lowest <= 1) return;
    this.#startedAt = performance.now();
    this.#done = this.#run().catch((e) => this.#logger.error({ err: (e as Error).message }, 'backfill stopped'));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }

  async #run(): Promise<void> {
    let state = this.#state;
    while (state !== undefined && state.lowest > 1 && !this.#stopped) {
      const peers = this.#network.connectedAuthorities();
      const peer = peers[Math.floor(Math.random() * peers.length)];
      if (peer === undefined) {
        await sleep(500);
        continue;
      }
      const to = state.lowest - 1;
      const from = Math.max(1, to - BACKFILL_BATCH + 1);
      let got: FinalizedBlock[];
      try {
        got = await this.#network.requestBlocks(peer, from, to - from + 1);
      } catch (e) {
        this.#logger.debug({ peer, from, err: (e as Error).message }, 'backfill request failed');
        await sleep(500);
        continue;
      }
      // Verify downwards from the block above: each block must be the parent of the last verified one.
      const verified: FinalizedBlock[] = [];
      let expectHash = state.lowestParentHash;
      let expectHeight = to;
      try {
        for (let i = got.length - 1; i >= 0; i--) {
          const fb = got[i];
          if (fb === undefined || (fb.block as { header?: { height?: unknown } }).header?.height !== expectHeight)
            continue;
          const block = validateBlock(this.#genesis, fb.block);
          if (block.hash !== expectHash)
            throw new ProtocolError(
              ProtocolErrorCode.BLOCK_BAD_PARENT,
              `backfilled block ${expectHeight} hashes to ${block.hash}, the block above names ${expectHash}`,
            );
          const certificate = verifyCertificate(this.#genesis, fb.certificate, {
            type: 'precommit',
            height: expectHeight,
            blockHash: block.hash,
          });
          verified.push({ block, certificate });
          expectHash = block.header.parentHash;
          expectHeight--;
        }
        if (expectHeight === 0 && expectHash !== genesisHash(this.#genesis))
          throw new ProtocolError(
            ProtocolErrorCode.BLOCK_BAD_PARENT,
            `block 1's parent ${expectHash} is not the genesis ${genesisHash(this.#genesis)}`,
          );
      } catch (e) {
        this.#logger.warn({ peer, err: (e as Error).message }, 'backfill: blocks refused');
        await sleep(500);
        continue;
      }
      if (verified.length === 0) {
        await sleep(500);
        continue;
      }
      const next: BackfillState = { ...state, lowest: expectHeight + 1, lowestParentHash: expectHash };
      await this.#db.writeBackfill(verified, next);
      this.#blocks += verified.length;
      state = next;
      this.#state = next;
    }
    if (state !== undefined && state.lowest <= 1) {
      this.#finishedMs = Math.round(performance.now() - this.#startedAt);
      this.#logger.info(
        { blocks: this.#blocks, ms: this.#finishedMs, snapshotHeight: state.snapshotHeight },
        'backfill complete: the chain is stored from the genesis',
      );
    }
  }
}
