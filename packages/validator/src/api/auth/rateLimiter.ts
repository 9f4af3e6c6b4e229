/**
 * Token buckets for the write rate: one per credential, one per client address. A bucket holds
 * at most `burst` votes and refills at `rate` votes per second; a vote takes one, so a batch of
 * 100 votes costs 100, the same as 100 single requests. Buckets are created on first use and a
 * bounded number is kept: full buckets (idle clients) go first, then the least recently used.
 */

/** A rate and the burst allowed on top of it; rate 0 means unlimited. */
export interface RateLimit {
  /** Votes per second. */
  rate: number;
  /** Most votes taken at once (the bucket's capacity). */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets keyed by client (credential name or address). */
export class RateLimiter {
  readonly limit: RateLimit;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxBuckets: number;
  readonly #now: () => number;

  constructor(limit: RateLimit, opts: { maxBuckets?: number; now?: () => number } = {}) {
    if (!(Number.isFinite(limit.rate) && limit.rate >= 0))
      throw new RangeError(`rate must be a non-negative number, got ${limit.rate}`);
    if (limit.rate > 0 && !(Number.isFinite(limit.burst) && limit.burst >= 1))
      throw new RangeError(`burst must be at least 1, got ${limit.burst}`);
    this.limit = limit;
    this.#maxBuckets = opts.maxBuckets ?? 50_000;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Whether this limiter limits anything. */
  get unlimited(): boolean {
    return this.limit.rate === 0;
  }

  /** Take one vote from `key`'s bucket: 0 when taken, else the ms until one is available. */
  take(key: string): number {
    if (this.limit.rate === 0) return 0;
    const now = this.#now();
    const { rate, burst } = this.limit;
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= this.#maxBuckets) this.#evict(now);
      b = { tokens: burst, at: now };
      this.#buckets.set(key, b);
    } else {
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) * rate) / 1000);
      b.at = now;
      // Re-inserted: the map's order is least recently used first, which eviction relies on.
      this.#buckets.delete(key);
      this.#buckets.set(key, b);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - b.tokens) * 1000) / rate));
  }

  /** Number of buckets held. */
  get size(): number {
    return this.#buckets.size;
  }

  #evict(now: number): void {
    const { rate, burst } = this.limit;
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) * rate) / 1000 >= burst) this.#buckets.delete(key);
    }
    // Still full: drop the least recently used tenth, so eviction is not paid on every call. A
    // client being throttled keeps its bucket as long as it keeps sending.
    if (this.#buckets.size >= this.#maxBuckets) {
      let n = Math.max(1, Math.floor(this.#maxBuckets / 10));
      for (const key of this.#buckets.keys()) {
        if (n-- <= 0) break;
        this.#buckets.delete(key);
      }
    }
  }
}

/**
 * The rate-limit key of a client address: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 by its
 * /64 prefix, since one host commonly holds a whole /64.
 */
export function addressKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return mapped;
  if (!address.includes(':')) return address;
  const zone = address.indexOf('%');
  const parts = expandIpv6(zone < 0 ? address : address.slice(0, zone));
  return parts ? `${parts.slice(0, 4).join(':')}::/64` : address;
}

function expandIpv6(a: string): string[] | undefined {
  const halves = a.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if (right.some((p) => p.includes('.')) || left.some((p) => p.includes('.'))) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((p) =>
    p === '' ? '0' : p.toLowerCase().replace(/^0+(?=.)/, ''),
  );
}
