/** Normalizers of validator answers into the client's camelCase types. */
export { formatHealth, type HealthReport } from './health.js';
export { formatReceipt, type Receipt } from './receipt.js';
export { formatTxStatus, isReplicated, type TxStatus, type TxState } from './txStatus.js';
export { formatResults, type ElectionResults } from './results.js';
export { formatBlockchain, type BlockchainInfo, type BlockchainAuthority } from './blockchain.js';
