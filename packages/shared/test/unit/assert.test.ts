import { describe, expect, it } from '@jest/globals';
import { InvariantError, at, must, unreachable } from '@poa-vote/shared';

describe('must', () => {
  it('passes values through, falsy ones included', () => {
    expect(must(0, 'zero')).toBe(0);
    expect(must('', 'empty')).toBe('');
    expect(must(false, 'no')).toBe(false);
  });

  it('throws an InvariantError naming what is missing for undefined and null', () => {
    expect(() => must(undefined, 'the leader')).toThrow(new InvariantError('the leader is missing'));
    expect(() => must(null, 'the leader')).toThrow(InvariantError);
  });
});

describe('at', () => {
  it('reads an index, negative ones from the end, typed arrays too', () => {
    expect(at(['a', 'b', 'c'], 0)).toBe('a');
    expect(at(['a', 'b', 'c'], -1)).toBe('c');
    expect(at(new Uint32Array([7, 8]), 1)).toBe(8);
    expect(at([undefined], 0)).toBeUndefined();
  });

  it('throws an InvariantError naming the element and the length out of range', () => {
    expect(() => at([1, 2], 2, 'authority')).toThrow(new InvariantError('authority [2] is out of range (length 2)'));
    expect(() => at([1, 2], -3)).toThrow(InvariantError);
    expect(() => at([1, 2], 0.5)).toThrow(InvariantError);
  });
});

describe('unreachable', () => {
  it('throws naming the value a switch did not handle', () => {
    const kind = 'later' as 'now' | 'later';
    const place = (k: 'now' | 'later'): string => {
      switch (k) {
        case 'now':
          return 'here';
        default:
          return unreachable(k as never, 'kind');
      }
    };
    expect(place('now')).toBe('here');
    expect(() => place(kind)).toThrow(new InvariantError('unhandled kind: "later"'));
  });
});
