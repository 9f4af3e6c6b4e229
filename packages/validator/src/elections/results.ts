/**
 * /results of a configured election, from the election state: a plain election's counts without
 * its control transactions; an encrypted election's number of ballots until a threshold of partial
 * decryptions is on chain, then the decrypted counts and what was checked to obtain them.
 */
import { type ElectionRegistry, type ElectionResults, countsRecord } from '@poa-vote/shared';

/** `base` (the generic tally of the chain) for an election that is not configured; else its configured results. */
export function configuredResults(registry: ElectionRegistry, base: ElectionResults): ElectionResults {
  const e = registry.get(base.electionId);
  if (e === undefined) return base;
  const height = registry.height;
  const phase = registry.phaseAt(e, height + 1);
  const common = { electionId: base.electionId, total: e.ballots, height, ballotFormat: e.config.ballotFormat, phase };
  if (e.plainCounts !== undefined) return { ...common, counts: countsRecord(e.plainCounts) };
  const counts = registry.countsByName(e);
  if (counts === undefined || e.params === undefined) return { ...common, counts: Object.create(null) };
  return {
    ...common,
    counts,
    verification: {
      ballots_verified: e.ballots,
      aggregate_hash: registry.aggregateHashHex(e),
      public_key: e.params.publicKey,
      partial_decryptions: [...e.partials.keys()]
        .sort((a, b) => a - b)
        .map((t) => ({
          trustee: t,
          authority: e.setup?.trustees[t - 1],
          proof: 'chaum-pedersen: valid',
        })),
      combined: e.decryptedWith,
      threshold: e.setup?.threshold,
      decrypted_height: e.decryptedHeight,
    },
  };
}
