/**
 * Blocks: a header signed by the leader of its slot, and the ordered transactions it commits to
 * through an RFC 6962 Merkle root of their hashes.
 */
import { type Hex, canonicalBytes, isHex, utf8ToBytes } from './encoding.js';
import { hashCanonical, merkleRoot } from './hash.js';
import { type Genesis, leaderOf, slotStart } from './genesis.js';
import { type Transaction, parseTransaction, txHash, txSize, voterKey } from './transaction.js';
import { type Signer, verifySignature } from './signature.js';
import { ProtocolError, ProtocolErrorCode, check } from './errors.js';
import { at } from './assert.js';

export interface BlockHeader {
  chainId: number;
  /** 1 for the first block; the genesis is height 0. */
  height: number;
  /** Slot in which the block was created by its leader. */
  slot: number;
  /** Start of the slot, unix ms (derived: genesisTime + slot * slotDurationMs). */
  timestamp: number;
  /** Hash of the block at height - 1 (the genesis hash for height 1). */
  parentHash: Hex;
  /** Index of the authority that created it: leaderOf(slot). */
  proposer: number;
  /** RFC 6962 Merkle root of the transaction hashes, in block order. */
  txRoot: Hex;
  txCount: number;
  /**
   * Commitment of the finalized state after the parent block (stateRoot.ts): the LtHash root of
   * the voter index, tallies and totals, as Tendermint's AppHash. Block 1 carries emptyStateRoot().
   */
  stateRoot: Hex;
}

export interface Block {
  header: BlockHeader;
  /** blockHash(header). */
  hash: Hex;
  /** The proposer's Ed25519 signature of blockSigningBytes(hash). */
  signature: Hex;
  transactions: Transaction[];
}

/** Hash of a header: sha256 of its canonical JSON. */
export function blockHash(header: BlockHeader): Hex {
  return hashCanonical(header);
}

/** The bytes a proposer signs for a block (domain-separated). */
export function blockSigningBytes(chainId: number, hash: Hex): Uint8Array {
  return utf8ToBytes(`poa-evote/block/v1/${chainId}/${hash}`);
}

/** Build and sign a block. */
export function createBlock(
  genesis: Genesis,
  params: {
    height: number;
    slot: number;
    parentHash: Hex;
    proposer: number;
    transactions: Transaction[];
    /** The commitment of the state after the parent (the finalized head). */
    stateRoot: Hex;
  },
  signer: Signer,
): Block {
  const header: BlockHeader = {
    chainId: genesis.chainId,
    height: params.height,
    slot: params.slot,
    timestamp: slotStart(genesis, params.slot),
    parentHash: params.parentHash,
    proposer: params.proposer,
    txRoot: merkleRoot(params.transactions.map(txHash)),
    txCount: params.transactions.length,
    stateRoot: params.stateRoot,
  };
  const hash = blockHash(header);
  return {
    header,
    hash,
    signature: signer.sign(blockSigningBytes(genesis.chainId, hash)),
    transactions: params.transactions,
  };
}

function isNat(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Context-free checks of an untrusted block: shape, hash, leader schedule, signature, tx root,
 * limits, transaction shapes, no transaction twice and no voter twice in one election. Returns
 * the block with transactions reduced to their fields. Linking to a parent and chain state is
 * checked by the caller.
 */
export function validateBlock(genesis: Genesis, input: unknown): Block {
  check(typeof input === 'object' && input !== null, ProtocolErrorCode.BLOCK_INVALID, 'block must be an object');
  const b = input as Record<string, unknown>;
  const h = b.header as Record<string, unknown> | undefined;
  check(typeof h === 'object' && h !== null, ProtocolErrorCode.BLOCK_INVALID, 'block.header must be an object');
  check(
    h.chainId === genesis.chainId,
    ProtocolErrorCode.BLOCK_INVALID,
    `block is for chain ${String(h.chainId)}, this chain is ${genesis.chainId}`,
  );
  check(
    isNat(h.height) && h.height >= 1,
    ProtocolErrorCode.BLOCK_BAD_HEIGHT,
    'block.header.height must be an integer >= 1',
  );
  check(isNat(h.slot), ProtocolErrorCode.BLOCK_BAD_SLOT, 'block.header.slot must be a non-negative integer');
  check(
    isNat(h.timestamp) && h.timestamp === slotStart(genesis, h.slot),
    ProtocolErrorCode.BLOCK_BAD_TIMESTAMP,
    `block timestamp ${String(h.timestamp)} must be the start of slot ${h.slot} (${slotStart(genesis, h.slot)}), a safe integer`,
  );
  check(isHex(h.parentHash, 32), ProtocolErrorCode.BLOCK_INVALID, 'block.header.parentHash must be a 32-byte hash');
  check(isHex(h.txRoot, 32), ProtocolErrorCode.BLOCK_INVALID, 'block.header.txRoot must be a 32-byte hash');
  check(isHex(h.stateRoot, 32), ProtocolErrorCode.BLOCK_INVALID, 'block.header.stateRoot must be a 32-byte hash');
  check(isNat(h.proposer), ProtocolErrorCode.BLOCK_INVALID, 'block.header.proposer must be an authority index');
  check(
    h.proposer === leaderOf(genesis, h.slot),
    ProtocolErrorCode.BLOCK_WRONG_LEADER,
    `block of slot ${h.slot} must be proposed by authority ${leaderOf(genesis, h.slot)}, not ${String(h.proposer)}`,
  );
  check(isNat(h.txCount), ProtocolErrorCode.BLOCK_INVALID, 'block.header.txCount must be a non-negative integer');
  check(Array.isArray(b.transactions), ProtocolErrorCode.BLOCK_INVALID, 'block.transactions must be an array');
  const header: BlockHeader = {
    chainId: genesis.chainId,
    height: h.height,
    slot: h.slot,
    timestamp: h.timestamp,
    parentHash: h.parentHash,
    proposer: h.proposer,
    txRoot: h.txRoot,
    txCount: h.txCount,
    stateRoot: h.stateRoot,
  };
  const hash = blockHash(header);
  const proposer = at(genesis.authorities, header.proposer, 'proposer authority');
  check(
    b.hash === hash,
    ProtocolErrorCode.BLOCK_BAD_HASH,
    `block hash ${String(b.hash)} does not match its header (${hash})`,
  );
  check(
    typeof b.signature === 'string' &&
      verifySignature(proposer.publicKey, blockSigningBytes(genesis.chainId, hash), b.signature as Hex),
    ProtocolErrorCode.BLOCK_BAD_SIGNATURE,
    `block ${hash} is not signed by its proposer ${proposer.id}`,
  );
  const txs = b.transactions as unknown[];
  check(
    txs.length === header.txCount,
    ProtocolErrorCode.BLOCK_INVALID,
    `block carries ${txs.length} transactions, its header says ${header.txCount}`,
  );
  check(
    txs.length <= genesis.limits.maxTxPerBlock,
    ProtocolErrorCode.BLOCK_TOO_LARGE,
    `block has ${txs.length} transactions, the limit is ${genesis.limits.maxTxPerBlock}`,
  );
  const transactions: Transaction[] = [];
  const hashes: Hex[] = [];
  const seen = new Set<string>();
  // A block holding two votes of one voter in one election is invalid whatever the chain state.
  const voters = new Map<string, number>();
  let bytes = 0;
  for (let i = 0; i < txs.length; i++) {
    let tx: Transaction;
    try {
      tx = parseTransaction(txs[i], genesis.limits.maxTxBytes);
    } catch (e) {
      throw new ProtocolError(ProtocolErrorCode.BLOCK_BAD_TX, `block transaction ${i}: ${(e as Error).message}`);
    }
    const th = txHash(tx);
    check(!seen.has(th), ProtocolErrorCode.BLOCK_BAD_TX, `block transaction ${i} (${th}) appears twice`);
    seen.add(th);
    const first = voters.get(voterKey(tx));
    check(
      first === undefined,
      ProtocolErrorCode.BLOCK_BAD_TX,
      `block transactions ${String(first)} and ${i} are two votes of voter ${tx.from} in ${tx.to}`,
    );
    voters.set(voterKey(tx), i);
    bytes += txSize(tx);
    transactions.push(tx);
    hashes.push(th);
  }
  check(
    bytes <= genesis.limits.maxBlockBytes,
    ProtocolErrorCode.BLOCK_TOO_LARGE,
    `block transactions total ${bytes} bytes, the limit is ${genesis.limits.maxBlockBytes}`,
  );
  check(
    merkleRoot(hashes) === header.txRoot,
    ProtocolErrorCode.BLOCK_BAD_TX_ROOT,
    `block ${hash} txRoot does not match its transactions`,
  );
  return { header, hash, signature: b.signature as Hex, transactions };
}

/** Check that a block directly extends a parent (hash link, height, strictly later slot). */
export function checkBlockLinks(block: Block, parent: { hash: Hex; height: number; slot: number }): void {
  check(
    block.header.height === parent.height + 1,
    ProtocolErrorCode.BLOCK_BAD_HEIGHT,
    `block height ${block.header.height} does not follow ${parent.height}`,
  );
  check(
    block.header.parentHash === parent.hash,
    ProtocolErrorCode.BLOCK_BAD_PARENT,
    `block ${block.hash} parent ${block.header.parentHash} is not ${parent.hash}`,
  );
  check(
    block.header.slot > parent.slot || parent.height === 0,
    ProtocolErrorCode.BLOCK_BAD_SLOT,
    `block slot ${block.header.slot} is not after its parent's slot ${parent.slot}`,
  );
}

/** Encoded size of a block, as sent on the wire. */
export function blockWireSize(block: Block): number {
  return canonicalBytes(block).length;
}
