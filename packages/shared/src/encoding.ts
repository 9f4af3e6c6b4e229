/**
 * Canonical encoding: RFC 8785 (JSON Canonicalization Scheme) so that an auditor can reproduce
 * every hash and every signed message in another language with an off-the-shelf JCS library.
 * Implemented here rather than through the `canonicalize` package, which emits invalid JSON for
 * function values ('{"a":undefined}') and accepts lone surrogates that RFC 8785 (I-JSON) forbids.
 */

/** A 0x-prefixed lowercase hex string. */
export type Hex = `0x${string}`;

// No capture group per byte pair: the even length is checked apart (isHex is on every stored key's path).
const HEX_RE = /^0x[0-9a-f]*$/;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

// In /u mode a well-formed surrogate pair is one code point, so this matches only lone surrogates.
const LONE_SURROGATE_RE = /\p{Cs}/u;

/** True when a string is well-formed UTF-16 (no lone surrogates), i.e. representable in I-JSON and UTF-8. */
export function isWellFormedString(s: string): boolean {
  return !LONE_SURROGATE_RE.test(s);
}

function jcsString(s: string): string {
  // RFC 8785 requires I-JSON input: a lone surrogate has no UTF-8 encoding, other languages cannot hash it.
  if (LONE_SURROGATE_RE.test(s))
    throw new TypeError('string with a lone surrogate cannot be canonicalized (RFC 8785 / I-JSON)');
  return JSON.stringify(s);
}

function jcs(value: unknown, path: string, stack: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return jcsString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} cannot be canonicalized as JSON`);
      // ECMAScript Number::toString, exactly the number serialization RFC 8785 mandates (-0 -> "0").
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return jcs(toJSON.call(value), path, stack);
      if (stack.has(value)) throw new TypeError(`${path}: cyclic structure cannot be canonicalized as JSON`);
      stack.add(value);
      let out: string;
      if (Array.isArray(value)) {
        const parts: string[] = [];
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw new TypeError(`${path}[${i}] is undefined, which JSON cannot represent`);
          parts.push(jcs(value[i], `${path}[${i}]`, stack));
        }
        out = `[${parts.join(',')}]`;
      } else {
        const rec = value as Record<string, unknown>;
        // Default sort compares UTF-16 code units: the RFC 8785 property order.
        const parts: string[] = [];
        for (const k of Object.keys(rec).sort()) {
          // Absent optional fields: undefined properties are omitted, as JSON.stringify does.
          if (rec[k] === undefined) continue;
          parts.push(`${jcsString(k)}:${jcs(rec[k], `${path}.${k}`, stack)}`);
        }
        out = `{${parts.join(',')}}`;
      }
      stack.delete(value);
      return out;
    }
    default:
      throw new TypeError(`${path}: a ${typeof value} cannot be canonicalized as JSON`);
  }
}

/**
 * RFC 8785 canonical JSON text of a value. Throws a TypeError on values JSON cannot represent
 * (non-finite numbers, bigint, functions, symbols, top-level or array-element undefined, cycles,
 * lone surrogates); object properties whose value is undefined are omitted.
 */
export function canonicalize(value: unknown): string {
  return jcs(value, '$', new Set());
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
  if (typeof hex !== 'string' || !isHex(hex.toLowerCase()))
    throw new TypeError(`not 0x-prefixed even-length hex: ${String(hex).slice(0, 20)}`);
  return new Uint8Array(Buffer.from(hex.slice(2), 'hex'));
}

/** True for 0x-prefixed, even-length, lowercase hex; optionally of an exact byte length. */
export function isHex(value: unknown, byteLength?: number): value is Hex {
  if (typeof value !== 'string' || value.length % 2 !== 0 || !HEX_RE.test(value)) return false;
  return byteLength === undefined || value.length === 2 + 2 * byteLength;
}

/** Ethereum canonical quantity: "0x0", "0x1a", never "0x" or "0x01". */
export function toQuantity(n: number | bigint): string {
  if (typeof n === 'number' ? !Number.isSafeInteger(n) || n < 0 : typeof n !== 'bigint' || n < 0n)
    throw new RangeError(`not a quantity: ${String(n)}`);
  return `0x${n.toString(16)}`;
}

const QUANTITY_RE = /^0x(0|[1-9a-f][0-9a-f]*)$/;

/** Parse an Ethereum quantity; returns undefined when it is not in canonical form or unsafe. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q !== 'string' || !QUANTITY_RE.test(q)) return undefined;
  const n = Number.parseInt(q.slice(2), 16);
  return Number.isSafeInteger(n) ? n : undefined;
}
