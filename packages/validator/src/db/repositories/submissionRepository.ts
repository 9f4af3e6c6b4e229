/**
 * Transaction hash of a submission id (the JSON-RPC request id a vote came under); the first
 * binding wins. A batch write cannot be conditional, so a binding never overwrites a key: each is
 * appended under a key of its own, the id followed by an increasing sequence number, and a read
 * answers the lowest. The vote first stored under an id thus stays its answer even if a later
 * write binds another (the API refuses those before they reach the node: this is storage's own
 * guarantee, not the first line of defence).
 *
 * Keys: bucket byte, 0xFF, id length (u32 BE), UTF-8 id, sequence (u64 BE: wall-clock ms x 1024
 * plus a counter, increasing within a process and, with a clock that does not step back, across
 * restarts). 0xFF never occurs in UTF-8, so these keys never collide with those of databases
 * written before (bucket byte + UTF-8 id), which are read first: they are older than any appended
 * binding. An identical rebinding (a retry) appends a row that is never read.
 */
import type { Hex } from '@poa-vote/shared';
import { Bucket, bucketStart } from '../buckets.js';
import type { ChainLevel, DbOp } from '../repository.js';
import { StringRepository } from './keyedRepositories.js';

const APPENDED = 0xff;
const SEQ_BYTES = 8;
const LONE_SURROGATE = /\p{Cs}/u;

export class SubmissionRepository extends StringRepository<Hex> {
  readonly #prefix = bucketStart(Bucket.submission);
  #lastSeq = 0;

  constructor(level: ChainLevel) {
    super(level, Bucket.submission);
  }

  /** Key prefix of every appended binding of an id. */
  #idPrefix(id: string): Buffer {
    const utf8 = Buffer.from(id, 'utf8');
    const head = Buffer.alloc(this.#prefix.length + 5);
    this.#prefix.copy(head, 0);
    head[this.#prefix.length] = APPENDED;
    head.writeUInt32BE(utf8.length, this.#prefix.length + 1);
    return Buffer.concat([head, utf8]);
  }

  #nextSeq(): number {
    this.#lastSeq = Math.max(this.#lastSeq + 1, Date.now() * 1024);
    return this.#lastSeq;
  }

  /** Batch operation appending a binding; it never replaces an earlier one. */
  override put(id: string, value: Hex): DbOp {
    const seq = Buffer.alloc(SEQ_BYTES);
    seq.writeBigUInt64BE(BigInt(this.#nextSeq()));
    return { type: 'put', key: Buffer.concat([this.#idPrefix(id), seq]), value };
  }

  /** The first binding of an id; ids with lone surrogates have none (they cannot be stored faithfully). */
  override async get(id: string): Promise<Hex | undefined> {
    if (id.length === 0 || LONE_SURROGATE.test(id)) return undefined;
    const legacy = (await this.level.get(this.key(id))) as Hex | undefined;
    if (legacy !== undefined) return legacy;
    const prefix = this.#idPrefix(id);
    const it = this.level.iterator({ gte: prefix, lt: Buffer.concat([prefix, Buffer.alloc(SEQ_BYTES, 0xff), Buffer.from([0xff])]), limit: 1 });
    try {
      for await (const [, v] of it) return v as Hex;
      return undefined;
    } finally {
      await it.close();
    }
  }

  override async getMany(ids: readonly string[]): Promise<(Hex | undefined)[]> {
    return Promise.all(ids.map((id) => this.get(id)));
  }
}
