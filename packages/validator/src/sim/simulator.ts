/**
 * Deterministic simulation of N validators running the consensus core (in the spirit of
 * FoundationDB's and TigerBeetle's simulators): one process, simulated time, a seeded network
 * that delays, drops, duplicates, reorders and partitions, crashes that wipe memory, restarts
 * from a simulated disk, and a checker that runs after every event. A seed replays exactly.
 */
import {
  type Genesis,
  type Hex,
  type Transaction,
  Signer,
  keyPairFromSeed,
  parseGenesis,
  quorumSize,
  at,
  must,
  txHash,
  unreachable,
  voterKey,
} from '@poa-vote/shared';
import type { ConsensusCore, ConsensusMessage, Output } from '../consensus/index.js';
import { createSimCore } from './brokenCore.js';
import { SimDisk } from './disk.js';
import { EventQueue } from './eventQueue.js';
import { type AckedTx, InvariantChecker, InvariantCode, InvariantViolation } from './invariants.js';
import { Rng } from './rng.js';
import {
  BrokenVariant,
  type FaultAction,
  type NetworkParams,
  type Scenario,
  DOWN_AT_MS,
  LIVENESS_BLOCKS,
  SLOT_MS,
  describeScenario,
  livenessSlots,
} from './scenario.js';
import { Trace, fmtMsg, fmtOutput } from './trace.js';
import { type ElectionOutcome, SimElection } from './elections.js';

/** How often each node's clock is read (simulated ms). */
export const TICK_MS = 100;
export { LIVENESS_BLOCKS, LIVENESS_SLOTS } from './scenario.js';
/** Client load stops this long before the end, so every acknowledged vote has time to be final. */
export const LOAD_QUIET_SLOTS = 12;

export interface SimOptions {
  /** Keep the whole trace (otherwise only the last lines). */
  fullTrace?: boolean;
  /** Receive every trace line as it is produced (the CLI's --trace). */
  onTrace?: (line: string) => void;
  /** Trace lines included in a failure report. */
  tailLines?: number;
}

export interface SimStats {
  simulatedSlots: number;
  events: number;
  /** Highest height finalized anywhere. */
  blocksFinalized: number;
  txsFinalized: number;
  txsSubmitted: number;
  txsAcked: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesLost: number;
  crashes: number;
  restarts: number;
  syncResponses: number;
  /** Highest height finalized anywhere when the heal phase began. */
  heightAtHeal: number;
  /** Lowest node height at the liveness check. */
  heightAtLivenessCheck: number;
  /** Slots after the heal until every node had LIVENESS_BLOCKS more blocks (-1: not reached). */
  livenessSlots: number;
  /** 'invalid-message' events by code (informational: skewed clocks legitimately cause some). */
  invalidMessages: Record<string, number>;
  /** The encrypted election's outcome, in scenarios that run one. */
  election?: ElectionOutcome;
}

export interface SimFailure {
  code: InvariantCode;
  message: string;
  /** Simulated ms at which the violation was detected. */
  time: number;
}

export interface SimResult {
  ok: boolean;
  scenario: Scenario;
  description: string;
  stats: SimStats;
  /** sha256 over every trace line: equal digests mean identical runs. */
  digest: Hex;
  /** The last trace lines (tailLines, default 50). */
  traceTail: string[];
  /** Every trace line, with fullTrace. */
  trace?: readonly string[];
  failure?: SimFailure;
}

type SimEvent =
  | { kind: 'tick'; node: number }
  | { kind: 'deliver'; from: number; to: number; msg: ConsensusMessage }
  | { kind: 'fault'; action: FaultAction; reason: string }
  | { kind: 'client' }
  | { kind: 'heal' }
  | { kind: 'liveness' }
  | { kind: 'end' };

interface SimNode {
  readonly index: number;
  readonly signer: Signer;
  readonly disk: SimDisk;
  readonly offsetMs: number;
  core: ConsensusCore | undefined;
}

const CHAIN_ID = 7;

/** The genesis and signers of a scenario: keys derived from the seed, genesisTime 0, 1 s slots. */
export function scenarioGenesis(s: Pick<Scenario, 'seed' | 'n' | 'quorum' | 'encryptedElection'>): {
  genesis: Genesis;
  signers: Signer[];
  operator?: Signer;
} {
  const rng = new Rng(s.seed).fork('keys');
  const keys = Array.from({ length: s.n }, () => keyPairFromSeed(rng.bytes32()));
  const op = s.encryptedElection ? keyPairFromSeed(new Rng(s.seed).fork('operator').bytes32()) : undefined;
  const genesis = parseGenesis({
    ...(op ? { electionOperator: op.publicKey } : {}),
    chainId: CHAIN_ID,
    genesisTime: 0,
    slotDurationMs: SLOT_MS,
    quorum: s.quorum,
    authorities: keys.map((k, i) => ({ id: `validator-${i}`, publicKey: k.publicKey })),
  });
  return {
    genesis,
    signers: keys.map((k) => new Signer(k.privateKey)),
    ...(op ? { operator: new Signer(op.privateKey) } : {}),
  };
}

/** Run one scenario to completion or to the first violation. Never throws for a violation. */
export function runScenario(scenario: Scenario, opts: SimOptions = {}): SimResult {
  return new Simulation(scenario, opts).run();
}

class Simulation {
  readonly #s: Scenario;
  readonly #opts: SimOptions;
  readonly #genesis: Genesis;
  readonly #nodes: SimNode[];
  readonly #queue = new EventQueue<SimEvent>();
  readonly #trace: Trace;
  readonly #checker: InvariantChecker;
  readonly #netRng: Rng;
  readonly #loadRng: Rng;
  readonly #faultRng: Rng;
  readonly #healAt: number;
  readonly #endAt: number;
  #now = 0;
  #healed = false;
  /** Partition group of each node; equal groups are connected. */
  #group: number[];
  #net: NetworkParams;
  readonly #acked = new Map<Hex, AckedTx>();
  /** Acknowledged and not yet seen final: checked after every event. */
  readonly #ackedOpen = new Map<Hex, AckedTx>();
  /** Acknowledged vote of each (voter, election). */
  readonly #ackedVoters = new Map<string, Hex>();
  /** Clients waiting for a quorum, per node: tx hash -> the transaction. */
  readonly #waiting: Map<Hex, Transaction>[];
  #boots = 0;
  readonly #submitted: Transaction[] = [];
  #voterSeq = 0;
  readonly #stats: SimStats;
  readonly #election: SimElection | undefined;

  constructor(s: Scenario, opts: SimOptions) {
    this.#s = s;
    this.#opts = opts;
    const { genesis, signers, operator } = scenarioGenesis(s);
    this.#genesis = genesis;
    this.#election =
      operator &&
      new SimElection(genesis, operator, signers, new Rng(s.seed).fork('election'), {
        configureFrom: s.downNode !== undefined ? DOWN_AT_MS + SLOT_MS : 0,
      });
    this.#nodes = signers.map((signer, index) => ({
      index,
      signer,
      disk: new SimDisk(),
      offsetMs: s.skewMs[index] ?? 0,
      core: undefined,
    }));
    this.#trace = new Trace({
      keep: Math.max(200, opts.tailLines ?? 50),
      full: opts.fullTrace ?? false,
      ...(opts.onTrace ? { sink: opts.onTrace } : {}),
    });
    this.#checker = new InvariantChecker(genesis);
    const root = new Rng(s.seed);
    this.#netRng = root.fork('net');
    this.#loadRng = root.fork('load');
    this.#faultRng = root.fork('faults');
    this.#healAt = s.faultSlots * SLOT_MS;
    this.#endAt = (s.faultSlots + s.healSlots) * SLOT_MS;
    this.#group = this.#nodes.map(() => 0);
    this.#waiting = this.#nodes.map(() => new Map());
    this.#net = s.net;
    this.#stats = {
      simulatedSlots: s.faultSlots + s.healSlots,
      events: 0,
      blocksFinalized: 0,
      txsFinalized: 0,
      txsSubmitted: 0,
      txsAcked: 0,
      messagesSent: 0,
      messagesDelivered: 0,
      messagesLost: 0,
      crashes: 0,
      restarts: 0,
      syncResponses: 0,
      heightAtHeal: 0,
      heightAtLivenessCheck: 0,
      livenessSlots: -1,
      invalidMessages: {},
    };
  }

  run(): SimResult {
    let failure: SimFailure | undefined;
    try {
      this.#start();
      for (let ev = this.#queue.pop(); ev && ev.time <= this.#endAt; ev = this.#queue.pop()) {
        this.#now = ev.time;
        this.#stats.events++;
        this.#handle(ev.item);
        this.#afterEvent();
        if (ev.item.kind === 'end') break;
      }
    } catch (e) {
      const v =
        e instanceof InvariantViolation
          ? e
          : new InvariantViolation(InvariantCode.SIM_ERROR, e instanceof Error ? (e.stack ?? e.message) : String(e));
      failure = { code: v.code, message: v.message, time: this.#now };
      this.#trace.add(this.#now, 'CHECK', `VIOLATION ${v.message}`);
    }
    this.#stats.blocksFinalized = this.#checker.globalHeight;
    this.#stats.txsFinalized = this.#checker.txCount;
    const result: SimResult = {
      ok: failure === undefined,
      scenario: this.#s,
      description: describeScenario(this.#s),
      stats: this.#stats,
      digest: this.#trace.digest(),
      traceTail: this.#trace.tail(this.#opts.tailLines ?? 50),
      ...(this.#trace.lines ? { trace: this.#trace.lines } : {}),
      ...(failure ? { failure } : {}),
    };
    return result;
  }

  #start(): void {
    const tickRng = new Rng(this.#s.seed).fork('ticks');
    for (const n of this.#nodes) {
      this.#boot(n, 'start');
      this.#queue.push(tickRng.int(0, TICK_MS - 1), { kind: 'tick', node: n.index });
    }
    for (const f of this.#s.schedule) this.#queue.push(f.at, { kind: 'fault', action: f.action, reason: 'schedule' });
    this.#queue.push(this.#loadRng.int(0, this.#s.load.maxGapMs), { kind: 'client' });
    this.#queue.push(this.#healAt, { kind: 'heal' });
    this.#queue.push(this.#healAt + livenessSlots(this.#s.emptyBlockIntervalSlots) * SLOT_MS, { kind: 'liveness' });
    this.#queue.push(this.#endAt, { kind: 'end' });
  }

  /** Build a node's core from its disk (a fresh node has an empty disk). */
  #boot(n: SimNode, why: string): void {
    const forget = this.#s.broken === BrokenVariant.FORGET_SAFETY && why === 'restart';
    const chain = n.disk.restoreChain(this.#genesis);
    const safety = forget ? undefined : n.disk.safety;
    n.core = this.#call(() =>
      createSimCore(this.#s.broken, {
        genesis: this.#genesis,
        self: n.index,
        signer: n.signer,
        chain,
        ...(safety ? { safety } : {}),
        pool: [...n.disk.pool.values()],
        replicated: n.disk.replicated,
        options: {
          epoch: this.#boots++,
          recovering: !n.disk.vouching,
          emptyBlockIntervalSlots: this.#s.emptyBlockIntervalSlots,
        },
        ...(this.#election ? { elections: this.#election.restore(n.disk) } : {}),
      }),
    );
    this.#checker.checkHead(n.index, n.core.chain, `after ${why}`);
    if (why !== 'start') {
      this.#trace.add(
        this.#now,
        `n${n.index}`,
        `${why.toUpperCase()} from disk: h${n.disk.height} pool ${n.disk.pool.size}${n.disk.vouching ? '' : ' RECOVERING'}${safety ? ` safety h${safety.height} prop${safety.lastProposedSlot} pv${safety.lastPrevoteSlot} pc${safety.lastPrecommitSlot}${safety.lock ? ` lock s${safety.lock.slot}` : ''}` : ' no safety'}${forget ? ' (BROKEN: safety forgotten)' : ''}`,
      );
    }
  }

  #handle(ev: SimEvent): void {
    switch (ev.kind) {
      case 'tick':
        this.#onTick(ev.node);
        return;
      case 'deliver':
        this.#onDeliver(ev.from, ev.to, ev.msg);
        return;
      case 'fault':
        this.#onFault(ev.action, ev.reason);
        return;
      case 'client':
        this.#onClient();
        return;
      case 'heal':
        this.#onHeal();
        return;
      case 'liveness':
        this.#onLiveness();
        return;
      case 'end':
        this.#onEnd();
        return;
      default:
        unreachable(ev, 'simulator event');
    }
  }

  #afterEvent(): void {
    if (this.#ackedOpen.size > 0) {
      for (const [hash] of this.#ackedOpen) if (this.#checker.isFinal(hash)) this.#ackedOpen.delete(hash);
      const lost = this.#nodes.filter((n) => !n.disk.vouching).length;
      this.#checker.checkAckedHeld(this.#ackedOpen.values(), quorumSize(this.#genesis), lost, (hash) =>
        this.#nodes.filter((n) => n.disk.pool.has(hash)).map((n) => n.index),
      );
    }
    let lowest = Infinity;
    for (const n of this.#nodes) {
      if (!n.core) {
        lowest = -1;
        continue;
      }
      this.#checker.checkHead(n.index, n.core.chain, 'after an event');
      lowest = Math.min(lowest, n.core.chain.head.height);
    }
    if (this.#healed && this.#stats.livenessSlots < 0 && lowest >= this.#stats.heightAtHeal + LIVENESS_BLOCKS) {
      this.#stats.livenessSlots = (this.#now - this.#healAt) / SLOT_MS;
    }
  }

  #onTick(i: number): void {
    this.#queue.push(this.#now + TICK_MS, { kind: 'tick', node: i });
    const n = this.#node(i);
    const core = n.core;
    if (!core) return;
    const before = core.slot;
    const clock = this.#now + n.offsetMs;
    const out = this.#call(() => core.tick(clock));
    if (core.slot !== before || !isEmpty(out))
      this.#apply(i, out, `tick clock=${clock} slot ${core.slot} h${core.height}`);
    if (this.#election === undefined) return;
    for (const { txs, what } of this.#election.onTick(i, core, this.#now, SLOT_MS)) {
      if (n.core !== core) return;
      const { results, output } = this.#call(() => core.submit(txs));
      this.#apply(
        i,
        output,
        `${what}: ${results.map((r) => `${r.hash.slice(2, 10)} ${r.status}${r.status === 'rejected' ? ` ${r.code}` : ''}`).join(', ')}`,
      );
    }
  }

  #onDeliver(from: number, to: number, msg: ConsensusMessage): void {
    const n = this.#node(to);
    const what = `<- n${from} ${fmtMsg(msg)}`;
    const core = n.core;
    if (!core) {
      this.#lost(`n${to}`, `${what} DROPPED (down)`);
      return;
    }
    if (!this.#linked(from, to)) {
      this.#lost(`n${to}`, `${what} DROPPED (partition)`);
      return;
    }
    this.#stats.messagesDelivered++;
    if (msg.type === 'sync-request') {
      // Answered by the driver from durable storage, as the real node does.
      const blocks = n.disk.blocksFrom(msg.fromHeight, msg.max);
      if (blocks.length === 0) {
        this.#trace.add(this.#now, `n${to}`, `${what} | nothing to send (h${n.disk.height})`);
        return;
      }
      this.#stats.syncResponses++;
      const fate = this.#route(to, from, { type: 'sync-response', blocks });
      this.#trace.add(this.#now, `n${to}`, `${what} | send sync-resp(${blocks.length})->n${from}[${fate}]`);
      return;
    }
    const out = this.#call(() => core.receive(from, msg));
    this.#apply(to, out, what);
  }

  #node(i: number): SimNode {
    return at(this.#nodes, i, 'simulated node');
  }

  /** The votes whose clients wait on node i for an acknowledgement. */
  #waitingOn(i: number): Map<Hex, Transaction> {
    return at(this.#waiting, i, 'waiting clients of node');
  }

  #lost(who: string, line: string): void {
    this.#stats.messagesLost++;
    this.#trace.add(this.#now, who, line);
  }

  /** Run a core call; anything it throws is a bug in the core (it must report, never throw). */
  #call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw new InvariantViolation(
        InvariantCode.CORE_EXCEPTION,
        `core threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    }
  }

  /** Make `persist` durable (after checking it), then send. */
  #apply(i: number, out: Output, what: string): void {
    const n = this.#node(i);
    try {
      for (const op of out.persist) {
        this.#checker.onPersist(i, op);
        n.disk.apply(op);
      }
    } catch (e) {
      // The offending event belongs in the trace even though its messages never leave.
      this.#trace.add(this.#now, `n${i}`, `${what} | ${fmtOutput(out, [])}`);
      throw e;
    }
    const waiting = this.#waitingOn(i);
    for (const e of out.events) {
      if (e.type === 'invalid-message')
        this.#stats.invalidMessages[e.code] = (this.#stats.invalidMessages[e.code] ?? 0) + 1;
      // The client hears back once the node's output is durable: the disk applied it above.
      if (e.type === 'tx-replicated') for (const h of e.hashes) this.#settle(i, h);
      if (e.type === 'finalized') for (const tx of e.block.transactions) this.#settle(i, txHash(tx));
      if (e.type === 'tx-rejected') waiting.delete(e.hash);
    }
    const fates = out.send.map((o) => {
      const targets =
        o.to === 'all'
          ? this.#nodes.map((x) => x.index).filter((x) => x !== i)
          : o.to !== i && o.to >= 0 && o.to < this.#nodes.length
            ? [o.to]
            : [];
      return targets.map((t) => `${o.to === 'all' ? `n${t}` : ''}${this.#route(i, t, o.msg)}`).join(',');
    });
    this.#trace.add(this.#now, `n${i}`, `${what}${isEmpty(out) ? '' : ` | ${fmtOutput(out, fates)}`}`);
    this.#maybeCrashAfterVote(i, out);
  }

  /** A client waiting on node i for `hash` hears "acknowledged". */
  #settle(i: number, hash: Hex): void {
    const waiting = this.#waitingOn(i);
    const tx = waiting.get(hash);
    if (tx === undefined) return;
    waiting.delete(hash);
    this.#ack(tx, hash, i);
  }

  #ack(tx: Transaction, hash: Hex, node: number): void {
    if (this.#acked.has(hash)) return;
    const key = voterKey(tx);
    const other = this.#ackedVoters.get(key);
    if (other !== undefined && other !== hash) {
      throw new InvariantViolation(
        InvariantCode.ACK_CONFLICT,
        `n${node} acknowledged ${hash.slice(0, 10)} for ${tx.from} in ${tx.to}, whose vote ${other.slice(0, 10)} was already acknowledged`,
      );
    }
    this.#ackedVoters.set(key, hash);
    const a: AckedTx = { tx, hash, node, time: this.#now };
    this.#acked.set(hash, a);
    if (!this.#checker.isFinal(hash)) this.#ackedOpen.set(hash, a);
    this.#stats.txsAcked++;
    this.#trace.add(this.#now, `n${node}`, `ACK ${hash.slice(2, 10)}`);
  }

  /** Put one message on the wire; returns its fate for the trace. */
  #route(from: number, to: number, msg: ConsensusMessage): string {
    this.#stats.messagesSent++;
    if (!this.#linked(from, to)) {
      this.#stats.messagesLost++;
      return 'cut';
    }
    const net = this.#net;
    if (this.#netRng.chance(net.dropP)) {
      this.#stats.messagesLost++;
      return 'lost';
    }
    const copies = this.#netRng.chance(net.dupP) ? 2 : 1;
    const delays: number[] = [];
    for (let c = 0; c < copies; c++) {
      const d = this.#netRng.chance(net.longDelayP) ? this.#netRng.int(300, 3000) : this.#netRng.int(1, net.maxDelayMs);
      delays.push(d);
      this.#queue.push(this.#now + d, { kind: 'deliver', from, to, msg });
    }
    return delays.map((d) => `+${d}`).join('');
  }

  #linked(a: number, b: number): boolean {
    return this.#group[a] === this.#group[b];
  }

  /** Crash a node right after it made a vote durable and sent it (the hardest moment to forget it). */
  #maybeCrashAfterVote(i: number, out: Output): void {
    if (this.#healed || this.#s.crashAfterVoteP <= 0) return;
    if (!out.send.some((o) => o.msg.type === 'vote' && o.msg.vote.validator === i)) return;
    if (!this.#faultRng.chance(this.#s.crashAfterVoteP)) return;
    const [lo, hi] = this.#s.quickRestartMs;
    this.#queue.push(this.#now + 1, {
      kind: 'fault',
      action: { kind: 'crash', node: i },
      reason: 'right after voting',
    });
    this.#queue.push(this.#now + 1 + this.#faultRng.int(lo, hi), {
      kind: 'fault',
      action: { kind: 'restart', node: i },
      reason: 'quick restart',
    });
  }

  #onFault(a: FaultAction, reason: string): void {
    // After the heal every node stays up and connected; late quick restarts are no-ops.
    if (this.#healed && a.kind !== 'restart') return;
    void reason;
    switch (a.kind) {
      case 'partition':
        this.#group = this.#nodes.map((n) => {
          const g = a.groups.findIndex((grp) => grp.includes(n.index));
          return g >= 0 ? g : a.groups.length + n.index;
        });
        this.#trace.add(this.#now, 'net', `PARTITION ${a.groups.map((g) => `{${g.join(',')}}`).join('|')}`);
        return;
      case 'heal-net':
        this.#group = this.#nodes.map(() => 0);
        this.#trace.add(this.#now, 'net', 'heal partitions');
        return;
      case 'crash': {
        const n = this.#node(a.node);
        if (!n.core) return;
        n.core = undefined;
        this.#waitingOn(a.node).clear();
        this.#stats.crashes++;
        this.#trace.add(
          this.#now,
          `n${a.node}`,
          `CRASH (${reason}; durable: h${n.disk.height} pool ${n.disk.pool.size})`,
        );
        return;
      }
      case 'wipe': {
        const n = this.#node(a.node);
        // Two lost disks at once are two failures: the model tolerates one.
        const another = this.#nodes.some((x) => x.index !== a.node && !x.disk.vouching);
        if (!n.core || another) {
          this.#onFault({ kind: 'crash', node: a.node }, `${reason}; wipe skipped: another node is recovering`);
          return;
        }
        n.core = undefined;
        this.#waitingOn(a.node).clear();
        const had = `h${n.disk.height} pool ${n.disk.pool.size}`;
        n.disk.wipe();
        // Broken: the node trusts its empty pool at once, as if nothing had been lost.
        if (this.#s.broken === BrokenVariant.NO_RECOVERY) n.disk.vouching = true;
        this.#checker.onWipe(a.node);
        this.#stats.crashes++;
        this.#trace.add(this.#now, `n${a.node}`, `CRASH AND DISK LOST (${reason}; had ${had})`);
        return;
      }
      case 'restart': {
        const n = this.#node(a.node);
        if (n.core) return;
        this.#stats.restarts++;
        this.#boot(n, 'restart');
        return;
      }
      default:
        unreachable(a, 'fault action');
    }
  }

  #onHeal(): void {
    this.#healed = true;
    this.#net = this.#s.healNet;
    this.#group = this.#nodes.map(() => 0);
    this.#stats.heightAtHeal = this.#checker.globalHeight;
    this.#trace.add(
      this.#now,
      'net',
      `HEAL: network delays only, every node up (final height ${this.#checker.globalHeight})`,
    );
    for (const n of this.#nodes) {
      if (n.core && !this.#s.restartAllAtHeal) continue;
      this.#stats.restarts++;
      n.core = undefined;
      this.#boot(n, 'restart');
    }
  }

  #onLiveness(): void {
    const target = this.#stats.heightAtHeal + LIVENESS_BLOCKS;
    const heights = this.#nodes.map((n) => n.core?.chain.head.height ?? -1);
    this.#stats.heightAtLivenessCheck = Math.min(...heights);
    this.#trace.add(this.#now, 'check', `liveness: heights [${heights.join(',')}], need >= ${target}`);
    const behind = heights.map((h, i) => [i, h] as const).filter(([, h]) => h < target);
    if (behind.length > 0) {
      throw new InvariantViolation(
        InvariantCode.LIVENESS,
        `${livenessSlots(this.#s.emptyBlockIntervalSlots)} slots after heal (final height ${this.#stats.heightAtHeal} then) ${behind.map(([i, h]) => `n${i} is at ${h}`).join(', ')}; every node must reach ${target}`,
      );
    }
  }

  #onEnd(): void {
    this.#trace.add(
      this.#now,
      'check',
      `end: final height ${this.#checker.globalHeight}, ${this.#checker.txCount} txs final, ${this.#acked.size} acknowledged`,
    );
    if (this.#election) {
      this.#stats.election = this.#election.check(this.#nodes);
      const o = this.#stats.election;
      this.#trace.add(
        this.#now,
        'check',
        `election: ${o.phase}, ${o.ballots} ballots${o.counts ? `, counts ${o.counts.join('/')}` : ''}`,
      );
    }
    this.#checker.checkAcked(this.#acked.values(), (node, hash) => {
      const n = this.#node(node);
      const pools = this.#nodes.filter((x) => x.core?.pool.has(hash)).map((x) => `n${x.index}`);
      return `in the pool of [${pools.join(',')}], on n${node}'s disk pool: ${n.disk.pool.has(hash)}`;
    });
  }

  #onClient(): void {
    const load = this.#s.load;
    const next = this.#now + this.#loadRng.int(load.minGapMs, load.maxGapMs);
    if (next < this.#endAt - LOAD_QUIET_SLOTS * SLOT_MS) this.#queue.push(next, { kind: 'client' });
    const live = this.#nodes.filter((n) => n.core);
    if (live.length === 0) return;
    const rng = this.#loadRng;
    const count = rng.chance(0.2) ? rng.int(2, 4) : 1;
    const txs: Transaction[] = [];
    let target = rng.pick(live);
    for (let k = 0; k < count; k++) {
      const r = rng.float();
      const old = this.#submitted.length > 0 ? rng.pick(this.#submitted) : undefined;
      let tx: Transaction;
      if (old && r < load.resubmitP) {
        tx = old; // an identical retry, usually to another validator
        const acked = this.#acked.get(txHash(old));
        const others = live.filter((n) => n.index !== acked?.node);
        if (count === 1 && others.length > 0) target = rng.pick(others);
      } else if (old && r < load.resubmitP + load.conflictP) {
        tx = { from: old.from, to: old.to, data: `{"candidate_id":"C${rng.int(1, 4)}","retry":${rng.int(0, 1e6)}}` };
      } else {
        tx = {
          from: `voter-${this.#voterSeq++}`,
          to: rng.pick(['election-1', 'election-2']),
          data: `{"candidate_id":"C${rng.int(1, 4)}","nonce":${rng.int(0, 1e6)}}`,
        };
      }
      if (txs.some((t) => voterKey(t) === voterKey(tx))) continue;
      txs.push(tx);
    }
    const n = target;
    const core = must(n.core, `core of live node n${n.index}`);
    const { results, output } = this.#call(() => core.submit(txs));
    this.#stats.txsSubmitted += txs.length;
    // The client hears back once the node made the votes durable and a quorum holds them.
    this.#apply(
      n.index,
      output,
      `client submit ${txs.length}: ${results.map((r) => `${r.hash.slice(2, 10)} ${r.status}${r.status === 'rejected' ? ` ${r.code}` : r.replicated ? ' replicated' : ''}`).join(', ')}`,
    );
    results.forEach((r, k) => {
      const tx = at(txs, k, 'submitted vote');
      this.#submitted.push(tx);
      if (r.status !== 'accepted' && r.status !== 'known') return;
      if (r.replicated || this.#s.broken === BrokenVariant.ACK_LOCAL) this.#ack(tx, r.hash, n.index);
      else this.#waitingOn(n.index).set(r.hash, tx);
    });
  }
}

function isEmpty(out: Output): boolean {
  return out.persist.length === 0 && out.send.length === 0 && out.events.length === 0;
}
