/**
 * The frame of every fault scenario: a three-validator network (optionally behind a proxy mesh)
 * with a height monitor and a vote load; a scenario perturbs it, then `runScenario` drains the
 * load, audits every live validator, records the figures, and fails on any problem found.
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from '@jest/globals';
import type { Hex } from '@poa-vote/shared';
import {
  type AckedVote,
  type AuditReport,
  FinalityMonitor,
  ProxyMesh,
  TestNetwork,
  VoteLoad,
  type VoteLoadOptions,
  auditNetwork,
  fetchHealth,
  sleep,
  waitFor,
} from '@poa-vote/test-utils';
import { type HeadlineFigures, RESULTS_FILE, recordScenario } from './figures.js';

/** Slot length of the fault networks: short, so a scenario takes seconds. */
export const SLOT_MS = 400;

export interface FaultNetworkOptions {
  slotMs?: number;
  /** Put a cuttable proxy on every link (for partitions). */
  proxies?: boolean;
  extraArgs?: (i: number) => string[];
  /** Extra node flags per validator (e.g. --cpu-prof to profile one). */
  nodeArgs?: (i: number) => string[];
}

export type LoadOptions = Partial<Omit<VoteLoadOptions, 'urls' | 'acked' | 'electionId' | 'voterPrefix'>>;

/** A running three-validator network under observation. */
export class FaultNetwork {
  readonly electionId = '1';
  /** Every vote acknowledged on this network (all loads). */
  readonly acked = new Map<Hex, AckedVote>();
  readonly loads: VoteLoad[] = [];
  /** Scenarios begun and not passed: their logs are kept at teardown. */
  readonly unfinished = new Set<string>();

  private constructor(
    readonly net: TestNetwork,
    readonly monitor: FinalityMonitor,
    readonly mesh: ProxyMesh | undefined,
    readonly slotMs: number,
  ) {}

  /** Create, start and wait for a healthy network; the monitor runs from the start. */
  static async start(opts: FaultNetworkOptions = {}): Promise<FaultNetwork> {
    const slotMs = opts.slotMs ?? SLOT_MS;
    let mesh: ProxyMesh | undefined;
    // POA_FAULTS_CPU_PROF=<dir>: every validator run writes a V8 CPU profile there (diagnosis).
    const profDir = process.env.POA_FAULTS_CPU_PROF;
    const nodeArgs =
      opts.nodeArgs ??
      (profDir ? (i: number) => ['--cpu-prof', `--cpu-prof-dir=${join(profDir, `validator-${i + 1}`)}`] : undefined);
    // A vote no quorum confirms within 1 s (2.5 slots) is answered -32012, inside the load's 1.5 s
    // request timeout, so the load sees the answer and resends elsewhere.
    const extraArgs = (i: number): string[] => ['--ack-timeout-ms', '1000', ...(opts.extraArgs?.(i) ?? [])];
    const net = await TestNetwork.create({
      slotMs,
      extraArgs,
      ...(nodeArgs ? { nodeArgs } : {}),
      ...(opts.proxies ? { peers: (i: number) => mesh!.peersOf(i) } : {}),
    });
    if (opts.proxies)
      mesh = await ProxyMesh.start(
        net.validators.map((v, i) => ({ p2pPort: v.p2pPort, publicKey: net.genesis.authorities[i]!.publicKey })),
      );
    const monitor = new FinalityMonitor(net.validators.map((v) => v.url));
    const f = new FaultNetwork(net, monitor, mesh, slotMs);
    try {
      await net.start();
      await net.waitHealthy();
      // Healthy means a quorum; the scenarios start from a fully connected network.
      await waitFor(
        async () =>
          (await Promise.all(net.validators.map((v) => fetchHealth(v.url)))).every((h) => h?.body.peers === 2),
        20_000,
        'every validator connected to both others',
      );
      monitor.start();
    } catch (e) {
      await f.teardown();
      throw e;
    }
    return f;
  }

  get urls(): string[] {
    return this.net.validators.map((v) => v.url);
  }

  /** Duration of k slots, ms. */
  slots(k: number): number {
    return k * this.slotMs;
  }

  /** Wait k slots. */
  waitSlots(k: number): Promise<void> {
    return sleep(this.slots(k));
  }

  /** Start a vote load over every validator, adding its acknowledgements to `acked`. */
  startLoad(voterPrefix: string, opts: LoadOptions = {}): VoteLoad {
    const load = new VoteLoad({
      urls: this.urls,
      acked: this.acked,
      electionId: this.electionId,
      voterPrefix,
      ...opts,
    }).start();
    this.loads.push(load);
    return load;
  }

  /** Stop every load, resending what is unacknowledged until acknowledged. */
  async stopLoads(drainMs = 30_000): Promise<void> {
    await Promise.all(this.loads.map((l) => l.stop(drainMs)));
  }

  /** Stop loads, monitor, processes and proxies; keep logs of unfinished scenarios in results/logs. */
  async teardown(): Promise<void> {
    await Promise.all(this.loads.map((l) => l.stop(0).catch(() => undefined)));
    await this.monitor.stop();
    const keep = [...this.unfinished];
    try {
      await this.net.stop({ keepDir: true });
      if (keep.length > 0) {
        const to = join(RESULTS_FILE, '..', 'logs', keep.join('+'));
        mkdirSync(to, { recursive: true });
        for (const v of this.net.validators)
          if (existsSync(v.logFile)) cpSync(v.logFile, join(to, `${v.id}.log`), { force: true });
        writeFileSync(
          join(to, 'heights.jsonl'),
          this.monitor.samples.map((s) => JSON.stringify({ t: new Date(s.t).toISOString(), h: s.heights })).join('\n'),
        );
        process.stderr.write(`fault scenario(s) ${keep.join(', ')} did not pass: validator logs copied to ${to}\n`);
      }
    } finally {
      if (!process.env.POA_TEST_KEEP) rmSync(this.net.dir, { recursive: true, force: true });
      await this.mesh?.close();
    }
  }
}

/**
 * One network for the tests of a `describe` block: started before the first, torn down after the
 * last (its logs kept when a scenario did not pass). Call it at the top of the block; each test
 * takes the network from the returned function.
 */
export function useFaultNetwork(opts: FaultNetworkOptions = {}): () => FaultNetwork {
  let f: FaultNetwork | undefined;
  beforeAll(async () => {
    f = await FaultNetwork.start(opts);
  }, 60_000);
  afterAll(async () => {
    await f?.teardown();
  }, 60_000);
  return () => {
    if (f === undefined) throw new Error('the fault network did not start (see the beforeAll above)');
    return f;
  };
}

export interface ScenarioMeta {
  id: string;
  title: string;
  asserts: string[];
}

export interface ScenarioOutcome {
  /** Validators to audit (the ones up at the end). */
  live: number[];
  /** Acknowledged votes that may be missing because the only validator holding them is down. */
  mayMiss?: Set<Hex>;
  catchUpMs?: number | null;
  noFinalityMs?: number | null;
  extra?: Record<string, number | string | boolean | null>;
}

/** What a scenario body sees: its network, its start time, and a place to note problems. */
export class ScenarioRun {
  readonly t0 = Date.now();
  readonly problems: string[] = [];
  readonly extra: Record<string, number | string | boolean | null> = {};

  constructor(readonly f: FaultNetwork) {}

  /** Note a problem unless cond holds (the scenario goes on, so its figures are still recorded). */
  check(cond: boolean, problem: string): boolean {
    if (!cond) this.problems.push(problem);
    return cond;
  }

  /** Log tail of validator i for a problem message. */
  tail(i: number, n = 15): string {
    return this.f.net.logTail(i, n);
  }
}

/**
 * Run one scenario: the body perturbs the network and says which validators are live at the end;
 * then the loads are drained, the live validators audited, the figures recorded, and the test
 * fails on any problem (its own, the audit's, or a validator exiting or logging an error).
 */
export async function runScenario(
  f: FaultNetwork,
  meta: ScenarioMeta,
  body: (r: ScenarioRun) => Promise<ScenarioOutcome>,
): Promise<AuditReport> {
  const r = new ScenarioRun(f);
  f.unfinished.add(meta.id);
  const errorsBefore = f.net.validators.map((v) => v.errors.length);
  const exitsBefore = f.net.unexpectedExits().length;
  let outcome: ScenarioOutcome | undefined;
  let report: AuditReport | undefined;
  try {
    outcome = await body(r);
    await f.stopLoads();
    for (const load of f.loads) {
      r.check(load.outstanding.size === 0, `${load.outstanding.size} votes were never acknowledged by any validator`);
      r.check(
        load.refused.length === 0,
        `${load.refused.length} votes were refused: ${JSON.stringify(load.refused.slice(0, 3))}`,
      );
    }
    report = await auditNetwork({
      genesis: f.net.genesis,
      urls: f.urls,
      live: outcome.live,
      electionId: f.electionId,
      acked: f.acked,
      ...(outcome.mayMiss ? { mayMiss: outcome.mayMiss } : {}),
    });
    r.problems.push(...report.problems);
  } catch (e) {
    r.problems.push(`scenario aborted: ${(e as Error).message}`);
  } finally {
    const exits = f.net.unexpectedExits().slice(exitsBefore);
    r.check(exits.length === 0, `validators exited on their own: ${JSON.stringify(exits)}`);
    f.net.validators.forEach((v, i) => {
      const errs = v.errors.slice(errorsBefore[i]);
      r.check(errs.length === 0, `${v.id} logged ${errs.length} errors, e.g. ${errs.slice(0, 2).join(' / ')}`);
    });
    const end = Date.now();
    const live = outcome?.live ?? [0, 1, 2];
    const fig = report?.figures;
    const headline: HeadlineFigures = {
      votesAcknowledged: f.acked.size,
      votesFinalized: fig?.finalized ?? 0,
      lost: fig?.lost ?? 0,
      doubled: fig?.doubled ?? 0,
      catchUpMs: outcome?.catchUpMs ?? null,
      noFinalityMs:
        outcome?.noFinalityMs !== undefined ? outcome.noFinalityMs : f.monitor.longestStall(r.t0, end, live),
    };
    const extra = {
      ackedInThisScenario: [...f.acked.values()].filter((v) => v.at >= r.t0).length,
      ...r.extra,
      ...(outcome?.extra ?? {}),
      ...(fig
        ? { commonHeight: fig.commonHeight, heldByDownValidator: fig.heldByDownValidator, evidence: fig.evidence }
        : {}),
      failovers: f.loads.reduce((n, l) => n + l.failovers, 0),
    };
    recordScenario({
      id: meta.id,
      title: meta.title,
      asserts: meta.asserts,
      ok: r.problems.length === 0,
      problems: r.problems,
      headline,
      extra,
      slotMs: f.slotMs,
      runAt: new Date(r.t0).toISOString(),
      durationMs: end - r.t0,
    });
    if (r.problems.length === 0) f.unfinished.delete(meta.id);
  }
  expect(r.problems).toEqual([]);
  return report!;
}
