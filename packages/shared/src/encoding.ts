/**
 * Canonical encoding: RFC 8785 (JSON Canonicalization Scheme) so that an auditor can reproduce
 * every hash and every signed message in another language with an off-the-shelf JCS library.
 */
import canonicalizeJcs from 'canonicalize';

/** A 0x-prefixed lowercase hex string. */
export type Hex = `0x${string}`;

const HEX_RE = /^0x([0-9a-f]{2})*$/;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** RFC 8785 canonical JSON text of a value. Throws on values JSON cannot represent. */
export function canonicalize(value: unknown): string {
  const out = (canonicalizeJcs as unknown as (v: unknown) => string | undefined)(value);
  if (out === undefined) throw new TypeError('value cannot be canonicalized as JSON');
  return out;
}

/** UTF-8 bytes of the RFC 8785 canonical JSON text of a value. */
export function canonicalBytes(value: unknown): Uint8Array {
  return textEncoder.encode(canonicalize(value));
}

/** UTF-8 encode a string. */
export function utf8ToBytes(s: string): Uint8Array {
  return textEncoder.encode(s);
}

/** Strict UTF-8 decode; throws on invalid sequences. */
export function bytesToUtf8(b: Uint8Array): string {
  return textDecoder.decode(b);
}

/** Lowercase 0x-hex of bytes. */
export function bytesToHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** Bytes of a 0x-hex string (even length, lowercase or uppercase digits). */
export function hexToBytes(hex: string): Uint8Array {
  if (!isHex(hex.toLowerCase())) throw new TypeError(`not 0x-prefixed even-length hex: ${hex.slice(0, 20)}`);
  return new Uint8Array(Buffer.from(hex.slice(2), 'hex'));
}

/** True for 0x-prefixed, even-length, lowercase hex; optionally of an exact byte length. */
export function isHex(value: unknown, byteLength?: number): value is Hex {
  if (typeof value !== 'string' || !HEX_RE.test(value)) return false;
  return byteLength === undefined || value.length === 2 + 2 * byteLength;
}

/** Ethereum canonical quantity: "0x0", "0x1a", never "0x" or "0x01". */
export function toQuantity(n: number | bigint): string {
  if (typeof n === 'number' && (!Number.isSafeInteger(n) || n < 0)) throw new RangeError(`not a quantity: ${n}`);
  return `0x${n.toString(16)}`;
}

const QUANTITY_RE = /^0x(0|[1-9a-f][0-9a-f]*)$/;

/** Parse an Ethereum quantity; returns undefined when it is not in canonical form or unsafe. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q !== 'string' || !QUANTITY_RE.test(q)) return undefined;
  const n = Number.parseInt(q.slice(2), 16);
  return Number.isSafeInteger(n) ? n : undefined;
}
