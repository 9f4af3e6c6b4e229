/**
 * The contract of the consensus core: a deterministic state machine with no I/O. Inputs are
 * ticks (the node's clock reading) and messages; outputs are state to persist and messages to
 * send. The driver (the node, or the simulator) MUST make `persist` durable before it sends
 * anything from the same output: that is how a validator never signs conflicting messages
 * across a crash.
 */
import type { Block, Evidence, FinalizedBlock, Hex, Proposal, QuorumCertificate, Transaction, Vote } from '@poa-vote/shared';

/** Per-slot hint a validator broadcasts on entering a slot: where it is and its best polka. */
export interface Status {
  /** Next height this validator is deciding (finalized height + 1). */
  height: number;
  slot: number;
  /** Hash of its finalized head. */
  headHash: Hex;
  /** Its highest prevote certificate at `height`, if any (Tendermint's validRound/validValue). */
  polka?: QuorumCertificate;
}

export type ConsensusMessage =
  | { type: 'proposal'; proposal: Proposal }
  | { type: 'vote'; vote: Vote }
  | { type: 'status'; status: Status }
  /** Transactions gossiped between pools. */
  | { type: 'txs'; txs: Transaction[] }
  /** Directed: ask a peer for finalized blocks fromHeight.. (answered by the driver from storage). */
  | { type: 'sync-request'; fromHeight: number; max: number }
  /** Directed: finalized blocks with their certificates, ascending and contiguous. */
  | { type: 'sync-response'; blocks: FinalizedBlock[] }
  /** Ask peers for a candidate block (by hash) of the height being decided. */
  | { type: 'block-request'; hash: Hex }
  | { type: 'block-response'; block: Block };

/** Whom a message goes to: every peer, or one authority (by index). */
export type Destination = 'all' | number;

export interface Outbound {
  to: Destination;
  msg: ConsensusMessage;
}

/** The lock of Tendermint: set when precommitting, cleared when the height is decided. */
export interface Lock {
  slot: number;
  block: Block;
  /** The prevote certificate that justified the lock (needed to re-propose the block). */
  polka: QuorumCertificate;
}

/**
 * What a validator must remember across a crash so that it never signs two conflicting
 * statements. Persisted before any message it justifies leaves the node.
 */
export interface SafetyState {
  /** Height the fields below refer to (finalized height + 1 at the time). */
  height: number;
  /** Highest slot in which this validator proposed (ever, any height): -1 if never. */
  lastProposedSlot: number;
  /** Highest slot with a prevote at `height`: -1 if none. */
  lastPrevoteSlot: number;
  /** Highest slot with a precommit at `height`: -1 if none. */
  lastPrecommitSlot: number;
  lock?: Lock;
}

export type PersistOp =
  | { kind: 'safety'; state: SafetyState }
  /** A block became final: store it with its certificate and apply it (one atomic batch). */
  | { kind: 'finalize'; block: Block; certificate: QuorumCertificate }
  /** Transactions accepted into the pool: stored so an acknowledged vote survives a crash. */
  | { kind: 'pool-add'; txs: Transaction[] }
  /** Transactions that left the pool without being finalized (e.g. lost to a double vote). */
  | { kind: 'pool-remove'; hashes: Hex[] }
  | { kind: 'evidence'; evidence: Evidence };

export type CoreEvent =
  | { type: 'finalized'; block: Block; certificate: QuorumCertificate }
  | { type: 'proposed'; slot: number; block: Block }
  /** A candidate block gathered a polka at the height being decided (votes are "included"). */
  | { type: 'polka'; slot: number; block: Block }
  | { type: 'tx-rejected'; hash: Hex; reason: string; conflictsWith?: Hex }
  | { type: 'evidence'; evidence: Evidence }
  | { type: 'sync-needed'; peer: number; fromHeight: number }
  /** A message was refused; `code` is an IGNORE/REJECT style reason for peer scoring and logs. */
  | { type: 'invalid-message'; from: number; code: string; message: string };

export interface Output {
  persist: PersistOp[];
  send: Outbound[];
  events: CoreEvent[];
}

/** Outcome of submitting one transaction. */
export type SubmitResult =
  | { status: 'accepted'; hash: Hex }
  /** Already in the pool or already final: same hash, nothing new (safe retries). */
  | { status: 'known'; hash: Hex; finalized: boolean }
  | { status: 'rejected'; hash: Hex; code: 'TX_DOUBLE_VOTE'; message: string; conflictsWith: Hex }
  | { status: 'rejected'; hash: Hex; code: 'POOL_FULL'; message: string };
