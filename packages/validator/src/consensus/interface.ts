/**
 * The contract of the consensus core: a deterministic state machine with no I/O. Inputs are
 * ticks (the node's clock reading) and messages; outputs are state to persist and messages to
 * send. The driver (the node, or the simulator) MUST make `persist` durable before it sends
 * anything from the same output: that is how a validator never signs conflicting messages
 * across a crash.
 */
import type {
  Block,
  Evidence,
  FinalizedBlock,
  Hex,
  Proposal,
  QuorumCertificate,
  StateEntry,
  Transaction,
  Vote,
} from '@poa-vote/shared';

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
  /**
   * Transactions gossiped between pools. `batch` names the batch so that receivers can
   * acknowledge it (absent only in messages of older peers, which are then not acknowledged).
   * `acks`, when present, are acknowledgements riding along (the network layer attaches those
   * waiting to be sent, saving a message).
   */
  | { type: 'txs'; txs: Transaction[]; batch?: BatchId; acks?: TxAck[] }
  /** Which batches the sender now holds durably in its pool (and which transactions it refused). */
  | { type: 'acks'; acks: TxAck[] }
  /** Directed: a validator recovering from a lost pool asks a peer for its pool, from `cursor`. */
  | { type: 'pool-request'; cursor: number }
  /**
   * Directed: one page of the sender's pool, in arrival order; `next` is the cursor of the next
   * page; `height` is the sender's finalized height (the recovering validator syncs to it).
   */
  | { type: 'pool-response'; entries: PoolSnapshotEntry[]; next: number; done: boolean; height: number }
  /** Directed: ask a peer for finalized blocks fromHeight.. (answered by the driver from storage). */
  | { type: 'sync-request'; fromHeight: number; max: number }
  /** Directed: finalized blocks with their certificates, ascending and contiguous. */
  | { type: 'sync-response'; blocks: FinalizedBlock[] }
  /** Ask peers for a candidate block (by hash) of the height being decided. */
  | { type: 'block-request'; hash: Hex }
  | { type: 'block-response'; block: Block };

/**
 * A transaction batch gossiped by one validator: `epoch` is random per process start (so that
 * acknowledgements of a batch sent before a restart never count for a batch sent after it) and
 * `seq` counts the batches of that process.
 */
export interface BatchId {
  epoch: number;
  seq: number;
}

/** A transaction of a batch that the acknowledging validator does not hold, and why. */
export interface TxRefusal {
  hash: Hex;
  /** conflict: it holds another vote of the same voter; full: its pool is full. */
  reason: 'conflict' | 'full';
  conflictsWith?: Hex;
}

/**
 * "Every transaction of batch (origin, epoch, seq) is durably in my pool, except `refused`."
 * Sent only after the pool write is on disk, and never by a validator that is recovering.
 */
export interface TxAck {
  origin: number;
  epoch: number;
  seq: number;
  refused: TxRefusal[];
}

/** A pooled transaction as a peer reports it: with the authorities it knows to hold it. */
export interface PoolSnapshotEntry {
  tx: Transaction;
  /** Authority indexes known (by the sender) to hold the transaction durably, ascending. */
  holders: number[];
  /** The sender knows a quorum held it (possibly before a restart made it forget who). */
  replicated: boolean;
}

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
  /**
   * While recovering from a lost disk: the slot from which peers are read (the first slot after
   * the loss plus the grace). Kept across restarts so that a restart does not extend the grace.
   */
  recoveryFrom?: number;
}

export type PersistOp =
  | { kind: 'safety'; state: SafetyState }
  /** A block became final: store it with its certificate and apply it (one atomic batch). */
  | {
      kind: 'finalize';
      block: Block;
      certificate: QuorumCertificate;
      /**
       * The state commitment's lattice after the block (2,048 bytes), stored with it so a restart
       * resumes the commitment without recomputing it (absent: recomputed at the next open).
       */
      lattice?: Uint8Array;
      /** The election registry's state entries the block changed (stored beside the voter index and tallies). */
      registryEntries?: StateEntry[];
    }
  /** Transactions accepted into the pool: stored so an acknowledged vote survives a crash. */
  | { kind: 'pool-add'; txs: Transaction[] }
  /** Transactions that left the pool without being finalized (e.g. lost to a double vote). */
  | { kind: 'pool-remove'; hashes: Hex[] }
  /** Pooled transactions now known to be held by a quorum: remembered across restarts. */
  | { kind: 'pool-replicated'; hashes: Hex[] }
  | { kind: 'evidence'; evidence: Evidence }
  /**
   * The validator has read every peer's pool after starting without one (a new or wiped data
   * directory): from now on it may vouch for transactions (acknowledge them to peers).
   */
  | { kind: 'vouching' };

export type CoreEvent =
  | { type: 'finalized'; block: Block; certificate: QuorumCertificate }
  | { type: 'proposed'; slot: number; block: Block }
  /** A candidate block gathered a polka at the height being decided (votes are "included"). */
  | { type: 'polka'; slot: number; block: Block }
  /** `code` TX_INVALID: an election moved past the transaction's phase (e.g. a ballot pooled at the closing). */
  | { type: 'tx-rejected'; hash: Hex; reason: string; conflictsWith?: Hex; code?: 'TX_INVALID' }
  /** Pooled transactions now known to be held durably by a quorum of validators. */
  | { type: 'tx-replicated'; hashes: Hex[] }
  /** The pool recovery finished: this validator vouches for transactions again. */
  | { type: 'recovered'; peers: number; entries: number }
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
  /** `replicated`: already known to be held by a quorum (acknowledge at once). */
  | { status: 'accepted'; hash: Hex; replicated: boolean }
  /** Already in the pool or already final: same hash, nothing new (safe retries). */
  | { status: 'known'; hash: Hex; finalized: boolean; replicated: boolean }
  | { status: 'rejected'; hash: Hex; code: 'TX_TOO_LARGE'; message: string }
  /** The validator lost its pool and is reading its peers' pools: submit elsewhere. */
  | { status: 'rejected'; hash: Hex; code: 'RECOVERING'; message: string }
  | { status: 'rejected'; hash: Hex; code: 'TX_DOUBLE_VOTE'; message: string; conflictsWith: Hex }
  | { status: 'rejected'; hash: Hex; code: 'POOL_FULL'; message: string }
  /** Breaks an election rule (docs/ELECTIONS.md): data.reason is the protocol code, data.proof a failed proof. */
  | { status: 'rejected'; hash: Hex; code: 'TX_INVALID'; message: string; data: Record<string, unknown> };
