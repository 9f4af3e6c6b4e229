/**
 * The one-vote-per-(voter, election) index in compact form: an open-addressing hash table in
 * typed arrays. A Map<string, Hex> costs about 276 bytes per finalized vote (two strings and an
 * entry); here a vote costs 48 bytes of table (16-byte key digest + 32-byte tx hash) at a load
 * of at most 3/4. The index holds every finalized vote, so this is what the validator's memory
 * grows by as an election goes on (docs/PERFORMANCE.md).
 *
 * Keys are the first 16 bytes of sha256(voterKey): a false match between two voters needs a
 * 128-bit collision (about 2^64 voters before one is even likely), so lookups are exact in practice.
 */
import * as nodeCrypto from 'node:crypto';
import { at, type Hex, bytesToHex, isHex } from '@poa-vote/shared';
import type { VoterStore } from './voterStore.js';

const KEY_BYTES = 16;
const VALUE_BYTES = 32;
const KEY_WORDS = KEY_BYTES / 4;
const MIN_CAPACITY = 1024;

type OneShot = (algorithm: string, data: string, outputEncoding: 'buffer') => Buffer;
const oneShot = (nodeCrypto as unknown as { hash?: OneShot }).hash;

function keyDigest(voterKey: string): Buffer {
  return oneShot
    ? oneShot('sha256', voterKey, 'buffer')
    : nodeCrypto.createHash('sha256').update(voterKey, 'utf8').digest();
}

/** A set of (voterKey -> tx hash) pairs with Map-like get/set/delete; holds every vote, so never misses. */
export class VoterIndex implements VoterStore {
  #capacity: number;
  /** KEY_WORDS words per slot; a slot is used iff #used[slot] === 1. */
  #keys: Uint32Array;
  #values: Uint8Array;
  #used: Uint8Array;
  #size = 0;

  constructor(capacity = MIN_CAPACITY) {
    let c = MIN_CAPACITY;
    while (c < capacity) c *= 2;
    this.#capacity = c;
    this.#keys = new Uint32Array(c * KEY_WORDS);
    this.#values = new Uint8Array(c * VALUE_BYTES);
    this.#used = new Uint8Array(c);
  }

  /** Number of pairs held. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held by the table (its typed arrays). */
  get byteLength(): number {
    return this.#keys.byteLength + this.#values.byteLength + this.#used.byteLength;
  }

  /** Slot holding the digest in a table, or the empty slot where it would go. */
  static #find(d: Buffer, keys: Uint32Array, used: Uint8Array, capacity: number): number {
    const k0 = d.readUInt32LE(0);
    const k1 = d.readUInt32LE(4);
    const k2 = d.readUInt32LE(8);
    const k3 = d.readUInt32LE(12);
    const mask = capacity - 1;
    for (let slot = k0 & mask; ; slot = (slot + 1) & mask) {
      if (used[slot] === 0) return slot;
      const o = slot * KEY_WORDS;
      if (keys[o] === k0 && keys[o + 1] === k1 && keys[o + 2] === k2 && keys[o + 3] === k3) return slot;
    }
  }

  #slotOf(d: Buffer): number {
    return VoterIndex.#find(d, this.#keys, this.#used, this.#capacity);
  }

  /** The tx hash of a voterKey, if any. */
  get(voterKey: string): Hex | undefined {
    const slot = this.#slotOf(keyDigest(voterKey));
    if (this.#used[slot] === 0) return undefined;
    return bytesToHex(this.#values.subarray(slot * VALUE_BYTES, (slot + 1) * VALUE_BYTES));
  }

  /** Record (or replace) the tx hash of a voterKey. */
  set(voterKey: string, txHash: Hex): void {
    if (!isHex(txHash, VALUE_BYTES))
      throw new TypeError(`voter index: not a 32-byte lowercase 0x-hex tx hash: ${String(txHash).slice(0, 80)}`);
    if ((this.#size + 1) * 4 > this.#capacity * 3) this.#grow();
    const d = keyDigest(voterKey);
    const slot = this.#slotOf(d);
    if (this.#used[slot] === 0) {
      this.#used[slot] = 1;
      this.#size++;
      for (let w = 0; w < KEY_WORDS; w++) this.#keys[slot * KEY_WORDS + w] = d.readUInt32LE(w * 4);
    }
    Buffer.from(this.#values.buffer, this.#values.byteOffset + slot * VALUE_BYTES, VALUE_BYTES).write(
      txHash.slice(2),
      'hex',
    );
  }

  /** Remove a voterKey; returns whether it was there. */
  delete(voterKey: string): boolean {
    let slot = this.#slotOf(keyDigest(voterKey));
    if (this.#used[slot] === 0) return false;
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    const mask = this.#capacity - 1;
    this.#used[slot] = 0;
    this.#size--;
    for (let next = (slot + 1) & mask; this.#used[next] === 1; next = (next + 1) & mask) {
      const home = at(this.#keys, next * KEY_WORDS, 'key word') & mask;
      // Move `next` into the hole when its home does not lie cyclically in (slot, next].
      const inRange = slot <= next ? slot < home && home <= next : slot < home || home <= next;
      if (inRange) continue;
      this.#keys.copyWithin(slot * KEY_WORDS, next * KEY_WORDS, (next + 1) * KEY_WORDS);
      this.#values.copyWithin(slot * VALUE_BYTES, next * VALUE_BYTES, (next + 1) * VALUE_BYTES);
      this.#used[slot] = 1;
      this.#used[next] = 0;
      slot = next;
    }
    return true;
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const keys = new Uint32Array(capacity * KEY_WORDS);
    const values = new Uint8Array(capacity * VALUE_BYTES);
    const used = new Uint8Array(capacity);
    const digest = Buffer.alloc(KEY_BYTES);
    for (let slot = 0; slot < this.#capacity; slot++) {
      if (this.#used[slot] === 0) continue;
      for (let w = 0; w < KEY_WORDS; w++) digest.writeUInt32LE(at(this.#keys, slot * KEY_WORDS + w, 'key word'), w * 4);
      const to = VoterIndex.#find(digest, keys, used, capacity);
      used[to] = 1;
      keys.set(this.#keys.subarray(slot * KEY_WORDS, (slot + 1) * KEY_WORDS), to * KEY_WORDS);
      values.set(this.#values.subarray(slot * VALUE_BYTES, (slot + 1) * VALUE_BYTES), to * VALUE_BYTES);
    }
    this.#capacity = capacity;
    this.#keys = keys;
    this.#values = values;
    this.#used = used;
  }
}
