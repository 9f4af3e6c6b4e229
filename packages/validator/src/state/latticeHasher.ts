/**
 * The lattice of a stream of state entries (a snapshot being received), hashed in worker threads.
 *
 * Each entry's element hash is a 2,048-byte SHAKE256 output (~10-20 µs); on the event loop it was
 * well over half of a snapshot entry's cost, while the thread also parses frames and writes them to
 * LevelDB. The lattice is a sum, so each worker sums the entries it is given and `sum()` adds the
 * workers' lattices together: the same LtHash as adding every entry in one thread (unit test).
 * Bounded: at most `maxQueued` batches wait for a worker (`add` resolves when there is room), so a
 * fast sender cannot pile entries up in memory. Without workers (`workers: 0`) it hashes in place.
 */
import { Worker } from 'node:worker_threads';
import { LtHash, type StateEntry } from '@poa-vote/shared';
import type { LatticeRequest, LatticeResponse } from './latticeWorker.js';

export interface LatticeHasherOptions {
  /** Worker threads (0: hash on the calling thread). */
  workers: number;
  /** Batches sent to workers and not yet hashed, at most (default 2 per worker). */
  maxQueued?: number;
  /** The worker script (default: latticeWorker.js beside this module). */
  workerUrl?: URL;
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: LatticeResponse) => void; reject: (e: Error) => void }>;
  failed: Error | undefined;
}

export class LatticeHasher {
  readonly #slots: Slot[] = [];
  #local = new LtHash();
  readonly #maxQueued: number;
  #next = 0;
  #id = 0;
  #queued = 0;
  #waiters: (() => void)[] = [];
  #closed = false;

  constructor(opts: LatticeHasherOptions) {
    const url = opts.workerUrl ?? new URL('./latticeWorker.js', import.meta.url);
    for (let i = 0; i < opts.workers; i++) {
      const worker = new Worker(url);
      worker.unref();
      const slot: Slot = { worker, pending: new Map(), failed: undefined };
      worker.on('message', (r: LatticeResponse) => {
        const p = slot.pending.get(r.id);
        slot.pending.delete(r.id);
        p?.resolve(r);
      });
      const fail = (e: Error): void => {
        slot.failed ??= e;
        for (const p of slot.pending.values()) p.reject(e);
        slot.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`lattice worker exited (code ${code})`)));
      this.#slots.push(slot);
    }
    this.#maxQueued = opts.maxQueued ?? 2 * Math.max(1, opts.workers);
  }

  /** Add entries to the lattice; resolves once they are queued within the bound (or hashed, in place). */
  async add(entries: StateEntry[]): Promise<void> {
    if (this.#closed) throw new Error('lattice hasher is closed');
    if (this.#slots.length === 0) {
      for (const e of entries) this.#local.addEntry(e);
      return;
    }
    while (this.#queued >= this.#maxQueued) await new Promise<void>((r) => this.#waiters.push(r));
    const slot = this.#slots[this.#next++ % this.#slots.length] as Slot;
    this.#queued++;
    // A worker's failure surfaces at sum(): the stream goes on, and the sum is refused.
    this.#request(slot, { type: 'add', id: ++this.#id, entries })
      .catch((e: Error) => {
        slot.failed ??= e;
      })
      .finally(() => {
        this.#queued--;
        this.#waiters.shift()?.();
      });
  }

  /** The lattice of every entry added so far (waits for the workers); the hasher starts empty again. */
  async sum(): Promise<LtHash> {
    const total = new LtHash();
    total.combine(this.#local);
    const parts = await Promise.all(this.#slots.map((s) => this.#request(s, { type: 'sum', id: ++this.#id })));
    for (const r of parts) {
      if (r.type !== 'sum') throw new Error(`lattice worker answered ${r.type} to sum`);
      total.combine(new LtHash(r.bytes));
    }
    for (const s of this.#slots) if (s.failed) throw s.failed;
    this.#local = new LtHash();
    return total;
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  #request(slot: Slot, req: LatticeRequest): Promise<LatticeResponse> {
    if (slot.failed) return Promise.reject(slot.failed);
    return new Promise((resolve, reject) => {
      slot.pending.set(req.id, {
        resolve: (r) => (r.type === 'error' ? reject(new Error(`lattice worker: ${r.error}`)) : resolve(r)),
        reject,
      });
      slot.worker.postMessage(req);
    });
  }
}
