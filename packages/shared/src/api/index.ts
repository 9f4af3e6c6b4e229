/** The wire contract of the validator's API, shared by the validator, the client and test servers. */
export * from './rpc.js';
export * from './bodies.js';
export * from './methods.js';
export * from './eth.js';
