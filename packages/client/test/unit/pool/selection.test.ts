import { describe, expect, it } from '@jest/globals';
import { rankByLatency } from '@poa-vote/client';
import { nextInRotation } from '../../../src/pool/selection.js';

describe('nextInRotation', () => {
  it('moves to the next eligible entry, wrapping around', () => {
    expect(nextInRotation([true, true, true], -1)).toBe(0);
    expect(nextInRotation([true, true, true], 0)).toBe(1);
    expect(nextInRotation([true, true, true], 2)).toBe(0);
    expect(nextInRotation([true, false, true], 0)).toBe(2);
    expect(nextInRotation([false, false, false], 0)).toBe(-1);
  });
});

describe('rankByLatency', () => {
  it('ranks fast and stable first, unmeasured ones before measured slow ones', () => {
    const ranked = rankByLatency([
      { id: 'slow', latencyMs: 300, stability: 1 },
      { id: 'fast', latencyMs: 10, stability: 1 },
      { id: 'flaky', latencyMs: 5, stability: 0.2 },
      { id: 'new', latencyMs: undefined, stability: 1 },
    ]);
    expect(ranked.map((r) => r.id)).toEqual(['new', 'fast', 'slow', 'flaky']);
  });
});
