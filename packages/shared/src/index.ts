/** The protocol of the PoA e-voting chain, shared by validator and client. */
export * from './encoding.js';
export * from './hash.js';
export * from './merkleProof.js';
export * from './signature.js';
export * from './errors.js';
export * from './genesis.js';
export * from './transaction.js';
export * from './block.js';
export * from './vote.js';
export * from './proposal.js';
export * from './evidence.js';
export * from './ballot.js';
export * from './tally.js';
export * from './finalized.js';
export * from './address.js';
export * from './crypto/index.js';
export * from './api/index.js';
