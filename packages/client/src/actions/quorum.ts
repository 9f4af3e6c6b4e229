/**
 * Quorum reads: ask k distinct validators the same question and accept the answer only when
 * they agree. Answers at the same height must be identical. Heights can differ by the blocks
 * finalized between the reads; then the read is repeated (twice, 250 ms apart) hoping to catch
 * them at one height, and failing that only what is comparable is compared: counts may only
 * grow with height, and every validator must hold the same finalized block at the lowest
 * height. In every case the finalized block hash at the lowest height must match.
 */
import { performance } from 'node:perf_hooks';
import { at } from '@poa-vote/shared';
import type { ClientContext } from '../context.js';
import {
  AbortError,
  type FailedAttempt,
  InvalidArgumentError,
  NoHealthyValidatorError,
  type QuorumAnswer,
  QuorumDisagreementError,
} from '../errors.js';
import { isRetryable } from '../pool/failover.js';
import type { ValidatorHandle } from '../pool/validatorPool.js';
import { sleep } from '../utils/sleep.js';
import { fetchBlock } from './getBlock.js';

export interface QuorumInfo {
  /** Validators whose answers were compared. */
  validators: string[];
  heights: number[];
  /** 'exact': identical answers at one height; 'consistent': different heights, comparable parts agree. */
  agreement: 'exact' | 'consistent';
}

export interface QuorumReadSpec<T> {
  k: number;
  operation: string;
  read: (v: ValidatorHandle, signal: AbortSignal | undefined) => Promise<T>;
  heightOf: (value: T) => number;
  /** Identity of an answer at a given height (same key = same answer). */
  keyOf: (value: T) => string;
  /** Why an answer at a lower height cannot precede one at a higher height, if it cannot. */
  inconsistency: (lower: T, higher: T) => string | undefined;
  signal?: AbortSignal;
}

const REREADS = 2;
const REREAD_DELAY_MS = 250;

/** Check `k` against the pool size. */
export function checkQuorum(client: ClientContext, k: unknown): number {
  const n = client.pool.validators.length;
  if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1 || k > n)
    throw new InvalidArgumentError(
      'quorum',
      `must be an integer from 1 to ${n} (the number of validators), got ${JSON.stringify(k)}`,
    );
  return k;
}

/** Read from k distinct validators in parallel; a failing one is replaced by another while any is left. */
async function readDistinct<T>(
  client: ClientContext,
  spec: QuorumReadSpec<T>,
  preferred: string[],
): Promise<{ validator: ValidatorHandle; value: T }[]> {
  const used = new Set<string>();
  const queue = [...preferred];
  const answers: { validator: ValidatorHandle; value: T }[] = [];
  const failures: FailedAttempt[] = [];
  const next = (): ValidatorHandle | undefined => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const h = client.pool.handle(id);
      if (h && !used.has(h.nodeId)) {
        used.add(h.nodeId);
        return h;
      }
    }
    const h = client.pool.select(used) ?? client.pool.lastResort(used);
    if (h) used.add(h.nodeId);
    return h;
  };
  const worker = async (): Promise<void> => {
    for (let v = next(); v; v = next()) {
      if (spec.signal?.aborted) throw new AbortError(spec.operation, spec.signal.reason);
      const t0 = performance.now();
      try {
        answers.push({ validator: v, value: await spec.read(v, spec.signal) });
        client.pool.reportSuccess(v.nodeId, performance.now() - t0);
        return;
      } catch (err) {
        if (!isRetryable(err)) throw err;
        client.pool.reportFailure(v.nodeId, err);
        failures.push({ validator: v.nodeId, error: err as Error });
      }
    }
  };
  await Promise.all(Array.from({ length: spec.k }, worker));
  if (answers.length < spec.k)
    throw new NoHealthyValidatorError(failures, { operation: `${spec.operation} from ${spec.k} validators` });
  return answers;
}

/**
 * Read from k validators and compare (see the module comment). Returns the answers sorted by
 * height, highest first; throws QuorumDisagreementError showing each validator's answer.
 * @example
 * const { answers, quorum } = await quorumRead(client, { k: 2, operation: 'GET /results', read, heightOf, keyOf, inconsistency });
 */
export async function quorumRead<T>(
  client: ClientContext,
  spec: QuorumReadSpec<T>,
): Promise<{ answers: { validator: ValidatorHandle; value: T }[]; quorum: QuorumInfo }> {
  let preferred: string[] = [];
  for (let round = 0; ; round++) {
    const answers = await readDistinct(client, spec, preferred);
    answers.sort((a, b) => spec.heightOf(b.value) - spec.heightOf(a.value));
    const heights = answers.map((a) => spec.heightOf(a.value));
    const report = (): QuorumAnswer[] =>
      answers.map((a) => ({ validator: a.validator.nodeId, height: spec.heightOf(a.value), value: a.value }));
    const sameHeight = heights.every((h) => h === heights[0]);
    if (!sameHeight && round < REREADS) {
      preferred = answers.map((a) => a.validator.nodeId);
      await sleep(REREAD_DELAY_MS, spec.signal, spec.operation);
      continue;
    }
    if (sameHeight) {
      if (new Set(answers.map((a) => spec.keyOf(a.value))).size > 1)
        throw new QuorumDisagreementError(report(), `different answers at height ${heights[0]}`);
    } else {
      for (let i = 0; i + 1 < answers.length; i++) {
        const higher = at(answers, i, 'quorum answer');
        const lower = at(answers, i + 1, 'quorum answer');
        const why = spec.inconsistency(lower.value, higher.value);
        if (why)
          throw new QuorumDisagreementError(
            report(),
            `${higher.validator.nodeId} at height ${spec.heightOf(higher.value)} vs ${lower.validator.nodeId} at height ${spec.heightOf(lower.value)}: ${why}`,
          );
      }
    }
    await checkCommonBlock(
      answers.map((a) => a.validator),
      Math.min(...heights),
      spec.signal,
    );
    return {
      answers,
      quorum: {
        validators: answers.map((a) => a.validator.nodeId),
        heights,
        agreement: sameHeight ? 'exact' : 'consistent',
      },
    };
  }
}

/** Every validator must serve the same finalized block at `height` (0 is the genesis: nothing to compare). */
async function checkCommonBlock(
  validators: ValidatorHandle[],
  height: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (height === 0 || validators.length < 2) return;
  const blocks = await Promise.all(validators.map((v) => fetchBlock(v, height, signal ? { signal } : {})));
  const hashes = blocks.map((b) =>
    b && typeof b.block === 'object' && b.block !== null ? String((b.block as { hash?: unknown }).hash) : null,
  );
  if (new Set(hashes).size > 1 || hashes.includes(null)) {
    throw new QuorumDisagreementError(
      validators.map((v, i) => ({ validator: v.nodeId, height, value: { blockHash: hashes[i] } })),
      `different finalized blocks at height ${height}`,
    );
  }
}
