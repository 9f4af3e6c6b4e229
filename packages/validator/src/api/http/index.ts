/** The HTTP side of the API: the JSON-RPC endpoint and the REST routes. */
export { createRpcHandler } from './rpc.js';
export { createHttpApp } from './app.js';
export { healthBody } from './health.js';
export { HttpError, sendJson } from './respond.js';
export { readBody, BODY_TOO_LARGE, BODY_ABORTED, type BodyResult } from './body.js';
