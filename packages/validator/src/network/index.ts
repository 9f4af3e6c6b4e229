/** The validator's libp2p network layer: gossip, request/response and authority identities. */
import '../util/polyfills.js';

export * from './interface.js';
export * from './options.js';
export * from './identity.js';
export * from './network.js';
export * from './gossip/index.js';
export * from './reqresp/index.js';
