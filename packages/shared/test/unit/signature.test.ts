import { describe, it, expect } from '@jest/globals';
import {
  type Hex,
  Signer,
  bytesToHex,
  generateKeyPair,
  isHex,
  keyPairFromSeed,
  publicKeyWeakness,
  utf8ToBytes,
  verifySignature,
} from '@poa-vote/shared';
import { flipHex } from './fixtures.js';

// RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte 0x72).
const RFC_SEED = '0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60' as Hex;
const RFC_PUB = '0xd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC_SIG_EMPTY =
  '0xe5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
const RFC2_SEED = '0x4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb' as Hex;
const RFC2_PUB = '0x3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const RFC2_SIG =
  '0x92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';

describe('Ed25519', () => {
  it('derives RFC 8032 keys and signatures from a seed', () => {
    expect(keyPairFromSeed(RFC_SEED)).toEqual({ privateKey: RFC_SEED, publicKey: RFC_PUB });
    const signer = new Signer(RFC_SEED);
    expect(signer.publicKey).toBe(RFC_PUB);
    expect(signer.sign(new Uint8Array(0))).toBe(RFC_SIG_EMPTY);
    expect(new Signer(RFC2_SEED).sign(new Uint8Array([0x72]))).toBe(RFC2_SIG);
    expect(verifySignature(RFC2_PUB as Hex, new Uint8Array([0x72]), RFC2_SIG as Hex)).toBe(true);
  });

  it('generates 32-byte key pairs whose seed derives the same public key', () => {
    const kp = generateKeyPair();
    expect(isHex(kp.privateKey, 32)).toBe(true);
    expect(isHex(kp.publicKey, 32)).toBe(true);
    expect(keyPairFromSeed(kp.privateKey).publicKey).toBe(kp.publicKey);
    expect(generateKeyPair().privateKey).not.toBe(kp.privateKey);
  });

  it('signs deterministically and verifies', () => {
    const kp = generateKeyPair();
    const signer = new Signer(kp.privateKey);
    const msg = utf8ToBytes('poa-evote/test');
    const sig = signer.sign(msg);
    expect(isHex(sig, 64)).toBe(true);
    expect(signer.sign(msg)).toBe(sig);
    expect(verifySignature(kp.publicKey, msg, sig)).toBe(true);
  });

  it('rejects a tampered message, signature or key', () => {
    const kp = generateKeyPair();
    const msg = utf8ToBytes('vote for alice');
    const sig = new Signer(kp.privateKey).sign(msg);
    expect(verifySignature(kp.publicKey, utf8ToBytes('vote for bob'), sig)).toBe(false);
    expect(verifySignature(kp.publicKey, msg, flipHex(sig))).toBe(false);
    // Flip a bit in R (first half) as well as in S.
    const sigBytes = Buffer.from(sig.slice(2), 'hex');
    sigBytes[0]! ^= 1;
    expect(verifySignature(kp.publicKey, msg, bytesToHex(sigBytes))).toBe(false);
    expect(verifySignature(generateKeyPair().publicKey, msg, sig)).toBe(false);
    expect(verifySignature(flipHex(kp.publicKey), msg, sig)).toBe(false);
  });

  it('rejects a non-canonical S (S + L): signatures are not malleable', () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const kp = generateKeyPair();
    const msg = utf8ToBytes('m');
    const sig = Buffer.from(new Signer(kp.privateKey).sign(msg).slice(2), 'hex');
    let S = sig.subarray(32).reduceRight((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
    S += L;
    for (let i = 0; i < 32; i++, S >>= 8n) sig[32 + i] = Number(S & 0xffn);
    expect(verifySignature(kp.publicKey, msg, bytesToHex(sig))).toBe(false);
  });

  it('returns false, never throws, on malformed keys and signatures', () => {
    const kp = generateKeyPair();
    const msg = utf8ToBytes('m');
    const sig = new Signer(kp.privateKey).sign(msg);
    expect(verifySignature(kp.publicKey, msg, sig.toUpperCase().replace('0X', '0x') as Hex)).toBe(false);
    expect(verifySignature(kp.publicKey, msg, sig.slice(0, -2) as Hex)).toBe(false);
    expect(verifySignature(kp.publicKey.slice(0, -2) as Hex, msg, sig)).toBe(false);
    expect(verifySignature('nonsense' as Hex, msg, sig)).toBe(false);
    expect(verifySignature(kp.publicKey, msg, 42 as unknown as Hex)).toBe(false);
    expect(verifySignature(`0x${'ff'.repeat(32)}`, msg, sig)).toBe(false);
  });

  it('refuses a private key that is not 32 bytes of hex', () => {
    expect(() => new Signer('0x1234')).toThrow(/32 bytes/);
    expect(() => keyPairFromSeed(RFC_SEED.toUpperCase() as Hex)).toThrow(/32 bytes/);
  });
});

describe('publicKeyWeakness', () => {
  const P = 2n ** 255n - 19n;
  const le = (n: bigint, signBit = false): Hex => {
    const b = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) b[i] = Number((n >> BigInt(8 * i)) & 0xffn);
    if (signBit) b[31]! |= 0x80;
    return bytesToHex(b);
  };
  const yOf = (h: Hex): bigint =>
    Buffer.from(h.slice(2), 'hex').reduceRight((acc, byte) => (acc << 8n) | BigInt(byte), 0n) & ((1n << 255n) - 1n);
  // An order-8 point (libsodium's blacklist); (x, -y) is the other order-8 pair.
  const ORDER8 = '0x26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05' as Hex;
  const smallOrder: Hex[] = [
    le(1n), // identity, order 1
    le(P - 1n), // (0, -1), order 2
    le(0n), // (sqrt(-1), 0), order 4
    le(0n, true), // (-sqrt(-1), 0), order 4
    ORDER8,
    le(yOf(ORDER8), true),
    le(P - yOf(ORDER8)),
    le(P - yOf(ORDER8), true),
  ];
  /** R = identity, S = 0: valid under a small-order key A whenever [k]A is the identity. */
  const IDENTITY_SIG = `${le(1n)}${'00'.repeat(32)}` as Hex;

  it('accepts real keys', () => {
    expect(publicKeyWeakness(RFC_PUB as Hex)).toBeUndefined();
    expect(publicKeyWeakness(RFC2_PUB as Hex)).toBeUndefined();
    for (let i = 0; i < 20; i++) expect(publicKeyWeakness(generateKeyPair().publicKey)).toBeUndefined();
  });

  it('flags small-order keys, under which node:crypto accepts forged signatures', () => {
    for (const key of smallOrder) {
      expect([key, publicKeyWeakness(key)]).toEqual([key, expect.stringMatching(/small-order point/)]);
      // The forgery is real: some message among a few verifies without any private key.
      const forged = Array.from({ length: 64 }, (_, m) => new Uint8Array([m])).some((m) =>
        verifySignature(key, m, IDENTITY_SIG),
      );
      expect([key, forged]).toEqual([key, true]);
    }
    // No such luck with a real key.
    const real = generateKeyPair().publicKey;
    expect(
      Array.from({ length: 64 }, (_, m) => new Uint8Array([m])).some((m) => verifySignature(real, m, IDENTITY_SIG)),
    ).toBe(false);
  });

  it('flags non-canonical encodings and points off the curve', () => {
    expect(publicKeyWeakness(le(P))).toMatch(/not a canonical point encoding \(y >= p\)/);
    expect(publicKeyWeakness(le(P + 1n))).toMatch(/not a canonical/);
    expect(publicKeyWeakness(le(1n, true))).toMatch(/negative zero x/);
    expect(publicKeyWeakness(le(2n))).toMatch(/not a point on Ed25519/);
    expect(publicKeyWeakness('0x1234' as Hex)).toMatch(/32 bytes/);
  });
});
