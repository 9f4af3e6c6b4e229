/**
 * Encrypted elections in the simulator: the operator configures one election early in the fault
 * phase, simulated voters encrypt ballots (seeded randomness) while it is open, every node runs
 * its trustee duties (key ceremony, partial decryption) with its own seeded randomness and a
 * trustee store that survives crashes and disk loss (it lives beside the key, not on the data
 * disk), and at the end every node that decrypted must show exactly the sum of the ballots on its
 * finalized chain. The core itself sees only transactions: randomness stays out here.
 */
import {
  type ElectionRegistry as Registry,
  type Genesis,
  type Hex,
  type Signer,
  type Transaction,
  CONFIG_TYPE,
  ElectionRegistry,
  ballotToData,
  encryptBallot,
  signElectionTx,
  txHash,
} from '@poa-vote/shared';
import type { ConsensusCore } from '../consensus/index.js';
import { Trustee, type TrusteeRecord } from '../elections/trustee.js';
import type { SimDisk } from './disk.js';
import { InvariantCode, InvariantViolation } from './invariants.js';
import type { Rng } from './rng.js';

export const SIM_ELECTION = 'enc';
const CANDIDATES = ['red', 'green', 'blue'];
/** Blocks between the configuration and the opening, and the election's length in blocks. */
const OPEN_AFTER = 8;
const OPEN_BLOCKS = 18;
/** Chance per node and tick (100 ms) that a voter casts a ballot through that node: ~20 ballots per election. */
const BALLOT_P = 0.05;
/** Trustee duties and the configuration are sent again after this many slots if not on chain. */
const RESEND_SLOTS = 3;

/** The byte source of the crypto layer, from a simulator stream. */
function rngBytes(rng: Rng): (length: number) => Uint8Array {
  return (length) => {
    const out = new Uint8Array(length);
    for (let k = 0; k < length; k += 32) {
      const chunk = Buffer.from(rng.bytes32().slice(2), 'hex');
      out.set(chunk.subarray(0, Math.min(32, length - k)), k);
    }
    return out;
  };
}

export interface ElectionOutcome {
  phase: string;
  ballots: number;
  counts?: number[];
  /** The key ceremony's participants (1-based trustee indices), once its key phase is over. */
  participants?: number[];
}

/** One simulated election: its operator, voters and trustees. */
export class SimElection {
  readonly #genesis: Genesis;
  readonly #operator: Signer;
  readonly #rng: Rng;
  readonly #trustees: Trustee[];
  /** Each node's trustee records (beside its key: they survive crashes and disk loss). */
  readonly #records: Map<string, TrusteeRecord>[];
  /** The choice behind every ballot ever encrypted, by transaction hash. */
  readonly #choices = new Map<Hex, number>();
  /** Per node: last send time of each duty. */
  readonly #sent: Map<string, number>[];
  /** Per node: head height and time of the last look at its duties (they cost curve work). */
  readonly #looked: { height: number; at: number }[];
  #configSentAt = -Infinity;
  #openHeight = 0;
  #closeHeight = 0;
  #voter = 0;

  /** Simulated time before which the operator does not configure the election. */
  readonly #configureFrom: number;

  constructor(
    genesis: Genesis,
    operator: Signer,
    signers: readonly Signer[],
    rng: Rng,
    options: { configureFrom?: number } = {},
  ) {
    this.#configureFrom = options.configureFrom ?? 0;
    this.#genesis = genesis;
    this.#operator = operator;
    this.#rng = rng;
    this.#records = signers.map(() => new Map<string, TrusteeRecord>());
    this.#trustees = signers.map((signer, self) => {
      const records = this.#records[self] ?? new Map<string, TrusteeRecord>();
      return new Trustee({
        genesis,
        self,
        signer,
        rng: rngBytes(rng.fork(`trustee/${self}`)),
        store: { get: (id) => records.get(id), put: async (r) => void records.set(r.electionId, r) },
      });
    });
    this.#sent = signers.map(() => new Map());
    this.#looked = signers.map(() => ({ height: -1, at: -Infinity }));
  }

  /** A node's election state rebuilt from its durable blocks, as the node does at start-up. */
  restore(disk: SimDisk): ElectionRegistry {
    const registry = new ElectionRegistry(this.#genesis, { verify: false });
    for (let h = 1; ; ) {
      const blocks = disk.blocksFrom(h, 512);
      if (blocks.length === 0) break;
      for (const fb of blocks) registry.apply(fb.block);
      h += blocks.length;
    }
    return registry;
  }

  /**
   * What node `i` (and the clients talking to it) submit at this tick: the configuration until it
   * is on chain, the node's trustee duties, and now and then a voter's ballot.
   */
  onTick(i: number, core: ConsensusCore, now: number, slotMs: number): { txs: Transaction[]; what: string }[] {
    const registry = core.elections;
    if (registry === undefined) return [];
    const out: { txs: Transaction[]; what: string }[] = [];
    const height = core.chain.head.height;
    const e = registry.get(SIM_ELECTION);
    if (
      e === undefined &&
      height >= 2 &&
      now >= this.#configureFrom &&
      now - this.#configSentAt >= RESEND_SLOTS * slotMs
    ) {
      this.#configSentAt = now;
      if (this.#openHeight === 0 || this.#openHeight <= height + 2) {
        this.#openHeight = height + OPEN_AFTER;
        this.#closeHeight = this.#openHeight + OPEN_BLOCKS;
      }
      const config = {
        type: CONFIG_TYPE,
        v: 1,
        electionId: SIM_ELECTION,
        candidates: CANDIDATES,
        ballotFormat: 'encrypted',
        minSelections: 1,
        maxSelections: 1,
        openHeight: this.#openHeight,
        closeHeight: this.#closeHeight,
        dkgPhaseBlocks: 6,
      };
      out.push({
        txs: [signElectionTx(this.#genesis, this.#operator, 'election', SIM_ELECTION, config)],
        what: 'operator config',
      });
    }
    const trustee = this.#trustees[i];
    const sent = this.#sent[i];
    const looked = this.#looked[i];
    const look = looked !== undefined && (looked.height !== height || now - looked.at >= RESEND_SLOTS * slotMs);
    if (look && looked !== undefined) {
      looked.height = height;
      looked.at = now;
    }
    if (look && trustee !== undefined && sent !== undefined) {
      for (const d of trustee.duties(registry)) {
        const key = `${d.electionId}/${d.kind}`;
        if (now - (sent.get(key) ?? -Infinity) < RESEND_SLOTS * slotMs) continue;
        sent.set(key, now);
        // The simulated trustee store is written at once: durable before the transaction leaves.
        if (d.record) this.#records[i]?.set(d.electionId, d.record);
        out.push({ txs: [d.tx], what: `trustee ${d.kind}` });
      }
    }
    if (e?.phase === 'ready' && e.params !== undefined && this.#rng.chance(BALLOT_P)) {
      const h = height + 1;
      if (h >= e.config.openHeight && h < e.config.closeHeight - 4) {
        const voterId = `enc-voter-${this.#voter++}`;
        const choice = this.#rng.int(0, CANDIDATES.length - 1);
        const data = ballotToData(encryptBallot(e.params, voterId, choice, rngBytes(this.#rng.fork(voterId))));
        const tx: Transaction = { from: voterId, to: `election-${SIM_ELECTION}`, data };
        this.#choices.set(txHash(tx), choice);
        out.push({ txs: [tx], what: `ballot ${voterId}=${CANDIDATES[choice]}` });
      }
    }
    return out;
  }

  /**
   * At the end: on every node that decrypted, the counts equal the sum of the choices of the
   * ballots on its finalized chain, and every node that decrypted agrees.
   */
  check(nodes: readonly { index: number; core: ConsensusCore | undefined; disk: SimDisk }[]): ElectionOutcome {
    let outcome: ElectionOutcome = { phase: 'unconfigured', ballots: 0 };
    let agreed: string | undefined;
    for (const n of nodes) {
      const e = n.core?.elections?.get(SIM_ELECTION);
      if (e === undefined) continue;
      if (outcome.phase === 'unconfigured' || e.phase === 'decrypted')
        outcome = { phase: e.phase, ballots: e.ballots, ...(e.participants ? { participants: e.participants } : {}) };
      if (e.phase !== 'decrypted' || e.counts === undefined) continue;
      const expected = CANDIDATES.map(() => 0);
      let ballots = 0;
      for (let h = 1; ; ) {
        const blocks = n.disk.blocksFrom(h, 512);
        if (blocks.length === 0) break;
        for (const fb of blocks)
          for (const tx of fb.block.transactions) {
            if (tx.to !== `election-${SIM_ELECTION}` || tx.from.startsWith('@poa/')) continue;
            const choice = this.#choices.get(txHash(tx));
            if (choice === undefined)
              throw new InvariantViolation(
                InvariantCode.ELECTION_TALLY,
                `n${n.index}: a ballot nobody cast is on chain`,
              );
            expected[choice] = (expected[choice] ?? 0) + 1;
            ballots++;
          }
        h += blocks.length;
      }
      const got = JSON.stringify(e.counts);
      if (got !== JSON.stringify(expected) || ballots !== e.ballots)
        throw new InvariantViolation(
          InvariantCode.ELECTION_TALLY,
          `n${n.index} decrypted ${got} from ${e.ballots} ballots; its chain holds ${ballots} ballots summing to ${JSON.stringify(expected)}`,
        );
      if (agreed !== undefined && agreed !== got)
        throw new InvariantViolation(
          InvariantCode.ELECTION_TALLY,
          `nodes decrypted different counts: ${agreed} and ${got}`,
        );
      agreed = got;
      outcome = {
        phase: 'decrypted',
        ballots: e.ballots,
        counts: e.counts,
        ...(e.participants ? { participants: e.participants } : {}),
      };
    }
    // The election state is a function of the chain: a node whose chain holds the block that
    // decrypted the tally (live, synced or replayed after a restart) must show the decryption too.
    const at = nodes
      .map((n) => n.core?.elections?.get(SIM_ELECTION)?.decryptedHeight)
      .filter((h): h is number => h !== undefined);
    const decryptedAt = at.length > 0 ? Math.min(...at) : undefined;
    if (decryptedAt !== undefined)
      for (const n of nodes) {
        const core = n.core;
        if (core === undefined || core.chain.head.height < decryptedAt) continue;
        const e = core.elections?.get(SIM_ELECTION);
        if (e?.phase !== 'decrypted' || JSON.stringify(e.counts) !== agreed)
          throw new InvariantViolation(
            InvariantCode.ELECTION_TALLY,
            `n${n.index} is at height ${core.chain.head.height}, past the decryption at ${decryptedAt}, but its election is ${e?.phase ?? 'unknown'} with counts ${JSON.stringify(e?.counts)}`,
          );
      }
    return outcome;
  }
}

export type { Registry };
