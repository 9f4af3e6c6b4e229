/** The browser build's hash and Ed25519 (@noble) agree with the node build's (node:crypto). */
import { describe, expect, it } from '@jest/globals';
import {
  type Hex,
  Signer,
  generateKeyPair,
  hashCanonical,
  merkleRoot,
  publicKeyWeakness,
  sha256Hex,
  sha256Utf8Hex,
  utf8ToBytes,
  verifySignature,
} from '@poa-vote/shared';
import * as browserHash from '../../src/hash.browser.js';
import * as browserSig from '../../src/signature.browser.js';

const items = (n: number): Hex[] => Array.from({ length: n }, (_, i) => sha256Utf8Hex(`item-${i}`));

describe('browser build of hash.ts', () => {
  it('exports what hash.ts exports', async () => {
    const node = await import('../../src/hash.js');
    expect(Object.keys(browserHash).sort()).toEqual(Object.keys(node).sort());
  });

  it('gives the same hashes and Merkle roots', () => {
    for (const s of ['', 'a', 'é€😀', 'x'.repeat(1000)]) {
      expect(browserHash.sha256Hex(utf8ToBytes(s))).toBe(sha256Hex(utf8ToBytes(s)));
      expect(browserHash.sha256Utf8Hex(s)).toBe(sha256Utf8Hex(s));
      expect(browserHash.hashCanonical({ s, n: 1, a: [s] })).toBe(hashCanonical({ s, n: 1, a: [s] }));
    }
    for (let n = 0; n <= 33; n++) expect(browserHash.merkleRoot(items(n))).toBe(merkleRoot(items(n)));
    expect(() => browserHash.merkleRoot(['0x12' as Hex])).toThrow(TypeError);
  });
});

describe('browser build of signature.ts', () => {
  it('exports what signature.ts exports', async () => {
    const node = await import('../../src/signature.js');
    expect(Object.keys(browserSig).sort()).toEqual(Object.keys(node).sort());
  });

  it('derives the same keys and signatures, and agrees on valid and tampered ones', () => {
    for (let i = 0; i < 8; i++) {
      const { privateKey, publicKey } = generateKeyPair();
      expect(browserSig.keyPairFromSeed(privateKey).publicKey).toBe(publicKey);
      const msg = utf8ToBytes(`poa-evote/block/v1/1337/message-${i}`);
      const sig = new Signer(privateKey).sign(msg);
      expect(new browserSig.Signer(privateKey).sign(msg)).toBe(sig);
      expect(browserSig.verifySignature(publicKey, msg, sig)).toBe(true);
      const other = utf8ToBytes(`poa-evote/block/v1/1337/message-${i + 1}`);
      expect(browserSig.verifySignature(publicKey, other, sig)).toBe(verifySignature(publicKey, other, sig));
      for (const bit of [0, 100, 255, 256, 300, 511]) {
        const b = Buffer.from(sig.slice(2), 'hex');
        b[bit >> 3]! ^= 1 << (bit & 7);
        const bad = `0x${b.toString('hex')}` as Hex;
        expect(browserSig.verifySignature(publicKey, msg, bad)).toBe(false);
        expect(verifySignature(publicKey, msg, bad)).toBe(false);
      }
      expect(browserSig.verifySignature(publicKey.toUpperCase() as Hex, msg, sig)).toBe(false);
    }
  });

  it('shares the authority-key check', () => {
    expect(browserSig.publicKeyWeakness).toBe(publicKeyWeakness);
    expect(publicKeyWeakness(`0x01${'00'.repeat(31)}`)).toMatch(/small-order/);
  });
});
