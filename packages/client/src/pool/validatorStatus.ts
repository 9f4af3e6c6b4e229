/** What the pool knows about one validator. */
import type { HealthReport } from '../formatters/health.js';

/** A snapshot of one validator's state (copies: mutating it changes nothing). */
export interface ValidatorStatus {
  nodeId: string;
  rpcUrl: string;
  /** Selected for requests. Starts true; probes and failed requests change it. */
  healthy: boolean;
  /** Why it is unhealthy (empty when healthy). */
  reasons: string[];
  headHeight: number | undefined;
  finalizedHeight: number | undefined;
  /** Exponentially weighted moving average of request and probe latency; undefined until measured. */
  latencyMs: number | undefined;
  /** Exponentially weighted success rate of requests and probes, 0..1. */
  stability: number;
  consecutiveFailures: number;
  /** Unix ms of the last /health probe. */
  lastCheckedAt: number | undefined;
  lastError: string | undefined;
  /** The last /health answer. */
  health: HealthReport | undefined;
}

/** Mutable state behind a ValidatorStatus. */
export interface ValidatorState extends ValidatorStatus {
  /** Unix ms when finalizedHeight last changed. */
  finalizedAdvancedAt: number | undefined;
}

/** A fresh, optimistic state: a validator is used until something says otherwise. */
export function initialState(v: { nodeId: string; rpcUrl: string }): ValidatorState {
  return {
    nodeId: v.nodeId,
    rpcUrl: v.rpcUrl,
    healthy: true,
    reasons: [],
    headHeight: undefined,
    finalizedHeight: undefined,
    latencyMs: undefined,
    stability: 1,
    consecutiveFailures: 0,
    lastCheckedAt: undefined,
    lastError: undefined,
    health: undefined,
    finalizedAdvancedAt: undefined,
  };
}

/** Copy of the public part of a state. */
export function snapshot(s: ValidatorState): ValidatorStatus {
  const { finalizedAdvancedAt: _ignored, ...pub } = s;
  return { ...pub, reasons: [...pub.reasons] };
}

/** Fold one sample into an exponentially weighted moving average. */
export function ewma(previous: number | undefined, sample: number, alpha: number): number {
  return previous === undefined ? sample : previous + alpha * (sample - previous);
}
