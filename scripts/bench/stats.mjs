// Small statistics helpers.

/** The p-th percentile (0-100) of numbers, nearest-rank; undefined for none. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** p50/p95/p99/max of numbers (unsorted input; a sorted copy is made). */
export function summary(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : undefined,
  };
}

/** Round to `digits` decimals (undefined stays undefined). */
export function round(n, digits = 0) {
  if (n === undefined || n === null || !Number.isFinite(n)) return n ?? undefined;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
