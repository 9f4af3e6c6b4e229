/**
 * GET /elections/:id: a configured election's on-chain record, as the election state holds it:
 * the configuration, the phase, the key ceremony's transactions and outcome (public key,
 * verification keys), the aggregate, the partial decryptions and the counts. Informative: a
 * client that trusts no validator recomputes all of it from the chain (verifyElection).
 */
import type { ElectionRecord, ElectionRegistry } from '@poa-vote/shared';

/** The JSON body of one election's record. */
export function electionRecordBody(registry: ElectionRegistry, e: ElectionRecord): Record<string, unknown> {
  const authorities = registry.genesis.authorities;
  return {
    election_id: e.electionId,
    ballot_format: e.config.ballotFormat,
    phase: registry.phaseAt(e, registry.height + 1),
    height: registry.height,
    config: e.config,
    config_height: e.configHeight,
    ballots: e.ballots,
    transactions: e.transactions.map((t) => ({
      kind: t.kind,
      ...(t.authority !== undefined ? { authority: authorities[t.authority]?.id } : {}),
      hash: t.hash,
      height: t.height,
    })),
    ...(e.setup ? { trustees: e.setup.trustees, threshold: e.setup.threshold } : {}),
    ...(e.participants
      ? {
          participants: e.participants.map((j) => e.setup?.trustees[j - 1] ?? j),
          keys_closed_height: e.keysClosedHeight,
        }
      : {}),
    ...(e.params
      ? { params: e.params, qualified: e.qualified, disqualified: e.disqualified, ready_height: e.readyHeight }
      : {}),
    ...(e.aggregate ? { aggregate: registry.aggregateWire(e), aggregate_hash: registry.aggregateHashHex(e) } : {}),
    ...(e.partials.size > 0
      ? { partial_decryptions: [...e.partials.values()].sort((a, b) => a.trustee - b.trustee) }
      : {}),
    ...(e.counts ? { counts: registry.countsByName(e), decrypted_with: e.decryptedWith } : {}),
    ...(e.failure ? { failure: e.failure } : {}),
  };
}
