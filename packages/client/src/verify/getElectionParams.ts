/** The public parameters of an encrypted election, recomputed from the chain (no validator is trusted for them). */
import {
  type Block,
  type ElectionParams,
  ElectionRegistry,
  type Genesis,
  type Hex,
  type Transaction,
  canonicalize,
  isControlFrom,
  txHash,
  validateBlock,
  verifyCertificate,
} from '@poa-vote/shared';
import { getBlock } from '../actions/getBlock.js';
import { checkElectionId, failoverOptions } from '../actions/readOptions.js';
import type { ClientContext } from '../context.js';
import { VerificationError } from '../errors.js';
import { withFailover } from '../pool/failover.js';
import { trustedGenesis } from './genesis.js';
import { verifyElection } from './verifyElection.js';

export interface GetElectionParamsParameters {
  genesis?: unknown;
  validator?: string;
  signal?: AbortSignal;
  /**
   * Replay the whole chain instead of only the blocks holding the election's configuration and key
   * ceremony (default false: the short way, with the whole chain as the fallback).
   */
  fullReplay?: boolean;
}

interface RecordTx {
  kind: string;
  hash: Hex;
  height: number;
}

/** The key-ceremony blocks a validator names, each verified against the genesis; the parameters recomputed from them. */
async function shortReplay(
  client: ClientContext,
  genesis: Genesis,
  id: string,
  options: GetElectionParamsParameters,
): Promise<ElectionParams | string> {
  const { value: record } = await withFailover(
    client.pool,
    `GET /elections/${id}`,
    async (v, signal) =>
      (
        await v.transport.get<{ transactions?: RecordTx[]; params?: ElectionParams }>(
          `/elections/${encodeURIComponent(id)}`,
          signal ? { signal } : {},
        )
      ).body,
    {
      retry: client.retry,
      ...(options.validator ? { prefer: options.validator } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  const wanted = (record.transactions ?? []).filter((t) => t.kind === 'election' || t.kind.startsWith('dkg-'));
  if (record.params === undefined || wanted.length === 0) return 'the validator reports no key yet';
  const heights = [...new Set(wanted.map((t) => t.height))].sort((a, b) => a - b);
  const byHeight = new Map<number, Transaction[]>();
  const to = `election-${id}`;
  for (const h of heights) {
    const fb = await getBlock(client, h, failoverOptions(options));
    if (fb === null) return `block ${h} is missing`;
    // The block's own signature, hash and txRoot, and its precommit certificate from the genesis keys.
    const block = validateBlock(genesis, fb.block);
    verifyCertificate(genesis, fb.certificate, { type: 'precommit', height: h, blockHash: block.hash });
    byHeight.set(
      h,
      block.transactions.filter((tx) => tx.to === to && isControlFrom(tx.from)),
    );
  }
  // Every height from the configuration's, with the election's control transactions where they are:
  // the phase deadlines count blocks, so the empty heights between matter too.
  const registry = new ElectionRegistry(genesis, { verify: false });
  // A phase that waited for a trustee that is down ends at its deadline, up to dkgPhaseBlocks after
  // the last message; at most the two later phases (dealings, complaints) can end that way.
  const first = heights[0] ?? 0;
  let last = (heights[heights.length - 1] ?? 0) + 1;
  for (let h = first; h <= last && registry.get(id)?.params === undefined; h++) {
    const txs = byHeight.get(h) ?? [];
    for (const tx of txs) registry.check(tx, txHash(tx), h);
    registry.apply({ header: { height: h }, transactions: txs } as unknown as Block);
    const config = registry.get(id)?.config;
    if (h === first && config !== undefined) last += 2 * config.dkgPhaseBlocks;
  }
  const params = registry.get(id)?.params;
  if (params === undefined) return 'the key-ceremony transactions the validator names do not give a key';
  if (canonicalize(params) !== canonicalize(record.params))
    return 'the parameters the validator reports differ from those its key-ceremony transactions give';
  return params;
}

/**
 * The parameters of an encrypted election (public key, verification keys, candidates, limits): what
 * encryptBallot needs. The short way fetches only the blocks holding the configuration and the key
 * ceremony (named by a validator's GET /elections/:id), verifies each against the genesis (block
 * signature and hash, txRoot, precommit certificate), and recomputes the key from their
 * transactions; if anything is missing or disagrees it replays the whole chain (verifyElection).
 * A validator that hides a key-ceremony transaction can only make the key differ from the chain's,
 * and ballots under it are then refused by every honest validator: it cannot learn a ballot.
 * Throws VerificationError when the chain does not verify or the key ceremony has not finished.
 * @example
 * const params = await client.getElectionParams(7);
 */
export async function getElectionParams(
  client: ClientContext,
  electionId: string | number,
  options: GetElectionParamsParameters = {},
): Promise<ElectionParams> {
  const id = checkElectionId(electionId);
  if (!options.fullReplay) {
    const genesis = trustedGenesis(client, options.genesis);
    try {
      const r = await shortReplay(client, genesis, id, options);
      if (typeof r !== 'string') return r;
    } catch (err) {
      // A block that does not verify, a validator without the route, a network error: the long way.
      if (options.signal?.aborted) throw err;
    }
  }
  const r = await verifyElection(client, id, {
    ...(options.genesis !== undefined ? { genesis: options.genesis } : {}),
    ...(options.validator !== undefined ? { validator: options.validator } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    verifyBallots: false,
    compareResults: false,
  });
  if (r.errors.length > 0) throw new VerificationError(r.errors, r.height);
  if (r.params === undefined)
    throw new VerificationError(
      [`election ${r.electionId} has no public key yet (phase ${r.phase ?? 'unconfigured'})`],
      r.height,
    );
  return r.params;
}
