#!/usr/bin/env node
/**
 * Command line of the simulator: `npm run sim -- --seeds 500` runs many seeds (topologies in
 * rotation) and exits 1 if any violates an invariant; `--seed X --trace` replays one seed.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { at, must, type QuorumRule } from '@poa-vote/shared';
import {
  BrokenVariant,
  DEFAULT_HEAL_SLOTS,
  minHealSlots,
  TOPOLOGIES,
  type Topology,
  makeScenario,
  topologyName,
} from './scenario.js';
import { runScenario } from './simulator.js';

export interface SimCliOptions {
  /** First seed. */
  start: number;
  /** Number of seeds. */
  seeds: number;
  topologies: Topology[];
  /** Total simulated slots per seed (fault phase + heal phase). */
  slots: number;
  healSlots: number;
  trace: boolean;
  broken?: BrokenVariant;
  /** Trace lines printed for a failure. */
  tail: number;
  /** Run an encrypted election in every seed (sim/elections.ts). */
  elections?: boolean;
  /** Leaders with nothing to propose make an empty block only every this many slots (default 1). */
  emptyBlockInterval?: number;
}

export class SimCliError extends Error {
  override readonly name = 'SimCliError';
}

const USAGE = `usage: npm run sim -- [options]
  --seeds N            number of seeds to run (default 100)
  --start S            first seed (default 1)
  --seed X             run only seed X (same as --start X --seeds 1)
  --validators 3,4,5   validator counts to rotate through (default 3,4,5)
  --quorum majority,bft  quorum rules to rotate through (default both; bft only with 4+)
  --slots T            simulated slots per seed, fault phase + heal phase (default 60)
  --heal H             heal-phase slots, at least 15 (default 20; more with --empty-block-interval)
  --empty-block-interval N
                       leaders with nothing to propose make an empty block every N slots (default 1)
  --broken V           run a deliberately broken validator: ${Object.values(BrokenVariant).join(', ')}
  --elections          also run an encrypted election per seed (checks decrypted tally = sum of ballots)
  --trace              print every trace line (use with --seed)
  --tail L             trace lines printed for a failure (default 50)`;

function int(name: string, v: string | undefined, def: number, min: number): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min)
    throw new SimCliError(`--${name} must be an integer >= ${min}, got "${v}"`);
  return Number(v);
}

/** Parse the simulator's command line; throws SimCliError naming the bad option. */
export function parseSimArgs(argv: string[]): SimCliOptions | 'help' {
  const values = (() => {
    try {
      return parseArgs({
        args: argv,
        options: {
          seeds: { type: 'string' },
          start: { type: 'string' },
          seed: { type: 'string' },
          validators: { type: 'string' },
          quorum: { type: 'string' },
          slots: { type: 'string' },
          heal: { type: 'string' },
          broken: { type: 'string' },
          trace: { type: 'boolean' },
          elections: { type: 'boolean' },
          'empty-block-interval': { type: 'string' },
          tail: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: false,
      }).values;
    } catch (e) {
      throw new SimCliError((e as Error).message);
    }
  })();
  if (values.help) return 'help';
  const counts = (values.validators ?? '3,4,5').split(',').map((x) => {
    const n = Number(x.trim());
    if (!Number.isSafeInteger(n) || n < 1 || n > 16)
      throw new SimCliError(`--validators must be a comma-separated list of counts 1..16, got "${values.validators}"`);
    return n;
  });
  const rules = (values.quorum ?? 'majority,bft').split(',').map((x) => {
    const q = x.trim();
    if (q !== 'majority' && q !== 'bft')
      throw new SimCliError(`--quorum must be "majority", "bft" or both comma-separated, got "${values.quorum}"`);
    return q as QuorumRule;
  });
  const known = TOPOLOGIES.filter((t) => counts.includes(t.n) && rules.includes(t.quorum));
  // Counts outside the default rotation still run, with the requested rules (bft needs 4+).
  const extra = counts
    .filter((n) => !TOPOLOGIES.some((t) => t.n === n))
    .flatMap((n) => rules.filter((q) => q === 'majority' || n >= 4).map((quorum) => ({ n, quorum })));
  const topologies = [...known, ...extra];
  if (topologies.length === 0)
    throw new SimCliError(
      `no topology matches --validators ${counts.join(',')} --quorum ${rules.join(',')} (bft needs 4 or more validators)`,
    );
  let broken: BrokenVariant | undefined;
  if (values.broken !== undefined) {
    if (!(Object.values(BrokenVariant) as string[]).includes(values.broken))
      throw new SimCliError(
        `--broken must be one of ${Object.values(BrokenVariant).join(', ')}, got "${values.broken}"`,
      );
    broken = values.broken as BrokenVariant;
  }
  const emptyBlockInterval = int('empty-block-interval', values['empty-block-interval'], 1, 1);
  const healSlots = int(
    'heal',
    values.heal,
    Math.max(DEFAULT_HEAL_SLOTS, minHealSlots(emptyBlockInterval)),
    minHealSlots(emptyBlockInterval),
  );
  const slots = int('slots', values.slots, 60, healSlots);
  const single = values.seed !== undefined ? int('seed', values.seed, 0, 0) : undefined;
  if (single !== undefined && (values.start !== undefined || values.seeds !== undefined))
    throw new SimCliError('--seed runs one seed: do not combine it with --start or --seeds');
  return {
    start: single ?? int('start', values.start, 1, 0),
    seeds: single !== undefined ? 1 : int('seeds', values.seeds, 100, 1),
    topologies,
    slots,
    healSlots,
    trace: values.trace ?? false,
    tail: int('tail', values.tail, 50, 1),
    ...(broken ? { broken } : {}),
    ...(values.elections ? { elections: true } : {}),
    ...(emptyBlockInterval > 1 ? { emptyBlockInterval } : {}),
  };
}

/** The topology a seed runs with: seeds rotate through the selected topologies. */
export function topologyForSeed(seed: number, topologies: readonly Topology[]): Topology {
  return at(topologies, seed % topologies.length, 'topology');
}

/** The command that replays one seed exactly. */
export function replayCommand(
  seed: number,
  t: Topology,
  o: Pick<SimCliOptions, 'slots' | 'healSlots' | 'broken' | 'elections' | 'emptyBlockInterval'>,
): string {
  return `npm run sim -- --seed ${seed} --validators ${t.n} --quorum ${t.quorum} --slots ${o.slots} --heal ${o.healSlots}${o.broken ? ` --broken ${o.broken}` : ''}${o.elections ? ' --elections' : ''}${o.emptyBlockInterval ? ` --empty-block-interval ${o.emptyBlockInterval}` : ''} --trace`;
}

/** Run the simulator CLI; returns the process exit code. */
export function runSimCli(
  argv: string[],
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  clock: () => number = () => performance.now(),
): number {
  let o: SimCliOptions | 'help';
  try {
    o = parseSimArgs(argv);
  } catch (e) {
    if (!(e instanceof SimCliError)) throw e;
    print(`error: ${e.message}`);
    print(USAGE);
    return 2;
  }
  if (o === 'help') {
    print(USAGE);
    return 0;
  }
  const t0 = clock();
  const total = {
    seeds: 0,
    slots: 0,
    blocks: 0,
    txs: 0,
    violations: 0,
    ballots: 0,
    elections: {} as Record<string, number>,
  };
  const every = Math.max(1, Math.floor(o.seeds / 20));
  print(
    `simulating seeds ${o.start}..${o.start + o.seeds - 1} over ${o.topologies.map(topologyName).join(', ')}, ${o.slots} slots each (${o.slots - o.healSlots} fault + ${o.healSlots} heal)${o.broken ? `, BROKEN ${o.broken}` : ''}`,
  );
  for (let seed = o.start; seed < o.start + o.seeds; seed++) {
    const topo = topologyForSeed(seed, o.topologies);
    const scenario = makeScenario(seed, topo, {
      faultSlots: o.slots - o.healSlots,
      healSlots: o.healSlots,
      ...(o.broken ? { broken: o.broken } : {}),
      ...(o.elections ? { encryptedElection: true } : {}),
      ...(o.emptyBlockInterval ? { emptyBlockIntervalSlots: o.emptyBlockInterval } : {}),
    });
    if (o.trace) print(`--- ${topologyName(topo)} seed ${seed}`);
    const r = runScenario(scenario, { tailLines: o.tail, ...(o.trace ? { onTrace: print } : {}) });
    total.seeds++;
    total.slots += r.stats.simulatedSlots;
    total.blocks += r.stats.blocksFinalized;
    total.txs += r.stats.txsFinalized;
    if (o.trace) print(`--- digest ${r.digest}`);
    const el = r.stats.election;
    if (el !== undefined) {
      total.elections[el.phase] = (total.elections[el.phase] ?? 0) + 1;
      total.ballots += el.ballots;
    }
    if (!r.ok) {
      total.violations++;
      print('');
      const failure = must(r.failure, 'failure of a failed run');
      print(`VIOLATION seed ${seed} (${topologyName(topo)}) at ${failure.time}ms: ${failure.message}`);
      print(`scenario: ${r.description}`);
      if (!o.trace) {
        print(`last ${r.traceTail.length} trace lines:`);
        for (const l of r.traceTail) print(`  ${l}`);
      }
      print(`replay: ${replayCommand(seed, topo, o)}`);
      print('');
    }
    if (total.seeds % every === 0 || seed === o.start + o.seeds - 1) {
      print(
        `[${String(total.seeds).padStart(String(o.seeds).length)}/${o.seeds}] ${total.violations} violations, ${total.blocks} blocks, ${((clock() - t0) / 1000).toFixed(1)}s`,
      );
    }
  }
  print(
    `seeds run: ${total.seeds}, simulated slots: ${total.slots}, blocks finalized: ${total.blocks}, txs finalized: ${total.txs}, violations: ${total.violations} (${((clock() - t0) / 1000).toFixed(1)}s)`,
  );
  if (o.elections)
    print(`encrypted elections by final phase: ${JSON.stringify(total.elections)}, ${total.ballots} ballots finalized`);
  return total.violations > 0 ? 1 : 0;
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(resolve(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  // `npm run sim | head` closes the pipe early: that is not an error of the simulation.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = runSimCli(process.argv.slice(2));
}
