/**
 * The run's trace: one line per event. A rolling sha256 digest covers every line, so two runs
 * of a seed can be compared byte for byte without keeping the whole trace; the last lines are
 * kept for failure reports, all of them on request.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Hex } from '@poa-vote/shared';
import type { ConsensusMessage, Output, PersistOp } from '../consensus/index.js';

export interface TraceOptions {
  /** Lines kept for the failure report. */
  keep?: number;
  /** Keep every line (replays with --trace, determinism tests). */
  full?: boolean;
  /** Called with every line as it is produced. */
  sink?: (line: string) => void;
}

export class Trace {
  readonly #hash: Hash = createHash('sha256');
  readonly #ring: string[] = [];
  readonly #keep: number;
  readonly #all: string[] | undefined;
  readonly #sink: ((line: string) => void) | undefined;
  #count = 0;

  constructor(opts: TraceOptions = {}) {
    this.#keep = opts.keep ?? 200;
    this.#all = opts.full ? [] : undefined;
    this.#sink = opts.sink;
  }

  /** Record one event: simulated time (ms), who, and what happened. */
  add(time: number, who: string, what: string): void {
    const line = `${String(time).padStart(7)} ${who.padEnd(6)} ${what}`;
    this.#hash.update(line);
    this.#hash.update('\n');
    this.#count++;
    this.#ring.push(line);
    if (this.#ring.length > this.#keep * 2) this.#ring.splice(0, this.#ring.length - this.#keep);
    this.#all?.push(line);
    this.#sink?.(line);
  }

  get count(): number {
    return this.#count;
  }

  /** sha256 of every line so far (newline-terminated). */
  digest(): Hex {
    return `0x${this.#hash.copy().digest('hex')}`;
  }

  /** The last `n` lines. */
  tail(n: number): string[] {
    return this.#ring.slice(-n);
  }

  /** Every line, when the trace was created with `full`. */
  get lines(): readonly string[] | undefined {
    return this.#all;
  }
}

const h8 = (h: string): string => h.slice(2, 10);

/** Compact description of a consensus message. */
export function fmtMsg(m: ConsensusMessage): string {
  switch (m.type) {
    case 'proposal': {
      const p = m.proposal;
      return `proposal(h${p.height} s${p.slot} ${h8(p.block.hash)} bs${p.block.header.slot} vr${p.validRound} ${p.block.transactions.length}tx)`;
    }
    case 'vote': {
      const v = m.vote;
      return `${v.type === 'prevote' ? 'pv' : 'pc'}(h${v.height} s${v.slot} ${h8(v.blockHash)} n${v.validator})`;
    }
    case 'status': {
      const s = m.status;
      return `status(h${s.height} s${s.slot}${s.polka ? ` polka s${s.polka.slot} ${h8(s.polka.blockHash)}` : ''})`;
    }
    case 'txs':
      return `txs(${m.txs.length}${m.batch ? ` b${m.batch.seq}` : ''})`;
    case 'acks':
      return `acks(${m.acks.map((a) => `n${a.origin}b${a.seq}${a.refused.length ? `-${a.refused.length}` : ''}`).join(',')})`;
    case 'pool-request':
      return `pool-req(${m.cursor})`;
    case 'pool-response':
      return `pool-resp(${m.entries.length} next ${m.next}${m.done ? ' done' : ''})`;
    case 'sync-request':
      return `sync-req(from h${m.fromHeight} max ${m.max})`;
    case 'sync-response': {
      const first = m.blocks[0];
      const last = m.blocks.at(-1);
      const range = first && last ? ` h${first.block.header.height}..h${last.block.header.height}` : '';
      return `sync-resp(${m.blocks.length}${range})`;
    }
    case 'block-request':
      return `block-req(${h8(m.hash)})`;
    case 'block-response':
      return `block-resp(h${m.block.header.height} ${h8(m.block.hash)})`;
    default: {
      const unhandled: never = m;
      return `?(${String((unhandled as { type?: unknown }).type)})`;
    }
  }
}

function fmtPersist(op: PersistOp): string {
  switch (op.kind) {
    case 'safety': {
      const s = op.state;
      return `safety(h${s.height} prop${s.lastProposedSlot} pv${s.lastPrevoteSlot} pc${s.lastPrecommitSlot}${s.lock ? ` lock s${s.lock.slot} ${h8(s.lock.block.hash)}` : ''})`;
    }
    case 'finalize':
      return `FINALIZE(h${op.block.header.height} ${h8(op.block.hash)} ${op.block.transactions.length}tx cert s${op.certificate.slot} ${op.certificate.signatures.length}sig)`;
    case 'pool-add':
      return `pool+${op.txs.length}`;
    case 'pool-remove':
      return `pool-${op.hashes.length}`;
    case 'evidence':
      return `EVIDENCE(${op.evidence.kind} n${op.evidence.validator})`;
    case 'vouching':
      return 'VOUCHING';
    case 'pool-replicated':
      return `replicated+${op.hashes.length}`;
  }
}

/** Compact description of a core output; `fates` describes where each send went. */
export function fmtOutput(out: Output, fates: string[]): string {
  const parts: string[] = [];
  if (out.persist.length) parts.push(`persist ${out.persist.map(fmtPersist).join(' ')}`);
  if (out.send.length)
    parts.push(
      `send ${out.send.map((s, i) => `${fmtMsg(s.msg)}->${s.to === 'all' ? 'all' : `n${s.to}`}${fates[i] ? `[${fates[i]}]` : ''}`).join(' ')}`,
    );
  const evs = out.events.filter((e) => e.type !== 'finalized' && e.type !== 'proposed' && e.type !== 'polka');
  for (const e of out.events) {
    if (e.type === 'polka') parts.push(`polka s${e.slot} ${h8(e.block.hash)}`);
  }
  if (evs.length) {
    parts.push(
      `events ${evs
        .map((e) => {
          switch (e.type) {
            case 'invalid-message':
              return `invalid(n${e.from} ${e.code})`;
            case 'tx-rejected':
              return `tx-rejected(${h8(e.hash)})`;
            case 'sync-needed':
              return `sync-needed(n${e.peer} h${e.fromHeight})`;
            case 'evidence':
              return `evidence(${e.evidence.kind})`;
            case 'tx-replicated':
              return `replicated(${e.hashes.map(h8).join(',')})`;
            case 'recovered':
              return `RECOVERED(${e.entries} entries)`;
            default: {
              const unhandled: never = e;
              return (unhandled as { type: string }).type;
            }
          }
        })
        .join(' ')}`,
    );
  }
  return parts.join(' | ');
}
