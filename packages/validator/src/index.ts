/** @poa-vote/validator: the full node of the PoA e-voting chain. */
export * from './node/index.js';
export * from './consensus/index.js';
export { ChainState, type ChainHead, type ChainStateSnapshot } from './state/chainState.js';
export { Mempool, type MempoolOptions } from './mempool/mempool.js';
