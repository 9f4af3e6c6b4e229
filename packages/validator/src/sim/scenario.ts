/**
 * Scenarios: what one simulation run does, derived entirely from a seed and a topology. The
 * fault schedule is drawn up front so that a scenario can be printed and replayed; the
 * per-message network fates, the client load and crashes right after voting are drawn while
 * running, from streams of the same seed.
 */
import { at, type QuorumRule } from '@poa-vote/shared';
import { Rng } from './rng.js';

/** Validator count and quorum rule. */
export interface Topology {
  n: number;
  quorum: QuorumRule;
}

/** The topologies the simulator rotates through: 3, 4 and 5 validators, 4+ also with a BFT quorum. */
export const TOPOLOGIES: readonly Topology[] = [
  { n: 3, quorum: 'majority' },
  { n: 4, quorum: 'majority' },
  { n: 4, quorum: 'bft' },
  { n: 5, quorum: 'majority' },
  { n: 5, quorum: 'bft' },
];

/**
 * Deliberately broken validators, to prove the checker catches real bugs:
 * quorum-1 certifies alone, forget-safety restarts without its last votes, revert-final adopts
 * a competing block for an already final height, ack-local acknowledges before replication,
 * no-recovery lets a validator that lost its disk vouch for votes at once.
 */
export enum BrokenVariant {
  QUORUM_1 = 'quorum-1',
  FORGET_SAFETY = 'forget-safety',
  REVERT_FINAL = 'revert-final',
  /** Acknowledges a vote once the node that took it holds it (the old behaviour), not a quorum. */
  ACK_LOCAL = 'ack-local',
  /** A node that lost its disk vouches for votes at once, without reading its peers' pools. */
  NO_RECOVERY = 'no-recovery',
}

export type Profile = 'calm' | 'lossy' | 'partitions' | 'crashes' | 'chaos';

export interface NetworkParams {
  /** Chance that a message is lost. */
  dropP: number;
  /** Chance that a message is delivered twice. */
  dupP: number;
  /** Chance that a message takes 300-3000 ms instead of 1..maxDelayMs. */
  longDelayP: number;
  maxDelayMs: number;
}

export type FaultAction =
  /** Links between different groups are cut (nodes absent from every group are alone). */
  | { kind: 'partition'; groups: number[][] }
  | { kind: 'heal-net' }
  /** The node loses all memory; messages to it are dropped until it restarts. */
  | { kind: 'crash'; node: number }
  /** A new core is built from the node's disk. */
  | { kind: 'restart'; node: number }
  /**
   * The node crashes and loses its disk (a new, empty one replaces it). Skipped (a plain crash)
   * while another node is still recovering its pool: two lost disks are two failures.
   */
  | { kind: 'wipe'; node: number };

export interface FaultEvent {
  /** Simulated time in ms. */
  at: number;
  action: FaultAction;
}

export interface Scenario {
  seed: number;
  n: number;
  quorum: QuorumRule;
  profile: Profile;
  /** Slots of random faults, then healSlots with every node up and only network delays. */
  faultSlots: number;
  healSlots: number;
  /** Per-node clock offset in ms (within +-0.45 slot). */
  skewMs: number[];
  /** Network during the fault phase. */
  net: NetworkParams;
  /** Network during the heal phase: delays only. */
  healNet: NetworkParams;
  /** Whether the heal restarts every node from its disk (else only the crashed ones). */
  restartAllAtHeal: boolean;
  schedule: FaultEvent[];
  /** Chance that a node crashes right after persisting and sending a vote (fault phase only). */
  crashAfterVoteP: number;
  /** Downtime range of those quick crash-restarts, ms. */
  quickRestartMs: readonly [number, number];
  /** Client submissions: mean gap between submissions, and mix of resubmissions and conflicting votes. */
  load: { minGapMs: number; maxGapMs: number; resubmitP: number; conflictP: number };
  broken?: BrokenVariant;
  /** Run an encrypted election (sim/elections.ts) alongside the opaque load. */
  encryptedElection?: boolean;
  /** A node crashed from the start until the heal (no other fault touches it). */
  downNode?: number;
  /** ConsensusOptions.emptyBlockIntervalSlots of every node (1: a block every slot). */
  emptyBlockIntervalSlots: number;
}

export interface ScenarioOptions {
  faultSlots?: number;
  healSlots?: number;
  broken?: BrokenVariant;
  encryptedElection?: boolean;
  /**
   * Crash this node at the start and keep it down for the whole fault phase (the heal brings it
   * back): with an encrypted election, the key ceremony runs without it.
   */
  downNode?: number;
  /** Leaders with nothing to propose make an empty block only every this many slots (default 1). */
  emptyBlockIntervalSlots?: number;
}

export const SLOT_MS = 1000;
/**
 * Liveness bound: once every node is up and the network only delays, each node must have
 * finalized LIVENESS_BLOCKS blocks beyond the highest height final anywhere at heal time within
 * LIVENESS_SLOTS slots (more with an empty-block interval: `livenessSlots`). A slot fails when its
 * leader's proposal or the polka misses the slot (relative skew up to 0.9 slot plus message
 * delays), and a lagging node first has to sync. Measured over 1,000 seeds of every topology:
 * median 2.5 slots, slowest 6.5; 12 slots leaves about twice that margin without hiding a stall.
 */
export const LIVENESS_BLOCKS = 3;
export const LIVENESS_SLOTS = 12;
export const DEFAULT_FAULT_SLOTS = 40;
export const DEFAULT_HEAL_SLOTS = 20;
/** When a scenario's downNode crashes (the encrypted election is configured only after it). */
export const DOWN_AT_MS = 8 * SLOT_MS;

/** Build the scenario of a seed for a topology. Same inputs, same scenario. */
export function makeScenario(seed: number, topology: Topology, opts: ScenarioOptions = {}): Scenario {
  const { n, quorum } = topology;
  if (!Number.isSafeInteger(n) || n < 1 || n > 16) throw new RangeError(`validator count must be 1..16, got ${n}`);
  const faultSlots = opts.faultSlots ?? DEFAULT_FAULT_SLOTS;
  const healSlots = opts.healSlots ?? DEFAULT_HEAL_SLOTS;
  if (!Number.isSafeInteger(faultSlots) || faultSlots < 0)
    throw new RangeError(`faultSlots must be a non-negative integer, got ${faultSlots}`);
  const emptyBlockIntervalSlots = opts.emptyBlockIntervalSlots ?? 1;
  if (!Number.isSafeInteger(emptyBlockIntervalSlots) || emptyBlockIntervalSlots < 1)
    throw new RangeError(`emptyBlockIntervalSlots must be an integer >= 1, got ${emptyBlockIntervalSlots}`);
  // The liveness bound plus time to drain pools: 15 slots with a block every slot.
  const minHeal = minHealSlots(emptyBlockIntervalSlots);
  if (!Number.isSafeInteger(healSlots) || healSlots < minHeal)
    throw new RangeError(
      `healSlots must be an integer >= ${minHeal} (the liveness bound plus time to drain pools, with an empty block every ${emptyBlockIntervalSlots} slot(s)), got ${healSlots}`,
    );
  const rng = new Rng(seed).fork(`scenario/${n}/${quorum}`);
  const broken = opts.broken;

  let profile = rng.weighted<Profile>([
    ['calm', 10],
    ['lossy', 15],
    ['partitions', 25],
    ['crashes', 20],
    ['chaos', 30],
  ]);
  if (broken === BrokenVariant.FORGET_SAFETY) profile = 'chaos';
  if (broken === BrokenVariant.REVERT_FINAL) profile = 'partitions';
  const wipeP = broken === BrokenVariant.ACK_LOCAL || broken === BrokenVariant.NO_RECOVERY ? 0.7 : 0.25;
  if (broken === BrokenVariant.ACK_LOCAL || broken === BrokenVariant.NO_RECOVERY) profile = 'crashes';

  // With a node down for the whole fault phase, the others are exactly a quorum (one fault is all the
  // model tolerates at n = 3): no partition or crash on top, only a lossy network.
  if (opts.downNode !== undefined && profile !== 'calm') profile = 'lossy';
  const lossy = profile !== 'calm';
  const net: NetworkParams = {
    dropP: lossy ? rng.pick([0, 0.02, 0.1, 0.25]) : 0,
    dupP: lossy ? rng.pick([0, 0.05, 0.15]) : 0,
    longDelayP: lossy ? rng.pick([0, 0.02, 0.08]) : 0,
    maxDelayMs: rng.pick([50, 150, 300]),
  };
  const healNet: NetworkParams = { dropP: 0, dupP: 0, longDelayP: 0, maxDelayMs: rng.pick([20, 100, 200]) };
  const restartAllAtHeal = rng.chance(0.3);
  const skewMs = rng.chance(0.25) ? new Array<number>(n).fill(0) : Array.from({ length: n }, () => rng.int(-450, 450));

  const end = faultSlots * SLOT_MS;
  const schedule: FaultEvent[] = [];
  if (profile === 'partitions' || profile === 'chaos')
    schedulePartitions(
      rng,
      n,
      end,
      schedule,
      broken === BrokenVariant.FORGET_SAFETY || broken === BrokenVariant.REVERT_FINAL,
    );
  if (profile === 'crashes' || profile === 'chaos') scheduleCrashes(rng, n, end, schedule, wipeP);
  const down = opts.downNode;
  if (down !== undefined) {
    if (!Number.isSafeInteger(down) || down < 0 || down >= n)
      throw new RangeError(`downNode must be a node index in 0..${n - 1}, got ${down}`);
    const others = schedule.filter((f) => !('node' in f.action) || f.action.node !== down);
    schedule.length = 0;
    // After the start-up pool recovery (a fresh node reads its peers' pools first), before the election.
    schedule.push({ at: DOWN_AT_MS, action: { kind: 'crash', node: down } }, ...others);
    schedule.sort((a, b) => a.at - b.at);
  }
  // Stable sort: equal times keep generation order.
  schedule.sort((a, b) => a.at - b.at);

  let crashAfterVoteP = profile === 'crashes' || profile === 'chaos' ? rng.pick([0, 0.002, 0.01]) : 0;
  let quickRestartMs: [number, number] = [5, 600];
  if (broken === BrokenVariant.FORGET_SAFETY) {
    // Forgetting a vote only shows when the validator is asked to vote again in the same slot or
    // height: crash it right after voting and bring it back within the slot.
    crashAfterVoteP = 0.08;
    quickRestartMs = [5, 300];
  }
  return {
    seed,
    n,
    quorum,
    profile,
    faultSlots,
    healSlots,
    skewMs,
    net,
    healNet,
    restartAllAtHeal,
    schedule,
    crashAfterVoteP,
    quickRestartMs,
    load: { minGapMs: 50, maxGapMs: rng.pick([300, 700, 1500]), resubmitP: 0.15, conflictP: 0.08 },
    ...(broken ? { broken } : {}),
    ...(opts.encryptedElection ? { encryptedElection: true } : {}),
    ...(down !== undefined ? { downNode: down } : {}),
    emptyBlockIntervalSlots,
  };
}

/**
 * Slots after the heal within which every node must have finalized LIVENESS_BLOCKS more blocks:
 * an idle chain makes one only every `emptyBlockIntervalSlots` slots.
 */
export function livenessSlots(emptyBlockIntervalSlots: number): number {
  return LIVENESS_SLOTS + LIVENESS_BLOCKS * (emptyBlockIntervalSlots - 1);
}

/** Shortest heal phase: the liveness bound plus time to drain pools. */
export function minHealSlots(emptyBlockIntervalSlots: number): number {
  return livenessSlots(emptyBlockIntervalSlots) + 3;
}

function schedulePartitions(rng: Rng, n: number, end: number, out: FaultEvent[], isolateOften: boolean): void {
  let t = rng.int(500, 4000);
  while (t < end - 500) {
    const kind = rng.weighted<'isolate' | 'split' | 'alone' | 'flap'>([
      ['isolate', isolateOften ? 8 : 4],
      ['split', n >= 4 ? 2 : 0],
      ['alone', 1],
      ['flap', 2],
    ]);
    const dur = rng.int(800, 8000);
    const stop = Math.min(t + dur, end);
    const groups = partitionGroups(rng, n, kind === 'flap' ? rng.pick(['isolate', 'split', 'alone'] as const) : kind);
    if (kind === 'flap') {
      let u = t;
      let on = true;
      while (u < stop) {
        out.push({ at: u, action: on ? { kind: 'partition', groups } : { kind: 'heal-net' } });
        on = !on;
        u += rng.int(100, 700);
      }
    } else {
      out.push({ at: t, action: { kind: 'partition', groups } });
    }
    out.push({ at: stop, action: { kind: 'heal-net' } });
    t = stop + rng.int(0, 5000);
  }
}

function partitionGroups(rng: Rng, n: number, kind: 'isolate' | 'split' | 'alone'): number[][] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (kind === 'alone' || n < 2) return all.map((i) => [i]);
  const order = rng.shuffle(all);
  const cut = kind === 'isolate' || n < 4 ? 1 : rng.int(2, n - 2);
  return [order.slice(0, cut).sort((a, b) => a - b), order.slice(cut).sort((a, b) => a - b)];
}

function scheduleCrashes(rng: Rng, n: number, end: number, out: FaultEvent[], wipeP: number): void {
  const busyUntil = new Array<number>(n).fill(0);
  let t = rng.int(500, 5000);
  while (t < end - 200) {
    const node = rng.int(0, n - 1);
    if (at(busyUntil, node, 'node') > t) {
      t += 500;
      continue;
    }
    const down = rng.chance(0.4) ? rng.int(5, 600) : rng.int(1000, 9000);
    out.push({ at: t, action: rng.chance(wipeP) ? { kind: 'wipe', node } : { kind: 'crash', node } });
    const back = t + down;
    if (back < end) out.push({ at: back, action: { kind: 'restart', node } });
    busyUntil[node] = back < end ? back + 1 : Infinity;
    t += rng.int(800, 6000);
  }
}

/** Format ms as seconds with millisecond precision, e.g. 12.345s. */
export function fmtSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

function fmtAction(a: FaultAction): string {
  switch (a.kind) {
    case 'partition':
      return `partition ${a.groups.map((g) => `{${g.join(',')}}`).join('|')}`;
    case 'heal-net':
      return 'heal-net';
    case 'crash':
      return `crash n${a.node}`;
    case 'wipe':
      return `wipe n${a.node}`;
    case 'restart':
      return `restart n${a.node}`;
  }
}

/** One-line human description of a scenario (the schedule is abbreviated past 60 entries). */
export function describeScenario(s: Scenario): string {
  const net = (p: NetworkParams) => `drop=${p.dropP} dup=${p.dupP} long=${p.longDelayP} maxDelay=${p.maxDelayMs}ms`;
  const shown = s.schedule.slice(0, 60).map((e) => `${fmtSeconds(e.at)} ${fmtAction(e.action)}`);
  if (s.schedule.length > 60) shown.push(`... ${s.schedule.length - 60} more`);
  return [
    `seed=${s.seed} n=${s.n} quorum=${s.quorum} profile=${s.profile}${s.broken ? ` BROKEN=${s.broken}` : ''}${s.encryptedElection ? ' +encrypted-election' : ''}${s.downNode !== undefined ? ` n${s.downNode}-down-until-heal` : ''}${s.emptyBlockIntervalSlots > 1 ? ` empty-blocks-every-${s.emptyBlockIntervalSlots}` : ''}`,
    `slots=${s.faultSlots}+${s.healSlots} skew=[${s.skewMs.map((x) => (x >= 0 ? `+${x}` : `${x}`)).join(',')}]ms`,
    `net{${net(s.net)}} heal{${net(s.healNet)}${s.restartAllAtHeal ? ' restart-all' : ''}} crashAfterVote=${s.crashAfterVoteP}`,
    `faults[${shown.join('; ')}]`,
  ].join(' ');
}

/** Compact name of a topology, e.g. "4-bft". */
export function topologyName(t: Topology): string {
  return `${t.n}-${t.quorum}`;
}
