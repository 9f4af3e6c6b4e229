/** The state commitment (docs/PROTOCOL.md section 17): vectors, order independence, add/remove, block updates. */
import { describe, expect, it } from '@jest/globals';
import {
  LATTICE_BYTES,
  LtHash,
  ProtocolError,
  type StateEntry,
  StateCommitment,
  bytesToHex,
  bytesToUtf8,
  canonicalize,
  STATE_ENTRY_DOMAIN,
  emptyStateRoot,
  parseTransaction,
  sha256Hex,
  stateEntryBytes,
  txHash,
  voterKey,
} from '@poa-vote/shared';
import * as browserHash from '../../src/hash.browser.js';
import { shake256 } from '../../src/hash.js';

const t1 = parseTransaction({ from: 'voter-42', to: 'election-7', data: '{"candidate_id":"alice"}' }, 16_384);
const t2 = parseTransaction(
  { from: 'voter-43', to: 'election-7', data: '7b2263616e646964617465223a22626f62227d' },
  16_384,
);
const voterOf = (tx: typeof t1): StateEntry => ({ kind: 'voter', voterKey: voterKey(tx), txHash: txHash(tx) });
const entries = (n: number): StateEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'voter',
    voterKey: `election-1\u0000v${i}`,
    txHash: sha256Hex(new Uint8Array([i])),
  }));

describe('state commitment vectors (PROTOCOL.md 17.3)', () => {
  it('encodes entries as the domain and the JCS array', () => {
    expect(bytesToUtf8(stateEntryBytes(voterOf(t1)))).toBe(
      'poa-evote/state-entry/v1\n["voter","election-7\\u0000voter-42","0x423b3ee92d260d26194c9171d4c6f85b89229d419405f4e8b20033519912946a"]',
    );
    expect(bytesToUtf8(stateEntryBytes({ kind: 'tally', election: '7', candidate: 'alice', count: 1 }))).toBe(
      'poa-evote/state-entry/v1\n["tally","7","alice",1]',
    );
    expect(bytesToUtf8(stateEntryBytes({ kind: 'total', election: '7', count: 2 }))).toBe(
      'poa-evote/state-entry/v1\n["total","7",2]',
    );
  });

  it('encodes exactly as RFC 8785 for names with escapes and non-ASCII characters', () => {
    for (const candidate of ['é"\\\u0001😀', '__proto__', 'a\u2028b', '']) {
      const e: StateEntry = { kind: 'tally', election: '7', candidate, count: 12 };
      expect(bytesToUtf8(stateEntryBytes(e))).toBe(
        `${STATE_ENTRY_DOMAIN}${canonicalize(['tally', '7', candidate, 12])}`,
      );
    }
  });

  it('reproduces the published element hash and roots', () => {
    expect(emptyStateRoot()).toBe('0x60ab2674c33ab0366251439ab15f07c5389fcf035a602d96b3acba41432a8a0e');
    const eh = LtHash.elementHash(stateEntryBytes(voterOf(t1)));
    expect(eh.length).toBe(LATTICE_BYTES);
    expect(Buffer.from(eh.subarray(0, 16)).toString('hex')).toBe('642b6ee587d5f61fe6132711332ab3fd');
    expect(sha256Hex(eh)).toBe('0xa0b8bf102a7f43136b41c9a1a6ad64dbbaf6f33c1350e3efd59f072c8220946c');
    const one = new LtHash();
    one.addEntry(voterOf(t1));
    expect(one.root()).toBe('0xb689b984b569e113cf184c567fb96b2d4a9cf78f492e5bf333be4327452ddbf9');
    const c = new StateCommitment();
    c.apply([t1, t2], [txHash(t1), txHash(t2)]);
    const lattice = c.lattice.bytes();
    expect(Buffer.from(lattice.subarray(0, 16)).toString('hex')).toBe('70a0d1d6b1e45cfca94944ee7bcc01b6');
    expect(sha256Hex(lattice)).toBe('0x0317e5a3d51668d9c3ac9b38cef0b15fd06552625ed96887ebb079dad5d53e88');
    expect(c.root()).toBe('0xfc0db5e51007095ca4ddc8c5f69980efa632530f04a03b094edc33b8acd4f9be');
  });

  it('agrees with the browser build (@noble SHAKE256) and with the lattice spelled out', () => {
    const bytes = stateEntryBytes(voterOf(t2));
    expect(bytesToHex(browserHash.shake256(bytes, LATTICE_BYTES))).toBe(bytesToHex(shake256(bytes, LATTICE_BYTES)));
    // Lane-wise sum mod 2^16 of little-endian uint16, written out independently of LtHash.
    const a = shake256(stateEntryBytes(voterOf(t1)), LATTICE_BYTES);
    const b = shake256(bytes, LATTICE_BYTES);
    const sum = new Uint8Array(LATTICE_BYTES);
    for (let i = 0; i < LATTICE_BYTES; i += 2) {
      const v = ((a[i] ?? 0) + (b[i] ?? 0) + (((a[i + 1] ?? 0) + (b[i + 1] ?? 0)) << 8)) % 65536;
      sum[i] = v & 0xff;
      sum[i + 1] = v >> 8;
    }
    const l = new LtHash();
    l.addEntry(voterOf(t2));
    l.addEntry(voterOf(t1));
    expect(bytesToHex(l.bytes())).toBe(bytesToHex(sum));
  });
});

describe('LtHash', () => {
  it('does not depend on the order of the entries', () => {
    const es = entries(50);
    const a = new LtHash();
    for (const e of es) a.addEntry(e);
    const b = new LtHash();
    for (const e of [...es].reverse()) b.addEntry(e);
    expect(b.root()).toBe(a.root());
    // Two halves summed separately, then combined.
    const h1 = new LtHash();
    const h2 = new LtHash();
    for (const [i, e] of es.entries()) (i % 2 ? h1 : h2).addEntry(e);
    h1.combine(h2);
    expect(h1.root()).toBe(a.root());
  });

  it('removing an entry undoes adding it, and a changed entry changes the root', () => {
    const es = entries(10);
    const a = new LtHash();
    for (const e of es) a.addEntry(e);
    const before = a.root();
    const extra: StateEntry = { kind: 'tally', election: '1', candidate: 'x', count: 3 };
    a.addEntry(extra);
    expect(a.root()).not.toBe(before);
    a.removeEntry(extra);
    expect(a.root()).toBe(before);
    const b = new LtHash();
    for (const e of es.slice(1)) b.addEntry(e);
    b.addEntry({ ...(es[0] as StateEntry & { kind: 'voter' }), txHash: sha256Hex(new Uint8Array([99])) });
    expect(b.root()).not.toBe(before);
    expect(new LtHash().root()).toBe(emptyStateRoot());
  });

  it('round-trips through its bytes and refuses a lattice of the wrong size', () => {
    const a = new LtHash();
    for (const e of entries(5)) a.addEntry(e);
    expect(LtHash.fromHex(bytesToHex(a.bytes())).root()).toBe(a.root());
    expect(() => new LtHash(new Uint8Array(10))).toThrow(ProtocolError);
    expect(() => LtHash.fromHex('0x1234')).toThrow(ProtocolError);
  });

  it('adds an element from its hash computed beforehand exactly as from its bytes', () => {
    const a = new LtHash();
    const b = new LtHash();
    for (const e of entries(7)) {
      a.addEntry(e);
      b.addElementHash(LtHash.elementHash(stateEntryBytes(e)));
    }
    expect(b.root()).toBe(a.root());
    expect(() => b.addElementHash(new Uint8Array(LATTICE_BYTES - 2))).toThrow(ProtocolError);
  });

  it('adds and removes two lanes per word exactly as lane by lane, carries and borrows included', () => {
    // Lanes chosen to carry and borrow at every lane's top bit: 0xffff, 0x8000, 0x7fff, 0, 1, random.
    const special = [0xffff, 0x8000, 0x7fff, 0x0000, 0x0001, 0xfffe];
    let seed = 7;
    const lanes = (k: number): number[] =>
      Array.from({ length: LATTICE_BYTES / 2 }, (_, i) => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return i % 3 === 0 ? (special[(i + k) % special.length] ?? 0) : seed >>> 16;
      });
    const toBytes = (ls: number[]): Uint8Array => {
      const out = new Uint8Array(LATTICE_BYTES);
      ls.forEach((v, i) => {
        out[2 * i] = v & 0xff;
        out[2 * i + 1] = v >> 8;
      });
      return out;
    };
    const a = lanes(0);
    const b = lanes(1);
    const c = lanes(2);
    // Reference: each lane mod 2^16, spelled out.
    const expected = a.map((v, i) => (v + (b[i] ?? 0) - (c[i] ?? 0) + 65536) % 65536);
    // The element hashes as 4-byte aligned views (the word-wise path) and at an odd offset of 2
    // bytes (the lane-wise fallback), which must agree with each other and with the reference.
    const aligned = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);
    const offset = (bytes: Uint8Array): Uint8Array => {
      const buf = new Uint8Array(LATTICE_BYTES + 2);
      buf.set(bytes, 2);
      return buf.subarray(2);
    };
    for (const view of [aligned, offset]) {
      const l = new LtHash(toBytes(a));
      l.addElementHash(view(toBytes(b)));
      l.removeElementHash(view(toBytes(c)));
      expect(bytesToHex(l.bytes())).toBe(bytesToHex(toBytes(expected)));
    }
  });
});

describe('StateCommitment', () => {
  it('equals the lattice of the final entries however the votes were split into blocks', () => {
    const txs = Array.from({ length: 30 }, (_, i) =>
      parseTransaction({ from: `v${i}`, to: `election-${i % 3}`, data: `{"candidate_id":"c${i % 4}"}` }, 16_384),
    );
    const whole = new StateCommitment();
    whole.apply(txs, txs.map(txHash));
    const split = new StateCommitment();
    for (let i = 0; i < txs.length; i += 7) split.apply(txs.slice(i, i + 7), txs.slice(i, i + 7).map(txHash));
    expect(split.root()).toBe(whole.root());
    // The same state, entry by entry, as a snapshot receiver computes it.
    const direct = new LtHash();
    for (const tx of txs) direct.addEntry(voterOf(tx));
    for (const e of ['0', '1', '2']) {
      for (const [candidate, count] of whole.counts(e) ?? new Map<string, number>())
        direct.addEntry({ kind: 'tally', election: e, candidate, count });
      direct.addEntry({ kind: 'total', election: e, count: whole.total(e) });
    }
    expect(direct.root()).toBe(whole.root());
    // A clone advances independently.
    const c = whole.clone();
    c.apply([t1], [txHash(t1)]);
    expect(c.root()).not.toBe(whole.root());
    expect(whole.total('7')).toBe(0);
  });
});

describe('election registry entries (PROTOCOL.md 17.1, 17.3)', () => {
  const e7 = (ballots: number): StateEntry => ({
    kind: 'election',
    election: '7',
    record: { electionId: '7', ballots },
  });
  const voted8: StateEntry = { kind: 'voted', election: '8' };

  it('encodes a record through JCS and reproduces the published element hashes and root', () => {
    expect(bytesToUtf8(stateEntryBytes(e7(2)))).toBe(
      `${STATE_ENTRY_DOMAIN}["election","7",{"ballots":2,"electionId":"7"}]`,
    );
    expect(bytesToUtf8(stateEntryBytes(voted8))).toBe(`${STATE_ENTRY_DOMAIN}["voted","8"]`);
    expect(bytesToHex(LtHash.elementHash(stateEntryBytes(e7(2))).subarray(0, 16))).toBe(
      '0x4db20d791fe04eb5b61696f489a2c251',
    );
    expect(bytesToHex(LtHash.elementHash(stateEntryBytes(voted8)).subarray(0, 16))).toBe(
      '0x8f3b18196c5bcf09f0b771aa3aaabab6',
    );
    const both = new LtHash();
    both.addEntry(e7(2));
    both.addEntry(voted8);
    expect(both.root()).toBe('0x41c2b8a56d3d7033e77b0339046b22b1f085c4037b916e8c378f2d36e024281f');
  });

  it('replaces a record by its key: the state holds only the latest, whatever came before', () => {
    const c = new StateCommitment();
    c.replace([e7(2), voted8]);
    c.replace([e7(3)]);
    const direct = new LtHash();
    direct.addEntry(e7(3));
    direct.addEntry(voted8);
    expect(c.root()).toBe(direct.root());
    expect(c.keyedEntries()).toEqual([e7(3), voted8]);
    // Without the replacement (both records added), the root differs: the old one was taken out.
    const stale = direct.clone();
    stale.addEntry(e7(2));
    expect(stale.root()).not.toBe(c.root());
    // A commitment loaded from its lattice and its records replaces as the one that built them.
    const loaded = new StateCommitment(new LtHash(c.lattice.bytes()), new Map(), new Map(), c.keyedEntries());
    const clone = c.clone();
    loaded.replace([e7(9)]);
    clone.replace([e7(9)]);
    expect(loaded.root()).toBe(clone.root());
    expect(c.root()).toBe(direct.root());
  });
});
