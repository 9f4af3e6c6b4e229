/**
 * Fiat-Shamir transcripts. Every hash input is a sequence of length-prefixed items,
 * lp(x) = u32be(len(x)) || x, starting with an ASCII domain tag that names the protocol, its
 * version and the statement; so no two different inputs of any proof serialize to the same bytes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { CHALLENGE_BYTES, pointBytes, type Point } from './group.js';

const utf8 = new TextEncoder();

/** Domain tags; the trailing /v1 is the version of the statement's encoding. */
export const TAGS = {
  setup: 'poa-evoting/v1/setup',
  candidates: 'poa-evoting/v1/candidates',
  election: 'poa-evoting/v1/election',
  range: 'poa-evoting/v1/range-proof',
  selectionContext: 'poa-evoting/v1/ballot-selection',
  limitContext: 'poa-evoting/v1/ballot-limit',
  schnorr: 'poa-evoting/v1/schnorr',
  dleq: 'poa-evoting/v1/chaum-pedersen',
  trusteeKey: 'poa-evoting/v1/dkg-trustee-key',
  coefficient: 'poa-evoting/v1/dkg-coefficient',
  shareKey: 'poa-evoting/v1/dkg-share-key',
  shareAad: 'poa-evoting/v1/dkg-share',
  complaint: 'poa-evoting/v1/dkg-complaint',
  dealing: 'poa-evoting/v1/dkg-dealing',
  aggregate: 'poa-evoting/v1/aggregate',
  partial: 'poa-evoting/v1/partial-decryption',
} as const;

/** An append-only list of length-prefixed items. */
export class Transcript {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  constructor(tag: string) {
    this.bytes(utf8.encode(tag));
  }

  /** Append lp(bytes). */
  bytes(b: Uint8Array): this {
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, b.length);
    this.parts.push(prefix, b);
    this.length += 4 + b.length;
    return this;
  }

  /** Append lp(UTF-8 of a string). */
  text(s: string): this {
    return this.bytes(utf8.encode(s));
  }

  /** Append lp(u64be(n)) for a natural number. */
  uint(n: number | bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n));
    return this.bytes(b);
  }

  /** Append lp(canonical 32-byte encoding of a point). */
  point(p: Point): this {
    return this.bytes(pointBytes(p));
  }

  /** Append lp of several points, in order. */
  points(ps: readonly Point[]): this {
    for (const p of ps) this.point(p);
    return this;
  }

  /** The concatenated bytes. */
  encode(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** SHA-256 of the transcript. */
  hash(): Uint8Array {
    return sha256(this.encode());
  }

  /** The challenge: the first 16 bytes of SHA-256 of the transcript, read little-endian. */
  challenge(): bigint {
    return bytesToNumberLE(this.hash().subarray(0, CHALLENGE_BYTES));
  }
}
