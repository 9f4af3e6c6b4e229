/** The snapshot method's wire entries: every kind round-trips, and malformed entries are refused with a clear error. */
import { describe, expect, it } from '@jest/globals';
import type { StateEntry } from '@poa-vote/shared';
import { NetworkError } from '../../../../src/network/interface.js';
import { entryToWire, parseWireEntry } from '../../../../src/network/reqresp/snapshot.js';

const HASH = `0x${'ab'.repeat(32)}` as const;

describe('snapshot wire entries', () => {
  it('round-trips voter, tally, total, election and voted entries', () => {
    const entries: StateEntry[] = [
      { kind: 'voter', voterKey: 'election-1\u0000voter-9', txHash: HASH },
      { kind: 'tally', election: '1', candidate: '__proto__', count: 3 },
      { kind: 'total', election: 'e.2_x', count: 1 },
      { kind: 'election', election: 'e1', record: { electionId: 'e1', ballots: 2, keys: [null, { a: 1 }] } },
      { kind: 'voted', election: 'free' },
    ];
    for (const e of entries) expect(parseWireEntry(JSON.parse(JSON.stringify(entryToWire(e))), 'entry 0')).toEqual(e);
  });

  it.each([
    ['not an array', { v: 1 }],
    ['an unknown kind', ['q', 'a', HASH]],
    ['an election record that is not an object', ['e', 'e1', '{"electionId":"e1"}']],
    ['an election record that is an array', ['e', 'e1', []]],
    ['an election record of a bad election id', ['e', 'election e1', {}]],
    ['a voted mark with an extra field', ['x', 'free', 1]],
    ['an uppercase hash', ['v', 'k', HASH.toUpperCase().replace('0X', '0x')]],
    ['a short hash', ['v', 'k', '0xabcd']],
    ['an over-long voter key', ['v', 'k'.repeat(2000), HASH]],
    ['a zero count', ['t', '1', 'alice', 0]],
    ['a fractional count', ['n', '1', 1.5]],
    ['a bad election id', ['n', 'election 1', 4]],
    ['an extra field', ['n', '1', 4, 5]],
  ])('refuses %s', (_name, input) => {
    expect(() => parseWireEntry(input, 'entry 7')).toThrow(NetworkError);
    expect(() => parseWireEntry(input, 'entry 7')).toThrow(/bad snapshot response: entry 7/);
  });
});
