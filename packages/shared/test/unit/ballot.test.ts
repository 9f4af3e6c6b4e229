import { describe, it, expect } from '@jest/globals';
import { SEALED, ballotCandidate } from '@poa-vote/shared';

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('ballotCandidate', () => {
  it('reads plain JSON', () => {
    expect(ballotCandidate('{"candidate_id":"alice"}')).toBe('alice');
    expect(ballotCandidate('  {"candidate": "bob", "nonce": 7}\n')).toBe('bob');
    expect(ballotCandidate('{"candidate_id":"ålice 😀"}')).toBe('ålice 😀');
  });

  it('prefers candidate_id over candidate', () => {
    expect(ballotCandidate('{"candidate":"bob","candidate_id":"alice"}')).toBe('alice');
    expect(ballotCandidate('{"candidate_id":null,"candidate":"bob"}')).toBe('bob');
  });

  it('renders numeric candidates as ECMAScript numbers', () => {
    expect(ballotCandidate('{"candidate_id":7}')).toBe('7');
    expect(ballotCandidate('{"candidate_id":7.0}')).toBe('7');
    expect(ballotCandidate('{"candidate_id":1e21}')).toBe('1e+21');
  });

  it('reads hex, with or without 0x, in either case', () => {
    const json = '{"candidate_id":"carol"}';
    expect(ballotCandidate(hex(json))).toBe('carol');
    expect(ballotCandidate(`0x${hex(json)}`)).toBe('carol');
    expect(ballotCandidate(`0x${hex(json).toUpperCase()}`)).toBe('carol');
  });

  it('reads base64', () => {
    expect(ballotCandidate(b64('{"candidate":"dave"}'))).toBe('dave');
    expect(ballotCandidate(b64('{"candidate_id":"erin!"}'))).toBe('erin!');
  });

  it('counts everything else as sealed', () => {
    expect(SEALED).toBe('sealed');
    const garbage = [
      '',
      'hello',
      '{not json',
      '{}',
      '{"vote":"alice"}',
      '{"candidate_id":""}',
      '{"candidate_id":true}',
      '{"candidate_id":{"name":"alice"}}',
      '{"candidate_id":1e400}',
      '{"candidate_id":"\\ud800"}',
      `{"candidate_id":"${'x'.repeat(129)}"}`,
      '["alice"]',
      '"alice"',
      '0x',
      '0xdeadbeef',
      '0x123',
      hex('not json at all'),
      b64('still not json'),
      'abc=',
      `${b64('{"candidate":"x"}')}!`,
      '-----BEGIN PGP MESSAGE-----\nhQEMA...\n-----END PGP MESSAGE-----',
    ];
    for (const g of garbage) expect([g, ballotCandidate(g)]).toEqual([g, SEALED]);
    expect(ballotCandidate(`{"candidate_id":"${'x'.repeat(128)}"}`)).toBe('x'.repeat(128));
  });
});
