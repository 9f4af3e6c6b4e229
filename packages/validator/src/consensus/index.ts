/** Consensus: the deterministic core and its message and persistence contract. */
export { ConsensusCore, type ConsensusInit } from './core.js';
export * from './interface.js';
export { type ConsensusOptions, defaultConsensusOptions } from './options.js';
export { VoteSet } from './voteSet.js';
