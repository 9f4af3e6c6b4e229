import { describe, it, expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  ProtocolErrorCode,
  canonicalTx,
  electionIdOf,
  parseTransaction,
  txHash,
  txSize,
  voterKey,
} from '@poa-vote/shared';
import { expectProtocolError } from './fixtures.js';

const MAX = 16_384;
const vote = { from: 'voter-42', to: 'election-7', data: '{"candidate_id":"alice"}' };

describe('txHash', () => {
  it('is sha256 of the canonical {data, from, to} JSON', () => {
    const text = '{"data":"{\\"candidate_id\\":\\"alice\\"}","from":"voter-42","to":"election-7"}';
    expect(canonicalTx(vote)).toBe(text);
    expect(txHash(vote)).toBe(`0x${createHash('sha256').update(text, 'utf8').digest('hex')}`);
  });

  it('reproduces the worked example of docs/PROTOCOL.md', () => {
    const t = parseTransaction(
      { from: 'voter-42', to: 'election-7', data: '{"candidate_id":"alice"}', gas: '0x5208', nonce: '0x0' },
      MAX,
    );
    expect(Buffer.from(canonicalTx(t), 'utf8').toString('hex')).toBe(
      '7b2264617461223a227b5c2263616e6469646174655f69645c223a5c22616c6963655c227d222c2266726f6d223a22766f7465722d3432222c22746f223a22656c656374696f6e2d37227d',
    );
    expect(txSize(t)).toBe(75);
    expect(txHash(t)).toBe('0x423b3ee92d260d26194c9171d4c6f85b89229d419405f4e8b20033519912946a');
  });

  it('is the same for an identical resubmission, whatever the key order or extra fields', () => {
    const h = txHash(parseTransaction(vote, MAX));
    const resubmitted = parseTransaction(
      { gas: '0x5208', data: vote.data, nonce: '0x1', to: vote.to, value: '0x0', from: vote.from, gasPrice: '0x0' },
      MAX,
    );
    expect(resubmitted).toEqual(vote);
    expect(txHash(resubmitted)).toBe(h);
    expect(txHash(parseTransaction({ ...vote }, MAX))).toBe(h);
  });

  it('changes with any of the three fields', () => {
    const h = txHash(vote);
    expect(txHash({ ...vote, data: '{"candidate_id":"bob"}' })).not.toBe(h);
    expect(txHash({ ...vote, from: 'voter-43' })).not.toBe(h);
    expect(txHash({ ...vote, to: 'election-8' })).not.toBe(h);
  });

  it('hashes non-ASCII data as UTF-8', () => {
    const t = { ...vote, data: 'é😀' };
    expect(canonicalTx(t)).toBe('{"data":"é😀","from":"voter-42","to":"election-7"}');
    expect(txHash(t)).toBe(
      `0x${createHash('sha256')
        .update(Buffer.from(canonicalTx(t), 'utf8'))
        .digest('hex')}`,
    );
  });
});

describe('txSize, electionIdOf, voterKey', () => {
  it('counts UTF-8 bytes of the canonical JSON', () => {
    expect(txSize(vote)).toBe(canonicalTx(vote).length);
    const t = { ...vote, data: 'é' };
    expect(txSize(t)).toBe(canonicalTx(t).length + 1);
  });

  it('extracts election ids', () => {
    expect(electionIdOf('election-7')).toBe('7');
    expect(electionIdOf('election-A_b.c-9')).toBe('A_b.c-9');
    expect(electionIdOf('election-')).toBeUndefined();
    expect(electionIdOf('ballot-7')).toBeUndefined();
    expect(electionIdOf(`election-${'x'.repeat(65)}`)).toBeUndefined();
  });

  it('keys one vote per (voter, election)', () => {
    expect(voterKey(vote)).toBe(voterKey({ ...vote }));
    expect(voterKey(vote)).not.toBe(voterKey({ ...vote, to: 'election-8' }));
    expect(voterKey(vote)).not.toBe(voterKey({ ...vote, from: 'voter-43' }));
  });
});

describe('parseTransaction', () => {
  it('rejects non-objects', () => {
    for (const bad of [null, undefined, 'tx', 7, [vote]])
      expectProtocolError(
        () => parseTransaction(bad, MAX),
        ProtocolErrorCode.TX_INVALID,
        /transaction must be an object/,
      );
  });

  it('names a bad "from"', () => {
    for (const from of [undefined, '', 'has space', 'x'.repeat(129), 'vötér', 42]) {
      expectProtocolError(
        () => parseTransaction({ ...vote, from }, MAX),
        ProtocolErrorCode.TX_INVALID,
        /"from" \(voter id\)/,
      );
    }
    expect(parseTransaction({ ...vote, from: 'x'.repeat(128) }, MAX).from).toHaveLength(128);
  });

  it('names a bad "to"', () => {
    for (const to of [undefined, 'election-', '0x1234', 'election-a b', `election-${'1'.repeat(65)}`]) {
      expectProtocolError(
        () => parseTransaction({ ...vote, to }, MAX),
        ProtocolErrorCode.TX_INVALID,
        /"to" must be "election-<id>"/,
      );
    }
  });

  it('names a bad "data"', () => {
    for (const data of [undefined, '', 7, { candidate: 'a' }]) {
      expectProtocolError(
        () => parseTransaction({ ...vote, data }, MAX),
        ProtocolErrorCode.TX_INVALID,
        /"data" \(the encrypted ballot\) must be a non-empty string/,
      );
    }
    expectProtocolError(
      () => parseTransaction({ ...vote, data: 'x\ud800' }, MAX),
      ProtocolErrorCode.TX_INVALID,
      /"data" must be well-formed Unicode/,
    );
  });

  it('enforces the size limit on the canonical bytes', () => {
    const size = txSize(vote);
    expect(parseTransaction(vote, size)).toEqual(vote);
    expectProtocolError(
      () => parseTransaction(vote, size - 1),
      ProtocolErrorCode.TX_TOO_LARGE,
      `transaction is ${size} bytes, the limit is ${size - 1}`,
    );
  });
});
