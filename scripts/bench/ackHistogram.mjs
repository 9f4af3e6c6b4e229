// The validators' own acknowledgement latency: `poa_vote_ack_seconds` (from a submission's arrival
// in the submit queue to its answer, one observation per submit call: one per single vote, one per
// JSON-RPC batch), scraped from each validator's /metrics before and after a mode and summed. Next
// to the load generator's figure it tells a validator's tail from the load generator's own
// scheduling on a shared machine.

const METRIC = 'poa_vote_ack_seconds_bucket';

/** Cumulative bucket counts (upper bound in seconds -> count) of one /metrics text. */
export function parseAckBuckets(text) {
  const buckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(METRIC)) continue;
    const m = /le="([^"]+)"\}\s+(\S+)$/.exec(line);
    if (m === null) continue;
    const le = m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
    const count = Number(m[2]);
    if (Number.isFinite(count)) buckets.set(le, (buckets.get(le) ?? 0) + count);
  }
  return buckets;
}

/** The summed buckets of every validator now (an empty map for one that does not answer). */
export async function scrapeAck(urls) {
  const total = new Map();
  for (const url of urls) {
    let text = '';
    try {
      const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) text = await res.text();
    } catch {
      // A validator that cannot be scraped adds nothing.
    }
    for (const [le, n] of parseAckBuckets(text)) total.set(le, (total.get(le) ?? 0) + n);
  }
  return total;
}

/**
 * Observations between two scrapes, the share within `withinMs`, and quantiles interpolated
 * linearly inside their bucket (as Prometheus' histogram_quantile does).
 */
export function ackSummary(before, after, withinMs = 100) {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total <= 0) return { observations: 0 };
  const quantile = (q) => {
    const rank = q * total;
    for (let i = 0; i < bounds.length; i++) {
      if ((counts[i] ?? 0) < rank) continue;
      const hi = bounds[i] ?? 0;
      const lo = i === 0 ? 0 : (bounds[i - 1] ?? 0);
      const below = i === 0 ? 0 : (counts[i - 1] ?? 0);
      if (!Number.isFinite(hi)) return Math.round(lo * 1000); // in the +Inf bucket: its lower bound
      const inBucket = (counts[i] ?? 0) - below;
      return Math.round((lo + ((hi - lo) * (rank - below)) / Math.max(1, inBucket)) * 10000) / 10;
    }
    return undefined;
  };
  const at = bounds.findIndex((le) => le * 1000 >= withinMs);
  const within = at >= 0 && bounds[at] * 1000 === withinMs ? (counts[at] ?? 0) / total : undefined;
  return {
    observations: total,
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
    ...(within === undefined ? {} : { [`within${withinMs}Ms`]: Math.round(within * 10000) / 10000 }),
  };
}
