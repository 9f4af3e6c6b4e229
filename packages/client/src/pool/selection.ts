/** Choosing a validator: rotation, or ranking by latency and stability (viem's fallback rank). */
import type { ValidatorStatus } from './validatorStatus.js';

const STABILITY_WEIGHT = 0.7;
const LATENCY_WEIGHT = 0.3;

/**
 * Rank validators best first. Score = 0.7 * stability + 0.3 * (1 - latency / slowest latency);
 * an unmeasured validator counts as fastest so that it gets measured. Ties keep list order.
 * @example
 * const [best] = rankByLatency(pool.validators.filter((v) => v.healthy));
 */
export function rankByLatency<T extends Pick<ValidatorStatus, 'latencyMs' | 'stability'>>(
  validators: readonly T[],
): T[] {
  const slowest = Math.max(1, ...validators.map((v) => v.latencyMs ?? 0));
  const score = (v: T): number => STABILITY_WEIGHT * v.stability + LATENCY_WEIGHT * (1 - (v.latencyMs ?? 0) / slowest);
  return validators
    .map((v, i) => ({ v, i, s: score(v) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.v);
}

/**
 * Next index after `cursor` (wrapping) whose entry is eligible, or -1: a rotation that skips
 * the ineligible without losing its place.
 * @example
 * nextInRotation([true, false, true], 0) // 2
 */
export function nextInRotation(eligible: readonly boolean[], cursor: number): number {
  const n = eligible.length;
  for (let step = 1; step <= n; step++) {
    const i = (((cursor + step) % n) + n) % n;
    if (eligible[i]) return i;
  }
  return -1;
}
