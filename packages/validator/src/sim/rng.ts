/**
 * Seeded pseudo-random numbers for the simulator: xoshiro128** seeded through splitmix32.
 * Everything random in a simulation comes from here, so a seed replays a run exactly.
 */
import { at, type Hex } from '@poa-vote/shared';

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a of a label, to derive independent child streams by name. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** A generator for a seed (any safe integer; the low 53 bits are mixed in). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`rng seed must be a safe integer, got ${String(seed)}`);
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    const sm = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x9e3779b1));
    this.#a = sm();
    this.#b = sm();
    this.#c = sm();
    this.#d = sm() | 1; // the all-zero state is a fixed point
  }

  /** Next uniform 32-bit unsigned integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.#b << 9) >>> 0;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    this.#a >>>= 0;
    this.#b >>>= 0;
    this.#c >>>= 0;
    return result;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 2 ** 32;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo)
      throw new RangeError(`rng.int needs integers lo <= hi, got ${lo}, ${hi}`);
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('rng.pick from an empty array');
    return at(items, Math.floor(this.float() * items.length), 'picked item');
  }

  /** An element chosen with the given relative weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.float() * total;
    for (const [item, w] of items) {
      if (x < w) return item;
      x -= w;
    }
    return at(items, -1, 'weighted item')[0];
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const a = at(out, i, 'shuffled item');
      out[i] = at(out, j, 'shuffled item');
      out[j] = a;
    }
    return out;
  }

  /** 32 random bytes as 0x-hex (e.g. an Ed25519 seed). */
  bytes32(): Hex {
    let s = '0x';
    for (let i = 0; i < 8; i++) s += this.u32().toString(16).padStart(8, '0');
    return s as Hex;
  }

  /** An independent stream derived from this one's next output and a label. */
  fork(label: string): Rng {
    return new Rng((this.u32() ^ hashLabel(label)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
