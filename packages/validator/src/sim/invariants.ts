/**
 * The simulator's checker. Safety properties are checked on every persist op and after every
 * event; liveness and "no acknowledged vote is lost" once the network has healed.
 */
import {
  ElectionRegistry,
  type Genesis,
  type Hex,
  type Transaction,
  LtHash,
  ProtocolError,
  StateCommitment,
  at,
  emptyStateRoot,
  genesisHash,
  txHash,
  verifyFinalizedBlock,
  voterKey,
} from '@poa-vote/shared';
import type { PersistOp } from '../consensus/index.js';
import type { ChainState } from '../state/chainState.js';

export enum InvariantCode {
  /** Two different blocks finalized at one height (on any nodes, at any time). */
  AGREEMENT = 'AGREEMENT',
  /** A node's finalized chain changed a final height, shrank, or skipped a height. */
  FINALITY_REGRESSED = 'FINALITY_REGRESSED',
  /** A finalize op whose block or certificate does not verify from genesis. */
  BAD_CERTIFICATE = 'BAD_CERTIFICATE',
  /** A transaction hash finalized twice, or two votes of one voter in one election final. */
  DUPLICATE_TX = 'DUPLICATE_TX',
  /** Equivocation evidence against a validator (all simulated validators are honest). */
  EVIDENCE = 'EVIDENCE',
  /** Finality did not advance enough after the network healed. */
  LIVENESS = 'LIVENESS',
  /** An acknowledged transaction was not finalized, or a conflicting vote was finalized instead. */
  LOST_TX = 'LOST_TX',
  /** An acknowledged, not yet final transaction is on fewer disks than a quorum (minus disks lost since). */
  ACK_UNDER_REPLICATED = 'ACK_UNDER_REPLICATED',
  /** Two different votes of one voter in one election were both acknowledged. */
  ACK_CONFLICT = 'ACK_CONFLICT',
  /** The core threw an unexpected exception. */
  CORE_EXCEPTION = 'CORE_EXCEPTION',
  /** An encrypted election's decrypted counts differ from the sum of the ballots on chain, or between nodes. */
  ELECTION_TALLY = 'ELECTION_TALLY',
  /**
   * A finalized block's stateRoot is not the commitment of the chain's state after its parent,
   * or a node persisted a state lattice other than the chain's state after the block.
   */
  STATE_ROOT = 'STATE_ROOT',
  /** The simulator itself failed (a bug in sim/, not in the core). */
  SIM_ERROR = 'SIM_ERROR',
}

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
  constructor(
    readonly code: InvariantCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const short = (h: string): string => h.slice(0, 10);

/** An acknowledged client transaction: the node answered 'accepted' or 'known'. */
export interface AckedTx {
  tx: Transaction;
  hash: Hex;
  node: number;
  time: number;
}

export class InvariantChecker {
  readonly #genesis: Genesis;
  readonly #genesisHash: Hex;
  /** Everything ever finalized anywhere: height -> block hash (index = height - 1). */
  readonly #global: Hex[] = [];
  /** Finalized tx hash -> height. */
  readonly #txs = new Map<Hex, number>();
  /** Finalized voterKey -> tx hash. */
  readonly #voters = new Map<string, Hex>();
  /** Each node's finalized chain as seen through its persist ops (index = height - 1). */
  readonly #chains: { hash: Hex; slot: number }[][];
  /** The state of the global finalized chain, and its root after each height (index height - 1). */
  readonly #state = new StateCommitment();
  readonly #roots: Hex[] = [];
  /**
   * The chain's elections, replayed here from the global finalized chain (with an election
   * operator): their records are part of the state, recomputed independently of the nodes.
   */
  readonly #elections: ElectionRegistry | undefined;

  constructor(genesis: Genesis) {
    this.#genesis = genesis;
    this.#elections =
      genesis.electionOperator === undefined ? undefined : new ElectionRegistry(genesis, { verify: false });
    this.#genesisHash = genesisHash(genesis);
    this.#chains = genesis.authorities.map(() => []);
  }

  /** Highest height finalized anywhere. */
  get globalHeight(): number {
    return this.#global.length;
  }

  /** Whether a transaction is final anywhere. */
  isFinal(hash: Hex): boolean {
    return this.#txs.has(hash);
  }

  /** The final transaction of a (voter, election), if any. */
  finalVoterTx(key: string): Hex | undefined {
    return this.#voters.get(key);
  }

  /** A node lost its disk: its durable chain starts again from genesis. */
  onWipe(node: number): void {
    this.#chains[node] = [];
  }

  /** Number of distinct finalized transactions. */
  get txCount(): number {
    return this.#txs.size;
  }

  /** Hash finalized at a height anywhere, if any. */
  finalizedAt(height: number): Hex | undefined {
    return this.#global[height - 1];
  }

  /** Height a node has durably finalized. */
  nodeHeight(node: number): number {
    return at(this.#chains, node, 'chain of node').length;
  }

  /** Check a persist op of `node` before the disk applies it. */
  onPersist(node: number, op: PersistOp): void {
    if (op.kind === 'evidence') {
      const e = op.evidence;
      throw new InvariantViolation(
        InvariantCode.EVIDENCE,
        `n${node} recorded ${e.kind} evidence against honest validator n${e.validator}: ${JSON.stringify(e).slice(0, 600)}`,
      );
    }
    if (op.kind !== 'finalize') return;
    const chain = at(this.#chains, node, 'chain of node');
    const h = op.block.header.height;
    if (h !== chain.length + 1) {
      const had = chain[h - 1]?.hash;
      throw new InvariantViolation(
        InvariantCode.FINALITY_REGRESSED,
        had !== undefined
          ? `n${node} finalized height ${h} again, now as ${short(op.block.hash)}: it was final as ${short(had)} (finalized head ${chain.length})`
          : `n${node} finalized height ${h} (${short(op.block.hash)}) above its finalized head ${chain.length}, skipping heights`,
      );
    }
    const top = chain[chain.length - 1];
    const prev = { height: chain.length, hash: top?.hash ?? this.#genesisHash, slot: top?.slot ?? 0 };
    try {
      verifyFinalizedBlock(this.#genesis, prev, { block: op.block, certificate: op.certificate });
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      throw new InvariantViolation(
        InvariantCode.BAD_CERTIFICATE,
        `n${node} finalized height ${h} (${short(op.block.hash)}) with a block/certificate that does not verify: ${e.code} ${e.message}`,
      );
    }
    const known = this.#global[h - 1];
    if (known !== undefined && known !== op.block.hash) {
      throw new InvariantViolation(
        InvariantCode.AGREEMENT,
        `n${node} finalized ${short(op.block.hash)} at height ${h}, but ${short(known)} is already final there`,
      );
    }
    chain.push({ hash: op.block.hash, slot: op.block.header.slot });
    if (known === undefined) {
      this.#state.apply(op.block.transactions, op.block.transactions.map(txHash));
      if (this.#elections !== undefined) {
        this.#elections.apply(op.block);
        this.#state.replace(this.#elections.takeStateChanges());
      }
      this.#roots.push(this.#state.root());
    }
    const before = h === 1 ? emptyStateRoot() : this.#roots[h - 2];
    if (op.block.header.stateRoot !== before)
      throw new InvariantViolation(
        InvariantCode.STATE_ROOT,
        `n${node} finalized ${short(op.block.hash)} at height ${h} with stateRoot ${short(op.block.header.stateRoot)}, the state after height ${h - 1} is ${short(String(before))}`,
      );
    if (op.lattice !== undefined && new LtHash(op.lattice).root() !== this.#roots[h - 1])
      throw new InvariantViolation(
        InvariantCode.STATE_ROOT,
        `n${node} persisted a state lattice after height ${h} whose root is not the chain's state ${short(String(this.#roots[h - 1]))}`,
      );
    if (known !== undefined) return;
    this.#global.push(op.block.hash);
    for (const tx of op.block.transactions) {
      const hash = txHash(tx);
      const at = this.#txs.get(hash);
      if (at !== undefined)
        throw new InvariantViolation(
          InvariantCode.DUPLICATE_TX,
          `tx ${short(hash)} finalized at height ${at} and again at height ${h}`,
        );
      const key = voterKey(tx);
      const other = this.#voters.get(key);
      if (other !== undefined)
        throw new InvariantViolation(
          InvariantCode.DUPLICATE_TX,
          `${tx.from} has two final votes in ${tx.to}: ${short(other)} and ${short(hash)} (height ${h})`,
        );
      this.#txs.set(hash, h);
      this.#voters.set(key, hash);
    }
  }

  /** A live node's in-memory finalized head must be exactly its durable finalized head. */
  checkHead(node: number, chain: ChainState, when: string): void {
    const mine = at(this.#chains, node, 'chain of node');
    const head = chain.head;
    const expected = mine[mine.length - 1]?.hash ?? this.#genesisHash;
    if (head.height !== mine.length || head.hash !== expected) {
      throw new InvariantViolation(
        InvariantCode.FINALITY_REGRESSED,
        `n${node} ${when}: finalized head is ${head.height} ${short(head.hash)}, but it has finalized up to ${mine.length} ${short(expected)}`,
      );
    }
  }

  /** Every acknowledged transaction is final (an acknowledged vote never loses to another). */
  checkAcked(acked: Iterable<AckedTx>, describeNode: (node: number, hash: Hex) => string): void {
    for (const a of acked) {
      if (this.#txs.has(a.hash)) continue;
      const winner = this.#voters.get(voterKey(a.tx));
      throw new InvariantViolation(
        InvariantCode.LOST_TX,
        winner !== undefined
          ? `tx ${short(a.hash)} (${a.tx.from} in ${a.tx.to}) acknowledged by n${a.node} at ${a.time}ms lost to the conflicting vote ${short(winner)}`
          : `tx ${short(a.hash)} (${a.tx.from} in ${a.tx.to}) acknowledged by n${a.node} at ${a.time}ms is not final; ${describeNode(a.node, a.hash)}`,
      );
    }
  }

  /**
   * After every event: each acknowledged transaction that is not final is on the disks of at
   * least a quorum of nodes, less the nodes whose disk was lost and that have not recovered yet,
   * and no conflicting vote is final.
   */
  checkAckedHeld(
    pending: Iterable<AckedTx>,
    quorum: number,
    lostDisks: number,
    holders: (hash: Hex) => number[],
  ): void {
    for (const a of pending) {
      if (this.#txs.has(a.hash)) continue;
      const winner = this.#voters.get(voterKey(a.tx));
      if (winner !== undefined) {
        throw new InvariantViolation(
          InvariantCode.LOST_TX,
          `tx ${short(a.hash)} (${a.tx.from} in ${a.tx.to}) acknowledged by n${a.node} at ${a.time}ms lost to the conflicting vote ${short(winner)}`,
        );
      }
      const on = holders(a.hash);
      if (on.length < quorum - lostDisks) {
        throw new InvariantViolation(
          InvariantCode.ACK_UNDER_REPLICATED,
          `tx ${short(a.hash)} acknowledged by n${a.node} at ${a.time}ms is on the disks of [${on.map((i) => `n${i}`).join(',')}] only; a quorum is ${quorum} (${lostDisks} disk(s) lost and not yet recovered)`,
        );
      }
    }
  }
}
