import { describe, it, expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  DEFAULT_LIMITS,
  DEFAULT_SLOT_DURATION_MS,
  ProtocolErrorCode,
  canonicalize,
  generateKeyPair,
  genesisHash,
  leaderOf,
  parseGenesis,
  quorumSize,
  slotAt,
  slotStart,
} from '@poa-vote/shared';
import { expectProtocolError } from './fixtures.js';

const keys = Array.from({ length: 3 }, () => generateKeyPair().publicKey);

function doc(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    chainId: 1337,
    genesisTime: 1_700_000_000_000,
    authorities: keys.map((publicKey, i) => ({ id: `validator-${i + 1}`, publicKey, name: `Validator ${i + 1}` })),
    ...over,
  };
}

function invalid(over: Record<string, unknown>, field: RegExp | string): void {
  expectProtocolError(() => parseGenesis(doc(over)), ProtocolErrorCode.GENESIS_INVALID, field);
}

describe('parseGenesis', () => {
  it('accepts a minimal document and fills the defaults', () => {
    const g = parseGenesis({ chainId: 5, genesisTime: 0, authorities: [{ id: 'a', publicKey: keys[0] }] });
    expect(g).toEqual({
      chainId: 5,
      genesisTime: 0,
      slotDurationMs: DEFAULT_SLOT_DURATION_MS,
      authorities: [{ id: 'a', publicKey: keys[0], name: 'a' }],
      quorum: 'majority',
      limits: DEFAULT_LIMITS,
    });
    expect(DEFAULT_SLOT_DURATION_MS).toBe(1000);
  });

  it('keeps explicit values and drops unknown fields', () => {
    const g = parseGenesis(
      doc({ slotDurationMs: 250, quorum: 'bft', limits: { maxTxPerBlock: 10 }, extra: 'ignored' }),
    );
    expect(g.slotDurationMs).toBe(250);
    expect(g.quorum).toBe('bft');
    expect(g.limits).toEqual({ ...DEFAULT_LIMITS, maxTxPerBlock: 10 });
    expect(g.authorities[1]!.name).toBe('Validator 2');
    expect('extra' in g).toBe(false);
  });

  it('rejects a document that is not an object', () => {
    for (const bad of [null, 1, 'genesis', [doc()]])
      expectProtocolError(() => parseGenesis(bad), ProtocolErrorCode.GENESIS_INVALID, /must be a JSON object/);
  });

  it('names a bad chainId', () => {
    for (const chainId of [undefined, 0, -1, 1.5, '1', 2 ** 32 + 1])
      invalid({ chainId }, /^invalid genesis: chainId must be a positive integer/);
    expect(parseGenesis(doc({ chainId: 2 ** 32 })).chainId).toBe(2 ** 32);
  });

  it('names a bad genesisTime', () => {
    for (const genesisTime of [undefined, -1, 1.5, '0'])
      invalid({ genesisTime }, /genesisTime must be a non-negative integer/);
  });

  it('names a bad slotDurationMs', () => {
    invalid({ slotDurationMs: 49 }, /slotDurationMs must be at least 50, got 49/);
    invalid({ slotDurationMs: 0 }, /slotDurationMs must be a positive integer/);
    invalid({ slotDurationMs: 3_600_001 }, /slotDurationMs must be a positive integer <= 3600000/);
    expect(parseGenesis(doc({ slotDurationMs: 50 })).slotDurationMs).toBe(50);
  });

  it('names bad authorities', () => {
    invalid({ authorities: [] }, /authorities must be a non-empty array/);
    invalid({ authorities: 'a' }, /authorities must be a non-empty array/);
    const many = Array.from({ length: 101 }, (_, i) => ({
      id: `v${i}`,
      publicKey: `0x${i.toString(16).padStart(64, '0')}`,
    }));
    invalid({ authorities: many }, /authorities must have at most 100 entries, got 101/);
    const a = (over: Record<string, unknown>, i = 1): unknown[] =>
      keys.map((publicKey, j) => (j === i ? { id: `v${j}`, publicKey, ...over } : { id: `v${j}`, publicKey }));
    invalid({ authorities: [{ id: 'v0', publicKey: keys[0] }, null] }, /authorities\[1\] must be an object/);
    invalid({ authorities: [[]] }, /authorities\[0\] must be an object/);
    invalid({ authorities: a({ id: 'has space' }) }, /authorities\[1\]\.id must match/);
    invalid({ authorities: a({ id: 'x'.repeat(65) }) }, /authorities\[1\]\.id must match/);
    invalid({ authorities: a({ id: 'v0' }) }, /authorities\[1\]\.id v0 is duplicated/);
    invalid({ authorities: a({ publicKey: keys[0] }) }, /authorities\[1\]\.publicKey is duplicated/);
    invalid(
      { authorities: a({ publicKey: keys[1]!.toUpperCase().replace('0X', '0x') }) },
      /authorities\[1\]\.publicKey must be 32 bytes of lowercase 0x-hex/,
    );
    invalid({ authorities: a({ publicKey: keys[1]!.slice(0, -2) }) }, /authorities\[1\]\.publicKey/);
    invalid(
      { authorities: a({ publicKey: `0x01${'00'.repeat(31)}` }) },
      /authorities\[1\]\.publicKey is a small-order point/,
    );
    invalid(
      { authorities: a({ publicKey: `0x02${'00'.repeat(31)}` }) },
      /authorities\[1\]\.publicKey is not a point on Ed25519/,
    );
    invalid(
      { authorities: a({ name: 'n'.repeat(129) }) },
      /authorities\[1\]\.name must be a well-formed string of at most 128 characters/,
    );
    invalid({ authorities: a({ name: 7 }) }, /authorities\[1\]\.name/);
    invalid({ authorities: a({ name: 'bad \ud800' }) }, /authorities\[1\]\.name/);
  });

  it('names a bad quorum rule', () => {
    invalid({ quorum: 'two-thirds' }, /quorum must be "majority" or "bft", got "two-thirds"/);
    invalid({ quorum: null }, /quorum must be/);
  });

  it('names bad limits', () => {
    invalid({ limits: 5 }, /limits must be an object/);
    invalid({ limits: null }, /limits must be an object/);
    invalid({ limits: [] }, /limits must be an object/);
    invalid({ limits: { maxTxPerBlock: 0 } }, /limits\.maxTxPerBlock must be a positive integer <= 1000000, got 0/);
    invalid({ limits: { maxTxBytes: 1.5 } }, /limits\.maxTxBytes must be a positive integer/);
    invalid({ limits: { maxBlockBytes: 2 ** 30 } }, /limits\.maxBlockBytes must be a positive integer/);
    invalid(
      { limits: { maxTxBytes: 1000, maxBlockBytes: 999 } },
      /limits\.maxBlockBytes must be at least limits\.maxTxBytes/,
    );
  });
});

describe('quorumSize', () => {
  const authorities = (n: number): { authorities: unknown[] } => ({ authorities: Array.from({ length: n }) });
  it('majority is floor(n/2)+1', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => quorumSize({ ...authorities(n), quorum: 'majority' } as never))).toEqual([
      1, 2, 2, 3, 3, 4, 4,
    ]);
  });
  it('bft is floor(2n/3)+1', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((n) => quorumSize({ ...authorities(n), quorum: 'bft' } as never))).toEqual([
      1, 2, 3, 3, 4, 5, 5, 7,
    ]);
  });
});

describe('slots and leaders', () => {
  const g = parseGenesis(doc({ slotDurationMs: 500 }));
  it('rotates leaders round-robin', () => {
    expect([0, 1, 2, 3, 4, 5, 301].map((s) => leaderOf(g, s))).toEqual([0, 1, 2, 0, 1, 2, 1]);
  });
  it('maps times to slots and slots to their start', () => {
    expect(slotAt(g, g.genesisTime - 1)).toBe(-1);
    expect(slotAt(g, g.genesisTime)).toBe(0);
    expect(slotAt(g, g.genesisTime + 499)).toBe(0);
    expect(slotAt(g, g.genesisTime + 500)).toBe(1);
    expect(slotStart(g, 0)).toBe(g.genesisTime);
    expect(slotStart(g, 7)).toBe(g.genesisTime + 3500);
    expect(slotAt(g, slotStart(g, 42))).toBe(42);
  });
});

describe('genesisHash', () => {
  it('is sha256 of the canonical genesis with type "genesis"', () => {
    const g = parseGenesis(doc());
    const text = canonicalize({ type: 'genesis', ...g });
    expect(text.startsWith('{"authorities":[{"id":"validator-1","name":"Validator 1","publicKey":"0x')).toBe(true);
    expect(text).toContain(',"type":"genesis"}');
    expect(genesisHash(g)).toBe(`0x${createHash('sha256').update(text, 'utf8').digest('hex')}`);
  });

  it('does not depend on the property order of the document, but on every field', () => {
    const g = parseGenesis(doc());
    const reordered = Object.fromEntries(Object.entries(doc()).reverse());
    expect(genesisHash(parseGenesis(reordered))).toBe(genesisHash(g));
    // Defaults are part of the hashed document: spelling them out changes nothing.
    expect(genesisHash(parseGenesis(doc({ quorum: 'majority', slotDurationMs: 1000, limits: DEFAULT_LIMITS })))).toBe(
      genesisHash(g),
    );
    expect(genesisHash(parseGenesis(doc({ chainId: 1338 })))).not.toBe(genesisHash(g));
    expect(genesisHash(parseGenesis(doc({ quorum: 'bft' })))).not.toBe(genesisHash(g));
    const swapped = doc();
    (swapped.authorities as unknown[]).reverse();
    expect(genesisHash(parseGenesis(swapped))).not.toBe(genesisHash(g));
  });
});
