/** Gossip: topics, wire encoding, validation and transaction batching. */
export * from './topic.js';
export * from './encoding.js';
export * from './validation.js';
