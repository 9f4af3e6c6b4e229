import { describe, it, expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { type Transaction, canonicalTx, canonicalize, sha256Utf8Hex, txHash, txSize } from '@poa-vote/shared';

const sha = (text: string): string => `0x${createHash('sha256').update(text, 'utf8').digest('hex')}`;

describe('canonicalTx fast path', () => {
  it('is byte-identical to the general RFC 8785 encoder, escapes and non-ASCII included', () => {
    const cases: Transaction[] = [
      { from: 'voter-1', to: 'election-1', data: 'plain' },
      { from: 'v"q', to: 'election-x', data: 'tab\there\nline "quoted" \\ back\u0001\u001f' },
      { from: 'v', to: 'election-2', data: 'héllo wörld 🗳️ \u2028\u2029 </script>' },
      { from: 'v', to: 'election-3', data: '' },
    ];
    for (const tx of cases) expect(canonicalTx(tx)).toBe(canonicalize({ data: tx.data, from: tx.from, to: tx.to }));
  });

  it('still refuses a lone surrogate, like the general encoder', () => {
    expect(() => canonicalTx({ from: 'v', to: 'election-1', data: 'x\ud800' })).toThrow(/lone surrogate/);
  });

  it('falls back to the general encoder for fields that are not strings', () => {
    const odd = { from: 'v', to: 'election-1', data: 7 } as unknown as Transaction;
    expect(canonicalTx(odd)).toBe('{"data":7,"from":"v","to":"election-1"}');
  });
});

describe('txHash and txSize memo', () => {
  it('hashes the UTF-8 bytes of the canonical text', () => {
    const tx = { from: 'v', to: 'election-1', data: 'ümlaut' };
    expect(txHash(tx)).toBe(sha(canonicalTx(tx)));
    expect(txSize(tx)).toBe(Buffer.byteLength(canonicalTx(tx)));
    expect(sha256Utf8Hex('abc')).toBe('0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('never answers a stale hash or size after a field of the same object changed', () => {
    const tx: Transaction = { from: 'voter-1', to: 'election-1', data: 'A' };
    const first = txHash(tx);
    expect(txSize(tx)).toBe(canonicalTx(tx).length);
    tx.data = 'B-longer';
    expect(txHash(tx)).not.toBe(first);
    expect(txHash(tx)).toBe(sha(canonicalTx(tx)));
    expect(txSize(tx)).toBe(canonicalTx(tx).length);
    tx.from = 'voter-2';
    expect(txHash(tx)).toBe(sha(canonicalTx(tx)));
    tx.to = 'election-2';
    expect(txHash(tx)).toBe(sha(canonicalTx(tx)));
  });

  it('gives equal objects equal hashes, computed independently', () => {
    const a = { from: 'x', to: 'election-9', data: 'same' };
    const b = JSON.parse(JSON.stringify(a)) as Transaction;
    expect(txHash(a)).toBe(txHash(b));
    expect(txHash(a)).toBe(sha('{"data":"same","from":"x","to":"election-9"}'));
  });
});

describe('parseTransaction and the memo', () => {
  it('gives a re-parsed copy the hash of the original, and a changed copy a fresh one', async () => {
    const { parseTransaction } = await import('@poa-vote/shared');
    const first = parseTransaction({ from: 'v', to: 'election-1', data: 'ballot' }, 1000);
    const again = parseTransaction(first, 1000);
    expect(again).not.toBe(first);
    expect(txHash(again)).toBe(txHash(first));
    const changed = parseTransaction({ ...first, data: 'other' }, 1000);
    expect(txHash(changed)).toBe(sha(canonicalTx(changed)));
    expect(txHash(changed)).not.toBe(txHash(first));
    expect(() => parseTransaction({ ...first, data: 'x'.repeat(2000) }, 1000)).toThrow(/limit/);
  });
});
