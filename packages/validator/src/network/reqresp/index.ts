/** Request/response protocols: sync, block, direct, channel; length-prefixed JSON frames. */
export * from './protocols.js';
export * from './frame.js';
export * from './context.js';
export * from './sync.js';
export * from './block.js';
export * from './direct.js';
export * from './channel.js';
export * from './snapshot.js';
