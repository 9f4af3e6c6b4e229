/**
 * Real chains for tests, built with the protocol's own functions: a genesis of fresh authority
 * keys, blocks signed by the leader of their slot, vote certificates and finalized blocks.
 * The packages' test fixtures are thin shapes over these.
 */
import {
  type Block,
  type BlockLimits,
  type FinalizedBlock,
  type Genesis,
  type Hex,
  type KeyPair,
  type QuorumCertificate,
  type QuorumRule,
  type Transaction,
  type VoteType,
  Signer,
  StateCommitment,
  at,
  certificateFromVotes,
  createBlock,
  createVote,
  emptyStateRoot,
  generateKeyPair,
  genesisHash,
  leaderOf,
  parseGenesis,
  txHash,
} from '@poa-vote/shared';

/** The genesis time of fixture chains: fixed, so slots and timestamps are the same in every run. */
export const GENESIS_TIME = 1_700_000_000_000;

export interface TestChain {
  genesis: Genesis;
  signers: Signer[];
  /** The authorities' key pairs; empty when the chain was made from `signers` alone. */
  keys: KeyPair[];
}

export interface ChainOptions {
  /** Authorities with fresh keys (default 3), named "validator-1".."validator-n". */
  n?: number;
  chainId?: number;
  /** Unix ms of slot 0 (default GENESIS_TIME). */
  genesisTime?: number;
  quorum?: QuorumRule;
  limits?: Partial<BlockLimits>;
  /** These authorities instead of fresh ones. */
  keys?: KeyPair[];
  /** These signers instead of fresh authorities (no key pairs then). */
  signers?: Signer[];
  /** Authorities appended after the n fresh ones. */
  extraKeys?: KeyPair[];
  /** An election operator's public key (docs/PROTOCOL.md 16.1). */
  electionOperator?: string;
}

/** A chain whose genesis lists its authorities; nothing else is built. */
export function makeTestChain(opts: ChainOptions = {}): TestChain {
  const keys = opts.signers
    ? []
    : [...(opts.keys ?? Array.from({ length: opts.n ?? 3 }, () => generateKeyPair())), ...(opts.extraKeys ?? [])];
  const signers = opts.signers ?? keys.map((k) => new Signer(k.privateKey));
  const genesis = parseGenesis({
    chainId: opts.chainId ?? 1337,
    genesisTime: opts.genesisTime ?? GENESIS_TIME,
    slotDurationMs: 1000,
    authorities: signers.map((s, i) => ({ id: `validator-${i + 1}`, publicKey: s.publicKey })),
    ...(opts.quorum ? { quorum: opts.quorum } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.electionOperator ? { electionOperator: opts.electionOperator } : {}),
  });
  return { genesis, signers, keys };
}

/** A vote transaction: `{from: voter, to: "election-<election>", data: {"candidate_id": candidate}}`. */
export function voteTx(voter: string, election: string, candidate: string): Transaction {
  return { from: voter, to: `election-${election}`, data: JSON.stringify({ candidate_id: candidate }) };
}

/**
 * The state commitment after each block these fixtures built, by block hash: a block on top of
 * one of them carries the right stateRoot without its caller tracking the state. Bounded: the
 * oldest are forgotten (a block on an unknown parent carries the empty state's root).
 */
const commitments = new Map<Hex, StateCommitment>();
const MAX_TRACKED_COMMITMENTS = 4096;

/** The stateRoot a block on top of `parentHash` carries, if these fixtures built the parent. */
export function fixtureStateRoot(parentHash: Hex): Hex {
  return commitments.get(parentHash)?.root() ?? emptyStateRoot();
}

/** A block signed by the leader of its slot (stateRoot: the state after the parent, as fixtureStateRoot). */
export function leaderBlock(
  chain: Pick<TestChain, 'genesis' | 'signers'>,
  p: { height: number; slot: number; parentHash: Hex; transactions?: Transaction[]; stateRoot?: Hex },
): Block {
  const proposer = leaderOf(chain.genesis, p.slot);
  const transactions = p.transactions ?? [];
  const parent = commitments.get(p.parentHash) ?? new StateCommitment();
  const block = createBlock(
    chain.genesis,
    {
      height: p.height,
      slot: p.slot,
      parentHash: p.parentHash,
      proposer,
      transactions,
      stateRoot: p.stateRoot ?? parent.root(),
    },
    at(chain.signers, proposer, 'signer of the leader'),
  );
  if (!commitments.has(block.hash)) {
    const next = parent.clone();
    next.apply(transactions, transactions.map(txHash));
    if (commitments.size >= MAX_TRACKED_COMMITMENTS) {
      const oldest = commitments.keys().next().value;
      if (oldest !== undefined) commitments.delete(oldest);
    }
    commitments.set(block.hash, next);
  }
  return block;
}

/** A certificate of `type` votes by the given authority indexes for a block. */
export function voteCertificate(
  chain: Pick<TestChain, 'genesis' | 'signers'>,
  type: VoteType,
  block: Pick<Block, 'hash' | 'header'>,
  validators: readonly number[],
  slot = block.header.slot,
): QuorumCertificate {
  return certificateFromVotes(
    validators.map((i) =>
      createVote(chain.genesis, at(chain.signers, i, 'signer of the voter'), i, {
        type,
        height: block.header.height,
        slot,
        blockHash: block.hash,
      }),
    ),
  );
}

/** A block with a precommit certificate of the given authorities (default 0 and 1: a 2-of-3 quorum). */
export function finalize(
  chain: Pick<TestChain, 'genesis' | 'signers'>,
  block: Block,
  validators: readonly number[] = [0, 1],
): FinalizedBlock {
  return { block, certificate: voteCertificate(chain, 'precommit', block, validators) };
}

/** Where the next block goes: the hash, height and slot of its parent. */
export interface ChainTip {
  hash: Hex;
  height: number;
  slot: number;
}

/** The tip before block 1. */
export function genesisTip(chain: Pick<TestChain, 'genesis'>): ChainTip {
  return { hash: genesisHash(chain.genesis), height: 0, slot: 0 };
}

/** `n` consecutive finalized blocks, one per slot, from `from` (default the genesis); `txs(h)` gives block h's votes. */
export function finalizedChain(
  chain: Pick<TestChain, 'genesis' | 'signers'>,
  n: number,
  txs: (height: number) => Transaction[],
  from: ChainTip = genesisTip(chain),
): FinalizedBlock[] {
  let parent = from;
  const out: FinalizedBlock[] = [];
  for (let i = 0; i < n; i++) {
    const height = parent.height + 1;
    const block = leaderBlock(chain, {
      height,
      slot: parent.slot + 1,
      parentHash: parent.hash,
      transactions: txs(height),
    });
    out.push(finalize(chain, block));
    parent = { hash: block.hash, height, slot: block.header.slot };
  }
  return out;
}

/** A deep copy of a JSON value, to tamper with. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
