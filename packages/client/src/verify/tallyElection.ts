/** Recount an election from the verified chain. */
import { countBallot, countsRecord, genesisCursor, genesisHash } from '@poa-vote/shared';
import { checkElectionId, checkHeight } from '../actions/readOptions.js';
import type { ClientContext } from '../context.js';
import { VerificationError } from '../errors.js';
import { electionAddress } from '../utils/voteTransaction.js';
import { trustedGenesis } from './genesis.js';
import type { ElectionTally } from './tallyCache.js';
import { finalizedHeight, walkChain } from './walkChain.js';

export interface TallyElectionParameters {
  /** Genesis to verify against (defaults to the client's). */
  genesis?: unknown;
  /** Count up to this height (default: a validator's finalized height). */
  toHeight?: number;
  validator?: string;
  signal?: AbortSignal;
}

export interface TallyElectionReturnType {
  electionId: string;
  /**
   * Votes by candidate (countBallot: unreadable ballots under "sealed", new names beyond
   * MAX_CANDIDATES_PER_ELECTION under "other"), sorted; a record without prototype.
   */
  counts: Record<string, number>;
  total: number;
  /** Height the tally reflects. */
  height: number;
  /** Blocks verified by this call (earlier ones were verified by previous calls). */
  checkedBlocks: number;
  /** Votes not counted because their voter had voted before (should be 0 on a correct chain). */
  duplicateVotes: number;
}

/**
 * Count an election's votes from the chain itself: every block verified against the genesis,
 * only transactions to "election-<id>", one vote per voter (the first), each ballot counted with
 * countBallot, the validators' rule. Later calls continue from the last verified block. Throws VerificationError
 * when a block does not verify.
 * @example
 * const tally = await tallyElection(client, 7);
 * console.log(tally.counts, 'verified up to', tally.height);
 */
export async function tallyElection(
  client: ClientContext,
  electionId: string | number,
  options: TallyElectionParameters = {},
): Promise<TallyElectionReturnType> {
  const id = checkElectionId(electionId);
  const genesis = trustedGenesis(client, options.genesis);
  const gh = genesisHash(genesis);
  const head =
    options.toHeight === undefined ? await finalizedHeight(client, options.validator, options.signal) : undefined;
  const target = head ? head.height : checkHeight(options.toHeight, 'toHeight');
  const validator = options.validator ?? head?.validator;
  return client.tallies.exclusive(gh, id, async () => {
    const cached = client.tallies.get(gh, id);
    let t: ElectionTally;
    if (cached && cached.cursor.height <= target) t = cached;
    else {
      t = { cursor: genesisCursor(genesis), counts: new Map(), total: 0, voters: new Set(), duplicateVotes: 0 };
      // A recount below the cached height leaves the cache where it is.
      if (!cached) client.tallies.set(gh, id, t);
    }
    const to = electionAddress(id);
    // Applied block by block after each verifies, so the cached tally is always consistent with its cursor.
    const r = await walkChain(client, {
      genesis,
      from: t.cursor,
      toHeight: target,
      ...(validator !== undefined ? { validator } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onBlock: (block, _certificate, cursor) => {
        for (const tx of block.transactions) {
          if (tx.to !== to) continue;
          if (t.voters.has(tx.from)) {
            t.duplicateVotes++;
            continue;
          }
          t.voters.add(tx.from);
          countBallot(t.counts, tx.data);
          t.total++;
        }
        t.cursor = cursor;
      },
    });
    if (!r.valid) throw new VerificationError(r.errors, r.height);
    return {
      electionId: id,
      counts: countsRecord(t.counts),
      total: t.total,
      height: t.cursor.height,
      checkedBlocks: r.checkedBlocks,
      duplicateVotes: t.duplicateVotes,
    };
  });
}
