/**
 * Verification in the browser, trusting no validator: everything is checked with the protocol
 * package (@poa-vote/shared, its browser build) against the genesis the user chose to trust.
 *
 * - A block alone: its rules, its proposer's signature and a quorum precommit certificate of the
 *   genesis authorities (what a vote's inclusion needs).
 * - The chain: every block from 1, each linked by hash to the previous verified one
 *   (verifyFinalizedBlock), so that an election can be recounted and compared with /results.
 * - A vote: the Merkle audit path from its hash to the txRoot of a verified header.
 */
import {
  type Block,
  type ChainCursor,
  type Genesis,
  type Hex,
  type QuorumCertificate,
  ProtocolError,
  at,
  countBallot,
  genesisCursor,
  genesisHash,
  merkleRootFromProof,
  parseGenesis,
  quorumSize,
  txHash,
  validateBlock,
  verifyCertificate,
  verifyFinalizedBlock,
} from '@poa-vote/shared';
import { type ProofBody, getJson, validatorName } from './api.js';

/** The genesis the user trusts, and where it came from. */
export interface Trust {
  genesis: Genesis;
  hash: Hex;
  /** "fetched from …, matching the hash in the link" or "pasted". */
  source: string;
}

function describe(err: unknown): string {
  return err instanceof ProtocolError
    ? `${err.message} (${err.code})`
    : err instanceof Error
      ? err.message
      : String(err);
}

/** Fetch a validator's genesis and trust it only if it hashes to `expected`. */
export async function trustByHash(base: string, expected: string): Promise<Trust> {
  const want = expected.trim().toLowerCase();
  if (!/^0x[0-9a-f]{64}$/.test(want))
    throw new Error(`"${expected}" is not a genesis hash: it must be 0x followed by 64 hex digits`);
  const { body } = await getJson<unknown>(base, '/genesis');
  let genesis: Genesis;
  try {
    genesis = parseGenesis(body);
  } catch (err) {
    throw new Error(`${validatorName(base)} serves a genesis that is not valid: ${describe(err)}`);
  }
  const hash = genesisHash(genesis);
  if (hash !== want)
    throw new Error(
      `${validatorName(base)} serves a genesis whose hash is ${hash}, not the ${want} you trust: nothing it serves can be verified against your genesis`,
    );
  return { genesis, hash, source: `fetched from ${validatorName(base)}; its hash matches the one in the link` };
}

/** Trust a genesis document pasted by the user. */
export function trustPasted(text: string): Trust {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`the pasted text is not JSON: ${(err as Error).message}`);
  }
  let genesis: Genesis;
  try {
    genesis = parseGenesis(raw);
  } catch (err) {
    throw new Error(`the pasted genesis is not valid: ${describe(err)}`);
  }
  return { genesis, hash: genesisHash(genesis), source: 'pasted' };
}

/** Authority ids of a certificate's signers. */
export function signersOf(genesis: Genesis, certificate: QuorumCertificate): string[] {
  return certificate.signatures.map((s) => genesis.authorities[s.validator]?.id ?? `#${s.validator}`);
}

/** One check of a verification, as shown to the user. */
export interface Step {
  ok: boolean;
  label: string;
  detail: string;
}

/** A block checked on its own: rules, proposer signature, quorum certificate. */
export function verifyBlockAlone(
  genesis: Genesis,
  raw: { block: unknown; certificate: unknown },
): { block: Block; certificate: QuorumCertificate; steps: Step[] } | { error: string; steps: Step[] } {
  const steps: Step[] = [];
  let block: Block;
  try {
    block = validateBlock(genesis, raw.block);
    const proposer = at(genesis.authorities, block.header.proposer, 'proposer authority');
    steps.push({
      ok: true,
      label: `Block ${block.header.height} is well formed and signed by its proposer`,
      detail: `hash ${block.hash} is the hash of its header; the signature verifies under ${proposer.id}'s key ${proposer.publicKey}`,
    });
  } catch (err) {
    const error = `the block does not verify: ${describe(err)}`;
    steps.push({ ok: false, label: 'Block rules and proposer signature', detail: error });
    return { error, steps };
  }
  try {
    const certificate = verifyCertificate(genesis, raw.certificate, {
      type: 'precommit',
      height: block.header.height,
      blockHash: block.hash,
    });
    const signers = signersOf(genesis, certificate);
    steps.push({
      ok: true,
      label: `Final: certified by ${signers.length} of ${genesis.authorities.length} authorities`,
      detail: `precommit signatures of ${signers.join(', ')} verify under their genesis keys; a quorum is ${quorumSize(genesis)}`,
    });
    return { block, certificate, steps };
  } catch (err) {
    const error = `the finality certificate does not verify: ${describe(err)}`;
    steps.push({ ok: false, label: 'Finality certificate', detail: error });
    return { error, steps };
  }
}

/** The inclusion of a vote: its block verified alone, then its Merkle path to the block's txRoot. */
export function verifyInclusion(
  genesis: Genesis,
  raw: { block: unknown; certificate: unknown },
  proof: ProofBody,
  tx: { from: string; to: string; data: string } | null,
  voteHash: string,
): { ok: boolean; steps: Step[] } {
  const alone = verifyBlockAlone(genesis, raw);
  const steps = [...alone.steps];
  if ('error' in alone) return { ok: false, steps };
  const h = alone.block.header;
  if (tx) {
    let computed: string;
    try {
      computed = txHash(tx);
    } catch (err) {
      computed = `(cannot hash: ${describe(err)})`;
    }
    steps.push({
      ok: computed === voteHash,
      label: computed === voteHash ? 'The vote shown is the vote hashed' : 'The vote shown does not match its hash',
      detail: `sha256 of the canonical vote is ${computed}; the hash looked up is ${voteHash}`,
    });
  }
  const sameBlock = proof.blockHash === alone.block.hash && proof.blockNumber === h.height;
  steps.push({
    ok: sameBlock,
    label: sameBlock ? 'The proof is for this block' : 'The proof names another block',
    detail: `proof: block ${proof.blockNumber} ${proof.blockHash}; verified: block ${h.height} ${alone.block.hash}`,
  });
  const leafOk = proof.leaf === voteHash;
  // The tree size comes from the certified header, never from the proof: the root alone does not fix it.
  const r = merkleRootFromProof({
    index: proof.index,
    treeSize: h.txCount,
    leaf: proof.leaf as Hex,
    siblings: proof.siblings as Hex[],
  });
  const rootOk = leafOk && 'root' in r && r.root === h.txRoot;
  steps.push({
    ok: rootOk,
    label: rootOk
      ? `Included: vote ${proof.index + 1} of ${h.txCount} in the block's transaction root`
      : "The Merkle proof does not lead to the block's transaction root",
    detail: !leafOk
      ? `the proof is for ${proof.leaf}, not ${voteHash}`
      : 'root' in r
        ? `${proof.siblings.length} sibling hashes lead from the vote hash at position ${proof.index} to ${r.root}; the certified header's txRoot is ${h.txRoot}`
        : `the proof is malformed: ${r.error}`,
  });
  return { ok: steps.every((s) => s.ok), steps };
}

/** An election counted over the verified chain. */
export interface ElectionCount {
  counts: Map<string, number>;
  total: number;
  voters: Set<string>;
  /** Votes of this election in each verified block that had any, oldest first. */
  perBlock: { height: number; votes: number; timestamp: number }[];
}

/** A verified block's summary, for the blocks view. */
export interface VerifiedHeader {
  height: number;
  hash: Hex;
  slot: number;
  timestamp: number;
  proposer: string;
  txCount: number;
  signers: string[];
}

/**
 * The chain verified from the genesis, block by block, fetched from one validator; elections
 * counted as blocks verify. It only moves forward, and stops for good at the first block that
 * does not verify (nothing after a broken link can be tied to the genesis).
 */
export class ChainAuditor {
  cursor: ChainCursor;
  error: string | undefined;
  readonly elections = new Map<string, ElectionCount>();
  readonly #trust: Trust;
  readonly #base: string;
  #running: Promise<void> = Promise.resolve();

  constructor(trust: Trust, base: string) {
    this.#trust = trust;
    this.#base = base;
    this.cursor = genesisCursor(trust.genesis);
  }

  /** Count an election: call before the first advanceTo (a tally needs every block from 1). */
  track(electionId: string): ElectionCount {
    let e = this.elections.get(electionId);
    if (!e) {
      if (this.cursor.height > 0) throw new Error('track() elections before verifying the first block');
      e = { counts: new Map(), total: 0, voters: new Set(), perBlock: [] };
      this.elections.set(electionId, e);
    }
    return e;
  }

  /** Verify up to `height` (serialized: one walk at a time). */
  advanceTo(height: number, onProgress?: (h: number) => void): Promise<void> {
    this.#running = this.#running.then(() => this.#walk(height, onProgress));
    return this.#running;
  }

  async #walk(target: number, onProgress?: (h: number) => void): Promise<void> {
    const window = 8;
    while (!this.error && this.cursor.height < target) {
      const from = this.cursor.height + 1;
      const heights = Array.from({ length: Math.min(window, target - from + 1) }, (_, i) => from + i);
      const raws = await Promise.all(
        heights.map((h) => getJson<{ block: unknown; certificate: unknown }>(this.#base, `/blocks/${h}`)),
      );
      for (const { body } of raws) {
        try {
          const r = verifyFinalizedBlock(this.#trust.genesis, this.cursor, body);
          this.#count(r.block);
          this.cursor = r.cursor;
        } catch (err) {
          this.error = `block ${this.cursor.height + 1} from ${validatorName(this.#base)} does not verify: ${describe(err)}`;
          return;
        }
      }
      onProgress?.(this.cursor.height);
    }
  }

  #count(block: Block): void {
    for (const [id, e] of this.elections) {
      const to = `election-${id}`;
      let votes = 0;
      for (const tx of block.transactions) {
        if (tx.to !== to || e.voters.has(tx.from)) continue;
        e.voters.add(tx.from);
        countBallot(e.counts, tx.data);
        e.total++;
        votes++;
      }
      if (votes > 0) e.perBlock.push({ height: block.header.height, votes, timestamp: block.header.timestamp });
    }
  }
}

/** The differences between a recount and published counts, candidate by candidate. */
export function compareCounts(
  counted: Map<string, number>,
  published: Record<string, number>,
): { candidate: string; counted: number; published: number }[] {
  const pub = new Map(Object.entries(published));
  const names = [...new Set([...counted.keys(), ...pub.keys()])].sort();
  return names
    .map((candidate) => ({ candidate, counted: counted.get(candidate) ?? 0, published: pub.get(candidate) ?? 0 }))
    .filter((d) => d.counted !== d.published);
}
