/**
 * Ethereum JSON-RPC shapes (execution-apis) of this chain's blocks, transactions and receipts,
 * so that tools that read Ethereum chains (ethers 6, viem 2, web3.py) can read this one. The
 * shapes are the shared contract's (packages/shared/src/api/eth.ts). Quantities are canonical
 * ("0x0", "0x1a"); fields Ethereum has and this chain does not are filled with their neutral
 * values; `from`, `to` and `miner` are addresses derived from the ids (PROTOCOL.md §15) and the
 * ids themselves ride along (`voterId`, `electionId`, `proposer`).
 *
 * Gas: votes cost nothing, but tools divide and compare gas, so every vote reports the 21,000 gas
 * of a plain Ethereum transfer ("0x5208") and a price of 0.
 */
import {
  type Authority,
  type Block,
  type EthBlock,
  type EthHeader,
  type EthReceipt,
  type EthTransaction,
  type Genesis,
  type Hex,
  type QuorumCertificate,
  type Transaction,
  authorityAddress,
  blockWireSize,
  bytesToHex,
  canonicalBytes,
  electionAddress,
  electionIdOf,
  genesisHash,
  merkleRoot,
  toQuantity,
  txHash,
  utf8ToBytes,
  voterAddress,
} from '@poa-vote/shared';
import type { Receipt } from './interface.js';

/** Gas a vote reports: that of a plain Ethereum transfer. */
export const GAS_PER_TX = 21_000;
/** An all-zero 256-byte logs bloom. */
export const EMPTY_BLOOM = `0x${'0'.repeat(512)}` as Hex;
/** 32 zero bytes. */
export const ZERO_HASH = `0x${'0'.repeat(64)}` as Hex;
/** 20 zero bytes: the genesis block's miner. */
export const ZERO_ADDRESS = `0x${'0'.repeat(40)}` as Hex;
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

/** The <id> of a transaction's `to` ("election-7" -> "7"). */
function electionIdOfTx(to: string): string {
  return electionIdOf(to) ?? to;
}

/**
 * A transaction object (eth_getTransactionByHash, full blocks). Votes are not Ethereum-signed:
 * v, r, s and yParity are zero placeholders and `ethereumSigned` says so.
 */
export function formatTransaction(
  tx: Transaction,
  hash: Hex,
  chainId: number,
  at?: Partial<TxLocation>,
): EthTransaction {
  const { blockHash, blockNumber, transactionIndex }: Partial<TxLocation> = at ?? {};
  const placed = blockHash !== undefined && blockNumber !== undefined && transactionIndex !== undefined;
  return {
    hash,
    type: '0x0',
    nonce: '0x0',
    blockHash: placed ? blockHash : null,
    blockNumber: placed ? toQuantity(blockNumber) : null,
    transactionIndex: placed ? toQuantity(transactionIndex) : null,
    from: voterAddress(tx.from),
    to: electionAddress(tx.to),
    value: '0x0',
    gas: toQuantity(GAS_PER_TX),
    gasPrice: '0x0',
    input: inputData(tx.data),
    chainId: toQuantity(chainId),
    v: '0x0',
    r: '0x0',
    s: '0x0',
    yParity: '0x0',
    voterId: tx.from,
    electionId: electionIdOfTx(tx.to),
    ethereumSigned: false,
  };
}

/** A receipt (eth_getTransactionReceipt); blockNumber, blockHash, gasUsed and status are what existing backends read. */
export function formatReceipt(r: Receipt): EthReceipt {
  return {
    transactionHash: r.transactionHash,
    transactionIndex: toQuantity(r.transactionIndex),
    blockHash: r.blockHash,
    blockNumber: toQuantity(r.blockNumber),
    from: voterAddress(r.from),
    to: electionAddress(r.to),
    voterId: r.from,
    electionId: electionIdOfTx(r.to),
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

/**
 * A block header object (eth_subscribe newHeads / finalizedHeads, and the head of every block
 * object). `certificate` is the precommit certificate of a finalized block, null for a candidate.
 */
export function formatHeader(
  block: Block,
  authorities: readonly Authority[],
  certificate: QuorumCertificate | null,
): EthHeader {
  const h = block.header;
  const gasUsed = toQuantity(GAS_PER_TX * h.txCount);
  const authority = authorities[h.proposer];
  return {
    number: toQuantity(h.height),
    hash: block.hash,
    parentHash: h.parentHash,
    nonce: '0x0000000000000000',
    mixHash: ZERO_HASH,
    sha3Uncles: EMPTY_UNCLES_HASH,
    logsBloom: EMPTY_BLOOM,
    transactionsRoot: h.txRoot,
    stateRoot: h.stateRoot,
    receiptsRoot: ZERO_HASH,
    miner: authority ? authorityAddress(authority.publicKey) : ZERO_ADDRESS,
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
    proposer: authority?.id ?? String(h.proposer),
    proposerIndex: h.proposer,
    signature: block.signature,
    finalized: certificate !== null,
    certificate,
  };
}

/** A block object (eth_getBlockByNumber / eth_getBlockByHash): transaction hashes, or objects when `fullTx`. */
export function formatBlock(
  block: Block,
  authorities: readonly Authority[],
  certificate: QuorumCertificate | null,
  fullTx: boolean,
): EthBlock {
  const at = { blockHash: block.hash, blockNumber: block.header.height };
  const transactions = fullTx
    ? block.transactions.map((tx, i) =>
        formatTransaction(tx, txHash(tx), block.header.chainId, { ...at, transactionIndex: i }),
      )
    : block.transactions.map((tx) => txHash(tx));
  return {
    ...formatHeader(block, authorities, certificate),
    size: toQuantity(blockWireSize(block)),
    transactions,
    uncles: [],
  };
}

const genesisBlocks = new WeakMap<Genesis, EthBlock>();

/**
 * Block 0, the genesis, as a block object: its hash is the genesis hash (the parentHash of
 * block 1), its time the genesisTime; it has no transactions, proposer, signature or
 * certificate, and is final by definition. Its size is that of the canonical genesis.
 */
export function formatGenesisBlock(genesis: Genesis): EthBlock {
  let b = genesisBlocks.get(genesis);
  if (b) return b;
  const emptyRoot = merkleRoot([]);
  b = {
    number: '0x0',
    hash: genesisHash(genesis),
    parentHash: ZERO_HASH,
    nonce: '0x0000000000000000',
    mixHash: ZERO_HASH,
    sha3Uncles: EMPTY_UNCLES_HASH,
    logsBloom: EMPTY_BLOOM,
    transactionsRoot: emptyRoot,
    stateRoot: ZERO_HASH,
    receiptsRoot: ZERO_HASH,
    miner: ZERO_ADDRESS,
    difficulty: '0x0',
    totalDifficulty: '0x0',
    extraData: '0x',
    gasLimit: '0x0',
    gasUsed: '0x0',
    timestamp: toQuantity(Math.floor(genesis.genesisTime / 1000)),
    chainId: toQuantity(genesis.chainId),
    slot: null,
    timestampMs: genesis.genesisTime,
    txRoot: emptyRoot,
    txCount: '0x0',
    proposer: null,
    proposerIndex: null,
    signature: null,
    finalized: true,
    certificate: null,
    size: toQuantity(canonicalBytes({ type: 'genesis', ...genesis }).length),
    transactions: [],
    uncles: [],
  };
  genesisBlocks.set(genesis, b);
  return b;
}
