/**
 * The validators a client talks to, with what it knows about each: health from a background
 * /health monitor and from the outcome of real requests, latency and stability averages, and
 * the selection of the next validator to use.
 */
import { EventEmitter, setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { at } from '@poa-vote/shared';
import { AbortError, BaseError } from '../errors.js';
import { formatHealth, type HealthReport } from '../formatters/health.js';
import { createHttpTransport, type HttpTransport } from '../transport/http.js';
import {
  resolveValidatorPoolOptions,
  type ResolvedValidatorPoolOptions,
  type ValidatorPoolOptions,
} from './options.js';
import { nextInRotation, rankByLatency } from './selection.js';
import { ewma, initialState, snapshot, type ValidatorState, type ValidatorStatus } from './validatorStatus.js';

/** A validator to send a request to. */
export interface ValidatorHandle {
  readonly nodeId: string;
  readonly rpcUrl: string;
  readonly transport: HttpTransport;
}

export type ValidatorPoolEvents = {
  /** A validator became healthy or unhealthy. */
  status: [status: ValidatorStatus];
  /** A monitor round finished. */
  check: [statuses: ValidatorStatus[]];
};

interface ProbeResult {
  health?: HealthReport;
  error?: string;
  latencyMs?: number;
}

function describe(err: unknown): string {
  return err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err);
}

/** Validators with health tracking and selection. */
export class ValidatorPool extends EventEmitter<ValidatorPoolEvents> {
  readonly options: ResolvedValidatorPoolOptions;
  readonly #states: ValidatorState[];
  readonly #handles: ValidatorHandle[];
  readonly #abort = new AbortController();
  #cursor = -1;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #round: Promise<ValidatorStatus[]> | undefined;

  /**
   * @example
   * const pool = new ValidatorPool({ validators: [{ nodeId: 'validator-1', rpcUrl: 'http://localhost:8001' }] });
   * pool.on('status', (s) => console.log(s.nodeId, s.healthy ? 'up' : 'down', s.reasons));
   * const v = pool.select();
   * pool.close();
   */
  constructor(options: ValidatorPoolOptions = {}) {
    super();
    // Every request and wait in flight listens to this signal (and stops listening when done).
    setMaxListeners(0, this.#abort.signal);
    this.options = resolveValidatorPoolOptions(options);
    this.#states = this.options.validators.map(initialState);
    this.#handles = this.options.validators.map((v) => ({
      nodeId: v.nodeId,
      rpcUrl: v.rpcUrl,
      transport: createHttpTransport(v.rpcUrl, {
        timeoutMs: this.options.requestTimeoutMs,
        signal: this.#abort.signal,
        ...(this.options.fetchFn ? { fetchFn: this.options.fetchFn } : {}),
      }),
    }));
    if (this.options.autoStart) this.start();
  }

  /** Snapshots of every validator, in configuration order. */
  get validators(): ValidatorStatus[] {
    return this.#states.map(snapshot);
  }

  /** Number of validators currently selected for requests. */
  get healthyCount(): number {
    return this.#states.filter((s) => s.healthy).length;
  }

  /** Aborted when the pool closes; every request of the pool listens to it. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Snapshot of one validator. */
  status(nodeId: string): ValidatorStatus | undefined {
    const s = this.#states.find((x) => x.nodeId === nodeId);
    return s && snapshot(s);
  }

  /** The handle of a validator by id. */
  handle(nodeId: string): ValidatorHandle | undefined {
    return this.#handles.find((h) => h.nodeId === nodeId);
  }

  /** Next healthy validator by the pool's strategy, skipping `exclude`; undefined when none. */
  select(exclude: ReadonlySet<string> = new Set()): ValidatorHandle | undefined {
    const eligible = this.#states.map((s) => s.healthy && !exclude.has(s.nodeId));
    if (this.options.strategy === 'latency') {
      const [best] = rankByLatency(this.#states.filter((_, i) => eligible[i]));
      return best && this.handle(best.nodeId);
    }
    const i = nextInRotation(eligible, this.#cursor);
    if (i < 0) return undefined;
    this.#cursor = i;
    return this.#handles[i];
  }

  /** An unhealthy validator to try when no healthy one is left (the monitor may lag): fewest failures first. */
  lastResort(exclude: ReadonlySet<string> = new Set()): ValidatorHandle | undefined {
    const candidates = this.#states.filter((s) => !s.healthy && !exclude.has(s.nodeId));
    candidates.sort(
      (a, b) => a.consecutiveFailures - b.consecutiveFailures || (a.lastCheckedAt ?? 0) - (b.lastCheckedAt ?? 0),
    );
    return candidates[0] && this.handle(candidates[0].nodeId);
  }

  /** Record a request the validator answered (including definitive error answers). */
  reportSuccess(nodeId: string, latencyMs: number): void {
    const s = this.#states.find((x) => x.nodeId === nodeId);
    if (!s || this.closed) return;
    s.latencyMs = ewma(s.latencyMs, latencyMs, this.options.ewmaAlpha);
    s.stability = ewma(s.stability, 1, this.options.ewmaAlpha);
    s.consecutiveFailures = 0;
    // Without a monitor nothing else would ever let it back in.
    if (!s.healthy && this.options.healthCheckIntervalMs === 0) this.#setHealth(s, true, []);
  }

  /** Record a request that failed in a way another validator might not (network, timeout, 5xx, 429, pool full). */
  reportFailure(nodeId: string, error: unknown): void {
    const s = this.#states.find((x) => x.nodeId === nodeId);
    if (!s || this.closed) return;
    s.stability = ewma(s.stability, 0, this.options.ewmaAlpha);
    s.consecutiveFailures++;
    s.lastError = describe(error);
    if (s.consecutiveFailures >= this.options.failureThreshold)
      this.#setHealth(s, false, [`request failed: ${s.lastError}`]);
  }

  /** Probe every validator's /health now; concurrent calls share one round. */
  checkHealth(): Promise<ValidatorStatus[]> {
    if (this.closed) return Promise.reject(new AbortError('health check', 'pool closed'));
    this.#round ??= this.#probeAll().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  /** Start the background monitor (idempotent; no-op when the interval is 0). */
  start(): void {
    if (this.#running || this.closed || this.options.healthCheckIntervalMs === 0) return;
    this.#running = true;
    this.#tick();
  }

  /** Stop the monitor and abort every request in flight. */
  close(): void {
    if (this.closed) return;
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort(new AbortError('request', 'the validator pool was closed'));
  }

  #tick(): void {
    this.#timer = undefined;
    this.checkHealth()
      .catch(() => undefined)
      .finally(() => {
        if (!this.#running || this.closed) return;
        this.#timer = setTimeout(() => this.#tick(), this.options.healthCheckIntervalMs);
        this.#timer.unref();
      });
  }

  async #probe(h: ValidatorHandle): Promise<ProbeResult> {
    const t0 = performance.now();
    try {
      const { status, body } = await h.transport.get('/health', {
        timeoutMs: this.options.healthTimeoutMs,
        acceptStatus: [503],
      });
      return { health: formatHealth(body, status, `${h.rpcUrl}/health`), latencyMs: performance.now() - t0 };
    } catch (err) {
      return { error: describe(err) };
    }
  }

  async #probeAll(): Promise<ValidatorStatus[]> {
    const results = await Promise.all(this.#handles.map((h) => this.#probe(h)));
    if (this.closed) return this.validators;
    const t = this.options.now();
    results.forEach((r, i) => {
      const s = at(this.#states, i, 'validator state');
      s.lastCheckedAt = t;
      if (!r.health) return;
      s.health = r.health;
      s.headHeight = r.health.headHeight;
      if (s.finalizedHeight !== r.health.finalizedHeight || s.finalizedAdvancedAt === undefined)
        s.finalizedAdvancedAt = t;
      s.finalizedHeight = r.health.finalizedHeight;
      if (r.latencyMs !== undefined) s.latencyMs = ewma(s.latencyMs, r.latencyMs, this.options.ewmaAlpha);
    });
    results.forEach((r, i) => {
      const s = at(this.#states, i, 'validator state');
      const reasons: string[] = [];
      let explicit = true;
      if (!r.health) {
        reasons.push(`health probe failed: ${r.error ?? 'no answer'}`);
        explicit = false;
      } else {
        if (!r.health.healthy) reasons.push(...(r.health.reasons.length ? r.health.reasons : ['/health answered 503']));
        const expected = this.options.expectedChainId;
        if (expected !== undefined && r.health.chainId !== expected)
          reasons.push(`serves chain ${r.health.chainId}, expected ${expected}`);
        const stalled = this.#stallReason(s, results, i, t);
        if (stalled) reasons.push(stalled);
      }
      if (reasons.length === 0) {
        s.consecutiveFailures = 0;
        s.stability = ewma(s.stability, 1, this.options.ewmaAlpha);
        this.#setHealth(s, true, []);
        return;
      }
      s.consecutiveFailures++;
      s.stability = ewma(s.stability, 0, this.options.ewmaAlpha);
      s.lastError = reasons[0];
      // A validator that says it is unhealthy is believed at once; silence counts toward the threshold.
      if (explicit || s.consecutiveFailures >= this.options.failureThreshold) this.#setHealth(s, false, reasons);
    });
    const statuses = this.validators;
    this.emit('check', statuses);
    return statuses;
  }

  /** Finalized height unchanged for stallTimeoutMs while a healthy peer is ahead. */
  #stallReason(s: ValidatorState, results: ProbeResult[], i: number, t: number): string | undefined {
    const height = s.finalizedHeight;
    if (height === undefined || s.finalizedAdvancedAt === undefined) return undefined;
    if (t - s.finalizedAdvancedAt < this.options.stallTimeoutMs) return undefined;
    let ahead: { nodeId: string; height: number } | undefined;
    results.forEach((r, j) => {
      if (j === i || !r.health?.healthy) return;
      if (r.health.finalizedHeight > height && (!ahead || r.health.finalizedHeight > ahead.height))
        ahead = { nodeId: at(this.#states, j, 'validator state').nodeId, height: r.health.finalizedHeight };
    });
    if (!ahead) return undefined;
    return `finalized height stuck at ${height} for ${t - s.finalizedAdvancedAt} ms while ${ahead.nodeId} reached ${ahead.height}`;
  }

  #setHealth(s: ValidatorState, healthy: boolean, reasons: string[]): void {
    const changed = s.healthy !== healthy;
    s.healthy = healthy;
    s.reasons = reasons;
    if (changed && !this.closed) this.emit('status', snapshot(s));
  }
}
