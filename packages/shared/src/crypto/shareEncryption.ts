/**
 * Encryption of a key-ceremony share to its recipient, ECIES-style: an ephemeral ristretto255
 * key Y = y*G, the shared point S = y*E_j with the recipient's election key E_j (never the
 * validator's Ed25519 key), HKDF-SHA256 to a one-time AES-256-GCM key (@noble/ciphers), a zero
 * nonce (each key encrypts one message) and associated data binding the dealing. Revealing S
 * (with a Chaum-Pedersen proof that S = e_j*Y) lets anyone decrypt that one share: complaints.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { G, GROUP_ORDER, mulSecret, pointBytes, randomScalar, scalarBytes, type Point, type Rng } from './group.js';
import { TAGS, Transcript } from './transcript.js';

/** Bytes of an encrypted share: 32 bytes of ciphertext and a 16-byte GCM tag. */
export const SHARE_CIPHERTEXT_BYTES = 48;
const ZERO_NONCE = new Uint8Array(12);

/** Where a share sits: the ceremony (setupHash), the dealer, the recipient and the dealer's commitments. */
export interface ShareSlot {
  setupHash: Uint8Array;
  dealer: number;
  recipient: number;
  recipientKey: Point;
  commitments: readonly Point[];
}

/** key = HKDF-SHA256(ikm = S, salt = setupHash, info = lp(tag) || lp(u64 dealer) || lp(u64 recipient) || lp(Y) || lp(E_j), 32). */
function shareKey(slot: ShareSlot, Y: Point, S: Point): Uint8Array {
  const info = new Transcript(TAGS.shareKey)
    .uint(slot.dealer)
    .uint(slot.recipient)
    .point(Y)
    .point(slot.recipientKey)
    .encode();
  return hkdf(sha256, pointBytes(S), slot.setupHash, info, 32);
}

/** AAD = lp(tag) || lp(setupHash) || lp(u64 dealer) || lp(u64 recipient) || lp(C_0) .. lp(C_{t-1}) || lp(Y). */
function shareAad(slot: ShareSlot, Y: Point): Uint8Array {
  return new Transcript(TAGS.shareAad)
    .bytes(slot.setupHash)
    .uint(slot.dealer)
    .uint(slot.recipient)
    .points(slot.commitments)
    .point(Y)
    .encode();
}

/** Encrypt a share scalar to the slot's recipient. */
export function encryptShare(slot: ShareSlot, share: bigint, rng: Rng): { ephemeral: Point; ciphertext: Uint8Array } {
  const y = randomScalar(rng);
  const Y = mulSecret(G, y);
  const S = mulSecret(slot.recipientKey, y);
  const ciphertext = gcm(shareKey(slot, Y, S), ZERO_NONCE, shareAad(slot, Y)).encrypt(scalarBytes(share));
  return { ephemeral: Y, ciphertext };
}

/** Decrypt with the shared point S; undefined when the tag fails or the plaintext is not a scalar below q. */
export function decryptShare(slot: ShareSlot, Y: Point, S: Point, ciphertext: Uint8Array): bigint | undefined {
  let plain: Uint8Array;
  try {
    plain = gcm(shareKey(slot, Y, S), ZERO_NONCE, shareAad(slot, Y)).decrypt(ciphertext);
  } catch {
    return undefined;
  }
  if (plain.length !== 32) return undefined;
  const s = bytesToNumberLE(plain);
  return s < GROUP_ORDER ? s : undefined;
}
