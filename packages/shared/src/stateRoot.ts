/**
 * The state commitment (docs/PROTOCOL.md, "State commitment"): an LtHash (Bellare–Micciancio
 * 1997; Lewi et al. 2019, as Solana's accounts lattice hash) of the finalized state's entries.
 * Each entry is hashed to 1,024 16-bit lanes with SHAKE256; the lattice is the lane-wise sum of
 * the entries' hashes mod 2^16, so it does not depend on the order of the entries, is updated in
 * O(1) per changed entry (remove the old, add the new), and a node receiving a streamed snapshot
 * recomputes it entry by entry in constant memory. The root a block header carries is a
 * domain-separated sha256 of the 2,048 lattice bytes.
 */
import { type Hex, canonicalize, hexToBytes, isHex, isWellFormedString, utf8ToBytes } from './encoding.js';
import { sha256Hex, shake256 } from './hash.js';
import { type Transaction, electionIdOf, txCandidate, voterKey } from './transaction.js';
import { countCandidate } from './tally.js';
import { ProtocolError, ProtocolErrorCode } from './errors.js';

/** Lanes of the lattice (16 bits each). */
export const LATTICE_LANES = 1024;
/** Bytes of the lattice and of an entry's hash: 1,024 little-endian uint16. */
export const LATTICE_BYTES = 2 * LATTICE_LANES;
/** Prefix of every entry's bytes before it is hashed. */
export const STATE_ENTRY_DOMAIN = 'poa-evote/state-entry/v1\n';
/** Prefix of the lattice bytes hashed into the root. */
export const STATE_ROOT_DOMAIN = 'poa-evote/state-root/v1\n';

/** One entry of the finalized state. */
export type StateEntry =
  /** The one finalized vote of a (voter, election) pair: voterKey -> tx hash. */
  | { kind: 'voter'; voterKey: string; txHash: Hex }
  /** A tally bucket of an election with at least one ballot. */
  | { kind: 'tally'; election: string; candidate: string; count: number }
  /** An election's number of finalized votes (at least one). */
  | { kind: 'total'; election: string; count: number }
  /**
   * A configured election's record in the election registry (ElectionRegistry.stateEntries: the
   * record's JSON form, as in the registry's snapshot), on chains with an election operator.
   */
  | { kind: 'election'; election: string; record: Record<string, unknown> }
  /** An unconfigured election that has a vote on chain (it can no longer be configured). */
  | { kind: 'voted'; election: string };

/**
 * The key an entry is replaced under: a voter's, an election's record or its "voted" mark. Only
 * the election kinds are replaced by key (StateCommitment.replace); the others by value.
 */
export function stateEntryKey(e: StateEntry): string {
  switch (e.kind) {
    case 'voter':
      return `voter:${e.voterKey}`;
    case 'tally':
      return `tally:${e.election}\u0000${e.candidate}`;
    case 'total':
      return `total:${e.election}`;
    case 'election':
      return `election:${e.election}`;
    case 'voted':
      return `voted:${e.election}`;
  }
}

/** The bytes an entry is hashed from: the domain, then the RFC 8785 JSON array of its fields. */
export function stateEntryBytes(e: StateEntry): Uint8Array {
  let fields: unknown[];
  switch (e.kind) {
    case 'voter':
      fields = ['voter', e.voterKey, e.txHash];
      break;
    case 'tally':
      fields = ['tally', e.election, e.candidate, e.count];
      break;
    case 'total':
      fields = ['total', e.election, e.count];
      break;
    case 'election':
      // The record is an object: always through the canonical encoder.
      return utf8ToBytes(STATE_ENTRY_DOMAIN + canonicalize(['election', e.election, e.record]));
    case 'voted':
      fields = ['voted', e.election];
      break;
    default: {
      const unknown: never = e;
      throw new ProtocolError(
        ProtocolErrorCode.STATE_INVALID,
        `unknown state entry kind ${JSON.stringify((unknown as { kind?: unknown }).kind)}`,
      );
    }
  }
  // Fast path, byte-identical to canonicalize() (RFC 8785 serializes strings as JSON.stringify
  // does, and safe integers as their decimal digits): only well-formed strings and safe integers.
  const plain = fields.every((f) =>
    typeof f === 'string' ? isWellFormedString(f) : typeof f === 'number' && Number.isSafeInteger(f),
  );
  return utf8ToBytes(STATE_ENTRY_DOMAIN + (plain ? JSON.stringify(fields) : canonicalize(fields)));
}

/** Whether this host stores a Uint16Array's lanes little-endian, as the lattice bytes are. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** The lattice as 32-bit words: two lanes each (little-endian hosts). */
const LATTICE_WORDS = LATTICE_BYTES / 4;
/** The top bit of each 16-bit lane of a word, and the other bits. */
const LANE_HIGH = 0x80008000;
const LANE_LOW = 0x7fff7fff;

/** An order-independent, incremental multiset hash over 1,024 lanes of uint16. */
export class LtHash {
  readonly #lanes: Uint16Array;
  /** The same memory as 32-bit words, two lanes each (used on little-endian hosts). */
  readonly #words: Uint32Array;

  /** The empty multiset, or a lattice from its 2,048 bytes. */
  constructor(bytes?: Uint8Array) {
    this.#lanes = new Uint16Array(LATTICE_LANES);
    this.#words = new Uint32Array(this.#lanes.buffer);
    if (bytes === undefined) return;
    if (bytes.length !== LATTICE_BYTES)
      throw new ProtocolError(
        ProtocolErrorCode.STATE_INVALID,
        `a state lattice is ${LATTICE_BYTES} bytes, got ${bytes.length}`,
      );
    for (let i = 0; i < LATTICE_LANES; i++) this.#lanes[i] = (bytes[2 * i] ?? 0) | ((bytes[2 * i + 1] ?? 0) << 8);
  }

  /** A lattice from 0x-hex (as stored). */
  static fromHex(hex: string): LtHash {
    if (!isHex(hex, LATTICE_BYTES))
      throw new ProtocolError(ProtocolErrorCode.STATE_INVALID, `a state lattice is ${LATTICE_BYTES} bytes of 0x-hex`);
    return new LtHash(hexToBytes(hex));
  }

  /** The lane values of an element: SHAKE256 of its bytes, 2,048 bytes read as little-endian uint16. */
  static elementHash(element: Uint8Array): Uint8Array {
    return shake256(element, LATTICE_BYTES);
  }

  #mix(h: Uint8Array, sign: 1 | -1): void {
    if (LITTLE_ENDIAN && h.byteOffset % 4 === 0) {
      // Two lanes per 32-bit word, each added (or subtracted) mod 2^16 without a carry (or borrow)
      // into its neighbour: the top bit of every lane is set aside and put back by xor (SWAR).
      const w = this.#words;
      const x = new Uint32Array(h.buffer, h.byteOffset, LATTICE_WORDS);
      if (sign === 1)
        for (let i = 0; i < LATTICE_WORDS; i++) {
          const a = w[i] ?? 0;
          const b = x[i] ?? 0;
          w[i] = ((a & LANE_LOW) + (b & LANE_LOW)) ^ ((a ^ b) & LANE_HIGH);
        }
      else
        for (let i = 0; i < LATTICE_WORDS; i++) {
          const a = w[i] ?? 0;
          const b = x[i] ?? 0;
          w[i] = ((a | LANE_HIGH) - (b & LANE_LOW)) ^ ((a ^ ~b) & LANE_HIGH);
        }
      return;
    }
    const l = this.#lanes;
    // Uint16Array stores reduce mod 2^16.
    if (sign === 1)
      for (let i = 0; i < LATTICE_LANES; i++) l[i] = (l[i] ?? 0) + ((h[2 * i] ?? 0) | ((h[2 * i + 1] ?? 0) << 8));
    else for (let i = 0; i < LATTICE_LANES; i++) l[i] = (l[i] ?? 0) - ((h[2 * i] ?? 0) | ((h[2 * i + 1] ?? 0) << 8));
  }

  /** Add an element (its bytes) to the multiset. */
  add(element: Uint8Array): void {
    this.#mix(LtHash.elementHash(element), 1);
  }

  /** Remove an element (its bytes) from the multiset. */
  remove(element: Uint8Array): void {
    this.#mix(LtHash.elementHash(element), -1);
  }

  /** Add an element given its hash (`LtHash.elementHash` of its bytes, computed beforehand). */
  addElementHash(h: Uint8Array): void {
    if (h.length !== LATTICE_BYTES)
      throw new ProtocolError(
        ProtocolErrorCode.STATE_INVALID,
        `an element hash is ${LATTICE_BYTES} bytes, got ${h.length}`,
      );
    this.#mix(h, 1);
  }

  /** Remove an element given its hash. */
  removeElementHash(h: Uint8Array): void {
    if (h.length !== LATTICE_BYTES)
      throw new ProtocolError(
        ProtocolErrorCode.STATE_INVALID,
        `an element hash is ${LATTICE_BYTES} bytes, got ${h.length}`,
      );
    this.#mix(h, -1);
  }

  addEntry(e: StateEntry): void {
    this.add(stateEntryBytes(e));
  }

  removeEntry(e: StateEntry): void {
    this.remove(stateEntryBytes(e));
  }

  /** Add another lattice (the union of two multisets). */
  combine(other: LtHash): void {
    this.#mix(other.bytes(), 1);
  }

  clone(): LtHash {
    return new LtHash(this.bytes());
  }

  /** The 2,048 lattice bytes, lanes little-endian. */
  bytes(): Uint8Array {
    const out = new Uint8Array(LATTICE_BYTES);
    for (let i = 0; i < LATTICE_LANES; i++) {
      const v = this.#lanes[i] ?? 0;
      out[2 * i] = v & 0xff;
      out[2 * i + 1] = v >> 8;
    }
    return out;
  }

  /** The root a header carries: sha256(STATE_ROOT_DOMAIN || lattice bytes). */
  root(): Hex {
    const d = utf8ToBytes(STATE_ROOT_DOMAIN);
    const buf = new Uint8Array(d.length + LATTICE_BYTES);
    buf.set(d, 0);
    buf.set(this.bytes(), d.length);
    return sha256Hex(buf);
  }
}

/** The state entry of a finalized vote: its (voter, election) pair and its hash. */
export function voterEntry(tx: Transaction, hash: Hex): StateEntry {
  return { kind: 'voter', voterKey: voterKey(tx), txHash: hash };
}

/**
 * The lattice of a block's voter entries (one per transaction), added `from` index on into
 * `into`: what `StateCommitment.apply` adds for them. In steps, so that a caller can spread the
 * work; returns the index reached.
 */
export function addVoterEntries(
  into: LtHash,
  txs: readonly Transaction[],
  hashes: readonly Hex[],
  from = 0,
  to = txs.length,
): number {
  const end = Math.min(to, txs.length);
  for (let i = from; i < end; i++) {
    const tx = txs[i];
    const hash = hashes[i];
    if (tx !== undefined && hash !== undefined) into.addEntry(voterEntry(tx, hash));
  }
  return end;
}

/** The stateRoot of the empty state (the header of block 1 carries it). */
export function emptyStateRoot(): Hex {
  return new LtHash().root();
}

/**
 * The commitment of a chain's finalized state, advanced block by block: the lattice, and the
 * tallies it needs to know the old value of a counter it replaces (one map per election, at
 * most MAX_CANDIDATES_PER_ELECTION + 2 buckets each: memory grows with elections, not votes),
 * and the election registry's entries with their element hashes (replaced by key: memory grows
 * with elections).
 */
export class StateCommitment {
  readonly lattice: LtHash;
  readonly #counts: Map<string, Map<string, number>>;
  readonly #totals: Map<string, number>;
  /** The registry's entries in the lattice, by stateEntryKey, with their element hashes. */
  readonly #keyed: Map<string, { entry: StateEntry; hash: Uint8Array }>;

  /** `keyed`: the registry entries `lattice` already holds (hashed again here, not added). */
  constructor(
    lattice = new LtHash(),
    counts: Map<string, Map<string, number>> = new Map(),
    totals: Map<string, number> = new Map(),
    keyed: Iterable<StateEntry> = [],
  ) {
    this.lattice = lattice;
    this.#counts = counts;
    this.#totals = totals;
    this.#keyed = new Map();
    for (const entry of keyed)
      this.#keyed.set(stateEntryKey(entry), { entry, hash: LtHash.elementHash(stateEntryBytes(entry)) });
  }

  /** An independent copy. */
  clone(): StateCommitment {
    const counts = new Map<string, Map<string, number>>();
    for (const [e, c] of this.#counts) counts.set(e, new Map(c));
    const copy = new StateCommitment(this.lattice.clone(), counts, new Map(this.#totals));
    for (const [k, v] of this.#keyed) copy.#keyed.set(k, v);
    return copy;
  }

  /** The root of the state as committed so far. */
  root(): Hex {
    return this.lattice.root();
  }

  /**
   * Put election registry entries (ElectionRegistry.takeStateChanges) in the state, each in place
   * of the entry of the same key, if any: O(1) per entry whatever the size of the state.
   */
  replace(entries: readonly StateEntry[]): void {
    for (const entry of entries) {
      const key = stateEntryKey(entry);
      const hash = LtHash.elementHash(stateEntryBytes(entry));
      const old = this.#keyed.get(key);
      if (old !== undefined) this.lattice.removeElementHash(old.hash);
      this.lattice.addElementHash(hash);
      this.#keyed.set(key, { entry, hash });
    }
  }

  /** The registry entries in the state (election records and "voted" marks). */
  keyedEntries(): StateEntry[] {
    return [...this.#keyed.values()].map((v) => v.entry);
  }

  /** Counts of an election (read only). */
  counts(election: string): ReadonlyMap<string, number> | undefined {
    return this.#counts.get(election);
  }

  total(election: string): number {
    return this.#totals.get(election) ?? 0;
  }

  /**
   * Advance by one finalized block's transactions (chain order), given their hashes. `voters`,
   * when given, is the lattice `addVoterEntries` builds from them, computed beforehand (the block's voter entries are
   * a function of the block alone, so a node can hash them while the block is still being voted
   * on); the result is the same either way.
   */
  apply(txs: readonly Transaction[], hashes: readonly Hex[], voters?: LtHash): void {
    if (voters) this.lattice.combine(voters);
    // Counters as they were before the block, for those the block touches.
    const before = new Map<string, Map<string, number>>();
    const totalsBefore = new Map<string, number>();
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i];
      const hash = hashes[i];
      if (tx === undefined || hash === undefined) continue;
      if (!voters) this.lattice.addEntry(voterEntry(tx, hash));
      const e = electionIdOf(tx.to);
      if (e === undefined) continue;
      let c = this.#counts.get(e);
      if (!c) {
        c = new Map();
        this.#counts.set(e, c);
      }
      let b = before.get(e);
      if (!b) {
        b = new Map(c);
        before.set(e, b);
        totalsBefore.set(e, this.#totals.get(e) ?? 0);
      }
      countCandidate(c, txCandidate(tx));
      this.#totals.set(e, (this.#totals.get(e) ?? 0) + 1);
    }
    for (const [e, b] of before) {
      const c = this.#counts.get(e) ?? new Map<string, number>();
      for (const [candidate, n] of c) {
        const old = b.get(candidate) ?? 0;
        if (old === n) continue;
        if (old > 0) this.lattice.removeEntry({ kind: 'tally', election: e, candidate, count: old });
        this.lattice.addEntry({ kind: 'tally', election: e, candidate, count: n });
      }
      const old = totalsBefore.get(e) ?? 0;
      if (old > 0) this.lattice.removeEntry({ kind: 'total', election: e, count: old });
      this.lattice.addEntry({ kind: 'total', election: e, count: this.#totals.get(e) ?? 0 });
    }
  }
}
