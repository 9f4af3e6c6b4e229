import { describe, it, expect } from '@jest/globals';
import {
  bytesToHex,
  bytesToUtf8,
  canonicalBytes,
  canonicalize,
  hexToBytes,
  isHex,
  isWellFormedString,
  parseQuantity,
  toQuantity,
  utf8ToBytes,
} from '@poa-vote/shared';

/** An IEEE 754 double from its 16 hex digits (as RFC 8785 Appendix B lists them). */
function double(bits: string): number {
  return Buffer.from(bits, 'hex').readDoubleBE(0);
}

describe('canonicalize (RFC 8785)', () => {
  it('sorts properties by UTF-16 code units, recursively, without whitespace (RFC 8785 3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // The emoji (U+1F600, surrogates D83D DE00) sorts before U+FB33: code units, not code points.
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(canonicalize({ b: { d: 1, c: [3, { z: 0, a: 1 }] }, a: null })).toBe(
      '{"a":null,"b":{"c":[3,{"a":1,"z":0}],"d":1}}',
    );
  });

  it('reproduces the RFC 8785 3.2.2 example', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('serializes numbers as RFC 8785 Appendix B requires', () => {
    const vectors: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of vectors) expect([bits, canonicalize(double(bits))]).toEqual([bits, text]);
  });

  it('rejects NaN and infinities (RFC 8785 Appendix B)', () => {
    expect(() => canonicalize(double('7fffffffffffffff'))).toThrow(TypeError);
    expect(() => canonicalize({ a: [Infinity] })).toThrow(/\$\.a\[0\]: Infinity/);
    expect(() => canonicalize(-Infinity)).toThrow(TypeError);
  });

  it('keeps non-ASCII text as UTF-8 and escapes only what JSON requires', () => {
    expect(canonicalize('é€😀/')).toBe('"é€😀/"');
    expect(canonicalize('\b\t\n\f\r"\\')).toBe('"\\b\\t\\n\\f\\r\\"\\\\"');
    expect(canonicalize('\u0000\u001f\u007f')).toBe('"\\u0000\\u001f\u007f"');
    expect(bytesToHex(canonicalBytes({ '€': 'é' }))).toBe('0x7b22e282ac223a22c3a9227d');
  });

  it('rejects lone surrogates in values and keys, accepts surrogate pairs', () => {
    expect(() => canonicalize({ s: 'a\ud800b' })).toThrow(/lone surrogate/);
    expect(() => canonicalize({ '\udc00': 1 })).toThrow(/lone surrogate/);
    expect(() => canonicalize(['\ude00\ud83d'])).toThrow(/lone surrogate/);
    expect(canonicalize('\ud83d\ude00')).toBe('"😀"');
    expect(isWellFormedString('😀 ok')).toBe(true);
    expect(isWellFormedString('\ud83d')).toBe(false);
  });

  it('throws on values JSON cannot represent, omits undefined properties', () => {
    expect(() => canonicalize(undefined)).toThrow(TypeError);
    expect(() => canonicalize({ f: () => 1 })).toThrow(/\$\.f: a function/);
    expect(() => canonicalize([Symbol('s')])).toThrow(TypeError);
    expect(() => canonicalize({ n: 1n })).toThrow(/bigint/);
    expect(() => canonicalize([1, undefined])).toThrow(/\$\[1\] is undefined/);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(/cyclic/);
    expect(canonicalize({ a: undefined, b: 1 })).toBe('{"b":1}');
    // A shared (non-cyclic) sub-object is fine.
    const shared = { x: 1 };
    expect(canonicalize({ p: shared, q: shared })).toBe('{"p":{"x":1},"q":{"x":1}}');
  });

  it('uses toJSON like JSON.stringify', () => {
    expect(canonicalize({ t: new Date(0) })).toBe('{"t":"1970-01-01T00:00:00.000Z"}');
  });
});

describe('hex', () => {
  it('round-trips bytes through lowercase 0x-hex', () => {
    const bytes = new Uint8Array([0, 1, 0xab, 0xff]);
    expect(bytesToHex(bytes)).toBe('0x0001abff');
    expect([...hexToBytes('0x0001abff')]).toEqual([...bytes]);
    expect([...hexToBytes('0x0001ABFF')]).toEqual([...bytes]);
    expect(hexToBytes('0x').length).toBe(0);
    expect(bytesToHex(bytes.subarray(1, 3))).toBe('0x01ab');
  });

  it('rejects malformed hex with a TypeError naming it', () => {
    expect(() => hexToBytes('0x123')).toThrow(/not 0x-prefixed even-length hex: 0x123/);
    expect(() => hexToBytes('abcd')).toThrow(TypeError);
    expect(() => hexToBytes('0xzz')).toThrow(TypeError);
    expect(() => hexToBytes(7 as unknown as string)).toThrow(TypeError);
  });

  it('isHex accepts only lowercase even-length 0x-hex, of an exact length when asked', () => {
    expect(isHex('0x')).toBe(true);
    expect(isHex('0xab')).toBe(true);
    expect(isHex('0xAB')).toBe(false);
    expect(isHex('0xabc')).toBe(false);
    expect(isHex('ab')).toBe(false);
    expect(isHex(12)).toBe(false);
    expect(isHex(`0x${'00'.repeat(32)}`, 32)).toBe(true);
    expect(isHex(`0x${'00'.repeat(31)}`, 32)).toBe(false);
  });
});

describe('quantities', () => {
  it('formats canonical Ethereum quantities', () => {
    expect(toQuantity(0)).toBe('0x0');
    expect(toQuantity(1)).toBe('0x1');
    expect(toQuantity(26)).toBe('0x1a');
    expect(toQuantity(Number.MAX_SAFE_INTEGER)).toBe('0x1fffffffffffff');
    expect(toQuantity(2n ** 64n)).toBe('0x10000000000000000');
    expect(toQuantity(0n)).toBe('0x0');
  });

  it('refuses what is not a quantity', () => {
    expect(() => toQuantity(-1)).toThrow(RangeError);
    expect(() => toQuantity(1.5)).toThrow(RangeError);
    expect(() => toQuantity(Number.NaN)).toThrow(RangeError);
    expect(() => toQuantity(2 ** 53)).toThrow(RangeError);
    expect(() => toQuantity(-5n)).toThrow(/not a quantity: -5/);
  });

  it('parses only canonical quantities', () => {
    expect(parseQuantity('0x0')).toBe(0);
    expect(parseQuantity('0x1a')).toBe(26);
    expect(parseQuantity('0x1fffffffffffff')).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of ['0x', '0x01', '0x00', '1a', '0X1a', '0x1A', '0x-1', ' 0x1', '0x1g', '0x20000000000000']) {
      expect([bad, parseQuantity(bad)]).toEqual([bad, undefined]);
    }
    expect(parseQuantity(26)).toBeUndefined();
    expect(parseQuantity(null)).toBeUndefined();
    for (const n of [0, 1, 15, 16, 255, 4096, 123456789]) expect(parseQuantity(toQuantity(n))).toBe(n);
  });
});

describe('utf8', () => {
  it('round-trips text and rejects invalid UTF-8', () => {
    expect(bytesToHex(utf8ToBytes('é€'))).toBe('0xc3a9e282ac');
    expect(bytesToUtf8(utf8ToBytes('héllo 😀'))).toBe('héllo 😀');
    // The TypeError comes from node's own realm, so match its message rather than the jest-realm class.
    expect(() => bytesToUtf8(new Uint8Array([0xc3]))).toThrow(/not valid/);
    expect(() => bytesToUtf8(new Uint8Array([0xff, 0x41]))).toThrow(/not valid/);
  });
});
