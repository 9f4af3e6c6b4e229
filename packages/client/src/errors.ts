/**
 * Client errors. Every error extends BaseError (short message first, details after, cause chain
 * kept) and has a stable `name`; there is one class per failure a backend handles differently.
 */

/** JSON-RPC error codes the validators use; -32010.. are server-defined. */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** The validator cannot serve now (starting, recovering a lost disk); another one can. */
  Unavailable: -32002,
  DoubleVote: -32010,
  PoolFull: -32011,
  /** The validator took the vote but could not confirm that a quorum holds it; resubmit it anywhere. */
  NotReplicated: -32012,
} as const;

/** String codes validators put in `error.data.code`. */
export enum RpcErrorDataCode {
  TX_DOUBLE_VOTE = 'TX_DOUBLE_VOTE',
  POOL_FULL = 'POOL_FULL',
  TX_INVALID = 'TX_INVALID',
  TX_TOO_LARGE = 'TX_TOO_LARGE',
  TX_NOT_REPLICATED = 'TX_NOT_REPLICATED',
  UNAVAILABLE = 'UNAVAILABLE',
  RECOVERING = 'RECOVERING',
}

export interface BaseErrorParameters {
  cause?: unknown;
  details?: string | undefined;
  metaMessages?: string[] | undefined;
}

function detailsOf(cause: unknown): string {
  if (cause instanceof BaseError) return cause.details || cause.shortMessage;
  if (cause instanceof Error) return cause.message;
  return cause === undefined ? '' : String(cause);
}

/** Root of all client errors (viem's shape). */
export class BaseError extends Error {
  override name = 'BaseError';
  /** One line for humans. */
  readonly shortMessage: string;
  /** The underlying reason, from `details` or the cause's message. */
  readonly details: string;
  readonly metaMessages: string[];

  constructor(shortMessage: string, args: BaseErrorParameters = {}) {
    const details = args.details ?? detailsOf(args.cause);
    const meta = args.metaMessages ?? [];
    const message = [
      shortMessage,
      ...(meta.length ? ['', ...meta] : []),
      ...(details ? ['', `Details: ${details}`] : []),
    ].join('\n');
    super(message, args.cause === undefined ? undefined : { cause: args.cause });
    this.shortMessage = shortMessage;
    this.details = details;
    this.metaMessages = meta;
  }

  /** The deepest cause, or the first one in the chain that matches `fn`. */
  walk(fn?: (err: unknown) => boolean): unknown {
    let err: unknown = this;
    for (;;) {
      if (fn?.(err)) return err;
      const next = (err as { cause?: unknown } | undefined)?.cause;
      if (next === undefined || next === null || typeof next !== 'object') return fn ? null : err;
      err = next;
    }
  }
}

/** Bad input to a client function or option; the message names the field. */
export class InvalidArgumentError extends BaseError {
  override name = 'InvalidArgumentError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid ${field}: ${problem}`);
  }
}

/** A transport failure: connection refused or reset, or a non-2xx HTTP status. */
export class HttpRequestError extends BaseError {
  override name = 'HttpRequestError';
  readonly url: string;
  /** HTTP status, undefined when no response arrived. */
  readonly status: number | undefined;
  constructor(args: { url: string; status?: number; body?: string; cause?: unknown }) {
    super(args.status === undefined ? 'HTTP request failed' : `HTTP request failed with status ${args.status}`, {
      cause: args.cause,
      details: args.body === undefined ? undefined : args.body.slice(0, 300),
      metaMessages: [`URL: ${args.url}`],
    });
    this.url = args.url;
    this.status = args.status;
  }
}

/** A JSON-RPC error answer. `code` is the JSON-RPC code, `data` the server's extra data. */
export class RpcError extends BaseError {
  override name = 'RpcError';
  readonly code: number;
  readonly data: unknown;
  readonly url: string | undefined;
  constructor(args: { code: number; message: string; data?: unknown; url?: string | undefined; cause?: unknown }) {
    super(`RPC error ${args.code}: ${args.message}`, {
      cause: args.cause,
      details: args.message,
      metaMessages: args.url ? [`URL: ${args.url}`] : [],
    });
    this.code = args.code;
    this.data = args.data;
    this.url = args.url;
  }

  /** `error.data.code` when the server sent one. */
  get dataCode(): string | undefined {
    const d = this.data as { code?: unknown } | undefined;
    return typeof d === 'object' && d !== null && typeof d.code === 'string' ? d.code : undefined;
  }
}

/** A validator answered with something that is not a valid answer (bad shape, wrong hash). */
export class InvalidResponseError extends BaseError {
  override name = 'InvalidResponseError';
  constructor(problem: string, args: { url?: string | undefined; cause?: unknown } = {}) {
    super(`Invalid response from validator: ${problem}`, {
      cause: args.cause,
      metaMessages: args.url ? [`URL: ${args.url}`] : [],
    });
  }
}

/** The voter already has a different vote in this election. Definitive: never retried. */
export class DoubleVoteError extends BaseError {
  override name = 'DoubleVoteError';
  readonly code = RpcErrorDataCode.TX_DOUBLE_VOTE;
  /** Hash of the vote already recorded for this voter, when the validator said. */
  readonly conflictsWith: string | undefined;
  readonly hash: string | undefined;
  constructor(args: { hash?: string; conflictsWith?: string; validator?: string; cause?: unknown }) {
    super('Voter has already voted in this election', {
      cause: args.cause,
      metaMessages: [
        ...(args.hash ? [`Vote: ${args.hash}`] : []),
        ...(args.conflictsWith ? [`Conflicts with: ${args.conflictsWith}`] : []),
        ...(args.validator ? [`Validator: ${args.validator}`] : []),
      ],
    });
    this.conflictsWith = args.conflictsWith;
    this.hash = args.hash;
  }
}

/** The vote is malformed or was rejected as invalid. Definitive: never retried. */
export class InvalidVoteError extends BaseError {
  override name = 'InvalidVoteError';
  constructor(reason: string, args: { hash?: string; validator?: string; cause?: unknown } = {}) {
    super(`Invalid vote: ${reason}`, {
      cause: args.cause,
      metaMessages: [
        ...(args.hash ? [`Vote: ${args.hash}`] : []),
        ...(args.validator ? [`Validator: ${args.validator}`] : []),
      ],
    });
  }
}

/**
 * A validator took the vote but could not confirm in time that a quorum of validators holds it
 * (JSON-RPC -32012, `TX_NOT_REPLICATED`). Not an acknowledgement, and not a refusal: the identical
 * vote (same content, same hash) is safe to resubmit to any validator, and the client does so.
 */
export class NotReplicatedError extends BaseError {
  override name = 'NotReplicatedError';
  readonly code = RpcErrorDataCode.TX_NOT_REPLICATED;
  readonly hash: string | undefined;
  /** Validators known to hold the vote when the validator gave up waiting, when it said. */
  readonly holders: number | undefined;
  /** Validators that must hold it (the quorum), when it said. */
  readonly needed: number | undefined;
  constructor(args: { hash?: string; holders?: number; needed?: number; validator?: string; cause?: unknown }) {
    super('Vote not yet held by a quorum of validators; resubmit the identical vote', {
      cause: args.cause,
      metaMessages: [
        ...(args.hash ? [`Vote: ${args.hash}`] : []),
        ...(args.holders !== undefined && args.needed !== undefined
          ? [`Held by ${args.holders} of the ${args.needed} validators needed`]
          : []),
        ...(args.validator ? [`Validator: ${args.validator}`] : []),
      ],
    });
    this.hash = args.hash;
    this.holders = args.holders;
    this.needed = args.needed;
  }
}

/** An operation or request did not finish in time. */
export class TimeoutError extends BaseError {
  override name = 'TimeoutError';
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
    args: { url?: string; details?: string; cause?: unknown } = {},
  ) {
    super(`${operation} timed out after ${timeoutMs} ms`, {
      cause: args.cause,
      details: args.details,
      metaMessages: args.url ? [`URL: ${args.url}`] : [],
    });
  }
}

/** The caller aborted (AbortSignal) or the client was closed. Same `name` as DOMException's. */
export class AbortError extends BaseError {
  override name = 'AbortError';
  constructor(operation: string, reason?: unknown) {
    super(`${operation} was aborted`, { cause: reason });
  }
}

/** One failed attempt of a failover sequence. */
export interface FailedAttempt {
  validator: string;
  error: Error;
}

/** No validator could serve the request: all unhealthy, or every attempt failed. */
export class NoHealthyValidatorError extends BaseError {
  override name = 'NoHealthyValidatorError';
  constructor(
    readonly attempts: FailedAttempt[],
    args: { operation?: string; validators?: { nodeId: string; healthy: boolean; lastError?: string }[] } = {},
  ) {
    const last = attempts[attempts.length - 1];
    super(args.operation ? `No healthy validator could serve ${args.operation}` : 'No healthy validator available', {
      cause: last?.error,
      metaMessages: [
        ...attempts.map(
          (a, i) =>
            `Attempt ${i + 1} on ${a.validator}: ${a.error instanceof BaseError ? a.error.shortMessage : a.error.message}`,
        ),
        ...(args.validators ?? []).map(
          (v) => `${v.nodeId}: ${v.healthy ? 'healthy' : 'unhealthy'}${v.lastError ? ` (${v.lastError})` : ''}`,
        ),
      ],
    });
  }
}

/** The chain served by a validator does not verify against the configured genesis. */
export class VerificationError extends BaseError {
  override name = 'VerificationError';
  constructor(
    readonly errors: string[],
    /** Last height that verified. */
    readonly height: number,
  ) {
    super(`Chain verification failed after height ${height}`, { metaMessages: errors.slice(0, 20) });
  }
}

/** One validator's answer in a quorum read. */
export interface QuorumAnswer {
  validator: string;
  height: number;
  value: unknown;
}

/** Validators gave different answers to the same question. */
export class QuorumDisagreementError extends BaseError {
  override name = 'QuorumDisagreementError';
  constructor(
    readonly answers: QuorumAnswer[],
    reason: string,
  ) {
    super(`Validators disagree: ${reason}`, {
      metaMessages: answers.map((a) => `${a.validator} at height ${a.height}: ${JSON.stringify(a.value)}`),
    });
  }
}
