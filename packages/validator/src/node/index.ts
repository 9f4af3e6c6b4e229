/** The validator node: composition of db, consensus, network and api. */
export { ValidatorNode } from './node.js';
export { type NodeOptions, defaultNodeOptions } from './options.js';
export type { Logger } from '../util/logger.js';
