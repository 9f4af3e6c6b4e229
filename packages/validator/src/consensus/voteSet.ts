/** The votes of one height, by type and slot, with conflict (equivocation) detection. */
import type { Hex, Vote, VoteType } from '@poa-vote/shared';

export type AddVoteResult = { status: 'added' } | { status: 'duplicate' } | { status: 'conflict'; existing: Vote };

export class VoteSet {
  /** `${type}:${slot}` -> validator -> vote */
  readonly #byValidator = new Map<string, Map<number, Vote>>();
  /** `${type}:${slot}:${hash}` -> votes */
  readonly #byBlock = new Map<string, Vote[]>();

  add(vote: Vote): AddVoteResult {
    const key = `${vote.type}:${vote.slot}`;
    let m = this.#byValidator.get(key);
    if (!m) {
      m = new Map();
      this.#byValidator.set(key, m);
    }
    const existing = m.get(vote.validator);
    if (existing)
      return existing.blockHash === vote.blockHash ? { status: 'duplicate' } : { status: 'conflict', existing };
    m.set(vote.validator, vote);
    const bkey = `${key}:${vote.blockHash}`;
    let list = this.#byBlock.get(bkey);
    if (!list) {
      list = [];
      this.#byBlock.set(bkey, list);
    }
    list.push(vote);
    return { status: 'added' };
  }

  /** Votes of distinct validators for one (type, slot, block). */
  votesFor(type: VoteType, slot: number, blockHash: Hex): readonly Vote[] {
    return this.#byBlock.get(`${type}:${slot}:${blockHash}`) ?? [];
  }

  /** Every (type, slot) that has votes for a block hash. */
  *slotsFor(blockHash: Hex): Generator<{ type: VoteType; slot: number }> {
    for (const key of this.#byBlock.keys()) {
      const [type, slot, hash] = key.split(':') as [VoteType, string, Hex];
      if (hash === blockHash) yield { type, slot: Number(slot) };
    }
  }

  /** Whether any vote references a block hash (so fetching that block is worth it). */
  references(blockHash: Hex): boolean {
    for (const _ of this.slotsFor(blockHash)) return true;
    return false;
  }
}
