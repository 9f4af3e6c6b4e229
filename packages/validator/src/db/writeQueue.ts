/**
 * Group commit: writes run one at a time (each builds on the state the previous one left), and
 * outputs applied while a write is in flight are grouped into one batch (one LevelDB write and at
 * most one fsync for all of them). Each call still resolves only once its ops are on disk, and a
 * group that cannot be built falls back to one batch per call, so a bad output fails alone. The
 * committed state moves only after a successful write, so a failed write leaves memory and disk
 * in agreement.
 */
import type { PersistOp } from '../consensus/interface.js';
import {
  type BuiltBatch,
  type CommittedState,
  type SubmissionRecord,
  buildBatch,
  electionsCounted,
  submissionBindings,
} from './batchBuilder.js';
import type { KvStore } from './kv/index.js';
import type { ChainRepositories } from './repositories/index.js';
import type { TallyStage } from './tallyCache.js';

export interface WriteQueueInit {
  kv: KvStore;
  repos: ChainRepositories;
  state: CommittedState;
  /** A tally stage on the committed counts of these elections (read from disk if not cached). */
  stageTally: (elections: ReadonlySet<string>) => Promise<TallyStage>;
  /** The batch is on disk: update what is cached of it. */
  onCommitted: (batch: BuiltBatch) => void;
  /** fsync batches that carry safety state or a finalized block. */
  sync: boolean;
  onSlowWrite?: ((info: { ms: number; ops: number; sync: boolean }) => void) | undefined;
  slowWriteMs: number;
  /** The error a call gets once the queue is closed. */
  closedError: () => Error;
}

interface PendingApply {
  ops: readonly PersistOp[];
  submissions: readonly SubmissionRecord[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class WriteQueue {
  readonly #init: WriteQueueInit;
  #state: CommittedState;
  /** Writes run one at a time: each computes counters from the state the previous one left. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Outputs waiting for the write in flight to finish; written together as one batch. */
  #group: PendingApply[] = [];
  #closed = false;

  constructor(init: WriteQueueInit) {
    this.#init = init;
    this.#state = init.state;
  }

  /** The state of the last committed batch. */
  get state(): CommittedState {
    return this.#state;
  }

  /** Run `fn` after every write queued so far and before any queued later (disk equals committed state in it). */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(this.#init.closedError());
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Write the ops of one consensus output and the submission ids it binds (see the file comment). */
  apply(ops: readonly PersistOp[], submissions: readonly SubmissionRecord[] = []): Promise<void> {
    if (this.#closed) return Promise.reject(this.#init.closedError());
    return new Promise((resolve, reject) => {
      this.#group.push({ ops, submissions, resolve, reject });
      if (this.#group.length > 1) return;
      this.serialize(async () => {
        const group = this.#group;
        this.#group = [];
        await this.#applyGroup(group);
      }).catch(() => undefined);
    });
  }

  /** Refuse new calls and wait for the queued ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
  }

  async #applyGroup(group: PendingApply[]): Promise<void> {
    if (group.length > 1) {
      try {
        await this.#write(
          group.flatMap((g) => g.ops),
          group.flatMap((g) => g.submissions),
        );
        for (const g of group) g.resolve();
        return;
      } catch {
        // Retry one by one below: the error then reaches only the call that caused it.
      }
    }
    for (const g of group) {
      try {
        await this.#write(g.ops, g.submissions);
        g.resolve();
      } catch (e) {
        g.reject(e);
      }
    }
  }

  async #write(ops: readonly PersistOp[], submissions: readonly SubmissionRecord[]): Promise<void> {
    const { kv, repos } = this.#init;
    const tally = await this.#init.stageTally(electionsCounted(ops));
    const ids = [...submissionBindings(submissions).keys()];
    const stored = await repos.submissions.getMany(ids);
    const boundSubmissions = new Set(ids.filter((_, i) => stored[i] !== undefined));
    const built = buildBatch(repos, this.#state, ops, submissions, { tally, boundSubmissions });
    if (built.writes.length === 0) return;
    const sync = built.durable && this.#init.sync;
    const started = performance.now();
    await kv.write(built.writes, { sync });
    const ms = performance.now() - started;
    if (this.#init.onSlowWrite && ms >= this.#init.slowWriteMs)
      this.#init.onSlowWrite({ ms: Math.round(ms), ops: built.writes.length, sync });
    built.next.replication.commit(built.replication);
    this.#state = built.next;
    this.#init.onCommitted(built);
  }
}
