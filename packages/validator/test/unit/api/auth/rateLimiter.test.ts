import { describe, it, expect } from '@jest/globals';
import { RateLimiter, addressKey } from '../../../../src/api/auth/index.js';

describe('RateLimiter', () => {
  it('allows the burst at once, then the rate, and says how long to wait', () => {
    let now = 0;
    const l = new RateLimiter({ rate: 10, burst: 5 }, { now: () => now });
    for (let i = 0; i < 5; i++) expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBe(100);
    expect(l.take('b')).toBe(0); // buckets are per key
    now += 250; // 2.5 votes refilled
    expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBe(50);
    now += 10_000;
    for (let i = 0; i < 5; i++) expect(l.take('a')).toBe(0); // never more than the burst
    expect(l.take('a')).toBeGreaterThan(0);
  });

  it('rate 0 is unlimited', () => {
    const l = new RateLimiter({ rate: 0, burst: 0 });
    for (let i = 0; i < 10_000; i++) expect(l.take('x')).toBe(0);
    expect(l.size).toBe(0);
  });

  it('keeps a bounded number of buckets, dropping idle ones first', () => {
    let now = 0;
    const l = new RateLimiter({ rate: 1, burst: 2 }, { now: () => now, maxBuckets: 10 });
    l.take('busy');
    l.take('busy');
    for (let i = 0; i < 100; i++) {
      l.take(`ip-${i}`);
      if (i % 5 === 0) l.take('busy'); // a throttled client that keeps sending keeps its bucket
    }
    expect(l.size).toBeLessThanOrEqual(10);
    now += 1;
    expect(l.take('busy')).toBeGreaterThan(0);
  });

  it('refuses a nonsensical configuration', () => {
    expect(() => new RateLimiter({ rate: -1, burst: 1 })).toThrow(/rate/);
    expect(() => new RateLimiter({ rate: 5, burst: 0 })).toThrow(/burst/);
  });
});

describe('addressKey', () => {
  it('unwraps IPv4-mapped addresses and groups IPv6 by /64', () => {
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});
