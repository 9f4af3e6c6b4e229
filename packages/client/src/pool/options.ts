/** Options of the validator pool, their defaults, and their validation. */
import { InvalidArgumentError } from '../errors.js';

/** Where one validator is reached. */
export interface ValidatorConfig {
  /** Stable id, e.g. "validator-1". */
  nodeId: string;
  /** HTTP base URL of its API, e.g. "http://localhost:8001". */
  rpcUrl: string;
}

/**
 * 'round-robin': rotate over the healthy validators.
 * 'latency': prefer the validator ranked best by latency (EWMA) and stability (success rate).
 */
export type SelectionStrategy = 'round-robin' | 'latency';

export interface ValidatorPoolOptions {
  validators?: ValidatorConfig[];
  strategy?: SelectionStrategy;
  /** Interval of the background /health monitor; 0 disables it. */
  healthCheckIntervalMs?: number;
  /** Timeout of one request. */
  requestTimeoutMs?: number;
  /** Timeout of one /health probe. */
  healthTimeoutMs?: number;
  /** Consecutive request failures after which a validator is taken out until a probe lets it back. */
  failureThreshold?: number;
  /** A validator whose finalized height has not moved for this long, while another's is higher, is unhealthy. */
  stallTimeoutMs?: number;
  /** Weight of the newest sample in the latency and stability averages (0..1]. */
  ewmaAlpha?: number;
  /** Chain id validators must report (from the genesis); a validator of another chain is unhealthy. */
  expectedChainId?: number;
  /** Start the monitor in the constructor (default true). */
  autoStart?: boolean;
  /** fetch implementation (tests, proxies). */
  fetchFn?: typeof fetch;
  /** Clock, for tests. */
  now?: () => number;
}

/** validator-1..3 on localhost:8001-8003: the local devnet. */
export const defaultValidators: readonly ValidatorConfig[] = [1, 2, 3].map((i) => ({
  nodeId: `validator-${i}`,
  rpcUrl: `http://localhost:${8000 + i}`,
}));

export const defaultValidatorPoolOptions = {
  strategy: 'round-robin' as SelectionStrategy,
  healthCheckIntervalMs: 2000,
  requestTimeoutMs: 10_000,
  healthTimeoutMs: 2000,
  failureThreshold: 1,
  stallTimeoutMs: 10_000,
  ewmaAlpha: 0.3,
  autoStart: true,
};

export type ResolvedValidatorPoolOptions = typeof defaultValidatorPoolOptions & {
  validators: ValidatorConfig[];
  expectedChainId?: number;
  fetchFn?: typeof fetch;
  now: () => number;
};

function nonNegInt(v: unknown, field: string): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0))
    throw new InvalidArgumentError(field, `must be a non-negative integer, got ${JSON.stringify(v)}`);
}

function positiveInt(v: unknown, field: string): void {
  if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1))
    throw new InvalidArgumentError(field, `must be a positive integer, got ${JSON.stringify(v)}`);
}

/** Validate options once, naming the bad field, and fill defaults. */
export function resolveValidatorPoolOptions(options: ValidatorPoolOptions = {}): ResolvedValidatorPoolOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'must be an object');
  const validators = options.validators ?? defaultValidators.map((v) => ({ ...v }));
  if (!Array.isArray(validators) || validators.length === 0)
    throw new InvalidArgumentError('validators', 'must be a non-empty array');
  const ids = new Set<string>();
  validators.forEach((v, i) => {
    if (typeof v !== 'object' || v === null)
      throw new InvalidArgumentError(`validators[${i}]`, 'must be an object {nodeId, rpcUrl}');
    if (typeof v.nodeId !== 'string' || v.nodeId.length === 0)
      throw new InvalidArgumentError(`validators[${i}].nodeId`, 'must be a non-empty string');
    if (ids.has(v.nodeId)) throw new InvalidArgumentError(`validators[${i}].nodeId`, `${v.nodeId} is listed twice`);
    ids.add(v.nodeId);
    let url: URL;
    try {
      url = new URL(String(v.rpcUrl));
    } catch {
      throw new InvalidArgumentError(`validators[${i}].rpcUrl`, `${JSON.stringify(v.rpcUrl)} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new InvalidArgumentError(`validators[${i}].rpcUrl`, `${v.rpcUrl} must be http:// or https://`);
  });
  const strategy = options.strategy ?? defaultValidatorPoolOptions.strategy;
  if (strategy !== 'round-robin' && strategy !== 'latency')
    throw new InvalidArgumentError('strategy', `must be "round-robin" or "latency", got ${JSON.stringify(strategy)}`);
  nonNegInt(options.healthCheckIntervalMs, 'healthCheckIntervalMs');
  positiveInt(options.requestTimeoutMs, 'requestTimeoutMs');
  positiveInt(options.healthTimeoutMs, 'healthTimeoutMs');
  positiveInt(options.failureThreshold, 'failureThreshold');
  positiveInt(options.stallTimeoutMs, 'stallTimeoutMs');
  if (
    options.ewmaAlpha !== undefined &&
    !(typeof options.ewmaAlpha === 'number' && options.ewmaAlpha > 0 && options.ewmaAlpha <= 1)
  ) {
    throw new InvalidArgumentError('ewmaAlpha', `must be a number in (0, 1], got ${JSON.stringify(options.ewmaAlpha)}`);
  }
  positiveInt(options.expectedChainId, 'expectedChainId');
  const d = defaultValidatorPoolOptions;
  return {
    validators: validators.map((v) => ({ nodeId: v.nodeId, rpcUrl: v.rpcUrl })),
    strategy,
    healthCheckIntervalMs: options.healthCheckIntervalMs ?? d.healthCheckIntervalMs,
    requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
    healthTimeoutMs:
      options.healthTimeoutMs ?? Math.min(d.healthTimeoutMs, options.requestTimeoutMs ?? d.healthTimeoutMs),
    failureThreshold: options.failureThreshold ?? d.failureThreshold,
    stallTimeoutMs: options.stallTimeoutMs ?? d.stallTimeoutMs,
    ewmaAlpha: options.ewmaAlpha ?? d.ewmaAlpha,
    autoStart: options.autoStart ?? d.autoStart,
    ...(options.expectedChainId !== undefined ? { expectedChainId: options.expectedChainId } : {}),
    ...(options.fetchFn ? { fetchFn: options.fetchFn } : {}),
    now: options.now ?? Date.now,
  };
}
