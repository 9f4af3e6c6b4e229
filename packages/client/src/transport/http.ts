/**
 * HTTP transport to one validator: JSON GETs and JSON-RPC 2.0 calls (single and batch) over
 * fetch, each bounded by a timeout and cancellable through an AbortSignal.
 */
import {
  AbortError,
  BaseError,
  HttpRequestError,
  InvalidArgumentError,
  InvalidResponseError,
  RpcError,
  TimeoutError,
} from '../errors.js';
import { linkedAbortController } from '../utils/signal.js';

export interface HttpTransportOptions {
  /** Default per-request timeout. */
  timeoutMs?: number;
  /** Aborts every request of this transport (the client's close()). */
  signal?: AbortSignal;
  /** fetch implementation (tests, proxies). */
  fetchFn?: typeof fetch;
  /** API token sent as `Authorization: Bearer <token>` on every request (validators that need credentials to write). */
  apiToken?: string;
  /** Extra headers sent on every request. */
  headers?: Record<string, string>;
}

/**
 * The `Authorization` header of an API token. The token is checked here, once, so that a stray
 * newline cannot split the header.
 * @example
 * bearerHeader(process.env.POA_API_TOKEN!) // { authorization: 'Bearer ...' }
 */
export function bearerHeader(apiToken: string): { authorization: string } {
  if (typeof apiToken !== 'string' || !/^[\x21-\x7e]{1,4096}$/.test(apiToken))
    throw new InvalidArgumentError('apiToken', 'must be a non-empty string of printable ASCII without spaces');
  return { authorization: `Bearer ${apiToken}` };
}

/**
 * A fetch that sends `Authorization: Bearer <apiToken>` with every request: pass it as `fetchFn`
 * to createVotingClient so that every request of the validator pool carries the credential.
 * @example
 * const client = createVotingClient({ validators, fetchFn: fetchWithApiToken(token), webSocket: { apiToken: token } });
 */
export function fetchWithApiToken(apiToken: string, fetchFn: typeof fetch = fetch): typeof fetch {
  const auth = bearerHeader(apiToken);
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', auth.authorization);
    return fetchFn(input, { ...init, headers });
  };
}

export interface HttpRequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpGetOptions extends HttpRequestOptions {
  /** Non-2xx statuses whose JSON body is still an answer (503 from /health, 404 for a missing block). */
  acceptStatus?: readonly number[];
}

export type JsonRpcId = string | number;

export interface JsonRpcCall {
  method: string;
  params?: unknown[];
  /** Request id; validators use it as the submission id of eth_sendTransaction. */
  id?: JsonRpcId;
}

/** The answer to one call of a batch. */
export type JsonRpcOutcome<T = unknown> =
  | { ok: true; id: JsonRpcId; result: T }
  | { ok: false; id: JsonRpcId; error: BaseError };

export interface HttpTransport {
  /** Base URL of the validator (no trailing slash). */
  readonly url: string;
  /** GET a JSON document. */
  get<T = unknown>(path: string, options?: HttpGetOptions): Promise<{ status: number; body: T }>;
  /** One JSON-RPC call; throws RpcError for an error answer. */
  request<T = unknown>(
    method: string,
    params?: unknown[],
    options?: HttpRequestOptions & { id?: JsonRpcId },
  ): Promise<T>;
  /** A JSON-RPC batch; one outcome per call, in call order. */
  batch(calls: readonly JsonRpcCall[], options?: HttpRequestOptions): Promise<JsonRpcOutcome[]>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

function isErrorObject(e: unknown): e is JsonRpcErrorObject {
  return typeof e === 'object' && e !== null && typeof (e as JsonRpcErrorObject).code === 'number';
}

function idKey(id: unknown): string {
  return `${typeof id}:${String(id)}`;
}

/**
 * Create the HTTP transport of one validator.
 * @example
 * const t = createHttpTransport('http://localhost:8001', { timeoutMs: 5000 });
 * const height = await t.request<string>('eth_blockNumber');
 */
export function createHttpTransport(baseUrl: string, options: HttpTransportOptions = {}): HttpTransport {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new InvalidArgumentError('rpcUrl', `${JSON.stringify(baseUrl)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new InvalidArgumentError('rpcUrl', `${baseUrl} must be http:// or https://`);
  const url = baseUrl.replace(/\/+$/, '');
  const fetchFn = options.fetchFn ?? fetch;
  const defaultTimeout = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const extraHeaders: Record<string, string> = {
    ...options.headers,
    ...(options.apiToken !== undefined ? bearerHeader(options.apiToken) : {}),
  };
  let nextId = 1;

  async function send(
    path: string,
    init: { method: string; body?: string },
    opts: HttpGetOptions,
    operation: string,
  ): Promise<{ status: number; body: unknown }> {
    const target = `${url}${path}`;
    const timeoutMs = opts.timeoutMs ?? defaultTimeout;
    const { controller, dispose } = linkedAbortController(opts.signal, options.signal);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      let res: Response;
      let text: string;
      try {
        res = await fetchFn(target, {
          method: init.method,
          headers:
            init.body === undefined
              ? { ...extraHeaders, accept: 'application/json' }
              : { ...extraHeaders, 'content-type': 'application/json', accept: 'application/json' },
          ...(init.body !== undefined ? { body: init.body } : {}),
          signal: controller.signal,
        });
        text = await res.text();
      } catch (err) {
        if (timedOut) throw new TimeoutError(operation, timeoutMs, { url: target });
        if (controller.signal.aborted) throw new AbortError(operation, controller.signal.reason);
        throw new HttpRequestError({ url: target, cause: err });
      }
      if (!res.ok && !(opts.acceptStatus ?? []).includes(res.status))
        throw new HttpRequestError({ url: target, status: res.status, body: text });
      if (text.length === 0) return { status: res.status, body: undefined };
      try {
        return { status: res.status, body: JSON.parse(text) as unknown };
      } catch (err) {
        throw new InvalidResponseError(`body is not JSON (status ${res.status})`, { url: target, cause: err });
      }
    } finally {
      clearTimeout(timer);
      dispose();
    }
  }

  function toOutcome(entry: unknown, target: string): JsonRpcOutcome {
    const r = entry as { id?: JsonRpcId; result?: unknown; error?: unknown };
    if (isErrorObject(r.error)) {
      return {
        ok: false,
        id: r.id as JsonRpcId,
        error: new RpcError({
          code: r.error.code,
          message: String(r.error.message ?? ''),
          data: r.error.data,
          url: target,
        }),
      };
    }
    if (!('result' in r))
      return {
        ok: false,
        id: r.id as JsonRpcId,
        error: new InvalidResponseError('JSON-RPC answer has neither result nor error', { url: target }),
      };
    return { ok: true, id: r.id as JsonRpcId, result: r.result };
  }

  return {
    url,

    async get<T>(path: string, opts: HttpGetOptions = {}): Promise<{ status: number; body: T }> {
      const r = await send(path, { method: 'GET' }, opts, `GET ${path}`);
      return { status: r.status, body: r.body as T };
    },

    async request<T>(
      method: string,
      params: unknown[] = [],
      opts: HttpRequestOptions & { id?: JsonRpcId } = {},
    ): Promise<T> {
      const id = opts.id ?? nextId++;
      const { body } = await send(
        '/rpc',
        { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id, method, params }) },
        opts,
        method,
      );
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new InvalidResponseError(`${method} answer is not a JSON-RPC object`, { url: `${url}/rpc` });
      const outcome = toOutcome(body, `${url}/rpc`);
      if (!outcome.ok) throw outcome.error;
      if (outcome.id !== id)
        throw new InvalidResponseError(
          `${method} answer has id ${JSON.stringify(outcome.id)}, expected ${JSON.stringify(id)}`,
          { url: `${url}/rpc` },
        );
      return outcome.result as T;
    },

    async batch(calls: readonly JsonRpcCall[], opts: HttpRequestOptions = {}): Promise<JsonRpcOutcome[]> {
      if (calls.length === 0) return [];
      const ids = calls.map((c) => c.id ?? nextId++);
      const keys = new Set(ids.map(idKey));
      if (keys.size !== ids.length)
        throw new InvalidArgumentError('batch', 'request ids must be unique within a batch');
      const payload = calls.map((c, i) => ({ jsonrpc: '2.0', id: ids[i], method: c.method, params: c.params ?? [] }));
      const target = `${url}/rpc`;
      const { body } = await send(
        '/rpc',
        { method: 'POST', body: JSON.stringify(payload) },
        opts,
        `batch of ${calls.length}`,
      );
      if (!Array.isArray(body)) {
        // A whole-batch failure comes back as one error object (JSON-RPC 2.0 section 6).
        const single = toOutcome(body ?? {}, target);
        throw single.ok ? new InvalidResponseError('batch answer is not an array', { url: target }) : single.error;
      }
      const byId = new Map<string, JsonRpcOutcome>();
      for (const entry of body) {
        if (typeof entry !== 'object' || entry === null) continue;
        const o = toOutcome(entry, target);
        byId.set(idKey(o.id), o);
      }
      return ids.map(
        (id) =>
          byId.get(idKey(id)) ?? {
            ok: false as const,
            id,
            error: new InvalidResponseError(`batch answer has no entry for id ${JSON.stringify(id)}`, { url: target }),
          },
      );
    },
  };
}
