/**
 * Proposals: the leader of a slot offers a block for a height. A re-proposal of a block that
 * already gathered a quorum of prevotes (a polka) at an earlier slot carries that certificate,
 * so validators locked on an older polka can safely switch (Tendermint's validRound rule).
 */
import { type Hex, canonicalBytes, isHex } from './encoding.js';
import { type Genesis, leaderOf } from './genesis.js';
import { type Block, validateBlock } from './block.js';
import { type QuorumCertificate, verifyCertificate } from './vote.js';
import { type Signer, verifySignature } from './signature.js';
import { ProtocolErrorCode, check } from './errors.js';
import { at } from './assert.js';

export interface Proposal {
  height: number;
  slot: number;
  block: Block;
  /** Slot of the polka that justifies this block, or -1 for a fresh block. */
  validRound: number;
  /** The prevote certificate at validRound (present iff validRound >= 0). */
  polka?: QuorumCertificate;
  /** Leader of `slot` signing proposalSigningBytes. */
  signature: Hex;
}

/** Canonical bytes a leader signs for a proposal. */
export function proposalSigningBytes(
  chainId: number,
  p: { height: number; slot: number; blockHash: Hex; validRound: number },
): Uint8Array {
  return canonicalBytes({
    domain: 'poa-evote/proposal/v1',
    chainId,
    height: p.height,
    slot: p.slot,
    blockHash: p.blockHash,
    validRound: p.validRound,
  });
}

/** Sign a proposal. */
export function createProposal(
  genesis: Genesis,
  signer: Signer,
  p: { slot: number; block: Block; validRound: number; polka?: QuorumCertificate },
): Proposal {
  const height = p.block.header.height;
  const signature = signer.sign(
    proposalSigningBytes(genesis.chainId, { height, slot: p.slot, blockHash: p.block.hash, validRound: p.validRound }),
  );
  return {
    height,
    slot: p.slot,
    block: p.block,
    validRound: p.validRound,
    ...(p.polka ? { polka: p.polka } : {}),
    signature,
  };
}

/**
 * Proposals validateProposal returned, with the genesis they were checked against. A validator
 * checks a peer's proposal at the network edge, and its consensus core checks what it is handed
 * again (the simulator feeds the core directly); the second check of the very object the first
 * one returned is skipped: it is ~10 ms of parsing and hashing for a block of 2,000 votes, in the
 * core's synchronous step. Only objects this function produced are remembered (a copy, however
 * equal, is checked in full), and callers treat a validated proposal as immutable.
 */
const checked = new WeakMap<object, Genesis>();

/**
 * Validate an untrusted proposal: leader of its slot, signature, the block's own rules, block
 * created no later than the proposal slot, and the polka certificate when it re-proposes.
 */
export function validateProposal(genesis: Genesis, input: unknown): Proposal {
  check(typeof input === 'object' && input !== null, ProtocolErrorCode.PROPOSAL_INVALID, 'proposal must be an object');
  if (checked.get(input) === genesis) return input as Proposal;
  const p = input as Record<string, unknown>;
  check(
    typeof p.slot === 'number' && Number.isSafeInteger(p.slot) && p.slot >= 0,
    ProtocolErrorCode.PROPOSAL_INVALID,
    'proposal.slot must be a non-negative integer',
  );
  check(
    typeof p.validRound === 'number' &&
      Number.isSafeInteger(p.validRound) &&
      p.validRound >= -1 &&
      p.validRound < p.slot,
    ProtocolErrorCode.PROPOSAL_INVALID,
    'proposal.validRound must be -1 or an earlier slot',
  );
  check(isHex(p.signature, 64), ProtocolErrorCode.PROPOSAL_INVALID, 'proposal.signature must be 64 bytes of 0x-hex');
  const block = validateBlock(genesis, p.block);
  check(
    p.height === block.header.height,
    ProtocolErrorCode.PROPOSAL_INVALID,
    `proposal height ${String(p.height)} differs from its block's ${block.header.height}`,
  );
  check(
    block.header.slot <= p.slot,
    ProtocolErrorCode.PROPOSAL_INVALID,
    `proposal at slot ${p.slot} carries a block from a later slot ${block.header.slot}`,
  );
  const leader = at(genesis.authorities, leaderOf(genesis, p.slot), 'leader authority');
  const bytes = proposalSigningBytes(genesis.chainId, {
    height: block.header.height,
    slot: p.slot,
    blockHash: block.hash,
    validRound: p.validRound,
  });
  check(
    verifySignature(leader.publicKey, bytes, p.signature),
    ProtocolErrorCode.PROPOSAL_INVALID,
    `proposal for slot ${p.slot} is not signed by its leader ${leader.id}`,
  );
  let polka: QuorumCertificate | undefined;
  if (p.validRound >= 0) {
    polka = verifyCertificate(genesis, p.polka, {
      type: 'prevote',
      height: block.header.height,
      blockHash: block.hash,
    });
    check(
      polka.slot === p.validRound,
      ProtocolErrorCode.PROPOSAL_INVALID,
      `proposal polka is for slot ${polka.slot}, validRound is ${p.validRound}`,
    );
  } else {
    check(
      block.header.slot === p.slot,
      ProtocolErrorCode.PROPOSAL_INVALID,
      'a fresh proposal (validRound -1) must carry a block created in its own slot',
    );
  }
  const proposal: Proposal = {
    height: block.header.height,
    slot: p.slot,
    block,
    validRound: p.validRound,
    ...(polka ? { polka } : {}),
    signature: p.signature,
  };
  checked.set(proposal, genesis);
  return proposal;
}
