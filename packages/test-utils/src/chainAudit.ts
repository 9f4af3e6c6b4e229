/**
 * The end-of-scenario check of a real network, on every live validator: one chain (identical
 * finalized blocks up to the common height, each certificate verified from the genesis), a valid
 * stored chain, every acknowledged vote finalized exactly once with a receipt, a tally equal to
 * the acknowledged votes on chain, and no equivocation evidence. Problems are collected, not
 * thrown, so a test can record its figures before it fails.
 */
import { type Genesis, type Hex, genesisCursor, txHash, verifyFinalizedBlock } from '@poa-vote/shared';
import { finalizedHeight, getJson, rpcBatch } from './http.js';
import type { AckedVote } from './voteLoad.js';
import { sleep } from './waitFor.js';

export interface AuditOptions {
  genesis: Genesis;
  /** URLs of all validators, by index. */
  urls: string[];
  /** Indexes of the validators to check (the live ones). */
  live: number[];
  electionId: string;
  /** Every vote acknowledged in this election. */
  acked: Map<Hex, AckedVote>;
  /** Acknowledged votes that may legitimately be missing for now (held only by a validator that is down). */
  mayMiss?: Set<Hex>;
  /** How long to wait for receipts of every acknowledged vote on every live validator. */
  receiptTimeoutMs?: number;
}

export interface AuditFigures {
  /** Acknowledged votes. */
  acked: number;
  /** Acknowledged votes found finalized (on the first live validator). */
  finalized: number;
  /** Acknowledged votes that must be final and are missing on some live validator. */
  lost: number;
  /** Transactions that occur more than once in some validator's chain. */
  doubled: number;
  /** Votes of the election on chain that no validator acknowledged. */
  unacknowledgedOnChain: number;
  /** Acknowledged votes allowed to be missing (held by a validator that is down) that were missing. */
  heldByDownValidator: number;
  /** Height up to which every live validator's blocks were compared. */
  commonHeight: number;
  /** Finalized height of each checked validator. */
  heights: Record<string, number>;
  /** Evidence pieces over all checked validators. */
  evidence: number;
}

export interface AuditReport {
  figures: AuditFigures;
  problems: string[];
}

async function pool<T, R>(items: T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const k = next++;
        out[k] = await fn(items[k]!);
      }
    }),
  );
  return out;
}

/** Receipts (or null) of the given hashes on one validator. */
async function receipts(url: string, hashes: Hex[]): Promise<Map<Hex, Record<string, string> | null>> {
  const out = new Map<Hex, Record<string, string> | null>();
  for (let k = 0; k < hashes.length; k += 500) {
    const chunk = hashes.slice(k, k + 500);
    const answers = await rpcBatch(
      url,
      chunk.map((h) => ({ method: 'eth_getTransactionReceipt', params: [h] })),
      20_000,
    );
    chunk.forEach((h, j) => {
      out.set(h, (answers[j]!.result ?? null) as Record<string, string> | null);
    });
  }
  return out;
}

interface WalkedChain {
  hashes: Hex[];
  /** tx hash -> heights it occurs at. */
  txAt: Map<Hex, number[]>;
  /** tx hash -> its `to`. */
  txTo: Map<Hex, string>;
  verifyError?: string;
}

/** Read blocks 1..height of one validator, verifying each certificate and parent link from the genesis. */
async function walk(genesis: Genesis, url: string, height: number): Promise<WalkedChain> {
  const bodies = await pool(
    Array.from({ length: height }, (_, k) => k + 1),
    16,
    async (h) => (await getJson(`${url}/blocks/${h}`, 20_000)).body,
  );
  const out: WalkedChain = { hashes: [], txAt: new Map(), txTo: new Map() };
  let cursor = genesisCursor(genesis);
  for (let k = 0; k < bodies.length; k++) {
    const body = bodies[k];
    try {
      cursor = verifyFinalizedBlock(genesis, cursor, body).cursor;
    } catch (e) {
      out.verifyError ??= `block ${k + 1}: ${(e as Error).message}`;
    }
    const block = body?.block;
    out.hashes.push(block?.hash);
    for (const tx of (block?.transactions ?? []) as { from: string; to: string; data: string }[]) {
      const h = txHash(tx);
      const at = out.txAt.get(h);
      if (at) at.push(k + 1);
      else out.txAt.set(h, [k + 1]);
      out.txTo.set(h, tx.to);
    }
  }
  return out;
}

/** Audit the live validators of a network; see the file comment for what is checked. */
export async function auditNetwork(o: AuditOptions): Promise<AuditReport> {
  const problems: string[] = [];
  const mayMiss = o.mayMiss ?? new Set<Hex>();
  const must = [...o.acked.keys()].filter((h) => !mayMiss.has(h));
  const name = (i: number) => `validator-${i + 1}`;

  // 1. Every vote that must be final has a receipt everywhere (waiting for inclusion first).
  const deadline = Date.now() + (o.receiptTimeoutMs ?? 30_000);
  const found = new Map<number, Map<Hex, Record<string, string>>>();
  for (const i of o.live) {
    const got = new Map<Hex, Record<string, string>>();
    found.set(i, got);
    let left = must;
    for (;;) {
      try {
        const r = await receipts(o.urls[i]!, left);
        for (const [h, rc] of r) if (rc) got.set(h, rc);
        left = left.filter((h) => !got.has(h));
      } catch (e) {
        if (Date.now() > deadline) problems.push(`${name(i)}: receipts unavailable: ${(e as Error).message}`);
      }
      if (left.length === 0 || Date.now() > deadline) break;
      await sleep(250);
    }
    if (left.length > 0) {
      const by = [...new Set(left.map((h) => name(o.acked.get(h)!.via)))].join(', ');
      problems.push(
        `${name(i)}: ${left.length} acknowledged votes have no receipt, e.g. ${left.slice(0, 3).join(', ')} (acknowledged by ${by})`,
      );
    }
  }

  // 2. One chain: identical blocks up to the common height, each verified from the genesis.
  const heights: Record<string, number> = {};
  for (const i of o.live) heights[name(i)] = await finalizedHeight(o.urls[i]!).catch(() => 0);
  const chains = new Map<number, WalkedChain>();
  for (const i of o.live) {
    const c = await walk(o.genesis, o.urls[i]!, heights[name(i)]!);
    chains.set(i, c);
    if (c.verifyError) problems.push(`${name(i)}: chain does not verify from the genesis: ${c.verifyError}`);
  }
  const commonHeight = Math.min(...o.live.map((i) => heights[name(i)]!));
  if (commonHeight <= 0)
    problems.push(`no block finalized on every live validator (heights ${JSON.stringify(heights)})`);
  const ref = chains.get(o.live[0]!)!;
  for (const i of o.live.slice(1)) {
    const c = chains.get(i)!;
    const fork = c.hashes.slice(0, commonHeight).findIndex((h, k) => h !== ref.hashes[k]);
    if (fork >= 0)
      problems.push(
        `${name(i)} differs from ${name(o.live[0]!)} at height ${fork + 1}: ${c.hashes[fork]} vs ${ref.hashes[fork]}`,
      );
  }

  // 3. Every acknowledged vote exactly once; nothing doubled; no vote nobody acknowledged.
  let doubled = 0;
  let unacknowledgedOnChain = 0;
  let lost = 0;
  let heldByDownValidator = 0;
  const election = `election-${o.electionId}`;
  for (const i of o.live) {
    const c = chains.get(i)!;
    const twice = [...c.txAt].filter(([, at]) => at.length > 1);
    if (twice.length > 0)
      problems.push(
        `${name(i)}: ${twice.length} transactions occur more than once, e.g. ${twice[0]![0]} at heights ${twice[0]![1].join(', ')}`,
      );
    doubled = Math.max(doubled, twice.length);
    const absent = must.filter((h) => !c.txAt.has(h));
    if (absent.length > 0)
      problems.push(
        `${name(i)}: ${absent.length} acknowledged votes are not in its chain, e.g. ${absent.slice(0, 3).join(', ')}`,
      );
    lost = Math.max(lost, absent.length);
    heldByDownValidator = Math.max(heldByDownValidator, [...mayMiss].filter((h) => !c.txAt.has(h)).length);
    const phantom = [...c.txTo].filter(([h, to]) => to === election && !o.acked.has(h));
    if (phantom.length > 0)
      problems.push(
        `${name(i)}: ${phantom.length} votes of ${election} on chain were never acknowledged, e.g. ${phantom[0]![0]}`,
      );
    unacknowledgedOnChain = Math.max(unacknowledgedOnChain, phantom.length);
  }
  const finalized = [...o.acked.keys()].filter((h) => ref.txAt.has(h)).length;

  // Receipts must point where the walk found the transaction.
  for (const i of o.live) {
    const c = chains.get(i)!;
    const got = found.get(i)!;
    const wrong = must.filter((h) => {
      const rc = got.get(h);
      const at = c.txAt.get(h)?.[0];
      return (
        rc !== undefined &&
        at !== undefined &&
        (Number(rc.blockNumber) !== at || rc.blockHash !== c.hashes[at - 1] || rc.status !== '0x1')
      );
    });
    if (wrong.length > 0)
      problems.push(
        `${name(i)}: ${wrong.length} receipts disagree with the chain (block number/hash/status), e.g. ${wrong[0]}`,
      );
  }

  // 4. The stored chain verifies, the tally is the acknowledged votes on chain, no evidence.
  let evidence = 0;
  for (const i of o.live) {
    const url = o.urls[i]!;
    const c = chains.get(i)!;
    const chain = await getJson(`${url}/blockchain?election_id=${o.electionId}`, 60_000);
    if (chain.body?.verification?.chain_valid !== true)
      problems.push(`${name(i)}: /blockchain chain_valid is ${JSON.stringify(chain.body?.verification)}`);
    const onChain = [...o.acked.values()].filter((v) => c.txAt.has(v.hash));
    // Maps, not property reads: candidates may be named __proto__ or constructor.
    const expected = new Map<string, number>();
    for (const v of onChain) expected.set(v.candidate, (expected.get(v.candidate) ?? 0) + 1);
    const results = await getJson(`${url}/results?election_id=${o.electionId}`);
    if (results.body?.total !== onChain.length)
      problems.push(
        `${name(i)}: /results total ${results.body?.total}, but ${onChain.length} acknowledged votes are on its chain`,
      );
    const got = new Map(Object.entries((results.body?.results ?? {}) as Record<string, number>));
    for (const cand of new Set([...expected.keys(), ...got.keys()])) {
      if ((got.get(cand) ?? 0) !== (expected.get(cand) ?? 0))
        problems.push(`${name(i)}: /results ${cand}=${got.get(cand) ?? 0}, expected ${expected.get(cand) ?? 0}`);
    }
    const ev = await getJson(`${url}/evidence`);
    const count = Number(ev.body?.count ?? (Array.isArray(ev.body?.evidence) ? ev.body.evidence.length : NaN));
    if (count !== 0)
      problems.push(`${name(i)}: /evidence holds ${count} pieces: ${JSON.stringify(ev.body).slice(0, 500)}`);
    evidence += Number.isFinite(count) ? count : 0;
  }

  return {
    figures: {
      acked: o.acked.size,
      finalized,
      lost,
      doubled,
      unacknowledgedOnChain,
      heldByDownValidator,
      commonHeight,
      heights,
      evidence,
    },
    problems,
  };
}
