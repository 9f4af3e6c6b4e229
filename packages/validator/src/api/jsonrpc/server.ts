/**
 * The JSON-RPC 2.0 dispatcher, independent of transport: takes the request text (parsed once,
 * here) or an already-parsed value and returns what to send back. Batches run concurrently; the
 * calls of one batch to a `callMany` method go to it together (one backend round trip).
 */
import type { ApiLogger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { JsonRpcError, JsonRpcErrorCode, invalidRequest } from './errors.js';
import { parseParams, preview } from './params.js';
import type { CallContext, CallOutcome, JsonRpcId, JsonRpcReply, JsonRpcResponse, RpcMethod, RpcSession } from './types.js';

export interface JsonRpcServerOptions {
  logger?: ApiLogger;
  /** Translate an error a method threw into a JSON-RPC error; undefined means -32603. */
  mapError?: (e: unknown) => JsonRpcError | undefined;
}

interface PendingCall {
  index: number;
  params: unknown;
  ctx: CallContext;
}

/** Build a failure response. */
export function failure(id: JsonRpcId, error: JsonRpcError): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: error.toObject() };
}

function isValidId(v: unknown): v is JsonRpcId {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/** A JSON-RPC 2.0 method registry and dispatcher. */
export class JsonRpcServer {
  readonly #methods = new Map<string, RpcMethod<unknown>>();
  readonly #logger: ApiLogger;
  readonly #mapError: ((e: unknown) => JsonRpcError | undefined) | undefined;

  constructor(opts: JsonRpcServerOptions = {}) {
    this.#logger = opts.logger ?? silentLogger;
    this.#mapError = opts.mapError;
  }

  /** Add a method; a second registration of the same name is a programming error. */
  register(name: string, method: RpcMethod<any>): this {
    if (this.#methods.has(name)) throw new Error(`JSON-RPC method ${name} is already registered`);
    this.#methods.set(name, method as RpcMethod<unknown>);
    return this;
  }

  /** Names of the registered methods. */
  methodNames(): string[] {
    return [...this.#methods.keys()];
  }

  /** Dispatch a request text: invalid JSON gets one -32700 response. */
  async handleText(text: string, session: RpcSession): Promise<JsonRpcReply> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (e) {
      return failure(null, new JsonRpcError(JsonRpcErrorCode.PARSE_ERROR, `parse error: ${(e as Error).message}`));
    }
    return this.handle(message, session);
  }

  /** Dispatch a parsed request or batch. */
  async handle(message: unknown, session: RpcSession): Promise<JsonRpcReply> {
    if (!Array.isArray(message)) return (await this.#run([message], session))[0];
    if (message.length === 0) return failure(null, invalidRequest('invalid request: empty batch'));
    const replies = (await this.#run(message, session)).filter((r): r is JsonRpcResponse => r !== undefined);
    return replies.length > 0 ? replies : undefined;
  }

  async #run(entries: readonly unknown[], session: RpcSession): Promise<(JsonRpcResponse | undefined)[]> {
    const out: (JsonRpcResponse | undefined)[] = new Array(entries.length);
    const groups = new Map<RpcMethod<unknown>, PendingCall[]>();
    const work: Promise<void>[] = [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        out[i] = failure(null, invalidRequest('invalid request: a request must be a JSON object'));
        continue;
      }
      const r = entry as Record<string, unknown>;
      const isNotification = !('id' in r);
      const id = !isNotification && isValidId(r.id) ? r.id : null;
      const bad = this.#checkRequest(r);
      if (bad) {
        out[i] = failure(id, bad);
        continue;
      }
      const name = r.method as string;
      const method = this.#methods.get(name);
      if (!method) {
        if (!isNotification) out[i] = failure(id, new JsonRpcError(JsonRpcErrorCode.METHOD_NOT_FOUND, `the method ${preview(name)} does not exist/is not available`));
        continue;
      }
      const parsed = parseParams(method.params, method.paramNames, r.params);
      if (!parsed.ok) {
        if (!isNotification) out[i] = failure(id, parsed.error);
        continue;
      }
      const call: PendingCall = { index: i, params: parsed.params, ctx: { id: isNotification ? undefined : id, session } };
      if (method.callMany) {
        const group = groups.get(method);
        if (group) group.push(call);
        else groups.set(method, [call]);
      } else {
        work.push(this.#callOne(method, call).then((o) => void (out[i] = this.#respond(call, o))));
      }
    }
    for (const [method, calls] of groups) {
      work.push(
        this.#callMany(method, calls).then((outcomes) => {
          calls.forEach((c, k) => (out[c.index] = this.#respond(c, outcomes[k]!)));
        }),
      );
    }
    await Promise.all(work);
    return out;
  }

  #checkRequest(r: Record<string, unknown>): JsonRpcError | undefined {
    if (r.jsonrpc !== '2.0') return invalidRequest(`invalid request: jsonrpc must be exactly "2.0", got ${preview(r.jsonrpc)}`);
    if ('id' in r && !isValidId(r.id)) return invalidRequest('invalid request: id must be a string, a number or null');
    if (typeof r.method !== 'string') return invalidRequest('invalid request: method must be a string');
    if (r.params !== undefined && (typeof r.params !== 'object' || r.params === null)) return invalidRequest('invalid request: params must be an array or an object');
    return undefined;
  }

  #respond(call: PendingCall, outcome: CallOutcome): JsonRpcResponse | undefined {
    if (call.ctx.id === undefined) return undefined;
    return 'error' in outcome ? failure(call.ctx.id, outcome.error) : { jsonrpc: '2.0', id: call.ctx.id, result: outcome.result };
  }

  async #callOne(method: RpcMethod<unknown>, call: PendingCall): Promise<CallOutcome> {
    try {
      const result = await method.call!(call.params, call.ctx);
      return { result: result === undefined ? null : result };
    } catch (e) {
      return { error: this.#toError(e) };
    }
  }

  async #callMany(method: RpcMethod<unknown>, calls: PendingCall[]): Promise<CallOutcome[]> {
    try {
      const outcomes = await method.callMany!(calls.map((c) => ({ params: c.params, ctx: c.ctx })));
      if (outcomes.length !== calls.length) throw new Error(`batch method answered ${outcomes.length} of ${calls.length} calls`);
      return outcomes.map((o) => ('error' in o ? { error: this.#toError(o.error) } : { result: o.result === undefined ? null : o.result }));
    } catch (e) {
      const error = this.#toError(e);
      return calls.map(() => ({ error }));
    }
  }

  #toError(e: unknown): JsonRpcError {
    if (e instanceof JsonRpcError) return e;
    const mapped = this.#mapError?.(e);
    if (mapped) return mapped;
    // Only the message goes out: stacks and internals stay in the log.
    this.#logger.error({ err: e }, 'JSON-RPC method failed');
    const message = e instanceof Error ? e.message : String(e);
    return new JsonRpcError(JsonRpcErrorCode.INTERNAL_ERROR, `internal error: ${message}`);
  }
}
