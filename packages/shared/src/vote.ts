/**
 * Votes and quorum certificates. A prevote or precommit is an authority's signature over
 * (type, chain, height, slot, block hash). A quorum of precommits for one (height, slot, hash)
 * is a finality certificate; a quorum of prevotes is a "polka" that justifies re-proposals.
 */
import { type Hex, canonicalBytes, isHex } from './encoding.js';
import { type Genesis, quorumSize } from './genesis.js';
import { type Signer, verifySignature } from './signature.js';
import { ProtocolErrorCode, check } from './errors.js';
import { at } from './assert.js';

export type VoteType = 'prevote' | 'precommit';

export interface Vote {
  type: VoteType;
  height: number;
  slot: number;
  blockHash: Hex;
  /** Authority index. */
  validator: number;
  signature: Hex;
}

export interface SignatureEntry {
  validator: number;
  signature: Hex;
}

/** A quorum of same-type votes for one (height, slot, blockHash), signers sorted by index. */
export interface QuorumCertificate {
  type: VoteType;
  height: number;
  slot: number;
  blockHash: Hex;
  signatures: SignatureEntry[];
}

/** Canonical bytes an authority signs for a vote. */
export function voteSigningBytes(chainId: number, v: Pick<Vote, 'type' | 'height' | 'slot' | 'blockHash'>): Uint8Array {
  return canonicalBytes({
    domain: 'poa-evote/vote/v1',
    chainId,
    type: v.type,
    height: v.height,
    slot: v.slot,
    blockHash: v.blockHash,
  });
}

/** Sign a vote. */
export function createVote(
  genesis: Genesis,
  signer: Signer,
  validator: number,
  v: Pick<Vote, 'type' | 'height' | 'slot' | 'blockHash'>,
): Vote {
  return {
    type: v.type,
    height: v.height,
    slot: v.slot,
    blockHash: v.blockHash,
    validator,
    signature: signer.sign(voteSigningBytes(genesis.chainId, v)),
  };
}

const verified = new Map<string, true>();
/** Signature check with a bounded memo: the same vote reaches a node several times (gossip, certificates). */
function verifyMemo(publicKey: Hex, bytes: Uint8Array, signature: Hex): boolean {
  const key = `${publicKey}${signature}${Buffer.from(bytes).toString('base64')}`;
  if (verified.has(key)) return true;
  const ok = verifySignature(publicKey, bytes, signature);
  if (ok) {
    if (verified.size >= 20_000) verified.clear();
    verified.set(key, true);
  }
  return ok;
}

function isNat(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Validate an untrusted vote: shape, known authority, signature. */
export function validateVote(genesis: Genesis, input: unknown): Vote {
  check(typeof input === 'object' && input !== null, ProtocolErrorCode.VOTE_INVALID, 'vote must be an object');
  const v = input as Record<string, unknown>;
  check(
    v.type === 'prevote' || v.type === 'precommit',
    ProtocolErrorCode.VOTE_INVALID,
    'vote.type must be "prevote" or "precommit"',
  );
  check(isNat(v.height) && v.height >= 1, ProtocolErrorCode.VOTE_INVALID, 'vote.height must be an integer >= 1');
  check(isNat(v.slot), ProtocolErrorCode.VOTE_INVALID, 'vote.slot must be a non-negative integer');
  check(isHex(v.blockHash, 32), ProtocolErrorCode.VOTE_INVALID, 'vote.blockHash must be a 32-byte hash');
  check(
    isNat(v.validator) && v.validator < genesis.authorities.length,
    ProtocolErrorCode.VOTE_UNKNOWN_VALIDATOR,
    `vote.validator ${String(v.validator)} is not an authority index`,
  );
  check(isHex(v.signature, 64), ProtocolErrorCode.VOTE_INVALID, 'vote.signature must be 64 bytes of 0x-hex');
  const vote: Vote = {
    type: v.type,
    height: v.height,
    slot: v.slot,
    blockHash: v.blockHash,
    validator: v.validator,
    signature: v.signature,
  };
  const authority = at(genesis.authorities, vote.validator, 'voting authority');
  check(
    verifyMemo(authority.publicKey, voteSigningBytes(genesis.chainId, vote), vote.signature),
    ProtocolErrorCode.VOTE_BAD_SIGNATURE,
    `${vote.type} of ${authority.id} at height ${vote.height} slot ${vote.slot} has a bad signature`,
  );
  return vote;
}

/** Assemble a certificate from votes that all agree on (type, height, slot, blockHash). */
export function certificateFromVotes(votes: readonly Vote[]): QuorumCertificate {
  const first = votes[0];
  check(first !== undefined, ProtocolErrorCode.CERT_INVALID, 'a certificate needs at least one vote');
  const byValidator = new Map<number, Hex>();
  for (const v of votes) {
    check(
      v.type === first.type && v.height === first.height && v.slot === first.slot && v.blockHash === first.blockHash,
      ProtocolErrorCode.CERT_INVALID,
      'certificate votes disagree',
    );
    byValidator.set(v.validator, v.signature);
  }
  const signatures = [...byValidator.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([validator, signature]) => ({ validator, signature }));
  return { type: first.type, height: first.height, slot: first.slot, blockHash: first.blockHash, signatures };
}

/**
 * Verify an untrusted certificate against the genesis authorities: shape, distinct known
 * signers, valid signatures, at least a quorum. Optionally pin type, height and block hash.
 */
export function verifyCertificate(
  genesis: Genesis,
  input: unknown,
  expect: { type?: VoteType; height?: number; blockHash?: Hex } = {},
): QuorumCertificate {
  check(typeof input === 'object' && input !== null, ProtocolErrorCode.CERT_INVALID, 'certificate must be an object');
  const c = input as Record<string, unknown>;
  check(
    c.type === 'prevote' || c.type === 'precommit',
    ProtocolErrorCode.CERT_INVALID,
    'certificate.type must be "prevote" or "precommit"',
  );
  check(isNat(c.height) && c.height >= 1, ProtocolErrorCode.CERT_INVALID, 'certificate.height must be an integer >= 1');
  check(isNat(c.slot), ProtocolErrorCode.CERT_INVALID, 'certificate.slot must be a non-negative integer');
  check(isHex(c.blockHash, 32), ProtocolErrorCode.CERT_INVALID, 'certificate.blockHash must be a 32-byte hash');
  check(Array.isArray(c.signatures), ProtocolErrorCode.CERT_INVALID, 'certificate.signatures must be an array');
  if (expect.type !== undefined)
    check(
      c.type === expect.type,
      ProtocolErrorCode.CERT_INVALID,
      `expected a ${expect.type} certificate, got ${c.type}`,
    );
  if (expect.height !== undefined)
    check(
      c.height === expect.height,
      ProtocolErrorCode.CERT_INVALID,
      `certificate is for height ${c.height}, expected ${expect.height}`,
    );
  if (expect.blockHash !== undefined)
    check(
      c.blockHash === expect.blockHash,
      ProtocolErrorCode.CERT_INVALID,
      `certificate is for block ${c.blockHash}, expected ${expect.blockHash}`,
    );
  const seen = new Set<number>();
  const signatures: SignatureEntry[] = [];
  for (const s of c.signatures as unknown[]) {
    const e = s as Record<string, unknown>;
    check(
      typeof e === 'object' && e !== null && isNat(e.validator) && e.validator < genesis.authorities.length,
      ProtocolErrorCode.CERT_INVALID,
      'certificate signer is not an authority index',
    );
    check(
      !seen.has(e.validator),
      ProtocolErrorCode.CERT_DUPLICATE_SIGNER,
      `certificate lists authority ${e.validator} twice`,
    );
    check(isHex(e.signature, 64), ProtocolErrorCode.CERT_INVALID, 'certificate signature must be 64 bytes of 0x-hex');
    seen.add(e.validator);
    const bytes = voteSigningBytes(genesis.chainId, {
      type: c.type,
      height: c.height,
      slot: c.slot,
      blockHash: c.blockHash,
    });
    const signer = at(genesis.authorities, e.validator, 'certificate signer');
    check(
      verifyMemo(signer.publicKey, bytes, e.signature),
      ProtocolErrorCode.VOTE_BAD_SIGNATURE,
      `certificate signature of ${signer.id} does not verify`,
    );
    signatures.push({ validator: e.validator, signature: e.signature });
  }
  const q = quorumSize(genesis);
  check(
    signatures.length >= q,
    ProtocolErrorCode.CERT_NO_QUORUM,
    `certificate has ${signatures.length} signatures, a quorum is ${q}`,
  );
  return { type: c.type, height: c.height, slot: c.slot, blockHash: c.blockHash, signatures };
}
