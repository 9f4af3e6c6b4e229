/**
 * The independent verifier of a configured election: from the genesis the client trusts and the
 * finalized chain alone, replay every election transaction through the validators' own rules
 * (ElectionRegistry): the operator's signature on the configuration, every key-ceremony message
 * and its proofs, every ballot's proofs, the homomorphic sum, every partial decryption's proof and
 * the decrypted counts; then compare with what a validator publishes at /results.
 */
import {
  type ElectionParams,
  type ElectionPhase,
  type ElectionRecord,
  ElectionRegistry,
  ProtocolError,
  electionIdOf,
  isControlFrom,
  txHash,
} from '@poa-vote/shared';
import { checkElectionId, checkHeight } from '../actions/readOptions.js';
import { getResults } from '../actions/getResults.js';
import type { ClientContext } from '../context.js';
import { trustedGenesis } from './genesis.js';
import { finalizedHeight, walkChain } from './walkChain.js';

export interface VerifyElectionParameters {
  /** Genesis to verify against (defaults to the client's). */
  genesis?: unknown;
  /** Verify up to this height (default: a validator's finalized height). */
  toHeight?: number;
  validator?: string;
  signal?: AbortSignal;
  /**
   * Check ballot proofs (default true). getElectionParams passes false: the key needs only the
   * configuration and the key ceremony.
   */
  verifyBallots?: boolean;
  /** Compare with the validator's /results (default true). */
  compareResults?: boolean;
}

export interface VerifyElectionReturnType {
  /** Everything checked and the published results agree. */
  ok: boolean;
  electionId: string;
  /** Phase at the verified height; undefined if the election is not configured. */
  phase: ElectionPhase | undefined;
  /** Ballots on chain (each with valid proofs when verifyBallots). */
  ballots: number;
  /** Decrypted counts by candidate (encrypted, once decrypted) or counts (plain), recomputed here. */
  counts: Record<string, number> | undefined;
  /** What a validator publishes at /results, when compared. */
  published: { counts: Record<string, number>; total: number } | undefined;
  /** The election's public parameters (encrypted elections, after the key ceremony). */
  params: ElectionParams | undefined;
  checked: {
    blocks: number;
    ballotProofs: number;
    keyCeremonyMessages: number;
    partialDecryptions: number;
  };
  height: number;
  errors: string[];
}

function countsOf(registry: ElectionRegistry, e: ElectionRecord): Record<string, number> | undefined {
  if (e.plainCounts !== undefined) {
    const out = Object.create(null) as Record<string, number>;
    for (const [k, v] of [...e.plainCounts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
    return out;
  }
  return registry.countsByName(e);
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if ((a[k] ?? 0) !== (b[k] ?? 0)) return false;
  return true;
}

/**
 * Verify an election from the chain alone (see the module comment). `ok` is false, with the
 * reasons in `errors`, when a block does not verify against the genesis, an election transaction
 * breaks a rule or fails a proof, or the published counts differ from the recomputed ones.
 * @example
 * const report = await client.verifyElection(7);
 * if (!report.ok) console.error(report.errors);
 */
export async function verifyElection(
  client: ClientContext,
  electionId: string | number,
  options: VerifyElectionParameters = {},
): Promise<VerifyElectionReturnType> {
  const id = checkElectionId(electionId);
  const genesis = trustedGenesis(client, options.genesis);
  const compare = options.compareResults ?? true;
  const read = {
    ...(options.validator !== undefined ? { validator: options.validator } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  // The published results first: the walk then stops at their height, so both describe one chain.
  const p = compare && options.toHeight === undefined ? await getResults(client, id, read) : undefined;
  const head =
    options.toHeight === undefined && p === undefined
      ? await finalizedHeight(client, options.validator, options.signal)
      : undefined;
  const target = p ? p.height : head ? head.height : checkHeight(options.toHeight, 'toHeight');
  const validator = options.validator ?? head?.validator;
  const verifyBallots = options.verifyBallots ?? true;
  const registry = new ElectionRegistry(genesis, { verify: verifyBallots });
  const errors: string[] = [];
  const checked = { blocks: 0, ballotProofs: 0, keyCeremonyMessages: 0, partialDecryptions: 0 };
  const r = await walkChain(client, {
    genesis,
    from: { height: 0 },
    toHeight: target,
    ...(validator !== undefined ? { validator } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onBlock: (block) => {
      const h = block.header.height;
      block.transactions.forEach((tx, i) => {
        const mine = electionIdOf(tx.to) === id;
        const control = isControlFrom(tx.from);
        // Other elections' control transactions shape only their own elections; ballots of other
        // elections are not checked (they are not this election's).
        if (!mine && !control) return;
        if (!control && !verifyBallots) return;
        try {
          registry.check(tx, txHash(tx), h);
          if (!mine) return;
          if (!control) {
            if (registry.get(id)?.config.ballotFormat === 'encrypted') checked.ballotProofs++;
          } else if (tx.from.startsWith('@poa/partial/')) checked.partialDecryptions++;
          else if (tx.from.startsWith('@poa/dkg-')) checked.keyCeremonyMessages++;
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          if (mine) errors.push(`block ${h} transaction ${i} (${tx.from}): ${err.code}: ${err.message}${proofOf(err)}`);
        }
      });
      registry.apply(block);
      checked.blocks++;
    },
  });
  errors.push(...r.errors);
  const e = registry.get(id);
  if (e === undefined) errors.push(`election ${id} has no configuration on the verified chain`);
  const counts = e && countsOf(registry, e);
  let published: VerifyElectionReturnType['published'];
  if (p !== undefined && e !== undefined) {
    published = { counts: p.counts, total: p.total };
    if (p.height !== r.height)
      errors.push(`the published results are at height ${p.height}, the verified chain at ${r.height}: compare again`);
    else {
      const expected = counts ?? (Object.create(null) as Record<string, number>);
      if (!sameCounts(expected, p.counts))
        errors.push(
          `published counts ${JSON.stringify(p.counts)} differ from the recomputed ${JSON.stringify(expected)}`,
        );
      if (p.total !== e.ballots)
        errors.push(`published total ${p.total} differs from the ${e.ballots} ballots on chain`);
    }
  }
  return {
    ok: r.valid && errors.length === 0,
    electionId: id,
    phase: e && registry.phaseAt(e, r.height + 1),
    ballots: e?.ballots ?? 0,
    counts,
    published,
    params: e?.params,
    checked,
    height: r.height,
    errors,
  };
}

function proofOf(err: ProtocolError): string {
  const proof = err.data?.proof;
  return typeof proof === 'string' ? ` (failed proof: ${proof})` : '';
}
