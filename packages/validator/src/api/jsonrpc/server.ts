/**
 * The JSON-RPC 2.0 dispatcher, independent of transport: takes the request text (parsed once,
 * here) or an already-parsed value and returns the reply text. The calls of one batch to a
 * `callMany` method go to it together (one backend round trip); the others run a few at a time.
 *
 * Work per request is bounded: the text is scanned for depth and batch size before it is parsed,
 * each answer is serialized as it arrives and counted against the reply budget (the calls left
 * once it is spent are not run, they get -32005), and the work yields to the event loop every
 * `yieldEveryMs` so that /health and other clients are served during a big batch.
 */
import { InvariantError, at } from '@poa-vote/shared';
import { type Logger, silentLogger } from '../../util/logger.js';
import { JsonRpcError, JsonRpcErrorCode, invalidRequest, limitExceeded } from './errors.js';
import { isWellFormedString, parseParams, preview } from './params.js';
import { deeperThan, scanJson } from './scan.js';
import type {
  CallContext,
  CallOutcome,
  JsonRpcId,
  JsonRpcReply,
  JsonRpcResponse,
  RpcMethod,
  RpcSession,
} from './types.js';

/** The per-request limits of the dispatcher (a subset of the API limits, api/options.ts). */
export interface RpcLimits {
  maxBatchItems: number;
  maxResponseBytes: number;
  maxIdBytes: number;
  maxJsonDepth: number;
  yieldEveryMs: number;
}

export const defaultRpcLimits: RpcLimits = {
  maxBatchItems: 1000,
  maxResponseBytes: 32 * 1024 * 1024,
  maxIdBytes: 256,
  maxJsonDepth: 32,
  yieldEveryMs: 10,
};

export interface JsonRpcServerOptions {
  logger?: Logger;
  /** Translate an error a method threw into a JSON-RPC error; undefined means -32603. */
  mapError?: (e: unknown) => JsonRpcError | undefined;
  limits?: Partial<RpcLimits>;
  /** Told the name of each call to a registered method (metrics). */
  onCall?: (method: string) => void;
}

/** Calls of one batch (without a callMany) run at most this many at a time. */
const CALL_WINDOW = 8;
/** Request texts longer than this are parsed in a later turn of the event loop than their scan. */
const YIELD_BEFORE_PARSE_CHARS = 256 * 1024;
/** An answer longer than this makes the next calls of its batch run one at a time. */
const SMALL_ANSWER_CHARS = 64 * 1024;

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

/** The reply budget of one request: bytes of answers serialized so far. */
interface Budget {
  used: number;
  spent: boolean;
}

/** Yields to the event loop once a stretch of synchronous work reaches `everyMs`. */
class Yielder {
  #last = performance.now();
  constructor(readonly everyMs: number) {}

  async maybeYield(): Promise<void> {
    if (performance.now() - this.#last < this.everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#last = performance.now();
  }
}

/** A JSON-RPC 2.0 method registry and dispatcher. */
export class JsonRpcServer {
  readonly #methods = new Map<string, RpcMethod<unknown>>();
  readonly #logger: Logger;
  readonly #mapError: ((e: unknown) => JsonRpcError | undefined) | undefined;
  readonly limits: RpcLimits;
  readonly #onCall: ((method: string) => void) | undefined;

  constructor(opts: JsonRpcServerOptions = {}) {
    this.#logger = opts.logger ?? silentLogger;
    this.#mapError = opts.mapError;
    this.limits = { ...defaultRpcLimits, ...(opts.limits ?? {}) };
    this.#onCall = opts.onCall;
  }

  /** Add a method; a second registration of the same name is a programming error. */
  register(name: string, method: RpcMethod<unknown>): this {
    if (this.#methods.has(name)) throw new Error(`JSON-RPC method ${name} is already registered`);
    this.#methods.set(name, method);
    return this;
  }

  /** Names of the registered methods. */
  methodNames(): string[] {
    return [...this.#methods.keys()];
  }

  /** The registered methods with their definitions (the API description is generated from them). */
  methods(): [string, RpcMethod<unknown>][] {
    return [...this.#methods.entries()];
  }

  /** Dispatch a request text and return the reply text (undefined: nothing to send). Never rejects. */
  async serveText(text: string, session: RpcSession): Promise<string | undefined> {
    const scan = scanJson(text, this.limits.maxJsonDepth, this.limits.maxBatchItems);
    if (!scan.ok)
      return JSON.stringify(failure(null, scan.limit === 'maxJsonDepth' ? this.#depthError() : this.#batchError()));
    // Scanning and parsing megabytes are two long stretches: let other work run between them.
    if (text.length > YIELD_BEFORE_PARSE_CHARS) await new Promise<void>((resolve) => setImmediate(resolve));
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (e) {
      return JSON.stringify(
        failure(
          null,
          new JsonRpcError(JsonRpcErrorCode.PARSE_ERROR, `parse error: ${(e as Error).message.slice(0, 200)}`),
        ),
      );
    }
    return this.#serveParsed(message, session);
  }

  /** Dispatch a parsed request or batch and return the reply text. Never rejects. */
  async serve(message: unknown, session: RpcSession): Promise<string | undefined> {
    if (deeperThan(message, this.limits.maxJsonDepth)) return JSON.stringify(failure(null, this.#depthError()));
    return this.#serveParsed(message, session);
  }

  /** Dispatch a request text: invalid JSON gets one -32700 response. */
  async handleText(text: string, session: RpcSession): Promise<JsonRpcReply> {
    const reply = await this.serveText(text, session);
    return reply === undefined ? undefined : (JSON.parse(reply) as JsonRpcReply);
  }

  /** Dispatch a parsed request or batch. */
  async handle(message: unknown, session: RpcSession): Promise<JsonRpcReply> {
    const reply = await this.serve(message, session);
    return reply === undefined ? undefined : (JSON.parse(reply) as JsonRpcReply);
  }

  #depthError(): JsonRpcError {
    const max = this.limits.maxJsonDepth;
    return invalidRequest(`invalid request: arrays and objects nested deeper than ${max} levels`, {
      limit: 'maxJsonDepth',
      value: max,
    });
  }

  #batchError(): JsonRpcError {
    const max = this.limits.maxBatchItems;
    return limitExceeded(`a batch may hold at most ${max} calls`, 'maxBatchItems', max);
  }

  #budgetError(): JsonRpcError {
    const max = this.limits.maxResponseBytes;
    return limitExceeded(`the reply would exceed ${max} bytes; ask for less per request`, 'maxResponseBytes', max);
  }

  async #serveParsed(message: unknown, session: RpcSession): Promise<string | undefined> {
    try {
      if (!Array.isArray(message)) return (await this.#run([message], session))[0];
      if (message.length === 0) return JSON.stringify(failure(null, invalidRequest('invalid request: empty batch')));
      if (message.length > this.limits.maxBatchItems) return JSON.stringify(failure(null, this.#batchError()));
      const parts = (await this.#run(message, session)).filter((r): r is string => r !== undefined);
      return parts.length > 0 ? `[${parts.join(',')}]` : undefined;
    } catch (e) {
      // Only reachable through a bug: answer, never leave the transport without a reply.
      this.#logger.error({ err: e }, 'JSON-RPC dispatch failed');
      return JSON.stringify(failure(null, new JsonRpcError(JsonRpcErrorCode.INTERNAL_ERROR, 'internal error')));
    }
  }

  async #run(entries: readonly unknown[], session: RpcSession): Promise<(string | undefined)[]> {
    const out: (string | undefined)[] = new Array(entries.length);
    const groups = new Map<RpcMethod<unknown>, PendingCall[]>();
    const singles: { method: RpcMethod<unknown>; call: PendingCall }[] = [];
    const clock = new Yielder(this.limits.yieldEveryMs);
    const budget: Budget = { used: 0, spent: false };

    for (let i = 0; i < entries.length; i++) {
      await clock.maybeYield();
      const entry = entries[i];
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        out[i] = JSON.stringify(failure(null, invalidRequest('invalid request: a request must be a JSON object')));
        continue;
      }
      const r = entry as Record<string, unknown>;
      const isNotification = !('id' in r);
      const bad = this.#checkRequest(r);
      const id = !isNotification && this.#idProblem(r.id) === undefined ? (r.id as JsonRpcId) : null;
      if (bad) {
        out[i] = JSON.stringify(failure(id, bad));
        continue;
      }
      const name = r.method as string;
      const method = this.#methods.get(name);
      if (!method) {
        if (!isNotification)
          out[i] = JSON.stringify(
            failure(
              id,
              new JsonRpcError(
                JsonRpcErrorCode.METHOD_NOT_FOUND,
                `the method ${preview(name)} does not exist/is not available`,
              ),
            ),
          );
        continue;
      }
      this.#onCall?.(name);
      const parsed = parseParams(method.params, method.paramNames, r.params);
      if (!parsed.ok) {
        if (!isNotification) out[i] = JSON.stringify(failure(id, parsed.error));
        continue;
      }
      const call: PendingCall = {
        index: i,
        params: parsed.params,
        ctx: { id: isNotification ? undefined : id, session },
      };
      if (method.callMany) {
        const group = groups.get(method);
        if (group) group.push(call);
        else groups.set(method, [call]);
      } else {
        singles.push({ method, call });
      }
    }

    const work: Promise<void>[] = [];
    for (const [method, calls] of groups) {
      work.push(
        this.#callMany(method, calls).then(async (outcomes) => {
          for (const [k, call] of calls.entries()) {
            await clock.maybeYield();
            out[call.index] = this.#finish(call, at(outcomes, k, 'batch outcome'), budget);
          }
        }),
      );
    }
    // Calls start one at a time; the window doubles while answers are small (receipts: I/O-bound,
    // worth overlapping) and drops to 1 on a big one (full blocks: eight built at once overshot the
    // budget by 200 MB and held the event loop 0.7 s in formatting and garbage collection).
    work.push(
      new Promise<void>((resolveAll) => {
        let next = 0;
        let running = 0;
        let window = 1;
        const pump = (): void => {
          while (running < window && next < singles.length) launch(at(singles, next++, 'pending call'));
          if (running === 0 && next >= singles.length) resolveAll();
        };
        const launch = ({ method, call }: { method: RpcMethod<unknown>; call: PendingCall }): void => {
          running++;
          void (async () => {
            let size = 0;
            try {
              if (budget.spent) {
                out[call.index] = this.#finish(call, { error: this.#budgetError() }, budget);
                return;
              }
              await clock.maybeYield();
              const text = this.#finish(call, await this.#callOne(method, call), budget);
              out[call.index] = text;
              size = text?.length ?? 0;
            } finally {
              window = size > SMALL_ANSWER_CHARS ? 1 : Math.min(CALL_WINDOW, window * 2);
              running--;
              pump();
            }
          })();
        };
        pump();
      }),
    );
    await Promise.all(work);
    return out;
  }

  /** Why an id is refused, if it is. */
  #idProblem(id: unknown): JsonRpcError | undefined {
    if (!isValidId(id)) return invalidRequest('invalid request: id must be a string, a number or null');
    if (typeof id !== 'string') return undefined;
    const max = this.limits.maxIdBytes;
    if (id.length > max || Buffer.byteLength(id, 'utf8') > max)
      return invalidRequest(`invalid request: id is longer than ${max} bytes`, { limit: 'maxIdBytes', value: max });
    if (!isWellFormedString(id))
      return invalidRequest(
        'invalid request: id must be well-formed Unicode (it holds a lone surrogate such as "\\ud800")',
        { param: 'id' },
      );
    return undefined;
  }

  /** The response text of a finished call, counted against the reply budget; undefined for a notification. */
  #finish(call: PendingCall, outcome: CallOutcome, budget: Budget): string | undefined {
    const id = call.ctx.id;
    if (id === undefined) return undefined;
    if ('error' in outcome) return JSON.stringify(failure(id, outcome.error));
    let text: string;
    try {
      text = JSON.stringify({ jsonrpc: '2.0', id, result: outcome.result });
    } catch (e) {
      return JSON.stringify(failure(id, this.#toError(e)));
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    const held = call.ctx.session.heldReplyBytes?.() ?? 0;
    if (budget.spent || budget.used + bytes + held > this.limits.maxResponseBytes) {
      budget.spent = true;
      return JSON.stringify(failure(id, this.#budgetError()));
    }
    budget.used += bytes;
    call.ctx.session.onReplyBytes?.(bytes);
    return text;
  }

  #checkRequest(r: Record<string, unknown>): JsonRpcError | undefined {
    if (r.jsonrpc !== '2.0')
      return invalidRequest(`invalid request: jsonrpc must be exactly "2.0", got ${preview(r.jsonrpc)}`);
    if ('id' in r) {
      const idProblem = this.#idProblem(r.id);
      if (idProblem) return idProblem;
    }
    if (typeof r.method !== 'string') return invalidRequest('invalid request: method must be a string');
    if (r.params !== undefined && (typeof r.params !== 'object' || r.params === null))
      return invalidRequest('invalid request: params must be an array or an object');
    return undefined;
  }

  async #callOne(method: RpcMethod<unknown>, call: PendingCall): Promise<CallOutcome> {
    try {
      if (!method.call) throw new InvariantError(`method of call ${call.index} has no call()`);
      const result = await method.call(call.params, call.ctx);
      return { result: result === undefined ? null : result };
    } catch (e) {
      return { error: this.#toError(e) };
    }
  }

  async #callMany(method: RpcMethod<unknown>, calls: PendingCall[]): Promise<CallOutcome[]> {
    try {
      if (!method.callMany) throw new InvariantError('a batched method has no callMany()');
      const outcomes = await method.callMany(calls.map((c) => ({ params: c.params, ctx: c.ctx })));
      if (outcomes.length !== calls.length)
        throw new Error(`batch method answered ${outcomes.length} of ${calls.length} calls`);
      return outcomes.map((o) =>
        'error' in o ? { error: this.#toError(o.error) } : { result: o.result === undefined ? null : o.result },
      );
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
