/**
 * Limits of the API server: what one request, one connection and all clients together may cost
 * the node. Every limit is a `start` setting (cli/config.ts); the defaults are sized so that a
 * validator on a 2-core, 2 GB machine survives hostile clients (docs/SECURITY.md has the figures).
 */

export interface ApiLimits {
  /** Host names (Host header) served; IP literals are always served; "*" serves any name (DNS rebinding defence). */
  vhosts: readonly string[];
  /** Origins (e.g. https://explorer.example) allowed cross-origin (CORS); "*" allows any. Same-origin is always allowed. */
  corsOrigins: readonly string[];
  /** Most calls in one JSON-RPC batch; more: one -32005 error before any call runs. */
  maxBatchItems: number;
  /** Most bytes of one reply (a single answer or a whole batch); calls past it get -32005. */
  maxResponseBytes: number;
  /** Longest JSON-RPC id, UTF-8 bytes; longer: -32600. */
  maxIdBytes: number;
  /** Deepest nesting of arrays and objects in a request; deeper: -32600 before it is parsed. */
  maxJsonDepth: number;
  /** Unsent reply bytes over all clients (HTTP and WebSocket) before new requests are refused (503 / -32005). */
  maxPendingResponseBytes: number;
  /** V8 heap use, percent of the heap limit, from which new requests are refused (503 / -32005); /health still answers. */
  heapLimitPercent: number;
  /** Most open HTTP connections (WebSockets included): `server.maxConnections`. */
  httpMaxConnections: number;
  /** Most unanswered requests pipelined on one HTTP connection; more: 429 and the connection is closed. */
  httpMaxPipelined: number;
  /** Time a client has to send the request headers (ms). */
  httpHeadersTimeoutMs: number;
  /** Time a client has to send a whole request (ms). */
  httpRequestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this (ms). */
  httpKeepAliveTimeoutMs: number;
  /** Most WebSocket connections. */
  wsMaxConnections: number;
  /** Most WebSocket connections from one remote address. */
  wsMaxConnectionsPerIp: number;
  /** A WebSocket client with more unsent bytes than this is disconnected (close 1013). */
  wsMaxBufferedBytes: number;
  /** Most requests of one WebSocket connection being executed at once; more: -32005. */
  wsMaxInFlight: number;
  /** A WebSocket client that holds unsent bytes and takes none of them for this long is disconnected (close 1013). */
  wsStallMs: number;
  /** Longest synchronous stretch of one request's work before it yields to the event loop (ms). */
  yieldEveryMs: number;
}

const MiB = 1024 * 1024;

/** Defaults a small validator survives; see docs/SECURITY.md. */
export const defaultApiLimits: ApiLimits = {
  vhosts: ['localhost'],
  corsOrigins: [],
  maxBatchItems: 1000,
  // A full block of the default genesis (8 MiB of ballots, 10,000 txs) with full transactions is ~30 MB.
  maxResponseBytes: 32 * MiB,
  maxIdBytes: 256,
  maxJsonDepth: 32,
  maxPendingResponseBytes: 256 * MiB,
  heapLimitPercent: 80,
  httpMaxConnections: 1024,
  httpMaxPipelined: 16,
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 30_000,
  httpKeepAliveTimeoutMs: 5_000,
  wsMaxConnections: 256,
  wsMaxConnectionsPerIp: 32,
  wsMaxBufferedBytes: 16 * MiB,
  wsMaxInFlight: 4,
  wsStallMs: 5_000,
  yieldEveryMs: 10,
};

let processDefaults: Partial<ApiLimits> = {};

/**
 * Set the limits an ApiServer uses when its options carry none (the CLI calls this with the
 * validated settings). A bridge: the node composes the ApiServer with an explicit option list,
 * so limits reach it this way until the node passes `limits` itself.
 */
export function setProcessApiLimits(limits: Partial<ApiLimits> | undefined): void {
  processDefaults = { ...(limits ?? {}) };
}

/** The effective limits: defaults, then the process's settings, then the server's own options. */
export function resolveApiLimits(own?: Partial<ApiLimits>): ApiLimits {
  const out = { ...defaultApiLimits, ...processDefaults, ...(own ?? {}) };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === 'number' && (!Number.isFinite(v) || v <= 0))
      throw new RangeError(`API limit ${k} must be a positive number, got ${v}`);
  }
  return out;
}
