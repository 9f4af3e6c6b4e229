/**
 * Ethereum JSON-RPC shapes (execution-apis) of this chain's blocks, transactions and receipts,
 * so that tools that read Ethereum chains can read this one. Quantities are canonical
 * ("0x0", "0x1a"); fields Ethereum has and this chain does not are filled with their neutral
 * values; fields this chain adds (slot, txRoot, proposer, signature, certificate) ride along.
 *
 * Gas: votes cost nothing, but tools divide and compare gas, so every vote reports the 21,000 gas
 * of a plain Ethereum transfer ("0x5208") and a price of 0.
 */
import { type Authority, type Block, type Hex, type QuorumCertificate, type Transaction, blockWireSize, bytesToHex, toQuantity, txHash, utf8ToBytes } from '@poa-vote/shared';
import type { Receipt } from './interface.js';

/** Gas a vote reports: that of a plain Ethereum transfer. */
export const GAS_PER_TX = 21_000;
/** An all-zero 256-byte logs bloom. */
export const EMPTY_BLOOM = `0x${'0'.repeat(512)}` as Hex;
/** 32 zero bytes. */
export const ZERO_HASH = `0x${'0'.repeat(64)}` as Hex;
/** keccak256(rlp([])): the uncles hash of a block without uncles. */
export const EMPTY_UNCLES_HASH = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347' as Hex;

const HEX_DATA_RE = /^0x([0-9a-fA-F]{2})*$/;

/** Where a transaction sits in the chain, when it is in a block. */
export interface TxLocation {
  blockHash: Hex;
  blockNumber: number;
  transactionIndex: number;
}

/** The ballot as Ethereum `input` data: hex ballots as they are, others as their UTF-8 bytes. */
export function inputData(data: string): Hex {
  return HEX_DATA_RE.test(data) ? (data.toLowerCase() as Hex) : bytesToHex(utf8ToBytes(data));
}

/** A transaction object (eth_getTransactionByHash, full blocks); `data` keeps the ballot as sent. */
export function formatTransaction(tx: Transaction, hash: Hex, chainId: number, at?: Partial<TxLocation>): Record<string, unknown> {
  const placed = at?.blockHash !== undefined && at.blockNumber !== undefined && at.transactionIndex !== undefined;
  return {
    hash,
    type: '0x0',
    nonce: '0x0',
    blockHash: placed ? at.blockHash : null,
    blockNumber: placed ? toQuantity(at.blockNumber!) : null,
    transactionIndex: placed ? toQuantity(at.transactionIndex!) : null,
    from: tx.from,
    to: tx.to,
    value: '0x0',
    gas: toQuantity(GAS_PER_TX),
    gasPrice: '0x0',
    input: inputData(tx.data),
    chainId: toQuantity(chainId),
    data: tx.data,
  };
}

/** A receipt (eth_getTransactionReceipt). */
export function formatReceipt(r: Receipt): Record<string, unknown> {
  return {
    transactionHash: r.transactionHash,
    transactionIndex: toQuantity(r.transactionIndex),
    blockHash: r.blockHash,
    blockNumber: toQuantity(r.blockNumber),
    from: r.from,
    to: r.to,
    gasUsed: toQuantity(GAS_PER_TX),
    cumulativeGasUsed: toQuantity(GAS_PER_TX * (r.transactionIndex + 1)),
    effectiveGasPrice: '0x0',
    contractAddress: null,
    logs: [],
    logsBloom: EMPTY_BLOOM,
    status: r.status === 'success' ? '0x1' : '0x0',
    type: '0x0',
  };
}

/** The id of a block's proposer (the `miner`), or its index when the authority is unknown. */
function proposerId(authorities: readonly Authority[], index: number): string {
  return authorities[index]?.id ?? String(index);
}

/**
 * A block header object (eth_subscribe newHeads / finalizedHeads, and the head of every block
 * object). `certificate` is the precommit certificate of a finalized block, null for a candidate.
 */
export function formatHeader(block: Block, authorities: readonly Authority[], certificate: QuorumCertificate | null): Record<string, unknown> {
  const h = block.header;
  const gasUsed = toQuantity(GAS_PER_TX * h.txCount);
  const miner = proposerId(authorities, h.proposer);
  return {
    number: toQuantity(h.height),
    hash: block.hash,
    parentHash: h.parentHash,
    nonce: '0x0000000000000000',
    mixHash: ZERO_HASH,
    sha3Uncles: EMPTY_UNCLES_HASH,
    logsBloom: EMPTY_BLOOM,
    transactionsRoot: h.txRoot,
    stateRoot: ZERO_HASH,
    receiptsRoot: ZERO_HASH,
    miner,
    difficulty: '0x0',
    totalDifficulty: '0x0',
    extraData: '0x',
    gasLimit: gasUsed,
    gasUsed,
    timestamp: toQuantity(Math.floor(h.timestamp / 1000)),
    // This chain's own fields.
    chainId: toQuantity(h.chainId),
    slot: toQuantity(h.slot),
    timestampMs: h.timestamp,
    txRoot: h.txRoot,
    txCount: toQuantity(h.txCount),
    proposer: miner,
    proposerIndex: h.proposer,
    signature: block.signature,
    finalized: certificate !== null,
    certificate,
  };
}

/** A block object (eth_getBlockByNumber / eth_getBlockByHash): transaction hashes, or objects when `fullTx`. */
export function formatBlock(block: Block, authorities: readonly Authority[], certificate: QuorumCertificate | null, fullTx: boolean): Record<string, unknown> {
  const at = { blockHash: block.hash, blockNumber: block.header.height };
  const transactions = block.transactions.map((tx, i) => {
    const hash = txHash(tx);
    return fullTx ? formatTransaction(tx, hash, block.header.chainId, { ...at, transactionIndex: i }) : hash;
  });
  return { ...formatHeader(block, authorities, certificate), size: toQuantity(blockWireSize(block)), transactions, uncles: [] };
}
