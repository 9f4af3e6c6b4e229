/**
 * Admission of new work over all clients: refused (503 over HTTP, -32005 everywhere) while the
 * heap is near its limit or while too many reply bytes wait for clients that do not read them.
 * Per-request limits bound one request; this bounds the sum, which a crowd of clients can push.
 */
import type { ServerResponse } from 'node:http';
import { HeapGuard } from '../util/heapGuard.js';
import { type JsonRpcError, limitExceeded } from './jsonrpc/errors.js';

export interface AdmissionLimits {
  maxPendingResponseBytes: number;
  heapLimitPercent: number;
}

/** Tracks unsent reply bytes and decides whether new requests are taken. */
export class Admission {
  readonly #limits: AdmissionLimits;
  readonly #heap: HeapGuard;
  readonly #wsBuffered: () => number;
  #httpPending = 0;

  /** `wsBuffered` sums the unsent bytes of the WebSocket connections. */
  constructor(
    limits: AdmissionLimits,
    wsBuffered: () => number = () => 0,
    heap: HeapGuard = new HeapGuard(limits.heapLimitPercent),
  ) {
    this.#limits = limits;
    this.#heap = heap;
    this.#wsBuffered = wsBuffered;
  }

  /** Reply bytes handed to clients' sockets and not yet flushed to the kernel. */
  pendingBytes(): number {
    return this.#httpPending + this.#wsBuffered();
  }

  /** The error to refuse new work with, or undefined to take it. */
  refusal(): JsonRpcError | undefined {
    if (this.#heap.overloaded()) {
      return limitExceeded(
        `the node's memory is nearly full (${this.#limits.heapLimitPercent}% of the heap limit): retry later or on another node`,
        'heapLimitPercent',
        this.#limits.heapLimitPercent,
      );
    }
    const max = this.#limits.maxPendingResponseBytes;
    if (this.pendingBytes() > max)
      return limitExceeded(
        `more than ${max} reply bytes wait for clients to read them: retry later or on another node`,
        'maxPendingResponseBytes',
        max,
      );
    return undefined;
  }

  /** Count an HTTP reply's bytes until its response is flushed or its connection closes. */
  trackHttp(res: ServerResponse, bytes: number): void {
    this.#httpPending += bytes;
    let done = false;
    const release = (): void => {
      if (done) return;
      done = true;
      this.#httpPending -= bytes;
    };
    res.once('finish', release);
    res.once('close', release);
  }
}
