/**
 * V8's heap growing factor, a process setting of `start` (docs/DEPLOYMENT.md, "Memory").
 *
 * After each full (mark-compact) collection V8 lets the old generation grow to the live size times
 * a factor before the next one. The factor's ceiling scales with the heap limit: 1.3 for a limit
 * of 256 MB or less, up to 4.0 for 2 GB or more (V8's `MemoryController::MaxGrowingFactor`). With
 * the limit a validator is deployed with (`--max-old-space-size=256`) it therefore collects the
 * whole heap every time it grows by 30 %: under a batched load ~20 % more CPU per vote than
 * with a factor of 2 (docs/PERFORMANCE.md, "The deployed heap flags"). V8's `--heap-growing-percent` fixes the
 * factor at 1 + percent / 100 under the same limit; it is not allowed in NODE_OPTIONS, so the
 * validator sets it itself, before it allocates its working set. V8 reads it at every full
 * collection (`MemoryController::GrowingFactor`), so setting it after start-up takes effect.
 */
import { setFlagsFromString } from 'node:v8';

/** 0: V8's own factor (the deployed default; docs/DEPLOYMENT.md says when to raise it). */
export const DEFAULT_HEAP_GROWING_PERCENT = 0;
/** A factor of 5: beyond it the heap limit, not the factor, decides when to collect. */
export const MAX_HEAP_GROWING_PERCENT = 400;

/** Apply the setting (0 leaves V8's own factor); `setFlags` for tests. */
export function applyHeapGrowingPercent(percent: number, setFlags: (flags: string) => void = setFlagsFromString): void {
  if (!Number.isSafeInteger(percent) || percent < 0 || percent > MAX_HEAP_GROWING_PERCENT)
    throw new RangeError(`heap growing percent must be an integer in [0, ${MAX_HEAP_GROWING_PERCENT}], got ${percent}`);
  if (percent > 0) setFlags(`--heap-growing-percent=${percent}`);
}
