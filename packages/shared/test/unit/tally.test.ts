import { describe, it, expect } from '@jest/globals';
import {
  MAX_CANDIDATES_PER_ELECTION,
  canonicalize,
  MAX_CANDIDATE_NAME_BYTES,
  OTHER,
  SEALED,
  ballotCandidate,
  countBallot,
  countsRecord,
  namedCandidates,
  tallyBucket,
} from '@poa-vote/shared';

const b = (c: string): string => JSON.stringify({ candidate_id: c });

describe('candidate names', () => {
  it('are limited to MAX_CANDIDATE_NAME_BYTES UTF-8 bytes', () => {
    expect(MAX_CANDIDATE_NAME_BYTES).toBe(128);
    expect(ballotCandidate(b('a'.repeat(128)))).toBe('a'.repeat(128));
    expect(ballotCandidate(b('a'.repeat(129)))).toBe(SEALED);
    expect(ballotCandidate(b('é'.repeat(64)))).toBe('é'.repeat(64)); // 128 bytes
    expect(ballotCandidate(b('é'.repeat(65)))).toBe(SEALED); // 130 bytes, 65 code units
    expect(ballotCandidate(b('😀'.repeat(32)))).toBe('😀'.repeat(32));
    expect(ballotCandidate(b('😀'.repeat(33)))).toBe(SEALED);
  });

  it('named like Object.prototype members are ordinary candidates', () => {
    for (const c of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])
      expect(ballotCandidate(b(c))).toBe(c);
  });
});

describe('countBallot', () => {
  it('counts new names beyond MAX_CANDIDATES_PER_ELECTION under OTHER, in chain order', () => {
    expect(MAX_CANDIDATES_PER_ELECTION).toBe(1000);
    const counts = new Map<string, number>();
    expect(countBallot(counts, 'unreadable')).toBe(SEALED);
    expect(countBallot(counts, b(OTHER))).toBe(OTHER);
    for (let i = 0; i < MAX_CANDIDATES_PER_ELECTION; i++) expect(countBallot(counts, b(`c${i}`))).toBe(`c${i}`);
    expect(namedCandidates(counts)).toBe(MAX_CANDIDATES_PER_ELECTION);
    expect(countBallot(counts, b('late'))).toBe(OTHER);
    expect(countBallot(counts, b('c5'))).toBe('c5');
    expect(countBallot(counts, 'still unreadable')).toBe(SEALED);
    expect(counts.size).toBe(MAX_CANDIDATES_PER_ELECTION + 2);
    expect(counts.get(OTHER)).toBe(2);
    expect(counts.get('late')).toBeUndefined();
  });

  it('tallyBucket: reserved and known names always keep their bucket', () => {
    expect(tallyBucket('x', false, MAX_CANDIDATES_PER_ELECTION - 1)).toBe('x');
    expect(tallyBucket('x', false, MAX_CANDIDATES_PER_ELECTION)).toBe(OTHER);
    expect(tallyBucket('x', true, MAX_CANDIDATES_PER_ELECTION)).toBe('x');
    expect(tallyBucket(SEALED, false, MAX_CANDIDATES_PER_ELECTION)).toBe(SEALED);
  });
});

describe('countsRecord', () => {
  it('is prototype-free, sorted, and survives JSON with every name as an own property', () => {
    const counts = new Map<string, number>();
    for (const c of ['valueOf', '__proto__', 'constructor', 'alice', '__proto__', 'toString', 'hasOwnProperty'])
      countBallot(counts, b(c));
    const r = countsRecord(counts);
    expect(Object.getPrototypeOf(r)).toBeNull();
    expect(Object.keys(r)).toEqual(['__proto__', 'alice', 'constructor', 'hasOwnProperty', 'toString', 'valueOf']);
    const text = JSON.stringify(r);
    expect(text).toBe('{"__proto__":2,"alice":1,"constructor":1,"hasOwnProperty":1,"toString":1,"valueOf":1}');
    const back = JSON.parse(text) as Record<string, number>;
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toBe(2);
    expect(Object.entries(back)).toEqual(Object.entries(r));
    expect(countsRecord(new Map()).constructor).toBeUndefined();
    // A member named toJSON holds a number: JSON.stringify and canonicalize keep it as data.
    const withToJson = countsRecord(
      new Map([
        ['toJSON', 1],
        ['a', 2],
      ]),
    );
    expect(JSON.stringify(withToJson)).toBe('{"a":2,"toJSON":1}');
    expect(canonicalize(withToJson)).toBe('{"a":2,"toJSON":1}');
  });
});
